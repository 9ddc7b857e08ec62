#!/bin/bash
# Issue 3's benchmark: for each lab topology (default: veth bridge macvtap ovs),
# in one run, the time `lab up` takes (for VM labs: guest boot to ready, with
# its DHCP lease) and the latency of the same probe stream into the local end
# ("in": remote -> guest application), printed side by side: min, mean,
# stddev, p99, max of `path` and `one_way`, with the clock uncertainty of
# guest labs (under TCG it is as large as the path: say so, do not hide it).
#   bench/vm_labs.sh [COUNT] [TOPOLOGY...]
. "$(dirname "$0")/lib.sh"
count=${1:-2000}; shift || true
topologies=${*:-veth bridge macvtap ovs}
BENCH_TMP=$(mktemp -d)
BENCH_LAB=bvm
trap bench_cleanup EXIT INT TERM

printf 'probe stream: %s x 1 ms, direction in (remote -> local application)\n' "$count"
for topo in $topologies; do
	"$VNETLAT" lab down --name "$BENCH_LAB" >/dev/null 2>&1 || true
	t0=$(date +%s.%N)
	if ! "$VNETLAT" lab up "$topo" --name "$BENCH_LAB" >"$BENCH_TMP/up-$topo.log" 2>&1; then
		echo "  $topo: lab up failed: $(tail -1 "$BENCH_TMP/up-$topo.log")"
		continue
	fi
	t1=$(date +%s.%N)
	"$VNETLAT" run "$BENCH_LAB" --direction in --count "$count" --json --quiet >"$BENCH_TMP/$topo.json" \
		2>"$BENCH_TMP/run-$topo.log" || echo "  $topo: run failed: $(tail -1 "$BENCH_TMP/run-$topo.log")"
	"$VNETLAT" lab down --name "$BENCH_LAB" >/dev/null 2>&1
	python3 - "$BENCH_TMP/$topo.json" "$topo" "$t0" "$t1" <<'PY' || true
import json, sys
path, topo, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
try:
    d = json.load(open(path))
except Exception:
    sys.exit(0)
lab = d.get("lab", {})
rep = d["directions"]["in"]
clock = rep.get("clock", {})
unc = clock.get("uncertainty_ns") or 0
print("%-8s lab up %5.1fs  accel %-4s vhost %-3s  received %d/%d  clock %s%s" % (
    topo, t1 - t0, lab.get("accel") or "-", lab.get("vhost") or "-",
    rep["packets"]["received"], rep["packets"]["sent"], clock.get("sync", "?"),
    " (+/- %.1f us)" % (unc / 1e3) if unc else ""))
for st in ("path", "one_way"):
    s = rep["latency"][st]
    if not s["count"]:
        print("    %-8s no samples" % st)
        continue
    print("    %-8s min %8.1f  mean %8.1f  stddev %8.1f  p99 %8.1f  max %9.1f  (us)" % (
        st, s["min_ns"] / 1e3, s["mean_ns"] / 1e3, s["stddev_ns"] / 1e3, s["p99_ns"] / 1e3,
        s["max_ns"] / 1e3))
PY
done
