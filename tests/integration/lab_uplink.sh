#!/bin/bash
# `lab up --uplink IFACE` (issue 3), root, guests under TCG. The test makes its
# own "NIC": a veth vnlup0 in this namespace (MTU 1400 and 198.51.100.5/24 set
# first, to see them come back) whose peer lan0 sits in a namespace playing
# the user's network, with its own dnsmasq (192.0.2.1/24, range .50-.99).
# Checks: bridge --uplink: the guest's lease comes from that dnsmasq, no
# LAB-r, ping and a 300 x 1 ms stream from that network to the guest with no
# loss (`run --remote-netns/--remote-addr`; without them run refuses with the
# commands), down gives vnlup0 back (name, MAC, MTU, address, up); kill -9 of
# up at two moments, then down, gives it back too; the same with macvtap; a
# study case with uplink/remote_netns/remote_addr and UDP load;
# refusals before anything is made: no such interface, loopback, a port of a
# bridge, the interface of the default route (in a namespace of the test).
# Why 198.51.100.5 and not 203.0.113.5: an address of this namespace takes its
# /24 from eth0 here, and 203.0.113.0/24 holds this machine's package mirror.
# Usage: bash lab_uplink.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_uplink.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
STATE_DIR=$VNL_STATE_DIR TMP=$VNL_TMP
NIC=vnlup0 made_nic=
# Labs and namespaces of this run: all start with "up".
U=up$$a M=up$$m K1=up$$k K2=up$$l R=up$$r
VNL_GUEST_LABS=("$U" "$M" "$K1" "$K2" "$R")
NET=up$$-net DR=up$$-dr

# The labs first (they give $NIC back), then the user's network and the "NIC".
uplink_cleanup() {
	local ns p
	vnl_cleanup
	for ns in "$NET" "$DR"; do
		[ -e "/run/netns/$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns"
	done
	# only the "NIC" this run made: one that was there before is not ours
	[ -n "$made_nic" ] && ip link del "$NIC" 2>/dev/null
}
trap uplink_cleanup EXIT

vnl_skip_unless_guest_lab
vnl_need qemu-system-x86_64 dnsmasq
if ip link show "$NIC" >/dev/null 2>&1; then echo "FAIL: $NIC exists already"; exit 1; fi

# ---- the "NIC" and the user's network ----
ip netns add "$NET"
ip link add "$NIC" mtu 1400 type veth peer name lan0 netns "$NET" && made_nic=1
VNL_LENT_UPLINK=$NIC # what a lab a failure left in its LAB-h gives back on exit
ip addr add 198.51.100.5/24 dev "$NIC"
ip link set "$NIC" up
ip -n "$NET" link set lo up
ip -n "$NET" addr add 192.0.2.1/24 dev lan0
ip -n "$NET" link set lan0 up
NIC_MAC=$(cat /sys/class/net/$NIC/address)
ip netns exec "$NET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-hosts --no-resolv \
	--port=0 --interface=lan0 --bind-interfaces --dhcp-authoritative \
	--dhcp-range=192.0.2.50,192.0.2.99,255.255.255.0,1h --dhcp-leasefile="$TMP/leases" \
	--pid-file="$TMP/dnsmasq.pid" --user=root --group=root >"$TMP/dnsmasq.log" 2>&1 &
VNL_BG+=("$!")

# vnlup0 is here again as it was: name, MAC, MTU, address, up; no way back left pinned.
nic_back() { # nic_back LAB
	local l
	l=$(ip -o link show "$NIC") || { echo "$NIC is not in this namespace"; return 1; }
	echo "$l"
	grep -q "mtu 1400 " <<<"$l" || { echo "MTU is not 1400"; return 1; }
	grep -q "<.*,UP[,>]" <<<"$l" || { echo "not up"; return 1; }
	[ "$(cat /sys/class/net/$NIC/address)" = "$NIC_MAC" ] || { echo "another MAC"; return 1; }
	ip -o -4 addr show dev "$NIC" | grep -q "inet 198.51.100.5/24 " || { echo "address lost"; return 1; }
	[ ! -e "/run/netns/$1-h" ] && [ ! -e "$STATE_DIR/$1.state" ] && [ ! -e "$STATE_DIR/$1.home" ] ||
		{ echo "the lab is not gone"; return 1; }
	[ -z "$(vnl_lab_pids "$1")" ] || { echo "processes left"; return 1; }
}

# The guest's address: the lease the user's dnsmasq gave to the lab's guest MAC.
guest_addr() { # guest_addr LAB
	python3 -c 'import json,sys; i=json.load(open(sys.argv[1])); print(i["local"]["addr4"], i["local"]["mac"])' \
		"$STATE_DIR/$1.info"
}

leased_from_net() { # leased_from_net ADDR MAC
	grep -qi " $2 $1 " "$TMP/leases" || { echo "no lease $1 for $2 in:"; cat "$TMP/leases"; return 1; }
	case $1 in 192.0.2.5[0-9]|192.0.2.[6-9][0-9]) ;; *) echo "$1 is not from the range"; return 1;; esac
}

