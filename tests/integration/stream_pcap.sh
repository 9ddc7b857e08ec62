#!/bin/bash
# recv --pcap across the veth lab: tshark reads the pcapng back; one packet
# per probe received, each packet's time (ns) the RX stamp of the record
# (report --csv), each comment carries its seq and stages, IP/UDP headers
# rebuilt with the sender's address and the receiver's port. --pcap with
# --l2 is refused (exit 2).
# Usage: bash stream_pcap.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: stream_pcap.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
vnl_need tshark
LAB=vpc-$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP N=1500

ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --port 4300 --json --record "$T/recv.rec" \
	--pcap "$T/recv.pcapng" >"$T/recv.json" 2>"$T/recv.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4300 || exit 1
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --port 4300 --count $N --interval 1ms --size 400 \
	>"$T/send.out" 2>"$T/send.err"
src=$?
vnl_wait_pid "$RP" 10; rrc=$?
cat "$T/recv.err" "$T/send.err"
vnl_check "send exits 0" test "$src" = 0
vnl_check "recv ends on the FIN and exits 0" test "$rrc" = 0
vnl_check "recv says how many probes went to the pcap file" grep -q "probes written to" "$T/recv.err"
"$VNL" report "$T/recv.rec" --csv >"$T/recv.csv" 2>"$T/report.err"

# tshark only reads a file here; as root it warns, it does not refuse (no capture).
tshark -r "$T/recv.pcapng" -T fields -E separator='|' -e frame.time_epoch -e frame.comment \
	-e ip.src -e ip.dst -e udp.srcport -e udp.dstport -e frame.len -e frame.cap_len \
	-e ip.checksum.status -o ip.check_checksum:TRUE >"$T/tshark.txt" 2>"$T/tshark.err"
vnl_check "tshark reads the pcapng" test -s "$T/tshark.txt"
tshark -r "$T/recv.pcapng" -q -z io,phs >"$T/phs.txt" 2>>"$T/tshark.err"
vnl_check "tshark decodes raw IP, UDP" grep -q "udp" "$T/phs.txt"
capinfos -a -e -T -r "$T/recv.pcapng" >"$T/capinfos.txt" 2>&1 || true

python3 - "$T/recv.json" "$T/recv.csv" "$T/tshark.txt" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
rx = {int(r['seq']): int(r['rx_sw']) for r in csv.DictReader(open(sys.argv[2]))}
rows = [l.rstrip('\n').split('|') for l in open(sys.argv[3]) if l.strip()]
received = d['packets']['received']
bad = []
if len(rows) != received:
    bad.append(f"{len(rows)} packets in the pcap, {received} received")
seqs = set()
for t, comment, s, dst, sport, dport, flen, caplen, ipck in rows:
    sec, frac = t.split('.')
    ns = int(sec) * 10**9 + int(frac.ljust(9, '0'))
    kv = dict(w.split('=', 1) for w in comment.split() if '=' in w)
    seq = int(kv['seq'])
    seqs.add(seq)
    if rx.get(seq) != ns:
        bad.append(f"seq {seq}: pcap time {ns}, record rx_sw {rx.get(seq)}")
    if int(kv.get('rx_sw', 0)) != ns:
        bad.append(f"seq {seq}: comment rx_sw {kv.get('rx_sw')} != time {ns}")
    if not all(k in kv for k in ('one_way', 'path', 'rx_stack', 'tx_stack', 'wakeup')):
        bad.append(f"seq {seq}: stages missing in '{comment}'")
    if (s, dst, dport, flen) != ('192.0.2.1', '192.0.2.2', '4300', '428'):
        bad.append(f"seq {seq}: header {s} -> {dst}:{dport}, {flen} B (want 192.0.2.1 -> 192.0.2.2:4300, 428 B)")
    if ipck != '1':  # Wireshark's checksum status: 0 bad, 1 good, 2 unverified
        bad.append(f"seq {seq}: IPv4 header checksum status {ipck}")
if seqs != set(rx):
    bad.append(f"seqs in the pcap {len(seqs)}, in the record {len(rx)}")
same = len(rows) - len([b for b in bad if 'pcap time' in b])
print(f"pcap: {len(rows)} packets, received {received}, {len(seqs)} distinct seqs; "
      f"{same} times equal to the record's rx_sw to the ns")
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
vnl_check "pcap: count, ns times = RX stamps, comments with seq and stages, headers" test $? = 0
head -3 "$T/tshark.txt"; cat "$T/capinfos.txt"

# IPv6, the whole payload kept (128 B): the rebuilt header's addresses, lengths and UDP checksum.
ip netns exec "$LAB-b" "$VNL" recv --bind 2001:db8::2 --port 4302 --pcap "$T/v6.pcapng" -q \
	>"$T/v6.out" 2>"$T/v6.err" &
RP=$!; VNL_BG+=("$RP")
vnl_wait_udp "$LAB-b" 4302 || exit 1
ip netns exec "$LAB-a" "$VNL" send 2001:db8::2 --port 4302 --count 200 --interval 1ms -q \
	>/dev/null 2>>"$T/v6.err"
vnl_wait_pid "$RP" 10; rrc=$?
vnl_check "IPv6 recv --pcap exits 0" test "$rrc" = 0
tshark -r "$T/v6.pcapng" -T fields -E separator='|' -e ipv6.src -e ipv6.dst -e udp.dstport \
	-e frame.len -e frame.cap_len -e udp.checksum.status -o udp.check_checksum:TRUE \
	>"$T/v6.txt" 2>>"$T/tshark.err"
vnl_check "IPv6: 200 packets" test "$(wc -l <"$T/v6.txt")" = 200
vnl_check "IPv6: 2001:db8::1 -> 2001:db8::2:4302, 176 B whole, UDP checksum good" \
	test "$(sort -u "$T/v6.txt")" = "2001:db8::1|2001:db8::2|4302|176|176|1"

ip netns exec "$LAB-b" "$VNL" recv --l2 --ifname wire0 --pcap "$T/l2.pcapng" >/dev/null 2>"$T/l2.err"
vnl_check "--pcap with --l2 is refused (exit 2)" test $? = 2
vnl_check "the refusal says why" grep -q "pcap is for UDP" "$T/l2.err"
vnl_finish
