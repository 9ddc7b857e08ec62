#!/bin/bash
# SIGINT on either end mid-run loses nothing that was measured:
#  1. the receiver interrupted mid-stream prints its report (interrupted=true)
#     and its record file is whole (trailer read back by `report`);
#  2. the sender interrupted mid-stream sends its FIN: the receiver ends by
#     itself, with every probe sent accounted for.
# Usage: bash stream_sigint.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_sigint.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=esi$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP

echo "-- 1. SIGINT to the receiver"
ip netns exec "$LAB-b" "$VNL" recv --json --record "$T/r1.rec" --status-file "$T/live1" >"$T/r1.json" 2>"$T/r1.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --count 4000 --interval 1ms --quiet >/dev/null 2>&1 &
SP=$!; VNL_BG+=("$SP")
vnl_wait_received "$T/live1" || exit 1
sleep 0.5
kill -INT "$RP"
vnl_wait_pid "$RP" 5; rrc=$?
kill -INT "$SP" 2>/dev/null
vnl_wait_pid "$SP" 5 >/dev/null
cat "$T/r1.err"
vnl_check "interrupted receiver exits 0 (it measured packets)" test "$rrc" = 0
vnl_json_check "$T/r1.json" "report says interrupted" "d['run']['interrupted'] is True"
# how many arrived in the 2 s is the machine's speed; that all are accounted for is vnetlat's
vnl_json_check "$T/r1.json" "it received probes, received + lost = sent, none lost before the interrupt" \
	"d['packets']['received'] > 0 and d['packets']['received'] + d['packets']['lost'] == d['packets']['sent'] and d['packets']['lost'] == 0"
"$VNL" report "$T/r1.rec" --json >"$T/r1.report.json" 2>"$T/r1.report.err"
vnl_check "report reads the interrupted record" test -s "$T/r1.report.json"
vnl_json_check "$T/r1.report.json" "record is whole (trailer present, no damage) and says interrupted" \
	"d['run']['damage'] is None and d['run']['interrupted'] is True"
R1=$(vnl_json_get "$T/r1.json" "d['packets']['received']")
vnl_json_check "$T/r1.report.json" "record holds the $R1 packets the live report counted" \
	"d['packets']['received'] == $R1"

echo "-- 2. SIGINT to the sender"
ip netns exec "$LAB-b" "$VNL" recv --json --status-file "$T/live2" >"$T/r2.json" 2>"$T/r2.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --interval 1ms --json >"$T/s2.json" 2>"$T/s2.err" &
SP=$!; VNL_BG+=("$SP")
vnl_wait_received "$T/live2" || exit 1
sleep 0.5
kill -INT "$SP"
vnl_wait_pid "$SP" 5; src=$?
vnl_wait_pid "$RP" 5; rrc=$?
vnl_check "interrupted sender exits 0" test "$src" = 0
vnl_check "receiver ends on the FIN by itself and exits 0" test "$rrc" = 0
vnl_json_check "$T/s2.json" "sender report says interrupted" "d['run']['interrupted'] is True"
S2=$(vnl_json_get "$T/s2.json" "d['sender']['sent']")
vnl_json_check "$T/r2.json" "receiver: not interrupted, sent $S2 (from the FIN) = received, no loss" \
	"d['run']['interrupted'] is False and d['packets']['sent'] == $S2 and d['packets']['received'] == $S2 and d['packets']['lost'] == 0"
vnl_json_check "$T/r2.json" "every probe got its follow-up" "d['packets']['no_tx_stamps'] == 0"
vnl_finish
