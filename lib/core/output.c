/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Presenting an analysis: the human report, the JSON document described in
 * doc/json-schema.json, and per-packet CSV rows. Nothing here runs per packet
 * during a measurement except the CSV row, which formats by hand (no stdio
 * formatting) because `report --csv` writes millions of them.
 */
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "hist.h"
#include "parse.h"
#include "stats.h"

#define SCHEMA_VERSION 1

/* Where a stamp's time comes from: the JSON value and the words for humans. */
static const char *stamp_clock(enum vnl_stamp s)
{
	switch (s) {
	case VNL_STAMP_SCHED:
		return "schedule";
	case VNL_STAMP_TX_HW:
	case VNL_STAMP_RX_HW:
		return "phc";
	default:
		return "realtime";
	}
}

static void stamp_clock_text(enum vnl_stamp s, const char *sched_clock, char *buf, size_t len)
{
	const char *c = stamp_clock(s);
	if (!strcmp(c, "schedule"))
		snprintf(buf, len, "schedule clock (%s)", sched_clock ? sched_clock : "unknown");
	else if (!strcmp(c, "phc"))
		snprintf(buf, len, "NIC PTP hardware clock");
	else
		snprintf(buf, len, "CLOCK_REALTIME");
}

static bool same_host(const struct vnl_run_info *info)
{
	return info->clock_sync && !strcmp(info->clock_sync, "same-host");
}

