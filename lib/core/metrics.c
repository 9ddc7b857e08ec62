/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition format (version 0.0.4): "# HELP" and
 * "# TYPE" lines before each family, samples as NAME{LABELS} VALUE. Label
 * values escape backslash, double quote and newline; bytes that are not
 * printable ASCII (a damaged record's address) become '?'. Latencies are
 * seconds, as Prometheus' base units ask; a summary of a stage with no value
 * has NaN quantiles, count 0 and sum 0, as client libraries write it.
 */
#include "metrics.h"

#include <inttypes.h>

#include <errno.h>

#include "analysis.h"
#include "log.h"
#include "pkt.h"
#include "safefile.h"
#include "stats.h"
#include "status.h"

static const double quantiles[] = { 0.5, 0.9, 0.99, 0.999, 1.0 };

static void put_label_value(FILE *out, const char *v)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c == '\\')
			fputs("\\\\", out);
		else if (*c == '"')
			fputs("\\\"", out);
		else if (*c == '\n')
			fputs("\\n", out);
		else
			fputc(*c < 0x20 || *c >= 0x7f ? '?' : *c, out);
	}
	fputc('"', out);
}

static void put_label(FILE *out, bool *first, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	fputs(*first ? "{" : ",", out);
	*first = false;
	fprintf(out, "%s=", name);
	put_label_value(out, value);
}

/* The labels every series has: stage (if any), direction, lab, topology, local, peer. */
static void put_labels(FILE *out, const struct vnl_metrics_info *info, const char *stage,
		       const char *quantile)
{
	bool first = true;
	put_label(out, &first, "stage", stage);
	put_label(out, &first, "direction", info->direction);
	put_label(out, &first, "lab", info->lab);
	put_label(out, &first, "topology", info->topology);
	put_label(out, &first, "local", info->local);
	put_label(out, &first, "peer", info->peer);
	put_label(out, &first, "quantile", quantile);
	if (!first)
		fputc('}', out);
}

/* Nanoseconds as seconds, exactly: 0.000004071, -1.500000000. */
static void put_seconds(FILE *out, int64_t ns)
{
	uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	fprintf(out, "%s%" PRIu64 ".%09" PRIu64, ns < 0 ? "-" : "", mag / 1000000000u,
		mag % 1000000000u);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *out, const struct vnl_metrics_info *info, const char *name, uint64_t v)
{
	fputs(name, out);
	put_labels(out, info, NULL, NULL);
	fprintf(out, " %" PRIu64 "\n", v);
}

static void summary(FILE *out, const struct vnl_metrics_info *info, const char *stage,
		    const struct vnl_stats *st)
{
	struct vnl_summary s;
	char q[16];

	vnl_stats_summarize(st, &s);
	for (size_t i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++) {
		snprintf(q, sizeof(q), "%g", quantiles[i]);
		fputs("vnetlat_latency_seconds", out);
		put_labels(out, info, stage, q);
		fputc(' ', out);
		if (s.count)
			put_seconds(out, vnl_stats_percentile(st, quantiles[i]));
		else
			fputs("NaN", out);
		fputc('\n', out);
	}
	fputs("vnetlat_latency_seconds_sum", out);
	put_labels(out, info, stage, NULL);
	/* to the nanosecond, as the values are */
	fprintf(out, " %.9f", s.count ? s.mean_ns * (double)s.count / 1e9 : 0.0);
	fputs("\nvnetlat_latency_seconds_count", out);
	put_labels(out, info, stage, NULL);
	fprintf(out, " %" PRIu64 "\n", s.count);
}

/* The counters, one family each with a sample per analysis (a family is written once). */
static const struct counter_def {
	const char *name, *help;
	bool received_side, deadline;
} counter_defs[] = {
	{ "vnetlat_probes_sent_total", "Probes the sender sent.", false, false },
	{ "vnetlat_probes_received_total", "Probes received (duplicates not counted).", true, false },
	{ "vnetlat_probes_lost_total", "Probes sent but never received.", true, false },
	{ "vnetlat_probes_late_total", "Probes received after the deadline (wakeup + one_way).", true,
	  true },
};

static uint64_t counter_value(const struct vnl_counts *c, size_t k)
{
	const uint64_t v[] = { c->sent, c->received, c->lost, c->late };
	return v[k];
}

/* Whether analysis I has counter K: a sender cannot know received, lost or late. */
static bool has_counter(const struct vnl_metrics_info *info, size_t k)
{
	return !(counter_defs[k].received_side && info->sender_view) &&
	       !(counter_defs[k].deadline && info->deadline_ns <= 0);
}

