/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The study report as one self-contained HTML page: the summary tables, every
 * figure inlined as SVG (ids made unique per figure), the notes, the worst
 * packets and the host's facts. No scripts, no external references: it reads
 * the same offline, mailed or archived.
 */
#ifndef VNL_HTML_H
#define VNL_HTML_H

#include <stdio.h>

struct vnl_study;

/* Text with &, <, >, " and ' escaped. */
void vnl_html_text(FILE *out, const char *s);

/*
 * Copies an SVG file into the page without its XML prolog, every id (and
 * reference to one) prefixed with prefix so figures do not share ids.
 * 0, -1 when the file cannot be read.
 */
int vnl_html_inline_svg(FILE *out, const char *svg_path, const char *prefix);

/* The page for a study whose figures are in report_dir/figures. 0, -1 on write errors. */
int vnl_html_study(FILE *out, const struct vnl_study *s, const char *report_dir);

/*
 * A page of figures (compare's, a run's report), dir/index.html replaced
 * whole: a heading, an introduction and each dir/figures/NAME.svg inlined
 * with the same caption. 0, -1 with err set.
 */
int vnl_html_figure_page(const char *dir, const char *title, const char *intro,
			 const char *const *names, const char *caption, size_t n, char *err,
			 size_t errlen);

#endif
