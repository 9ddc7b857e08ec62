/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Presenting an analysis: a human table, one JSON document (schema in
 * doc/json-schema.json) or per-packet CSV. Used by recv, send and report.
 */
#ifndef VNL_OUTPUT_H
#define VNL_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pkt.h"

struct vnl_analysis;

/* What the report says about the run beside the numbers. */
struct vnl_run_info {
	const char *role;       /* "recv", "send" or "report" */
	const char *transport;  /* "udp4", "udp6", "l2" */
	const char *local, *peer;
	const char *sched_clock; /* "realtime", "tai", "monotonic" */
	const char *clock_sync;  /* "same-host": one clock, one-way exact; else why not */
	const char *stamping;    /* e.g. "software (veth0 has no PHC)" */
	int64_t interval_ns;
	uint32_t payload_size;
	int64_t duration_ns;     /* wall time of the run */
	bool interrupted;        /* stopped by SIGINT/SIGTERM */
	const char *damage;      /* record file damage, NULL if whole */
	int64_t window_from_ns, window_to_ns; /* 0,0 = whole run */
	int64_t deadline_ns;
	bool sender_view;        /* the sender's own figures (send, or report of a send
				  * record): it cannot know what arrived, so received, lost and
				  * the receiver's counters are not stated (JSON null) */
};

void vnl_output_text(FILE *out, const struct vnl_analysis *a, const struct vnl_run_info *info);
/* New reference; the caller dumps and json_decref()s it. */
json_t *vnl_output_json(const struct vnl_analysis *a, const struct vnl_run_info *info);
/* Print a JSON document to out, indented, with a trailing newline. 0 or -1. */
int vnl_output_json_dump(FILE *out, json_t *doc);

/* One stage-like statistics object, as in the latency table / "latency".STAGE (for run's hops). */
struct vnl_stats;
void vnl_output_text_stats_header(FILE *out, const char *title);
void vnl_output_text_stats_row(FILE *out, const char *name, const struct vnl_stats *st);
json_t *vnl_output_json_stats(const struct vnl_stats *st);

/*
 * Each stage's histogram (the log-linear buckets behind its percentiles):
 * CSV "stage,lo_ns,hi_ns,count", one row per non-empty bucket, stages in
 * order; or HdrHistogram's outputPercentileDistribution text per stage
 * (values in microseconds), each block after a "# stage: NAME" line.
 */
void vnl_output_hist_csv(FILE *out, const struct vnl_analysis *a);
void vnl_output_hist_hdr(FILE *out, const struct vnl_analysis *a);
/* Give every stage object of DOC's "latency" its "histogram" array. */
void vnl_output_json_add_histograms(json_t *doc, const struct vnl_analysis *a);

void vnl_output_csv_header(FILE *out);
void vnl_output_csv_row(FILE *out, const struct vnl_pkt *p);

#endif
