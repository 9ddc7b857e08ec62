/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recv --pcap: a preallocated ring of received probes, written as pcapng off the hot path. */
#include "rxpcap.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "pcapng.h"
#include "safefile.h"
#include "timeutil.h"

/* Datagrams held by seq until finished: twice the receiver's pending ring (16384), since a
 * datagram is held before the receiver finishes the packet 16384 seqs older in its slot. */
#define IN_RING 32768
#define OUT_RING 16384 /* finished probes held until written */
#define OUTBUF (256 * 1024)
#define COMMENT_MAX 512
#define HDR_MAX VNL_FRAME_UDP6_HDR_LEN

struct held {
	uint64_t seq;
	uint32_t len;                 /* the payload's length as received */
	struct sockaddr_in6 peer;     /* or a sockaddr_in in its first bytes */
	uint8_t bytes[VNL_RXPCAP_SNAP];
};

struct finished {
	struct vnl_pkt pkt;
	struct held d;
	bool has_d;
};

struct vnl_rxpcap {
	int fd, err;
	struct sockaddr_in6 local;
	struct held *in;
	struct finished *out;
	size_t n_out;
	uint64_t written;
	int64_t last_flush;
	uint8_t *buf;
	size_t used;
};

static void set_err(char *err, size_t len, const char *what, const char *path, int e)
{
	snprintf(err, len, "cannot write the pcap file '%s': %s%s", path, what,
		 e ? vnl_file_why(e) : "");
}

static int flush_buf(struct vnl_rxpcap *c)
{
	for (size_t off = 0; off < c->used;) {
		ssize_t n = write(c->fd, c->buf + off, c->used - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->err = n < 0 ? -errno : -EIO;
			c->used = 0;
			return -1;
		}
		off += (size_t)n;
	}
	c->used = 0;
	return 0;
}

struct vnl_rxpcap *vnl_rxpcap_open(const char *path, int fd, const char *if_name,
				   char *err, size_t errlen)
{
	struct vnl_rxpcap *c = calloc(1, sizeof(*c));
	if (!c || !(c->in = malloc(IN_RING * sizeof(*c->in))) ||
	    !(c->out = malloc(OUT_RING * sizeof(*c->out))) || !(c->buf = malloc(OUTBUF))) {
		snprintf(err, errlen, "out of memory for the pcap ring");
		goto fail;
	}
	/* Touched now, not mid-run. */
	memset(c->in, 0, IN_RING * sizeof(*c->in));
	memset(c->out, 0, OUT_RING * sizeof(*c->out));
	socklen_t sl = sizeof(c->local);
	if (getsockname(fd, (struct sockaddr *)&c->local, &sl) < 0)
		memset(&c->local, 0, sizeof(c->local));
	c->fd = vnl_file_create(path, true);
	if (c->fd < 0) {
		set_err(err, errlen, "", path, errno);
		goto fail;
	}
	c->used = vnl_pcapng_shb(c->buf, OUTBUF, "vnetlat recv");
	c->used += vnl_pcapng_idb(c->buf + c->used, OUTBUF - c->used,
				  VNL_PCAPNG_LINKTYPE_RAW, HDR_MAX + VNL_RXPCAP_SNAP, if_name);
	if (flush_buf(c) < 0) {
		set_err(err, errlen, "", path, -c->err);
		close(c->fd);
		goto fail;
	}
	return c;
fail:
	if (c) {
		free(c->in);
		free(c->out);
		free(c->buf);
	}
	free(c);
	return NULL;
}

void vnl_rxpcap_hold(struct vnl_rxpcap *c, uint64_t seq, const uint8_t *payload, size_t len,
		     const struct msghdr *msg)
{
	struct held *h = &c->in[seq % IN_RING];
	h->seq = seq;
	h->len = (uint32_t)len;
	memcpy(h->bytes, payload, len < VNL_RXPCAP_SNAP ? len : VNL_RXPCAP_SNAP);
	size_t nl = msg->msg_name ? msg->msg_namelen : 0;
	memset(&h->peer, 0, sizeof(h->peer));
	memcpy(&h->peer, msg->msg_name, nl < sizeof(h->peer) ? nl : sizeof(h->peer));
}

/* An address as the frame builder wants it; a v4-mapped IPv6 one becomes IPv4. */
static int addr_of(const struct sockaddr_in6 *sa, uint8_t ip[16], uint16_t *port)
{
	memset(ip, 0, 16);
	if (sa->sin6_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		memcpy(ip, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
		return AF_INET;
	}
	*port = ntohs(sa->sin6_port);
	if (sa->sin6_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr)) {
		memcpy(ip, &sa->sin6_addr.s6_addr[12], 4);
		return AF_INET;
	}
	memcpy(ip, &sa->sin6_addr, 16);
	return AF_INET6;
}

