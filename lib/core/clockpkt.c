/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clockpkt.h"

#include <endian.h>
#include <string.h>

enum { OFF_MAGIC = 0, OFF_VERSION = 4, OFF_TYPE = 5, OFF_FLAGS = 6, OFF_SEQ = 8, OFF_RES = 12,
       OFF_SESSION = 16, OFF_T1 = 24, OFF_T2 = 32, OFF_T3 = 40 };
_Static_assert(OFF_T3 + 8 == VNL_CLOCKPKT_SIZE, "clock packet layout");

static void put16(unsigned char *b, uint16_t v) { v = htobe16(v); memcpy(b, &v, 2); }
static void put32(unsigned char *b, uint32_t v) { v = htobe32(v); memcpy(b, &v, 4); }
static void put64(unsigned char *b, uint64_t v) { v = htobe64(v); memcpy(b, &v, 8); }
static uint16_t get16(const unsigned char *b) { uint16_t v; memcpy(&v, b, 2); return be16toh(v); }
static uint32_t get32(const unsigned char *b) { uint32_t v; memcpy(&v, b, 4); return be32toh(v); }
static uint64_t get64(const unsigned char *b) { uint64_t v; memcpy(&v, b, 8); return be64toh(v); }

size_t vnl_clockpkt_encode(const struct vnl_clockpkt *p, void *buf, size_t len)
{
	unsigned char *b = buf;
	if (len < VNL_CLOCKPKT_SIZE)
		return 0;
	put32(b + OFF_MAGIC, VNL_CLOCKPKT_MAGIC);
	b[OFF_VERSION] = VNL_CLOCKPKT_VERSION;
	b[OFF_TYPE] = p->type;
	put16(b + OFF_FLAGS, p->flags);
	put32(b + OFF_SEQ, p->seq);
	put32(b + OFF_RES, p->resolution_ns);
	put64(b + OFF_SESSION, p->session);
	put64(b + OFF_T1, (uint64_t)p->t1);
	put64(b + OFF_T2, (uint64_t)p->t2);
	put64(b + OFF_T3, (uint64_t)p->t3);
	return VNL_CLOCKPKT_SIZE;
}

void vnl_clockpkt_set_t3(void *buf, int64_t t3)
{
	put64((unsigned char *)buf + OFF_T3, (uint64_t)t3);
}

/* What each type must and must not carry. */
static int fields_ok(const struct vnl_clockpkt *p)
{
	if (p->t1 <= 0)
		return 0; /* the asker's stamp is always there, and after 1970 */
	if (p->type == VNL_CLOCKPKT_REQUEST)
		return !p->flags && !p->resolution_ns && !p->t2 && !p->t3;
	return !(p->flags & ~VNL_CLOCKPKT_F_KERNEL_RX) && p->resolution_ns <= VNL_CLOCKPKT_MAX_RES_NS &&
	       p->t2 > 0 && p->t3 >= p->t2;
}

enum vnl_clockpkt_err vnl_clockpkt_parse(const void *buf, size_t len, struct vnl_clockpkt *out)
{
	const unsigned char *b = buf;
	if (len != VNL_CLOCKPKT_SIZE)
		return VNL_CLOCKPKT_E_LENGTH;
	if (get32(b + OFF_MAGIC) != VNL_CLOCKPKT_MAGIC)
		return VNL_CLOCKPKT_E_MAGIC;
	if (b[OFF_VERSION] != VNL_CLOCKPKT_VERSION)
		return VNL_CLOCKPKT_E_VERSION;
	if (b[OFF_TYPE] != VNL_CLOCKPKT_REQUEST && b[OFF_TYPE] != VNL_CLOCKPKT_ANSWER)
		return VNL_CLOCKPKT_E_TYPE;
	*out = (struct vnl_clockpkt){
		.type = b[OFF_TYPE],
		.flags = get16(b + OFF_FLAGS),
		.seq = get32(b + OFF_SEQ),
		.resolution_ns = get32(b + OFF_RES),
		.session = get64(b + OFF_SESSION),
		.t1 = (int64_t)get64(b + OFF_T1),
		.t2 = (int64_t)get64(b + OFF_T2),
		.t3 = (int64_t)get64(b + OFF_T3),
	};
	return fields_ok(out) ? VNL_CLOCKPKT_OK : VNL_CLOCKPKT_E_FIELDS;
}

const char *vnl_clockpkt_strerror(enum vnl_clockpkt_err e)
{
	switch (e) {
	case VNL_CLOCKPKT_OK: return "valid";
	case VNL_CLOCKPKT_E_LENGTH: return "wrong length";
	case VNL_CLOCKPKT_E_MAGIC: return "wrong magic";
	case VNL_CLOCKPKT_E_VERSION: return "unknown version";
	case VNL_CLOCKPKT_E_TYPE: return "unknown type";
	case VNL_CLOCKPKT_E_FIELDS: return "inconsistent fields";
	}
	return "unknown error";
}
