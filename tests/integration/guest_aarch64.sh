#!/bin/bash
# The aarch64 guest (issue 3) on this x86_64 host, under TCG: `guest build --arch aarch64`
# (Debian's arm64 kernel, modules, busybox, iperf3 and the cross-built static vnetlat;
# the second build is a cache hit), the `lab up bridge --guest-arch aarch64 --dry-run`
# recipe (qemu-system-aarch64, virt, ttyAMA0), then a real bridge lab with the aarch64
# guest: DHCP lease, the architecture in lab info, `lab show` (text, JSON) and from the
# guest itself, `run --direction both --count 200`, every probe accounted for, every stage and the
# architecture in the JSON, and `lab down` leaves nothing (no qemu-system-aarch64).
# Usage: bash guest_aarch64.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: guest_aarch64.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
STATE_DIR=$VNL_STATE_DIR GUEST_DIR=$VNL_GUEST_DIR TMP=$VNL_TMP
LAB=ar$$ N=200
LAB=${LAB:0:10}
VNL_GUEST_LABS=("$LAB")

die() {
	echo "FAIL: $*"
	[ -f "$GUEST_DIR/$LAB/console.log" ] && tail -20 "$GUEST_DIR/$LAB/console.log"
	exit 1
}

vnl_skip_unless_root
for prog in qemu-system-aarch64 aarch64-linux-gnu-gcc dnsmasq python3; do
	command -v "$prog" >/dev/null || die "$prog is not installed (scripts/deps.sh: VNL_RUN_PKGS, VNL_CROSS_PKGS)"
done
# The cross-built static vnetlat (scripts/build-guest-static); built here when missing,
# so the test never runs without it. Sanitizer builds borrow it like the x86_64 one.
: "${VNL_GUEST_STATIC_AARCH64:=$SRC/build-aarch64/src/vnetlat-static-aarch64}"
export VNL_GUEST_STATIC_AARCH64
if [ ! -x "$VNL_GUEST_STATIC_AARCH64" ]; then
	"$SRC/scripts/build-guest-static" aarch64 >"$TMP/cross" 2>&1 || { cat "$TMP/cross"; die "cross build"; }
	VNL_GUEST_STATIC_AARCH64=$SRC/build-aarch64/src/vnetlat-static-aarch64
fi
file_machine() { python3 -c 'import struct,sys; print(struct.unpack_from("<H", open(sys.argv[1],"rb").read(20), 18)[0])' "$1"; }
[ "$(file_machine "$VNL_GUEST_STATIC_AARCH64")" = 183 ] || die "$VNL_GUEST_STATIC_AARCH64 is not an aarch64 ELF file"
ok "static vnetlat for aarch64: $VNL_GUEST_STATIC_AARCH64"

# ---- the image: built (or found), then a cache hit -------------------------------------
start=$(date +%s%N)
"$VNL" guest build --arch aarch64 >"$TMP/build1" 2>&1 || { cat "$TMP/build1"; die "guest build --arch aarch64"; }
echo "time: guest build --arch aarch64: $(( ($(date +%s%N) - start) / 1000000 )) ms$(grep -q '(cached)' "$TMP/build1" && echo ' (cached)')"
"$VNL" guest build --arch aarch64 >"$TMP/build2" 2>&1 || { cat "$TMP/build2"; die "second guest build"; }
IMG=$(sed -n 's/^guest image: \([^ ]*\).*/\1/p' "$TMP/build2")
if grep -q "^guest image: $IMG (cached)" "$TMP/build2" && grep -q "^guest image: $IMG" "$TMP/build1"; then
	ok "second build is a cache hit ($IMG)"
else
	fail "second build is not the cached image"; cat "$TMP/build1" "$TMP/build2"
fi
grep -q "^  arch    aarch64" "$TMP/build2" && grep -q "^arch aarch64$" "$IMG/manifest" &&
	grep -q "^kernel linux-image-[^ ]*-arm64 " "$IMG/manifest" && grep -q "^module virtio_net$" "$IMG/manifest" \
	&& ok "manifest: arm64 kernel package, virtio_net module" || { fail "image manifest"; cat "$IMG/manifest"; }
# arm64 Image header: "ARM\x64" at offset 56
[ "$(dd if="$IMG/vmlinuz" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' ')" = 41524d64 ] \
	&& ok "vmlinuz is an arm64 Image" || fail "vmlinuz is not an arm64 Image"
# ...and an x86_64 static vnetlat is refused for it
if "$VNL" guest build --arch aarch64 --vnetlat "$VNL" --out "$TMP/wrong" >"$TMP/wrong.log" 2>&1; then
	fail "an x86_64 vnetlat was accepted for the aarch64 guest"
else
	grep -q "not an aarch64 program" "$TMP/wrong.log" && ok "an x86_64 vnetlat is refused for it" ||
		{ fail "wrong-architecture message"; cat "$TMP/wrong.log"; }
fi

