/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Histogram percentiles against an exact sort, on random and adversarial data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hist.h"

static const double quantiles[] = { 0, 0.001, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1 };

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The exact q-quantile with the histogram's rank rule: smallest v with ceil(q*n) samples <= v. */
static int64_t exact(const int64_t *sorted, size_t n, double q)
{
	uint64_t rank = (uint64_t)ceil(q * (double)n - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static void check_all(int64_t *v, size_t n)
{
	struct vnl_hist *h = vnl_hist_new();
	assert_non_null(h);
	for (size_t i = 0; i < n; i++)
		vnl_hist_add(h, v[i]);
	assert_int_equal(vnl_hist_count(h), n);
	qsort(v, n, sizeof(*v), cmp_i64);
	for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++) {
		int64_t want = exact(v, n, quantiles[i]);
		int64_t got = vnl_hist_percentile(h, quantiles[i]);
		double err = fabs((double)got - (double)want);
		double allowed = fabs((double)want) * 0.01;
		if (err > allowed && err > 0.5) {
			fail_msg("q=%g: got %lld, exact %lld (error %.3g%%)", quantiles[i], (long long)got,
				 (long long)want, 100.0 * err / fabs((double)want));
		}
	}
	vnl_hist_free(h);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double unit(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

#define N 200000
static int64_t data[N];

static void test_uniform(void **s)
{
	(void)s;
	for (size_t i = 0; i < N; i++)
		data[i] = 10000 + (int64_t)(rnd() % 90000);
	check_all(data, N);
}

static void test_long_tail(void **s)
{
	(void)s;
	for (size_t i = 0; i < N; i++)
		data[i] = 20000 + (int64_t)(-log(1 - unit()) * 5000) + (i % 997 == 0 ? 400000 : 0);
	check_all(data, N);
}

static void test_span_1ns_to_10s(void **s)
{
	(void)s;
	for (size_t i = 0; i < N; i++)
		data[i] = (int64_t)pow(10, unit() * 10); /* 1 ns .. 10 s, log-uniform */
	check_all(data, N);
}

static void test_negatives(void **s)
{
	(void)s;
	for (size_t i = 0; i < N; i++)
		data[i] = (int64_t)(rnd() % 2000000) - 1000000;
	check_all(data, N);
}

static void test_all_equal(void **s)
{
	(void)s;
	for (size_t i = 0; i < 1000; i++)
		data[i] = 123456789;
	check_all(data, 1000);
}

static void test_one_huge_outlier(void **s)
{
	(void)s;
	for (size_t i = 0; i < 9999; i++)
		data[i] = 50000;
	data[9999] = 160000000; /* a 160 ms spike among 50 us */
	check_all(data, 10000);
}

static void test_two_spikes(void **s)
{
	(void)s;
	for (size_t i = 0; i < 10000; i++)
		data[i] = i < 5000 ? 1000 : 1000000;
	check_all(data, 10000);
}

static void test_powers_of_two(void **s)
{
	(void)s;
	size_t n = 0;
	for (int e = 0; e < 62; e++) {
		int64_t p = (int64_t)1 << e;
		data[n++] = p - 1;
		data[n++] = p;
		data[n++] = p + 1;
		data[n++] = -p;
	}
	check_all(data, n);
}

static void test_extremes(void **s)
{
	(void)s;
	int64_t v[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX };
	check_all(v, sizeof(v) / sizeof(v[0]));
}

static void test_empty_and_single(void **s)
{
	(void)s;
	struct vnl_hist *h = vnl_hist_new();
	assert_int_equal(vnl_hist_percentile(h, 0.5), 0);
	vnl_hist_add(h, 42);
	assert_int_equal(vnl_hist_percentile(h, 0), 42);
	assert_int_equal(vnl_hist_percentile(h, 1), 42);
	vnl_hist_reset(h);
	assert_int_equal(vnl_hist_count(h), 0);
	vnl_hist_free(h);
}

static void test_merge_equals_adding_both(void **s)
{
	(void)s;
	struct vnl_hist *a = vnl_hist_new(), *b = vnl_hist_new(), *all = vnl_hist_new();
	for (int i = 0; i < 50000; i++) {
		int64_t x = (int64_t)(rnd() % 1000000) - 1000, y = (int64_t)(rnd() % 100000000);
		vnl_hist_add(a, x);
		vnl_hist_add(b, y);
		vnl_hist_add(all, x);
		vnl_hist_add(all, y);
	}
	vnl_hist_merge(a, b);
	assert_int_equal(vnl_hist_count(a), vnl_hist_count(all));
	for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++)
		assert_int_equal(vnl_hist_percentile(a, quantiles[i]), vnl_hist_percentile(all, quantiles[i]));
	vnl_hist_free(a);
	vnl_hist_free(b);
	vnl_hist_free(all);
}

struct walk {
	uint64_t total;
	int64_t last_hi;
	int buckets;
};

static void visit(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	struct walk *w = arg;
	assert_true(lo <= hi);
	if (w->buckets)
		assert_true(lo > w->last_hi);
	w->last_hi = hi;
	w->total += count;
	w->buckets++;
}

static void test_foreach_ascending(void **s)
{
	(void)s;
	struct vnl_hist *h = vnl_hist_new();
	for (int i = 0; i < 10000; i++)
		vnl_hist_add(h, (int64_t)(rnd() % 20000000) - 10000000);
	struct walk w = { 0 };
	vnl_hist_foreach(h, visit, &w);
	assert_int_equal(w.total, 10000);
	assert_true(w.buckets > 100);
	vnl_hist_free(h);
}

static void test_exponential(void **s)
{
	(void)s;
	/* a pure exponential: the tail percentiles land in sparse buckets */
	for (size_t i = 0; i < N; i++)
		data[i] = (int64_t)(-log(1 - unit()) * 100000.0);
	check_all(data, N);
}

static void test_mixed_signs_all_magnitudes(void **s)
{
	(void)s;
	/* clock offsets: both signs, every magnitude from 1 ns to 2^62 ns */
	for (size_t i = 0; i < N; i++) {
		int64_t m = (int64_t)(rnd() >> (2 + rnd() % 62));
		data[i] = (rnd() & 1) ? -m : m;
	}
	check_all(data, N);
}

static void test_power_of_two_neighbours_both_signs(void **s)
{
	(void)s;
	/* every bucket edge is a power of two or a multiple of its step: poke both sides */
	size_t n = 0;
	for (int e = 0; e < 63; e++) {
		int64_t p = (int64_t)((uint64_t)1 << e);
		int64_t step = e > 7 ? (int64_t)1 << (e - 7) : 1;
		int64_t v[] = { p - 1, p, p + 1, p + step - 1, p + step, -p, -p + 1, -p - 1, -(p + step) };
		for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			data[n++] = v[k];
	}
	check_all(data, n);
}

static void test_int64_extremes_only(void **s)
{
	(void)s;
	int64_t v[] = { INT64_MIN, INT64_MIN, INT64_MAX, INT64_MAX, INT64_MAX };
	check_all(v, 5);
	int64_t w[] = { INT64_MIN };
	check_all(w, 1);
	int64_t x[] = { INT64_MAX };
	check_all(x, 1);
}

static void test_percentile_monotonic_and_q_outside(void **s)
{
	(void)s;
	struct vnl_hist *h = vnl_hist_new();
	for (int i = 0; i < 100000; i++)
		vnl_hist_add(h, (int64_t)(-log(1 - unit()) * 30000.0) - 5000);
	int64_t last = INT64_MIN;
	for (int i = 0; i <= 1000; i++) {
		int64_t v = vnl_hist_percentile(h, i / 1000.0);
		assert_true(v >= last);
		last = v;
	}
	assert_int_equal(vnl_hist_percentile(h, -3), vnl_hist_percentile(h, 0));
	assert_int_equal(vnl_hist_percentile(h, 7), vnl_hist_percentile(h, 1));
	assert_int_equal(vnl_hist_percentile(h, NAN), vnl_hist_percentile(h, 0));
	vnl_hist_free(h);
}

struct bounds {
	int64_t lo, hi;
	int buckets;
	double worst_width; /* widest bucket relative to its smallest magnitude */
};

static void widest(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	struct bounds *b = arg;
	(void)count;
	if (!b->buckets)
		b->lo = lo;
	b->hi = hi;
	b->buckets++;
	double mag = lo >= 0 ? (double)lo : -(double)hi;
	if (mag > 0) {
		double w = ((double)hi - (double)lo) / mag;
		if (w > b->worst_width)
			b->worst_width = w;
	}
}

static void test_bucket_widths_and_ends(void **s)
{
	(void)s;
	struct vnl_hist *h = vnl_hist_new();
	vnl_hist_add(h, INT64_MIN);
	vnl_hist_add(h, INT64_MAX);
	for (int e = 0; e < 63; e++) {
		vnl_hist_add(h, (int64_t)((uint64_t)1 << e));
		vnl_hist_add(h, -(int64_t)((uint64_t)1 << e) - 1);
	}
	struct bounds b = { 0 };
	vnl_hist_foreach(h, widest, &b);
	assert_int_equal(b.lo, INT64_MIN);
	assert_int_equal(b.hi, INT64_MAX);
	assert_true(b.worst_width <= 1.0 / 128); /* midpoint within 0.4% of any value in it */
	vnl_hist_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_long_tail),
		cmocka_unit_test(test_span_1ns_to_10s),
		cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_all_equal),
		cmocka_unit_test(test_one_huge_outlier),
		cmocka_unit_test(test_two_spikes),
		cmocka_unit_test(test_powers_of_two),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_empty_and_single),
		cmocka_unit_test(test_merge_equals_adding_both),
		cmocka_unit_test(test_foreach_ascending),
		cmocka_unit_test(test_exponential),
		cmocka_unit_test(test_mixed_signs_all_magnitudes),
		cmocka_unit_test(test_power_of_two_neighbours_both_signs),
		cmocka_unit_test(test_int64_extremes_only),
		cmocka_unit_test(test_percentile_monotonic_and_q_outside),
		cmocka_unit_test(test_bucket_widths_and_ends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
