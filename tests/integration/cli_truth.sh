#!/bin/bash
# Issue 9 items 3, 5 and 13: what vnetlat says must be true.
#  - send to a port where nothing listens does not claim "received 100, lost 0"
#    (text, JSON, report of the send record);
#  - report --from past the run's end says the window holds no probe, exit 1;
#  - send --interval 2562047h -c 2 (a schedule past the clock's range): exit 2;
#  - run --size 95 is refused at once (exit 2), not after the sender failed;
#  - run --direction both stopped by SIGINT during 'in' names the unmeasured
#    'out', exits 1 and still prints what 'in' measured.
# Usage: bash cli_truth.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: cli_truth.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=ctr$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP

ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --port 4399 -c 100 --interval 1ms --json \
	--record "$T/send.rec" >"$T/send.json" 2>"$T/send.err"
vnl_check "send to a closed port exits 0" test $? = 0
vnl_json_check "$T/send.json" "send JSON: sent 100, received and lost null (unknown to a sender)" \
	"d['packets']['sent'] == 100 and d['packets']['received'] is None and d['packets']['lost'] is None"
"$VNL" report "$T/send.rec" >"$T/report.txt" 2>&1
vnl_check "report of the send record does not claim anything was received" \
	bash -c "! grep -q 'received 100' '$T/report.txt' && grep -q 'not known to the sender' '$T/report.txt'"
"$VNL" report "$T/send.rec" --json >"$T/report.json" 2>/dev/null
vnl_json_check "$T/report.json" "report --json of the send record: received null" \
	"d['packets']['received'] is None and d['packets']['sent'] == 100"

"$VNL" report "$T/send.rec" --from 1000h >"$T/win.txt" 2>"$T/win.err"
rc=$?
cat "$T/win.err"
vnl_check "report --from 1000h on a 0.1 s run exits 1" test "$rc" = 1
vnl_check "... and says the window holds no probe" grep -q "holds no probe" "$T/win.err"

start=$(date +%s%N)
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --interval 2562047h -c 2 >/dev/null 2>"$T/ovf.err"
rc=$?
cat "$T/ovf.err"
vnl_check "send --interval 2562047h -c 2 is refused with exit 2" test "$rc" = 2
vnl_check "... saying the schedule runs past the clock" grep -q "past the end" "$T/ovf.err"

start=$(date +%s%N)
"$VNL" run "$LAB" --size 95 -c 10 >/dev/null 2>"$T/size.err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$T/size.err"
vnl_check "run --size 95 exits 2" test "$rc" = 2
vnl_check "... at once, before starting send/recv (took $ms ms; the recv wait is 30 s)" test "$ms" -lt 10000

"$VNL" run "$LAB" --direction both -c 3000 --json --status-file "$T/live" >"$T/int.json" 2>"$T/int.err" &
RUNP=$!; VNL_BG+=("$RUNP")
vnl_wait_received "$T/live" in || exit 1 # inside direction in (3 s of probes)
kill -INT "$RUNP"
vnl_wait_pid "$RUNP" 20; rc=$?
cat "$T/int.err"
vnl_check "run interrupted during 'in' exits 1" test "$rc" = 1
vnl_check "... and says 'out' was not measured" grep -q "direction out: it was not measured" "$T/int.err"
vnl_json_check "$T/int.json" "... and still prints the 'in' it measured" \
	"list(d['directions']) == ['in'] and d['directions']['in']['packets']['received'] > 0"
vnl_finish
