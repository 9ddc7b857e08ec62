/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "traceout.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

/* The probe's waiting time on this host: rx_sw .. app_rx (its rx_stack); false if unstamped. */
static bool wait_window(const struct vnl_pkt *p, int64_t *from, int64_t *to)
{
	*from = p->rx_sw;
	*to = p->app_rx;
	return p->rx_sw && p->app_rx && p->app_rx > p->rx_sw;
}

void vnl_traceout_json(json_t *doc, const struct vnl_analysis *an, const struct vnl_schedtrace *tr)
{
	json_t *worst = json_object_get(doc, "worst");
	size_t n = json_array_size(worst);
	struct vnl_pkt *w = n ? calloc(n, sizeof(*w)) : NULL;
	n = w ? vnl_analysis_worst(an, w, n) : 0;
	for (size_t i = 0; i < n; i++) {
		json_t *entry = json_array_get(worst, i);
		struct vnl_sched_explain x[VNL_TRACE_EXPLAIN_MAX];
		int64_t from, to;
		size_t k = wait_window(&w[i], &from, &to)
			? vnl_schedtrace_explain(tr, from, to, x, VNL_TRACE_EXPLAIN_MAX) : 0;
		json_object_set_new(entry, "explain", vnl_trace_explain_json(x, k));
	}
	free(w);
	json_t *o = json_object();
	int64_t oldest = vnl_schedtrace_oldest(tr);
	json_object_set_new(o, "oldest_ns", oldest ? json_integer(oldest) : json_null());
	json_object_set_new(o, "dropped", json_integer((json_int_t)vnl_schedtrace_dropped(tr)));
	json_object_set_new(o, "overwritten",
			    json_integer((json_int_t)vnl_schedtrace_overwritten(tr)));
	json_object_set_new(doc, "trace", o);
}

void vnl_traceout_text(FILE *out, const struct vnl_analysis *an, const struct vnl_schedtrace *tr,
		       unsigned worst_n)
{
	struct vnl_pkt *w = worst_n ? calloc(worst_n, sizeof(*w)) : NULL;
	size_t n = w ? vnl_analysis_worst(an, w, worst_n) : 0;
	int64_t oldest = vnl_schedtrace_oldest(tr);
	fputs("\nwhy the worst packets were slow (--trace: what held the receiving thread's CPU\n"
	      "between rx_sw and app_rx, or kept it asleep; share of rx_stack)\n", out);
	for (size_t i = 0; i < n; i++) {
		int64_t from, to;
		fprintf(out, "  seq %" PRIu64 ":", w[i].seq);
		if (!wait_window(&w[i], &from, &to)) {
			fputs(" no rx_sw and app_rx stamps to look between\n", out);
			continue;
		}
		if (!oldest || from < oldest) {
			fputs(" before the oldest event still held: not in the trace\n", out);
			continue;
		}
		struct vnl_sched_explain x[VNL_TRACE_EXPLAIN_MAX];
		size_t k = vnl_schedtrace_explain(tr, from, to, x, VNL_TRACE_EXPLAIN_MAX);
		fprintf(out, " rx_stack %.1f us", (double)(to - from) / 1e3);
		if (!k)
			fputs(", nothing else held its CPU", out);
		for (size_t j = 0; j < k; j++) {
			char line[160];
			vnl_trace_explain_text(&x[j], line, sizeof(line));
			fprintf(out, "%s %s", j ? ";" : ",", line);
		}
		fputc('\n', out);
	}
	if (vnl_schedtrace_dropped(tr) || vnl_schedtrace_overwritten(tr))
		fprintf(out, "  (events lost: %" PRIu64 " dropped by a full kernel ring, %" PRIu64
			" overwritten, the oldest first)\n", vnl_schedtrace_dropped(tr),
			vnl_schedtrace_overwritten(tr));
	free(w);
}
