#!/bin/bash
# Foreign and malformed datagrams injected while a stream runs are counted
# and dropped: they never crash the receiver nor touch the stream's figures.
# Injected on the probe port, mid-stream, from the sender's namespace:
#   foreign:   30 datagrams that are not probes, 10 valid probes of another
#              stream (same seqs, bogus follow-ups for the real stream's seqs)
#   malformed: 10 probes truncated to 40 bytes, 10 probes with one bit
#              flipped (CRC), 5 bare magics
# Usage: bash stream_foreign.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_foreign.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=efo$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=3000

cat >"$T/inject.py" <<'PY'
import random, socket, struct, sys, time, zlib
dest = (sys.argv[1], int(sys.argv[2]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
now = time.clock_gettime_ns(time.CLOCK_REALTIME)

def probe(seq, stream=0x5eed0001, size=128):
    # Header (doc/wire-format.md): magic, version, type DATA, 1 follow-up,
    # flags, stream, host, clock, crc, seq, sched, app_tx_sched, app_tx, sent_total
    hdr = struct.pack(">IBBBBIIIIQqqqQ", 0x564E4C50, 1, 1, 1, 0, stream, 1, 0, 0,
                      seq, now, now, now, 0)
    fu = struct.pack(">Qqqq", seq + 10, 1, 1, 0)  # bogus stamps for a real seq
    b = bytearray((hdr + fu).ljust(size, b"\0"))
    struct.pack_into(">I", b, 20, zlib.crc32(bytes(b)) & 0xffffffff)
    return bytes(b)

rnd = random.Random(7)
sent = {"foreign": 0, "malformed": 0}
for i in range(30):
    s.sendto(b"not a vnetlat probe %d " % i + bytes(rnd.randrange(256) for _ in range(40)), dest)
    sent["foreign"] += 1
for i in range(10):
    s.sendto(probe(100 + i), dest)          # another stream: foreign
    sent["foreign"] += 1
for i in range(10):
    s.sendto(probe(200 + i)[:40], dest)     # truncated
    sent["malformed"] += 1
for i in range(10):
    b = bytearray(probe(300 + i))
    bit = rnd.randrange(32, len(b) * 8)     # never in the magic
    b[bit // 8] ^= 1 << (bit % 8)
    s.sendto(bytes(b), dest)
    sent["malformed"] += 1
for i in range(5):
    s.sendto(b"VNLP", dest)                 # magic only
    sent["malformed"] += 1
    time.sleep(0.01)
print(sent)
PY

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --json --status-file "$T/live" >"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --count $N --interval 1ms --quiet >/dev/null 2>&1 &
SP=$!; VNL_BG+=("$SP")
# Inject once the stream flows (it lasts 3 s, the injection 0.05 s).
vnl_wait_received "$T/live" || exit 1
ip netns exec "$LAB-a" python3 "$T/inject.py" 192.0.2.2 4300
vnl_wait_pid "$SP" 10; src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err"
vnl_check "send exits 0" test "$src" = 0
vnl_check "recv survives the injection, ends on the FIN, exits 0" test "$rrc" = 0
vnl_json_check "$T/recv.json" "foreign counted: 40" "d['packets']['foreign'] == 40"
vnl_json_check "$T/recv.json" "malformed counted: 25" "d['packets']['malformed'] == 25"
vnl_json_check "$T/recv.json" "the stream is untouched: sent $N, received $N, lost 0, no duplicates" \
	"d['packets']['sent'] == $N and d['packets']['received'] == $N and d['packets']['lost'] == 0 and d['packets']['duplicated'] == 0"
vnl_json_check "$T/recv.json" "every stage has exactly $N samples" \
	"all(d['latency'][s]['count'] == $N for s in ('wakeup','tx_stack','path','rx_stack','one_way'))"
vnl_json_check "$T/recv.json" "no bogus follow-up applied: path and tx_stack minimum >= 0, max < 1 s" \
	"all(0 <= d['latency'][s]['min_ns'] and d['latency'][s]['max_ns'] < 10**9 for s in ('path','tx_stack'))"
vnl_finish
