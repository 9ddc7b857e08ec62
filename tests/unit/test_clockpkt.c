/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packet of 'vnetlat clock' exchanges: round trip, byte layout, and every
 * refusal of the strict parser (length, magic, version, type, fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clockpkt.h"

#define T0 (1700000000LL * 1000000000LL)

static const struct vnl_clockpkt request = { .type = VNL_CLOCKPKT_REQUEST, .seq = 7,
					      .session = 0x0123456789abcdefULL, .t1 = T0 };
static const struct vnl_clockpkt answer = { .type = VNL_CLOCKPKT_ANSWER, .flags = VNL_CLOCKPKT_F_KERNEL_RX,
					     .seq = 7, .resolution_ns = 1, .session = 0x0123456789abcdefULL,
					     .t1 = T0, .t2 = T0 + 5000, .t3 = T0 + 9000 };

static void round_trip(void **state)
{
	(void)state;
	unsigned char b[64];
	struct vnl_clockpkt p;
	assert_int_equal(vnl_clockpkt_encode(&request, b, sizeof(b)), VNL_CLOCKPKT_SIZE);
	assert_int_equal(vnl_clockpkt_parse(b, VNL_CLOCKPKT_SIZE, &p), VNL_CLOCKPKT_OK);
	assert_int_equal(p.type, request.type);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.seq, request.seq);
	assert_int_equal(p.resolution_ns, 0);
	assert_int_equal(p.session, request.session);
	assert_int_equal(p.t1, request.t1);
	assert_int_equal(p.t2, 0);
	assert_int_equal(p.t3, 0);
	assert_int_equal(vnl_clockpkt_encode(&answer, b, sizeof(b)), VNL_CLOCKPKT_SIZE);
	vnl_clockpkt_set_t3(b, T0 + 12000);
	assert_int_equal(vnl_clockpkt_parse(b, VNL_CLOCKPKT_SIZE, &p), VNL_CLOCKPKT_OK);
	assert_int_equal(p.t3, T0 + 12000);
	assert_int_equal(p.t2, T0 + 5000);
	assert_int_equal(p.flags, VNL_CLOCKPKT_F_KERNEL_RX);
	assert_int_equal(vnl_clockpkt_encode(&answer, b, VNL_CLOCKPKT_SIZE - 1), 0);
}

static void layout(void **state)
{
	(void)state;
	unsigned char b[VNL_CLOCKPKT_SIZE];
	vnl_clockpkt_encode(&answer, b, sizeof(b));
	assert_memory_equal(b, "VNLC", 4);
	assert_int_equal(b[4], VNL_CLOCKPKT_VERSION);
	assert_int_equal(b[5], VNL_CLOCKPKT_ANSWER);
	assert_int_equal(b[7], 1);  /* flags, big endian */
	assert_int_equal(b[11], 7); /* seq */
	assert_int_equal(b[15], 1); /* resolution */
	assert_int_equal(b[16], 0x01);
	assert_int_equal(b[23], 0xef); /* session */
}

static enum vnl_clockpkt_err parse_changed(const struct vnl_clockpkt *base, size_t off, unsigned char v)
{
	unsigned char b[VNL_CLOCKPKT_SIZE];
	struct vnl_clockpkt p;
	vnl_clockpkt_encode(base, b, sizeof(b));
	b[off] = v;
	return vnl_clockpkt_parse(b, sizeof(b), &p);
}

static void refusals(void **state)
{
	(void)state;
	unsigned char b[VNL_CLOCKPKT_SIZE + 1];
	struct vnl_clockpkt p, q;
	vnl_clockpkt_encode(&request, b, sizeof(b));
	b[VNL_CLOCKPKT_SIZE] = 0;
	for (size_t n = 0; n < VNL_CLOCKPKT_SIZE; n++)
		assert_int_equal(vnl_clockpkt_parse(b, n, &p), VNL_CLOCKPKT_E_LENGTH);
	assert_int_equal(vnl_clockpkt_parse(b, VNL_CLOCKPKT_SIZE + 1, &p), VNL_CLOCKPKT_E_LENGTH);
	assert_int_equal(parse_changed(&request, 0, 'X'), VNL_CLOCKPKT_E_MAGIC);
	assert_int_equal(parse_changed(&request, 3, 'D'), VNL_CLOCKPKT_E_MAGIC);
	assert_int_equal(parse_changed(&request, 4, 2), VNL_CLOCKPKT_E_VERSION);
	assert_int_equal(parse_changed(&request, 4, 0), VNL_CLOCKPKT_E_VERSION);
	assert_int_equal(parse_changed(&request, 5, 0), VNL_CLOCKPKT_E_TYPE);
	assert_int_equal(parse_changed(&request, 5, 3), VNL_CLOCKPKT_E_TYPE);
	/* a request with flags, a resolution or answer stamps */
	assert_int_equal(parse_changed(&request, 7, 1), VNL_CLOCKPKT_E_FIELDS);
	assert_int_equal(parse_changed(&request, 15, 1), VNL_CLOCKPKT_E_FIELDS);
	assert_int_equal(parse_changed(&request, 39, 1), VNL_CLOCKPKT_E_FIELDS);
	assert_int_equal(parse_changed(&request, 47, 1), VNL_CLOCKPKT_E_FIELDS);
	/* an answer with an unknown flag, t3 before t2, a 1970 or negative t1 */
	assert_int_equal(parse_changed(&answer, 6, 0x80), VNL_CLOCKPKT_E_FIELDS);
	q = answer;
	q.t3 = q.t2 - 1;
	vnl_clockpkt_encode(&q, b, sizeof(b));
	assert_int_equal(vnl_clockpkt_parse(b, VNL_CLOCKPKT_SIZE, &p), VNL_CLOCKPKT_E_FIELDS);
	q = answer;
	q.resolution_ns = VNL_CLOCKPKT_MAX_RES_NS + 1;
	vnl_clockpkt_encode(&q, b, sizeof(b));
	assert_int_equal(vnl_clockpkt_parse(b, VNL_CLOCKPKT_SIZE, &p), VNL_CLOCKPKT_E_FIELDS);
	assert_int_equal(parse_changed(&request, 24, 0x80), VNL_CLOCKPKT_E_FIELDS);
	q = request;
	q.t1 = 0;
	vnl_clockpkt_encode(&q, b, sizeof(b));
	assert_int_equal(vnl_clockpkt_parse(b, VNL_CLOCKPKT_SIZE, &p), VNL_CLOCKPKT_E_FIELDS);
	assert_string_equal(vnl_clockpkt_strerror(VNL_CLOCKPKT_E_MAGIC), "wrong magic");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(layout),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
