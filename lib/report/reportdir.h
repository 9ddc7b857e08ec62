/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a study's report directory, DIR/report: the summaries (JSON, CSV,
 * Markdown), the figures (plot.h) and the page (html.h), all from the model
 * (studyreport.h). It sits above the three; none of them calls it.
 */
#ifndef VNL_REPORTDIR_H
#define VNL_REPORTDIR_H

#include <stddef.h>

#include "studyreport.h"

/*
 * Writes DIR/report: summary.{md,csv,json}, figures/NAME.{svg,png} (gnuplot),
 * plot/ (their data and scripts) and index.html. 0, -1 with err set.
 */
int vnl_study_write_report(const struct vnl_study *s, char *err, size_t errlen);

/*
 * Writes PARENT/report whole: a fresh directory (mkdtemp) with figures/ and
 * plot/ is filled by fill, then swapped in for the old report, which is
 * removed without following anything in it. Used by the study's and a run's
 * report. 0, -1 with err set (nothing replaced).
 */
typedef int (*vnl_report_fill_fn)(const char *dir, const void *arg, char *err, size_t errlen);
int vnl_report_dir_write(const char *parent, vnl_report_fill_fn fill, const void *arg,
			 char *err, size_t errlen);

#endif
