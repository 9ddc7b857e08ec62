/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moments come from exact integer sums of deviations from the first sample
 * (no per-sample division, no drift over a day-long run, and no cancellation
 * when a spread of nanoseconds sits on a mean of seconds); percentiles from
 * the histogram, clamped into the exact [min, max] so p0/p100 never lie.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

#include "hist.h"

struct vnl_stats {
	uint64_t count;
	int64_t min, max;
	int64_t ref;             /* the first sample: sums are of v - ref */
	__int128 sum;
	unsigned __int128 sumsq; /* one square fits in 128 bits; sums of realistic ns do too */
	struct vnl_hist *hist;
};

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
	s->sumsq = 0;
	vnl_hist_reset(s->hist);
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
	__int128 d = (__int128)v - s->ref;
	s->sum += d;
	s->sumsq += (unsigned __int128)(d * d);
	vnl_hist_add(s->hist, v);
}

void vnl_stats_merge(struct vnl_stats *dst, const struct vnl_stats *src)
{
	if (!src->count)
		return;
	if (!dst->count)
		dst->ref = src->ref;
	/* re-base src's sums on dst's reference: d' = d + k */
	__int128 k = (__int128)src->ref - dst->ref, n = src->count;
	dst->sum += src->sum + n * k;
	dst->sumsq += src->sumsq + (unsigned __int128)(2 * k * src->sum + n * k * k);
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
	long double var = (long double)s->sumsq / n - dmean * dmean;
	long double mean = (long double)s->ref + dmean;
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
