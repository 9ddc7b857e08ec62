/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log-linear buckets: magnitudes below 256 are exact; above, each power of
 * two [2^e, 2^(e+1)) is cut into 128 equal buckets, so a bucket is at most
 * 1/128 of its lower bound wide and its midpoint is within 0.4% of any value
 * in it. Negative values (clocks of two hosts can disagree) use a mirrored
 * set of buckets over the magnitude.
 */
#include "hist.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SUB_BITS 7
#define SUB_COUNT (1u << SUB_BITS)   /* 128 buckets per power of two */
#define EXACT_LIMIT (2u * SUB_COUNT) /* magnitudes below this are exact */
/* exact ones, then 128 per power of two from 2^8 up to 2^63 (|INT64_MIN|) */
#define BUCKETS (EXACT_LIMIT + (64u - SUB_BITS - 1) * SUB_COUNT)

struct vnl_hist {
	uint64_t total;
	uint64_t count[2][BUCKETS]; /* [0]: v >= 0 by v, [1]: v < 0 by -v */
};

/*
 * Bucket of a magnitude without a branch: OR-ing in 255 makes every magnitude
 * below 256 look like the power of two 2^7, where the shift is 0 and the
 * bucket is the value itself; above, the top 8 bits (1 + 7 below the leading
 * one) pick one of 128 sub-buckets of the power of two.
 */
static inline unsigned bucket_of(uint64_t mag)
{
	unsigned e = 63u - (unsigned)__builtin_clzll(mag | (EXACT_LIMIT - 1));
	unsigned shift = e - SUB_BITS;
	return (shift << SUB_BITS) + (unsigned)(mag >> shift);
}

/* Inclusive magnitude range of bucket b (the inverse of bucket_of). */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *hi)
{
	if (b < EXACT_LIMIT) {
		*lo = *hi = b;
		return;
	}
	unsigned shift = (b >> SUB_BITS) - 1;
	uint64_t mant = SUB_COUNT + (b & (SUB_COUNT - 1));
	*lo = mant << shift;
	*hi = *lo + ((uint64_t)1 << shift) - 1;
}

struct vnl_hist *vnl_hist_new(void)
{
	return calloc(1, sizeof(struct vnl_hist));
}

void vnl_hist_free(struct vnl_hist *h)
{
	free(h);
}

void vnl_hist_reset(struct vnl_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void vnl_hist_add(struct vnl_hist *h, int64_t v)
{
	/* |v| without a branch, as unsigned so |INT64_MIN| = 2^63 fits */
	uint64_t sign = (uint64_t)(v >> 63); /* all ones when negative */
	uint64_t mag = ((uint64_t)v ^ sign) - sign;
	h->count[sign & 1][bucket_of(mag)]++;
	h->total++;
}

void vnl_hist_merge(struct vnl_hist *dst, const struct vnl_hist *src)
{
	for (unsigned side = 0; side < 2; side++)
		for (unsigned b = 0; b < BUCKETS; b++)
			dst->count[side][b] += src->count[side][b];
	dst->total += src->total;
}

uint64_t vnl_hist_count(const struct vnl_hist *h)
{
	return h->total;
}

/*
 * A cursor over the non-empty buckets in ascending signed value order:
 * positions 0..BUCKETS-1 are the negatives from the largest magnitude down,
 * then BUCKETS..2*BUCKETS-1 the non-negatives upwards.
 */
struct walk {
	const struct vnl_hist *h;
	unsigned pos; /* the next position to look at */
};

static bool walk_next(struct walk *w, int64_t *lo, int64_t *hi, uint64_t *count)
{
	for (; w->pos < 2 * BUCKETS; w->pos++) {
		bool negative = w->pos < BUCKETS;
		unsigned b = negative ? BUCKETS - 1 - w->pos : w->pos - BUCKETS;
		uint64_t n = w->h->count[negative][b];
		if (!n)
			continue;
		uint64_t mlo, mhi;
		bucket_range(b, &mlo, &mhi);
		if (!negative) {
			*lo = (int64_t)mlo;
			*hi = mhi > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)mhi;
		} else {
			/* magnitudes flip; -(m - 1) - 1 reaches INT64_MIN without overflow */
			*hi = -(int64_t)(mlo - 1) - 1;
			*lo = mhi > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mhi;
		}
		*count = n;
		w->pos++;
		return true;
	}
	return false;
}

void vnl_hist_foreach(const struct vnl_hist *h, vnl_hist_visit_fn fn, void *arg)
{
	struct walk w = { .h = h };
	int64_t lo, hi;
	uint64_t n;
	while (walk_next(&w, &lo, &hi, &n))
		fn(lo, hi, n, arg);
}

static int64_t midpoint(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(((uint64_t)hi - (uint64_t)lo) / 2);
}

int64_t vnl_hist_percentile(const struct vnl_hist *h, double q)
{
	if (!h->total)
		return 0;
	if (!(q > 0)) /* also NaN */
		q = 0;
	if (q > 1)
		q = 1;
	/*
	 * 1-based rank of the sample wanted: the smallest with a fraction q of
	 * samples at or below it, ceil(q * n). The small slack keeps a q*n that
	 * is an integer up to rounding (0.9 * 1000 = 900.0000000000001) on it.
	 */
	double want = ceil(q * (double)h->total - 1e-9);
	uint64_t rank = want < 1 ? 1 : (uint64_t)want;
	if (rank > h->total)
		rank = h->total;

	struct walk w = { .h = h };
	uint64_t seen = 0, n;
	int64_t lo, hi;
	while (walk_next(&w, &lo, &hi, &n)) {
		seen += n;
		if (seen >= rank)
			return midpoint(lo, hi);
	}
	return 0; /* unreachable: the counts add up to total */
}

void vnl_hist_layout(unsigned *buckets, unsigned *sub_buckets)
{
	/* HdrHistogram's bucket 0 holds the EXACT_LIMIT exact values; every further
	 * bucket is a power of two cut into SUB_COUNT: as many as BUCKETS spans */
	*sub_buckets = EXACT_LIMIT;
	*buckets = 1 + (BUCKETS - EXACT_LIMIT) / SUB_COUNT;
}
