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

static void test_int64_extremes(void **st)
{
	(void)st;
	/* deviations near 2^64 from the first sample: exact sums must not overflow */
	int64_t v[] = { INT64_MAX, INT64_MIN, INT64_MIN, INT64_MAX, 0, -1 };
	size_t n = sizeof(v) / sizeof(v[0]);
	struct vnl_stats *s = vnl_stats_new();
	long double sum = 0, sq = 0;
	for (size_t i = 0; i < n; i++) {
		vnl_stats_add(s, v[i]);
		sum += v[i];
	}
	long double mean = sum / n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	struct vnl_summary out;
	vnl_stats_summarize(s, &out);
	assert_int_equal(out.min_ns, INT64_MIN);
	assert_int_equal(out.max_ns, INT64_MAX);
	assert_true(fabsl(out.mean_ns - mean) <= 1e-6L * 9.3e18L);
	assert_true(fabsl(out.stddev_ns - sqrtl(sq / n)) <= 1e-6L * sqrtl(sq / n));
	assert_int_equal(vnl_stats_percentile(s, 0), INT64_MIN);
	assert_int_equal(vnl_stats_percentile(s, 1), INT64_MAX);
	vnl_stats_free(s);
}

static void test_merge_far_apart_references(void **st)
{
	(void)st;
	/* one half around -1 s, the other around +1 day: re-basing the sums must be exact */
	struct vnl_stats *a = vnl_stats_new(), *b = vnl_stats_new(), *all = vnl_stats_new();
	static int64_t v[20000];
	for (int i = 0; i < 10000; i++) {
		v[i] = -1000000000 + (int64_t)(rnd() % 1000);
		v[10000 + i] = 86400000000000 + (int64_t)(rnd() % 100000);
		vnl_stats_add(a, v[i]);
		vnl_stats_add(b, v[10000 + i]);
	}
	for (int i = 0; i < 20000; i++)
		vnl_stats_add(all, v[19999 - i]); /* another reference sample */
	vnl_stats_merge(a, b);
	struct vnl_summary x, y;
	vnl_stats_summarize(a, &x);
	vnl_stats_summarize(all, &y);
	assert_int_equal(x.count, 20000);
	assert_true(fabs(x.mean_ns - y.mean_ns) <= 1e-9 * fabs(y.mean_ns));
	assert_true(fabs(x.stddev_ns - y.stddev_ns) <= 1e-9 * y.stddev_ns);
	assert_int_equal(x.p50_ns, y.p50_ns);
	assert_int_equal(x.p9999_ns, y.p9999_ns);
	check_against_plain(v, 20000);
	vnl_stats_free(a);
	vnl_stats_free(b);
	vnl_stats_free(all);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_summary_percentiles_within_1pct(void **st)
{
	(void)st;
	static int64_t v[100000];
	struct vnl_stats *s = vnl_stats_new();
	for (size_t i = 0; i < 100000; i++) {
		v[i] = 40000 + (int64_t)(rnd() % 1000) + (i % 1000 == 0 ? (int64_t)(rnd() % 5000000) : 0);
		vnl_stats_add(s, v[i]);
	}
	qsort(v, 100000, sizeof(v[0]), cmp_i64);
	struct vnl_summary out;
	vnl_stats_summarize(s, &out);
	const struct { int64_t got; double q; } p[] = {
		{ out.p50_ns, 0.5 }, { out.p90_ns, 0.9 }, { out.p99_ns, 0.99 },
		{ out.p999_ns, 0.999 }, { out.p9999_ns, 0.9999 },
	};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		int64_t want = v[(size_t)ceil(p[i].q * 100000 - 1e-9) - 1];
		assert_true(fabs((double)(p[i].got - want)) <= 0.01 * (double)want);
	}
	vnl_stats_free(s);
}

static void test_worst_ties_by_seq(void **st)
{
	(void)st;
	struct vnl_worst *w = vnl_worst_new(4);
	for (uint64_t i = 10; i-- > 0;) {
		struct vnl_pkt p = { .seq = i };
		vnl_worst_offer(w, i % 2 ? 100 : 5, &p); /* five of score 100: 9,7,5,3,1 offered */
	}
	struct vnl_pkt out[4];
	assert_int_equal(vnl_worst_sorted(w, out, 4), 4);
	/* equal scores: the first four offered are kept (later ties do not push out), by seq */
	assert_int_equal(out[0].seq, 3);
	assert_int_equal(out[1].seq, 5);
	assert_int_equal(out[2].seq, 7);
	assert_int_equal(out[3].seq, 9);
	assert_int_equal(vnl_worst_sorted(w, out, 2), 2); /* max below what is kept */
	assert_int_equal(out[1].seq, 5);
	vnl_worst_free(w);
}

static void test_worst_rising_scores(void **st)
{
	(void)st;
	/* a drifting clock: every packet is a new worst, the heap churns every time */
	struct vnl_worst *w = vnl_worst_new(7);
	for (uint64_t i = 0; i < 100000; i++) {
		struct vnl_pkt p = { .seq = i, .app_rx = (int64_t)i };
		vnl_worst_offer(w, (int64_t)i, &p);
	}
	struct vnl_pkt out[7];
	assert_int_equal(vnl_worst_sorted(w, out, 7), 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(out[i].seq, 99999 - i);
		assert_int_equal(out[i].app_rx, (int64_t)(99999 - i)); /* the packet moved with its key */
	}
	vnl_worst_free(w);
}

static void test_merge_extremes_exact(void **st)
{
	(void)st;
	/* references 2^64 apart: the re-based sums need more than 128 bits on the way */
	int64_t x[] = { INT64_MAX, INT64_MIN, 5, INT64_MAX - 7 };
	int64_t y[] = { INT64_MIN, INT64_MAX, -3, INT64_MIN + 11, 0 };
	struct vnl_stats *a = vnl_stats_new(), *b = vnl_stats_new(), *all = vnl_stats_new();
	for (size_t i = 0; i < 4; i++) {
		vnl_stats_add(a, x[i]);
		vnl_stats_add(all, x[i]);
	}
	for (size_t i = 0; i < 5; i++) {
		vnl_stats_add(b, y[i]);
		vnl_stats_add(all, y[i]);
	}
	vnl_stats_merge(b, a); /* into the one whose reference is INT64_MIN */
	struct vnl_summary m, w;
	vnl_stats_summarize(b, &m);
	vnl_stats_summarize(all, &w);
	assert_int_equal(m.count, 9);
	assert_true(fabs(m.mean_ns - 3.0 / 9) < 1e-12); /* the sums are exact */
	assert_true(fabs(w.mean_ns - 3.0 / 9) < 1e-12);
	assert_true(fabs(m.stddev_ns - w.stddev_ns) <= 1e-15 * w.stddev_ns);
	assert_true(m.stddev_ns > 7.5e18); /* sqrt(6/9) * 2^63: not wrapped around */
	vnl_stats_free(a);
	vnl_stats_free(b);
	vnl_stats_free(all);
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
		cmocka_unit_test(test_int64_extremes),
		cmocka_unit_test(test_merge_far_apart_references),
		cmocka_unit_test(test_merge_extremes_exact),
		cmocka_unit_test(test_summary_percentiles_within_1pct),
		cmocka_unit_test(test_worst_ties_by_seq),
		cmocka_unit_test(test_worst_rising_scores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
