#!/bin/bash
# The XDP bridge on veths, no guest needed: a "remote" namespace, a "host"
# namespace with an uplink veth and a second veth standing in for a guest's
# tap (its peer in a "guest" namespace), and a kernel bridge as slow path.
# Checks: traffic remote <-> guest works, unicast takes the fast path (its
# counters grow), ARP requests take the slow path, removal by lab name
# leaves no XDP attached and nothing pinned; and the --dry-run recipe,
# executed by a shell, builds a working bridge too.
# Usage: bash xdp_bridge_veth.sh /path/to/vnetlat   (root; env VNL_XDP_BRIDGE_CTL, VNL_XDP_BRIDGE_OBJ)
set -u
CTL=${VNL_XDP_BRIDGE_CTL:?set VNL_XDP_BRIDGE_CTL to the xdp_bridge_ctl test driver}
OBJ=${VNL_XDP_BRIDGE_OBJ:?set VNL_XDP_BRIDGE_OBJ to xdp_bridge.bpf.o}
P=$(( $$ % 100000 )); LAB=x1$P
R=${LAB}r H=${LAB}h G=${LAB}g
GUEST_MAC=02:00:5e:00:53:02
PORT=7007
N=50
PIN=/sys/fs/bpf/vnetlat/$LAB

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
inh() { nsenter --net=/run/netns/$H "$@"; }  # keeps /sys/fs/bpf (ip netns exec would not)

cleanup() {
	inh "$CTL" down $LAB 2>/dev/null
	[ -n "${ECHO_PID:-}" ] && kill "$ECHO_PID" 2>/dev/null
	for ns in $R $H $G; do ip netns del $ns 2>/dev/null; done
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root"
command -v python3 >/dev/null || fail "needs python3 (UDP echo peer)"
cleanup

# --- topology ---
ip netns add $R && ip netns add $H && ip netns add $G || fail "cannot create namespaces"
ip link add xr0 netns $R type veth peer name xup netns $H
ip link add xg0 netns $G type veth peer name xtap netns $H
ip -n $G link set xg0 address $GUEST_MAC
ip -n $H link add xbr0 type bridge
ip -n $H link set xup master xbr0
ip -n $H link set xtap master xbr0
for l in xup xtap xbr0 lo; do ip -n $H link set $l up; done
ip -n $H addr add 198.51.100.254/24 dev xbr0
ip -n $R addr add 198.51.100.1/24 dev xr0
ip -n $G addr add 198.51.100.2/24 dev xg0
ip -n $R link set xr0 up; ip -n $R link set lo up
ip -n $G link set xg0 up; ip -n $G link set lo up
# A veth only accepts XDP_REDIRECTed frames when its peer runs NAPI: GRO on enables it.
ip netns exec $R ethtool -K xr0 gro on >/dev/null
ip netns exec $G ethtool -K xg0 gro on >/dev/null
# An XDP frame carries no "checksum still to do" mark: senders whose checksum a
# NIC would finish (veth's offload) must complete it themselves (doc/xdp-bridge.md).
ip netns exec $R ethtool -K xr0 tx off >/dev/null
ip netns exec $G ethtool -K xg0 tx off >/dev/null
ok "topology: $R/xr0 -- xup [$H xbr0] xtap -- xg0/$G"

# UDP echo in the guest; the remote sends N datagrams, each must come back.
ip netns exec $G python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.2", int(sys.argv[1])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
' $PORT &
ECHO_PID=$!
sleep 0.5

echo_round() {  # prints how many of N datagrams came back
	ip netns exec $R python3 -c '
import socket, sys
n = int(sys.argv[2]); got = 0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.0)
for i in range(n):
    s.sendto(b"vnetlat-xdp-%d" % i, ("198.51.100.2", int(sys.argv[1])))
    try:
        if s.recv(2048) == b"vnetlat-xdp-%d" % i: got += 1
    except socket.timeout:
        pass
print(got)
' $PORT $N
}
counter() { inh "$CTL" counters $LAB | awk -v k="$1" '$1 == k { print $2 }'; }

got=$(echo_round)
[ "$got" = $N ] || fail "kernel bridge alone: $got of $N echoes came back"
ok "kernel bridge alone: $N/$N echoes"

