#!/bin/bash
# recv --metrics across the veth lab: during a ~5 s stream the file is
# replaced about once a second (read twice while running: the counts grow),
# each copy parses with prometheus_client's text parser, and the final one
# equals recv's JSON report (sent, received, lost, each stage's count). Then
# run LAB --metrics: live counters while it runs, both directions at the end.
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
# A live copy once received passes ABOVE (polled, not timed: a busy machine starts the
# stream late); up to 20 s, then whatever the file holds.
received_now() { awk '/^vnetlat_probes_received_total/ {print int($2)}' "$T/m.prom" 2>/dev/null; }
copy_above() { # copy_above ABOVE DEST
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(received_now)" -gt "$1" ] 2>/dev/null && break
		sleep 0.2
	done
	cp "$T/m.prom" "$2"
}
copy_above 0 "$T/m1.prom"
copy_above $(( $(received_now) + 300 )) "$T/m2.prom"
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

# run LAB --metrics: live counters labelled by direction, lab and topology while it runs;
# at the end every stage of both directions, equal to run's JSON.
"$VNL" run "$LAB" --direction both --count 3000 --port 4302 --metrics "$T/r.prom" --json \
	>"$T/run.json" 2>"$T/run.err" &
RUNP=$!; VNL_BG+=("$RUNP")
for ((i = 0; i < 100; i++)); do
	grep -qE '^vnetlat_probes_received_total\{direction="in".*\} [1-9]' "$T/r.prom" 2>/dev/null && break
	sleep 0.2
done
cp "$T/r.prom" "$T/r1.prom"
vnl_wait_pid "$RUNP" 60; rrc=$?
cat "$T/run.err"
vnl_check "run --metrics exits 0" test "$rrc" = 0
"$PROMPY" - "$T/r1.prom" "$T/r.prom" "$T/run.json" "$LAB" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families as parse
def load(path):
    out = {}
    for fam in parse(open(path).read()):
        for s in fam.samples:
            out[(s.name, s.labels.get('direction'), s.labels.get('stage'), s.labels.get('quantile'))] = (s.value, s.labels)
    return out
live, fin = load(sys.argv[1]), load(sys.argv[2])
d, lab = json.load(open(sys.argv[3])), sys.argv[4]
bad = []
lv = live.get(('vnetlat_probes_received_total', 'in', None, None))
if not lv or not 0 < lv[0] or lv[1].get('lab') != lab or lv[1].get('topology') != 'veth':
    bad.append(f"live copy: received of 'in' with lab {lab}, topology veth: {lv}")
for dr in ('in', 'out'):
    p = d['directions'][dr]['packets']
    for name in ('sent', 'received', 'lost'):
        got = fin.get((f'vnetlat_probes_{name}_total', dr, None, None), (None,))[0]
        if got != p[name]:
            bad.append(f"final {dr} {name} {got}, JSON {p[name]}")
    for st, v in d['directions'][dr]['latency'].items():
        got = fin.get(('vnetlat_latency_seconds_count', dr, st, None), (None,))[0]
        if got != v['count']:
            bad.append(f"final {dr} {st} count {got}, JSON {v['count']}")
print(f"run live: in received {lv[0] if lv else None:.0f}; final in/out received "
      f"{fin[('vnetlat_probes_received_total', 'in', None, None)][0]:.0f}/"
      f"{fin[('vnetlat_probes_received_total', 'out', None, None)][0]:.0f}")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
vnl_check "run --metrics: the live copy and the final file parse; the final one equals run's JSON, both directions" test $? = 0
vnl_finish
