#!/bin/bash
# A real guest under TCG: image build (cached), boot on a tap in a namespace of our
# own, the control channel (run, exit status, time exchange), ping both ways, clean
# shutdown, and a guest that cannot boot reported with its console tail.
set -euo pipefail
VNL=${1:?usage: guest_boot.sh /path/to/vnetlat}
P=$(( $$ % 100000 )); NAME=g5t$P NS=g5t${P}n TAP=g5t${P}t BADN=g5b$P
HOST_IP=198.51.100.1 GUEST_IP=198.51.100.2
RUN=/run/vnetlat/guest/$NAME BAD=$(mktemp -d /tmp/vnl-g5bad.XXXXXX)
OUT=$(mktemp /tmp/vnl-g5out.XXXXXX) ERR=$(mktemp /tmp/vnl-g5err.XXXXXX)

cleanup() {
	"$VNL" guest stop --name "$NAME" >/dev/null 2>&1 || true
	"$VNL" guest stop --name "$BADN" >/dev/null 2>&1 || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$BAD" "$OUT" "$ERR" "$RUN" "/run/vnetlat/guest/$BADN"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$RUN/console.log" ] && { echo "--- console tail" >&2; tail -20 "$RUN/console.log" >&2; }
	exit 1
}
check() { echo "ok: $*"; }

if [ ! -x "${VNL_GUEST_STATIC:-$(dirname "$VNL")/vnetlat-static}" ]; then
	echo "SKIP: no vnetlat-static next to $VNL (sanitizer builds cannot link statically)"
	exit 77
fi
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"

# 1. image (downloads the kernel the first time, then cached)
"$VNL" guest build >"$OUT" || fail "guest build"
KVER=$(awk '/kernel/ {print $3; exit}' "$OUT" | tr -d '()')
"$VNL" guest build | grep -q "(cached)" || fail "second build did not reuse the cache"
check "image built, second build cached (kernel $KVER)"

# 2. --dry-run prints the exact qemu command line
"$VNL" guest boot --name "$NAME" --accel tcg --tap "$TAP" --dry-run >"$OUT"
grep -q "^qemu-system-x86_64 .*-accel tcg .*-netdev tap,id=net0,ifname=$TAP,script=no,downscript=no,vhost=off .*virtserialport" "$OUT" \
	|| fail "dry-run recipe: $(cat "$OUT")"
check "dry-run prints the qemu command line"

# 3. boot under TCG on a tap in our namespace
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up
"$VNL" guest boot --name "$NAME" --accel tcg --netns "$NS" --tap "$TAP" \
	--ip "$GUEST_IP/24" --gateway "$HOST_IP" --detach --timeout 90s >"$OUT" || fail "boot"
grep -q "accel tcg" "$OUT" || fail "boot line: $(cat "$OUT")"
echo "boot-to-ready: $(sed -n 's/.*ready in \([0-9.]* s\).*/\1/p' "$OUT") (TCG)"
check "guest booted and its agent is ready"

# 4. commands through the agent
[ "$("$VNL" guest exec --name "$NAME" -- uname -r)" = "$KVER" ] || fail "uname -r in the guest"
check "uname -r in the guest: $KVER"
[ "$("$VNL" guest exec --name "$NAME" -- vnetlat --version | head -1)" = "$("$VNL" --version | head -1)" ] \
	|| fail "vnetlat --version in the guest"
check "the guest runs the same vnetlat version"
rc=0
"$VNL" guest exec --name "$NAME" -- sh -c 'echo to-stderr >&2; exit 7' 2>"$ERR" || rc=$?
[ "$rc" = 7 ] && grep -q to-stderr "$ERR" || fail "exit status/stderr of a guest command (rc $rc)"
check "exit status and stderr of a guest command come back"
rc=0
"$VNL" guest exec --name "$NAME" --timeout 300ms -- sleep 5 2>"$ERR" || rc=$?
[ "$rc" = 1 ] && grep -q "did not finish" "$ERR" || fail "timeout of a guest command (rc $rc)"
check "a guest command past its --timeout is killed"

# 5. the network: both directions
ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 "$GUEST_IP" >/dev/null || fail "ping namespace -> guest"
"$VNL" guest exec --name "$NAME" -- ping -c 3 -i 0.2 -W 2 "$HOST_IP" >/dev/null || fail "ping guest -> host"
check "ping namespace -> guest and guest -> host"

# 6. clock exchanges
"$VNL" guest time --name "$NAME" --count 5 >"$OUT" || fail "time exchange"
grep -q "guest clock - host clock: .* ns +- .* ns" "$OUT" || fail "time output: $(cat "$OUT")"
check "time exchange: $(tail -1 "$OUT")"

# 7. shutdown leaves no qemu
"$VNL" guest stop --name "$NAME" | grep -q "stopped" || fail "stop"
for _ in $(seq 50); do pgrep -f "$RUN" >/dev/null || break; sleep 0.1; done
! pgrep -f "$RUN" >/dev/null || fail "qemu still running after stop"
check "guest stopped, no qemu left"

# 8. a guest that cannot boot: the error shows its console tail
cp "$(dirname "$(sed -n 's/^  kernel  \([^ ]*\) .*/\1/p' <("$VNL" guest build))")/vmlinuz" "$BAD/"
head -c 65536 /dev/urandom >"$BAD/initrd.gz"
rc=0
"$VNL" guest boot --name "$BADN" --accel tcg --image "$BAD" --timeout 60s 2>"$ERR" >/dev/null || rc=$?
[ "$rc" = 1 ] || fail "a corrupted initrd should fail with 1, got $rc"
grep -q "Kernel panic" "$ERR" || fail "no console tail in the error: $(cat "$ERR")"
! pgrep -f "/run/vnetlat/guest/$BADN" >/dev/null || fail "qemu of the failed guest left running"
check "corrupted initrd: exit 1 with the console tail ($(grep -m1 -o 'Kernel panic.*' "$ERR"))"
echo "PASS"
