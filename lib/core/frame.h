/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ethernet/IPv4-or-IPv6/UDP frames for the AF_XDP transport, which has no
 * kernel stack to build or check them: building a complete frame around a
 * payload (IPv4 header checksum and UDP checksum computed here, since AF_XDP
 * TX gets no offload), and parsing received frames. The parser takes
 * untrusted bytes: every length is checked against the buffer first.
 */
#ifndef VNL_FRAME_H
#define VNL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define VNL_FRAME_ETH_LEN 14
#define VNL_FRAME_UDP4_HDR_LEN (VNL_FRAME_ETH_LEN + 20 + 8)
#define VNL_FRAME_UDP6_HDR_LEN (VNL_FRAME_ETH_LEN + 40 + 8)

/* Addresses of one UDP flow; IPv4 addresses in the first 4 bytes of src_ip/dst_ip. */
struct vnl_frame_flow {
	uint8_t dst_mac[6], src_mac[6];
	int family; /* AF_INET or AF_INET6 */
	uint8_t src_ip[16], dst_ip[16];
	uint16_t sport, dport; /* host order */
	uint8_t ttl;
};

/* Header bytes in front of the payload for this flow's family. */
size_t vnl_frame_hdr_len(int family);

/*
 * The payload is already at frame + vnl_frame_hdr_len(); write the headers
 * in front of it, checksums included. Returns the frame length, or 0 if
 * payload_len does not fit in an IP datagram.
 */
size_t vnl_frame_build(const struct vnl_frame_flow *f, uint8_t *frame, size_t payload_len);

/* What a received frame carries; pointers point into the frame. */
struct vnl_frame_view {
	int family;
	const uint8_t *src_ip; /* 4 or 16 bytes */
	uint16_t sport, dport; /* host order */
	const uint8_t *payload;
	size_t payload_len;    /* from the UDP length: Ethernet padding excluded */
};

/*
 * Parse Ethernet (one optional 802.1Q tag) + IPv4 (options allowed, no
 * fragments) or IPv6 (no extension headers) + UDP. 0, or -1 when the frame
 * is not such a datagram or a length in it lies.
 */
int vnl_frame_parse(const uint8_t *frame, size_t len, struct vnl_frame_view *out);

#endif
