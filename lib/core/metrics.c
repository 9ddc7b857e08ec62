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

/* The labels every series has: stage (if any), direction, local, peer. */
static void put_labels(FILE *out, const struct vnl_metrics_info *info, const char *stage,
		       const char *quantile)
{
	bool first = true;
	put_label(out, &first, "stage", stage);
	put_label(out, &first, "direction", info->direction);
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

static void counter(FILE *out, const struct vnl_metrics_info *info, const char *name,
		    const char *help, uint64_t v)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s", name, help, name, name);
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

int vnl_metrics_write(FILE *out, const struct vnl_analysis *a, const struct vnl_metrics_info *info)
{
	struct vnl_counts c;

	vnl_analysis_counts(a, &c);
	counter(out, info, "vnetlat_probes_sent_total", "Probes the sender sent.", c.sent);
	if (!info->sender_view) {
		counter(out, info, "vnetlat_probes_received_total",
			"Probes received (duplicates not counted).", c.received);
		counter(out, info, "vnetlat_probes_lost_total",
			"Probes sent but never received.", c.lost);
		if (info->deadline_ns > 0)
			counter(out, info, "vnetlat_probes_late_total",
				"Probes received after the deadline (wakeup + one_way).", c.late);
	}
	fputs("# HELP vnetlat_latency_seconds Latency of each stage of a probe's journey "
	      "(quantiles from a log-linear histogram, at most 1% relative error).\n"
	      "# TYPE vnetlat_latency_seconds summary\n", out);
	for (int st = 0; st < VNL_STAGE__COUNT; st++)
		summary(out, info, vnl_stage_name(st), vnl_analysis_stage(a, st));
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

int vnl_metrics_write_file(const char *path, const struct vnl_analysis *a,
			   const struct vnl_metrics_info *info)
{
	struct vnl_replace *r = vnl_replace_open(path);
	if (!r) {
		vnl_err("cannot write metrics to '%s': %s", path, vnl_file_why(errno));
		return -1;
	}
	if (vnl_metrics_write(vnl_replace_stream(r), a, info) < 0) {
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
