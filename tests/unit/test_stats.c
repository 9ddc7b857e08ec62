/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage statistics against a plain double computation; worst-N ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stats.h"
#include "worst.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_against_plain(const int64_t *v, size_t n)
{
	struct vnl_stats *s = vnl_stats_new();
	double sum = 0, sq = 0;
	int64_t mn = INT64_MAX, mx = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		vnl_stats_add(s, v[i]);
		sum += (double)v[i];
		mn = v[i] < mn ? v[i] : mn;
		mx = v[i] > mx ? v[i] : mx;
	}
	double mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += ((double)v[i] - mean) * ((double)v[i] - mean);
	double sd = sqrt(sq / (double)n);

	struct vnl_summary sum_out;
	vnl_stats_summarize(s, &sum_out);
	assert_int_equal(sum_out.count, n);
	assert_int_equal(sum_out.min_ns, mn);
	assert_int_equal(sum_out.max_ns, mx);
	assert_true(fabs(sum_out.mean_ns - mean) <= 1e-6 * fabs(mean) + 1e-6);
	assert_true(fabs(sum_out.stddev_ns - sd) <= 1e-6 * sd + 1e-3);
	assert_true(sum_out.p50_ns <= sum_out.p90_ns && sum_out.p90_ns <= sum_out.p99_ns);
	assert_true(sum_out.p99_ns <= sum_out.p999_ns && sum_out.p999_ns <= sum_out.p9999_ns);
	assert_true(sum_out.min_ns <= sum_out.p50_ns && sum_out.p9999_ns <= sum_out.max_ns);
	vnl_stats_free(s);
}

static void test_random(void **st)
{
	(void)st;
	static int64_t v[100000];
	for (size_t i = 0; i < 100000; i++)
		v[i] = 30000 + (int64_t)(rnd() % 40000);
	check_against_plain(v, 100000);
}

static void test_small_spread_large_mean(void **st)
{
	(void)st;
	/* stddev of a few ns on a 1 s mean: sums must not cancel away */
	static int64_t v[10000];
	for (size_t i = 0; i < 10000; i++)
		v[i] = 1000000000 + (int64_t)(i % 5);
	check_against_plain(v, 10000);
}

static void test_negative_and_mixed(void **st)
{
	(void)st;
	int64_t v[] = { -500, -20, 0, 7, 1000, -3 };
	check_against_plain(v, 6);
}

static void test_empty(void **st)
{
	(void)st;
	struct vnl_stats *s = vnl_stats_new();
	struct vnl_summary out;
	vnl_stats_summarize(s, &out);
	assert_int_equal(out.count, 0);
	assert_int_equal(vnl_stats_percentile(s, 0.5), 0);
	vnl_stats_free(s);
}

static void test_percentile_clamped_to_min_max(void **st)
{
	(void)st;
	struct vnl_stats *s = vnl_stats_new();
	vnl_stats_add(s, 1000001); /* inside a 8192-wide bucket: midpoint would exceed it */
	assert_int_equal(vnl_stats_percentile(s, 1.0), 1000001);
	assert_int_equal(vnl_stats_percentile(s, 0.0), 1000001);
	vnl_stats_free(s);
}

static void test_merge(void **st)
{
	(void)st;
	struct vnl_stats *a = vnl_stats_new(), *b = vnl_stats_new(), *all = vnl_stats_new();
	for (int i = 0; i < 1000; i++) {
		vnl_stats_add(a, i);
		vnl_stats_add(b, 10 * i);
		vnl_stats_add(all, i);
		vnl_stats_add(all, 10 * i);
	}
	vnl_stats_merge(a, b);
	struct vnl_summary x, y;
	vnl_stats_summarize(a, &x);
	vnl_stats_summarize(all, &y);
	assert_int_equal(x.count, y.count);
	assert_int_equal(x.min_ns, y.min_ns);
	assert_int_equal(x.max_ns, y.max_ns);
	assert_true(fabs(x.mean_ns - y.mean_ns) < 1e-9);
	assert_true(fabs(x.stddev_ns - y.stddev_ns) < 1e-9);
	assert_int_equal(x.p99_ns, y.p99_ns);
	vnl_stats_free(a);
	vnl_stats_free(b);
	vnl_stats_free(all);
}

static void test_worst_keeps_highest_sorted(void **st)
{
	(void)st;
	struct vnl_worst *w = vnl_worst_new(5);
	for (uint64_t i = 0; i < 1000; i++) {
		struct vnl_pkt p = { .seq = i };
		vnl_worst_offer(w, (int64_t)((i * 7919) % 1000), &p); /* a permutation of 0..999 */
	}
	struct vnl_pkt out[10];
	size_t n = vnl_worst_sorted(w, out, 10);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal((out[i].seq * 7919) % 1000, 999 - i);
	vnl_worst_free(w);
}

static void test_worst_zero_capacity(void **st)
{
	(void)st;
	struct vnl_worst *w = vnl_worst_new(0);
	struct vnl_pkt p = { 0 }, out[1];
	vnl_worst_offer(w, 5, &p);
	assert_int_equal(vnl_worst_sorted(w, out, 1), 0);
	vnl_worst_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_small_spread_large_mean),
		cmocka_unit_test(test_negative_and_mixed),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_percentile_clamped_to_min_max),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_worst_keeps_highest_sorted),
		cmocka_unit_test(test_worst_zero_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
