/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng blocks: lengths, padding, option layout, time stamp halves, short buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pcapng.h"

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

/* Type, both lengths equal to LEN, a multiple of 4. */
static void check_frame(const uint8_t *b, size_t len, uint32_t type)
{
	assert_int_equal(len % 4, 0);
	assert_int_equal(get32(b), type);
	assert_int_equal(get32(b + 4), len);
	assert_int_equal(get32(b + len - 4), len);
}

static void test_shb(void **state)
{
	(void)state;
	uint8_t b[256];
	memset(b, 0xee, sizeof(b));
	size_t n = vnl_pcapng_shb(b, sizeof(b), "vnetlat");
	assert_int_equal(n, 24 + 4 + 8 + 4 + 4); /* header, option "vnetlat" (7 -> 8), end, length */
	check_frame(b, n, VNL_PCAPNG_SHB);
	assert_int_equal(get32(b + 8), VNL_PCAPNG_BOM);
	assert_int_equal(get16(b + 12), 1);
	assert_int_equal(get16(b + 14), 0);
	uint64_t sl;
	memcpy(&sl, b + 16, 8);
	assert_true(sl == UINT64_MAX);
	assert_int_equal(get16(b + 24), VNL_PCAPNG_OPT_SHB_USERAPPL);
	assert_int_equal(get16(b + 26), 7);
	assert_memory_equal(b + 28, "vnetlat", 7);
	assert_int_equal(b[35], 0); /* padding zeroed */
	assert_int_equal(get32(b + 36), 0); /* opt_endofopt */
	/* No application: no options at all. */
	assert_int_equal(vnl_pcapng_shb(b, sizeof(b), NULL), 28);
	assert_int_equal(vnl_pcapng_shb(b, 27, NULL), 0);
}

static void test_idb(void **state)
{
	(void)state;
	uint8_t b[256];
	memset(b, 0xee, sizeof(b));
	size_t n = vnl_pcapng_idb(b, sizeof(b), VNL_PCAPNG_LINKTYPE_RAW, 284, "wire0");
	/* 16 header + if_name (5 -> 8) + 4 + if_tsresol (1 -> 4) + 4 + end 4 + length 4 */
	assert_int_equal(n, 16 + 12 + 8 + 4 + 4);
	check_frame(b, n, VNL_PCAPNG_IDB);
	assert_int_equal(get16(b + 8), 101);
	assert_int_equal(get16(b + 10), 0);
	assert_int_equal(get32(b + 12), 284);
	assert_int_equal(get16(b + 16), VNL_PCAPNG_OPT_IF_NAME);
	assert_int_equal(get16(b + 18), 5);
	assert_memory_equal(b + 20, "wire0\0\0\0", 8);
	assert_int_equal(get16(b + 28), VNL_PCAPNG_OPT_IF_TSRESOL);
	assert_int_equal(get16(b + 30), 1);
	assert_int_equal(b[32], 9);
	assert_memory_equal(b + 33, "\0\0\0", 3);
	assert_int_equal(get32(b + 36), 0);
	assert_int_equal(vnl_pcapng_idb(b, n - 1, 1, 0, "wire0"), 0);
	assert_int_equal(vnl_pcapng_idb(b, n, 1, 0, "wire0"), n);
}

static void test_epb(void **state)
{
	(void)state;
	uint8_t b[512], data[40];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i + 1);
	const uint64_t ts = 1796327736100696960ull;
	const char *c = "seq=12 one_way=35123ns";
	size_t need = vnl_pcapng_epb_size(37, strlen(c));
	/* 28 header + 37 -> 40 data + comment (22 -> 24) + 4 + end 4 + length 4 */
	assert_int_equal(need, 28 + 40 + 28 + 4 + 4);
	memset(b, 0xee, sizeof(b));
	size_t n = vnl_pcapng_epb(b, sizeof(b), 0, ts, data, 37, 428, c);
	assert_int_equal(n, need);
	check_frame(b, n, VNL_PCAPNG_EPB);
	assert_int_equal(get32(b + 8), 0);
	assert_int_equal(((uint64_t)get32(b + 12) << 32) | get32(b + 16), ts);
	assert_int_equal(get32(b + 20), 37);
	assert_int_equal(get32(b + 24), 428);
	assert_memory_equal(b + 28, data, 37);
	assert_memory_equal(b + 65, "\0\0\0", 3);
	assert_int_equal(get16(b + 68), VNL_PCAPNG_OPT_COMMENT);
	assert_int_equal(get16(b + 70), strlen(c));
	assert_memory_equal(b + 72, c, strlen(c));
	assert_memory_equal(b + 72 + 22, "\0\0", 2);
	assert_int_equal(get32(b + 96), 0);
	/* Too small by one: nothing written. */
	assert_int_equal(vnl_pcapng_epb(b, need - 1, 0, ts, data, 37, 428, c), 0);
	/* No comment: no options, not even the end mark. */
	n = vnl_pcapng_epb(b, sizeof(b), 0, ts, data, 40, 40, "");
	assert_int_equal(n, 28 + 40 + 4);
	check_frame(b, n, VNL_PCAPNG_EPB);
	assert_int_equal(vnl_pcapng_epb_size(40, 0), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shb),
		cmocka_unit_test(test_idb),
		cmocka_unit_test(test_epb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
