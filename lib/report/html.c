/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The self-contained HTML study report: see html.h. */
#include "html.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "plot.h"
#include "safefile.h"
#include "studyreport.h"

static const char style[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}"
	"table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}"
	"th,td{border:1px solid #bbb;padding:2px 5px;text-align:right;white-space:nowrap}"
	"th{background:#eee;text-align:center}td.t{text-align:left;white-space:normal;"
	"overflow-wrap:anywhere}"
	"td.status{min-width:5em;max-width:16em}tr.skipped td{color:#888;background:#f8f8f8}"
	".warn{color:#d55e00;font-weight:bold}"
	/* the difference to the reference by sign, in Okabe-Ito tints (vermillion, blue) */
	".slower{background:#f9d9c6;color:#7a2e00}.faster{background:#cfe6f5;color:#003d66}"
	".legend{font-size:0.85em;color:#555}.legend span{padding:0 4px}"
	/* within the run-to-run spread: faded, marked ~ (not only by colour) */
	"td.within{background-image:repeating-linear-gradient(135deg,transparent 0 4px,"
	"rgba(255,255,255,0.55) 4px 8px)}.mark{font-weight:bold;padding-left:1px}"
	"figure{margin:1em 0}figure svg{width:100%;max-width:960px;height:auto;display:block}"
	"figcaption{font-size:0.85em;color:#555}.note{background:#fff8dc;padding:0.4em}"
	"dl.host dt{font-weight:bold;float:left;clear:left;width:10em}dl.host dd{margin-left:11em;"
	"overflow-wrap:anywhere}";

void vnl_html_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* Where an id or a reference to one starts: after one of these, insert the prefix. */
static const char *const id_marks[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };

int vnl_html_inline_svg(FILE *out, const char *svg_path, const char *prefix)
{
	FILE *in = fopen(svg_path, "r");
	char line[8192];
	bool started = false;
	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		char *p = line;
		if (!started) {
			char *svg = strstr(line, "<svg");
			if (!svg)
				continue; /* the XML prolog and DOCTYPE do not belong in HTML */
			started = true;
			p = svg;
		}
		while (*p) {
			size_t best = SIZE_MAX, len = 0;
			for (size_t m = 0; m < sizeof(id_marks) / sizeof(id_marks[0]); m++) {
				char *at = strstr(p, id_marks[m]);
				if (at && (size_t)(at - p) < best) {
					best = (size_t)(at - p);
					len = strlen(id_marks[m]);
				}
			}
			if (best == SIZE_MAX) {
				fputs(p, out);
				break;
			}
			fwrite(p, 1, best + len, out);
			fprintf(out, "%s-", prefix);
			p += best + len;
		}
	}
	bool bad = ferror(in);
	fclose(in);
	return bad || !started ? -1 : 0;
}

/* ------------------------------------------------------------ the table */

static void cell_text(FILE *out, const char *s)
{
	fputs("<td class=\"t\">", out);
	vnl_html_text(out, s ? s : "");
	fputs("</td>", out);
}

static void period_cells(FILE *out, const struct vnl_study_period *p, enum vnl_stage metric)
{
	char buf[64];
	for (unsigned col = 0; col < VNL_STUDY_COLS; col++) {
		vnl_study_fmt_col(buf, sizeof(buf), p, metric, col);
		bool have = p->measured && (col == VNL_STUDY_COL_LOSS || p->stage[metric].count);
		if (!have)
			fprintf(out, "<td>%s</td>", buf);
		else if (col == VNL_STUDY_COL_LOSS)
			fprintf(out, "<td data-loss=\"%.9g\">%s</td>",
				vnl_study_col_ns(p, metric, col), buf);
		else
			fprintf(out, "<td data-ns=\"%.12g\">%s</td>",
				vnl_study_col_ns(p, metric, col), buf);
	}
}

/*
 * A difference to the reference, coloured by its sign: slower (+) or faster
 * (-); marked (class "within", a trailing ~) when it is not larger than the
 * run-to-run spread, so it does not rank the two.
 */
