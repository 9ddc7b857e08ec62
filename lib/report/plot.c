/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The study report's figures with gnuplot: see plot.h. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "hist.h"
#include "parse.h"
#include "safefile.h"
#include "stats.h"
#include "studyreport.h"

#define SCATTER_POINTS 4000 /* every k-th packet: about this many */
#define SPIKE_POINTS 8000   /* packets above the spike threshold, at most */
#define HIST_BINS 60
#define GNUPLOT_EXIT_MISSING 127

#define FIG_SIZE "960,400"

static const char *const hop_titles[4] = { "wire", "host back-end", "guest", "application" };
static const enum vnl_stage core_stages[3] = { VNL_STAGE_TX_STACK, VNL_STAGE_PATH,
					       VNL_STAGE_RX_STACK };

void vnl_plot_case_name(char *buf, size_t len, size_t i, const char *kind)
{
	snprintf(buf, len, "case%zu-%s", i + 1, kind);
}

/* A gnuplot single-quoted string: a quote is written twice. */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('\'', f);
}

static FILE *open_in(const char *report_dir, const char *sub, const char *name,
		     const char *ext, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/%s%s", report_dir, sub, name, ext);
	FILE *f = vnl_file_create_stream(path, true);
	if (!f)
		snprintf(err, errlen, "cannot write '%s': %s", path, vnl_file_why(errno));
	return f;
}

