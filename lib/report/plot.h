/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report's figures with gnuplot (the study report's; the tails figure,
 * vnl_plot_overlay, also compare's and a run's): each figure is a data file and a
 * gnuplot script under REPORT/plot/, rendered by gnuplot (Debian gnuplot-nox)
 * to REPORT/figures/NAME.svg and NAME.png. The scripts stay beside the data,
 * so a user can re-render or restyle a figure by hand.
 */
#ifndef VNL_PLOT_H
#define VNL_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct vnl_hist;
struct vnl_study;

/* Figure names of case i (0-based): "caseN-latency" (spikes visible) and "caseN-full". */
void vnl_plot_case_name(char *buf, size_t len, size_t i, const char *kind);

/*
 * Latency over time (deterministically decimated scatter of the case's metric
 * in its first measured repetition, keeping every packet above a high
 * percentile so spikes stay visible) with the histogram beside it; twice:
 * once on a y range chosen to show the bulk and the spikes, once on the full
 * range. 0, 1 when the case has nothing to plot, -1 with err set.
 */
int vnl_plot_case(const struct vnl_study *s, size_t i, const char *report_dir,
		  char *err, size_t errlen);

/*
 * Per-stage breakdown, "breakdown": per measured case a group of bars, one
 * per stage (or hop), the median on a log axis, each bar labelled with its
 * value in us. 0, 1 none, -1.
 */
int vnl_plot_breakdown(const struct vnl_study *s, const char *report_dir, char *err,
		       size_t errlen);

/*
 * The complementary CDF of a histogram as the tail figures draw it: for each
 * non-empty bucket in ascending order, its lower bound and the fraction of
 * all samples at or above it (1 at the first bucket, the last bucket's count
 * over N at the last: never below 1/N). Buckets whose lower bound is not
 * above 0 cannot sit on a log axis: they are not passed, their samples are
 * added to *skipped (when not NULL). Returns how many points were passed.
 */
struct vnl_plot_ccdf_point {
	int64_t x_ns;          /* the bucket's lower bound */
	uint64_t at_or_above;  /* samples >= x_ns */
	double frac;           /* at_or_above / N */
};
typedef void (*vnl_plot_ccdf_fn)(const struct vnl_plot_ccdf_point *p, void *arg);
size_t vnl_plot_ccdf(const struct vnl_hist *h, vnl_plot_ccdf_fn fn, void *arg,
		     uint64_t *skipped);

/*
 * The tail figures group the measured cases by measured direction and metric.
 * True when case i is the first of its group (the group's figures are named
 * after it); name is "tails-DIR-METRIC" for the headline period (the window
 * when the study has one) and "tails-DIR-METRIC-whole" for the whole run of a
 * study with a window.
 */
bool vnl_plot_tails_first(const struct vnl_study *s, size_t i);
void vnl_plot_tails_name(char *buf, size_t len, const char *dir, enum vnl_stage metric,
			 bool whole);

/*
 * One curve of a tails figure: the complementary CDF of hist (vnl_plot_ccdf).
 * With two or more repetitions' own histograms (reps), the line is their
 * median fraction at each latency and a band their range, in the same colour.
 */
struct vnl_plot_curve {
	const char *title;                  /* the legend's text and the data block's name */
	const char *note;                   /* added to the legend only ("(reference)"), or NULL */
	const struct vnl_hist *hist;        /* every probe of the curve */
	const struct vnl_hist *const *reps; /* the repetitions' own; NULL: no band */
	size_t nreps;
	unsigned colour, dash;              /* Okabe-Ito colour (mod 8), dash type (mod 5) */
	bool thick;                         /* emphasised (a reference) */
};

/* A tails figure: curves overlaid on log-log axes, down to 1/N of the largest. */
struct vnl_plot_overlay {
	const char *name;   /* DIR/plot/NAME.{dat,gp} -> DIR/figures/NAME.{svg,png} */
	const char *title;  /* the figure's */
	const char *what;   /* the data file's first line: what its curves are of */
	enum vnl_stage metric;
	const char *xlabel; /* the x axis' quantity; NULL: the metric's name */
	const struct vnl_plot_curve *curves;
	size_t ncurves;
};

/*
 * Writes plot/NAME.dat (one block, gnuplot index, per curve with a point,
 * named in a comment line "# block K: TITLE, N probes"), plot/NAME.gp and
 * renders them in dir (which holds plot/ and figures/). Used by the study
 * report, compare and the report of a run. 0, 1 no curve had a point, -1 with err.
 */
int vnl_plot_overlay(const char *dir, const struct vnl_plot_overlay *o, char *err,
		     size_t errlen);

/*
 * Tails overlaid: per group, every case's complementary CDF of its metric
 * (all repetitions merged) on log-log axes, one line per case in Okabe-Ito
 * colours and distinct dash types, the reference cases thicker; data in
 * plot/NAME.dat, one block (gnuplot index) per case. 0, 1 none, -1 with err.
 */
int vnl_plot_tails(const struct vnl_study *s, const char *report_dir, char *err,
		   size_t errlen);

/*
 * Runs gnuplot in report_dir on plot/NAME.gp twice, to figures/NAME.svg and
 * figures/NAME.png. 0 or -1 with err set (what failed, where the log is).
 */
int vnl_plot_render(const char *report_dir, const char *name, char *err, size_t errlen);

#endif