int vnl_metrics_write_set(FILE *out, const struct vnl_analysis *const *a,
			  const struct vnl_metrics_info *info, size_t n)
{
	struct vnl_counts c[8];
	if (n > sizeof(c) / sizeof(c[0]))
		n = sizeof(c) / sizeof(c[0]);
	for (size_t i = 0; i < n; i++)
		vnl_analysis_counts(a[i], &c[i]);
	for (size_t k = 0; k < sizeof(counter_defs) / sizeof(counter_defs[0]); k++) {
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any = any || has_counter(&info[i], k);
		if (!any)
			continue;
		family(out, counter_defs[k].name, "counter", counter_defs[k].help);
		for (size_t i = 0; i < n; i++)
			if (has_counter(&info[i], k))
				sample(out, &info[i], counter_defs[k].name, counter_value(&c[i], k));
	}
	family(out, "vnetlat_latency_seconds", "summary", "Latency of each stage of a probe's journey "
	       "(quantiles from a log-linear histogram, at most 1% relative error).");
	for (size_t i = 0; i < n; i++)
		for (int st = 0; st < VNL_STAGE__COUNT; st++)
			summary(out, &info[i], vnl_stage_name(st), vnl_analysis_stage(a[i], st));
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

int vnl_metrics_write(FILE *out, const struct vnl_analysis *a, const struct vnl_metrics_info *info)
{
	return vnl_metrics_write_set(out, &a, info, 1);
}

int vnl_metrics_write_live(FILE *out, const struct vnl_status_line *s,
			   const struct vnl_metrics_info *info, size_t n)
{
	static const char *const names[] = { "vnetlat_probes_sent_total",
					     "vnetlat_probes_received_total",
					     "vnetlat_probes_lost_total" };
	for (size_t k = 0; k < 3; k++) {
		family(out, names[k], "counter", counter_defs[k].help);
		for (size_t i = 0; i < n; i++)
			sample(out, &info[i], names[k], k == 0 ? s[i].sent : k == 1 ? s[i].received
										   : s[i].lost);
	}
	family(out, "vnetlat_live_latency_p99_seconds", "gauge",
	       "The headline stage's p99 so far (one_way, else path), while the stream runs.");
	for (size_t i = 0; i < n; i++) {
		if (!s[i].has_p99)
			continue;
		fputs("vnetlat_live_latency_p99_seconds", out);
		put_labels(out, &info[i], vnl_stage_name(s[i].stage), NULL);
		fputc(' ', out);
		put_seconds(out, s[i].p99_ns);
		fputc('\n', out);
	}
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

/* Replace PATH atomically with what WRITE puts in the stream. */
static int replace_with(const char *path, int (*write)(FILE *, const void *), const void *arg)
{
	struct vnl_replace *r = vnl_replace_open(path);
	if (!r) {
		vnl_err("cannot write metrics to '%s': %s", path, vnl_file_why(errno));
		return -1;
	}
	if (write(vnl_replace_stream(r), arg) < 0) {
		vnl_errno("cannot write metrics to '%s'", path);
		vnl_replace_abort(r);
		return -1;
	}
	if (vnl_replace_commit(r) < 0) {
		vnl_errno("cannot write metrics to '%s'", path);
		return -1;
	}
	return 0;
}

struct set_arg { const struct vnl_analysis *const *a; const struct vnl_metrics_info *info; size_t n; };
struct live_arg { const struct vnl_status_line *s; const struct vnl_metrics_info *info; size_t n; };

static int write_set(FILE *out, const void *arg)
{
	const struct set_arg *x = arg;
	return vnl_metrics_write_set(out, x->a, x->info, x->n);
}

static int write_live(FILE *out, const void *arg)
{
	const struct live_arg *x = arg;
	return vnl_metrics_write_live(out, x->s, x->info, x->n);
}

int vnl_metrics_write_set_file(const char *path, const struct vnl_analysis *const *a,
			       const struct vnl_metrics_info *info, size_t n)
{
	struct set_arg x = { a, info, n };
	return replace_with(path, write_set, &x);
}

int vnl_metrics_write_live_file(const char *path, const struct vnl_status_line *s,
				const struct vnl_metrics_info *info, size_t n)
{
	struct live_arg x = { s, info, n };
	return replace_with(path, write_live, &x);
}

int vnl_metrics_write_file(const char *path, const struct vnl_analysis *a,
			   const struct vnl_metrics_info *info)
{
	return vnl_metrics_write_set_file(path, &a, info, 1);
}
