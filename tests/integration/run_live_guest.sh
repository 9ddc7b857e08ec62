#!/bin/bash
# `vnetlat run --status-file` through a TCG guest (issue 5), root: a bridge
# lab, then one run per direction ("in": the receiver in the guest, its
# status read through the agent; "out": the receiver in the remote
# namespace). Checks that while each run goes on the status file holds the
# running direction's live figures with a p99, that its last line is the
# report's stream counts with a p99 on the host clock (within the clock
# estimate's reported uncertainty of the report's corrected p99, plus the
# histograms' 1 % each), and that no status file is left in the guest.
# Usage: bash run_live_guest.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: run_live_guest.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
LAB=pgg$$
VNL_GUEST_LABS=("$LAB")
TMP=$VNL_TMP

vnl_skip_unless_guest_lab

if ! "$VNL" lab up bridge --name "$LAB" >"$TMP/up" 2>&1; then
	echo "FAIL: lab up bridge"; tail -30 "$TMP/up"; exit 1
fi
ok "bridge lab with a TCG guest"

for d in in out; do
	S=$TMP/$d.status
	"$VNL" run "$LAB" --direction $d --duration 4s --json --status-file "$S" \
		>"$TMP/$d.json" 2>"$TMP/$d.err" &
	pid=$!
	: >"$TMP/$d.lines"
	while kill -0 $pid 2>/dev/null; do
		cat "$S" >>"$TMP/$d.lines" 2>/dev/null
		sleep 0.2
	done
	wait $pid
	rc=$?
	[ $rc = 0 ] && ok "$d: run exit 0" || { fail "$d: run exit $rc"; cat "$TMP/$d.err"; continue; }
	python3 - "$d" "$TMP/$d.lines" "$S" "$TMP/$d.json" <<'PY' && ok "$d: live and final status" || fail "$d: status"
import json, sys
d = sys.argv[1]
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
final = json.loads(open(sys.argv[3]).read())
rep = json.load(open(sys.argv[4]))["directions"][d]
pk = rep["packets"]
live = [l for l in lines if l.get("direction") == d and 0 < l["received"] < pk["received"]]
assert live, f"no live line of {d} during the run: {lines[:5]}"
assert all(l["stage"] == "one_way" for l in live), live[:3]
with_p99 = [l for l in live if "p99_ns" in l]
assert with_p99 and all(l["p99_ns"] > 0 for l in with_p99), live[:5]
got = [l["received"] for l in live]
assert got == sorted(got), got
assert final["direction"] == d, final
for k in ("received", "sent", "lost"):
    assert final[k] == pk[k], (k, final, pk)
want = rep["latency"]["one_way"]["p99_ns"]
unc = rep["clock"]["uncertainty_ns"]
assert rep["clock"]["sync"] == "estimated", rep["clock"]
bound = 2 * unc + 0.02 * want
assert abs(final["p99_ns"] - want) <= bound, (final["p99_ns"], want, bound, rep["clock"])
print(f"{d}: {len(live)} live lines, final p99 {final['p99_ns']} ns, report {want} ns "
      f"(clock offset {rep['clock']['offset_ns']} ns, uncertainty {unc} ns)")
PY
done
left=$("$VNL" lab exec guest --name "$LAB" -- ls /tmp 2>&1)
case "$left" in *vnetlat-run-*.status*) fail "left in the guest: $left";;
	*) ok "no status file left in the guest";; esac

vnl_finish
