/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report of a run's record directory ('vnetlat run --record DIR': in.rec,
 * out.rec): DIR/report/ with the tails figures (plot.h vnl_plot_overlay) of
 * the whole run: per metric (one_way, path) one curve per direction, and per
 * direction one curve per stage; their data and gnuplot scripts in plot/,
 * index.html showing them. The host's hops are in run's JSON, not in the
 * records, so they have no curves here.
 */
#ifndef VNL_RUNDIR_H
#define VNL_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

/* A directory holding in.rec or out.rec and no study.json. */
bool vnl_run_dir_is(const char *dir);

struct vnl_run_report {
	size_t records, figures;
	char damage[2][320]; /* in, out: what was wrong with the record ("" whole) */
};

/* Writes DIR/report (replaced whole). 0, -1 with err set (nothing replaced). */
int vnl_run_write_report(const char *dir, struct vnl_run_report *res, char *err,
			 size_t errlen);

#endif
