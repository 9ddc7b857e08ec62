/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis.h"
#include "parse.h"
#include "stats.h"
#include "timeutil.h"

struct vnl_status {
	bool enabled;
	bool shown;
	int64_t next_ns;
};

struct vnl_status *vnl_status_new(bool quiet)
{
	struct vnl_status *s = calloc(1, sizeof(*s));
	if (s)
		s->enabled = !quiet && isatty(STDERR_FILENO);
	return s;
}

void vnl_status_free(struct vnl_status *s)
{
	free(s);
}

void vnl_status_tick(struct vnl_status *s, int64_t now_ns, const struct vnl_analysis *a,
		     enum vnl_stage stage)
{
	if (!s || !s->enabled || now_ns < s->next_ns)
		return;
	s->next_ns = now_ns + VNL_NSEC_PER_SEC;
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	const struct vnl_stats *st = vnl_analysis_stage(a, stage);
	char p99[32] = "-";
	if (st && vnl_stats_count(st))
		vnl_fmt_ns(vnl_stats_percentile(st, 0.99), p99, sizeof(p99));
	double loss = c.sent ? 100.0 * (double)c.lost / (double)c.sent : 0.0;
	/* \r + erase-to-end: one line, rewritten in place. */
	fprintf(stderr, "\r\033[K%llu packets, %llu lost (%.3f%%), %s p99 %s",
		(unsigned long long)c.received, (unsigned long long)c.lost, loss,
		vnl_stage_name(stage), p99);
	fflush(stderr);
	s->shown = true;
}

void vnl_status_clear(struct vnl_status *s)
{
	if (s && s->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		s->shown = false;
	}
}