ping_guest() { # ping_guest ADDR
	local i
	for i in 1 2 3; do ip netns exec "$NET" ping -c 2 -W 2 "$1" && return 0; done
	return 1
}

# ---- --dry-run changes nothing ----
if "$VNL" lab up bridge --name "$U" --uplink "$NIC" --dry-run >"$TMP/recipe" 2>"$TMP/recipe.err"; then
	grep -q "^ip link set $NIC netns $U-h name uplink0$" "$TMP/recipe" &&
		grep -q "^#   .* ip addr add 198.51.100.5/24 dev $NIC$" "$TMP/recipe" &&
		! grep -q "dnsmasq\|$U-r" "$TMP/recipe" && ok "bridge --uplink --dry-run: moves $NIC, says how it comes back, no $U-r, no dnsmasq" ||
		{ fail "bridge --uplink --dry-run"; cat "$TMP/recipe"; }
	ip -o link show "$NIC" >/dev/null && [ ! -e "$STATE_DIR/$U.state" ] || fail "--dry-run changed something"
else
	fail "bridge --uplink --dry-run"; cat "$TMP/recipe.err"
fi

# ---- bridge --uplink ----
if "$VNL" lab up bridge --name "$U" --uplink "$NIC" >"$TMP/up" 2>&1; then
	ok "bridge --uplink $NIC: lab up"
	grep "^guest: ready" "$TMP/up"
	read -r GADDR GMAC < <(guest_addr "$U")
	check "the guest's lease ($GADDR) comes from the user's network's dnsmasq" leased_from_net "$GADDR" "$GMAC"
	check "$NIC is uplink0 in $U-h (same MAC), not here; no $U-r" bash -c "
		! ip link show $NIC 2>/dev/null && [ \"\$(ip netns exec $U-h cat /sys/class/net/uplink0/address)\" = $NIC_MAC ] &&
		[ ! -e /run/netns/$U-r ]"
	check "lab show: the lent uplink, no remote node" bash -c "
		'$VNL' lab show --name $U | grep -q '^  uplink: $NIC of the host, lent to $U-h as uplink0' &&
		! '$VNL' lab show --name $U | grep -q 'node r\|incomplete'"
	check "lab show --json: uplink {name, into, as, mtu, up}" bash -c "'$VNL' lab show --name $U --json | python3 -c '
import json, sys
lab = json.load(sys.stdin)[\"labs\"][0]
u = lab[\"uplink\"]
assert u[\"name\"] == \"$NIC\" and u[\"into\"] == \"$U-h\" and u[\"as\"] == \"uplink0\" and u[\"mtu\"] == 1400 and u[\"up\"], u
assert lab[\"complete\"] and [n[\"node\"] for n in lab[\"nodes\"]] == [\"h\", \"guest\"], lab'"
	check "ping from the user's network to the guest $GADDR" ping_guest "$GADDR"
	check "lab doctor: no problem; the DHCP server is the user's, not checked" bash -c "
		'$VNL' lab doctor --name $U | tee /dev/stderr | grep -q '^ok .*DHCP server: not checked'"
	"$VNL" run "$U" --count 10 >/dev/null 2>"$TMP/refuse"
	rc=$?
	[ $rc = 2 ] && grep -q "lab exec guest --name $U -- vnetlat recv --port 4300" "$TMP/refuse" &&
		grep -q "vnetlat send $GADDR --port 4300 --interval 1ms --count 10" "$TMP/refuse" &&
		ok "run without a remote end: exit 2 with the commands to measure by hand" ||
		{ fail "run without a remote end (exit $rc)"; cat "$TMP/refuse"; }
	if "$VNL" run "$U" --direction in --count 300 --interval 1ms --remote-netns "$NET" \
		--remote-addr 192.0.2.1 --json >"$TMP/run.json" 2>"$TMP/run.err"; then
		vnl_run_accounting "$TMP/run.json" 300 wire host &&
		python3 - "$TMP/run.json" <<'PY' && ok "300 x 1 ms from the user's network into the guest: every probe accounted for, wire and host hops" || fail "the stream"
import json, sys
r = json.load(open(sys.argv[1]))["directions"]["in"]
h = r["hops"]
us = lambda v: f"{v/1000:.1f}us"
print(f"  path p50 {us(r['latency']['path']['p50_ns'])} p99 {us(r['latency']['path']['p99_ns'])}; "
      f"hops p50 wire {us(h['wire']['p50_ns'])} host {us(h['host']['p50_ns'])}")
PY
	else
		fail "run --remote-netns $NET --remote-addr 192.0.2.1"; tail -20 "$TMP/run.err"
	fi
	check "lab down --dry-run gives $NIC back by name, MTU, address, state" bash -c "
		'$VNL' lab down --name $U --dry-run | tee /dev/stderr | grep -q 'ip -n $U-h link set uplink0 netns \$\$ name $NIC' &&
		'$VNL' lab down --name $U --dry-run | grep -q 'ip link set $NIC mtu 1400' &&
		'$VNL' lab down --name $U --dry-run | grep -q 'ip addr add 198.51.100.5/24 dev $NIC'"
	check "bridge --uplink: lab down" "$VNL" lab down --name "$U"
	check "bridge --uplink: $NIC is back as it was (name, MAC, MTU 1400, 198.51.100.5/24, up)" nic_back "$U"
else
	fail "bridge --uplink $NIC: lab up"; sed 's/^/    /' "$TMP/up" | tail -30
fi

# ---- kill -9 of lab up, then down ----
kill_then_down() { # kill_then_down LAB PATTERN-IN-STATE WHAT
	local lab=$1 pat=$2 what=$3 up_pid
	"$VNL" lab up bridge --name "$lab" --uplink "$NIC" >"$TMP/kill-$lab" 2>&1 &
	up_pid=$!
	VNL_BG+=("$up_pid")
	for _ in $(seq 600); do
		grep -q "$pat" "$STATE_DIR/$lab.state" 2>/dev/null && break
		sleep 0.05
	done
	kill -9 "$up_pid" 2>/dev/null
	wait "$up_pid" 2>/dev/null
	grep -q "$pat" "$STATE_DIR/$lab.state" 2>/dev/null && ok "kill -9 of lab up $what" ||
		fail "lab up never got $what: $(cat "$TMP/kill-$lab")"
	check "down after kill -9 $what" "$VNL" lab down --name "$lab"
	check "$NIC is back as it was after kill -9 $what and down" nic_back "$lab"
}
kill_then_down "$K1" '"type":"uplink"' "just after the uplink was recorded"
kill_then_down "$K2" '"name":"qemu"' "while the guest boots (on the lent uplink)"

# ---- macvtap --uplink ----
if "$VNL" lab up macvtap --name "$M" --uplink "$NIC" >"$TMP/up-m" 2>&1; then
	ok "macvtap --uplink $NIC: lab up"
	read -r GADDR GMAC < <(guest_addr "$M")
	check "macvtap: the guest's lease ($GADDR) comes from the user's network" leased_from_net "$GADDR" "$GMAC"
	check "macvtap: ping from the user's network to the guest" ping_guest "$GADDR"
	check "macvtap --uplink: lab down" "$VNL" lab down --name "$M"
	check "macvtap --uplink: $NIC is back as it was" nic_back "$M"
else
	fail "macvtap --uplink $NIC: lab up"; sed 's/^/    /' "$TMP/up-m" | tail -30
fi

# ---- a study case on the lent uplink (remote_netns/remote_addr), with load ----
cat >"$TMP/job.ini" <<INI
[up]
topology = bridge
uplink = $NIC
remote_netns = $NET
remote_addr = 192.0.2.1
interval = 1ms
count = 2000
warmup = 300ms
window = 500ms..1500ms
load = udp1
load_rate = 20M
INI
"$VNL" study "$TMP/job.ini" --out "$TMP/study" >"$TMP/study.out" 2>&1 &
study_pid=$!
VNL_BG+=("$study_pid")
wait "$study_pid"
rc=$?
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
if [ $rc = 0 ] && [ "$(jq_ "$TMP/study/study.json" "d['cases'][0]['status']")" = done ]; then
	dir=$TMP/study/$(jq_ "$TMP/study/study.json" "d['cases'][0]['repetitions'][0]['dir']")
	# vnetlat's accounting, not the TCG guest's speed: the 2000 probes of count (the whole
	# record), received + lost = sent, every stage per probe; the load ran, complete, at
	# most the 20M asked (the rate reached is the machine's)
	"$VNL" report "$dir/in.vnlrec" --json >"$TMP/whole.json" 2>&1
	bps=$(jq_ "$dir/load.json" "int(d['total_bps'])")
	lok=$(jq_ "$dir/load.json" "d['total_bps'] > 0 and all(s['received_bps'] <= 1.1 * 20e6 for s in d['streams'])")
	if acc=$(vnl_accounting_py "$TMP/whole.json" 2000) && [ "$lok" = True ]; then
		ok "study on the lent uplink: done, from $NET into the guest: $acc; load $bps bit/s"
	else
		fail "study on the lent uplink ($dir): $acc; load $bps bit/s, > 0 and each stream <= 22M: $lok (expected True)"
		sed 's/^/    /' "$dir/load.json" | head -40
	fi
else
	fail "study on the lent uplink (exit $rc)"; tail -20 "$TMP/study.out"
fi
SP=s$(printf %04x $((study_pid & 0xffff)))
check "$NIC is back as it was after the study, nothing of its lab left" bash -c "
	$(declare -f nic_back vnl_lab_pids); NIC=$NIC NIC_MAC=$NIC_MAC STATE_DIR=$STATE_DIR VNL_GUEST_DIR=$VNL_GUEST_DIR
	nic_back ${SP}00000 && ! ls $STATE_DIR/$SP* 2>/dev/null"

# ---- refusals, before anything is made ----
refused() { # refused PATTERN CMD...: exit 1, the message, no lab
	local pat=$1; shift
	"$@" >"$TMP/ref" 2>&1
	local rc=$?
	[ $rc = 1 ] && grep -q -- "$pat" "$TMP/ref" && [ ! -e "$STATE_DIR/$R.state" ] && [ ! -e "/run/netns/$R-h" ] ||
		{ echo "exit $rc"; cat "$TMP/ref"; return 1; }
	head -1 "$TMP/ref"
}
check "refused: no such interface" refused "there is no such interface" \
	"$VNL" lab up bridge --name "$R" --uplink nosuch0
check "refused: loopback" refused "loopback interface leads nowhere" \
	"$VNL" lab up bridge --name "$R" --uplink lo
# A namespace of the test with a default route and a bridge: never this machine's eth0.
ip netns add "$DR"
ip -n "$DR" link add dr0 type veth peer name dr1
ip -n "$DR" link add brx type bridge
ip -n "$DR" link set dr1 master brx
ip -n "$DR" addr add 198.51.100.9/24 dev dr0
for l in lo dr0 dr1 brx; do ip -n "$DR" link set "$l" up; done
ip -n "$DR" route add default via 198.51.100.1 dev dr0
check "refused: the interface of the default route (in $DR)" refused \
	"carries this machine's default route: lending it to the lab would cut the machine off" \
	ip netns exec "$DR" "$VNL" lab up bridge --name "$R" --uplink dr0
check "refused: a port of a bridge (in $DR)" refused "is a port of brx already" \
	ip netns exec "$DR" "$VNL" lab up macvtap --name "$R" --uplink dr1
check "the refused ones left dr0/dr1 in $DR" bash -c "ip -n $DR link show dr0 && ip -n $DR link show dr1"

vnl_finish