static double percent_of(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Packets whose worst-list entries are needed; grows until all are held. */
static struct vnl_pkt *worst_packets(const struct vnl_analysis *a, size_t *n)
{
	size_t cap = 16;
	for (;;) {
		struct vnl_pkt *buf = malloc(cap * sizeof(*buf));
		if (!buf) {
			*n = 0;
			return NULL;
		}
		*n = vnl_analysis_worst(a, buf, cap);
		if (*n < cap)
			return buf;
		free(buf);
		cap *= 2;
	}
}

/* ---------------------------------------------------------------- text */

/* Microseconds in a column of width w, with fewer decimals as values grow. */
static void put_us(FILE *out, int w, double ns)
{
	double us = ns / 1e3;
	double a = fabs(us);
	int prec = a < 1e3 ? 2 : a < 1e5 ? 1 : 0;
	fprintf(out, " %*.*f", w, prec, us);
}

static void put_dash(FILE *out, int w)
{
	fprintf(out, " %*s", w, "-");
}

#define COL 9

static void text_stats_header(FILE *out, const char *title)
{
	static const char *const cols[] = { "min", "mean", "stddev", "p50", "p90",
					    "p99", "p99.9", "p99.99", "max" };
	fprintf(out, "%-14s %9s", title, "count");
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(out, " %*s", COL, cols[i]);
	fputc('\n', out);
}

static void text_stats_row(FILE *out, const char *name, const struct vnl_stats *st)
{
	struct vnl_summary s;
	vnl_stats_summarize(st, &s);
	fprintf(out, "  %-12s %9" PRIu64, name, s.count);
	if (!s.count) {
		for (int i = 0; i < 9; i++)
			put_dash(out, COL);
		fputc('\n', out);
		return;
	}
	put_us(out, COL, (double)s.min_ns);
	put_us(out, COL, s.mean_ns);
	put_us(out, COL, s.stddev_ns);
	put_us(out, COL, (double)s.p50_ns);
	put_us(out, COL, (double)s.p90_ns);
	put_us(out, COL, (double)s.p99_ns);
	put_us(out, COL, (double)s.p999_ns);
	put_us(out, COL, (double)s.p9999_ns);
	put_us(out, COL, (double)s.max_ns);
	fputc('\n', out);
}

static void text_run(FILE *out, const struct vnl_run_info *info)
{
	char b1[32], b2[32];

	fprintf(out, "vnetlat %s: %s, local %s, peer %s\n", info->role ? info->role : "report",
		info->transport ? info->transport : "?", info->local ? info->local : "?",
		info->peer ? info->peer : "?");
	fprintf(out, "  stream:   %" PRIu32 "-byte probes", info->payload_size);
	if (info->interval_ns)
		fprintf(out, " every %s", vnl_fmt_ns(info->interval_ns, b1, sizeof(b1)));
	fprintf(out, ", schedule clock %s", info->sched_clock ? info->sched_clock : "unknown");
	if (info->duration_ns)
		fprintf(out, ", run of %s", vnl_fmt_ns(info->duration_ns, b1, sizeof(b1)));
	fputc('\n', out);
	fprintf(out, "  stamping: %s\n", info->stamping ? info->stamping : "unknown");
	if (info->window_from_ns || info->window_to_ns) {
		vnl_fmt_ns(info->window_from_ns, b1, sizeof(b1));
		if (info->window_to_ns)
			vnl_fmt_ns(info->window_to_ns, b2, sizeof(b2));
		fprintf(out, "  window:   packets scheduled from %s to %s into the run\n", b1,
			info->window_to_ns ? b2 : "its end");
	}
	if (info->interrupted)
		fputs("  note:     the run was interrupted; figures cover what was measured "
		      "before it stopped\n", out);
	if (info->damage)
		fprintf(out, "  note:     record file damaged (%s); figures cover what was read "
			"before the damage\n", info->damage);
}

static void text_packets(FILE *out, const struct vnl_counts *c, int64_t deadline_ns,
			 bool sender_view)
{
	char b[32];

	if (sender_view) {
		fprintf(out, "\npackets    sent %" PRIu64 ", missing TX stamps %" PRIu64 "\n"
			"           received, lost: not known to the sender (see the receiver's "
			"report)\n", c->sent, c->no_tx_stamps);
		return;
	}

	fprintf(out, "\npackets    sent %" PRIu64 ", received %" PRIu64 ", lost %" PRIu64
		" (%.3f%%), reordered %" PRIu64 ", duplicated %" PRIu64 "\n",
		c->sent, c->received, c->lost, percent_of(c->lost, c->sent), c->reordered,
		c->duplicated);
	if (deadline_ns)
		fprintf(out, "           late %" PRIu64 " (deadline %s)", c->late,
			vnl_fmt_ns(deadline_ns, b, sizeof(b)));
	else
		fputs("           late - (no deadline given)", out);
	fprintf(out, ", foreign %" PRIu64 ", malformed %" PRIu64 ", missing TX stamps %" PRIu64
		"\n", c->foreign, c->malformed, c->no_tx_stamps);
}

static void text_latency(FILE *out, const struct vnl_analysis *a)
{
	fputc('\n', out);
	text_stats_header(out, "latency (us)");
	for (int st = 0; st < VNL_STAGE__COUNT; st++)
		text_stats_row(out, vnl_stage_name(st), vnl_analysis_stage(a, st));
	text_stats_row(out, "ipdv", vnl_analysis_ipdv(a));
	fputs("  (ipdv: |one_way(n) - one_way(n-1)| of consecutive sequence numbers)\n", out);
}

static void put_stage_us(FILE *out, const struct vnl_pkt *p, enum vnl_stage st)
{
	int64_t v;
	if (vnl_pkt_stage(p, st, &v))
		put_us(out, 10, (double)v);
	else
		put_dash(out, 10);
}

static void text_worst(FILE *out, const struct vnl_analysis *a)
{
	size_t n;
	struct vnl_pkt *w = worst_packets(a, &n);
	int64_t origin = vnl_analysis_origin(a);

	if (n) {
		fputs("\nworst packets (by one_way, else path; times in us, t = seconds into "
		      "the run)\n", out);
		fprintf(out, "  %12s %12s %10s %10s %10s %10s %10s\n", "seq", "t", "one_way", "path",
			"wakeup", "tx_stack", "rx_stack");
	}
	for (size_t i = 0; i < n; i++) {
		const struct vnl_pkt *p = &w[i];
		fprintf(out, "  %12" PRIu64, p->seq);
		if (p->sched && origin)
			fprintf(out, " %12.6f", (double)(p->sched - origin) / 1e9);
		else
			fprintf(out, " %12s", "-");
		put_stage_us(out, p, VNL_STAGE_ONE_WAY);
		put_stage_us(out, p, VNL_STAGE_PATH);
		put_stage_us(out, p, VNL_STAGE_WAKEUP);
		put_stage_us(out, p, VNL_STAGE_TX_STACK);
		put_stage_us(out, p, VNL_STAGE_RX_STACK);
		fputc('\n', out);
	}
	free(w);
}

static void text_stamps(FILE *out, const struct vnl_analysis *a, const struct vnl_run_info *info)
{
	char clock[64];

	fprintf(out, "\n%-14s %9s  %s\n", "stamps", "packets", "clock");
	for (int s = 0; s < VNL_STAMP__COUNT; s++) {
		stamp_clock_text(s, info->sched_clock, clock, sizeof(clock));
		fprintf(out, "  %-12s %9" PRIu64 "  %s\n", vnl_stamp_name(s),
			vnl_analysis_stamp_count(a, s), clock);
	}
}

static void text_clock_sync(FILE *out, const struct vnl_run_info *info)
{
	if (same_host(info)) {
		fputs("\nclocks: sender and receiver read the same host's clocks (same-host): "
		      "one-way figures are exact.\n", out);
		return;
	}
	if (info->clock_sync && !strcmp(info->clock_sync, "estimated")) {
		fputs("\nclocks: one end (a VM guest, or another host) has a clock of its own; its stamps "
		      "were moved onto this\n        host's clock by an estimated offset, so path and "
		      "one_way (and any hop into or out of\n        the guest) are only as exact as the "
		      "uncertainty given with them; wakeup, tx_stack\n        and rx_stack are "
		      "unaffected.\n", out);
		return;
	}
	fprintf(out, "\ncaveat: clock sync is \"%s\": path and one_way subtract a sender stamp "
		"from a receiver stamp, so any offset between the two hosts' clocks is in them.\n"
		"        They are exact only on one host or with PTP-synchronised clocks; "
		"wakeup, tx_stack and rx_stack are unaffected.\n",
		info->clock_sync ? info->clock_sync : "unknown");
}

void vnl_output_text(FILE *out, const struct vnl_analysis *a, const struct vnl_run_info *info)
{
	struct vnl_counts c;

	vnl_analysis_counts(a, &c);
	text_run(out, info);
	text_packets(out, &c, info->deadline_ns, info->sender_view);
	text_latency(out, a);
	text_worst(out, a);
	text_stamps(out, a, info);
	text_clock_sync(out, info);
}

/* ---------------------------------------------------------------- JSON */

/* A JSON string, or null; bytes that are not UTF-8 (a damaged file) become '?'. */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

static json_t *jint(int64_t v)
{
	return json_integer((json_int_t)v);
}

/* Integer, or null when 0 stands for "absent/unknown". */
static json_t *jint_or_null(int64_t v)
{
	return v ? jint(v) : json_null();
}

static json_t *json_summary(const struct vnl_stats *st)
{
	struct vnl_summary s;
	vnl_stats_summarize(st, &s);
	bool any = s.count > 0;
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer((json_int_t)s.count));
	json_object_set_new(o, "min_ns", any ? jint(s.min_ns) : json_null());
	json_object_set_new(o, "mean_ns", any ? json_real(s.mean_ns) : json_null());
	json_object_set_new(o, "stddev_ns", any ? json_real(s.stddev_ns) : json_null());
	json_object_set_new(o, "p50_ns", any ? jint(s.p50_ns) : json_null());
	json_object_set_new(o, "p90_ns", any ? jint(s.p90_ns) : json_null());
	json_object_set_new(o, "p99_ns", any ? jint(s.p99_ns) : json_null());
	json_object_set_new(o, "p999_ns", any ? jint(s.p999_ns) : json_null());
	json_object_set_new(o, "p9999_ns", any ? jint(s.p9999_ns) : json_null());
	json_object_set_new(o, "max_ns", any ? jint(s.max_ns) : json_null());
	return o;
}

