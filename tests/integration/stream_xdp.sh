#!/bin/bash
# AF_XDP probes across the veth lab (--transport xdp):
#  1. AF_XDP send -> AF_XDP recv, 2000 x 1 ms: zero loss; wakeup, rx_stack
#     (from the XDP-ingress stamp) and one_way for every probe; tx_stack and
#     path count 0 and the stamping line says why. While that receiver runs, a
#     ping and a UDP datagram to another port reach the stack, not vnetlat.
#  2. AF_XDP sender -> ordinary UDP receiver (our checksums pass the stack).
#  3. UDP sender -> AF_XDP receiver: all five stages (path to XDP ingress).
#  4. IPv6 AF_XDP both ends.
#  5. Nothing stays attached: after each run, after SIGTERM, after kill -9.
# Usage: bash stream_xdp.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_xdp.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=kx$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=2000
A=$LAB-a B=$LAB-b

# wait_xdp NS: until an XDP program is attached to wire0 (up to 5 s).
wait_xdp() {
	local i
	for i in $(seq 50); do
		ip -n "$1" link show wire0 | grep -q "prog/xdp" && return 0
		sleep 0.1
	done
	echo "FAIL: no XDP program on $1 wire0 within 5 s"
	return 1
}

no_xdp_left() {
	! ip -n "$A" link show wire0 | grep -q xdp && ! ip -n "$B" link show wire0 | grep -q xdp
}

# start_recv NAME ARGS...: an AF_XDP or UDP receiver in B, JSON to $T/NAME.json.
start_recv() {
	local name=$1; shift
	ip netns exec "$B" "$VNL" recv "$@" --json >"$T/$name.json" 2>"$T/$name.err" &
	RP=$!; VNL_BG+=("$RP")
}

# --- 1. AF_XDP -> AF_XDP, with foreign traffic on the same queue ---
start_recv xx --transport xdp --ifname wire0
wait_xdp "$B" || exit 1
vnl_check "ping reaches the stack while the AF_XDP receiver runs" \
	ip netns exec "$A" ping -q -c 3 -i 0.2 -W 2 192.0.2.2
ip netns exec "$B" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 4301)); s.settimeout(5)
open(sys.argv[1], "w").write(s.recv(100).decode())' "$T/udp4301.txt" &
LP=$!; VNL_BG+=("$LP")
sleep 0.3
ip netns exec "$A" python3 -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"not-a-probe", ("192.0.2.2", 4301))'
vnl_wait_pid "$LP" 6 >/dev/null
vnl_check "a UDP listener on port 4301 gets its datagram (passed to the stack)" \
	grep -qx not-a-probe "$T/udp4301.txt"
ip netns exec "$A" "$VNL" send 192.0.2.2 --transport xdp --ifname wire0 --count $N \
	--interval 1ms --json >"$T/xs.json" 2>"$T/xs.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/xx.err" "$T/xs.err"
vnl_check "AF_XDP send exits 0" test "$src" = 0
vnl_check "AF_XDP recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_json_check "$T/xx.json" "xdp4: sent $N, received $N, lost 0, nothing foreign (the ping and port 4301 went to the stack)" \
	"d['run']['transport'] == 'xdp4' and d['packets']['sent'] == $N and d['packets']['received'] == $N and d['packets']['lost'] == 0 and d['packets']['foreign'] == 0 and d['packets']['malformed'] == 0"
vnl_json_check "$T/xx.json" "wakeup, rx_stack, one_way for all $N; tx_stack and path count 0" \
	"all(d['latency'][s]['count'] == $N for s in ('wakeup','rx_stack','one_way')) and d['latency']['tx_stack']['count'] == 0 and d['latency']['path']['count'] == 0"
vnl_json_check "$T/xx.json" "stamps: rx_sw (XDP ingress) for all, no kernel TX stamps, no rx_hw on veth" \
	"d['stamps']['rx_sw']['count'] == $N and all(d['stamps'][s]['count'] == 0 for s in ('tx_sched','tx_sw','tx_hw','rx_hw'))"
vnl_json_check "$T/xx.json" "rx_stack >= 0: the XDP stamp precedes the application's" \
	"d['latency']['rx_stack']['min_ns'] >= 0"
