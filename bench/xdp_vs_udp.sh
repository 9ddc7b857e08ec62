#!/bin/bash
# Benchmark: AF_XDP probe sockets (--transport xdp, both ends) against UDP
# sockets on the veth lab, in one run. (1) The same 1 ms stream through each:
# one_way p50/p99/max (path is not comparable: AF_XDP has no kernel TX
# stamps) and rx_stack p50 (kernel RX stamp vs XDP-ingress stamp to app).
# (2) The highest probe rate each delivers with zero loss (a ladder of
# intervals, SECS seconds each; the rate received, as the sender skips slots
# it cannot keep). Ratios are AF_XDP / UDP.
# Usage: bench/xdp_vs_udp.sh [COUNT] [SECS]    (root; VNETLAT=path/to/vnetlat)
. "$(dirname "$0")/lib.sh"
count=${1:-3000}
secs=${2:-1}
bench_lab_up bxdp
BENCH_TMP=$(mktemp -d)

# wait_xdp: until the AF_XDP receiver's program is attached in b.
wait_xdp() {
	for _ in $(seq 100); do
		ip -n "$BENCH_LAB-b" link show wire0 | grep -q prog/xdp && return 0
		sleep 0.05
	done
	echo "bench: the AF_XDP receiver did not attach" >&2; return 1
}

# stream KIND OUT SENDARGS...: one receiver + sender pair; receiver JSON to OUT.
stream() {
	local kind=$1 out=$2; shift 2
	local rx=(--bind 192.0.2.2) tx=()
	if [ "$kind" = xdp ]; then
		rx=(--transport xdp --ifname wire0); tx=(--transport xdp --ifname wire0)
	fi
	in_b "$VNETLAT" recv "${rx[@]}" --json --quiet >"$out" &
	BENCH_PIDS=$!
	if [ "$kind" = xdp ]; then wait_xdp; else wait_udp "$BENCH_LAB-b" 4300; fi
	in_a "$VNETLAT" send 192.0.2.2 "${tx[@]}" --quiet "$@" >/dev/null
	wait $BENCH_PIDS; BENCH_PIDS=
}

us() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / 1000))" "$1"; }

echo "== latency: $count probes every 1 ms through each transport"
declare -A p50 p99 mx rx50
for kind in udp xdp; do
	stream "$kind" "$BENCH_TMP/$kind.json" --count "$count" --interval 1ms
	f=$BENCH_TMP/$kind.json
	p50[$kind]=$(json "$f" 'd["latency"]["one_way"]["p50_ns"]')
	p99[$kind]=$(json "$f" 'd["latency"]["one_way"]["p99_ns"]')
	mx[$kind]=$(json "$f" 'd["latency"]["one_way"]["max_ns"]')
	rx50[$kind]=$(json "$f" 'd["latency"]["rx_stack"]["p50_ns"]')
	printf '  %-4s received %s lost %s; one_way p50 %s us, p99 %s us, max %s us; rx_stack p50 %s us; path count %s\n' \
		"$kind" "$(json "$f" 'd["packets"]["received"]')" "$(json "$f" 'd["packets"]["lost"]')" \
		"$(us "${p50[$kind]}")" "$(us "${p99[$kind]}")" "$(us "${mx[$kind]}")" \
		"$(us "${rx50[$kind]}")" "$(json "$f" 'd["latency"]["path"]["count"]')"
done

echo "== highest zero-loss rate (${secs}s per step)"
declare -A best
for kind in udp xdp; do
	best[$kind]=0
	for interval_us in 1000 200 100 50 20 10 5; do
		stream "$kind" "$BENCH_TMP/rate.json" --interval "${interval_us}us" --duration "${secs}s"
		lost=$(json "$BENCH_TMP/rate.json" 'd["packets"]["lost"]')
		rcvd=$(json "$BENCH_TMP/rate.json" 'd["packets"]["received"]')
		pps=$((1000000 / interval_us))
		printf '  %-4s %7d pps: received %s, lost %s\n' "$kind" "$pps" "$rcvd" "$lost"
		[ "$lost" = 0 ] && [ "$rcvd" != 0 ] || break
		# The rate delivered, not the one asked for: a saturated sender skips slots.
		[ $((rcvd / secs)) -gt "${best[$kind]}" ] && best[$kind]=$((rcvd / secs))
	done
done

echo "== AF_XDP / UDP"
printf '  one_way p50 ratio %s, p99 ratio %s, max ratio %s; rx_stack p50 ratio %s\n' \
	"$(ratio "${p50[xdp]}" "${p50[udp]}")" "$(ratio "${p99[xdp]}" "${p99[udp]}")" \
	"$(ratio "${mx[xdp]}" "${mx[udp]}")" "$(ratio "${rx50[xdp]}" "${rx50[udp]}")"
printf '  highest zero-loss rate: AF_XDP %s pps, UDP %s pps, ratio %s\n' \
	"${best[xdp]}" "${best[udp]}" "$(ratio "${best[xdp]}" "${best[udp]}")"
