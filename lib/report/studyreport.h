/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model of a study's results directory (doc/study-results.md): its cases,
 * their repetitions and the statistics of every latency stage over the whole
 * run and over the study's window, re-analysed from the record files with
 * lib/core/analysis.h. Records are streamed batch by batch into fixed-size
 * analyses, so memory grows with the number of cases, never with packets.
 * Also: each case's reference case, the differences to it, and the notes on
 * differences smaller than the spread between repetitions.
 */
#ifndef VNL_STUDYREPORT_H
#define VNL_STUDYREPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis.h"
#include "pkt.h"
#include "stats.h"

#define VNL_STUDY_WORST 10 /* worst packets kept per case */

/* Statistics of one period (whole run or window) of one repetition or case. */
struct vnl_study_period {
	bool measured;                                /* a record was read */
	struct vnl_summary stage[VNL_STAGE__COUNT];   /* by enum vnl_stage */
	struct vnl_counts counts;
};

struct vnl_study_rep {
	unsigned rep;
	const char *status;     /* as study.json says */
	char record[4096];      /* record file read ("" when none) */
	char damage[160];       /* record damage, "" when whole */
	struct vnl_study_period whole, window;
};

struct vnl_study_worst {
	unsigned rep;
	int64_t t_ns;            /* sched time into the run */
	struct vnl_pkt pkt;
};

/* One case (one row of the summary table): read-only view. */
struct vnl_study_case {
	const char *name, *topology, *load, *direction, *status, *reason;
	const char *measured_dir;  /* "in" or "out": the direction analysed; NULL if none */
	enum vnl_stage metric;     /* one_way when measured, else path */
	size_t nreps;
	const struct vnl_study_rep *reps;
	struct vnl_study_period whole, window; /* all repetitions merged */
	int reference;             /* index of the reference case; -1 none */
	size_t nworst;
	const struct vnl_study_worst *worst;   /* worst first, whole run */
	/* Stage breakdown from the run JSON's hops (first repetition), when present. */
	bool has_hops;
	double hop_p50_ns[4];      /* wire, host, guest, application */
	/* The clock bound of the metric (first repetition's run JSON): how the guest's clock
	 * was related ("agent+tap", "ptp_kvm", "same-host"), and +- what; "" / 0 unknown. */
	char clock[24];
	int64_t clock_bound_ns;
	/* The job's sched_fifo/cpu/remote_cpu and what an end read back differ: which,
	 * where ("asked sched_fifo 90; repetition 1: the receiver got other 0 on CPUs 0-1");
	 * NULL when every end got what was asked, or nothing was asked. */
	const char *rt_deviation;
	/* With trace = on: why the slowest probes were slow (run --trace); NULL untraced. */
	const struct vnl_study_trace *trace;
};

#define VNL_STUDY_TRACE_CAUSES 16
#define VNL_STUDY_TRACE_LINES 5
/*
 * A traced case's causes, from its repetitions' run JSON (the measured direction's
 * trace.above_p999 and worst[0].explain): the probes above each repetition's
 * one_way p99.9 by their longest cause, summed over the repetitions ("31 of 40:
 * preempted ksoftirqd/1"), and each repetition's worst probe with its causes.
 */
struct vnl_study_trace_cause {
	char kind[12];
	char task[16];
	uint64_t probes;
};
struct vnl_study_trace {
	uint64_t probes, unexplained, other;
	size_t ncauses;                  /* most probes first */
	struct vnl_study_trace_cause cause[VNL_STUDY_TRACE_CAUSES];
	size_t nlines;
	char line[VNL_STUDY_TRACE_LINES][400]; /* "rep 1 seq 705 one_way 20.3 ms: preempted ..." */
};

/* "one_way ± 40.3us (agent+tap)", or just the metric's name when one clock serves. */
void vnl_study_metric_text(const struct vnl_study_case *c, char *buf, size_t len);

struct vnl_study;

/*
 * Reads DIR/study.json, DIR/host.json and every case's records. Returns NULL
 * with a user-facing message in err on failure (missing or malformed
 * study.json); unreadable records make a case "not measured", not a failure.
 */
struct vnl_study *vnl_study_open(const char *dir, char *err, size_t errlen);
void vnl_study_free(struct vnl_study *s);

const char *vnl_study_dir(const struct vnl_study *s);
size_t vnl_study_ncases(const struct vnl_study *s);
const struct vnl_study_case *vnl_study_case(const struct vnl_study *s, size_t i);
/* -1 when no such case. */
int vnl_study_find(const struct vnl_study *s, const char *name);
bool vnl_study_has_window(const struct vnl_study *s);
void vnl_study_window(const struct vnl_study *s, int64_t *from_ns, int64_t *to_ns);
/* host.json as read (borrowed), or NULL. */
json_t *vnl_study_host(const struct vnl_study *s);

