/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The study report's figures with gnuplot: each figure is a data file and a
 * gnuplot script under REPORT/plot/, rendered by gnuplot (Debian gnuplot-nox)
 * to REPORT/figures/NAME.svg and NAME.png. The scripts stay beside the data,
 * so a user can re-render or restyle a figure by hand.
 */
#ifndef VNL_PLOT_H
#define VNL_PLOT_H

#include <stddef.h>

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

/* Stacked per-stage breakdown, one bar per measured case: "breakdown". 0, 1 none, -1. */
int vnl_plot_breakdown(const struct vnl_study *s, const char *report_dir, char *err,
		       size_t errlen);

/*
 * Runs gnuplot in report_dir on plot/NAME.gp twice, to figures/NAME.svg and
 * figures/NAME.png. 0 or -1 with err set (what failed, where the log is).
 */
int vnl_plot_render(const char *report_dir, const char *name, char *err, size_t errlen);

#endif