# --- XDP bridge up ---
out=$(inh "$CTL" up $LAB xup xbr0) || fail "up: $out"
echo "$out" | grep -q "uplink xup: native XDP" || fail "veth uplink not in native mode: $out"
out=$(inh "$CTL" guest $LAB xtap $GUEST_MAC) || fail "guest: $out"
echo "$out" | grep -q "tap xtap: native XDP" || fail "veth tap not in native mode: $out"
ok "attached: $(inh "$CTL" ports $LAB | tr '\n' ';')"
ip -n $H link show xup | grep -q xdp || fail "ip link shows no XDP on xup"
for f in xdp_uplink xdp_guest guest_macs tx_ports stats; do
	[ -e $PIN/$f ] || fail "$PIN/$f not pinned"
done
ok "pinned under $PIN: $(ls $PIN | tr '\n' ' ')"

# ARP requests are broadcast: slow path. Fresh neighbour caches force them.
ip -n $R neigh flush all; ip -n $G neigh flush all
up_slow0=$(counter uplink_slow); up_fast0=$(counter uplink_fast); g_fast0=$(counter guest_fast)
got=$(echo_round)
[ "$got" = $N ] || fail "through the XDP bridge: $got of $N echoes came back ($(inh "$CTL" counters $LAB | tr '\n' ' '))"
up_slow=$(( $(counter uplink_slow) - up_slow0 ))
up_fast=$(( $(counter uplink_fast) - up_fast0 ))
g_fast=$(( $(counter guest_fast) - g_fast0 ))
ok "through the XDP bridge: $N/$N echoes"
[ $up_fast -ge $N ] || fail "uplink fast path took $up_fast frames, expected >= $N"
[ $g_fast -ge $N ] || fail "guest fast path took $g_fast frames, expected >= $N"
ok "fast path: uplink +$up_fast, guest +$g_fast frames (N=$N)"
[ $up_slow -ge 1 ] || fail "no frame took the uplink slow path (ARP request expected)"
ip -n $G neigh show 198.51.100.1 | grep -q lladdr || fail "guest did not learn the remote by ARP"
ok "slow path: uplink +$up_slow (ARP request from the remote), neighbours resolved"
err=$(( $(counter uplink_redirect_err) + $(counter guest_redirect_err) ))
[ $err = 0 ] || fail "$err redirect errors"

# --- removal by lab name alone (as lab down after a crash would) ---
inh "$CTL" down $LAB || fail "down failed"
ip -n $H link show | grep -q 'xdp' && fail "XDP still attached after down: $(ip -n $H link show | grep xdp)"
[ -e $PIN ] && fail "$PIN still exists after down"
got=$(echo_round)
[ "$got" = $N ] || fail "after down: $got of $N echoes (slow path should carry all)"
ok "down: no XDP on any link, $PIN gone, kernel bridge carries $N/$N again"

# --- the --dry-run recipe is real: run it in a shell ---
recipe_uplink_fast() {  # stats[0] (uplink_fast) summed over CPUs, read with bpftool alone
	inh bpftool map dump pinned $PIN/stats -j | python3 -c '
import json, sys
print(sum(v["value"] for v in json.load(sys.stdin)[0]["formatted"]["values"]))'
}
recipe=$(inh "$CTL" recipe $LAB xup xbr0 xtap $GUEST_MAC "$OBJ") || fail "recipe"
echo "$recipe" | sed 's/^/  | /'
inh bash -e -c "$recipe" || fail "the recipe failed in a shell"
ip -n $H link show xup | grep -q xdp || fail "recipe: no XDP on xup"
up_fast0=$(recipe_uplink_fast)
got=$(echo_round)
[ "$got" = $N ] || fail "recipe bridge: $got of $N echoes"
up_fast=$(recipe_uplink_fast)
[ $((up_fast - up_fast0)) -ge $N ] || fail "recipe bridge: uplink fast path +$((up_fast - up_fast0))"
ok "recipe: $N/$N echoes, uplink fast path +$((up_fast - up_fast0))"
down_line=$(echo "$recipe" | sed -n 's/^# down: //p')
inh bash -e -c "$down_line" || fail "recipe down line failed"
ip -n $H link show | grep -q 'xdp' && fail "recipe down left XDP attached"
[ -e $PIN ] && fail "recipe down left $PIN"
ok "recipe down: nothing attached, nothing pinned"
echo "PASS: xdp_bridge_veth"
