#!/bin/bash
# Issue 9 item 1: a stream started the moment `lab up veth` returns, over
# IPv6 and IPv4, has no probe lost, every TX stamp, and no probe held back
# by a neighbour lookup (those wait a retransmit time, 1 s). `lab up` alone
# must make the lab ready: no ping or sleep in between.
# Usage: bash lab_fresh_udp6.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_fresh_udp6.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
T=$VNL_TMP N=1500
# 500 ms: far above any scheduling noise, far below the 1 s of a neighbour stall.
STALL_NS=500000000

for tr in udp6 udp4; do
	LAB=fr${tr: -1}$$
	LAB=${LAB:0:10}
	VNL_LABS+=("$LAB")
	check "lab up veth --name $LAB" "$VNL" lab up veth --name "$LAB"
	"$VNL" run "$LAB" --direction in --transport $tr -c $N --json >"$T/$tr.json" 2>"$T/$tr.err"
	rc=$?
	cat "$T/$tr.err"
	vnl_check "$tr: run on the fresh lab exits 0" test "$rc" = 0
	D="d['directions']['in']"
	vnl_json_check "$T/$tr.json" "$tr: sent $N, received $N, lost 0" \
		"$D['packets']['sent'] == $N and $D['packets']['received'] == $N and $D['packets']['lost'] == 0"
	vnl_json_check "$T/$tr.json" "$tr: every TX stamp arrived (no_tx_stamps 0)" \
		"$D['packets']['no_tx_stamps'] == 0 and $D['latency']['path']['count'] == $N"
	vnl_json_check "$T/$tr.json" "$tr: no probe held back by a neighbour lookup (one_way max < 500 ms)" \
		"$D['latency']['one_way']['max_ns'] < $STALL_NS and $D['latency']['wakeup']['max_ns'] < $STALL_NS"
	echo "figures $tr: one_way p99 $(vnl_json_get "$T/$tr.json" "$D['latency']['one_way']['p99_ns']") ns," \
		"max $(vnl_json_get "$T/$tr.json" "$D['latency']['one_way']['max_ns']") ns"
	"$VNL" lab down --name "$LAB" >/dev/null
done
vnl_finish
