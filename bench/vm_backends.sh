#!/bin/bash
# Issue 4's back-end comparison: in one run, the same probe stream (COUNT x
# 1 ms, direction in: remote -> guest application) through the kernel bridge,
# macvtap and the XDP bridge (one lab after the other, each torn down after
# its run), then one table: p50, p99 and max of `path` and `one_way` per
# back-end, with the guest clock's uncertainty beside them (under TCG it is
# of the order of the figures themselves: read differences smaller than it
# as noise). For xdp, the fast-path counter shows the stream took the fast path.
#   bench/vm_backends.sh [COUNT] [BACKEND...]     (default: 2000 bridge macvtap xdp)
. "$(dirname "$0")/lib.sh"
count=${1:-2000}; shift || true
backends=${*:-bridge macvtap xdp}
BENCH_TMP=$(mktemp -d)
BENCH_LAB=ybk$$
trap bench_cleanup EXIT INT TERM

# The xdp lab's per-CPU-summed counter $1 (from `lab show --json`).
xdp_counter() {
	"$VNETLAT" lab show --name "$BENCH_LAB" --json >"$BENCH_TMP/show.json" &&
		json "$BENCH_TMP/show.json" "d['labs'][0]['xdp']['counters']['$1']"
}

echo "probe stream: $count x 1 ms, direction in (remote -> guest application), one back-end at a time"
for be in $backends; do
	echo "  $be: lab up, run, lab down ..."
	if ! "$VNETLAT" lab up "$be" --name "$BENCH_LAB" >"$BENCH_TMP/up-$be.log" 2>&1; then
		echo "  $be: lab up failed: $(tail -1 "$BENCH_TMP/up-$be.log")"
		"$VNETLAT" lab down --name "$BENCH_LAB" >/dev/null 2>&1 || true
		continue
	fi
	[ "$be" = xdp ] && fast0=$(xdp_counter uplink_fast)
	"$VNETLAT" run "$BENCH_LAB" --direction in --count "$count" --json --quiet >"$BENCH_TMP/$be.json" \
		2>"$BENCH_TMP/run-$be.log" || echo "  $be: run failed: $(tail -1 "$BENCH_TMP/run-$be.log")"
	if [ "$be" = xdp ]; then
		echo "$(( $(xdp_counter uplink_fast) - fast0 ))" >"$BENCH_TMP/xdp.fast"
		grep '^xdp: xdp_uplink' "$BENCH_TMP/up-$be.log" | sed 's/^/    /' || true
	fi
	"$VNETLAT" lab down --name "$BENCH_LAB" >/dev/null 2>&1 || echo "  $be: lab down failed"
done

python3 - "$BENCH_TMP" $backends <<'PY'
import json, os, sys
tmp, backends = sys.argv[1], sys.argv[2:]
us = lambda ns: "%9.1f" % (ns / 1e3)
print()
print("%-8s %-5s %-9s %9s %9s %9s %9s %9s %9s %12s" % (
    "backend", "accel", "received", "path p50", "p99", "max", "1way p50", "p99", "max",
    "clock +/-"))
notes = []
for be in backends:
    try:
        d = json.load(open(os.path.join(tmp, be + ".json")))
    except (OSError, ValueError):
        print("%-8s (no result)" % be)
        continue
    rep, lab = d["directions"]["in"], d.get("lab", {})
    p, o = rep["latency"]["path"], rep["latency"]["one_way"]
    unc = (rep.get("clock") or {}).get("uncertainty_ns") or 0
    row = "%-8s %-5s %4d/%-4d" % (be, lab.get("accel") or "-", rep["packets"]["received"],
                                  rep["packets"]["sent"])
    for s in (p, o):
        row += " " + (" ".join(us(s[k]) for k in ("p50_ns", "p99_ns", "max_ns")) if s["count"]
                      else "%29s" % "no samples")
    print(row + " %12s" % (("%.1f" % (unc / 1e3)) if unc else "exact"))
    fast = os.path.join(tmp, be + ".fast")
    if os.path.exists(fast):
        notes.append("%s: %s frames on the uplink's fast path for %d probes received" % (
            be, open(fast).read().strip(), rep["packets"]["received"]))
print("(microseconds; clock +/-: the guest clock offset's uncertainty, part of every path and one_way figure)")
for n in notes:
    print(n)
PY