static json_t *json_run(const struct vnl_run_info *info)
{
	json_t *o = json_object();
	json_object_set_new(o, "role", jstr(info->role));
	json_object_set_new(o, "transport", jstr(info->transport));
	json_object_set_new(o, "local", jstr(info->local));
	json_object_set_new(o, "peer", jstr(info->peer));
	json_object_set_new(o, "interval_ns", jint_or_null(info->interval_ns));
	json_object_set_new(o, "payload_size", json_integer(info->payload_size));
	json_object_set_new(o, "sched_clock", jstr(info->sched_clock));
	json_object_set_new(o, "clock_sync", jstr(info->clock_sync ? info->clock_sync : "unknown"));
	json_object_set_new(o, "stamping", jstr(info->stamping));
	json_object_set_new(o, "duration_ns", jint_or_null(info->duration_ns));
	json_object_set_new(o, "interrupted", json_boolean(info->interrupted));
	json_object_set_new(o, "deadline_ns", jint_or_null(info->deadline_ns));
	if (info->window_from_ns || info->window_to_ns) {
		json_t *w = json_object();
		json_object_set_new(w, "from_ns", jint(info->window_from_ns));
		json_object_set_new(w, "to_ns", jint_or_null(info->window_to_ns));
		json_object_set_new(o, "window", w);
	} else {
		json_object_set_new(o, "window", json_null());
	}
	json_object_set_new(o, "damage", jstr(info->damage));
	return o;
}

