/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moments come from exact integer sums of deviations from the first sample
 * (no per-sample division, no drift over a day-long run, and no cancellation
 * when a spread of nanoseconds sits on a mean of seconds); percentiles from
 * the histogram, clamped into the exact [min, max] (p0 and p100 are them).
 *
 * A deviation from the first sample needs 65 bits and its square 128, so the
 * sum of squares is kept in 192 bits (a carry word): exact for any int64
 * input, even two samples at INT64_MIN and INT64_MAX.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

#include "hist.h"

/* An unsigned 192-bit number, least significant limb first. */
struct u192 {
	uint64_t w[3];
};

struct vnl_stats {
	uint64_t count;
	int64_t min, max;
	int64_t ref; /* the first sample: sums are of v - ref */
	__int128 sum;
	unsigned __int128 sumsq_lo; /* sum of squares = sumsq_hi * 2^128 + sumsq_lo */
	uint64_t sumsq_hi;
	struct vnl_hist *hist;
};

static struct u192 u192_from_u128(unsigned __int128 lo, uint64_t hi)
{
	return (struct u192){ { (uint64_t)lo, (uint64_t)(lo >> 64), hi } };
}

/* A signed 128-bit value modulo 2^192 (sign-extended). */
static struct u192 u192_from_i128(__int128 v)
{
	return u192_from_u128((unsigned __int128)v, v < 0 ? UINT64_MAX : 0);
}

static struct u192 u192_add(struct u192 a, struct u192 b)
{
	struct u192 r;
	unsigned __int128 carry = 0;
	for (int i = 0; i < 3; i++) {
		carry += (unsigned __int128)a.w[i] + b.w[i];
		r.w[i] = (uint64_t)carry;
		carry >>= 64;
	}
	return r;
}

/* a * b modulo 2^192: schoolbook, dropping limbs above the third. */
static struct u192 u192_mul(struct u192 a, struct u192 b)
{
	struct u192 r = { { 0, 0, 0 } };
	for (int i = 0; i < 3; i++) {
		unsigned __int128 carry = 0;
		for (int j = 0; i + j < 3; j++) {
			carry += (unsigned __int128)a.w[i] * b.w[j] + r.w[i + j];
			r.w[i + j] = (uint64_t)carry;
			carry >>= 64;
		}
	}
	return r;
}

struct vnl_stats *vnl_stats_new(void)
{
	struct vnl_stats *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->hist = vnl_hist_new();
	if (!s->hist) {
		free(s);
		return NULL;
	}
	vnl_stats_reset(s);
	return s;
}

void vnl_stats_free(struct vnl_stats *s)
{
	if (!s)
		return;
	vnl_hist_free(s->hist);
	free(s);
}

void vnl_stats_reset(struct vnl_stats *s)
{
	s->count = 0;
	s->min = INT64_MAX;
	s->max = INT64_MIN;
	s->sum = 0;
	s->sumsq_lo = 0;
	s->sumsq_hi = 0;
	vnl_hist_reset(s->hist);
}

/* |d|^2 as unsigned: |d| can reach 2^64 - 1, whose square overflows __int128 */
static inline unsigned __int128 square(__int128 d)
{
	unsigned __int128 m = d < 0 ? -(unsigned __int128)d : (unsigned __int128)d;
	return m * m;
}

static inline void add_moments(struct vnl_stats *s, __int128 d, unsigned __int128 sq)
{
	s->sum += d;
	s->sumsq_lo += sq;
	s->sumsq_hi += s->sumsq_lo < sq; /* carry */
}

void vnl_stats_add(struct vnl_stats *s, int64_t v)
{
	if (!s->count)
		s->ref = v;
	s->count++;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	int64_t d64;
	if (__builtin_expect(!__builtin_sub_overflow(v, s->ref, &d64), 1)) {
		/* the usual case: one 64x64->128 multiply */
		add_moments(s, d64, (unsigned __int128)((__int128)d64 * d64));
	} else {
		__int128 d = (__int128)v - s->ref;
		add_moments(s, d, square(d));
	}
	vnl_hist_add(s->hist, v);
}

void vnl_stats_merge(struct vnl_stats *dst, const struct vnl_stats *src)
{
	if (!src->count)
		return;
	if (!dst->count)
		dst->ref = src->ref;
	/*
	 * Re-base src's sums on dst's reference: d' = d + k, so
	 * sum' = sum + n*k and sumsq' = sumsq + 2*k*sum + n*k*k. The terms can
	 * overflow on the way but the results fit, so computing modulo 2^128
	 * (sum) and 2^192 (sumsq) gives them exactly.
	 */
	__int128 k = (__int128)src->ref - dst->ref;
	unsigned __int128 n = src->count;
	dst->sum = (__int128)((unsigned __int128)dst->sum + (unsigned __int128)src->sum +
			      n * (unsigned __int128)k);
	struct u192 K = u192_from_i128(k), N = u192_from_u128(n, 0);
	struct u192 two_k_sum = u192_mul(u192_add(K, K), u192_from_i128(src->sum));
	struct u192 acc = u192_from_u128(dst->sumsq_lo, dst->sumsq_hi);
	acc = u192_add(acc, u192_from_u128(src->sumsq_lo, src->sumsq_hi));
	acc = u192_add(acc, two_k_sum);
	acc = u192_add(acc, u192_mul(N, u192_mul(K, K)));
	dst->sumsq_lo = (unsigned __int128)acc.w[1] << 64 | acc.w[0];
	dst->sumsq_hi = acc.w[2];
	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	vnl_hist_merge(dst->hist, src->hist);
}

uint64_t vnl_stats_count(const struct vnl_stats *s)
{
	return s->count;
}

int64_t vnl_stats_percentile(const struct vnl_stats *s, double q)
{
	if (!s->count)
		return 0;
	if (q >= 1) /* the ends are known exactly */
		return s->max;
	if (q <= 0)
		return s->min;
	int64_t v = vnl_hist_percentile(s->hist, q);
	if (v < s->min)
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
}

void vnl_stats_summarize(const struct vnl_stats *s, struct vnl_summary *out)
{
	*out = (struct vnl_summary){ .count = s->count };
	if (!s->count)
		return;
	long double n = (long double)s->count;
	long double dmean = (long double)s->sum / n;
	/* mean = ref + sum/n with the integer part exact: ref and sum/n may nearly cancel */
	__int128 whole = s->sum / (__int128)s->count, part = s->sum % (__int128)s->count;
	long double mean = (long double)((__int128)s->ref + whole) + (long double)part / n;
	long double sumsq = ldexpl((long double)s->sumsq_hi, 128) + (long double)s->sumsq_lo;
	long double var = sumsq / n - dmean * dmean;
	out->min_ns = s->min;
	out->max_ns = s->max;
	out->mean_ns = (double)mean;
	out->stddev_ns = var > 0 ? sqrt((double)var) : 0.0;
	out->p50_ns = vnl_stats_percentile(s, 0.50);
	out->p90_ns = vnl_stats_percentile(s, 0.90);
	out->p99_ns = vnl_stats_percentile(s, 0.99);
	out->p999_ns = vnl_stats_percentile(s, 0.999);
	out->p9999_ns = vnl_stats_percentile(s, 0.9999);
}

const struct vnl_hist *vnl_stats_hist(const struct vnl_stats *s)
{
	return s->hist;
}
