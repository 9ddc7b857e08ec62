#!/bin/bash
# Issue 9 items 17, 18: the fast paths keep every stamp.
#  - 96-byte probes (one follow-up each, the tightest case for stamps read in
#    batches) every 20us: the sender busy-waits and reads its error queue in
#    batches, the receiver takes recvmmsg batches. Every probe that arrived
#    has all its stamps unless a lost probe was carrying them, the last
#    probes' included (the FINs carry the last batch), stamps in causal order.
#  - the FINs on the wire (dumpcap): scheduled 1 ms, then 10 ms apart at any interval.
#  - --spin and --cpu-dma-latency: a 1 ms stream with both is clean; bad
#    values are refused with exit 2.
# Behaviour only: how fast the machine is decides nothing here.
# Usage: bash stream_fast.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_fast.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=efa$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --port 4307 --json --record "$T/fast.rec" \
	>"$T/fast.json" 2>"$T/fast.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4307 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --port 4307 --size 96 --interval 20us --count 20000 \
	--json >"$T/fast-send.json" 2>"$T/fast-send.err"
src=$?
vnl_wait_pid "$RP" 20; rrc=$?
cat "$T/fast.err" "$T/fast-send.err"
vnl_check "20us stream: send exits 0" test "$src" = 0
vnl_check "20us stream: recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_json_check "$T/fast-send.json" "sender: every probe's TX stamps came back" \
	"d['sender']['no_tx_stamps'] == 0 and d['sender']['sent'] == 20000"
vnl_json_check "$T/fast.json" "receiver: probes without their follow-up at most one per lost probe" \
	"d['packets']['received'] > 0 and d['packets']['no_tx_stamps'] <= d['packets']['lost']"
# the counts, for the log: which stamp is short when the next check fails
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); p = d["packets"]
print("    received", p["received"], "lost", p["lost"], "no_tx_stamps", p["no_tx_stamps"],
      {k: d["stamps"][k]["count"] for k in ("tx_sched", "tx_sw", "rx_sw", "app_rx")})' "$T/fast.json"
# the sender's stamps come with the follow-up; the receiver's own are on every probe
vnl_json_check "$T/fast.json" "receiver: tx_sched, tx_sw on every probe with its follow-up" \
	"all(d['stamps'][k]['count'] == d['packets']['received'] - d['packets']['no_tx_stamps'] for k in ('tx_sched', 'tx_sw'))"
vnl_json_check "$T/fast.json" "receiver: rx_sw, app_rx on every probe received" \
	"all(d['stamps'][k]['count'] == d['packets']['received'] for k in ('rx_sw', 'app_rx'))"
"$VNL" report "$T/fast.rec" --csv >"$T/fast.csv" 2>"$T/report.err"
vnl_check "the last 16 probes received have their TX stamps (the FINs carried them)" python3 -c '
import csv, sys
all_rows = list(csv.DictReader(open(sys.argv[1])))
last = sorted(all_rows, key=lambda r: int(r["seq"]))[-16:]
sys.exit(0 if all(r["tx_sched"] and r["tx_sw"] for r in last) else 1)' "$T/fast.csv"
python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["tx_sw"]]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys()); w.writeheader(); w.writerows(rows)' \
	"$T/fast.csv" "$T/fast-stamped.csv"
vnl_check_causal_csv "$T/fast-stamped.csv"

# The end of a fast stream on the wire (dumpcap in the receiver's namespace):
# the three FINs come 1 ms and then 10 ms apart however short the interval,
# so a receiver whose socket buffer overflowed at the end still sees one.
ip netns exec "$LAB-b" timeout 30 dumpcap -q -i wire0 -f "udp dst port 4309" -c 203 \
	-w "$T/fin.pcapng" >"$T/dumpcap.out" 2>"$T/dumpcap.err" &
DP=$!; VNL_BG+=("$DP")
for _ in $(seq 100); do grep -q "Capturing on" "$T/dumpcap.err" && break; sleep 0.1; done
ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --port 4309 --json >"$T/fin.json" 2>"$T/fin.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4309 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --port 4309 --size 96 --interval 20us --count 200 \
	>/dev/null 2>"$T/fin-send.err"
vnl_wait_pid "$RP" 10; rrc=$?
vnl_wait_pid "$DP" 10
vnl_check "200 probes 20us apart: recv ends on a FIN and exits 0" test "$rrc" = 0
# Each packet's UDP payload (the probe: doc/wire-format.md, big-endian): the
# FINs (type 2) are the last three, and their scheduled times (sched, offset 32)
# are 1 ms and then 10 ms apart. The schedule, not the wire's times: a busy
# machine sends any of them late, which moves its wire time, not its slot.
tshark -r "$T/fin.pcapng" -T fields -e udp.payload >"$T/fin-payloads.txt" 2>"$T/tshark.err"
vnl_check "the last three packets are the FINs, scheduled 1 ms and then 10 ms apart" python3 -c '
import struct, sys
p = [bytes.fromhex(l.strip().replace(":", "")) for l in open(sys.argv[1]) if l.strip()]
types = [b[5] for b in p]
sched = [struct.unpack(">q", b[32:40])[0] for b in p[-3:]]
gaps = [sched[1] - sched[0], sched[2] - sched[1]] if len(sched) == 3 else []
print("    packets", len(p), "last types", types[-4:], "FIN schedule gaps (ns)", gaps)
sys.exit(0 if len(p) == 203 and types[-3:] == [2, 2, 2] and 2 not in types[:-3]
         and gaps == [1000000, 10000000] else 1)' "$T/fin-payloads.txt"

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --port 4308 --cpu-dma-latency 0 --json \
	>"$T/spin.json" 2>"$T/spin.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4308 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --port 4308 --count 300 --interval 1ms --spin 50us \
	--cpu-dma-latency 0 --json >"$T/spin-send.json" 2>"$T/spin-send.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/spin.err" "$T/spin-send.err"
vnl_check "--spin 50us --cpu-dma-latency 0: send exits 0" test "$src" = 0
vnl_check "... recv with --cpu-dma-latency 0 exits 0" test "$rrc" = 0
vnl_check_stream_json "$T/spin.json" 300

for bad in "--spin -1us" "--spin 2s" "--spin x" "--cpu-dma-latency -1" "--cpu-dma-latency x"; do
	# shellcheck disable=SC2086
	ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 -c 1 $bad >/dev/null 2>"$T/bad.err"
	rc=$?
	vnl_check "send $bad: exit 2 with one message" bash -c "test $rc = 2 && test \$(wc -l <'$T/bad.err') = 1"
done
vnl_finish
