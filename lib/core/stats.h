/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Summary statistics of one latency stage: exact moments + histogram percentiles. */
#ifndef VNL_STATS_H
#define VNL_STATS_H

#include <stdint.h>

struct vnl_hist;
struct vnl_stats;

struct vnl_summary {
	uint64_t count;
	int64_t min_ns, max_ns;
	double mean_ns, stddev_ns; /* population standard deviation */
	int64_t p50_ns, p90_ns, p99_ns, p999_ns, p9999_ns;
};

struct vnl_stats *vnl_stats_new(void);
void vnl_stats_free(struct vnl_stats *s);
void vnl_stats_reset(struct vnl_stats *s);
void vnl_stats_add(struct vnl_stats *s, int64_t v); /* hot path: no allocation */
void vnl_stats_merge(struct vnl_stats *dst, const struct vnl_stats *src);
uint64_t vnl_stats_count(const struct vnl_stats *s);
int64_t vnl_stats_percentile(const struct vnl_stats *s, double q);
void vnl_stats_summarize(const struct vnl_stats *s, struct vnl_summary *out);
const struct vnl_hist *vnl_stats_hist(const struct vnl_stats *s);

#endif