static void comment_of(const struct vnl_pkt *p, char *s, size_t len)
{
	int n = snprintf(s, len, "seq=%" PRIu64, p->seq);
	if (p->flags & VNL_PKT_F_DUPLICATE)
		n += snprintf(s + n, len - (size_t)n, " duplicate");
	if (p->flags & VNL_PKT_F_REORDERED)
		n += snprintf(s + n, len - (size_t)n, " reordered");
	static const struct { const char *name; size_t off; } st[] = {
		{ "rx_sw", offsetof(struct vnl_pkt, rx_sw) },
		{ "rx_hw", offsetof(struct vnl_pkt, rx_hw) },
		{ "app_rx", offsetof(struct vnl_pkt, app_rx) },
		{ "tx_sched", offsetof(struct vnl_pkt, tx_sched) },
		{ "tx_sw", offsetof(struct vnl_pkt, tx_sw) },
		{ "tx_hw", offsetof(struct vnl_pkt, tx_hw) },
	};
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]) && (size_t)n < len; i++) {
		int64_t v;
		memcpy(&v, (const char *)p + st[i].off, sizeof(v));
		if (v)
			n += snprintf(s + n, len - (size_t)n, " %s=%" PRId64, st[i].name, v);
	}
	for (int k = 0; k < VNL_STAGE__COUNT && (size_t)n < len; k++) {
		int64_t v;
		if (vnl_pkt_stage(p, (enum vnl_stage)k, &v))
			n += snprintf(s + n, len - (size_t)n, " %s=%" PRId64 "ns",
				      vnl_stage_name((enum vnl_stage)k), v);
	}
}

/* One EPB for F into the write buffer. */
static void put_one(struct vnl_rxpcap *c, const struct finished *f)
{
	uint8_t frame[HDR_MAX + VNL_RXPCAP_SNAP];
	struct vnl_frame_flow fl = { .ttl = 64 };
	size_t caplen = 0;
	uint32_t origlen = 0;
	if (f->has_d) {
		int fam = addr_of(&f->d.peer, fl.src_ip, &fl.sport);
		int lfam = addr_of(&c->local, fl.dst_ip, &fl.dport);
		if (lfam != fam) /* a dual-stack socket bound to :: got IPv4 */
			memset(fl.dst_ip, 0, sizeof(fl.dst_ip));
		fl.family = fam;
		size_t hl = vnl_frame_hdr_len(fam);
		size_t keep = f->d.len < VNL_RXPCAP_SNAP ? f->d.len : VNL_RXPCAP_SNAP;
		memcpy(frame + hl, f->d.bytes, keep);
		/* The checksums cover the kept bytes only when the payload was cut. */
		size_t fl_len = vnl_frame_build(&fl, frame, keep);
		if (fl_len) {
			size_t ip_total = hl - VNL_FRAME_ETH_LEN + f->d.len;
			/* The IP and UDP lengths say the datagram's real size. */
			if (keep < f->d.len) {
				uint8_t *ip = frame + VNL_FRAME_ETH_LEN;
				uint16_t udp_len = htons((uint16_t)(8 + f->d.len));
				if (fam == AF_INET) {
					uint16_t tot = htons((uint16_t)ip_total);
					memcpy(ip + 2, &tot, 2);
					memset(ip + 10, 0, 2);
					uint32_t sum = 0;
					for (int i = 0; i < 20; i += 2)
						sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
					while (sum >> 16)
						sum = (sum & 0xffff) + (sum >> 16);
					uint16_t ck = htons((uint16_t)~sum);
					memcpy(ip + 10, &ck, 2);
					memcpy(ip + 24, &udp_len, 2);
					memset(ip + 26, 0, 2); /* no UDP checksum: not all bytes kept */
				} else {
					uint16_t pl = htons((uint16_t)(8 + f->d.len));
					memcpy(ip + 4, &pl, 2);
					memcpy(ip + 44, &udp_len, 2); /* checksum: of the kept bytes (man page) */
				}
			}
			caplen = fl_len - VNL_FRAME_ETH_LEN;
			origlen = (uint32_t)ip_total;
		}
	}
	char comment[COMMENT_MAX];
	comment_of(&f->pkt, comment, sizeof(comment));
	uint64_t ts = (uint64_t)(f->pkt.rx_sw ? f->pkt.rx_sw : f->pkt.app_rx);
	size_t need = vnl_pcapng_epb_size(caplen, strlen(comment));
	if (OUTBUF - c->used < need && flush_buf(c) < 0)
		return;
	c->used += vnl_pcapng_epb(c->buf + c->used, OUTBUF - c->used, 0, ts,
				  frame + VNL_FRAME_ETH_LEN, (uint32_t)caplen, origlen, comment);
	c->written++;
}

static void write_out(struct vnl_rxpcap *c)
{
	if (c->err) {
		c->n_out = 0;
		return;
	}
	for (size_t i = 0; i < c->n_out; i++)
		put_one(c, &c->out[i]);
	c->n_out = 0;
	flush_buf(c);
}

void vnl_rxpcap_add(struct vnl_rxpcap *c, const struct vnl_pkt *p)
{
	if (c->n_out == OUT_RING)
		write_out(c); /* faster than a second's tick can take: a batch now */
	struct finished *f = &c->out[c->n_out++];
	f->pkt = *p;
	const struct held *h = &c->in[p->seq % IN_RING];
	f->has_d = h->seq == p->seq && h->len;
	if (f->has_d)
		f->d = *h;
}

void vnl_rxpcap_tick(struct vnl_rxpcap *c, int64_t now_ns)
{
	if (!c || now_ns - c->last_flush < VNL_NSEC_PER_SEC)
		return;
	c->last_flush = now_ns;
	write_out(c);
}

int vnl_rxpcap_close(struct vnl_rxpcap *c, uint64_t *written)
{
	if (!c)
		return 0;
	write_out(c);
	int rc = c->err;
	if (close(c->fd) < 0 && !rc)
		rc = -errno;
	if (written)
		*written = c->written;
	free(c->in);
	free(c->out);
	free(c->buf);
	free(c);
	return rc;
}
