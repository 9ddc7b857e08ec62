#!/bin/bash
# Benchmark 3: the highest probe rate with full stamps and zero receiver loss
# on the veth lab, beside sockperf's throughput-mode message rate measured in
# the same run.
. "$(dirname "$0")/lib.sh"
vnl_install sockperf
secs=${1:-3}
bench_lab_up brate
BENCH_TMP=$(mktemp -d)

best=0
for interval_us in 1000 200 100 50 20 10 5 2; do
	in_b "$VNETLAT" recv --bind 192.0.2.2 --json --quiet >"$BENCH_TMP/rx.json" &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 4300
	in_a "$VNETLAT" send 192.0.2.2 --interval "${interval_us}us" --duration "${secs}s" --quiet >/dev/null
	wait $BENCH_PIDS; BENCH_PIDS=
	lost=$(json "$BENCH_TMP/rx.json" 'd["packets"]["lost"]')
	nots=$(json "$BENCH_TMP/rx.json" 'd["packets"]["no_tx_stamps"]')
	rcvd=$(json "$BENCH_TMP/rx.json" 'd["packets"]["received"]')
	# the sender skips slots it cannot keep: what counts is the rate achieved
	pps=$(json "$BENCH_TMP/rx.json" 'int(d["packets"]["received"] / (d["run"]["duration_ns"] / 1e9))')
	printf '  schedule %6d pps: achieved %7d pps, received %s, lost %s, missing TX stamps %s\n' \
		"$((1000000 / interval_us))" "$pps" "$rcvd" "$lost" "$nots"
	[ "$lost" = 0 ] && [ "$nots" = 0 ] || break
	[ "$pps" -gt "$best" ] && best=$pps
done

in_b sockperf server -i 192.0.2.2 -p 11111 >/dev/null 2>&1 &
BENCH_PIDS=$!
wait_udp "$BENCH_LAB-b" 11111
in_a sockperf throughput -i 192.0.2.2 -p 11111 -m 128 -t "$secs" >"$BENCH_TMP/tp.txt" 2>&1
kill $BENCH_PIDS; wait 2>/dev/null || true; BENCH_PIDS=
sp=$(grep -o 'Message Rate is [0-9]*' "$BENCH_TMP/tp.txt" | awk '{print $NF}')
printf 'highest zero-loss full-stamp rate: vnetlat %s pps; sockperf throughput (no stamps, no schedule) %s msg/s\n' "$best" "$sp"
printf 'ratio vnetlat/sockperf: %s\n' "$(ratio "$best" "$sp")"