/* The period the headline numbers come from: the window when set, else the whole run. */
const struct vnl_study_period *vnl_study_headline(const struct vnl_study *s,
						  const struct vnl_study_case *c);

/* Which percentile of a stage a spread or comparison is about. */
enum vnl_study_stat { VNL_STUDY_P50, VNL_STUDY_P99, VNL_STUDY_MEAN /* rounded to ns */ };
int64_t vnl_study_stat_of(const struct vnl_summary *sum, enum vnl_study_stat which);
/*
 * Over the measured repetitions of a case (headline period): the median and
 * the range (max - min) of one statistic of a stage. Returns how many
 * repetitions had it (0: outputs untouched).
 */
size_t vnl_study_rep_spread(const struct vnl_study *s, const struct vnl_study_case *c,
			    enum vnl_stage st, enum vnl_study_stat which,
			    int64_t *median_ns, int64_t *range_ns);

/*
 * The plain-language notes on ranking (the study's caveat): one line per
 * finding, passed to fn in order; returns how many.
 */
typedef void (*vnl_study_note_fn)(const char *line, void *arg);
size_t vnl_study_notes(const struct vnl_study *s, vnl_study_note_fn fn, void *arg);

/* Difference of a case to its reference (headline period, the case's metric). */
struct vnl_study_delta {
	double mean_ns;
	int64_t p50_ns, p99_ns;
	/*
	 * The run-to-run spread of each statistic (by enum vnl_study_stat): the
	 * larger range (max - min) between the repetitions of the case or of its
	 * reference, -1 when either has fewer than two; within: the difference is
	 * not larger than that, so it does not rank the two.
	 */
	int64_t spread_ns[3];
	bool within[3];
};
bool vnl_study_vs_reference(const struct vnl_study *s, const struct vnl_study_case *c,
			    struct vnl_study_delta *d);
double vnl_study_loss(const struct vnl_counts *c); /* lost / sent, 0 when nothing sent */

/*
 * The table's columns of a period: min, mean, stddev, p50, p99, p99.9, max
 * (0..6, ns) and loss (VNL_STUDY_COL_LOSS, a fraction). Formatted cells are in
 * microseconds with one decimal ("-" when absent); loss as a percentage.
 */
#define VNL_STUDY_COLS 8u
#define VNL_STUDY_COL_LOSS 7u
const char *vnl_study_col_name(unsigned col);
double vnl_study_col_ns(const struct vnl_study_period *p, enum vnl_stage metric, unsigned col);
void vnl_study_fmt_col(char *buf, size_t len, const struct vnl_study_period *p,
		       enum vnl_stage metric, unsigned col);
void vnl_study_fmt_us(char *buf, size_t len, double ns);

/* summary.json, summary.csv, summary.md. */
json_t *vnl_study_summary_json(const struct vnl_study *s);
/* "above p99.9: 40 probes; 31 of 40: preempted ksoftirqd/1; 9: softirq NET_RX" */
void vnl_study_trace_text(const struct vnl_study_trace *t, char *buf, size_t len);
void vnl_study_summary_csv(const struct vnl_study *s, FILE *out);
void vnl_study_summary_md(const struct vnl_study *s, FILE *out);

/*
 * Streams the case's first measured repetition again, calling fn for each
 * packet with a metric value (t into the run, value): used for the scatter.
 * Returns -1 when there is no record to read.
 */
typedef void (*vnl_study_point_fn)(int64_t t_ns, int64_t v_ns, void *arg);
int vnl_study_points(const struct vnl_study *s, const struct vnl_study_case *c,
		     vnl_study_point_fn fn, void *arg);
/* The merged statistics of the case's metric over the whole run (for histograms). */
const struct vnl_stats *vnl_study_metric_stats(const struct vnl_study *s, size_t case_index);
/*
 * The merged statistics (all repetitions) of one stage of a case, over the
 * window (window true; empty when the study has none) or the whole run: its
 * histogram (vnl_stats_hist) is what the tail figures walk. NULL when no such case.
 */
const struct vnl_stats *vnl_study_stage_stats(const struct vnl_study *s, size_t case_index,
					      bool window, enum vnl_stage st);
/*
 * The histograms of the case's metric in each of its measured repetitions
 * (window or whole run), for the tails' band: up to max into out, in
 * repetition order; returns how many.
 */
struct vnl_hist;
size_t vnl_study_rep_hists(const struct vnl_study *s, size_t case_index, bool window,
			   const struct vnl_hist **out, size_t max);


#endif
