/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wire format: round trips, classification of bad input, CRC coverage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "wire.h"

#define OFF_VERSION 4
#define OFF_TYPE 5
#define OFF_NFU 6
#define OFF_CRC 20

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static const int64_t extremes[] = { 0, 1, -1, INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1 };
#define N_EXTREMES (sizeof(extremes) / sizeof(extremes[0]))

static int64_t value(unsigned i)
{
	return i % 3 == 0 ? extremes[(i / 3) % N_EXTREMES] : (int64_t)rnd();
}

/* A probe with every field set, unused follow-up slots zero (as decode leaves them). */
static void make_probe(struct vnl_probe *p, uint8_t type, unsigned nfu, unsigned salt)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->flags = (uint8_t)rnd();
	p->stream_id = (uint32_t)rnd();
	p->host_id = salt % 2 ? UINT32_MAX : (uint32_t)rnd();
	p->clock_id = (uint32_t)rnd();
	p->seq = salt % 5 == 0 ? VNL_WIRE_MAX_COUNT : rnd() >> 1;
	p->sched = value(salt);
	p->app_tx_sched = value(salt + 1);
	p->app_tx = value(salt + 2);
	p->sent_total = type == VNL_WIRE_FIN ? p->seq : 0;
	p->interval_ns = type == VNL_WIRE_DATA ? (int64_t)(rnd() >> 1) : 0;
	p->n_followups = (uint8_t)nfu;
	for (unsigned i = 0; i < nfu; i++) {
		p->fu[i].seq = rnd() >> 1;
		p->fu[i].tx_sched = value(salt + 3 * i);
		p->fu[i].tx_sw = value(salt + 3 * i + 1);
		p->fu[i].tx_hw = value(salt + 3 * i + 2);
	}
}

static uint32_t crc_with_zero_field(const unsigned char *b, size_t len)
{
	unsigned char *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, b, len);
	memset(copy + OFF_CRC, 0, 4);
	uint32_t crc = (uint32_t)crc32(0L, copy, (uInt)len);
	free(copy);
	return crc;
}

/* Rewrite the CRC so that only the structural check under test can fail. */
static void fix_crc(unsigned char *b, size_t len)
{
	uint32_t crc = crc_with_zero_field(b, len);
	b[OFF_CRC] = (unsigned char)(crc >> 24);
	b[OFF_CRC + 1] = (unsigned char)(crc >> 16);
	b[OFF_CRC + 2] = (unsigned char)(crc >> 8);
	b[OFF_CRC + 3] = (unsigned char)crc;
}

/* Decode from a heap copy of exactly len bytes, so ASan sees any over-read. */
static enum vnl_wire_result decode_exact(const unsigned char *b, size_t len, struct vnl_probe *out)
{
	unsigned char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, b, len);
	enum vnl_wire_result res = vnl_wire_decode(copy, len, out);
	free(copy);
	return res;
}

static void test_capacity(void **state)
{
	(void)state;
	assert_int_equal(vnl_wire_followup_capacity(0), 0);
	assert_int_equal(vnl_wire_followup_capacity(VNL_WIRE_HEADER_SIZE - 1), 0);
	assert_int_equal(vnl_wire_followup_capacity(VNL_WIRE_HEADER_SIZE), 0);
	assert_int_equal(vnl_wire_followup_capacity(VNL_WIRE_MIN_SIZE - 1), 0);
	assert_int_equal(vnl_wire_followup_capacity(VNL_WIRE_MIN_SIZE), 1);
	assert_int_equal(vnl_wire_followup_capacity(VNL_WIRE_HEADER_SIZE + 3 * VNL_WIRE_FOLLOWUP_SIZE + 31), 3);
	assert_int_equal(vnl_wire_followup_capacity(VNL_WIRE_MAX_SIZE), VNL_WIRE_MAX_FOLLOWUPS);
}

