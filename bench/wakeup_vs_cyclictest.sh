#!/bin/bash
# Benchmark 2: sender schedule accuracy. vnetlat's `wakeup` p99 against
# cyclictest's wake-up latency p99 at the same interval and priority, in the
# same run (target ratio <= 1.2).
. "$(dirname "$0")/lib.sh"
vnl_install rt-tests
secs=${1:-10} prio=${PRIO:-80}
loops=$((secs * 1000))
bench_lab_up bcyc
BENCH_TMP=$(mktemp -d)

in_b "$VNETLAT" recv --bind 192.0.2.2 --quiet >/dev/null &
BENCH_PIDS=$!
wait_udp "$BENCH_LAB-b" 4300
in_a "$VNETLAT" send 192.0.2.2 --interval 1ms --count "$loops" --sched-fifo "$prio" --mlock \
	--json --quiet >"$BENCH_TMP/tx.json"
wait $BENCH_PIDS; BENCH_PIDS=

# -h: a per-microsecond histogram we turn into a p99 the same way.
cyclictest -m -p "$prio" -i 1000 -l "$loops" -t1 -q -h 10000 >"$BENCH_TMP/cyc.txt"
cyc_p99=$(awk '/^[0-9]+ +[0-9]+/ { n[$1+0] = $2; tot += $2 }
	END { c = 0; for (us = 0; us <= 10000; us++) { c += n[us]; if (c >= 0.99 * tot) { print us; exit } } }' \
	"$BENCH_TMP/cyc.txt")
v_p99=$(json "$BENCH_TMP/tx.json" 'd["latency"]["wakeup"]["p99_ns"]/1000')
printf 'wake-up latency p99 at 1 ms, SCHED_FIFO %s, %s wake-ups each (us)\n' "$prio" "$loops"
printf '  vnetlat wakeup      %8.2f\n  cyclictest          %8.2f\n' "$v_p99" "$cyc_p99"
printf 'ratio vnetlat/cyclictest: %s  (target <= 1.2; cyclictest resolution 1 us)\n' \
	"$(ratio "$v_p99" "$cyc_p99")"
