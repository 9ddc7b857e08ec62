#!/bin/bash
# recv --metrics across the veth lab: during a ~5 s stream the file is
# replaced about once a second (read twice while running: the counts grow),
# each copy parses with prometheus_client's text parser, and the final one
# equals recv's JSON report (sent, received, lost, each stage's count).
# Usage: bash stream_metrics.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_metrics.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
PROMPY=/usr/bin/python3 # Debian's, where python3-prometheus-client is (not a pyenv shim)
"$PROMPY" -c 'import prometheus_client' 2>/dev/null ||
	{ echo "FAIL: python3-prometheus-client is not installed (scripts/deps.sh VNL_TEST_PKGS)"; exit 1; }
LAB=vpc-$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=5000

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --port 4301 --json --metrics "$T/m.prom" \
	>"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4301 || exit 1
vnl_check "the metrics file is there before the stream" test -s "$T/m.prom"
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --port 4301 --count $N --interval 1ms \
	>"$T/send.out" 2>"$T/send.err" &
SP=$!; VNL_BG+=("$SP")
sleep 1.5; cp "$T/m.prom" "$T/m1.prom"
sleep 2; cp "$T/m.prom" "$T/m2.prom"
vnl_wait_pid "$SP" 20; src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err" "$T/send.err"
vnl_check "send exits 0" test "$src" = 0
vnl_check "recv exits 0" test "$rrc" = 0

"$PROMPY" - "$T/m1.prom" "$T/m2.prom" "$T/m.prom" "$T/recv.json" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families as parse
def load(path):
    out = {}
    for fam in parse(open(path).read()):
        for s in fam.samples:
            out[(s.name, s.labels.get('stage'), s.labels.get('quantile'))] = s.value
    return out
m1, m2, mf = (load(p) for p in sys.argv[1:4])
d = json.load(open(sys.argv[4]))
r = lambda m: m[('vnetlat_probes_received_total', None, None)]
print(f"received while running: {r(m1):.0f}, then {r(m2):.0f}; final {r(mf):.0f}")
bad = []
if not 0 < r(m1) < r(m2) < r(mf):
    bad.append("received does not grow between the live copies")
p = d['packets']
for name, want in (('sent', p['sent']), ('received', p['received']), ('lost', p['lost'])):
    got = mf[(f'vnetlat_probes_{name}_total', None, None)]
    if got != want:
        bad.append(f"final {name} {got}, JSON {want}")
for st, v in d['latency'].items():
    got = mf.get(('vnetlat_latency_seconds_count', st, None))
    if got != v['count']:
        bad.append(f"final {st} count {got}, JSON {v['count']}")
    if v['count'] and mf.get(('vnetlat_latency_seconds', st, '1')) is None:
        bad.append(f"no max quantile for {st}")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
vnl_check "live copies parse and grow; the final one equals the JSON report" test $? = 0
vnl_check "no temporary left beside the file" test "$(ls "$T" | grep -c 'm.prom.')" = 0
vnl_finish