static void test_round_trip_every_len(void **state)
{
	(void)state;
	static unsigned char buf[VNL_WIRE_MAX_SIZE];
	const uint8_t types[] = { VNL_WIRE_DATA, VNL_WIRE_FIN };
	unsigned salt = 0;

	for (size_t len = VNL_WIRE_HEADER_SIZE; len <= 400; len++) {
		for (unsigned t = 0; t < 2; t++) {
			for (unsigned nfu = 0; nfu <= vnl_wire_followup_capacity(len); nfu++) {
				struct vnl_probe in, out;
				make_probe(&in, types[t], nfu, salt++);
				memset(buf, 0xa5, len);
				assert_int_equal(vnl_wire_encode(&in, buf, len), 0);
				assert_int_equal(decode_exact(buf, len, &out), VNL_WIRE_OK);
				assert_memory_equal(&in, &out, sizeof(in));
				/* padding is zeroed whatever was in the buffer */
				size_t used = VNL_WIRE_HEADER_SIZE + nfu * VNL_WIRE_FOLLOWUP_SIZE;
				for (size_t i = used; i < len; i++)
					assert_int_equal(buf[i], 0);
			}
		}
	}
}

static void test_round_trip_max_size(void **state)
{
	(void)state;
	static unsigned char buf[VNL_WIRE_MAX_SIZE];
	for (unsigned nfu = 0; nfu <= VNL_WIRE_MAX_FOLLOWUPS; nfu++) {
		struct vnl_probe in, out;
		make_probe(&in, VNL_WIRE_FIN, nfu, nfu);
		assert_int_equal(vnl_wire_encode(&in, buf, sizeof(buf)), 0);
		assert_int_equal(decode_exact(buf, sizeof(buf), &out), VNL_WIRE_OK);
		assert_memory_equal(&in, &out, sizeof(in));
	}
}

static void test_encode_rejects(void **state)
{
	(void)state;
	static unsigned char buf[VNL_WIRE_MAX_SIZE + 1];
	struct vnl_probe p;

	make_probe(&p, VNL_WIRE_DATA, 0, 1);
	assert_int_equal(vnl_wire_encode(&p, buf, VNL_WIRE_HEADER_SIZE - 1), -1);
	assert_int_equal(vnl_wire_encode(&p, buf, VNL_WIRE_MAX_SIZE + 1), -1);
	make_probe(&p, VNL_WIRE_DATA, 2, 1);
	assert_int_equal(vnl_wire_encode(&p, buf, VNL_WIRE_MIN_SIZE), -1);
	assert_int_equal(vnl_wire_encode(&p, buf, VNL_WIRE_MIN_SIZE + VNL_WIRE_FOLLOWUP_SIZE), 0);
	p.n_followups = VNL_WIRE_MAX_FOLLOWUPS + 1;
	assert_int_equal(vnl_wire_encode(&p, buf, VNL_WIRE_MAX_SIZE), -1);
	make_probe(&p, 0, 0, 1);
	assert_int_equal(vnl_wire_encode(&p, buf, 128), -1);
	make_probe(&p, 3, 0, 1);
	assert_int_equal(vnl_wire_encode(&p, buf, 128), -1);
}

static void test_foreign(void **state)
{
	(void)state;
	unsigned char buf[256];
	struct vnl_probe out;

	for (size_t len = 0; len < 4; len++) {
		memset(buf, 0, sizeof(buf));
		assert_int_equal(decode_exact(buf, len, &out), VNL_WIRE_FOREIGN);
	}
	/* random traffic without the magic, at all sizes */
	for (size_t len = 0; len <= sizeof(buf); len++) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)rnd();
		if (len >= 4 && memcmp(buf, "VNLP", 4) == 0)
			buf[0] = 0;
		assert_int_equal(decode_exact(buf, len, &out), VNL_WIRE_FOREIGN);
	}
	/* a DNS-looking packet and an all-zero one */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(decode_exact(buf, 128, &out), VNL_WIRE_FOREIGN);
}

static void encode_valid(unsigned char *buf, size_t len, unsigned nfu)
{
	struct vnl_probe p;
	make_probe(&p, VNL_WIRE_DATA, nfu, 7);
	assert_int_equal(vnl_wire_encode(&p, buf, len), 0);
}

