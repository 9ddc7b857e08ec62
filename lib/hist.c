/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log-linear buckets: magnitudes below 256 are exact; above, each power of
 * two [2^e, 2^(e+1)) is cut into 128 equal buckets, so a bucket is at most
 * 1/128 of its lower bound wide and its midpoint is within 0.4% of any value
 * in it. Negative values (clocks of two hosts can disagree) use a mirrored
 * set of buckets over the magnitude.
 */
#include "hist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SUB_BITS 7
#define SUB_COUNT (1u << SUB_BITS)      /* 128 buckets per power of two */
#define EXACT_LIMIT (2u * SUB_COUNT)    /* magnitudes below this are exact */
#define BUCKETS (EXACT_LIMIT + (64u - SUB_BITS - 1) * SUB_COUNT)

struct vnl_hist {
	uint64_t total;
	uint64_t pos[BUCKETS]; /* v >= 0, by magnitude v */
	uint64_t neg[BUCKETS]; /* v < 0, by magnitude -v */
};

static inline unsigned bucket_of(uint64_t mag)
{
	if (mag < EXACT_LIMIT)
		return (unsigned)mag;
	unsigned e = 63u - (unsigned)__builtin_clzll(mag); /* >= SUB_BITS + 1 */
	unsigned shift = e - SUB_BITS;
	unsigned mant = (unsigned)(mag >> shift); /* in [128, 255] */
	return EXACT_LIMIT + (e - SUB_BITS - 1) * SUB_COUNT + (mant - SUB_COUNT);
}

/* Inclusive magnitude range of bucket b. */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *hi)
{
	if (b < EXACT_LIMIT) {
		*lo = *hi = b;
		return;
	}
	unsigned rel = b - EXACT_LIMIT;
	unsigned e = rel / SUB_COUNT + SUB_BITS + 1;
	uint64_t mant = SUB_COUNT + rel % SUB_COUNT;
	unsigned shift = e - SUB_BITS;
	*lo = mant << shift;
	*hi = *lo + ((uint64_t)1 << shift) - 1;
}

static inline uint64_t magnitude(int64_t v)
{
	/* -(v + 1) + 1 avoids overflow at INT64_MIN */
	return v >= 0 ? (uint64_t)v : (uint64_t)(-(v + 1)) + 1;
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
	if (v >= 0)
		h->pos[bucket_of((uint64_t)v)]++;
	else
		h->neg[bucket_of(magnitude(v))]++;
	h->total++;
}

void vnl_hist_merge(struct vnl_hist *dst, const struct vnl_hist *src)
{
	for (unsigned b = 0; b < BUCKETS; b++) {
		dst->pos[b] += src->pos[b];
		dst->neg[b] += src->neg[b];
	}
	dst->total += src->total;
}

uint64_t vnl_hist_count(const struct vnl_hist *h)
{
	return h->total;
}

/* Signed value range of a bucket: for negatives the magnitudes flip. */
static void signed_range(bool negative, unsigned b, int64_t *lo, int64_t *hi)
{
	uint64_t mlo, mhi;
	bucket_range(b, &mlo, &mhi);
	if (!negative) {
		*lo = (int64_t)mlo;
		*hi = mhi > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)mhi;
		return;
	}
	*hi = -(int64_t)(mlo - 1) - 1;
	*lo = mhi >= (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mhi;
}

void vnl_hist_foreach(const struct vnl_hist *h, vnl_hist_visit_fn fn, void *arg)
{
	int64_t lo, hi;
	for (unsigned b = BUCKETS; b-- > 0;) {
		if (h->neg[b]) {
			signed_range(true, b, &lo, &hi);
			fn(lo, hi, h->neg[b], arg);
		}
	}
	for (unsigned b = 0; b < BUCKETS; b++) {
		if (h->pos[b]) {
			signed_range(false, b, &lo, &hi);
			fn(lo, hi, h->pos[b], arg);
		}
	}
}

static int64_t midpoint(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(((uint64_t)hi - (uint64_t)lo) / 2);
}

int64_t vnl_hist_percentile(const struct vnl_hist *h, double q)
{
	if (!h->total)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	/* rank of the sample we want, 1-based: the smallest with q of samples at or below */
	uint64_t rank = (uint64_t)(q * (double)h->total + 0.999999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->total)
		rank = h->total;

	uint64_t seen = 0;
	int64_t lo, hi;
	for (unsigned b = BUCKETS; b-- > 0;) {
		seen += h->neg[b];
		if (h->neg[b] && seen >= rank) {
			signed_range(true, b, &lo, &hi);
			return midpoint(lo, hi);
		}
	}
	for (unsigned b = 0; b < BUCKETS; b++) {
		seen += h->pos[b];
		if (h->pos[b] && seen >= rank) {
			signed_range(false, b, &lo, &hi);
			return midpoint(lo, hi);
		}
	}
	return 0; /* unreachable: counts add up to total */
}
