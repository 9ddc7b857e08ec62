/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng blocks: type, total length, body, total length again; every
 * option and the packet data padded to 32 bits with zeros; options end
 * with opt_endofopt.
 */
#include "pcapng.h"

#include <stdbool.h>
#include <string.h>

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t opt_size(size_t len)
{
	return 4 + pad4(len);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* One option at P (padding zeroed); returns the bytes taken. */
static size_t put_opt(uint8_t *p, uint16_t code, const void *val, size_t len)
{
	put16(p, code);
	put16(p + 2, (uint16_t)len);
	memcpy(p + 4, val, len);
	memset(p + 4 + len, 0, pad4(len) - len);
	return opt_size(len);
}

/* Strings that do not fit an option's 16-bit length are cut short. */
static size_t opt_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0xfff0 ? 0xfff0 : n;
}

/* The options' end mark and the block's trailing length; returns the block's length. */
static size_t close_block(uint8_t *buf, size_t at, uint32_t type, bool any_opt)
{
	if (any_opt) {
		put32(buf + at, 0); /* opt_endofopt */
		at += 4;
	}
	size_t total = at + 4;
	put32(buf, type);
	put32(buf + 4, (uint32_t)total);
	put32(buf + at, (uint32_t)total);
	return total;
}

size_t vnl_pcapng_shb(uint8_t *buf, size_t cap, const char *app)
{
	size_t alen = opt_len(app);
	size_t need = 8 + 16 + (alen ? opt_size(alen) + 4 : 0) + 4;
	if (cap < need)
		return 0;
	put32(buf + 8, VNL_PCAPNG_BOM);
	put16(buf + 12, 1); /* version 1.0 */
	put16(buf + 14, 0);
	uint64_t section_len = UINT64_MAX; /* not given: written as a stream */
	memcpy(buf + 16, &section_len, 8);
	size_t at = 24;
	if (alen)
		at += put_opt(buf + at, VNL_PCAPNG_OPT_SHB_USERAPPL, app, alen);
	return close_block(buf, at, VNL_PCAPNG_SHB, alen > 0);
}

size_t vnl_pcapng_idb(uint8_t *buf, size_t cap, uint16_t linktype, uint32_t snaplen,
		      const char *if_name)
{
	size_t nlen = opt_len(if_name);
	size_t need = 8 + 8 + (nlen ? opt_size(nlen) : 0) + opt_size(1) + 4 + 4;
	if (cap < need)
		return 0;
	put16(buf + 8, linktype);
	put16(buf + 10, 0);
	put32(buf + 12, snaplen);
	size_t at = 16;
	if (nlen)
		at += put_opt(buf + at, VNL_PCAPNG_OPT_IF_NAME, if_name, nlen);
	uint8_t tsresol = 9; /* 10^-9 s */
	at += put_opt(buf + at, VNL_PCAPNG_OPT_IF_TSRESOL, &tsresol, 1);
	return close_block(buf, at, VNL_PCAPNG_IDB, true);
}

size_t vnl_pcapng_epb_size(size_t caplen, size_t comment_len)
{
	if (comment_len > 0xfff0)
		comment_len = 0xfff0;
	return 8 + 20 + pad4(caplen) + (comment_len ? opt_size(comment_len) + 4 : 0) + 4;
}

size_t vnl_pcapng_epb(uint8_t *buf, size_t cap, uint32_t if_id, uint64_t ts_ns,
		      const uint8_t *data, uint32_t caplen, uint32_t origlen, const char *comment)
{
	size_t clen = opt_len(comment);
	if (cap < vnl_pcapng_epb_size(caplen, clen))
		return 0;
	put32(buf + 8, if_id);
	put32(buf + 12, (uint32_t)(ts_ns >> 32));
	put32(buf + 16, (uint32_t)ts_ns);
	put32(buf + 20, caplen);
	put32(buf + 24, origlen);
	memcpy(buf + 28, data, caplen);
	memset(buf + 28 + caplen, 0, pad4(caplen) - caplen);
	size_t at = 28 + pad4(caplen);
	if (clen)
		at += put_opt(buf + at, VNL_PCAPNG_OPT_COMMENT, comment, clen);
	return close_block(buf, at, VNL_PCAPNG_EPB, clen > 0);
}
