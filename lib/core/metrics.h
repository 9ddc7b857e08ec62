/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An analysis as metrics in the Prometheus text exposition format (0.0.4,
 * what node_exporter's textfile collector reads): probe counters and, per latency stage, a
 * summary in seconds with quantiles 0.5, 0.9, 0.99, 0.999 and 1. Pure: takes
 * the analysis, writes a stream or replaces a file atomically.
 */
#ifndef VNL_METRICS_H
#define VNL_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vnl_analysis;
struct vnl_status_line;

/* What labels the series carry beside "stage"; NULL or "" leaves one out. */
struct vnl_metrics_info {
	const char *direction; /* "in", "out" (run); NULL for a plain stream */
	const char *lab, *topology; /* run: the lab measured */
	const char *local, *peer;
	int64_t deadline_ns;   /* vnetlat_probes_late_total only when given (> 0) */
	bool sender_view;      /* a sender cannot know received, lost or late: left out */
};

/* 0, or -1 when writing failed (errno from the stream). */
int vnl_metrics_write(FILE *out, const struct vnl_analysis *a, const struct vnl_metrics_info *info);
/* N analyses in one exposition (run's directions): each family once, a sample per analysis,
 * told apart by their INFO's labels (at most 8). */
int vnl_metrics_write_set(FILE *out, const struct vnl_analysis *const *a,
			  const struct vnl_metrics_info *info, size_t n);
/* While a stream runs: the counters of N live status lines and the headline stage's p99 so
 * far (gauge vnetlat_live_latency_p99_seconds). */
int vnl_metrics_write_live(FILE *out, const struct vnl_status_line *s,
			   const struct vnl_metrics_info *info, size_t n);
/* The same to PATH, replaced atomically (a temporary beside it, renamed when whole), so a
 * reader (node_exporter) never sees half a file. 0, or -1 with a message. */
int vnl_metrics_write_file(const char *path, const struct vnl_analysis *a,
			   const struct vnl_metrics_info *info);
int vnl_metrics_write_set_file(const char *path, const struct vnl_analysis *const *a,
			       const struct vnl_metrics_info *info, size_t n);
int vnl_metrics_write_live_file(const char *path, const struct vnl_status_line *s,
				const struct vnl_metrics_info *info, size_t n);

#endif
