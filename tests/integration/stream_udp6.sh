#!/bin/bash
# A 500-probe UDP/IPv6 stream across the veth lab: zero loss, every stage,
# causal order per packet. Usage: bash stream_udp6.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_udp6.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=eu6$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=500

ip netns exec "$LAB-b" "$VNL" recv --bind 2001:db8::2 --port 4306 --json --record "$T/recv.rec" \
	>"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4306 || exit 1
ip netns exec "$LAB-a" "$VNL" send 2001:db8::2 --port 4306 --count $N --interval 1ms --json \
	>"$T/send.json" 2>"$T/send.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err" "$T/send.err"
vnl_check "send exits 0" test "$src" = 0
vnl_check "recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_check_stream_json "$T/recv.json" $N
vnl_json_check "$T/recv.json" "transport udp6, peer is 2001:db8::1" \
	"d['run']['transport'] == 'udp6' and d['run']['peer'].startswith('[2001:db8::1]:')"
"$VNL" report "$T/recv.rec" --csv >"$T/recv.csv" 2>"$T/report.err"
vnl_check_causal_csv "$T/recv.csv"
vnl_finish
