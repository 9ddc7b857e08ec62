#!/bin/bash
# A 500-probe raw Ethernet stream (AF_PACKET, EtherType 0x88b5) between the
# wire0 MACs of the veth lab: zero loss, every stage (OPT_ID stamps work on
# packet sockets too), causal order. Usage: bash stream_l2.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_l2.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=el2$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=500
MAC_B=$(vnl_mac "$LAB-b" wire0)
echo "receiver MAC: $MAC_B"

ip netns exec "$LAB-b" "$VNL" recv --l2 --ifname wire0 --ethertype 0x88b5 --json --record "$T/recv.rec" \
	>"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_packet "$LAB-b" 88b5 || exit 1
ip netns exec "$LAB-a" "$VNL" send "$MAC_B" --l2 --ifname wire0 --ethertype 0x88b5 --count $N \
	--interval 1ms --json >"$T/send.json" 2>"$T/send.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err" "$T/send.err"
vnl_check "send exits 0" test "$src" = 0
vnl_check "recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_check_stream_json "$T/recv.json" $N
MAC_A=$(vnl_mac "$LAB-a" wire0)
vnl_json_check "$T/recv.json" "transport l2, peer is the sender's MAC $MAC_A" \
	"d['run']['transport'] == 'l2' and d['run']['peer'] == '$MAC_A'"
"$VNL" report "$T/recv.rec" --csv >"$T/recv.csv" 2>"$T/report.err"
vnl_check_causal_csv "$T/recv.csv"
vnl_finish
