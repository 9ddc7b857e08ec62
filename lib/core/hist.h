/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log-linear histogram of signed nanosecond values.
 * Relative error of any reported percentile <= 1%; fixed memory whatever
 * the number of samples (a day-long run costs what a second costs).
 * Adding a sample allocates nothing and is a handful of instructions.
 */
#ifndef VNL_HIST_H
#define VNL_HIST_H

#include <stdint.h>

struct vnl_hist;

struct vnl_hist *vnl_hist_new(void);
void vnl_hist_free(struct vnl_hist *h);
void vnl_hist_reset(struct vnl_hist *h);
void vnl_hist_add(struct vnl_hist *h, int64_t v);
void vnl_hist_merge(struct vnl_hist *dst, const struct vnl_hist *src);
uint64_t vnl_hist_count(const struct vnl_hist *h);
/* q in [0,1]; value v such that a fraction q of samples are <= v (within 1%). 0 if empty. */
int64_t vnl_hist_percentile(const struct vnl_hist *h, double q);

/* Walk non-empty buckets in ascending value order (for plots/export). */
typedef void (*vnl_hist_visit_fn)(int64_t lo, int64_t hi, uint64_t count, void *arg);
void vnl_hist_foreach(const struct vnl_hist *h, vnl_hist_visit_fn fn, void *arg);

/*
 * The layout in HdrHistogram's terms (its outputPercentileDistribution
 * trailer): sub-buckets per bucket (values below it are exact) and buckets
 * covering every magnitude up to 2^63, per sign.
 */
void vnl_hist_layout(unsigned *buckets, unsigned *sub_buckets);

#endif
