/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --trace part of a report (recv and run): each worst probe's causes
 * from a stopped scheduler trace (schedtrace.h), as the JSON "explain" of
 * each entry of "worst" plus a "trace" object, or as the text section "why
 * the worst packets were slow". The window of a probe is its rx_sw ..
 * app_rx on the traced host's clock.
 */
#ifndef VNL_TRACEOUT_H
#define VNL_TRACEOUT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analysis.h"
#include "schedtrace.h"

#define VNL_TRACE_EXPLAIN_MAX 8 /* causes named per worst probe */

/* Each entry of doc's "worst" gets "explain"; doc gets "trace". */
void vnl_traceout_json(json_t *doc, const struct vnl_analysis *an, const struct vnl_schedtrace *tr);
/* The text section for the worst_n worst probes. */
void vnl_traceout_text(FILE *out, const struct vnl_analysis *an, const struct vnl_schedtrace *tr,
		       unsigned worst_n);

/*
 * Over all probes above a threshold (the one_way p99.9): each counted under
 * its longest cause ("31 of 40: preempted by ksoftirqd/1"), or as
 * unexplained. From a record file of the traced stream.
 */
#define VNL_TRACE_TALLY_MAX 16 /* distinct causes kept; the rest count as "other" */
struct vnl_trace_tally_cause {
	char kind[12];
	char task[16];
	uint64_t probes;
};
struct vnl_trace_tally {
	int64_t threshold_ns;
	uint64_t probes;      /* above the threshold */
	uint64_t unexplained; /* no cause found (or older than the trace) */
	uint64_t other;       /* their cause beyond the first VNL_TRACE_TALLY_MAX */
	size_t n;
	struct vnl_trace_tally_cause cause[VNL_TRACE_TALLY_MAX]; /* most probes first */
};

/* Tally the record's probes with one_way above threshold_ns; 0, or -1 after a message. */
int vnl_traceout_tally(const char *record, int64_t threshold_ns, const struct vnl_schedtrace *tr,
		       struct vnl_trace_tally *out);
/* {threshold_ns, probes, unexplained, other, causes: [{kind, task, probes}]} */
json_t *vnl_traceout_tally_json(const struct vnl_trace_tally *t);
/* One line: "above p99.9 (one_way > 812.3 us): 40 probes; 31: preempted by ksoftirqd/1; ..." */
void vnl_traceout_tally_text(FILE *out, const struct vnl_trace_tally *t);

#endif