vnl_json_check "$T/xx.json" "stamping line names the XDP-ingress stamp and the missing TX stamps" \
	"'XDP-ingress' in d['run']['stamping'] and 'no kernel TX stamps' in d['run']['stamping']"
vnl_json_check "$T/xs.json" "sender report: $N sent, wakeup for each, tx_stack 0, says AF_XDP" \
	"d['sender']['sent'] == $N and d['latency']['wakeup']['count'] == $N and d['latency']['tx_stack']['count'] == 0 and 'no kernel TX stamps' in d['run']['stamping']"
vnl_check "no XDP program left attached after the run" no_xdp_left

# --- 2. AF_XDP sender -> UDP receiver ---
start_recv ux --bind 192.0.2.2
vnl_wait_udp "$B" 4300 || exit 1
ip netns exec "$A" "$VNL" send 192.0.2.2 --transport xdp --ifname wire0 --count 500 -q >/dev/null 2>"$T/xs2.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
vnl_check "AF_XDP sender -> UDP receiver: both exit 0" test "$src$rrc" = 00
vnl_json_check "$T/ux.json" "UDP receiver got all 500 (IP and UDP checksums accepted), path 0 with the reason" \
	"d['packets']['received'] == 500 and d['packets']['lost'] == 0 and d['latency']['one_way']['count'] == 500 and d['latency']['path']['count'] == 0 and 'no kernel TX stamps' in d['run']['stamping']"

# --- 3. UDP sender -> AF_XDP receiver ---
start_recv xu --transport xdp --ifname wire0
wait_xdp "$B" || exit 1
ip netns exec "$A" "$VNL" send 192.0.2.2 --count 500 -q >/dev/null 2>"$T/us.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
vnl_check "UDP sender -> AF_XDP receiver: both exit 0" test "$src$rrc" = 00
vnl_json_check "$T/xu.json" "all 500, every stage (path = XDP ingress - kernel TX stamp) >= 0" \
	"d['packets']['received'] == 500 and d['packets']['lost'] == 0 and all(d['latency'][s]['count'] == 500 and d['latency'][s]['min_ns'] >= 0 for s in ('wakeup','tx_stack','path','rx_stack','one_way'))"

# --- 4. IPv6 ---
start_recv x6 --transport xdp --ifname wire0
wait_xdp "$B" || exit 1
ip netns exec "$A" "$VNL" send 2001:db8::2 --transport xdp --ifname wire0 --count 300 -q >/dev/null 2>"$T/x6s.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/x6s.err"
vnl_check "IPv6 AF_XDP both ends: both exit 0" test "$src$rrc" = 00
vnl_json_check "$T/x6.json" "xdp6: all 300, one_way for each" \
	"d['run']['transport'] == 'xdp6' and d['packets']['received'] == 300 and d['latency']['one_way']['count'] == 300"

# --- 5. detached on SIGTERM and after kill -9 (the bpf_link dies with the process) ---
start_recv term --transport xdp --ifname wire0
wait_xdp "$B" || exit 1
kill -TERM "$RP"
vnl_wait_pid "$RP" 5 >/dev/null
vnl_check "SIGTERM: receiver ends and the program is detached" no_xdp_left
start_recv kill --transport xdp --ifname wire0
wait_xdp "$B" || exit 1
kill -9 "$RP"
vnl_wait_pid "$RP" 5 >/dev/null
sleep 0.3
vnl_check "kill -9: no program left attached" no_xdp_left

# --- usage errors ---
ip netns exec "$B" "$VNL" recv --transport xdp >/dev/null 2>"$T/e1.err"
rc=$?
vnl_check "recv --transport xdp without --ifname: exit 2 with a message" \
	test "$rc" = 2 -a -s "$T/e1.err"
ip netns exec "$A" "$VNL" send 192.0.2.2 --queue 1 >/dev/null 2>"$T/e2.err"
rc=$?
vnl_check "send --queue without --transport xdp: exit 2" test "$rc" = 2
ip netns exec "$A" "$VNL" send 192.0.2.2 --transport xdp --ifname wire0 --size 5000 >/dev/null 2>"$T/e3.err"
rc=$?
vnl_check "send --size beyond the MTU with AF_XDP: exit 2 ($(head -c 120 "$T/e3.err"))" test "$rc" = 2
vnl_finish
