/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "traceout.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pkt.h"
#include "record.h"

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

/* The probe's cause that took most of its wait; false if none. */
static bool top_cause(const struct vnl_schedtrace *tr, const struct vnl_pkt *p,
		      struct vnl_sched_explain *top)
{
	int64_t from, to;
	if (!wait_window(p, &from, &to) || from < vnl_schedtrace_oldest(tr))
		return false;
	return vnl_schedtrace_explain(tr, from, to, top, 1) == 1;
}

static void tally_add(struct vnl_trace_tally *t, const struct vnl_sched_explain *x)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->cause[i].kind, x->kind) &&
		    !strncmp(t->cause[i].task, x->task, sizeof(t->cause[i].task))) {
			t->cause[i].probes++;
			return;
		}
	if (t->n == VNL_TRACE_TALLY_MAX) {
		t->other++;
		return;
	}
	snprintf(t->cause[t->n].kind, sizeof(t->cause[t->n].kind), "%s", x->kind);
	snprintf(t->cause[t->n].task, sizeof(t->cause[t->n].task), "%.*s",
		 (int)sizeof(x->task) - 1, x->task);
	t->cause[t->n++].probes = 1;
}

static int by_probes(const void *a, const void *b)
{
	const struct vnl_trace_tally_cause *x = a, *y = b;
	return x->probes > y->probes ? -1 : x->probes < y->probes;
}

int vnl_traceout_tally(const char *record, int64_t threshold_ns, const struct vnl_schedtrace *tr,
		       struct vnl_trace_tally *out)
{
	memset(out, 0, sizeof(*out));
	out->threshold_ns = threshold_ns;
	char err[256];
	struct vnl_record_reader *rd = vnl_record_open(record, err, sizeof(err));
	if (!rd) {
		vnl_err("--trace: cannot tally the probes above p99.9: %s", err);
		return -1;
	}
	const struct vnl_pkt *batch;
	size_t n;
	while ((batch = vnl_record_next(rd, &n)))
		for (size_t i = 0; i < n; i++) {
			int64_t v;
			if ((batch[i].flags & VNL_PKT_F_DUPLICATE) ||
			    !vnl_pkt_stage(&batch[i], VNL_STAGE_ONE_WAY, &v) || v <= threshold_ns)
				continue;
			out->probes++;
			struct vnl_sched_explain top;
			if (top_cause(tr, &batch[i], &top))
				tally_add(out, &top);
			else
				out->unexplained++;
		}
	vnl_record_close(rd);
	qsort(out->cause, out->n, sizeof(out->cause[0]), by_probes);
	return 0;
}

json_t *vnl_traceout_tally_json(const struct vnl_trace_tally *t)
{
	json_t *causes = json_array();
	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(causes, json_pack("{s:s, s:s%, s:I}", "kind", t->cause[i].kind,
							"task", t->cause[i].task,
							strnlen(t->cause[i].task, sizeof(t->cause[i].task)),
							"probes", (json_int_t)t->cause[i].probes));
	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "threshold_ns", (json_int_t)t->threshold_ns,
			 "probes", (json_int_t)t->probes, "unexplained", (json_int_t)t->unexplained,
			 "other", (json_int_t)t->other, "causes", causes);
}

void vnl_traceout_tally_text(FILE *out, const struct vnl_trace_tally *t)
{
	fprintf(out, "  above p99.9 (one_way > %.1f us): %" PRIu64 " probes", (double)t->threshold_ns / 1e3,
		t->probes);
	for (size_t i = 0; i < t->n; i++) {
		fprintf(out, "; %" PRIu64, t->cause[i].probes);
		if (!i)
			fprintf(out, " of %" PRIu64, t->probes);
		fprintf(out, ": %s %s", t->cause[i].kind, t->cause[i].task);
	}
	if (t->other)
		fprintf(out, "; %" PRIu64 ": other causes", t->other);
	if (t->unexplained)
		fprintf(out, "; %" PRIu64 ": nothing traced", t->unexplained);
	fputc('\n', out);
}