/* A receiver's count, or null in the sender's view, which cannot know it. */
static json_t *jrx_count(uint64_t v, bool sender_view)
{
	return sender_view ? json_null() : json_integer((json_int_t)v);
}

static json_t *json_packets(const struct vnl_analysis *a, bool sv)
{
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	json_t *o = json_object();
	json_object_set_new(o, "sent", json_integer((json_int_t)c.sent));
	json_object_set_new(o, "received", jrx_count(c.received, sv));
	json_object_set_new(o, "lost", jrx_count(c.lost, sv));
	json_object_set_new(o, "reordered", jrx_count(c.reordered, sv));
	json_object_set_new(o, "duplicated", jrx_count(c.duplicated, sv));
	json_object_set_new(o, "late", jrx_count(c.late, sv));
	json_object_set_new(o, "foreign", jrx_count(c.foreign, sv));
	json_object_set_new(o, "malformed", jrx_count(c.malformed, sv));
	json_object_set_new(o, "no_tx_stamps", json_integer((json_int_t)c.no_tx_stamps));
	return o;
}

static json_t *json_stage_or_null(const struct vnl_pkt *p, enum vnl_stage st)
{
	int64_t v;
	return vnl_pkt_stage(p, st, &v) ? jint(v) : json_null();
}

static json_t *json_worst(const struct vnl_analysis *a)
{
	size_t n;
	struct vnl_pkt *w = worst_packets(a, &n);
	int64_t origin = vnl_analysis_origin(a);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct vnl_pkt *p = &w[i];
		json_t *o = json_object();
		json_object_set_new(o, "seq", json_integer((json_int_t)p->seq));
		json_object_set_new(o, "t_ns", p->sched && origin ? jint(p->sched - origin)
								  : json_null());
		json_object_set_new(o, "sched_ns", jint_or_null(p->sched));
		json_object_set_new(o, "wakeup_ns", json_stage_or_null(p, VNL_STAGE_WAKEUP));
		json_object_set_new(o, "tx_stack_ns", json_stage_or_null(p, VNL_STAGE_TX_STACK));
		json_object_set_new(o, "path_ns", json_stage_or_null(p, VNL_STAGE_PATH));
		json_object_set_new(o, "rx_stack_ns", json_stage_or_null(p, VNL_STAGE_RX_STACK));
		json_object_set_new(o, "one_way_ns", json_stage_or_null(p, VNL_STAGE_ONE_WAY));
		json_array_append_new(arr, o);
	}
	free(w);
	return arr;
}

