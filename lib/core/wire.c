/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe's wire format: see doc/wire-format.md for the byte layout.
 * Runs once per packet on both ends, so it allocates nothing, formats
 * nothing, and the decoder never reads past the length it was handed.
 */
#include "wire.h"
#include "fuzzing.h"

#include <endian.h>
#include <string.h>
#include <zlib.h>

/* Byte offsets of the header fields (doc/wire-format.md). */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 4,
	OFF_TYPE = 5,
	OFF_NFU = 6,
	OFF_FLAGS = 7,
	OFF_STREAM = 8,
	OFF_HOST = 12,
	OFF_CLOCK = 16,
	OFF_CRC = 20,
	OFF_SEQ = 24,
	OFF_SCHED = 32,
	OFF_APP_TX_SCHED = 40,
	OFF_APP_TX = 48,
	OFF_TOTAL_OR_INTERVAL = 56, /* FIN: sent_total; DATA: interval_ns */
};

/* Offsets inside one follow-up entry. */
enum { FU_SEQ = 0, FU_TX_SCHED = 8, FU_TX_SW = 16, FU_TX_HW = 24 };

_Static_assert(OFF_TOTAL_OR_INTERVAL + 8 == VNL_WIRE_HEADER_SIZE, "header layout");
_Static_assert(FU_TX_HW + 8 == VNL_WIRE_FOLLOWUP_SIZE, "follow-up layout");

static void put32(unsigned char *b, uint32_t v)
{
	v = htobe32(v);
	memcpy(b, &v, sizeof(v));
}

static void put64(unsigned char *b, uint64_t v)
{
	v = htobe64(v);
	memcpy(b, &v, sizeof(v));
}

static uint32_t get32(const unsigned char *b)
{
	uint32_t v;
	memcpy(&v, b, sizeof(v));
	return be32toh(v);
}

static uint64_t get64(const unsigned char *b)
{
	uint64_t v;
	memcpy(&v, b, sizeof(v));
	return be64toh(v);
}

static int known_type(uint8_t type)
{
	return type == VNL_WIRE_DATA || type == VNL_WIRE_FIN;
}

/*
 * Counts a real sender can produce: seqs and totals within the signed range,
 * a FIN's total equal to its seq, a non-negative interval. Anything else is
 * forged or corrupt and would turn into negative or wrapped figures.
 */
static int counts_in_range(const struct vnl_probe *p)
{
	if (p->seq > VNL_WIRE_MAX_COUNT || p->interval_ns < 0)
		return 0;
	if (p->type == VNL_WIRE_FIN ? p->sent_total != p->seq || p->interval_ns
				    : p->sent_total != 0)
		return 0;
	for (unsigned i = 0; i < p->n_followups && i < VNL_WIRE_MAX_FOLLOWUPS; i++)
		if (p->fu[i].seq > VNL_WIRE_MAX_COUNT)
			return 0;
	return 1;
}

unsigned vnl_wire_followup_capacity(size_t len)
{
	if (len < VNL_WIRE_HEADER_SIZE)
		return 0;
	size_t room = (len - VNL_WIRE_HEADER_SIZE) / VNL_WIRE_FOLLOWUP_SIZE;
	return room < VNL_WIRE_MAX_FOLLOWUPS ? (unsigned)room : VNL_WIRE_MAX_FOLLOWUPS;
}

/* CRC-32 of the whole payload with the CRC field itself read as zero. */
static uint32_t payload_crc(const unsigned char *b, size_t len)
{
	static const unsigned char zero[4];
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, b, OFF_CRC);
	crc = crc32(crc, zero, sizeof(zero));
	crc = crc32(crc, b + OFF_CRC + 4, (uInt)(len - OFF_CRC - 4));
	return (uint32_t)crc;
}

static void encode_followup(const struct vnl_followup *f, unsigned char *b)
{
	put64(b + FU_SEQ, f->seq);
	put64(b + FU_TX_SCHED, (uint64_t)f->tx_sched);
	put64(b + FU_TX_SW, (uint64_t)f->tx_sw);
	put64(b + FU_TX_HW, (uint64_t)f->tx_hw);
}

static void decode_followup(const unsigned char *b, struct vnl_followup *f)
{
	f->seq = get64(b + FU_SEQ);
	f->tx_sched = (int64_t)get64(b + FU_TX_SCHED);
	f->tx_sw = (int64_t)get64(b + FU_TX_SW);
	f->tx_hw = (int64_t)get64(b + FU_TX_HW);
}

