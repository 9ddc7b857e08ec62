#!/bin/bash
# Benchmark 3: the highest probe rate with every stamp kept and zero loss on
# the veth lab, beside the highest zero-loss rate of sockperf's throughput
# mode (no stamps) measured in the same run. At each rising rate the tools
# alternate (vnetlat, sockperf), senders pinned to BENCH_CPU, receivers to
# BENCH_RXCPU; a tool stops climbing after its first rate where TRIES (2)
# attempts all lost something.
#
# vnetlat passes a rate when the receiver lost nothing, every probe came with
# its follow-up, and every received probe has all its software stamps
# (tx_sched, tx_sw, rx_sw, app_rx). The sender skips slots it cannot keep, so
# what counts is the rate that arrived (received / seconds). sockperf's loss
# is its client's UDP datagrams out (namespace a) minus the server's in
# (namespace b), from the namespaces' own /proc/net/snmp. A last sockperf
# round unpaced (--mps=max) counts as sockperf's best when it loses nothing,
# and is printed for reference in any case.
#
# Usage: max_rate.sh [SECONDS_PER_ROUND (3)]
# Environment: RATES (pps list), TRIES, PRIO, BENCH_CPU, BENCH_RXCPU, BENCH_LAB_NAME.
. "$(dirname "$0")/lib.sh"
vnl_install sockperf
secs=${1:-3}
rates=${RATES:-"10000 20000 40000 60000 80000 100000 120000 150000 200000"}
# Both tools' senders and receivers run SCHED_FIFO PRIO (0: not at all), so
# the other tasks of a shared machine disturb them alike and less.
prio=${PRIO:-50}
v_rt=() s_rt=()
if [ "$prio" != 0 ]; then v_rt=(--sched-fifo "$prio"); s_rt=(chrt -f "$prio"); fi
bench_lab_up brate
BENCH_TMP=$(mktemp -d)

# vnetlat_round PPS: prints "achieved lost missing_stamps ok".
vnetlat_round() {
	in_b "$VNETLAT" recv --bind 192.0.2.2 --cpu "$BENCH_RXCPU" "${v_rt[@]}" --json --quiet \
		>"$BENCH_TMP/rx.json" &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 4300
	in_a "$VNETLAT" send 192.0.2.2 --interval "$((1000000000 / $1))ns" --duration "${secs}s" \
		--cpu "$BENCH_CPU" "${v_rt[@]}" --quiet >/dev/null
	wait $BENCH_PIDS; BENCH_PIDS=
	json "$BENCH_TMP/rx.json" '"%d %d %d" % (d["packets"]["received"] / '"$secs"', d["packets"]["lost"],
		d["packets"]["no_tx_stamps"] + sum(d["packets"]["received"] - d["stamps"][k]["count"]
						   for k in ("tx_sched", "tx_sw", "rx_sw", "app_rx")))' |
		awk '{ print $1, $2, $3, ($1 > 0 && $2 == 0 && $3 == 0) }'
}

# udp_counter NS FIELD: a Udp counter of /proc/net/snmp in namespace NS.
udp_counter() {
	ip netns exec "$1" awk -v f="$2" '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 }
		else print $col[f] }' /proc/net/snmp
}

# sockperf_round PPS: prints "achieved lost ok".
sockperf_round() {
	in_b "${s_rt[@]}" taskset -c "$BENCH_RXCPU" sockperf server -i 192.0.2.2 -p 11111 >/dev/null 2>&1 &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 11111
	local out0 in0 err0
	out0=$(udp_counter "$BENCH_LAB-a" OutDatagrams); in0=$(udp_counter "$BENCH_LAB-b" InDatagrams)
	err0=$(udp_counter "$BENCH_LAB-b" RcvbufErrors)
	in_a "${s_rt[@]}" taskset -c "$BENCH_CPU" sockperf throughput -i 192.0.2.2 -p 11111 -m 128 -t "$secs" \
		--mps="$1" >"$BENCH_TMP/tp.txt" 2>&1
	sleep 0.2 # the last datagrams reach the server
	local out in err
	out=$(($(udp_counter "$BENCH_LAB-a" OutDatagrams) - out0))
	in=$(($(udp_counter "$BENCH_LAB-b" InDatagrams) - in0))
	err=$(($(udp_counter "$BENCH_LAB-b" RcvbufErrors) - err0))
	kill $BENCH_PIDS 2>/dev/null || true; wait 2>/dev/null || true; BENCH_PIDS=
	local rate lost
	rate=$(grep -o 'Message Rate is [0-9]*' "$BENCH_TMP/tp.txt" | awk '{print $NF}')
	lost=$((out - in > err ? out - in : err))
	echo "${rate:-0} $lost $(( ${rate:-0} > 0 && lost == 0 ))"
}

printf 'highest zero-loss rate, veth lab, 128 B, %s s per round, sender CPU %s, receiver CPU %s, SCHED_FIFO %s\n' \
	"$secs" "$BENCH_CPU" "$BENCH_RXCPU" "$prio"
best_v=0 best_s=0 v_on=1 s_on=1 tries=${TRIES:-2}
for pps in $rates; do
	[ $v_on = 1 ] || [ $s_on = 1 ] || break
	v_ok=0 s_ok=0
	# A rate fails a tool only after TRIES interleaved attempts all lost
	# something: one noisy second of the machine must not end the climb.
	for try in $(seq "$tries"); do
		line=$(printf '  %7d pps (try %s):' "$pps" "$try")
		if [ $v_on = 1 ] && [ "$v_ok" = 0 ]; then
			read -r va vl vm v_ok < <(vnetlat_round "$pps")
			line+=$(printf '  vnetlat %7d pps lost %s missing stamps %s' "$va" "$vl" "$vm")
			[ "$v_ok" = 1 ] && [ "$va" -gt "$best_v" ] && best_v=$va
		fi
		if [ $s_on = 1 ] && [ "$s_ok" = 0 ]; then
			read -r sa sl s_ok < <(sockperf_round "$pps")
			line+=$(printf '  sockperf %7d msg/s lost %s' "$sa" "$sl")
			[ "$s_ok" = 1 ] && [ "$sa" -gt "$best_s" ] && best_s=$sa
		fi
		echo "$line"
		{ [ $v_on = 0 ] || [ "$v_ok" = 1 ]; } && { [ $s_on = 0 ] || [ "$s_ok" = 1 ]; } && break
	done
	[ "$v_ok" = 1 ] || v_on=0
	[ "$s_ok" = 1 ] || s_on=0
done
# sockperf unpaced (--mps=max): its highest rate when it loses nothing so
# (its pacing sends bursts, which a receiver may drop where an even rate
# passes); for reference in any case.
read -r ma ml m_ok < <(sockperf_round max)
printf '  sockperf unpaced: %s msg/s sent, lost %s\n' "$ma" "$ml"
[ "$m_ok" = 1 ] && [ "$ma" -gt "$best_s" ] && best_s=$ma
printf 'highest zero-loss rate: vnetlat (every stamp kept) %s pps; sockperf throughput (no stamps) %s msg/s\n' \
	"$best_v" "$best_s"
printf 'ratio vnetlat/sockperf: %s  (target >= 0.5); against sockperf unpaced: %s\n' \
	"$(ratio "$best_v" "$best_s")" "$(ratio "$best_v" "$ma")"