static json_t *json_stamps(const struct vnl_analysis *a)
{
	json_t *o = json_object();
	for (int s = 0; s < VNL_STAMP__COUNT; s++) {
		json_t *e = json_object();
		json_object_set_new(e, "count",
				    json_integer((json_int_t)vnl_analysis_stamp_count(a, s)));
		json_object_set_new(e, "clock", json_string(stamp_clock(s)));
		json_object_set_new(o, vnl_stamp_name(s), e);
	}
	return o;
}

json_t *vnl_output_json(const struct vnl_analysis *a, const struct vnl_run_info *info)
{
	json_t *doc = json_object();
	json_t *tool = json_object();
	json_t *lat = json_object();

	json_object_set_new(tool, "version", json_string(VNL_VERSION));
	json_object_set_new(tool, "schema", json_integer(SCHEMA_VERSION));
	json_object_set_new(doc, "vnetlat", tool);
	json_object_set_new(doc, "run", json_run(info));
	json_object_set_new(doc, "packets", json_packets(a, info->sender_view));
	for (int st = 0; st < VNL_STAGE__COUNT; st++)
		json_object_set_new(lat, vnl_stage_name(st), json_summary(vnl_analysis_stage(a, st)));
	json_object_set_new(doc, "latency", lat);
	json_object_set_new(doc, "ipdv", json_summary(vnl_analysis_ipdv(a)));
	json_object_set_new(doc, "stamps", json_stamps(a));
	json_object_set_new(doc, "worst", json_worst(a));
	return doc;
}

void vnl_output_text_stats_header(FILE *out, const char *title)
{
	text_stats_header(out, title);
}

void vnl_output_text_stats_row(FILE *out, const char *name, const struct vnl_stats *st)
{
	text_stats_row(out, name, st);
}

json_t *vnl_output_json_stats(const struct vnl_stats *st)
{
	return json_summary(st);
}

int vnl_output_json_dump(FILE *out, json_t *doc)
{
	if (!doc || json_dumpf(doc, out, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) < 0)
		return -1;
	return fputc('\n', out) == EOF ? -1 : 0;
}

/* ---------------------------------------------------------- histograms */

struct hist_csv {
	FILE *out;
	const char *stage;
};

static void hist_csv_row(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	struct hist_csv *c = arg;
	fprintf(c->out, "%s,%" PRId64 ",%" PRId64 ",%" PRIu64 "\n", c->stage, lo, hi, count);
}

void vnl_output_hist_csv(FILE *out, const struct vnl_analysis *a)
{
	fputs("stage,lo_ns,hi_ns,count\n", out);
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		struct hist_csv c = { out, vnl_stage_name(st) };
		vnl_hist_foreach(vnl_stats_hist(vnl_analysis_stage(a, st)), hist_csv_row, &c);
	}
}

/*
 * HdrHistogram's percentile iteration (5 ticks per half distance): a line
 * each time the cumulative count reaches the next reporting level, the levels
 * coming twice as close with every halving of the distance to 100%, and a
 * last line at 100%. A value is the top of its bucket, as HdrHistogram's
 * highest equivalent value.
 */
#define HDR_TICKS 5

struct hist_hdr {
	FILE *out;
	uint64_t total, cum;
	double level; /* the next percentile (0..100) to report */
	int64_t last_hi;
};

static void hdr_line(FILE *out, int64_t v, double pct, uint64_t cum)
{
	double p = pct / 100.0;
	if (pct < 100.0)
		fprintf(out, "%12.3f %2.12f %10" PRIu64 " %14.2f\n", (double)v / 1e3, p, cum,
			1.0 / (1.0 - p));
	else
		fprintf(out, "%12.3f %2.12f %10" PRIu64 "\n", (double)v / 1e3, p, cum);
}

static void hist_hdr_bucket(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	struct hist_hdr *h = arg;
	(void)lo;
	h->cum += count;
	h->last_hi = hi;
	while (h->level < 100.0 && 100.0 * (double)h->cum / (double)h->total >= h->level) {
		hdr_line(h->out, hi, h->level, h->cum);
		double ticks = HDR_TICKS * pow(2.0, floor(log2(100.0 / (100.0 - h->level))) + 1);
		h->level += 100.0 / ticks;
		if (h->cum >= h->total)
			break; /* the last bucket: one line, then the one at 100% */
	}
}

