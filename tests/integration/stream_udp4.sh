#!/bin/bash
# A 2000-probe, 1 ms UDP/IPv4 stream across the veth lab: zero loss, every
# stage for every packet (the FIN carries the tail's follow-ups), stamps in
# causal order per packet (record file -> report --csv), JSON schema fields.
# Usage: bash stream_udp4.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_udp4.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=eu4$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=2000

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --json --record "$T/recv.rec" >"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --count $N --interval 1ms --json >"$T/send.json" 2>"$T/send.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err" "$T/send.err"
vnl_check "send exits 0" test "$src" = 0
vnl_check "recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_check_stream_json "$T/recv.json" $N
vnl_json_check "$T/recv.json" "transport udp4, interval 1ms learnt from the schedule" \
	"d['run']['transport'] == 'udp4' and d['run']['interval_ns'] == 1000000 and not d['run']['interrupted']"
vnl_json_check "$T/send.json" "sender report: $N sent, wakeup and tx_stack for each" \
	"d['sender']['sent'] == $N and d['latency']['wakeup']['count'] == $N and d['latency']['tx_stack']['count'] == $N"
"$VNL" report "$T/recv.rec" --csv >"$T/recv.csv" 2>"$T/report.err"
vnl_check "report --csv reads the record" test "$(wc -l <"$T/recv.csv")" = $((N + 1))
vnl_check_causal_csv "$T/recv.csv"
vnl_finish
