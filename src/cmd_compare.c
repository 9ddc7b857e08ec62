/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnetlat compare A B: two study results directories, case by case (by case
 * name): the median and p99 of path and one_way, and whether each changed by
 * more than run-to-run spread. Exit 0 when nothing changed significantly,
 * 1 when something did, 2 on bad usage or a study that could not be read (as diff).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "comparefig.h"
#include "log.h"
#include "optable.h"
#include "output.h"
#include "studyreport.h"

/* Without repetitions to measure the spread: max(5% of A, 2 us). */
#define DEFAULT_REL 0.05
#define DEFAULT_ABS_NS 2000

enum { O_JSON = 256, O_HTML };

static const struct vnl_opt compare_opts[] = {
	{ "json", O_JSON, NULL, "print one JSON document instead of the table" },
	{ "html", O_HTML, "DIR", "also draw the two studies' tails overlaid: per measured\n"
				 "direction and metric a figure with every case of A\n"
				 "(solid) and of B (dashed), written to DIR/index.html,\n"
				 "DIR/figures/ and their data and gnuplot scripts to\n"
				 "DIR/plot/ (DIR is created when missing)" },
	{ "help", 'h', NULL, "print this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const compare_tables[] = { compare_opts, NULL };

static void usage(FILE *out)
{
	fputs("Usage: vnetlat compare A B [--json] [--html DIR]\n"
	      "\n"
	      "Compare two study results directories (written by 'vnetlat study') case by\n"
	      "case, matched by case name: the median (p50) and p99 of path and one_way, on\n"
	      "each study's window when it has one, else on the whole runs.\n"
	      "A change is significant when it is larger than the run-to-run spread: the\n"
	      "largest range (max - min) of that figure between the repetitions of the case\n"
	      "in A or in B, when both have at least two repetitions (never below 1% of A's\n"
	      "value, the percentiles' resolution); otherwise the larger of 5% of A's value\n"
	      "and 2 us.\n"
	      "\n",
	      out);
	vnl_opts_print(out, compare_tables);
	fputs("\nExit status: 0 no significant change; 1 at least one significant change;\n"
	      "2 bad usage or trouble (not two study directories, or one could not be read,\n"
	      "or --html could not write its figures).\n"
	      "See vnetlat-compare(8).\n",
	      out);
}

static const enum vnl_stage stages[] = { VNL_STAGE_PATH, VNL_STAGE_ONE_WAY };
static const enum vnl_study_stat stats[] = { VNL_STUDY_P50, VNL_STUDY_P99 };
static const char *const stat_names[] = { "p50", "p99" };

struct change {
	int64_t a, b, diff, threshold;
	bool from_reps, significant;
};

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* false when either side lacks the figure. */
static bool compare_one(const struct vnl_study *sa, const struct vnl_study_case *a,
			const struct vnl_study *sb, const struct vnl_study_case *b,
			enum vnl_stage st, enum vnl_study_stat which, struct change *c)
{
	const struct vnl_summary *ma = &vnl_study_headline(sa, a)->stage[st];
	const struct vnl_summary *mb = &vnl_study_headline(sb, b)->stage[st];
	if (!ma->count || !mb->count)
		return false;
	*c = (struct change){ .a = vnl_study_stat_of(ma, which), .b = vnl_study_stat_of(mb, which) };
	c->diff = c->b - c->a;
	int64_t med, ra, rb;
	size_t na = vnl_study_rep_spread(sa, a, st, which, &med, &ra);
	size_t nb = vnl_study_rep_spread(sb, b, st, which, &med, &rb);
	if (na >= 2 && nb >= 2) {
		/* never below the histogram's percentile resolution (1%) */
		int64_t floor = abs64(c->a) / 100;
		c->threshold = ra > rb ? ra : rb;
		if (c->threshold < floor)
			c->threshold = floor;
		c->from_reps = true;
	} else {
		double rel = DEFAULT_REL * (double)abs64(c->a);
		c->threshold = rel > DEFAULT_ABS_NS ? (int64_t)rel : DEFAULT_ABS_NS;
	}
	c->significant = abs64(c->diff) > c->threshold;
	return true;
}

static void text_row(const char *name, enum vnl_stage st, const char *stat,
		     const struct change *c)
{
	char a[32], b[32], d[32], t[32];
	vnl_study_fmt_us(a, sizeof(a), (double)c->a);
	vnl_study_fmt_us(b, sizeof(b), (double)c->b);
	snprintf(d, sizeof(d), "%+.1f", (double)c->diff / 1000.0);
	vnl_study_fmt_us(t, sizeof(t), (double)c->threshold);
	printf("%-24s %-8s %-4s %10s %10s %9s %9s%s  %s\n", name, vnl_stage_name(st), stat, a, b,
	       d, t, c->from_reps ? "r" : "d", c->significant ? "CHANGED" : "same");
}

static json_t *change_json(enum vnl_stage st, const char *stat, const struct change *c)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:b}", "stage", vnl_stage_name(st),
			 "stat", stat, "a_ns", (json_int_t)c->a, "b_ns", (json_int_t)c->b,
			 "diff_ns", (json_int_t)c->diff, "threshold_ns", (json_int_t)c->threshold,
			 "threshold_from", c->from_reps ? "repetitions" : "default",
			 "significant", c->significant);
}

static void text_case_status(const char *name, const char *what)
{
	printf("%-24s %s\n", name, what);
}

