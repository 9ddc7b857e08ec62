#!/bin/bash
# Benchmark 1: one-way latency on the veth lab, vnetlat vs sockperf ping-pong
# half-RTT, measured in the same run. Prints vnetlat one_way p50/p99 over
# sockperf's (target <= 1.0 for both: vnetlat's probe path adds nothing).
. "$(dirname "$0")/lib.sh"
vnl_install sockperf
secs=${1:-10}
bench_lab_up bsock
BENCH_TMP=$(mktemp -d)

in_b "$VNETLAT" recv --bind 192.0.2.2 --port 4300 --json --quiet >"$BENCH_TMP/rx.json" &
BENCH_PIDS=$!
wait_udp "$BENCH_LAB-b" 4300
in_a "$VNETLAT" send 192.0.2.2 --port 4300 --interval 1ms --duration "${secs}s" --quiet >/dev/null
wait $BENCH_PIDS; BENCH_PIDS=

in_b sockperf server -i 192.0.2.2 -p 11111 >/dev/null 2>&1 &
BENCH_PIDS=$!
wait_udp "$BENCH_LAB-b" 11111
in_a sockperf ping-pong -i 192.0.2.2 -p 11111 -m 128 --mps=1000 -t "$secs" >"$BENCH_TMP/sp.txt" 2>&1
kill $BENCH_PIDS; wait 2>/dev/null || true; BENCH_PIDS=

sp_p50=$(awk '/percentile 50.000/ {print $NF}' "$BENCH_TMP/sp.txt")
sp_p99=$(awk '/percentile 99.000/ {print $NF}' "$BENCH_TMP/sp.txt")
v_p50=$(json "$BENCH_TMP/rx.json" 'd["latency"]["one_way"]["p50_ns"]/1000')
v_p99=$(json "$BENCH_TMP/rx.json" 'd["latency"]["one_way"]["p99_ns"]/1000')
printf 'one-way latency, veth lab, 1 kHz, 128 B, %ss each (us)\n' "$secs"
printf '  %-28s p50 %8.2f  p99 %8.2f\n' "vnetlat one_way" "$v_p50" "$v_p99"
printf '  %-28s p50 %8.2f  p99 %8.2f\n' "sockperf ping-pong RTT/2" "$sp_p50" "$sp_p99"
printf 'ratio vnetlat/sockperf: p50 %s  p99 %s  (target <= 1.0)\n' \
	"$(ratio "$v_p50" "$sp_p50")" "$(ratio "$v_p99" "$sp_p99")"
