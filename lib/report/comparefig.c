// SPDX-License-Identifier: GPL-2.0-or-later
/* compare's figures: see comparefig.h. */
#include "comparefig.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"
#include "parse.h"
#include "plot.h"

#define MAX_GROUPS 16

struct group {
	const char *dir;
	enum vnl_stage metric;
};

static bool in_group(const struct vnl_study_case *c, const struct group *g)
{
	return c && c->whole.measured && c->measured_dir && !strcmp(c->measured_dir, g->dir) &&
	       c->metric == g->metric;
}

/* Every measured direction and metric of A, then those only B has. */
static size_t find_groups(const struct vnl_study *const st[2], struct group *g)
{
	size_t n = 0;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < vnl_study_ncases(st[k]); i++) {
			const struct vnl_study_case *c = vnl_study_case(st[k], i);
			size_t j = 0;
			if (!c->whole.measured || !c->measured_dir)
				continue;
			while (j < n && !in_group(c, &g[j]))
				j++;
			if (j == n && n < MAX_GROUPS)
				g[n++] = (struct group){ c->measured_dir, c->metric };
		}
	return n;
}

struct curves {
	struct vnl_plot_curve *c;
	char (*title)[300];
	size_t n;
	const struct vnl_hist **reps; /* every curve's repetitions, one slice each */
	size_t used, cap;
};

/* Case i of study k (side "A" or "B") as a curve of colour colour, A solid, B dashed. */
static void add_curve(struct curves *cv, const struct vnl_study *s, int k, size_t i,
		      const struct group *g, unsigned colour)
{
	const struct vnl_study_case *c = vnl_study_case(s, i);
	const struct vnl_stats *st = vnl_study_stage_stats(s, i, vnl_study_has_window(s), g->metric);
	if (!st || !vnl_stats_count(st))
		return;
	bool window = vnl_study_has_window(s);
	size_t at = cv->n++;
	size_t nreps = vnl_study_rep_hists(s, i, window, cv->reps + cv->used, cv->cap - cv->used);
	snprintf(cv->title[at], sizeof(cv->title[0]), "%s: %s", k ? "B" : "A", c->name);
	cv->c[at] = (struct vnl_plot_curve){ .title = cv->title[at], .colour = colour,
					     .hist = vnl_stats_hist(st), .dash = (unsigned)k,
					     .reps = cv->reps + cv->used, .nreps = nreps };
	cv->used += nreps;
}

static void period_text(const struct vnl_study *s, char *buf, size_t len)
{
	int64_t from, to;
	char a[32], b[32];
	if (!vnl_study_has_window(s)) {
		snprintf(buf, len, "whole run");
		return;
	}
	vnl_study_window(s, &from, &to);
	vnl_fmt_ns(from, a, sizeof(a));
	vnl_fmt_ns(to, b, sizeof(b));
	snprintf(buf, len, "window %s to %s", a, to ? b : "the end");
}

static int group_figure(const struct vnl_study *const st[2], const struct group *g,
			const char *dir, char *name, size_t namelen, char *err, size_t errlen)
{
	size_t max = vnl_study_ncases(st[0]) + vnl_study_ncases(st[1]), nreps = 0;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < vnl_study_ncases(st[k]); i++)
			nreps += vnl_study_case(st[k], i)->nreps;
	struct curves cv = { .c = calloc(max ? max : 1, sizeof(*cv.c)),
			     .title = calloc(max ? max : 1, sizeof(*cv.title)),
			     .reps = calloc(nreps ? nreps : 1, sizeof(*cv.reps)), .cap = nreps };
	int rc = -1;
	if (!cv.c || !cv.title || !cv.reps) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	unsigned colour = 0;
	for (size_t i = 0; i < vnl_study_ncases(st[0]); i++) {
		const struct vnl_study_case *a = vnl_study_case(st[0], i);
		int j = vnl_study_find(st[1], a->name);
		if (!in_group(a, g))
			continue;
		add_curve(&cv, st[0], 0, i, g, colour);
		if (j >= 0 && in_group(vnl_study_case(st[1], (size_t)j), g))
			add_curve(&cv, st[1], 1, (size_t)j, g, colour);
		colour++;
	}
	for (size_t j = 0; j < vnl_study_ncases(st[1]); j++) {
		const struct vnl_study_case *b = vnl_study_case(st[1], j);
		int i = vnl_study_find(st[0], b->name);
		if (in_group(b, g) && (i < 0 || !in_group(vnl_study_case(st[0], (size_t)i), g)))
			add_curve(&cv, st[1], 1, j, g, colour++);
	}
	char pa[80], pb[80], what[256], title[320];
	period_text(st[0], pa, sizeof(pa));
	period_text(st[1], pb, sizeof(pb));
	vnl_plot_tails_name(name, namelen, g->dir, g->metric, false);
	snprintf(what, sizeof(what), "%s %s of A (%s) and B (%s), each case's repetitions merged",
		 g->dir, vnl_stage_name(g->metric), pa, pb);
	snprintf(title, sizeof(title), "Tails, %s %s: A solid, B dashed (A %s, B %s)", g->dir,
		 vnl_stage_name(g->metric), pa, pb);
	struct vnl_plot_overlay o = { .name = name, .title = title, .what = what,
				      .metric = g->metric, .curves = cv.c, .ncurves = cv.n };
	rc = vnl_plot_overlay(dir, &o, err, errlen);
out:
	free(cv.c);
	free(cv.title);
	free(cv.reps);
	return rc;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (mkdir(path, 0755) == 0)
		return 0;
	int e = errno;
	/* an existing directory is written into; a symlink or file is never followed */
	if (e == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	snprintf(err, errlen, "cannot create the directory '%s': %s; give another --html DIR",
		 path, e == EEXIST ? "something that is not a directory is there" : strerror(e));
	return -1;
}

static int write_page(const struct vnl_study *const st[2], const char *dir,
		      char (*names)[96], size_t n, char *err, size_t errlen)
{
	char intro[2 * PATH_MAX + 200];
	snprintf(intro, sizeof(intro), "A: %s; B: %s. Each case of A is drawn solid, its "
		 "namesake in B dashed in the same colour; both axes log; lower and further "
		 "left is better.", vnl_study_dir(st[0]), vnl_study_dir(st[1]));
	const char *figs[MAX_GROUPS];
	for (size_t i = 0; i < n; i++)
		figs[i] = names[i];
	return vnl_html_figure_page(dir, "vnetlat compare", intro, figs,
				    "complementary CDF of every case of A and B, each on its study's "
				    "headline period; with repetitions their median and range (band)",
				    n, err, errlen);
}

int vnl_compare_figures(const struct vnl_study *a, const struct vnl_study *b, const char *dir,
			size_t *nfigs, char *err, size_t errlen)
{
	const struct vnl_study *const st[2] = { a, b };
	struct group g[MAX_GROUPS];
	char names[MAX_GROUPS][96], sub[PATH_MAX + 16];
	size_t ng = find_groups(st, g), n = 0;
	*nfigs = 0;
	if (make_dir(dir, err, errlen) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/figures", dir);
	if (make_dir(sub, err, errlen) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/plot", dir);
	if (make_dir(sub, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < ng; i++) {
		int rc = group_figure(st, &g[i], dir, names[n], sizeof(names[n]), err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0)
			n++;
	}
	*nfigs = n;
	return write_page(st, dir, names, n, err, errlen);
}