# ---- the recipe -------------------------------------------------------------------------
"$VNL" lab up bridge --name "$LAB" --guest-arch aarch64 --dry-run >"$TMP/recipe" 2>&1 || { cat "$TMP/recipe"; die "dry-run"; }
grep -q "^ip netns exec $LAB-h qemu-system-aarch64 .*-machine virt -accel tcg -cpu max[, ].*console=ttyAMA0 .*-device virtio-net-pci,.*virtserialport" "$TMP/recipe" \
	&& ok "dry-run prints the aarch64 qemu line" || { fail "dry-run qemu line"; grep qemu "$TMP/recipe"; }
"$VNL" lab up bridge --name "$LAB" --guest-arch sparc --dry-run >"$TMP/bad" 2>&1
[ $? = 2 ] && grep -q "expected x86_64 or aarch64" "$TMP/bad" && ok "--guest-arch sparc: usage error" ||
	{ fail "--guest-arch sparc"; cat "$TMP/bad"; }

# ---- the lab ----------------------------------------------------------------------------
start=$(date +%s%N)
"$VNL" lab up bridge --name "$LAB" --guest-arch aarch64 >"$TMP/up" 2>&1 || { cat "$TMP/up"; die "lab up bridge --guest-arch aarch64"; }
ok "lab up in $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "time: $(grep -o 'ready [0-9.]* s after qemu started.*lease [0-9.]* at [0-9.]* s' "$TMP/up")"
grep -q "ready .* (aarch64, tcg," "$TMP/up" && ok "lab up says aarch64 under tcg" || { fail "lab up line"; cat "$TMP/up"; }
python3 - "$STATE_DIR/$LAB.info" <<'EOF' && ok "lab info: lease 192.0.2.2, guest_arch aarch64, accel tcg" || fail "lab info"
import json, sys
i = json.load(open(sys.argv[1]))
assert i["local"]["addr4"] == "192.0.2.2" and i["guest_arch"] == "aarch64" and i["accel"] == "tcg", i
EOF
"$VNL" lab show --name "$LAB" >"$TMP/show" 2>&1
grep -q "node guest (local): qemu pid [0-9]*, aarch64, accel tcg" "$TMP/show" && grep -q "192.0.2.2 (DHCP lease)" "$TMP/show" \
	&& ok "lab show: aarch64 guest with its lease" || { fail "lab show"; cat "$TMP/show"; }
"$VNL" lab show --name "$LAB" --json | python3 -c '
import json, sys
g = [n for n in json.load(sys.stdin)["labs"][0]["nodes"] if n["node"] == "guest"][0]
assert g["arch"] == "aarch64" and g["present"] and g["lease"] == "192.0.2.2", g' \
	&& ok "lab show --json: guest arch aarch64" || fail "lab show --json"
[ "$("$VNL" lab exec guest --name "$LAB" -- uname -m 2>&1)" = aarch64 ] && ok "the guest's kernel says aarch64" ||
	fail "uname -m in the guest"
pgrep -f "^qemu-system-aarch64 .*$GUEST_DIR/$LAB/" >/dev/null && ok "qemu-system-aarch64 runs" || fail "no qemu-system-aarch64"

# ---- measuring through it ---------------------------------------------------------------
"$VNL" run "$LAB" --direction both --count $N --json >"$TMP/run.json" 2>"$TMP/run.err" || { cat "$TMP/run.err"; fail "run exited"; }
python3 - "$TMP/run.json" $N <<'PY' || fail "run JSON"
import json, sys
doc = json.load(open(sys.argv[1])); n = int(sys.argv[2])
lab = doc["lab"]
assert lab["guest_arch"] == "aarch64" and lab["accel"] == "tcg" and lab["has_guest"], lab
for d in ("in", "out"):
    r = doc["directions"][d]
    p = r["packets"]
    # --count's n, all accounted for (an emulated aarch64 guest's drops are the machine's)
    assert p["sent"] == n and p["received"] > 0 and p["received"] + p["lost"] == n, (d, p)
    m = p["received"]
    for st in ("wakeup", "tx_stack", "path", "rx_stack", "one_way"):
        want = m - p["no_tx_stamps"] if st in ("tx_stack", "path") else m
        assert r["latency"][st]["count"] == want, (d, st, r["latency"][st]["count"], want)
    assert r["clock"]["uncertainty_ns"] > 0, r["clock"]
    us = lambda v: f"{v/1000:.1f}us"
    l = r["latency"]
    print(f"ok: {d}: {m}/{n} (lost {p['lost']}), every stage x {m}; path p50 {us(l['path']['p50_ns'])} p99 "
          f"{us(l['path']['p99_ns'])}, one_way p50 {us(l['one_way']['p50_ns'])} "
          f"± {us(r['clock']['uncertainty_ns'])}")
print("ok: run JSON: lab.guest_arch aarch64, accel tcg")
PY

# ---- down ---------------------------------------------------------------------------------
"$VNL" lab down --name "$LAB" >"$TMP/down" 2>&1 || { fail "lab down"; cat "$TMP/down"; }
sleep 0.5
down_clean() {
	vnl_guest_lab_gone "$LAB" || return 1
	! pgrep -f "^qemu-system-aarch64 .*$GUEST_DIR/$LAB/" >/dev/null || { echo "qemu-system-aarch64 left"; return 1; }
}
check "lab down leaves nothing (no namespace, run directory, state, qemu-system-aarch64)" down_clean

vnl_finish
