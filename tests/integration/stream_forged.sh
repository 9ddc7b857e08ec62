#!/bin/bash
# Issue 9 items 2 and 4, from crafted (CRC-valid) probes of one stream:
#  - the stated interval is the sender's, carried in its probes, even when
#    the first probes skip slots (here every probe is 3 slots after the last:
#    the receiver's old estimate said 3 ms for a 1 ms stream);
#  - counters past the signed 64-bit range are malformed, not figures:
#    a probe with seq 2^64-1 (made "sent 0, received 23"), a FIN with
#    sent_total 2^64-1 (made JSON "sent": -1).
# Usage: bash stream_forged.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_forged.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=efg$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=23

cat >"$T/inject.py" <<'PY'
import socket, struct, sys, time, zlib
dest, n, interval = (sys.argv[1], int(sys.argv[2])), int(sys.argv[3]), 1000000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
base = time.clock_gettime_ns(time.CLOCK_REALTIME)

def probe(typ, seq, sched, word56):
    # doc/wire-format.md: magic, version, type, n_followups, flags, stream, host,
    # clock, crc, seq, sched, app_tx_sched, app_tx, sent_total / interval
    now = time.clock_gettime_ns(time.CLOCK_REALTIME)
    hdr = struct.pack(">IBBBBIIIIQqqqQ", 0x564E4C50, 1, typ, 0, 0, 0x5eed0002, 1, 0, 0,
                      seq, sched, now, now, word56)
    b = bytearray(hdr.ljust(128, b"\0"))
    struct.pack_into(">I", b, 20, zlib.crc32(bytes(b)) & 0xffffffff)
    return bytes(b)

for k in range(n):  # each probe 3 slots after the previous one: a late sender
    s.sendto(probe(1, k, base + 3 * k * interval, interval), dest)
    time.sleep(0.003)
s.sendto(probe(1, 2**64 - 1, base + 3 * n * interval, interval), dest)  # seq forged
s.sendto(probe(2, 2**64 - 1, base, 2**64 - 1), dest)                   # FIN total forged
for i in range(3):
    s.sendto(probe(2, n, base + 3 * n * interval, n), dest)            # the real FIN
    time.sleep(0.001)
PY

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --json --record "$T/rx.rec" \
	>"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" python3 "$T/inject.py" 192.0.2.2 4300 $N
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err"
vnl_check "recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_json_check "$T/recv.json" "interval_ns is the sender's 1 ms, not the 3 ms steps" \
	"d['run']['interval_ns'] == 1000000"
vnl_json_check "$T/recv.json" "the two forged probes are malformed" "d['packets']['malformed'] == 2"
vnl_json_check "$T/recv.json" "sent $N, received $N, lost 0 (no wrapped or negative count)" \
	"d['packets']['sent'] == $N and d['packets']['received'] == $N and d['packets']['lost'] == 0"
"$VNL" report "$T/rx.rec" --json >"$T/report.json" 2>"$T/report.err"
vnl_json_check "$T/report.json" "the record's header states 1 ms too" "d['run']['interval_ns'] == 1000000"
"$VNL" report "$T/rx.rec" >"$T/report.txt" 2>&1
vnl_check "report text: 'every 1.00ms'" grep -q "every 1.00ms" "$T/report.txt"
vnl_finish
