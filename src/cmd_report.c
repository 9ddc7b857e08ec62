/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnetlat report FILE: re-analyse a record file, whole or on a window of the
 * run, as the same text/JSON report recv prints, or export it as CSV.
 * The file is read in batches and every packet goes straight into the
 * fixed-size analysis (or out as a CSV row), so memory does not grow with the
 * file: a record of a day costs what a record of a second costs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "cmd.h"
#include "log.h"
#include "metrics.h"
#include "optable.h"
#include "probeopts.h"
#include "output.h"
#include "parse.h"
#include "record.h"
#include "safefile.h"
#ifndef VNL_GUEST_STATIC
#include "reportdir.h"
#include "rundir.h"
#include "studyreport.h"
#endif

#define WORST_DEFAULT 10
#define WORST_MAX 10000 /* as recv --worst */

enum { O_FROM = 256, O_TO, O_DEADLINE, O_WORST, O_JSON, O_CSV, O_HISTOGRAM, O_METRICS };

static const struct vnl_opt report_opts_table[] = {
	{ "from", O_FROM, "T", "only packets scheduled T or later after the run's first\n"
			       "packet (default 0)" },
	{ "to", O_TO, "T", "only packets scheduled before T after the run's first\n"
			   "packet (default: to the end)" },
	{ "deadline", O_DEADLINE, "T", "count a packet as late when wakeup + one_way exceeds T\n"
				       "(from when it was due to when the receiving application\n"
				       "had it)" },
	{ "worst", O_WORST, "N", "list the N worst packets (largest one_way, else path;\n"
				 "0 to " VNL_STR(WORST_MAX) ", default " VNL_STR(WORST_DEFAULT) ")" },
	{ "json", O_JSON, NULL, "print one JSON document (schema: doc/json-schema.json)" },
	{ "csv", O_CSV, NULL, "print every packet of the window as CSV, one row per packet\n"
			      "(stamps and stages in ns; an empty cell means absent)" },
	{ "histogram", O_HISTOGRAM, "[=F]", "print each stage's histogram instead of the report:\n"
					       "F csv (the default): stage,lo_ns,hi_ns,count, one\n"
					       "row per non-empty bucket; hdr: HdrHistogram's percentile\n"
					       "distribution (values in us). With --json: each stage\n"
					       "object gets its buckets as \"histogram\"" },
	{ "metrics", O_METRICS, "OUT", "also write the figures to OUT in the Prometheus text\n"
				       "format (probe counters, a latency summary per stage);\n"
				       "OUT is replaced whole, never seen half-written" },
	{ "help", 'h', NULL, "print this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const report_tables[] = { report_opts_table, NULL };

static void usage(FILE *out)
{
	fputs("Usage: vnetlat report FILE [--from T] [--to T] [--deadline T] [--worst N]\n"
	      "                           [--json | --csv] [--histogram[=csv|hdr]]\n"
	      "                           [--metrics OUT]\n"
	      "       vnetlat report DIR\n"
	      "\n"
	      "With DIR, a study results directory (with study.json): regenerate DIR/report\n"
	      "(summary tables, figures, index.html; see doc/study-results.md). With DIR a\n"
	      "run's record directory (run --record DIR: in.rec, out.rec): DIR/report with\n"
	      "the tails of the whole run (per metric a curve per direction, per direction\n"
	      "a curve per stage; gnuplot data and scripts in DIR/report/plot).\n"
	      "\n"
	      "Re-analyse a record file written by 'vnetlat recv --record' or\n"
	      "'vnetlat send --record', on the whole run or on a window of it.\n"
	      "\n",
	      out);
	vnl_opts_print(out, report_tables);
	fputs("\nT is a duration: 500ns, 250us, 1ms, 10s, 2m, 1h (a bare number is seconds).\n"
	      "Exit status: 0 the file was whole; 1 the file is damaged (the report covers\n"
	      "what was read before the damage) or unreadable, or the window holds no probe;\n"
	      "2 bad usage (no file, a file that does not exist, a bad option or value,\n"
	      "--from not before --to).\n"
	      "See vnetlat-report(8).\n",
	      out);
}

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };
enum report_hist { HIST_NONE, HIST_CSV, HIST_HDR };

struct report_opts {
	const char *path;
	int64_t from_ns, to_ns; /* to_ns 0 = to the end */
	int64_t deadline_ns;
	unsigned worst_n;
	enum report_format format;
	enum report_hist hist;
	const char *metrics; /* --metrics OUT, or NULL */
};

/*
 * The window on the run, applied here as well as in the analysis so CSV can
 * stream without one. Its origin is the schedule origin the record names, else
 * the first scheduled packet; the analysis is given the same origin.
 */
struct window {
	int64_t origin, from, to;
	bool set;
};

static bool window_has(struct window *w, const struct vnl_pkt *p)
{
	if (!p->sched)
		return !w->set; /* without a schedule time a packet cannot be placed */
	if (!w->origin)
		w->origin = p->sched;
	if (!w->set)
		return true;
	int64_t t = p->sched - w->origin;
	return t >= w->from && (!w->to || t < w->to);
}

/* 0, -1 on bad usage (message printed), 1 when --help was asked for. */
static int parse_args(int argc, char **argv, struct report_opts *o)
{
	bool json = false, csv = false, to_given = false;
	uint64_t worst;
	int c;

	*o = (struct report_opts){ .worst_n = WORST_DEFAULT };
	struct vnl_optset set;
	vnl_optset_build(&set, report_tables);
	while ((c = vnl_optset_next(&set, argc, argv, "report")) != -1) {
		switch (c) {
		case O_FROM:
			if (vnl_opt_duration("--from", optarg, &o->from_ns))
				return -1;
			break;
		case O_TO:
			if (vnl_opt_duration("--to", optarg, &o->to_ns))
				return -1;
			to_given = true;
			break;
		case O_DEADLINE: /* as recv --deadline */
			if (vnl_opt_positive_duration("--deadline", optarg, &o->deadline_ns))
				return -1;
			break;
		case O_WORST:
			if (vnl_opt_num("--worst", optarg, 0, WORST_MAX, &worst))
				return -1;
			o->worst_n = (unsigned)worst;
			break;
		case O_JSON:
			json = true;
			break;
		case O_CSV:
			csv = true;
			break;
		case O_HISTOGRAM:
			if (!optarg || !strcmp(optarg, "csv")) {
				o->hist = HIST_CSV;
			} else if (!strcmp(optarg, "hdr")) {
				o->hist = HIST_HDR;
			} else {
				vnl_err("--histogram=%s: unknown form; give --histogram (CSV buckets) "
					"or --histogram=hdr", optarg);
				return -1;
			}
			break;
		case O_METRICS:
			if (!*optarg) {
				vnl_err("--metrics needs a file name to write to");
				return -1;
			}
			o->metrics = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default: /* '?': vnl_optset_next said what was wrong */
			return -1;
		}
	}
	if (json && csv) {
		vnl_err("--json and --csv exclude each other; choose one");
		return -1;
	}
	if (csv && (o->hist || o->metrics)) {
		vnl_err("%s and --csv exclude each other: --csv streams the packets without "
			"the analysis; choose one", o->hist ? "--histogram" : "--metrics");
		return -1;
	}
	if (json && o->hist == HIST_HDR) {
		vnl_err("--histogram=hdr is a text form; with --json give --histogram (the "
			"buckets go into each stage object)");
		return -1;
	}
	o->format = json ? FORMAT_JSON : csv ? FORMAT_CSV : FORMAT_TEXT;
	if (optind >= argc) {
		vnl_err("no record file given; usage: vnetlat report FILE [OPTIONS] "
			"(see --help)");
		return -1;
	}
	if (optind + 1 < argc) {
		vnl_err("one record file at a time; unexpected '%s'", argv[optind + 1]);
		return -1;
	}
	o->path = argv[optind];
	if (to_given && o->from_ns >= o->to_ns) {
		vnl_err("--from must be earlier than --to (the window would be empty)");
		return -1;
	}
	return 0;
}

/* -1 = bad usage (no such file), 1 = not readable as a record, 0 = open. */
static int open_record(const char *path, struct vnl_record_reader **out)
{
	char errbuf[256] = "";
	struct stat st;

	if (stat(path, &st) < 0) {
		vnl_errno("cannot open record file '%s'", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		vnl_err("'%s' is a directory; give a record file written with --record", path);
		return -1;
	}
	*out = vnl_record_open(path, errbuf, sizeof(errbuf));
	if (!*out) {
		/* errbuf names the file and what is wrong with it */
		vnl_err("%s; give a file written by 'vnetlat recv --record' or 'vnetlat send "
			"--record'", errbuf[0] ? errbuf : path);
		return 1;
	}
	return 0;
}

/* What the report says about the run, from the record's header and trailer. */
static void fill_run_info(struct vnl_run_info *info, const struct vnl_record_meta *m,
			  const struct report_opts *o)
{
	*info = (struct vnl_run_info){
		.role = "report",
		.transport = m->transport,
		.local = m->local,
		.peer = m->peer,
		.sched_clock = vnl_clock_name((clockid_t)m->clock_id),
		.clock_sync = m->clock_sync[0] ? m->clock_sync : "unknown",
		.interval_ns = m->interval_ns,
		.payload_size = m->payload_size,
		.window_from_ns = o->from_ns,
		.window_to_ns = o->to_ns,
		.deadline_ns = o->deadline_ns,
		.sender_view = m->role == VNL_ROLE_SEND,
	};
}

static const char *stamping_of(const struct vnl_analysis *a)
{
	bool tx_hw = vnl_analysis_stamp_count(a, VNL_STAMP_TX_HW) > 0;
	bool rx_hw = vnl_analysis_stamp_count(a, VNL_STAMP_RX_HW) > 0;

	if (tx_hw && rx_hw)
		return "hardware (NIC PTP clocks) on transmit and receive";
	if (rx_hw)
		return "hardware on receive, software on transmit";
	if (tx_hw)
		return "hardware on transmit, software on receive";
	return "software (kernel stamps on CLOCK_REALTIME)";
}

/*
 * Counters the packets cannot tell, from the record's trailer: sent, foreign
 * and malformed for the whole run. On a window the analysis takes sent from
 * the span of sequence numbers in it instead; foreign and malformed datagrams
 * carry no schedule time, so they stay whole-run counts.
 */
/* The record's own counts (sent, foreign, malformed), when its summary was written. */
static void set_extra(struct vnl_analysis *a, const struct vnl_record_reader *r)
{
	struct vnl_record_summary sum;
	vnl_analysis_set_extra_from_record(a, vnl_record_reader_summary(r, &sum) ? &sum : NULL);
}

static void warn_damage(const char *path, const char *damage)
{
	vnl_err("'%s' is damaged: %s. The report covers what was read before that point; if "
		"the file was cut short in a copy, copy it again, else re-record the run for the "
		"rest.", path, damage);
}

static int finish_output(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		vnl_errno("cannot write the report to standard output");
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

static int report_csv(struct vnl_record_reader *r, const struct report_opts *o)
{
	struct window w = { .origin = vnl_record_reader_meta(r)->base_ns, .from = o->from_ns,
			    .to = o->to_ns, .set = o->from_ns || o->to_ns };
	const struct vnl_pkt *batch;
	size_t n;

	vnl_output_csv_header(stdout);
	while ((batch = vnl_record_next(r, &n)) != NULL)
		for (size_t i = 0; i < n; i++)
			if (window_has(&w, &batch[i]))
				vnl_output_csv_row(stdout, &batch[i]);
	return finish_output();
}

static struct vnl_analysis *new_analysis(const struct report_opts *o, int64_t origin)
{
	struct vnl_analysis_opts ao = {
		.deadline_ns = o->deadline_ns, .worst_n = o->worst_n,
		.origin_ns = origin, .from_ns = o->from_ns, .to_ns = o->to_ns,
	};
	struct vnl_analysis *a = vnl_analysis_new(&ao);
	if (!a)
		vnl_errno("cannot set up the analysis");
	return a;
}

/* --metrics OUT: written to a temporary beside OUT, renamed over it when whole. */
static int write_metrics(const char *path, const struct vnl_analysis *a,
			 const struct vnl_run_info *info)
{
	struct vnl_metrics_info mi = {
		.local = info->local, .peer = info->peer,
		.deadline_ns = info->deadline_ns, .sender_view = info->sender_view,
	};
	return vnl_metrics_write_file(path, a, &mi);
}

static int report_analysis(struct vnl_record_reader *r, const struct report_opts *o)
{
	const struct vnl_record_meta *m = vnl_record_reader_meta(r);
	struct window w = { .origin = m->base_ns, .from = o->from_ns, .to = o->to_ns,
			    .set = o->from_ns || o->to_ns };
	struct vnl_analysis *a = NULL;
	int64_t last_sched = 0;
	const struct vnl_pkt *batch;
	size_t n;

	while ((batch = vnl_record_next(r, &n)) != NULL) {
		for (size_t i = 0; i < n; i++) {
			const struct vnl_pkt *p = &batch[i];
			window_has(&w, p); /* sets the origin from the first scheduled packet */
			/* created at the first packet, when the origin is known */
			if (!a && !(a = new_analysis(o, w.origin)))
				return VNL_EXIT_FAIL;
			vnl_analysis_add(a, p);
			if (p->sched > last_sched)
				last_sched = p->sched;
		}
	}
	if (!a && !(a = new_analysis(o, w.origin)))
		return VNL_EXIT_FAIL;
	set_extra(a, r);

	struct vnl_run_info info;
	struct vnl_record_summary sum;
	fill_run_info(&info, m, o);
	info.stamping = stamping_of(a);
	info.damage = vnl_record_reader_damage(r);
	bool have_sum = vnl_record_reader_summary(r, &sum);
	info.interrupted = have_sum && sum.interrupted;
	/*
	 * The run's length is the span of its schedule, as recv reports it; the
	 * recording's own span (which includes waiting for the first probe) only
	 * when no packet had a schedule time.
	 */
	if (last_sched && w.origin)
		info.duration_ns = last_sched - w.origin + m->interval_ns;
	else if (have_sum && m->start_ns && sum.end_ns > m->start_ns)
		info.duration_ns = sum.end_ns - m->start_ns;

	int rc = VNL_EXIT_OK;
	if (o->metrics && write_metrics(o->metrics, a, &info) < 0)
		rc = VNL_EXIT_FAIL;
	if (o->format == FORMAT_JSON) {
		json_t *doc = vnl_output_json(a, &info);
		if (doc && o->hist)
			vnl_output_json_add_histograms(doc, a);
		if (vnl_output_json_dump(stdout, doc) < 0)
			rc = VNL_EXIT_FAIL;
		json_decref(doc);
	} else if (o->hist == HIST_CSV) {
		vnl_output_hist_csv(stdout, a);
	} else if (o->hist == HIST_HDR) {
		vnl_output_hist_hdr(stdout, a);
	} else {
		vnl_output_text(stdout, a, &info);
	}
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	if (w.set && !c.received && !c.duplicated) {
		/* Empty statistics from a window that missed the run are no result. */
		char from[32], len[32];
		vnl_err("the window (--from %s%s) holds no probe: the record's probes were scheduled "
			"over %s from the run's start; choose a window inside that",
			vnl_fmt_ns(o->from_ns, from, sizeof(from)), o->to_ns ? ", --to ..." : "",
			last_sched && w.origin ? vnl_fmt_ns(last_sched - w.origin + m->interval_ns,
							     len, sizeof(len))
					       : "nothing (no probe at all)");
		rc = VNL_EXIT_FAIL;
	}
	vnl_analysis_free(a);
	if (finish_output() != VNL_EXIT_OK)
		rc = VNL_EXIT_FAIL;
	return rc;
}

#ifndef VNL_GUEST_STATIC
/* A study results directory: one that holds study.json. */
static bool is_study_dir(const char *path)
{
	char f[4096];
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	snprintf(f, sizeof(f), "%s/study.json", path);
	return stat(f, &st) == 0;
}

/* Each damaged or missing record, named; the cases are marked "damaged" in
 * the report. Returns how many. */
static size_t report_damage(const struct vnl_study *s)
{
	size_t n = 0;
	for (size_t i = 0; i < vnl_study_ncases(s); i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		for (size_t r = 0; r < c->nreps; r++) {
			const struct vnl_study_rep *rep = &c->reps[r];
			if (!rep->damage[0])
				continue;
			vnl_err("case %s, repetition %u: %s: %s", c->name, rep->rep,
				rep->record[0] ? rep->record : "(no record)", rep->damage);
			n++;
		}
	}
	if (n)
		vnl_err("%zu damaged or missing record%s: the report marks %s \"damaged\"; run "
			"the study again to measure %s", n, n == 1 ? "" : "s",
			n == 1 ? "its case" : "their cases", n == 1 ? "it" : "them");
	return n;
}

/* vnetlat report DIR: regenerate DIR/report from the results directory. */
static int report_study(const struct report_opts *o, int argc)
{
	char err[1024];
	if (argc != 2) {
		vnl_err("options apply to record files; for a study directory run 'vnetlat report "
			"DIR' alone (its window comes from DIR/study.json)");
		return VNL_EXIT_USAGE;
	}
	struct vnl_study *s = vnl_study_open(o->path, err, sizeof(err));
	if (!s) {
		vnl_err("%s", err);
		return VNL_EXIT_FAIL;
	}
	int rc = vnl_study_write_report(s, err, sizeof(err));
	if (rc < 0)
		vnl_err("%s", err);
	else
		printf("report written to %s/report/index.html\n", o->path);
	size_t damaged = report_damage(s);
	vnl_study_free(s);
	return rc < 0 || damaged ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

/* vnetlat report DIR of a run (run --record DIR): DIR/report with the tails of its records. */
static int report_run_dir(const struct report_opts *o, int argc)
{
	char err[1024];
	struct vnl_run_report res;
	if (argc != 2) {
		vnl_err("options apply to record files; for a run's record directory run 'vnetlat "
			"report DIR' alone, or 'vnetlat report DIR/in.rec [OPTIONS]'");
		return VNL_EXIT_USAGE;
	}
	if (vnl_run_write_report(o->path, &res, err, sizeof(err)) < 0) {
		vnl_err("%s", err);
		return VNL_EXIT_FAIL;
	}
	printf("report written to %s/report/index.html (%zu figure%s in %s/report/figures; data "
	       "and gnuplot scripts in %s/report/plot)\n", o->path, res.figures,
	       res.figures == 1 ? "" : "s", o->path, o->path);
	bool damaged = false;
	for (int d = 0; d < 2; d++)
		if (res.damage[d][0]) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s.rec", o->path, d ? "out" : "in");
			warn_damage(path, res.damage[d]);
			damaged = true;
		}
	if (finish_output() != VNL_EXIT_OK)
		return VNL_EXIT_FAIL;
	return damaged ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}
#endif

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct vnl_record_reader *r = NULL;

	int prc = parse_args(argc, argv, &o);
	if (prc)
		return prc > 0 ? VNL_EXIT_OK : VNL_EXIT_USAGE;
#ifndef VNL_GUEST_STATIC
	if (is_study_dir(o.path))
		return report_study(&o, argc);
	if (vnl_run_dir_is(o.path))
		return report_run_dir(&o, argc);
#endif
	int orc = open_record(o.path, &r);
	if (orc)
		return orc < 0 ? VNL_EXIT_USAGE : VNL_EXIT_FAIL;

	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	int rc = o.format == FORMAT_CSV ? report_csv(r, &o) : report_analysis(r, &o);

	const char *damage = vnl_record_reader_damage(r);
	if (damage) {
		warn_damage(o.path, damage);
		rc = VNL_EXIT_FAIL;
	}
	vnl_record_close(r);
	return rc;
}
