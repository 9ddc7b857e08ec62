#!/usr/bin/env python3
"""Count the probe frames (UDP to PORT) seen on IFNAME in this namespace by their 802.1Q tag.

A packet socket (ETH_P_ALL) with PACKET_AUXDATA: a tag the kernel took out of
the frame (hardware/veth VLAN offload, or untagged on receive) is in the
auxiliary data; one still in line is read from the frame. Runs until STOPFILE
exists (or 120 s), then prints one JSON object:
{"rx": {"VID/PCP": n, ...}, "tx": {...}} where VID 0 means untagged,
"rx" frames arriving on IFNAME, "tx" frames leaving it.
Usage: vlan_count.py IFNAME PORT STOPFILE READYFILE
"""
import json
import os
import select
import socket
import struct
import sys
import time

SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
PACKET_OUTGOING = 4
ifname, port, stop, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind((ifname, 0))
open(ready, "w").close()
counts = {"rx": {}, "tx": {}}


def udp_dport(f, off, etype):
    if etype == 0x0800 and len(f) >= off + 28 and f[off + 9] == 17:
        off += (f[off] & 15) * 4
    elif etype == 0x86DD and len(f) >= off + 48 and f[off + 6] == 17:
        off += 40
    else:
        return None
    return struct.unpack_from("!H", f, off + 2)[0] if len(f) >= off + 4 else None


end = time.monotonic() + 120
while not os.path.exists(stop) and time.monotonic() < end:
    if not select.select([s], [], [], 0.1)[0]:
        continue
    f, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
    tci, off = None, 14
    for level, kind, data in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= 20:
            status, _, _, _, _, vtci = struct.unpack_from("IIIHHH", data)
            if status & TP_STATUS_VLAN_VALID:
                tci = vtci
    if len(f) < 14:
        continue
    etype = struct.unpack_from("!H", f, 12)[0]
    if tci is None and etype == 0x8100 and len(f) >= 18:
        tci, etype = struct.unpack_from("!HH", f, 14)
        off = 18
    if udp_dport(f, off, etype) != port:
        continue
    key = "%d/%d" % ((tci or 0) & 0xFFF, (tci or 0) >> 13)
    d = counts["tx" if addr[2] == PACKET_OUTGOING else "rx"]
    d[key] = d.get(key, 0) + 1
print(json.dumps(counts))
