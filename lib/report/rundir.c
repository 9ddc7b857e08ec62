// SPDX-License-Identifier: GPL-2.0-or-later
/* The report of a run's record directory: see rundir.h. */
#include "rundir.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "html.h"
#include "plot.h"
#include "record.h"
#include "reportdir.h"
#include "stats.h"

#define MAX_FIGS 8

static const char *const dirs[2] = { "in", "out" };

struct run {
	const char *dir;
	struct vnl_analysis *a[2]; /* in, out; NULL when that record is absent */
	struct vnl_run_report *res;
	char names[MAX_FIGS][64];
};

static bool exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return stat(path, &st) == 0;
}

bool vnl_run_dir_is(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && !exists(dir, "study.json") &&
	       (exists(dir, "in.rec") || exists(dir, "out.rec"));
}

/* Streams a record into a whole-run analysis, as 'report FILE' does. */
static int read_record(const char *path, struct vnl_analysis **out, char *damage, size_t dlen,
		       char *err, size_t errlen)
{
	char why[512] = "";
	struct vnl_record_reader *r = vnl_record_open(path, why, sizeof(why));
	if (!r) {
		snprintf(err, errlen, "%s", why[0] ? why : path);
		return -1;
	}
	struct vnl_analysis_opts o = { .worst_n = 1, .origin_ns = vnl_record_reader_meta(r)->base_ns };
	const struct vnl_pkt *batch;
	size_t n;
	while ((batch = vnl_record_next(r, &n)) != NULL)
		for (size_t i = 0; i < n; i++) {
			if (!o.origin_ns)
				o.origin_ns = batch[i].sched;
			if (!*out && !(*out = vnl_analysis_new(&o)))
				goto nomem;
			vnl_analysis_add(*out, &batch[i]);
		}
	if (!*out && !(*out = vnl_analysis_new(&o)))
		goto nomem;
	const char *d = vnl_record_reader_damage(r);
	snprintf(damage, dlen, "%s", d ? d : "");
	vnl_record_close(r);
	return 0;
nomem:
	vnl_record_close(r);
	snprintf(err, errlen, "out of memory reading '%s'", path);
	return -1;
}

static int figure(struct run *run, const char *dir, const char *title, const char *what,
		  enum vnl_stage metric, const char *xlabel, const struct vnl_plot_curve *c,
		  size_t n, char *err, size_t errlen)
{
	struct vnl_plot_overlay o = { .name = run->names[run->res->figures], .title = title,
				      .what = what, .metric = metric, .xlabel = xlabel,
				      .curves = c, .ncurves = n };
	int rc = vnl_plot_overlay(dir, &o, err, errlen);
	if (rc == 0)
		run->res->figures++;
	return rc < 0 ? -1 : 0;
}

static const struct vnl_hist *stage_hist(const struct vnl_analysis *a, enum vnl_stage st)
{
	const struct vnl_stats *s = a ? vnl_analysis_stage(a, st) : NULL;
	return s && vnl_stats_count(s) ? vnl_stats_hist(s) : NULL;
}

/* Per metric, a curve per direction. */
static int direction_figures(struct run *run, const char *dir, char *err, size_t errlen)
{
	static const enum vnl_stage metrics[2] = { VNL_STAGE_ONE_WAY, VNL_STAGE_PATH };
	for (int m = 0; m < 2; m++) {
		struct vnl_plot_curve c[2];
		size_t n = 0;
		for (int d = 0; d < 2; d++)
			if (stage_hist(run->a[d], metrics[m]))
				c[n++] = (struct vnl_plot_curve){ .title = dirs[d], .colour = (unsigned)d,
								  .dash = (unsigned)d,
								  .hist = stage_hist(run->a[d], metrics[m]) };
		char title[160], what[160];
		snprintf(run->names[run->res->figures], sizeof(run->names[0]), "tails-%s",
			 vnl_stage_name(metrics[m]));
		snprintf(title, sizeof(title), "Tails, %s, whole run: each direction's fraction of "
			 "probes at or above each latency", vnl_stage_name(metrics[m]));
		snprintf(what, sizeof(what), "%s of each direction (in.rec, out.rec), whole run",
			 vnl_stage_name(metrics[m]));
		if (figure(run, dir, title, what, metrics[m], NULL, c, n, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Per direction, a curve per stage: where its tail comes from. */
static int stage_figures(struct run *run, const char *dir, char *err, size_t errlen)
{
	for (int d = 0; d < 2; d++) {
		struct vnl_plot_curve c[VNL_STAGE__COUNT];
		size_t n = 0;
		for (int st = 0; st < VNL_STAGE__COUNT; st++)
			if (stage_hist(run->a[d], st))
				c[n++] = (struct vnl_plot_curve){ .title = vnl_stage_name(st),
								  .colour = (unsigned)st,
								  .dash = (unsigned)st,
								  .thick = st == VNL_STAGE_ONE_WAY,
								  .hist = stage_hist(run->a[d], st) };
		if (!n)
			continue;
		char title[160], what[160];
		snprintf(run->names[run->res->figures], sizeof(run->names[0]), "tails-%s-stages",
			 dirs[d]);
		snprintf(title, sizeof(title), "Tails, %s, whole run: every stage's fraction of probes "
			 "at or above each latency (one_way thicker)", dirs[d]);
		snprintf(what, sizeof(what), "every stage of %s.rec, whole run", dirs[d]);
		if (figure(run, dir, title, what, VNL_STAGE_ONE_WAY, "latency of each stage", c, n,
			   err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int fill(const char *dir, const void *arg, char *err, size_t errlen)
{
	struct run *run = (struct run *)arg;
	if (direction_figures(run, dir, err, errlen) < 0 || stage_figures(run, dir, err, errlen) < 0)
		return -1;
	char intro[PATH_MAX + 400];
	snprintf(intro, sizeof(intro), "%s: the records of a run (%s%s%s), whole run. The host's "
		 "hops are in the run's JSON report, not in the records, so they have no curves "
		 "here; 'vnetlat report DIR/in.rec' gives the statistics.", run->dir,
		 run->a[0] ? "in.rec" : "", run->a[0] && run->a[1] ? ", " : "",
		 run->a[1] ? "out.rec" : "");
	const char *figs[MAX_FIGS];
	for (size_t i = 0; i < run->res->figures; i++)
		figs[i] = run->names[i];
	return vnl_html_figure_page(dir, "vnetlat run report", intro, figs,
				    "complementary CDF: the fraction of probes at or above each "
				    "latency, both axes log, down to one probe; lower and further "
				    "left is better", run->res->figures, err, errlen);
}

int vnl_run_write_report(const char *dir, struct vnl_run_report *res, char *err,
			 size_t errlen)
{
	struct run run = { .dir = dir, .res = res };
	*res = (struct vnl_run_report){ 0 };
	int rc = 0;
	for (int d = 0; d < 2 && !rc; d++) {
		char file[16], path[PATH_MAX];
		snprintf(file, sizeof(file), "%s.rec", dirs[d]);
		if (!exists(dir, file))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		rc = read_record(path, &run.a[d], res->damage[d], sizeof(res->damage[d]), err, errlen);
		res->records += !rc;
	}
	if (!rc)
		rc = vnl_report_dir_write(dir, fill, &run, err, errlen);
	vnl_analysis_free(run.a[0]);
	vnl_analysis_free(run.a[1]);
	return rc;
}
