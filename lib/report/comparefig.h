/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare's figures: two studies' tails overlaid, one figure per measured
 * direction and metric (the study report's, plot.h vnl_plot_overlay), each
 * case of A solid and its namesake in B dashed in the same colour, each on
 * its study's headline period. Written with their data and gnuplot scripts
 * into a directory of the user's, with a page that shows them.
 */
#ifndef VNL_COMPAREFIG_H
#define VNL_COMPAREFIG_H

#include <stddef.h>

#include "studyreport.h"

/*
 * Writes DIR/index.html, DIR/figures/tails-DIR-METRIC.{svg,png} and
 * DIR/plot/ (data, one block per case and study; scripts), creating DIR
 * (one level) and its two folders when missing. *nfigs = how many figures.
 * 0, -1 with err set.
 */
int vnl_compare_figures(const struct vnl_study *a, const struct vnl_study *b, const char *dir,
			size_t *nfigs, char *err, size_t errlen);

#endif
