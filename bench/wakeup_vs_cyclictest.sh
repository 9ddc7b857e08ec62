#!/bin/bash
# Benchmark 2: sender schedule accuracy. vnetlat's `wakeup` p99 (app_tx_sched
# - sched) against cyclictest's wake-up latency p99 at the same interval (1 ms)
# and priority, both pinned to the same CPU, in the same run. The tools
# alternate for ROUNDS rounds (vnetlat, cyclictest, vnetlat, ...) so a noisy
# moment of the machine does not land on one tool only; the medians of the
# per-round p99s are compared (target ratio <= 1.2).
#
# cyclictest holds /dev/cpu_dma_latency at 0 (idle CPUs poll instead of
# halting) unless told --laptop; vnetlat is given the same with
# --cpu-dma-latency 0 when it has the option (LAPTOP=1: neither does it).
#
# vnetlat's receiver is only the probes' sink here; it runs on the sender's
# CPU unless BENCH_RXCPU says otherwise (SCHED_OTHER, done with a probe long
# before the next slot, preempted by the sender). On another CPU its wake-up
# per probe keeps a second (v)CPU busy, which cyclictest's rounds do not
# have: on a VM that has cost the sender's wake-ups ~10% at p50.
#
# Usage: wakeup_vs_cyclictest.sh [SECONDS_PER_ROUND (4)]
# Environment: ROUNDS (3), PRIO (80), BENCH_CPU, BENCH_RXCPU, BENCH_LAB_NAME.
rxcpu_given=${BENCH_RXCPU:-}
. "$(dirname "$0")/lib.sh"
rxcpu=${rxcpu_given:-$BENCH_CPU}
vnl_install rt-tests
secs=${1:-4} rounds=${ROUNDS:-3} prio=${PRIO:-80}
loops=$((secs * 1000))
bench_lab_up bcyc
BENCH_TMP=$(mktemp -d)

v_qos=() c_qos=()
if [ "${LAPTOP:-0}" = 1 ]; then
	c_qos=(--laptop)
elif has_opt send --cpu-dma-latency; then
	v_qos=(--cpu-dma-latency 0)
fi

# One vnetlat round: prints "p50 p99" of wakeup in us.
vnetlat_round() {
	in_b "$VNETLAT" recv --bind 192.0.2.2 --cpu "$rxcpu" --quiet >/dev/null &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 4300
	in_a "$VNETLAT" send 192.0.2.2 --interval 1ms --count "$loops" --sched-fifo "$prio" \
		--mlock --cpu "$BENCH_CPU" "${v_qos[@]}" --json --quiet >"$BENCH_TMP/tx.json"
	wait $BENCH_PIDS; BENCH_PIDS=
	json "$BENCH_TMP/tx.json" '"%.2f %.2f" % (d["latency"]["wakeup"]["p50_ns"]/1e3, d["latency"]["wakeup"]["p99_ns"]/1e3)'
}

# One cyclictest round: "p50 p99" in us from its per-microsecond histogram,
# wake-ups beyond the histogram (overflows) counted as the slowest.
cyclictest_round() {
	cyclictest -m -p "$prio" -i 1000 -l "$loops" -t1 -a "$BENCH_CPU" -q -h 10000 \
		"${c_qos[@]}" >"$BENCH_TMP/cyc.txt" 2>/dev/null
	awk '/^[0-9]+ +[0-9]+/ { n[$1+0] = $2; tot += $2 }
		/^# Histogram Overflows:/ { tot += $4 }
		END { c = 0; p50 = p99 = 10001
		      for (us = 0; us <= 10000; us++) {
			c += n[us]
			if (p50 > 10000 && c >= 0.50 * tot) p50 = us
			if (p99 > 10000 && c >= 0.99 * tot) { p99 = us; break }
		      }
		      printf "%.2f %.2f\n", p50, p99 }' "$BENCH_TMP/cyc.txt"
}

printf 'wake-up latency at 1 ms, SCHED_FIFO %s, CPU %s (vnetlat recv CPU %s), %s rounds of %s wake-ups per tool (us)\n' \
	"$prio" "$BENCH_CPU" "$rxcpu" "$rounds" "$loops"
printf '  vnetlat: %s   cyclictest: %s\n' "${v_qos[*]:-no PM QoS}" "${c_qos[*]:-cpu_dma_latency 0}"
: >"$BENCH_TMP/v"; : >"$BENCH_TMP/c"
for r in $(seq "$rounds"); do
	v=$(vnetlat_round); c=$(cyclictest_round)
	echo "$v" >>"$BENCH_TMP/v"; echo "$c" >>"$BENCH_TMP/c"
	printf '  round %s: vnetlat wakeup p50/p99 %8s/%-8s  cyclictest p50/p99 %8s/%-8s  ratio %s\n' \
		"$r" "${v% *}" "${v#* }" "${c% *}" "${c#* }" "$(ratio "${v#* }" "${c#* }")"
done
v_p50=$(cut -d' ' -f1 "$BENCH_TMP/v" | median); c_p50=$(cut -d' ' -f1 "$BENCH_TMP/c" | median)
v_p99=$(cut -d' ' -f2 "$BENCH_TMP/v" | median); c_p99=$(cut -d' ' -f2 "$BENCH_TMP/c" | median)
printf '  median p50: vnetlat %s  cyclictest %s  ratio %s (cyclictest resolution 1 us)\n' \
	"$v_p50" "$c_p50" "$(ratio "$v_p50" "$c_p50")"
printf '  median p99: vnetlat %s  cyclictest %s\n' "$v_p99" "$c_p99"
printf 'ratio vnetlat/cyclictest p99: %s  (target <= 1.2)\n' "$(ratio "$v_p99" "$c_p99")"
