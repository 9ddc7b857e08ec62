/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option value parsing: durations, numbers, clocks, and duration formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "parse.h"

static int64_t duration_ok(const char *s)
{
	int64_t ns = -1;
	const char *why = NULL;
	assert_int_equal(vnl_parse_duration(s, &ns, &why), 0);
	return ns;
}

static void duration_bad(const char *s, const char *why_contains)
{
	int64_t ns = 12345;
	const char *why = NULL;
	assert_int_equal(vnl_parse_duration(s, &ns, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, why_contains));
	assert_int_equal(ns, 12345); /* untouched on failure */
}

static void test_duration_units(void **state)
{
	(void)state;
	assert_int_equal(duration_ok("500ns"), 500);
	assert_int_equal(duration_ok("250us"), 250000);
	assert_int_equal(duration_ok("1ms"), 1000000);
	assert_int_equal(duration_ok("10s"), 10000000000LL);
	assert_int_equal(duration_ok("2m"), 120000000000LL);
	assert_int_equal(duration_ok("1h"), 3600000000000LL);
	assert_int_equal(duration_ok("0"), 0);
	assert_int_equal(duration_ok("0ms"), 0);
}

static void test_duration_bare_number_is_seconds(void **state)
{
	(void)state;
	assert_int_equal(duration_ok("3"), 3000000000LL);
	assert_int_equal(duration_ok("0.5"), 500000000LL);
}

static void test_duration_fractions(void **state)
{
	(void)state;
	assert_int_equal(duration_ok("1.5ms"), 1500000);
	assert_int_equal(duration_ok("0.25us"), 250);
	assert_int_equal(duration_ok(".5s"), 500000000LL);
	/* rounds to the nearest nanosecond rather than truncating */
	assert_int_equal(duration_ok("0.0000015ms"), 2);
	assert_int_equal(duration_ok("2.5e3us"), 2500000);
}

static void test_duration_rejects_negative_and_junk(void **state)
{
	(void)state;
	const char *expect = "non-negative duration";
	duration_bad("-1ms", expect);
	duration_bad("+1ms", expect);
	duration_bad(" -1ms", expect);
	duration_bad(" 1ms", expect);
	duration_bad("", expect);
	duration_bad("ms", expect);
	duration_bad("abc", expect);
	duration_bad("inf", expect);
	duration_bad("nan", expect);
	duration_bad("1e999s", expect);
	duration_bad("0x10", expect); /* hexadecimal floats are not durations */
}

static void test_duration_rejects_unknown_unit(void **state)
{
	(void)state;
	duration_bad("10 ms", "unknown unit");
	duration_bad("10ms ", "unknown unit");
	duration_bad("10msec", "unknown unit");
	duration_bad("10MS", "unknown unit");
	duration_bad("10d", "unknown unit");
	duration_bad("1ms2", "unknown unit");
}

static void test_duration_rejects_too_large(void **state)
{
	(void)state;
	duration_bad("3000000h", "too large");
	duration_bad("1e19ns", "too large");
	/* the largest whole number of hours that fits */
	assert_int_equal(duration_ok("2562047h"), 2562047LL * 3600 * 1000000000LL);
}

static void test_duration_null(void **state)
{
	(void)state;
	int64_t ns;
	const char *why = NULL;
	assert_int_equal(vnl_parse_duration(NULL, &ns, &why), -1);
	assert_non_null(why);
}

static uint64_t u64_ok(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = 0;
	const char *why = NULL;
	assert_int_equal(vnl_parse_u64(s, min, max, &v, &why), 0);
	return v;
}

static void u64_bad(const char *s, uint64_t min, uint64_t max, const char *why_contains)
{
	uint64_t v = 777;
	const char *why = NULL;
	assert_int_equal(vnl_parse_u64(s, min, max, &v, &why), -1);
	assert_non_null(strstr(why, why_contains));
	assert_int_equal(v, 777);
}

static void test_u64_values(void **state)
{
	(void)state;
	assert_int_equal(u64_ok("0", 0, 10), 0);
	assert_int_equal(u64_ok("10", 0, 10), 10);
	assert_int_equal(u64_ok("0x10", 0, 100), 16);
	assert_int_equal(u64_ok("0X1f", 0, 100), 31);
	/* a leading zero is still decimal, as the help texts promise (not octal) */
	assert_int_equal(u64_ok("010", 0, 100), 10);
	assert_int_equal(u64_ok("0009", 0, 100), 9);
	assert_true(u64_ok("18446744073709551615", 0, UINT64_MAX) == UINT64_MAX);
}