static int close_checked(FILE *f, const char *what, char *err, size_t errlen)
{
	if (ferror(f) | (fclose(f) == EOF)) {
		snprintf(err, errlen, "cannot write %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ rendering */

static int run_gnuplot(const char *report_dir, const char *name, const char *terminal,
		       const char *ext)
{
	char setup[512], script[PATH_MAX], log[PATH_MAX + 80];
	snprintf(setup, sizeof(setup), "set terminal %s; set output 'figures/%s.%s'", terminal,
		 name, ext);
	snprintf(script, sizeof(script), "plot/%s.gp", name);
	snprintf(log, sizeof(log), "%s/plot/%s.log", report_dir, name);

	const char *argv[] = { "gnuplot", "-e", setup, script, NULL };
	struct vnl_child_opts o = {
		.dir = report_dir,
		.in = { .how = VNL_CHILD_INHERIT },
		.out = { .how = VNL_CHILD_TRUNCATE, .path = log },
		.err = { .how = VNL_CHILD_AS_STDOUT },
		.quiet = true,
	};
	struct vnl_child *c;
	if (vnl_child_spawn(&c, argv, &o) < 0)
		return -1;
	vnl_child_wait(c, -1);
	/* not found: GNUPLOT_EXIT_MISSING (127); killed: 128 */
	int status = vnl_child_term_signal(c) ? 128 : vnl_child_status(c);
	vnl_child_free(c);
	return status;
}

int vnl_plot_render(const char *report_dir, const char *name, char *err, size_t errlen)
{
	static const struct { const char *terminal, *ext; } outs[] = {
		{ "svg size " FIG_SIZE " noenhanced background rgb 'white' font 'sans,11'", "svg" },
		{ "pngcairo size " FIG_SIZE " noenhanced background rgb 'white' font 'sans,10'",
		  "png" },
	};
	for (size_t i = 0; i < 2; i++) {
		int rc = run_gnuplot(report_dir, name, outs[i].terminal, outs[i].ext);
		if (rc == GNUPLOT_EXIT_MISSING) {
			snprintf(err, errlen, "gnuplot did not run; install it "
				 "(apt-get install gnuplot-nox) and run 'vnetlat report DIR' again");
			return -1;
		}
		if (rc) {
			snprintf(err, errlen, "gnuplot failed on %s/plot/%s.gp (%s); see "
				 "%s/plot/%s.log", report_dir, name, outs[i].ext, report_dir, name);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ latency over time */

struct scatter {
	FILE *f;
	uint64_t seen, every;
	int64_t spike_ns;   /* keep every packet above this */
	uint64_t spikes;
};

static void scatter_point(int64_t t_ns, int64_t v_ns, void *arg)
{
	struct scatter *sc = arg;
	bool keep = sc->seen++ % sc->every == 0;
	if (!keep && v_ns > sc->spike_ns && sc->spikes < SPIKE_POINTS) {
		keep = true;
		sc->spikes++;
	}
	if (keep)
		fprintf(sc->f, "%.6f %.3f\n", (double)t_ns / 1e9, (double)v_ns / 1e3);
}

/* The smallest tail percentile whose packets fit in SPIKE_POINTS. */
static int64_t spike_threshold(const struct vnl_summary *m)
{
	if (m->count / 100 <= SPIKE_POINTS)
		return m->p99_ns;
	if (m->count / 1000 <= SPIKE_POINTS)
		return m->p999_ns;
	return m->p9999_ns;
}

struct rebin {
	double lo, hi;      /* ns */
	uint64_t bin[HIST_BINS];
	uint64_t above;
};

static void rebin_bucket(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	struct rebin *rb = arg;
	double mid = ((double)lo + (double)hi) / 2;
	if (mid > rb->hi) {
		rb->above += count;
		return;
	}
	int b = (int)((mid - rb->lo) / (rb->hi - rb->lo) * HIST_BINS);
	rb->bin[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b] += count;
}

static int write_hist(const struct vnl_stats *st, double lo, double hi, const char *report_dir,
		      const char *name, uint64_t *above, char *err, size_t errlen)
{
	struct rebin rb = { .lo = lo, .hi = hi };
	vnl_hist_foreach(vnl_stats_hist(st), rebin_bucket, &rb);
	FILE *f = open_in(report_dir, "plot", name, "-hist.dat", err, errlen);
	if (!f)
		return -1;
	double w = (hi - lo) / HIST_BINS;
	fputs("# lo_us hi_us packets\n", f);
	for (int b = 0; b < HIST_BINS; b++)
		if (rb.bin[b])
			fprintf(f, "%.3f %.3f %llu\n", (lo + b * w) / 1e3, (lo + (b + 1) * w) / 1e3,
				(unsigned long long)rb.bin[b]);
	*above = rb.above;
	return close_checked(f, "a histogram data file", err, errlen);
}

static void write_scatter_script(FILE *f, const struct vnl_study_case *c, const char *name,
				 const char *points, double ylo_us, double yhi_us,
				 uint64_t every, uint64_t above, bool full)
{
	char title[512];
	snprintf(title, sizeof(title), "%s: %s over time, %s (first measured repetition; "
		 "histogram: all)", c->name, vnl_stage_name(c->metric),
		 full ? "full range" : "range chosen to show spikes");
	fputs("set multiplot title ", f);
	gp_str(f, title);
	fputs("\nset tmargin at screen 0.88\nset bmargin at screen 0.14\n"
	      "set lmargin at screen 0.08\nset rmargin at screen 0.70\n"
	      "set grid\nset key top left opaque\nset xlabel 'time into the run (s)'\n", f);
	fprintf(f, "set ylabel '%s (us)'\nY = %.3f\nset yrange [%.3f:Y]\n",
		vnl_stage_name(c->metric), yhi_us, ylo_us);
	fprintf(f, "plot 'plot/%s.dat' using 1:($2 <= Y ? $2 : 1/0) with points pt 7 ps 0.3 "
		"lc rgb '#1f77b4' title 'every %llu. packet + every one above the tail "
		"threshold'", points, (unsigned long long)every);
	if (!full)
		fprintf(f, ", '' using 1:($2 > Y ? Y : 1/0) with points pt 9 ps 0.9 "
			"lc rgb '#d62728' title 'above the range (drawn at its top)'");
	fputs("\nset lmargin at screen 0.73\nset rmargin at screen 0.97\n"
	      "unset ylabel\nset format y ''\nset logscale x\nset xrange [0.8:*]\n", f);
	fprintf(f, "set xlabel 'packets (log)%s'\n", above ? ", some above the range" : "");
	fprintf(f, "plot 'plot/%s-hist.dat' using (1):(($1+$2)/2):(0.8):3:1:2 with boxxyerror "
		"fs solid 0.6 lc rgb '#1f77b4' notitle\nunset multiplot\n", name);
}

static int scatter_figure(const struct vnl_study *s, size_t i, const char *report_dir,
			  const char *kind, const char *points, double ylo_ns, double yhi_ns,
			  uint64_t every, char *err, size_t errlen)
{
	const struct vnl_study_case *c = vnl_study_case(s, i);
	char name[64];
	uint64_t above;
	vnl_plot_case_name(name, sizeof(name), i, kind);
	if (write_hist(vnl_study_metric_stats(s, i), ylo_ns, yhi_ns, report_dir, name, &above,
		       err, errlen) < 0)
		return -1;
	FILE *f = open_in(report_dir, "plot", name, ".gp", err, errlen);
	if (!f)
		return -1;
	write_scatter_script(f, c, name, points, ylo_ns / 1e3, yhi_ns / 1e3, every, above,
			     !strcmp(kind, "full"));
	if (close_checked(f, "a gnuplot script", err, errlen) < 0)
		return -1;
	return vnl_plot_render(report_dir, name, err, errlen);
}

static const struct vnl_study_rep *plotted_rep(const struct vnl_study_case *c)
{
	for (size_t r = 0; r < c->nreps; r++)
		if (c->reps[r].whole.measured && c->reps[r].record[0] &&
		    c->reps[r].whole.stage[c->metric].count)
			return &c->reps[r];
	return NULL;
}

int vnl_plot_case(const struct vnl_study *s, size_t i, const char *report_dir, char *err,
		  size_t errlen)
{
	const struct vnl_study_case *c = vnl_study_case(s, i);
	const struct vnl_study_rep *rep = c ? plotted_rep(c) : NULL;
	const struct vnl_summary *all = c ? &c->whole.stage[c->metric] : NULL;
	if (!rep || !all->count)
		return 1;
	const struct vnl_summary *m = &rep->whole.stage[c->metric];

	char points[64];
	vnl_plot_case_name(points, sizeof(points), i, "points");
	struct scatter sc = { .every = m->count / SCATTER_POINTS + 1,
			      .spike_ns = spike_threshold(m) };
	if (!(sc.f = open_in(report_dir, "plot", points, ".dat", err, errlen)))
		return -1;
	fputs("# t_s value_us\n", sc.f);
	vnl_study_points(s, c, scatter_point, &sc);
	if (close_checked(sc.f, "the scatter data", err, errlen) < 0)
		return -1;

	/*
	 * Bulk and spikes: 20% above p99.99 (at least 50% above p99), measured
	 * from the bottom of the range, never past the max. Spans, not factors:
	 * one-way figures between unsynchronised clocks can all be negative.
	 */
	double min = (double)all->min_ns, max = (double)all->max_ns;
	double lo = min < 0 ? min - 0.1 * (max - min) : 0;
	double p9999 = (double)all->p9999_ns, p99 = (double)all->p99_ns;
	double top = p9999 + 0.2 * (p9999 - lo);
	if (top < p99 + 0.5 * (p99 - lo))
		top = p99 + 0.5 * (p99 - lo);
	double full = max + 0.05 * (max - lo) + 1;
	if (top > full)
		top = full;
	if (top <= lo)
		top = lo + 1000;
	if (full <= lo)
		full = lo + 1000;
	if (scatter_figure(s, i, report_dir, "latency", points, lo, top, sc.every, err,
			   errlen) < 0)
		return -1;
	return scatter_figure(s, i, report_dir, "full", points, lo, full, sc.every, err, errlen);
}

/* ------------------------------------------------------------ tails overlaid */

/* Okabe-Ito, yellow last (faint on white); with 5 dash types, 40 distinct lines. */
static const char *const okabe_ito[8] = { "#000000", "#E69F00", "#56B4E9", "#009E73",
					  "#0072B2", "#D55E00", "#CC79A7", "#F0E442" };
#define DASH_TYPES 5

struct ccdf_walk {
	uint64_t total, before, skipped;
	size_t points;
	vnl_plot_ccdf_fn fn;
	void *arg;
};

static void ccdf_bucket(int64_t lo, int64_t hi, uint64_t count, void *arg)
{
	(void)hi;
	struct ccdf_walk *w = arg;
	struct vnl_plot_ccdf_point p = { .x_ns = lo, .at_or_above = w->total - w->before };
	p.frac = (double)p.at_or_above / (double)w->total;
	w->before += count;
	if (lo <= 0) {
		w->skipped += count;
		return;
	}
	w->fn(&p, w->arg);
	w->points++;
}

size_t vnl_plot_ccdf(const struct vnl_hist *h, vnl_plot_ccdf_fn fn, void *arg,
		     uint64_t *skipped)
{
	struct ccdf_walk w = { .total = vnl_hist_count(h), .fn = fn, .arg = arg };
	if (w.total)
		vnl_hist_foreach(h, ccdf_bucket, &w);
	if (skipped)
		*skipped += w.skipped;
	return w.points;
}

static bool same_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool in_group(const struct vnl_study_case *c, const struct vnl_study_case *first)
{
	return c->whole.measured && c->measured_dir &&
	       same_str(c->measured_dir, first->measured_dir) && c->metric == first->metric;
}

bool vnl_plot_tails_first(const struct vnl_study *s, size_t i)
{
	const struct vnl_study_case *c = vnl_study_case(s, i);
	if (!c || !c->whole.measured || !c->measured_dir)
		return false;
	for (size_t j = 0; j < i; j++)
		if (in_group(vnl_study_case(s, j), c))
			return false;
	return true;
}

void vnl_plot_tails_name(char *buf, size_t len, const char *dir, enum vnl_stage metric,
			 bool whole)
{
	snprintf(buf, len, "tails-%s-%s%s", dir, vnl_stage_name(metric), whole ? "-whole" : "");
}

/* Whether case j is the reference of a case of its group (drawn thicker). */
static bool is_reference(const struct vnl_study *s, size_t j)
{
	const struct vnl_study_case *r = vnl_study_case(s, j);
	for (size_t i = 0; i < vnl_study_ncases(s); i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		if (c->reference == (int)j && in_group(c, r))
			return true;
	}
	return false;
}

static void ccdf_line(const struct vnl_plot_ccdf_point *p, void *arg)
{
	fprintf(arg, "%.4f %.9g\n", (double)p->x_ns / 1e3, p->frac);
}

static void ccdf_none(const struct vnl_plot_ccdf_point *p, void *arg)
{
	(void)p;
	(void)arg;
}

/* A log y axis labelled by decade, the percentile it is the tail of beside it. */
static void tails_ytics(FILE *f, uint64_t nmax)
{
	static const char *const pct[] = { "", " (p90)", " (p99)", " (p99.9)", " (p99.99)",
					   " (p99.999)" };
	fputs("set ytics (", f);
	double y = 1;
	for (int k = 0; k < 19 && y * (double)nmax >= 0.0999; k++, y /= 10)
		fprintf(f, "%s'%g%s' %g", k ? ", " : "", y, k < 6 ? pct[k] : "", y);
	fputs(")\n", f);
}

/* One repetition's complementary CDF, its points ascending, to read at any bucket bound. */
struct rep_ccdf {
	struct vnl_plot_ccdf_point *p;
	size_t n, cap, at;
};

static void rep_keep(const struct vnl_plot_ccdf_point *p, void *arg)
{
	struct rep_ccdf *r = arg;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct vnl_plot_ccdf_point *q = realloc(r->p, cap * sizeof(*q));
		if (!q)
			return; /* a shorter curve; the caller sees n < what the walk said */
		r->p = q;
		r->cap = cap;
	}
	r->p[r->n++] = *p;
}

/* The fraction at or above x: that of the first point at or above x (buckets are shared). */
static double rep_frac_at(struct rep_ccdf *r, int64_t x)
{
	while (r->at < r->n && r->p[r->at].x_ns < x)
		r->at++;
	return r->at < r->n ? r->p[r->at].frac : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The band's columns: per point of the merged curve, the repetitions' median, min and max. */
struct band_walk {
	FILE *f;
	struct rep_ccdf *reps;
	size_t nreps;
	double *v;
};

static void band_line(const struct vnl_plot_ccdf_point *p, void *arg)
{
	struct band_walk *b = arg;
	for (size_t r = 0; r < b->nreps; r++)
		b->v[r] = rep_frac_at(&b->reps[r], p->x_ns);
	qsort(b->v, b->nreps, sizeof(double), cmp_double);
	size_t m = b->nreps / 2;
	double med = b->nreps % 2 ? b->v[m] : (b->v[m - 1] + b->v[m]) / 2;
	fprintf(b->f, "%.4f %.9g %.9g %.9g %.9g\n", (double)p->x_ns / 1e3, p->frac, med, b->v[0],
		b->v[b->nreps - 1]);
}

/* The curve's block: "x frac", or with repetitions also their median, min and max. */
static int curve_block(FILE *f, const struct vnl_plot_curve *c, uint64_t *skipped)
{
	if (c->nreps < 2) {
		vnl_plot_ccdf(c->hist, ccdf_line, f, skipped);
		return 0;
	}
	struct rep_ccdf *reps = calloc(c->nreps, sizeof(*reps));
	double *v = calloc(c->nreps, sizeof(*v));
	int rc = reps && v ? 0 : -1;
	for (size_t r = 0; !rc && r < c->nreps; r++)
		if (vnl_plot_ccdf(c->reps[r], rep_keep, &reps[r], NULL) != reps[r].n)
			rc = -1;
	if (!rc) {
		struct band_walk b = { .f = f, .reps = reps, .nreps = c->nreps, .v = v };
		vnl_plot_ccdf(c->hist, band_line, &b, skipped);
	}
	for (size_t r = 0; reps && r < c->nreps; r++)
		free(reps[r].p);
	free(reps);
	free(v);
	return rc;
}

static void overlay_script(FILE *f, const struct vnl_plot_overlay *o, const size_t *idx,
			   size_t blocks, uint64_t nmax)
{
	fputs("set title ", f);
	gp_str(f, o->title);
	fprintf(f, "\nset logscale xy\nset format x '%%g'\nset grid xtics ytics mxtics\n"
		"set xlabel '%s (us, log)'\nset ylabel 'fraction of probes at or above (log)'\n"
		"YMIN = %g\nset yrange [YMIN:1.5]\nset key outside right top box opaque\n",
		o->xlabel ? o->xlabel : vnl_stage_name(o->metric), 0.5 / (double)nmax);
	tails_ytics(f, nmax);
	for (size_t b = 0; b < blocks; b++)
		if (o->curves[idx[b]].nreps >= 2) {
			fputs("set key title \"repetitions: their median,\\nthe band their range\"\n",
			      f);
			break;
		}
	fputs("plot ", f);
	for (size_t b = 0; b < blocks; b++) {
		const struct vnl_plot_curve *c = &o->curves[idx[b]];
		const char *colour = okabe_ito[c->colour % 8];
		bool band = c->nreps >= 2;
		if (band) /* the spread first, under every line; a repetition without the value: YMIN */
			fprintf(f, "%s'plot/%s.dat' index %zu using 1:($4 > 0 ? $4 : YMIN):"
				"($5 > 0 ? $5 : YMIN) with filledcurves fs transparent solid 0.18 "
				"noborder lc rgb '%s' notitle, \\\n     ", b ? ", \\\n     " : "",
				o->name, b, colour);
		else if (b)
			fputs(", \\\n     ", f);
		fprintf(f, "'plot/%s.dat' index %zu using 1:%s with lines lw %s lc rgb '%s' dt %u "
			"title ", o->name, b, band ? "($3 > 0 ? $3 : 1/0)" : "2", c->thick ? "4" : "2.2",
			colour, 1 + c->dash % DASH_TYPES);
		char t[320];
		snprintf(t, sizeof(t), "%s%s%s", c->title, c->note ? " " : "",
			 c->note ? c->note : "");
		gp_str(f, t);
	}
	fputc('\n', f);
}

int vnl_plot_overlay(const char *dir, const struct vnl_plot_overlay *o, char *err,
		     size_t errlen)
{
	FILE *f = open_in(dir, "plot", o->name, ".dat", err, errlen);
	if (!f)
		return -1;
	bool bands = false;
	for (size_t i = 0; i < o->ncurves; i++)
		bands |= o->curves[i].nreps >= 2;
	fprintf(f, "# %s: latency (us) and the fraction of probes at or above it%s; one block "
		"(gnuplot index) per curve\n", o->what, bands ? " (with repetitions: "
		"then their median, min and max of that fraction)" : "");
	size_t blocks = 0, *idx = calloc(o->ncurves ? o->ncurves : 1, sizeof(*idx));
	uint64_t nmax = 0;
	if (!idx) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < o->ncurves; i++) {
		const struct vnl_plot_curve *c = &o->curves[i];
		uint64_t skipped = 0, n = c->hist ? vnl_hist_count(c->hist) : 0;
		/* a block with no point would shift gnuplot's indices: count first */
		if (!n || !vnl_plot_ccdf(c->hist, ccdf_none, NULL, NULL))
			continue;
		fprintf(f, "%s# block %zu: ", blocks ? "\n\n" : "", blocks);
		for (const char *q = c->title; *q; q++)
			fputc(*q == '\n' ? ' ' : *q, f);
		fprintf(f, ", %llu probes", (unsigned long long)n);
		if (c->nreps >= 2)
			fprintf(f, " in %zu repetitions", c->nreps);
		fputc('\n', f);
		if (curve_block(f, c, &skipped) < 0) {
			fclose(f);
			free(idx);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (skipped)
			fprintf(f, "# %llu probes at or below 0 us are not on the log axis\n",
				(unsigned long long)skipped);
		if (n > nmax)
			nmax = n;
		idx[blocks++] = i;
	}
	if (close_checked(f, "the tails data", err, errlen) < 0 || !blocks) {
		free(idx);
		return blocks ? -1 : 1;
	}
	if (!(f = open_in(dir, "plot", o->name, ".gp", err, errlen))) {
		free(idx);
		return -1;
	}
	overlay_script(f, o, idx, blocks, nmax);
	free(idx);
	if (close_checked(f, "a gnuplot script", err, errlen) < 0)
		return -1;
	return vnl_plot_render(dir, o->name, err, errlen);
}

static int tails_figure(const struct vnl_study *s, size_t first, bool whole,
			const char *report_dir, char *err, size_t errlen)
{
	const struct vnl_study_case *g = vnl_study_case(s, first);
	bool window = vnl_study_has_window(s) && !whole;
	char name[96], what[160], title[256], from[32], to[32];
	vnl_plot_tails_name(name, sizeof(name), g->measured_dir, g->metric, whole);
	snprintf(what, sizeof(what), "%s %s, %s, all repetitions merged", g->measured_dir,
		 vnl_stage_name(g->metric), window ? "window" : "whole run");
	int64_t fr, tn;
	vnl_study_window(s, &fr, &tn);
	vnl_fmt_ns(fr, from, sizeof(from));
	vnl_fmt_ns(tn, to, sizeof(to));
	snprintf(title, sizeof(title), "Tails, %s %s, %s%s%s%s: fraction of probes at or above "
		 "each latency (all repetitions)", g->measured_dir, vnl_stage_name(g->metric),
		 window ? "window " : "whole run", window ? from : "", window ? " to " : "",
		 window ? (tn ? to : "the end") : "");
	size_t nc = vnl_study_ncases(s), n = 0, nreps = 0, used = 0;
	for (size_t i = 0; i < nc; i++)
		nreps += vnl_study_case(s, i)->nreps;
	struct vnl_plot_curve *curves = calloc(nc, sizeof(*curves));
	const struct vnl_hist **reps = calloc(nreps ? nreps : 1, sizeof(*reps));
	int rc = -1;
	if (!curves || !reps) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	struct vnl_plot_overlay o = { .name = name, .title = title, .what = what,
				      .metric = g->metric, .curves = curves };
	for (size_t i = first; i < nc; i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		const struct vnl_stats *st = vnl_study_stage_stats(s, i, window, g->metric);
		if (!in_group(c, g) || !st)
			continue;
		bool ref = is_reference(s, i);
		size_t k = vnl_study_rep_hists(s, i, window, reps + used, nreps - used);
		curves[n] = (struct vnl_plot_curve){ .title = c->name, .hist = vnl_stats_hist(st),
						     .note = ref ? "(reference)" : NULL,
						     .reps = reps + used, .nreps = k,
						     .colour = (unsigned)n, .dash = (unsigned)n,
						     .thick = ref };
		used += k;
		n++;
	}
	o.ncurves = n;
	rc = vnl_plot_overlay(report_dir, &o, err, errlen);
out:
	free(curves);
	free(reps);
	return rc;
}

int vnl_plot_tails(const struct vnl_study *s, const char *report_dir, char *err,
		   size_t errlen)
{
	int any = 1;
	for (size_t i = 0; i < vnl_study_ncases(s); i++) {
		if (!vnl_plot_tails_first(s, i))
			continue;
		for (int whole = 0; whole < (vnl_study_has_window(s) ? 2 : 1); whole++) {
			int rc = tails_figure(s, i, whole, report_dir, err, errlen);
			if (rc < 0)
				return -1;
			if (!rc)
				any = 0;
		}
	}
	return any;
}

/* ------------------------------------------------------------ breakdown */

static bool all_have_hops(const struct vnl_study *s)
{
	size_t measured = 0;
	for (size_t i = 0; i < vnl_study_ncases(s); i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		if (!c->whole.measured)
			continue;
		measured++;
		if (!c->has_hops)
			return false;
	}
	return measured > 0;
}

/* Stage colours: Okabe-Ito, apart from the tails' black. */
static const char *const stage_colours[4] = { "#E69F00", "#56B4E9", "#009E73", "#D55E00" };
#define BAR_HALF 0.42 /* half a bar's width; a group is n bars and a gap of one */

struct breakdown_row {
	const char *name;
	double us[4];
};

static void breakdown_script(FILE *f, bool hops, const struct breakdown_row *rows, size_t n)
{
	int k_n = hops ? 4 : 3;
	double lo = 0, hi = 0;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < k_n; k++) {
			double v = rows[i].us[k];
			if (v > 0 && (!lo || v < lo))
				lo = v;
			if (v > hi)
				hi = v;
		}
	if (!(lo > 0)) /* nothing above 0: an axis all the same */
		lo = hi = 1;
	/* room above the tallest bar for its label, rotated: a share of the decades shown */
	double ymin = lo / 2, top = hi * 2;
	double decades = log10(top / ymin);
	top *= pow(10, 0.25 * decades);
	fprintf(f, "set title 'Where the time goes, per case: median of each %s (us, log axis; "
		   "%s)'\nset logscale y\nset yrange [%g:%g]\nset format y '%%g'\n"
		   "set style fill solid 0.85 border -1\nset grid ytics\n"
		   "set key outside right top\nset ylabel 'median (us, log)'\n"
		   "set xrange [0:%zu]\nset xtics rotate by -20 left nomirror scale 0\n"
		   "set bmargin 6\nYMIN = %g\nset xtics (",
		hops ? "hop" : "stage", "each bar labelled; at or below 0: no bar", ymin, top,
		n * (size_t)(k_n + 1), ymin);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		gp_str(f, rows[i].name);
		fprintf(f, " %g", (double)i * (k_n + 1) + (k_n + 1) / 2.0);
	}
	/* 1-2-5 ticks: a log axis over a decade or two has few of its own */
	fputs(")\nset ytics (", f);
	bool first = true;
	for (int d = (int)floor(log10(ymin)); d <= (int)ceil(log10(top)); d++)
		for (int m = 0; m < 3; m++) {
			double v = (m == 0 ? 1 : m == 1 ? 2 : 5) * pow(10, d);
			if (v < ymin || v > top)
				continue;
			fprintf(f, "%s'%g' %g", first ? "" : ", ", v, v);
			first = false;
		}
	fputs(")\nplot ", f);
	for (int k = 0; k < k_n; k++) {
		fprintf(f, "%s'plot/breakdown.dat' index %d using 1:($2 > 0 ? $2 : 1/0):($1-%g):"
			"($1+%g):(YMIN):($2 > 0 ? $2 : 1/0) with boxxyerror lc rgb '%s' title ",
			k ? ", \\\n     " : "", k, BAR_HALF, BAR_HALF, stage_colours[k]);
		gp_str(f, hops ? hop_titles[k] : vnl_stage_name(core_stages[k]));
		fprintf(f, ", \\\n     '' index %d using 1:($2 > 0 ? $2 * 1.1 : YMIN * 1.1):"
			"(sprintf('%%.1f', $2)) with labels rotate by 90 left font ',9' notitle", k);
	}
	fputc('\n', f);
}

int vnl_plot_breakdown(const struct vnl_study *s, const char *report_dir, char *err,
		       size_t errlen)
{
	bool hops = all_have_hops(s);
	int k_n = hops ? 4 : 3;
	size_t n = 0, nc = vnl_study_ncases(s);
	struct breakdown_row *rows = calloc(nc ? nc : 1, sizeof(*rows));
	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		const struct vnl_study_period *p = vnl_study_headline(s, c);
		if (!p->measured)
			continue;
		rows[n].name = c->name;
		for (int k = 0; k < k_n; k++)
			rows[n].us[k] = hops ? c->hop_p50_ns[k] / 1e3
					     : (double)p->stage[core_stages[k]].p50_ns / 1e3;
		n++;
	}
	FILE *f = open_in(report_dir, "plot", "breakdown", ".dat", err, errlen);
	if (!f)
		goto fail;
	fprintf(f, "# the median (us) of each %s per case: one block (gnuplot index) per %s; "
		"x = the bar's position, then the value and the case\n",
		hops ? "hop (wire host guest application)" : "stage (tx_stack path rx_stack)",
		hops ? "hop" : "stage");
	for (int k = 0; k < k_n; k++) {
		fprintf(f, "%s# block %d: %s\n", k ? "\n\n" : "", k,
			hops ? hop_titles[k] : vnl_stage_name(core_stages[k]));
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "%zu %.3f \"", i * (size_t)(k_n + 1) + (size_t)k + 1, rows[i].us[k]);
			for (const char *q = rows[i].name; *q; q++)
				if (*q != '"' && *q != '\n')
					fputc(*q, f);
			fputs("\"\n", f);
		}
	}
	if (close_checked(f, "the breakdown data", err, errlen) < 0)
		goto fail;
	if (!n) {
		free(rows);
		return 1;
	}
	if (!(f = open_in(report_dir, "plot", "breakdown", ".gp", err, errlen)))
		goto fail;
	breakdown_script(f, hops, rows, n);
	free(rows);
	if (close_checked(f, "a gnuplot script", err, errlen) < 0)
		return -1;
	return vnl_plot_render(report_dir, "breakdown", err, errlen);
fail:
	free(rows);
	return -1;
}
