#!/bin/bash
# Benchmark 1: one-way latency on the veth lab, vnetlat vs sockperf ping-pong
# half-RTT, measured in the same run. The two tools alternate for ROUNDS
# rounds (the machines are noisy: a slow minute must not land on one tool
# only) and the medians of their per-round p50/p99 are compared.
# Prints vnetlat one_way p50/p99 over sockperf's (target <= 1.0 for both).
. "$(dirname "$0")/lib.sh"
vnl_install sockperf
secs=${1:-5} rounds=${ROUNDS:-3}
bench_lab_up bsock
BENCH_TMP=$(mktemp -d)

vnetlat_round() {
	in_b "$VNETLAT" recv --bind 192.0.2.2 --port 4300 --json --quiet >"$BENCH_TMP/rx.json" &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 4300
	in_a "$VNETLAT" send 192.0.2.2 --port 4300 --interval 1ms --duration "${secs}s" --quiet >/dev/null
	wait $BENCH_PIDS; BENCH_PIDS=
	json "$BENCH_TMP/rx.json" '"%.2f %.2f" % (d["latency"]["one_way"]["p50_ns"]/1e3, d["latency"]["one_way"]["p99_ns"]/1e3)'
}

sockperf_round() {
	in_b sockperf server -i 192.0.2.2 -p 11111 >/dev/null 2>&1 &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 11111
	in_a sockperf ping-pong -i 192.0.2.2 -p 11111 -m 128 --mps=1000 -t "$secs" >"$BENCH_TMP/sp.txt" 2>&1
	kill $BENCH_PIDS 2>/dev/null; wait 2>/dev/null || true; BENCH_PIDS=
	echo "$(awk '/percentile 50.000/ {print $NF}' "$BENCH_TMP/sp.txt") $(awk '/percentile 99.000/ {print $NF}' "$BENCH_TMP/sp.txt")"
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

printf 'one-way latency, veth lab, 1 kHz, 128 B, %s rounds of %ss per tool (us)\n' "$rounds" "$secs"
: >"$BENCH_TMP/v" ; : >"$BENCH_TMP/s"
for r in $(seq "$rounds"); do
	v=$(vnetlat_round); s=$(sockperf_round)
	echo "$v" >>"$BENCH_TMP/v"; echo "$s" >>"$BENCH_TMP/s"
	printf '  round %s: vnetlat one_way p50/p99 %s   sockperf RTT/2 p50/p99 %s\n' "$r" "${v/ //}" "${s/ //}"
done
v_p50=$(cut -d' ' -f1 "$BENCH_TMP/v" | median); v_p99=$(cut -d' ' -f2 "$BENCH_TMP/v" | median)
sp_p50=$(cut -d' ' -f1 "$BENCH_TMP/s" | median); sp_p99=$(cut -d' ' -f2 "$BENCH_TMP/s" | median)
printf '  %-28s p50 %8.2f  p99 %8.2f  (median of rounds)\n' "vnetlat one_way" "$v_p50" "$v_p99"
printf '  %-28s p50 %8.2f  p99 %8.2f  (median of rounds)\n' "sockperf ping-pong RTT/2" "$sp_p50" "$sp_p99"
printf 'ratio vnetlat/sockperf: p50 %s  p99 %s  (target <= 1.0)\n' \
	"$(ratio "$v_p50" "$sp_p50")" "$(ratio "$v_p99" "$sp_p99")"
