#!/bin/bash
# The xdp lab (issue 4), root, guest under TCG: `lab up xdp` attaches
# xdp_uplink and xdp_guest (mode reported), the guest gets its DHCP lease
# through the slow path (slow counters > 0), `vnetlat run` in both
# directions through the fast path with zero loss and no UDP checksum
# errors, the fast-path counters grown by at least the probes received
# (uplink program for "in", guest program for "out"); `lab down` leaves no
# XDP attached, no pins, no namespace or qemu; the same after kill -9 of the
# managing `lab up`; --dry-run names the programs and maps.
# Usage: bash lab_xdp.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_xdp.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
STATE_DIR=$VNL_STATE_DIR PIN_ROOT=$VNL_PIN_ROOT TMP=$VNL_TMP
# Lab names unique to this run ("y" prefix), at most 10 characters.
L=yx$$ K=yk$$
VNL_GUEST_LABS=("$L" "$K")

vnl_skip_unless_guest_lab
vnl_need qemu-system-x86_64 dnsmasq ethtool python3

# Counter $2 of lab $1 from `lab show --json`.
counter() {
	"$VNL" lab show --name "$1" --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["labs"][0]["xdp"]["counters"][sys.argv[1]])' "$2"
}

# Both programs attached (ip shows "xdp" on uplink0 and tap0), and the mode in `lab show`.
attached() {
	local lab=$1 ifc
	for ifc in uplink0 tap0; do
		ip -n "$lab-h" -d link show dev "$ifc" | grep -q "prog/xdp" || { echo "no XDP on $ifc"; return 1; }
	done
	"$VNL" lab show --name "$lab" | grep -E "xdp_(uplink|guest) on .* \((native|generic)\)"
}

# ---- dry run ----
dry_run() {
	"$VNL" lab up xdp --name "$L" --dry-run >"$TMP/dry" || return 1
	local w
	for w in xdp_uplink xdp_guest guest_macs tx_ports bridge_cfg local_macs "bpftool map update" \
		"xdpdrv pinned" "csum=off" "ethtool -K wire0 tx off"; do
		grep -q -- "$w" "$TMP/dry" || { echo "--dry-run does not mention '$w'"; return 1; }
	done
	[ ! -e "$STATE_DIR/$L.state" ] && [ ! -e "$PIN_ROOT/$L" ] || { echo "--dry-run made something"; return 1; }
}
check "--dry-run names the programs, maps, csum=off and the wire's tx off; makes nothing" dry_run

# ---- up, lease through the slow path ----
if ! "$VNL" lab up xdp --name "$L" >"$TMP/up" 2>&1; then
	fail "lab up xdp"; sed 's/^/    /' "$TMP/up" | tail -30
	exit 1
fi
ok "lab up xdp: $(grep '^xdp: xdp_uplink' "$TMP/up")"
check "both programs attached, mode reported by lab show" attached "$L"
slow_lease() {
	local up gu
	up=$(counter "$L" uplink_slow) && gu=$(counter "$L" guest_slow) || return 1
	echo "uplink_slow=$up guest_slow=$gu"
	[ "$up" -gt 0 ] && [ "$gu" -gt 0 ]
}
check "the DHCP lease came through the slow path (slow counters > 0)" slow_lease

# ---- the stream through the fast path ----
fast_before_in=$(counter "$L" uplink_fast)
fast_before_out=$(counter "$L" guest_fast)
csum_errors() { ip netns exec "$L-r" nstat -az UdpInCsumErrors | awk '/UdpInCsumErrors/ { print $2 }'; }
csum_before=$(csum_errors)
stream() {
	"$VNL" run "$L" --direction both --count 300 --json -q >"$TMP/run.json" || return 1
	vnl_run_accounting "$TMP/run.json" 300 none
}
check "run --direction both --count 300: every probe accounted for both ways" stream
received() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["directions"][sys.argv[2]]["packets"]["received"])' \
		"$TMP/run.json" "$1"
}
fast_grew() {
	local in out rin rout
	in=$(( $(counter "$L" uplink_fast) - fast_before_in ))
	out=$(( $(counter "$L" guest_fast) - fast_before_out ))
	rin=$(received in) && rout=$(received out) || return 1
	echo "uplink_fast +$in for $rin received in; guest_fast +$out for $rout received out"
	[ "$in" -ge "$rin" ] && [ "$out" -ge "$rout" ]
}
check "fast-path counters grew by at least the probes received (in: uplink, out: guest)" fast_grew
no_csum_errors() {
	local now
	now=$(csum_errors)
	echo "UdpInCsumErrors in $L-r: ${csum_before:-0} -> ${now:-0}"
	[ "${now:-0}" = "${csum_before:-0}" ]
	"$VNL" lab exec guest --name "$L" -- cat /proc/net/snmp >"$TMP/snmp" || return 1
	python3 - "$TMP/snmp" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("Udp:")]
errs = int(dict(zip(rows[0][1:], rows[1][1:])).get("InCsumErrors", 0))
print("guest InCsumErrors", errs)
assert errs == 0
EOF
}
check "complete checksums: no UDP checksum errors at the remote end or in the guest" no_csum_errors

# ---- down ----
check "lab down" "$VNL" lab down --name "$L"
check "after down: no XDP, no pins, no namespace, qemu or state" vnl_guest_lab_gone "$L"

# ---- kill -9 of the managing process, then down ----
"$VNL" lab up xdp --name "$K" >"$TMP/upk" 2>&1 &
VNL_BG+=($!)
kill_mid_boot() {
	local i
	for i in $(seq 1 300); do # wait until the bridge is attached and qemu runs
		[ -e "$PIN_ROOT/$K" ] && [ -n "$(vnl_lab_pids "$K" | head -1)" ] && ls "$PIN_ROOT/$K" | grep -q link_tap && break
		sleep 0.1
	done
	ls "$PIN_ROOT/$K" | grep -q link_tap || { echo "the bridge never got attached"; cat "$TMP/upk"; return 1; }
	kill -9 "${VNL_BG[-1]}"
	wait "${VNL_BG[-1]}" 2>/dev/null
	ip -n "$K-h" -d link show dev uplink0 | grep -q "prog/xdp" || { echo "not attached when killed"; return 1; }
	echo "killed lab up with the programs attached and qemu running"
}
check "kill -9 of lab up after the programs were attached" kill_mid_boot
check "lab down after kill -9" "$VNL" lab down --name "$K"
check "after kill -9 and down: no XDP, no pins, no namespace, qemu or state" vnl_guest_lab_gone "$K"

vnl_finish
