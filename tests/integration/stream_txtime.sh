#!/bin/bash
# send --txtime (SO_TXTIME launch times on CLOCK_TAI) across the veth lab,
# whose qdisc (noqueue) ignores launch times: the stream arrives complete,
# nothing is dropped by cause (txtime_missed, txtime_invalid 0), the sender
# says launch times were not enforced and names the qdisc, wakes DELTA
# before each slot; bad DELTAs exit 2 with one line.
# Usage: bash stream_txtime.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_txtime.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=etx$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=500

# One stream: JSON from both ends, the text report of the sender too.
stream() { # NAME SEND-ARGS...
	local name=$1; shift
	ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --json >"$T/$name.recv.json" 2>"$T/$name.recv.err" &
	local rp=$!; VNL_BG+=("$rp")
	vnl_wait_udp "$LAB-b" 4300 || return 1
	ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --count $N --interval 1ms "$@" \
		>"$T/$name.send.out" 2>"$T/$name.send.err"
	src=$?
	vnl_wait_pid "$rp" 10; rrc=$?
	cat "$T/$name.recv.err" "$T/$name.send.err"
}

stream json --txtime 200us --json
vnl_check "send --txtime 200us exits 0" test "$src" = 0
vnl_check "recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_check_stream_json "$T/json.recv.json" $N
S=$T/json.send.out
vnl_json_check "$S" "sender: $N sent, no launch-time drops (txtime_missed, txtime_invalid 0), no send errors" \
	"d['sender']['sent'] == $N and d['sender']['txtime_missed'] == 0 and d['sender']['txtime_invalid'] == 0 and d['sender']['send_errors'] == 0"
qd=$(ip netns exec "$LAB-a" tc qdisc show dev wire0 2>/dev/null | awk '/ root /{print $2; exit}')
vnl_json_check "$S" "sender: launch times 200us ahead on tai, not enforced, root qdisc of wire0 named (tc: ${qd:-?})" \
	"d['sender']['txtime'] == {'delta_ns': 200000, 'clock': 'tai', 'ifname': 'wire0', 'qdisc': d['sender']['txtime']['qdisc'], 'enforced': False} and d['sender']['txtime']['qdisc'] not in (None, 'etf', 'fq', 'taprio') and ('$qd' == '' or d['sender']['txtime']['qdisc'] == '$qd')"
vnl_check "a notice says the qdisc ignores launch times" grep -q "ignores launch times" "$T/json.send.err"
# The wake target is the probe's sched (slot - DELTA): the wakeup stage stays
# the sleep's lateness, never -DELTA.
vnl_json_check "$S" "sender: wakeup counted for each probe and never negative" \
	"d['latency']['wakeup']['count'] == $N and d['latency']['wakeup']['min_ns'] >= 0"

stream text --txtime 1s
vnl_check "send --txtime 1s (the largest DELTA) exits 0" test "$src" = 0
vnl_check "recv of that stream exits 0" test "$rrc" = 0
vnl_check "the text report has the launch-time line: not enforced, 0 missed, 0 invalid" \
	grep -qE "launch times: 1(\\.0+)?s ahead on CLOCK_TAI, not enforced \(wire0 root qdisc .*\); dropped by the qdisc: 0 missed, 0 invalid" "$T/text.send.out"
vnl_json_check "$T/text.recv.json" "every probe of it arrived" \
	"d['packets']['received'] == $N and d['packets']['lost'] == 0"

# Without --txtime the counters are there and the txtime object is null.
ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --json >/dev/null 2>&1 &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --count 20 --interval 1ms --json >"$T/plain.json" 2>"$T/plain.err"
vnl_check "send without --txtime exits 0" test $? = 0
vnl_wait_pid "$RP" 10
vnl_json_check "$T/plain.json" "without --txtime: txtime null, both counters 0" \
	"d['sender']['txtime'] is None and d['sender']['txtime_missed'] == 0 and d['sender']['txtime_invalid'] == 0"
vnl_check "without --txtime: no launch-time notice" bash -c "! grep -q txtime '$T/plain.err'"

# Bad DELTAs: exit 2, one line naming the option.
bad() { # DELTA PATTERN
	local err rc
	err=$(ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --count 1 --txtime "$1" 2>&1 >/dev/null); rc=$?
	vnl_check "--txtime '$1' exits 2 with one line ($err)" \
		test "$rc" = 2 -a "$(printf '%s\n' "$err" | grep -c .)" = 1
	vnl_check "... saying: $2" grep -qE -- "$2" <<<"$err"
}
bad 0 "invalid --txtime '0'.*> 0"
bad -5us "invalid --txtime '-5us'"
bad 2s "invalid --txtime '2s'.*<= 1s"
bad soon "invalid --txtime 'soon'"
vnl_finish