static void hdr_block(FILE *out, const char *name, const struct vnl_stats *st)
{
	const struct vnl_hist *hist = vnl_stats_hist(st);
	struct vnl_summary s;
	struct hist_hdr h = { .out = out, .total = vnl_hist_count(hist) };
	unsigned buckets, sub;

	vnl_stats_summarize(st, &s);
	vnl_hist_layout(&buckets, &sub);
	fprintf(out, "# stage: %s\n", name);
	fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		"1/(1-Percentile)");
	if (h.total) {
		vnl_hist_foreach(hist, hist_hdr_bucket, &h);
		hdr_line(out, h.last_hi, 100.0, h.cum);
	}
	fprintf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", s.mean_ns / 1e3,
		s.stddev_ns / 1e3);
	fprintf(out, "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n",
		(double)s.max_ns / 1e3, s.count);
	fprintf(out, "#[Buckets = %12u, SubBuckets     = %12u]\n", buckets, sub);
}

void vnl_output_hist_hdr(FILE *out, const struct vnl_analysis *a)
{
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		if (st)
			fputc('\n', out);
		hdr_block(out, vnl_stage_name(st), vnl_analysis_stage(a, st));
	}
}

static void hist_json_bucket(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	json_t *b = json_object();
	json_object_set_new(b, "lo_ns", jint(lo));
	json_object_set_new(b, "hi_ns", jint(hi));
	json_object_set_new(b, "count", json_integer((json_int_t)count));
	json_array_append_new(arg, b);
}

void vnl_output_json_add_histograms(json_t *doc, const struct vnl_analysis *a)
{
	json_t *lat = json_object_get(doc, "latency");
	for (int st = 0; lat && st < VNL_STAGE__COUNT; st++) {
		json_t *o = json_object_get(lat, vnl_stage_name(st));
		if (!o)
			continue;
		json_t *arr = json_array();
		vnl_hist_foreach(vnl_stats_hist(vnl_analysis_stage(a, st)), hist_json_bucket, arr);
		json_object_set_new(o, "histogram", arr);
	}
}

/* ---------------------------------------------------------------- CSV */

void vnl_output_csv_header(FILE *out)
{
	fputs("seq,flags,sched,app_tx_sched,app_tx,tx_sched,tx_sw,tx_hw,rx_hw,rx_sw,app_rx,"
	      "wakeup,tx_stack,path,rx_stack,one_way\n", out);
}

/* Decimal digits of v at *pos, moving it on. */
static void put_u64(char **pos, uint64_t v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*(*pos)++ = tmp[--n];
}

static void put_i64(char **pos, int64_t v)
{
	if (v < 0) {
		*(*pos)++ = '-';
		put_u64(pos, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(pos, (uint64_t)v);
	}
}

/* ",v", or "," alone when the stamp is absent (0). */
static void put_cell(char **pos, int64_t v)
{
	*(*pos)++ = ',';
	if (v)
		put_i64(pos, v);
}

void vnl_output_csv_row(FILE *out, const struct vnl_pkt *p)
{
	/* 16 cells of at most 20 digits, a sign and a comma each */
	char line[16 * 22 + 2];
	char *pos = line;

	put_u64(&pos, p->seq);
	*pos++ = ',';
	put_u64(&pos, p->flags);
	put_cell(&pos, p->sched);
	put_cell(&pos, p->app_tx_sched);
	put_cell(&pos, p->app_tx);
	put_cell(&pos, p->tx_sched);
	put_cell(&pos, p->tx_sw);
	put_cell(&pos, p->tx_hw);
	put_cell(&pos, p->rx_hw);
	put_cell(&pos, p->rx_sw);
	put_cell(&pos, p->app_rx);
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		int64_t v;
		*pos++ = ',';
		if (vnl_pkt_stage(p, st, &v))
			put_i64(&pos, v); /* a stage of 0 ns is a value, not an absence */
	}
	*pos++ = '\n';
	fwrite(line, 1, (size_t)(pos - line), out);
}