int vnl_wire_encode(const struct vnl_probe *p, void *buf, size_t len)
{
	unsigned char *b = buf;

	if (len < VNL_WIRE_HEADER_SIZE || len > VNL_WIRE_MAX_SIZE || !known_type(p->type) ||
	    p->n_followups > vnl_wire_followup_capacity(len) || !counts_in_range(p))
		return -1;

	put32(b + OFF_MAGIC, VNL_WIRE_MAGIC);
	b[OFF_VERSION] = VNL_WIRE_VERSION;
	b[OFF_TYPE] = p->type;
	b[OFF_NFU] = p->n_followups;
	b[OFF_FLAGS] = p->flags;
	put32(b + OFF_STREAM, p->stream_id);
	put32(b + OFF_HOST, p->host_id);
	put32(b + OFF_CLOCK, p->clock_id);
	put32(b + OFF_CRC, 0);
	put64(b + OFF_SEQ, p->seq);
	put64(b + OFF_SCHED, (uint64_t)p->sched);
	put64(b + OFF_APP_TX_SCHED, (uint64_t)p->app_tx_sched);
	put64(b + OFF_APP_TX, (uint64_t)p->app_tx);
	put64(b + OFF_TOTAL_OR_INTERVAL,
	      p->type == VNL_WIRE_FIN ? p->sent_total : (uint64_t)p->interval_ns);

	size_t off = VNL_WIRE_HEADER_SIZE;
	for (unsigned i = 0; i < p->n_followups; i++, off += VNL_WIRE_FOLLOWUP_SIZE)
		encode_followup(&p->fu[i], b + off);
	memset(b + off, 0, len - off);

	put32(b + OFF_CRC, payload_crc(b, len));
	return 0;
}

/* Structural checks that need no CRC: cheap rejection of garbage first. */
static enum vnl_wire_result check_header(const unsigned char *b, size_t len)
{
	if (len < 4 || get32(b + OFF_MAGIC) != VNL_WIRE_MAGIC)
		return VNL_WIRE_FOREIGN;
	if (len < VNL_WIRE_HEADER_SIZE || len > VNL_WIRE_MAX_SIZE)
		return VNL_WIRE_MALFORMED;
	if (b[OFF_VERSION] != VNL_WIRE_VERSION || !known_type(b[OFF_TYPE]) ||
	    b[OFF_NFU] > vnl_wire_followup_capacity(len))
		return VNL_WIRE_MALFORMED;
	if (get32(b + OFF_CRC) != payload_crc(b, len) && !VNL_FUZZING)
		return VNL_WIRE_MALFORMED;
	return VNL_WIRE_OK;
}

enum vnl_wire_result vnl_wire_decode(const void *buf, size_t len, struct vnl_probe *out)
{
	const unsigned char *b = buf;

	memset(out, 0, sizeof(*out));
	enum vnl_wire_result res = check_header(b, len);
	if (res != VNL_WIRE_OK)
		return res;

	out->type = b[OFF_TYPE];
	out->flags = b[OFF_FLAGS];
	out->n_followups = b[OFF_NFU];
	out->stream_id = get32(b + OFF_STREAM);
	out->host_id = get32(b + OFF_HOST);
	out->clock_id = get32(b + OFF_CLOCK);
	out->seq = get64(b + OFF_SEQ);
	out->sched = (int64_t)get64(b + OFF_SCHED);
	out->app_tx_sched = (int64_t)get64(b + OFF_APP_TX_SCHED);
	out->app_tx = (int64_t)get64(b + OFF_APP_TX);
	if (out->type == VNL_WIRE_FIN)
		out->sent_total = get64(b + OFF_TOTAL_OR_INTERVAL);
	else
		out->interval_ns = (int64_t)get64(b + OFF_TOTAL_OR_INTERVAL);

	size_t off = VNL_WIRE_HEADER_SIZE;
	for (unsigned i = 0; i < out->n_followups; i++, off += VNL_WIRE_FOLLOWUP_SIZE)
		decode_followup(b + off, &out->fu[i]);
	if (!counts_in_range(out)) {
		memset(out, 0, sizeof(*out));
		return VNL_WIRE_MALFORMED;
	}
	return VNL_WIRE_OK;
}