static void delta_cell(FILE *out, double ns, int64_t spread_ns, bool within)
{
	char buf[64], sp[64];
	vnl_study_fmt_us(buf, sizeof(buf), ns);
	bool zero = !strcmp(buf, "0.0") || !strcmp(buf, "-0.0");
	fprintf(out, "<td class=\"%s%s\"", zero ? "same" : ns > 0 ? "slower" : "faster",
		within ? " within" : "");
	if (spread_ns >= 0) {
		vnl_study_fmt_us(sp, sizeof(sp), (double)spread_ns);
		fprintf(out, " title=\"run-to-run spread %s us\" data-spread-ns=\"%lld\"", sp,
			(long long)spread_ns);
	}
	fprintf(out, " data-ns=\"%.12g\">%s%s%s</td>", ns, ns > 0 && !zero ? "+" : "",
		zero ? "0.0" : buf, within ? "<span class=\"mark\">~</span>" : "");
}

/*
 * The headline table (id "summary": the window when the study has one, else
 * the whole run): what each case is, its statistics and its difference to
 * the reference. With a window, the whole run follows in a table of its own
 * (id "summary-whole"), so neither is wider than a 1280 px screen.
 */
static void table(FILE *out, const struct vnl_study *s, bool headline)
{
	bool window = vnl_study_has_window(s);
	bool win = headline && window;
	fprintf(out, "<table id=\"%s\"><thead><tr><th rowspan=\"2\">case</th>",
		headline ? "summary" : "summary-whole");
	if (headline)
		fputs("<th rowspan=\"2\">topology</th><th rowspan=\"2\">load</th>"
		      "<th rowspan=\"2\">dir</th><th rowspan=\"2\">status</th>"
		      "<th rowspan=\"2\">reps</th><th rowspan=\"2\">metric</th>", out);
	fprintf(out, "<th colspan=\"%u\">%s (us)</th>", VNL_STUDY_COLS,
		win ? "window" : "whole run");
	if (headline)
		fputs("<th colspan=\"3\">vs reference (us)</th>", out);
	fputs("</tr><tr>", out);
	for (unsigned c = 0; c < VNL_STUDY_COLS; c++)
		fprintf(out, "<th>%s</th>", vnl_study_col_name(c));
	if (headline)
		fputs("<th>reference</th><th>mean</th><th>p99</th>", out);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < vnl_study_ncases(s); i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		struct vnl_study_delta d;
		fprintf(out, "<tr id=\"%scase-%zu\" class=\"%s\" data-case=\"",
			headline ? "" : "whole-", i + 1, c->whole.measured ? "case" : "case skipped");
		vnl_html_text(out, c->name);
		fputs("\">", out);
		cell_text(out, c->name);
		if (headline) {
			cell_text(out, c->topology);
			cell_text(out, c->load);
			cell_text(out, c->measured_dir ? c->measured_dir : c->direction);
			fputs("<td class=\"t status\">", out);
			vnl_html_text(out, c->status);
			if (c->reason) {
				fputs(": ", out);
				vnl_html_text(out, c->reason);
			}
			if (c->rt_deviation) {
				fputs(" <span class=\"warn\">settings not as asked: ", out);
				vnl_html_text(out, c->rt_deviation);
				fputs("</span>", out);
			}
			char metric[96];
			vnl_study_metric_text(c, metric, sizeof(metric));
			fprintf(out, "</td><td>%zu</td>", c->nreps);
			cell_text(out, metric);
		}
		period_cells(out, win ? &c->window : &c->whole, c->metric);
		if (headline && vnl_study_vs_reference(s, c, &d)) {
			cell_text(out, vnl_study_case(s, (size_t)c->reference)->name);
			delta_cell(out, d.mean_ns, d.spread_ns[VNL_STUDY_MEAN], d.within[VNL_STUDY_MEAN]);
			delta_cell(out, (double)d.p99_ns, d.spread_ns[VNL_STUDY_P99],
				   d.within[VNL_STUDY_P99]);
		} else if (headline) {
			fputs("<td>-</td><td>-</td><td>-</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

/* ------------------------------------------------------------ the rest of the page */

static void note_item(const char *line, void *arg)
{
	FILE *out = arg;
	fputs("<li>", out);
	vnl_html_text(out, line);
	fputs("</li>\n", out);
}

static void figure(FILE *out, const char *report_dir, const char *name, const char *caption)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/figures/%s.svg", report_dir, name);
	fprintf(out, "<figure id=\"fig-%s\">\n", name);
	if (vnl_html_inline_svg(out, path, name) < 0)
		fputs("<p>(figure not rendered)</p>\n", out);
	fputs("<figcaption>", out);
	vnl_html_text(out, caption);
	fprintf(out, " (figures/%s.svg, .png)</figcaption></figure>\n", name);
}

static void worst_table(FILE *out, const struct vnl_study_case *c)
{
	char t[32], v[32];
	int64_t x;
	if (!c->nworst)
		return;
	fputs("<table class=\"worst\"><thead><tr><th>rep</th><th>seq</th><th>time into run (s)"
	      "</th><th>one_way (us)</th><th>path (us)</th><th>wakeup (us)</th></tr></thead>"
	      "<tbody>\n", out);
	for (size_t w = 0; w < c->nworst; w++) {
		const struct vnl_study_worst *p = &c->worst[w];
		snprintf(t, sizeof(t), "%.6f", (double)p->t_ns / 1e9);
		fprintf(out, "<tr><td>%u</td><td>%llu</td><td>%s</td>", p->rep,
			(unsigned long long)p->pkt.seq, t);
		static const enum vnl_stage cols[] = { VNL_STAGE_ONE_WAY, VNL_STAGE_PATH,
						       VNL_STAGE_WAKEUP };
		for (size_t k = 0; k < 3; k++) {
			if (vnl_pkt_stage(&p->pkt, cols[k], &x))
				vnl_study_fmt_us(v, sizeof(v), (double)x);
			else
				snprintf(v, sizeof(v), "-");
			fprintf(out, "<td>%s</td>", v);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

/* trace = on: the tally above p99.9 and each repetition's worst probe with its causes. */
static void trace_section(FILE *out, const struct vnl_study_trace *t)
{
	char line[1024];
	if (!t)
		return;
	fputs("<h4>Why the worst probes were slow (trace)</h4>\n<p class=\"trace\">", out);
	vnl_study_trace_text(t, line, sizeof(line));
	vnl_html_text(out, line);
	fputs("</p>\n<ul class=\"trace\">\n", out);
	for (size_t j = 0; j < t->nlines; j++) {
		fputs("<li>", out);
		vnl_html_text(out, t->line[j]);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

static void case_section(FILE *out, const struct vnl_study *s, size_t i, const char *report_dir)
{
	const struct vnl_study_case *c = vnl_study_case(s, i);
	char name[64], caption[512];
	fprintf(out, "<section id=\"case-section-%zu\"><h3>", i + 1);
	vnl_html_text(out, c->name);
	fputs("</h3>\n", out);
	if (!c->whole.measured) {
		fputs("<p>Not measured: ", out);
		vnl_html_text(out, c->status);
		if (c->reason) {
			fputs(" &mdash; ", out);
			vnl_html_text(out, c->reason);
		}
		fputs("</p></section>\n", out);
		return;
	}
	vnl_plot_case_name(name, sizeof(name), i, "latency");
	snprintf(caption, sizeof(caption), "%s over time with its histogram; y range chosen so "
		 "spikes stay visible (packets above it are drawn at its top)",
		 vnl_stage_name(c->metric));
	figure(out, report_dir, name, caption);
	vnl_plot_case_name(name, sizeof(name), i, "full");
	snprintf(caption, sizeof(caption), "the same on the full range, up to the maximum");
	figure(out, report_dir, name, caption);
	fputs("<h4>Worst packets (whole run, all repetitions)</h4>\n", out);
	worst_table(out, c);
	trace_section(out, c->trace);
	fputs("</section>\n", out);
}

/* The tails overlaid: per measured direction and metric, the headline period then the whole run. */
static void tails(FILE *out, const struct vnl_study *s, const char *report_dir)
{
	bool window = vnl_study_has_window(s);
	bool any = false;
	for (size_t i = 0; i < vnl_study_ncases(s); i++) {
		const struct vnl_study_case *c = vnl_study_case(s, i);
		char name[96], caption[512];
		if (!vnl_plot_tails_first(s, i))
			continue;
		if (!any)
			fputs("<h2>Tails</h2>\n", out);
		any = true;
		for (int whole = 0; whole < (window ? 2 : 1); whole++) {
			vnl_plot_tails_name(name, sizeof(name), c->measured_dir, c->metric, whole);
			snprintf(caption, sizeof(caption),
				 "%s %s, %s: every case's complementary CDF, the fraction of its "
				 "probes (all repetitions) at or above each latency, both axes log, "
				 "down to one probe; the reference thicker; lower and further left "
				 "is better", c->measured_dir, vnl_stage_name(c->metric),
				 window && !whole ? "window" : "whole run");
			figure(out, report_dir, name, caption);
		}
	}
}

static void host_facts(FILE *out, const struct vnl_study *s)
{
	json_t *host = vnl_study_host(s);
	const char *key;
	json_t *v;
	fputs("<h2>Host</h2>\n", out);
	if (!json_is_object(host)) {
		fputs("<p>No host.json in the results directory.</p>\n", out);
		return;
	}
	fputs("<dl class=\"host\">\n", out);
	json_object_foreach(host, key, v) {
		fputs("<dt>", out);
		vnl_html_text(out, key);
		fputs("</dt><dd>", out);
		if (json_is_string(v)) {
			vnl_html_text(out, json_string_value(v));
		} else {
			char *txt = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			vnl_html_text(out, txt ? txt : "?");
			free(txt);
		}
		fputs("</dd>\n", out);
	}
	fputs("</dl>\n", out);
}

int vnl_html_study(FILE *out, const struct vnl_study *s, const char *report_dir)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>vnetlat study report</title><style>%s</style></head><body>\n"
		"<h1>vnetlat study report</h1>\n<p>", style);
	vnl_html_text(out, vnl_study_dir(s));
	if (vnl_study_has_window(s)) {
		int64_t from, to;
		char a[32], b[32];
		vnl_study_window(s, &from, &to);
		vnl_fmt_ns(from, a, sizeof(a));
		vnl_fmt_ns(to, b, sizeof(b));
		fprintf(out, ": window from %s to %s into each run; the differences to the "
			"reference are on the window.", a, to ? b : "the end");
	} else {
		fputs(": no window; whole runs only.", out);
	}
	fputs("</p>\n<h2>Summary</h2>\n", out);
	table(out, s, true);
	fputs("<p class=\"legend\">vs reference: the case minus its reference; "
	      "<span class=\"slower\">+ slower</span>, <span class=\"faster\">&minus; "
	      "faster</span>; <span class=\"slower within\">+0.3<span class=\"mark\">~</span>"
	      "</span> within the run-to-run spread (not larger than the larger range of that "
	      "figure between the repetitions of the case or of its reference): it does not "
	      "rank the two.</p>\n", out);
	if (vnl_study_has_window(s)) {
		fputs("<h3>Whole run</h3>\n", out);
		table(out, s, false);
	}
	fputs("<h2>Notes</h2>\n<ul class=\"note\">\n", out);
	if (!vnl_study_notes(s, note_item, out))
		fputs("<li>Every difference between cases of the same load is larger than the "
		      "spread between their repetitions.</li>\n", out);
	fputs("</ul>\n", out);
	tails(out, s, report_dir);
	fputs("<h2>Per-stage breakdown</h2>\n", out);
	figure(out, report_dir, "breakdown", "median of each stage (or hop, when the runs "
	       "observed them) per case, side by side on a log axis, each bar labelled with "
	       "its value in us (a median at or below 0 has no bar, only its label)");
	fputs("<h2>Cases</h2>\n", out);
	for (size_t i = 0; i < vnl_study_ncases(s); i++)
		case_section(out, s, i, report_dir);
	host_facts(out, s);
	fputs("</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}

static void figure_page(FILE *out, const char *title, const char *intro, const char *dir,
			const char *const *names, const char *caption, size_t n)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>");
	vnl_html_text(out, title);
	fprintf(out, "</title><style>%s</style></head><body>\n<h1>", style);
	vnl_html_text(out, title);
	fputs("</h1>\n<p>", out);
	vnl_html_text(out, intro);
	fputs("</p>\n<h2>Tails</h2>\n", out);
	if (!n)
		fputs("<p>Nothing measured to draw.</p>\n", out);
	for (size_t i = 0; i < n; i++)
		figure(out, dir, names[i], caption);
	fputs("</body></html>\n", out);
}

int vnl_html_figure_page(const char *dir, const char *title, const char *intro,
			 const char *const *names, const char *caption, size_t n, char *err,
			 size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/index.html", dir);
	struct vnl_replace *r = vnl_replace_open(path);
	if (r) {
		figure_page(vnl_replace_stream(r), title, intro, dir, names, caption, n);
		if (vnl_replace_commit(r) == 0)
			return 0;
	}
	snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
	return -1;
}
