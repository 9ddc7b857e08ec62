#!/bin/bash
# The guest image cache (issue 9 item 16): a cache hit asks apt nothing and
# runs no dpkg (apt's answers are remembered in CACHE/guest/inputs-ARCH under a
# fingerprint of apt's lists, configuration and dpkg status); a damaged answers
# file is not trusted: apt is asked again and the same image is found.
# Usage: bash guest_cache.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: guest_cache.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
TMP=$VNL_TMP
vnl_skip_unless_guest_lab
vnl_need strace
static=${VNL_GUEST_STATIC:-$(dirname "$VNL")/vnetlat-static}
inputs=/var/cache/vnetlat/guest/inputs-$(uname -m)

build() { # build NAME: guest build under strace; its image directory in $TMP/NAME.dir
	# LeakSanitizer cannot run under ptrace: a sanitizer build is traced without it.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=execve -o "$TMP/$1.trace" "$VNL" guest build --vnetlat "$static" \
		>"$TMP/$1.out" 2>&1 || { cat "$TMP/$1.out"; return 1; }
	sed -n 's/^guest image: \([^ ]*\).*/\1/p' "$TMP/$1.out" >"$TMP/$1.dir"
	[ -s "$TMP/$1.dir" ] || { echo "no 'guest image:' line"; cat "$TMP/$1.out"; return 1; }
}
helpers() { # helpers NAME: how many apt-cache, apt-get and dpkg programs the build ran
	grep -cE 'execve\("[^"]*/(apt-cache|apt-get|dpkg|dpkg-deb|dpkg-query)"' "$TMP/$1.trace"
}

check "a first build (a hit or a miss) succeeds" build warm
check "a cache hit succeeds" build hit
n=$(helpers hit)
[ "$n" = 0 ] && ok "the cache hit ran no apt or dpkg program" ||
	{ fail "the cache hit ran $n apt/dpkg programs (expected 0):"; grep -E 'apt|dpkg' "$TMP/hit.trace" | head -5; }
cmp -s "$TMP/warm.dir" "$TMP/hit.dir" && ok "the hit is the same image ($(cat "$TMP/hit.dir"))" ||
	fail "the hit found another image: $(cat "$TMP/warm.dir") then $(cat "$TMP/hit.dir")"

# Damaged answers: not trusted, apt asked again, the same image, the answers written anew.
printf 'vnetlat-guest-inputs 1\ngarbage\n' >"$inputs"
check "a build with a damaged answers file succeeds" build damaged
n=$(helpers damaged)
[ "$n" -gt 0 ] && ok "a damaged answers file makes the build ask apt again ($n programs)" ||
	fail "a damaged answers file was trusted (no apt program ran)"
cmp -s "$TMP/warm.dir" "$TMP/damaged.dir" && ok "and finds the same image" ||
	fail "another image after the damaged answers: $(cat "$TMP/damaged.dir")"
grep -q '^kernel linux-image-' "$inputs" && ok "the answers file was written anew" ||
	fail "the answers file was not rewritten: $(head -3 "$inputs")"
vnl_finish
