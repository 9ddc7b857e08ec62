#!/bin/bash
# lab up --vlan (root, guests under TCG): bridge, macvtap and xdp labs with the test stream
# on VLAN 42 (xdp: through the XDP fast path, the guest a trunk). The guest keeps its DHCP
# lease on untagged eth0 and has eth0.42; the remote end is vlan0 (a BPF tagger where the
# kernel has no 802.1Q). `vnetlat run --direction
# both --priority 5` between 198.51.100.1 and .2: zero loss, every stage and hop; on the
# host's uplink (xdp: on the remote end's wire) every probe frame is tagged VID 42 with PCP 5
# both ways (a packet socket, tags from PACKET_AUXDATA or in line), and the guest's eth0.42
# counted them. The dry-run
# recipe; `lab down` leaves nothing, also after kill -9 of `lab up`.
# Usage: bash lab_vlan.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_vlan.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")
STATE_DIR=$VNL_STATE_DIR GUEST_DIR=$VNL_GUEST_DIR TMP=$VNL_TMP
# Lab names unique to this run, at most 10 characters.
B=vlb$$ M=vlm$$ X=vlx$$ K=vlk$$
VNL_GUEST_LABS=("$B" "$M" "$X" "$K")
VID=42 N=300 PRIO=5

vnl_skip_unless_guest_lab
vnl_need qemu-system-x86_64 dnsmasq ethtool python3

# The lab info and `lab show --json` name the VLAN ends; the lease stays on untagged eth0.
info_ok() { # info_ok LAB
	python3 - "$STATE_DIR/$1.info" "$TMP/show.json" "$VID" <<'PY'
import json, sys
info = json.load(open(sys.argv[1])); show = json.load(open(sys.argv[2])); vid = int(sys.argv[3])
r, l, v = info["remote"], info["local"], info["vlan"]
assert (r["ifname"], r["addr4"], r["addr6"]) == ("vlan0", "198.51.100.1", "2001:db8:1::1"), r
assert (l["ifname"], l["addr4"], l["addr6"]) == (f"eth0.{vid}", "198.51.100.2", "2001:db8:1::2"), l
assert v["id"] == vid and v["untagged_local"]["ifname"] == "eth0", v
assert v["untagged_local"]["addr4"] == "192.0.2.2" and v["untagged_remote"]["addr4"] == "192.0.2.1", v
nodes = {n["node"]: n for n in show["labs"][0]["nodes"]}
g = nodes["guest"]
assert g["lease"] == "192.0.2.2", g
ifs = {i["name"]: i for i in g["interfaces"]}
assert ifs["eth0"]["addresses"][0] == "192.0.2.2" and ifs[f"eth0.{vid}"]["vlan"] == vid, ifs
assert "198.51.100.2" in ifs[f"eth0.{vid}"]["addresses"], ifs
rifs = {i["name"]: i for i in nodes["r"]["interfaces"]}
assert any(a.startswith("198.51.100.1/") for a in rifs["vlan0"]["addresses"]), rifs
PY
}

# eth0.VID's received-frame count in the guest (/proc/net/vlan), through the agent.
run_v6() {
	"$VNL" run "$1" --direction in --count 100 --transport udp6 --json >"$TMP/run6.json" &&
		vnl_run_accounting "$TMP/run6.json" 100 none
}

guest_vlan_rx() {
	"$VNL" lab exec guest --name "$1" -- cat "/proc/net/vlan/eth0.$VID" |
		awk '/total frames received/ { print $4 }'
}

# measure LAB TOPOLOGY: run both ways over the VLAN with a tag counter on the wire; checks all
# of it. The counter is on uplink0 (the host's view), or for xdp on the remote end's wire0:
# XDP redirects frames before packet sockets see them (and the hops, see doc/xdp-bridge.md).
measure() {
	local lab=$1 topo=$2 rx0 rx1 ns=$1-h ifc=uplink0
	[ "$topo" = xdp ] && ns=$lab-r ifc=wire0
	rx0=$(guest_vlan_rx "$lab")
	rm -f "$TMP/stop" "$TMP/ready"
	ip netns exec "$ns" python3 "$HERE/vlan_count.py" $ifc 4300 "$TMP/stop" "$TMP/ready" \
		>"$TMP/tags.json" 2>"$TMP/tags.err" &
	local counter=$!
	VNL_BG+=("$counter")
	for _ in $(seq 50); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
	if ! "$VNL" run "$lab" --direction both --count $N --priority $PRIO --json >"$TMP/run.json" 2>"$TMP/run.err"; then
		fail "$lab: run exited $?: $(tail -5 "$TMP/run.err")"
	fi
	touch "$TMP/stop"
	wait "$counter"
	rx1=$(guest_vlan_rx "$lab")
	local hops=all
	[ "$ifc" = uplink0 ] || hops="" # not observed on the XDP fast path
	check "$lab: run over VLAN $VID both ways: every probe accounted for, every stage and hop" \
		vnl_run_accounting "$TMP/run.json" $N ${hops:-none}
	check "$lab: every probe tagged $VID PCP $PRIO on $ifc" \
		python3 - "$TMP/run.json" "$TMP/tags.json" $N $VID $PRIO "$rx0" "$rx1" $ifc <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); count = json.load(open(sys.argv[2]))