static void test_malformed(void **state)
{
	(void)state;
	static unsigned char buf[VNL_WIRE_MAX_SIZE + 64];
	struct vnl_probe out;

	/* magic right, too short for a header */
	encode_valid(buf, 128, 1);
	for (size_t len = 4; len < VNL_WIRE_HEADER_SIZE; len++)
		assert_int_equal(decode_exact(buf, len, &out), VNL_WIRE_MALFORMED);

	/* unknown version, with a CRC that matches */
	encode_valid(buf, 128, 1);
	buf[OFF_VERSION] = VNL_WIRE_VERSION + 1;
	fix_crc(buf, 128);
	assert_int_equal(decode_exact(buf, 128, &out), VNL_WIRE_MALFORMED);

	/* unknown types */
	const unsigned bad_types[] = { 0, 3, 255 };
	for (unsigned i = 0; i < 3; i++) {
		encode_valid(buf, 128, 1);
		buf[OFF_TYPE] = (unsigned char)bad_types[i];
		fix_crc(buf, 128);
		assert_int_equal(decode_exact(buf, 128, &out), VNL_WIRE_MALFORMED);
	}

	/* more follow-ups than the length can hold, and than the maximum */
	encode_valid(buf, 128, 1);
	buf[OFF_NFU] = 3; /* 128 bytes hold 2 */
	fix_crc(buf, 128);
	assert_int_equal(decode_exact(buf, 128, &out), VNL_WIRE_MALFORMED);
	encode_valid(buf, VNL_WIRE_MAX_SIZE, 8);
	buf[OFF_NFU] = VNL_WIRE_MAX_FOLLOWUPS + 1;
	fix_crc(buf, VNL_WIRE_MAX_SIZE);
	assert_int_equal(decode_exact(buf, VNL_WIRE_MAX_SIZE, &out), VNL_WIRE_MALFORMED);

	/* longer than any probe, even with a matching CRC */
	encode_valid(buf, VNL_WIRE_MAX_SIZE, 0);
	memset(buf + VNL_WIRE_MAX_SIZE, 0, 64);
	fix_crc(buf, VNL_WIRE_MAX_SIZE + 64);
	assert_int_equal(decode_exact(buf, VNL_WIRE_MAX_SIZE + 64, &out), VNL_WIRE_MALFORMED);

	/* a valid structure with the CRC off by one */
	encode_valid(buf, 128, 1);
	buf[OFF_CRC + 3] ^= 1;
	assert_int_equal(decode_exact(buf, 128, &out), VNL_WIRE_MALFORMED);
}

static void put_be64(unsigned char *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)v;
}

/* A probe of type with one 64-bit header field (or follow-up 0's seq) rewritten, CRC valid. */
static enum vnl_wire_result decode_forged(uint8_t type, size_t off, uint64_t v,
					  struct vnl_probe *out)
{
	static unsigned char buf[128];
	struct vnl_probe p;
	make_probe(&p, type, 1, 7);
	p.seq = 20;
	p.sent_total = type == VNL_WIRE_FIN ? 20 : 0;
	assert_int_equal(vnl_wire_encode(&p, buf, sizeof(buf)), 0);
	put_be64(buf + off, v);
	fix_crc(buf, sizeof(buf));
	return decode_exact(buf, sizeof(buf), out);
}

#define OFF_SEQ 24
#define OFF_TOTAL_OR_INTERVAL 56
#define OFF_FU0_SEQ 64

