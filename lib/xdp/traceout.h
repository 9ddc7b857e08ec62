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

#endif
