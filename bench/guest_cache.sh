#!/bin/bash
# Benchmark: the guest image cache (issue 9 item 16). A cache hit with apt's
# answers remembered against a cache hit that asks apt again (what every build
# paid before the answers were kept: its apt-cache and dpkg runs), interleaved
# for ROUNDS rounds in this run; prints each round's wall time and helper
# programs, and the ratio of the medians (target: the hit <= 1 s, apt asked at
# most once when it must be).
# Usage: bench/guest_cache.sh [ROUNDS]
. "$(dirname "$0")/lib.sh"
vnl_install strace
rounds=${1:-3}
arch=$(uname -m)
inputs=/var/cache/vnetlat/guest/inputs-$arch
static=${VNETLAT_STATIC:-$(dirname "$VNETLAT")/vnetlat-static}
BENCH_TMP=$(mktemp -d)
trap 'rm -rf "$BENCH_TMP"' EXIT

# one NAME: a guest build under strace; prints "SECONDS HELPERS"
one() {
	local t0 t1
	t0=$(date +%s%N)
	strace -f -qq -e trace=execve -o "$BENCH_TMP/$1.trace" "$VNETLAT" guest build --vnetlat "$static" \
		>"$BENCH_TMP/$1.out" 2>&1 || { cat "$BENCH_TMP/$1.out" >&2; exit 1; }
	t1=$(date +%s%N)
	printf '%s %s\n' "$(python3 -c "print('%.3f' % (($t1 - $t0) / 1e9))")" \
		"$(grep -cE 'execve\("[^"]*/(apt-cache|apt-get|dpkg|dpkg-deb|dpkg-query)".* = 0$' "$BENCH_TMP/$1.trace")"
}

one warm >/dev/null # the image itself in the cache, whatever it took
printf '%-6s %-28s %-28s\n' round "hit, answers kept (s, apt+dpkg)" "hit, apt asked (s, apt+dpkg)"
kept=() asked=()
for r in $(seq "$rounds"); do
	read -r tk nk < <(one "kept$r")
	cp "$inputs" "$BENCH_TMP/inputs"
	rm -f "$inputs" # forgotten: this build asks apt as every build did before
	read -r ta na < <(one "asked$r")
	printf '%-6s %-28s %-28s\n' "$r" "$tk ($nk)" "$ta ($na)"
	kept+=("$tk") asked+=("$ta")
done
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mk=$(med "${kept[@]}") ma=$(med "${asked[@]}")
printf 'median: answers kept %s s, apt asked %s s; asked/kept %s x (target: kept <= 1 s)\n' \
	"$mk" "$ma" "$(ratio "$ma" "$mk")"
echo "(programs: apt-cache and the dpkg runs apt-cache makes itself, counted from execve)"