/* Issue 9: counters past the signed 64-bit range are malformed, never figures. */
static void test_counts_out_of_range(void **state)
{
	(void)state;
	struct vnl_probe out;
	const uint64_t too_big[] = { UINT64_MAX, VNL_WIRE_MAX_COUNT + 1 };

	for (unsigned i = 0; i < 2; i++) {
		uint64_t v = too_big[i];
		/* a FIN's sent_total 2^64-1 was JSON "sent": -1 */
		assert_int_equal(decode_forged(VNL_WIRE_FIN, OFF_TOTAL_OR_INTERVAL, v, &out),
				 VNL_WIRE_MALFORMED);
		/* a probe's seq 2^64-1 made the seq span wrap: "sent 0, received 23" */
		assert_int_equal(decode_forged(VNL_WIRE_DATA, OFF_SEQ, v, &out), VNL_WIRE_MALFORMED);
		assert_int_equal(decode_forged(VNL_WIRE_FIN, OFF_SEQ, v, &out), VNL_WIRE_MALFORMED);
		assert_int_equal(decode_forged(VNL_WIRE_DATA, OFF_FU0_SEQ, v, &out),
				 VNL_WIRE_MALFORMED);
		/* a negative interval */
		assert_int_equal(decode_forged(VNL_WIRE_DATA, OFF_TOTAL_OR_INTERVAL, v, &out),
				 VNL_WIRE_MALFORMED);
	}
	/* a FIN whose total disagrees with its seq */
	assert_int_equal(decode_forged(VNL_WIRE_FIN, OFF_TOTAL_OR_INTERVAL, 21, &out),
			 VNL_WIRE_MALFORMED);
	/* the largest values still decode */
	assert_int_equal(decode_forged(VNL_WIRE_DATA, OFF_SEQ, VNL_WIRE_MAX_COUNT, &out), VNL_WIRE_OK);
	assert_true(out.seq == VNL_WIRE_MAX_COUNT);
	assert_int_equal(decode_forged(VNL_WIRE_DATA, OFF_TOTAL_OR_INTERVAL, 1000000, &out),
			 VNL_WIRE_OK);
	assert_int_equal(out.interval_ns, 1000000);
	assert_true(out.sent_total == 0);

	/* and the encoder does not make them */
	static unsigned char buf[128];
	struct vnl_probe p;
	make_probe(&p, VNL_WIRE_DATA, 0, 1);
	p.seq = VNL_WIRE_MAX_COUNT + 1;
	assert_int_equal(vnl_wire_encode(&p, buf, sizeof(buf)), -1);
	make_probe(&p, VNL_WIRE_FIN, 0, 1);
	p.sent_total = p.seq + 1;
	assert_int_equal(vnl_wire_encode(&p, buf, sizeof(buf)), -1);
}

/* Issue 9: a DATA probe says the sender's interval; a FIN carries its total in that field. */
static void test_interval_carried(void **state)
{
	(void)state;
	static unsigned char buf[VNL_WIRE_MIN_SIZE];
	struct vnl_probe p, out;
	make_probe(&p, VNL_WIRE_DATA, 0, 1);
	p.seq = 3;
	p.interval_ns = 1000000;
	assert_int_equal(vnl_wire_encode(&p, buf, sizeof(buf)), 0);
	assert_int_equal(decode_exact(buf, sizeof(buf), &out), VNL_WIRE_OK);
	assert_int_equal(out.interval_ns, 1000000);
	make_probe(&p, VNL_WIRE_FIN, 0, 1);
	p.seq = p.sent_total = 42;
	assert_int_equal(vnl_wire_encode(&p, buf, sizeof(buf)), 0);
	assert_int_equal(decode_exact(buf, sizeof(buf), &out), VNL_WIRE_OK);
	assert_true(out.sent_total == 42 && out.interval_ns == 0);
}

static void test_every_bit_flip_caught(void **state)
{
	(void)state;
	const size_t sizes[] = { VNL_WIRE_HEADER_SIZE, VNL_WIRE_MIN_SIZE, 200, 1500 };
	static unsigned char buf[1500];
	struct vnl_probe out;

	for (unsigned s = 0; s < 4; s++) {
		size_t len = sizes[s];
		encode_valid(buf, len, vnl_wire_followup_capacity(len));
		for (size_t bit = 0; bit < len * 8; bit++) {
			buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			enum vnl_wire_result res = decode_exact(buf, len, &out);
			/* a flip in the magic makes it someone else's packet */
			assert_int_equal(res, bit < 32 ? VNL_WIRE_FOREIGN : VNL_WIRE_MALFORMED);
			buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
		assert_int_equal(decode_exact(buf, len, &out), VNL_WIRE_OK);
	}
}

static void test_truncation_every_len(void **state)
{
	(void)state;
	static unsigned char buf[512];
	struct vnl_probe out;

	for (size_t full = VNL_WIRE_HEADER_SIZE; full <= sizeof(buf); full += 37) {
		encode_valid(buf, full, vnl_wire_followup_capacity(full));
		for (size_t len = 0; len < full; len++) {
			enum vnl_wire_result res = decode_exact(buf, len, &out);
			assert_int_equal(res, len < 4 ? VNL_WIRE_FOREIGN : VNL_WIRE_MALFORMED);
		}
		assert_int_equal(decode_exact(buf, full, &out), VNL_WIRE_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_round_trip_every_len),
		cmocka_unit_test(test_round_trip_max_size),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_counts_out_of_range),
		cmocka_unit_test(test_interval_carried),
		cmocka_unit_test(test_every_bit_flip_caught),
		cmocka_unit_test(test_truncation_every_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
