#!/bin/bash
# Benchmark: the time from `vnetlat run` to its first probe (the receiver's
# kernel RX stamp of probe 0) with the remote end over ssh (run --remote
# ssh://, a real sshd in the veth lab's other namespace: connect, version
# check, copy of the static vnetlat, clock answerer, exchanges) against the
# remote end as a namespace of this machine (run LAB --remote-netns), in one
# run: ROUNDS pairs interleaved (netns, ssh, netns, ...) so both see the same
# machine. Prints each round, the medians and the ratio ssh / netns.
# Usage: bench/remote_startup.sh [ROUNDS]    (root; VNETLAT=path/to/vnetlat)
. "$(dirname "$0")/lib.sh"
rounds=${1:-5}
has_opt run --remote || { echo "bench: $VNETLAT has no run --remote" >&2; exit 1; }
bench_lab_up bssh
BENCH_TMP=$(mktemp -d)
trap '"$VNL_SRC/scripts/ns-sshd" stop "$BENCH_TMP"; bench_cleanup' EXIT INT TERM
# the remote end is node a (192.0.2.1) both ways; the local end node b
mapfile -t ssh_opts < <("$VNL_SRC/scripts/ns-sshd" start "$BENCH_LAB-a" 192.0.2.1 "$BENCH_TMP")

# first KIND ROUND: run one 20-probe direction "in"; print ms from the start to probe 0's RX.
first() {
	local rec=$BENCH_TMP/$1.$2 t0 rx
	rm -rf "$rec"
	t0=$(date +%s%N)
	if [ "$1" = ssh ]; then
		in_b "$VNETLAT" run --remote ssh://root@192.0.2.1 "${ssh_opts[@]}" --direction in \
			--count 20 --quiet --record "$rec" >/dev/null
	else
		"$VNETLAT" run "$BENCH_LAB" --remote-netns "$BENCH_LAB-a" --remote-addr 192.0.2.1 \
			--direction in --count 20 --quiet --record "$rec" >/dev/null
	fi
	rx=$("$VNETLAT" report "$rec/in.rec" --csv | awk -F, 'NR == 2 { print $10 }')
	python3 -c "import sys; print('%.1f' % ((int(sys.argv[2]) - int(sys.argv[1])) / 1e6))" "$t0" "$rx"
}

echo "== $rounds x 2 runs (20 probes, direction in): run start -> probe 0 received"
for r in $(seq "$rounds"); do
	for kind in netns ssh; do
		ms=$(first "$kind" "$r")
		echo "$ms" >>"$BENCH_TMP/$kind.ms"
		printf '  round %d %-5s %s ms\n' "$r" "$kind" "$ms"
	done
done
n=$(median <"$BENCH_TMP/netns.ms")
s=$(median <"$BENCH_TMP/ssh.ms")
printf '  median netns %s ms, ssh %s ms\n' "$n" "$s"
echo "ratio ssh / netns (time to the first probe): $(ratio "$s" "$n")"