/* Compares every case of A with its namesake in B, then B's cases A lacks. */
static size_t compare_studies(const struct vnl_study *sa, const struct vnl_study *sb, bool json,
			      json_t *cases)
{
	size_t significant = 0;
	for (size_t i = 0; i < vnl_study_ncases(sa); i++) {
		const struct vnl_study_case *a = vnl_study_case(sa, i);
		int j = vnl_study_find(sb, a->name);
		const struct vnl_study_case *b = j >= 0 ? vnl_study_case(sb, (size_t)j) : NULL;
		const char *status = !b ? "only_in_a" : "compared";
		json_t *changes = json_array();
		size_t compared = 0;
		for (size_t k = 0; b && k < 2; k++) {
			for (size_t q = 0; q < 2; q++) {
				struct change c;
				if (!compare_one(sa, a, sb, b, stages[k], stats[q], &c))
					continue;
				compared++;
				significant += c.significant;
				if (json)
					json_array_append_new(changes, change_json(stages[k],
										   stat_names[q], &c));
				else
					text_row(a->name, stages[k], stat_names[q], &c);
			}
		}
		if (b && !compared)
			status = "not_measured";
		if (json)
			json_array_append_new(cases, json_pack("{s:s, s:s, s:o}", "name", a->name,
							       "status", status, "changes",
							       changes));
		else
			json_decref(changes);
		if (!json && strcmp(status, "compared"))
			text_case_status(a->name, !b ? "only in A" : "not measured in A or B");
	}
	for (size_t j = 0; j < vnl_study_ncases(sb); j++) {
		const struct vnl_study_case *b = vnl_study_case(sb, j);
		if (vnl_study_find(sa, b->name) >= 0)
			continue;
		if (json)
			json_array_append_new(cases, json_pack("{s:s, s:s, s:[]}", "name", b->name,
							       "status", "only_in_b", "changes"));
		else
			text_case_status(b->name, "only in B");
	}
	return significant;
}

static int parse_args(int argc, char **argv, bool *json, const char **html, const char **a,
		      const char **b)
{
	struct vnl_optset set;
	vnl_optset_build(&set, compare_tables);
	int c;
	*json = false;
	*html = NULL;
	while ((c = vnl_optset_next(&set, argc, argv, "compare")) != -1) {
		switch (c) {
		case O_JSON:
			*json = true;
			break;
		case O_HTML:
			if (!*optarg) {
				vnl_err("--html needs a directory to write the figures to");
				return -1;
			}
			*html = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default: /* '?': vnl_optset_next said what was wrong */
			return -1;
		}
	}
	if (argc - optind != 2) {
		vnl_err("give two study results directories: vnetlat compare A B (see --help)");
		return -1;
	}
	*a = argv[optind];
	*b = argv[optind + 1];
	return 0;
}

/* Bad usage when the path is not a study directory at all; 1 when it is but is broken. */
static int open_study(const char *dir, struct vnl_study **out)
{
	struct stat st;
	char err[512];
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		vnl_err("'%s' is not a directory; give a study results directory", dir);
		return VNL_EXIT_USAGE;
	}
	*out = vnl_study_open(dir, err, sizeof(err));
	if (!*out) {
		vnl_err("%s", err);
		return VNL_EXIT_USAGE; /* as diff: 1 means "differ", trouble is 2 */
	}
	return VNL_EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
	const char *da, *db, *html;
	bool json;
	struct vnl_study *sa = NULL, *sb = NULL;
	int rc = parse_args(argc, argv, &json, &html, &da, &db);
	if (rc)
		return rc > 0 ? VNL_EXIT_OK : VNL_EXIT_USAGE;
	if ((rc = open_study(da, &sa)) || (rc = open_study(db, &sb))) {
		vnl_study_free(sa);
		return rc;
	}
	size_t nfigs = 0;
	char err[1024];
	/* drawn first: a failure is said before the table, and the table still follows */
	bool drawn = !html || vnl_compare_figures(sa, sb, html, &nfigs, err, sizeof(err)) == 0;
	if (!drawn)
		vnl_err("the figures: %s", err);
	json_t *cases = json_array();
	if (!json)
		printf("%-24s %-8s %-4s %10s %10s %9s %10s  %s\n", "case", "stage", "stat", "A (us)",
		       "B (us)", "B-A", "threshold", "verdict");
	size_t significant = compare_studies(sa, sb, json, cases);
	if (json) {
		json_t *doc = json_pack("{s:s, s:s, s:o, s:I}", "a", da, "b", db, "cases", cases,
					"significant", (json_int_t)significant);
		if (html && drawn)
			json_object_set_new(doc, "html", json_pack("{s:s, s:I}", "dir", html,
								   "figures", (json_int_t)nfigs));
		vnl_output_json_dump(stdout, doc);
		json_decref(doc);
	} else {
		json_decref(cases);
		printf("\nthreshold: r = run-to-run spread between repetitions, d = max(5%%, 2 us) "
		       "(fewer than 2 repetitions)\n%zu significant change%s\n", significant,
		       significant == 1 ? "" : "s");
		if (html && drawn)
			printf("tails overlaid: %s/index.html (%zu figure%s in %s/figures; data and "
			       "gnuplot scripts in %s/plot)\n", html, nfigs, nfigs == 1 ? "" : "s",
			       html, html);
	}
	vnl_study_free(sa);
	vnl_study_free(sb);
	if (fflush(stdout) == EOF) {
		vnl_errno("cannot write to standard output");
		return VNL_EXIT_FAIL;
	}
	if (!drawn)
		return VNL_EXIT_USAGE; /* trouble, as diff: not "differ" */
	return significant ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}