static void test_u64_range(void **state)
{
	(void)state;
	u64_bad("0", 1, 10, "out of range");
	u64_bad("11", 1, 10, "out of range");
	u64_bad("0x100", 0, 255, "out of range");
}

static void test_u64_rejects_junk(void **state)
{
	(void)state;
	const char *expect = "non-negative whole number";
	u64_bad("", 0, 10, expect);
	u64_bad("-1", 0, UINT64_MAX, expect);
	u64_bad(" -1", 0, UINT64_MAX, expect); /* strtoull would wrap it */
	u64_bad(" 1", 0, 10, expect);
	u64_bad("+1", 0, 10, expect);
	u64_bad("1.5", 0, 10, expect);
	u64_bad("1k", 0, 10000, expect);
	u64_bad("0x", 0, 10, expect);
	u64_bad("08x", 0, 10, expect);
	/* issue 9 item 15: too large is said as such, not as "not a whole number" */
	u64_bad("18446744073709551616", 0, UINT64_MAX, "too large");
	u64_bad(NULL, 0, 10, expect);
}

static void test_clock(void **state)
{
	(void)state;
	clockid_t c = -1;
	const char *why = NULL;
	assert_int_equal(vnl_parse_clock("realtime", &c, &why), 0);
	assert_int_equal(c, CLOCK_REALTIME);
	assert_int_equal(vnl_parse_clock("TAI", &c, &why), 0);
	assert_int_equal(c, CLOCK_TAI);
	assert_int_equal(vnl_parse_clock("monotonic", &c, &why), 0);
	assert_int_equal(c, CLOCK_MONOTONIC);
	assert_int_equal(vnl_parse_clock("boottime", &c, &why), -1);
	assert_non_null(strstr(why, "realtime, tai or monotonic"));
	assert_int_equal(vnl_parse_clock(NULL, &c, &why), -1);
}

static void test_clock_names(void **state)
{
	(void)state;
	assert_string_equal(vnl_clock_name(CLOCK_REALTIME), "realtime");
	assert_string_equal(vnl_clock_name(CLOCK_TAI), "tai");
	assert_string_equal(vnl_clock_name(CLOCK_MONOTONIC), "monotonic");
	assert_string_equal(vnl_clock_name(CLOCK_BOOTTIME), "unknown");
}

static void assert_fmt(int64_t ns, const char *want)
{
	char buf[32];
	assert_string_equal(vnl_fmt_ns(ns, buf, sizeof(buf)), want);
}

static void test_fmt_ns(void **state)
{
	(void)state;
	assert_fmt(0, "0ns");
	assert_fmt(999, "999ns");
	assert_fmt(1000, "1.0us");
	assert_fmt(12345, "12.3us");
	assert_fmt(-12345, "-12.3us");
	assert_fmt(1500000, "1.50ms");
	assert_fmt(2500000000LL, "2.500s");
	assert_fmt(120000000000LL, "120.000s");
}

static void test_fmt_ns_unit_boundaries(void **state)
{
	(void)state;
	/* values that round up to the next unit are shown in that unit */
	assert_fmt(999960, "1.00ms");
	assert_fmt(-999960, "-1.00ms");
	assert_fmt(999996000, "1.000s");
	assert_fmt(999940, "999.9us");
}

static void test_fmt_ns_small_buffer(void **state)
{
	(void)state;
	char buf[4];
	vnl_fmt_ns(123456789, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 3); /* truncated, still terminated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_bare_number_is_seconds),
		cmocka_unit_test(test_duration_fractions),
		cmocka_unit_test(test_duration_rejects_negative_and_junk),
		cmocka_unit_test(test_duration_rejects_unknown_unit),
		cmocka_unit_test(test_duration_rejects_too_large),
		cmocka_unit_test(test_duration_null),
		cmocka_unit_test(test_u64_values),
		cmocka_unit_test(test_u64_range),
		cmocka_unit_test(test_u64_rejects_junk),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_clock_names),
		cmocka_unit_test(test_fmt_ns),
		cmocka_unit_test(test_fmt_ns_unit_boundaries),
		cmocka_unit_test(test_fmt_ns_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