n, vid, prio, rx0, rx1 = (int(x) for x in sys.argv[3:8])
ifc = sys.argv[8]
# "in" arrives on the host's uplink0 and leaves the remote end's wire0; "out" the other way
tags = {"in": count["rx" if ifc == "uplink0" else "tx"], "out": count["tx" if ifc == "uplink0" else "rx"]}
assert doc["lab"]["vlan"] == vid, doc["lab"]
for d in ("in", "out"):
    r = doc["directions"][d]
    p = r["packets"]
    # the accounting itself is vnl_run_accounting's (below); here what the VLAN adds
    h = r["hops"]
    assert h["note"] is None, h
    t = tags[d]
    # every probe frame on the uplink carried our tag and the priority's PCP; none untagged
    want = f"{vid}/{prio}"
    assert set(t) == {want} and t[want] >= p["received"], (d, t)
# the guest's VLAN interface received at least what "in" received
assert rx1 - rx0 >= doc["directions"]["in"]["packets"]["received"], (rx0, rx1)
us = lambda v: f"{v / 1000:.1f}us"
for d in ("in", "out"):
    lat = doc["directions"][d]["latency"]
    print(f"ok: {d}: path p50 {us(lat['path']['p50_ns'])} p99 {us(lat['path']['p99_ns'])}, "
          f"one_way p50 {us(lat['one_way']['p50_ns'])}; {ifc} frames {tags[d]}")
print(f"ok: eth0.{vid} received {rx1 - rx0} frames during the run")
PY
	sed 's/^/    /' "$TMP/out"
}

# The XDP bridge's fast-path counters of lab $1: "UPLINK_FAST GUEST_FAST".
xdp_fast() {
	"$VNL" lab show --name "$1" --json | python3 -c 'import json, sys
c = json.load(sys.stdin)["labs"][0]["xdp"]["counters"]; print(c["uplink_fast"], c["guest_fast"])'
}

vlan_lab() { # vlan_lab TOPOLOGY LAB
	local topo=$1 lab=$2
	"$VNL" lab down --name "$lab" >/dev/null 2>&1
	if ! "$VNL" lab up "$topo" --name "$lab" --vlan $VID >"$TMP/up-$lab" 2>&1; then
		fail "lab up $topo --vlan $VID"; tail -30 "$TMP/up-$lab" | sed 's/^/    /'
		return
	fi
	ok "lab up $topo --vlan $VID: $(grep '^guest:' "$TMP/up-$lab")"
	local fast0 fast1
	[ "$topo" = xdp ] && fast0=$(xdp_fast "$lab")
	"$VNL" lab show --name "$lab" --json >"$TMP/show.json"
	check "$lab: lab info and show --json: stream ends vlan0/eth0.$VID, lease on untagged eth0" info_ok "$lab"
	check "$lab: lab show (text) lists eth0.$VID and vlan0" bash -c \
		"'$VNL' lab show --name '$lab' | grep -q 'eth0.$VID .*198.51.100.2.*VLAN $VID' &&
		 '$VNL' lab show --name '$lab' | grep -q 'vlan0 .*198.51.100.1/24'"
	check "$lab: the guest's eth0 has its lease 192.0.2.2" bash -c \
		"'$VNL' lab exec guest --name '$lab' -- ip -4 -o addr show dev eth0 | grep -q ' 192.0.2.2/'"
	measure "$lab" "$topo"
	[ "$topo" = bridge ] && check "$lab: IPv6 over the VLAN (2001:db8:1::1 -> ::2): 100 accounted for" \
		run_v6 "$lab"
	if [ "$topo" = xdp ]; then
		fast1=$(xdp_fast "$lab")
		check "$lab: the tagged stream took the XDP fast path (uplink_fast guest_fast $fast0 -> $fast1)" \
			test $(( ${fast1% *} - ${fast0% *} )) -ge $N -a $(( ${fast1#* } - ${fast0#* } )) -ge $N
	fi
	check "$lab: lab down" "$VNL" lab down --name "$lab"
	check "$lab: nothing left after down" vnl_guest_lab_gone "$lab"
}

# The recipe names the 802.1Q device a normal kernel makes, the tagger used here, the guest's VLAN.
"$VNL" lab up bridge --name "$B" --vlan $VID --dry-run >"$TMP/dry" 2>&1
check "dry-run: vlan0 on wire0 with egress-qos-map, guest vnl.vlan=$VID, the tagger's path" bash -c "
	grep -q 'ip link add link wire0 name vlan0 type vlan id $VID egress-qos-map 0:0 1:1 2:2 3:3 4:4 5:5 6:6 7:7' '$TMP/dry' &&
	grep -q 'addr add 198.51.100.1/24 dev vlan0' '$TMP/dry' && grep -q 'vnl.vlan=$VID ' '$TMP/dry' &&
	{ [ -e /proc/net/vlan ] || grep -q 'no 802.1Q.*vlan_tag_out' '$TMP/dry'; }"

vlan_lab bridge "$B"
vlan_lab macvtap "$M"
vlan_lab xdp "$X"

# kill -9 of `lab up --vlan` once the tagger is attached (guest booting), then down.
"$VNL" lab up bridge --name "$K" --vlan $VID >"$TMP/up-$K" 2>&1 &
up_pid=$!
VNL_BG+=("$up_pid")
for _ in $(seq 600); do
	[ -n "$(ls "$GUEST_DIR/$K/" 2>/dev/null | grep qemu.pid)" ] && break
	sleep 0.1
done
tc -n "$K-r" filter show dev wire0 ingress 2>/dev/null | grep -q vlan_tag_in &&
	ok "tagger attached in $K-r before the kill" || fail "no tagger in $K-r: $(tail -5 "$TMP/up-$K")"
kill -9 "$up_pid"
wait "$up_pid" 2>/dev/null
check "lab down after kill -9 of lab up --vlan" "$VNL" lab down --name "$K"
check "nothing left after kill -9 + down" vnl_guest_lab_gone "$K"

vnl_finish
