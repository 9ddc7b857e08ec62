#!/bin/bash
# Benchmark: the cost of recv --trace (the scheduler and interrupt trace, BPF)
# on the veth lab, in one run: ROUNDS pairs of COUNT probes every 1 ms, a
# plain receiver and a traced one interleaved (plain, trace, plain, ...) so
# both see the same machine; the receiver on BENCH_RXCPU, the sender on
# BENCH_CPU. Prints each round's one_way p50/p99, their medians and the
# ratios trace / plain (target <= 1.05).
# Usage: bench/trace_overhead.sh [COUNT] [ROUNDS]    (root; VNETLAT=path/to/vnetlat)
. "$(dirname "$0")/lib.sh"
count=${1:-3000}
rounds=${2:-5}
has_opt recv --trace || { echo "bench: $VNETLAT has no recv --trace" >&2; exit 1; }
bench_lab_up btrace
BENCH_TMP=$(mktemp -d)

# stream KIND OUT: one receiver (KIND trace: with --trace) + sender pair; receiver JSON to OUT.
stream() {
	local extra=()
	[ "$1" = trace ] && extra=(--trace)
	in_b "$VNETLAT" recv --bind 192.0.2.2 --cpu "$BENCH_RXCPU" --json --quiet --worst 1 \
		"${extra[@]}" >"$2" &
	BENCH_PIDS=$!
	wait_udp "$BENCH_LAB-b" 4300
	in_a "$VNETLAT" send 192.0.2.2 --cpu "$BENCH_CPU" --quiet --count "$count" --interval 1ms >/dev/null
	wait $BENCH_PIDS; BENCH_PIDS=
}

ratio3() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.3f' % (a/b) if b else 'n/a')" "$1" "$2"; }
us() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / 1000))" "$1"; }

echo "== $rounds x 2 streams of $count probes every 1 ms, receiver on CPU $BENCH_RXCPU, sender on CPU $BENCH_CPU"
for r in $(seq "$rounds"); do
	for kind in plain trace; do
		f=$BENCH_TMP/$kind.$r.json
		stream "$kind" "$f"
		json "$f" 'd["latency"]["one_way"]["p50_ns"]' >>"$BENCH_TMP/$kind.p50"
		json "$f" 'd["latency"]["one_way"]["p99_ns"]' >>"$BENCH_TMP/$kind.p99"
		extra=
		[ "$kind" = trace ] && extra=$(json "$f" '"; trace dropped %d, overwritten %d" % (d["trace"]["dropped"], d["trace"]["overwritten"])')
		printf '  round %d %-5s received %s lost %s; one_way p50 %s us, p99 %s us%s\n' "$r" "$kind" \
			"$(json "$f" 'd["packets"]["received"]')" "$(json "$f" 'd["packets"]["lost"]')" \
			"$(us "$(tail -1 "$BENCH_TMP/$kind.p50")")" "$(us "$(tail -1 "$BENCH_TMP/$kind.p99")")" "$extra"
	done
done

declare -A m50 m99
for kind in plain trace; do
	m50[$kind]=$(median <"$BENCH_TMP/$kind.p50")
	m99[$kind]=$(median <"$BENCH_TMP/$kind.p99")
	printf '  median %-5s one_way p50 %s us, p99 %s us\n' "$kind" "$(us "${m50[$kind]}")" "$(us "${m99[$kind]}")"
done
echo "== --trace / plain (target <= 1.05)"
printf '  one_way p50 ratio %s, p99 ratio %s\n' "$(ratio3 "${m50[trace]}" "${m50[plain]}")" \
	"$(ratio3 "${m99[trace]}" "${m99[plain]}")"
