/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "frame.h"

#include <string.h>
#include <sys/socket.h>

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6_ 0x86dd
#define ETH_P_VLAN 0x8100
#define IPPROTO_UDP_ 17
#define IPV4_MF_OFFSET 0x3fff /* more-fragments flag + fragment offset */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's-complement sum of big-endian 16-bit words (RFC 1071), not yet folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t vnl_frame_hdr_len(int family)
{
	return family == AF_INET6 ? VNL_FRAME_UDP6_HDR_LEN : VNL_FRAME_UDP4_HDR_LEN;
}

static void build_ipv4(const struct vnl_frame_flow *f, uint8_t *ip, size_t udp_len)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + udp_len));
	put16(ip + 6, 0x4000); /* DF: probes are never fragmented */
	ip[8] = f->ttl;
	ip[9] = IPPROTO_UDP_;
	memcpy(ip + 12, f->src_ip, 4);
	memcpy(ip + 16, f->dst_ip, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
}

static void build_ipv6(const struct vnl_frame_flow *f, uint8_t *ip, size_t udp_len)
{
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)udp_len);
	ip[6] = IPPROTO_UDP_;
	ip[7] = f->ttl;
	memcpy(ip + 8, f->src_ip, 16);
	memcpy(ip + 24, f->dst_ip, 16);
}

/* The UDP checksum covers a pseudo header of addresses, protocol and length. */
static void udp_checksum(const struct vnl_frame_flow *f, uint8_t *udp, size_t udp_len)
{
	size_t alen = f->family == AF_INET6 ? 16 : 4;
	uint32_t sum = csum_add(0, f->src_ip, alen);
	sum = csum_add(sum, f->dst_ip, alen);
	sum += IPPROTO_UDP_ + (uint32_t)(udp_len & 0xffff) + (uint32_t)(udp_len >> 16);
	sum = csum_add(sum, udp, udp_len);
	uint16_t c = csum_fold(sum);
	put16(udp + 6, c ? c : 0xffff); /* 0 would mean "no checksum" */
}

size_t vnl_frame_build(const struct vnl_frame_flow *f, uint8_t *frame, size_t payload_len)
{
	size_t hdr = vnl_frame_hdr_len(f->family);
	size_t udp_len = 8 + payload_len;
	if (udp_len > 65535 - 20)
		return 0;
	memcpy(frame, f->dst_mac, 6);
	memcpy(frame + 6, f->src_mac, 6);
	put16(frame + 12, f->family == AF_INET6 ? ETH_P_IPV6_ : ETH_P_IPV4);
	uint8_t *ip = frame + VNL_FRAME_ETH_LEN;
	uint8_t *udp = frame + hdr - 8;
	if (f->family == AF_INET6)
		build_ipv6(f, ip, udp_len);
	else
		build_ipv4(f, ip, udp_len);
	put16(udp, f->sport);
	put16(udp + 2, f->dport);
	put16(udp + 4, (uint16_t)udp_len);
	put16(udp + 6, 0);
	udp_checksum(f, udp, udp_len);
	return hdr + payload_len;
}

/* ---- parsing untrusted frames ---- */

/* The UDP header at udp, with avail bytes of IP payload behind it. */
static int parse_udp(const uint8_t *udp, size_t avail, struct vnl_frame_view *out)
{
	if (avail < 8)
		return -1;
	size_t udp_len = get16(udp + 4);
	if (udp_len < 8 || udp_len > avail)
		return -1;
	out->sport = get16(udp);
	out->dport = get16(udp + 2);
	out->payload = udp + 8;
	out->payload_len = udp_len - 8;
	return 0;
}

static int parse_ipv4(const uint8_t *ip, size_t len, struct vnl_frame_view *out)
{
	if (len < 20 || ip[0] >> 4 != 4)
		return -1;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t total = get16(ip + 2);
	if (ihl < 20 || total < ihl || total > len)
		return -1;
	if (ip[9] != IPPROTO_UDP_ || (get16(ip + 6) & IPV4_MF_OFFSET))
		return -1;
	out->family = AF_INET;
	out->src_ip = ip + 12;
	return parse_udp(ip + ihl, total - ihl, out);
}

static int parse_ipv6(const uint8_t *ip, size_t len, struct vnl_frame_view *out)
{
	if (len < 40 || ip[0] >> 4 != 6)
		return -1;
	size_t plen = get16(ip + 4);
	if (plen > len - 40 || ip[6] != IPPROTO_UDP_)
		return -1;
	out->family = AF_INET6;
	out->src_ip = ip + 8;
	return parse_udp(ip + 40, plen, out);
}

int vnl_frame_parse(const uint8_t *frame, size_t len, struct vnl_frame_view *out)
{
	memset(out, 0, sizeof(*out));
	if (len < VNL_FRAME_ETH_LEN)
		return -1;
	size_t off = VNL_FRAME_ETH_LEN;
	uint16_t proto = get16(frame + 12);
	if (proto == ETH_P_VLAN) {
		if (len < off + 4)
			return -1;
		proto = get16(frame + 16);
		off += 4;
	}
	if (proto == ETH_P_IPV4)
		return parse_ipv4(frame + off, len - off, out);
	if (proto == ETH_P_IPV6_)
		return parse_ipv6(frame + off, len - off, out);
	return -1;
}
