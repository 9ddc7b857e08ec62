# Shared by the bench/ scripts: a throwaway veth lab and JSON field reading.
set -euo pipefail
VNL_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VNETLAT=${VNETLAT:-$VNL_SRC/build/src/vnetlat}
. "$VNL_SRC/scripts/deps.sh"

# bench_lab_up NAME: BENCH_LAB_NAME, when set, overrides NAME (parallel users).
bench_lab_up() {
	BENCH_LAB=${BENCH_LAB_NAME:-$1}
	"$VNETLAT" lab down --name "$BENCH_LAB" >/dev/null 2>&1 || true
	"$VNETLAT" lab up veth --name "$BENCH_LAB" >/dev/null
	trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
	[ -n "${BENCH_PIDS:-}" ] && kill $BENCH_PIDS 2>/dev/null; wait 2>/dev/null || true
	"$VNETLAT" lab down --name "$BENCH_LAB" >/dev/null 2>&1 || true
	[ -n "${BENCH_TMP:-}" ] && rm -rf "$BENCH_TMP"
}

in_a() { ip netns exec "$BENCH_LAB-a" "$@"; }
in_b() { ip netns exec "$BENCH_LAB-b" "$@"; }

# json FILE EXPR: print a field of a JSON document (python expression on d).
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b) if b else 'n/a')" "$1" "$2"; }

# Wait until a UDP port is bound in namespace $1.
wait_udp() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	echo "bench: nothing listening on UDP port $2 in $1" >&2; return 1
}

# The CPUs the measured tools are pinned to: the probe sender (and its peer
# tool) on BENCH_CPU, the receivers on BENCH_RXCPU; the last and the first
# CPU by default, one CPU for both on a single-CPU machine.
BENCH_CPU=${BENCH_CPU:-$(($(nproc) - 1))}
BENCH_RXCPU=${BENCH_RXCPU:-0}

# median: of the numbers on stdin, one a line.
median() { sort -g | awk '{v[NR]=$1} END {if (!NR) print "n/a"; else print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# has_opt SUBCOMMAND OPTION: the vnetlat under test knows OPTION (so a bench
# can compare a build from before the option with one after it).
has_opt() { "$VNETLAT" "$1" --help 2>/dev/null | grep -q -- "$2"; }
