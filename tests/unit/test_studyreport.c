/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The study model on a results directory written here: statistics of the
 * records equal those of an analysis fed the same packets (what `report FILE`
 * prints), the window, references and their differences, and the caveat.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis.h"
#include "hist.h"
#include "plot.h"
#include "record.h"
#include "stats.h"
#include "studyreport.h"

#define BASE 1700000000000000000LL
#define MS 1000000LL
#define PKTS 3000

static char root[256];

/* A packet whose one_way is base_us + (seq % 7) us, path 10 us less; spikes every 1000. */
static void make_pkt(struct vnl_pkt *p, uint64_t seq, int64_t base_us)
{
	int64_t ow = (base_us + (int64_t)(seq % 7)) * 1000 + (seq % 1000 == 999 ? 300000 : 0);
	*p = (struct vnl_pkt){ .seq = seq, .flags = VNL_PKT_F_TXSTAMPS };
	p->sched = BASE + (int64_t)seq * MS;
	p->app_tx_sched = p->app_tx = p->sched + 2000;
	p->tx_sw = p->app_tx + 1000;
	p->rx_sw = p->app_tx + ow - 4000;
	p->app_rx = p->app_tx + ow;
}

static void write_record(const char *path, int64_t base_us, struct vnl_analysis *whole,
			 struct vnl_analysis *win)
{
	struct vnl_record_meta m = { .role = VNL_ROLE_RECV, .clock_id = 0, .interval_ns = MS,
				     .base_ns = BASE };
	char err[256];
	struct vnl_record_writer *w = vnl_record_create(path, &m, err, sizeof(err));
	assert_non_null(w);
	struct vnl_pkt p;
	for (uint64_t s = 0; s < PKTS; s++) {
		make_pkt(&p, s, base_us);
		vnl_record_append(w, &p);
		if (whole)
			vnl_analysis_add(whole, &p);
		if (win)
			vnl_analysis_add(win, &p);
	}
	struct vnl_record_summary sum = { .sent = PKTS };
	assert_int_equal(vnl_record_finish(w, &sum), 0);
	struct vnl_stream_extra x = { .sent = PKTS };
	if (whole)
		vnl_analysis_set_extra(whole, &x);
	if (win)
		vnl_analysis_set_extra(win, &x);
}

static void mkdirs(const char *rel)
{
	char path[512], *p;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* Cases: name, topology, load, base latency (us) of rep 1 and rep 2. */
struct spec {
	const char *name, *topo, *load;
	int64_t rep_us[2];
	unsigned nreps;
};

static void write_study(const struct spec *cases, size_t n, const char *window,
			const char *reference)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/study.json", root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"vnetlat_study\":1,\"window\":%s,\"reference\":%s,\"cases\":[", window,
		reference);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s{\"name\":\"%s\",\"topology\":\"%s\",\"load\":\"%s\",\"direction\":"
			"\"in\",\"status\":\"done\",\"reason\":null,\"repetitions\":[",
			i ? "," : "", cases[i].name, cases[i].topo, cases[i].load);
		for (unsigned r = 0; r < cases[i].nreps; r++) {
			char rel[256], rec[512];
			snprintf(rel, sizeof(rel), "cases/%s/rep%u", cases[i].name, r + 1);
			mkdirs(rel);
			snprintf(rec, sizeof(rec), "%s/%s/in.vnlrec", root, rel);
			write_record(rec, cases[i].rep_us[r], NULL, NULL);
			fprintf(f, "%s{\"rep\":%u,\"dir\":\"%s\",\"status\":\"done\"}", r ? "," : "",
				r + 1, rel);
		}
		fputs("]}", f);
	}
	fputs(",{\"name\":\"skip\",\"topology\":\"passthrough\",\"load\":\"none\",\"status\":"
	      "\"skipped\",\"reason\":\"no IOMMU\",\"repetitions\":[]}]}\n", f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_studyreport.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void assert_summary_equal(const struct vnl_summary *a, const struct vnl_stats *st)
{
	struct vnl_summary b;
	vnl_stats_summarize(st, &b);
	assert_int_equal(a->count, b.count);
	assert_int_equal(a->min_ns, b.min_ns);
	assert_int_equal(a->max_ns, b.max_ns);
	assert_int_equal(a->p50_ns, b.p50_ns);
	assert_int_equal(a->p99_ns, b.p99_ns);
	assert_int_equal(a->p999_ns, b.p999_ns);
	assert_true(a->mean_ns == b.mean_ns);
	assert_true(a->stddev_ns == b.stddev_ns);
}

/* The model's statistics equal those of an analysis fed the same packets, whole and windowed. */
static void test_stats_equal_direct_analysis(void **state)
{
	(void)state;
	static const struct spec c[] = { { "veth-none", "veth", "none", { 20, 20 }, 1 } };
	write_study(c, 1, "{\"from_ns\":1000000000,\"to_ns\":2000000000}", "null");

	struct vnl_analysis_opts wo = { .worst_n = 10 }, wi = { .worst_n = 10, .origin_ns = BASE,
								.from_ns = 1000 * MS, .to_ns = 2000 * MS };
	struct vnl_analysis *whole = vnl_analysis_new(&wo), *win = vnl_analysis_new(&wi);
	char rec[512];
	snprintf(rec, sizeof(rec), "%s/direct.vnlrec", root);
	write_record(rec, 20, whole, win);

	char err[256];
	struct vnl_study *s = vnl_study_open(root, err, sizeof(err));
	assert_non_null(s);
	assert_true(vnl_study_has_window(s));
	const struct vnl_study_case *vc = vnl_study_case(s, 0);
	assert_int_equal(vc->nreps, 1);
	assert_int_equal(vc->metric, VNL_STAGE_ONE_WAY);
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		assert_summary_equal(&vc->reps[0].whole.stage[st], vnl_analysis_stage(whole, st));
		assert_summary_equal(&vc->reps[0].window.stage[st], vnl_analysis_stage(win, st));
	}
	/* the window holds the packets scheduled in [1 s, 2 s): 1000 of them */
	assert_int_equal(vc->window.stage[VNL_STAGE_ONE_WAY].count, 1000);
	assert_int_equal(vc->whole.stage[VNL_STAGE_ONE_WAY].count, PKTS);
	assert_ptr_equal(vnl_study_headline(s, vc), &vc->window);
	/* the merged histograms behind the tail figures: the window's and the whole run's */
	assert_int_equal(vnl_stats_count(vnl_study_stage_stats(s, 0, true, VNL_STAGE_ONE_WAY)), 1000);
	assert_int_equal(vnl_stats_count(vnl_study_stage_stats(s, 0, false, VNL_STAGE_ONE_WAY)),
			 PKTS);
	assert_ptr_equal(vnl_study_stage_stats(s, 0, false, VNL_STAGE_ONE_WAY),
			 vnl_study_metric_stats(s, 0));
	assert_null(vnl_study_stage_stats(s, 9, false, VNL_STAGE_ONE_WAY));
	/* worst packets: the three spikes, worst first, with their times into the run */
	assert_int_equal(vc->nworst, 10);
	assert_true(vc->worst[0].pkt.seq % 1000 == 999);
	assert_int_equal(vc->worst[0].t_ns, (int64_t)vc->worst[0].pkt.seq * MS);
	/* the skipped case is there, not measured, with its reason */
	const struct vnl_study_case *sk = vnl_study_case(s, 1);
	assert_string_equal(sk->status, "skipped");
	assert_string_equal(sk->reason, "no IOMMU");
	assert_false(sk->whole.measured);
	vnl_study_free(s);
	vnl_analysis_free(whole);
	vnl_analysis_free(win);
}

/* Reference: the named case's topology with the case's load; difference on the headline. */
static void test_reference_differences(void **state)
{
	(void)state;
	static const struct spec c[] = {
		{ "veth-none", "veth", "none", { 20, 20 }, 2 },
		{ "veth-load", "veth", "udp3", { 40, 40 }, 2 },
		{ "bridge-none", "bridge", "none", { 30, 30 }, 2 },
		{ "bridge-load", "bridge", "udp3", { 70, 70 }, 2 },
	};
	write_study(c, 4, "null", "\"veth-none\"");
	char err[256];
	struct vnl_study *s = vnl_study_open(root, err, sizeof(err));
	assert_non_null(s);
	assert_false(vnl_study_has_window(s));
	assert_int_equal(vnl_study_case(s, 0)->reference, -1);
	assert_int_equal(vnl_study_case(s, 1)->reference, -1);
	assert_int_equal(vnl_study_case(s, 2)->reference, 0);
	assert_int_equal(vnl_study_case(s, 3)->reference, 1);
	struct vnl_study_delta d;
	assert_true(vnl_study_vs_reference(s, vnl_study_case(s, 3), &d));
	/* every packet is 30 us slower than its reference: every statistic moves by 30 us */
	assert_true(d.mean_ns > 29900 && d.mean_ns < 30100);
	assert_false(vnl_study_vs_reference(s, vnl_study_case(s, 0), &d));
	vnl_study_free(s);
}

static void count_note(const char *line, void *arg)
{
	(void)line;
	++*(int *)arg;
}

struct found {
	int n;
	char text[1024];
};

static void keep_note(const char *line, void *arg)
{
	struct found *f = arg;
	f->n++;
	snprintf(f->text, sizeof(f->text), "%s", line);
}

/* The caveat: a difference inside the spread between repetitions is called out; one outside is not. */
static void test_caveat_spread(void **state)
{
	(void)state;
	static const struct spec c[] = {
		{ "a", "veth", "none", { 20, 30 }, 2 }, /* spread 10 us */
		{ "b", "bridge", "none", { 24, 26 }, 2 }, /* 5 us from a's median: inside */
		{ "c", "ovs", "none", { 80, 81 }, 2 },  /* far from both */
	};
	write_study(c, 3, "null", "null");
	char err[256];
	struct vnl_study *s = vnl_study_open(root, err, sizeof(err));
	assert_non_null(s);
	int64_t med, range;
	assert_int_equal(vnl_study_rep_spread(s, vnl_study_case(s, 0), VNL_STAGE_ONE_WAY,
					      VNL_STUDY_P50, &med, &range), 2);
	assert_true(range > 9000 && range < 11000);
	struct found f = { 0 };
	assert_int_equal(vnl_study_notes(s, keep_note, &f), 1);
	assert_non_null(strstr(f.text, "'a' and 'b'"));
	assert_non_null(strstr(f.text, "does not rank"));
	vnl_study_free(s);
}

/* With one repetition the note is the study's caveat: a single run does not rank back-ends. */
static void test_caveat_single_run(void **state)
{
	(void)state;
	static const struct spec c[] = {
		{ "a", "veth", "none", { 20, 0 }, 1 },
		{ "b", "bridge", "none", { 60, 0 }, 1 },
	};
	write_study(c, 2, "null", "null");
	char err[256];
	struct vnl_study *s = vnl_study_open(root, err, sizeof(err));
	assert_non_null(s);
	struct found f = { 0 };
	assert_int_equal(vnl_study_notes(s, keep_note, &f), 1);
	assert_non_null(strstr(f.text, "single run does not rank"));
	int n = 0;
	vnl_study_notes(s, count_note, &n);
	assert_int_equal(n, 1);
	vnl_study_free(s);
}

struct ccdf_got {
	size_t n;
	struct vnl_plot_ccdf_point p[8];
};

static void keep_point(const struct vnl_plot_ccdf_point *p, void *arg)
{
	struct ccdf_got *g = arg;
	if (g->n < 8)
		g->p[g->n] = *p;
	g->n++;
}

/* The tails' points: fraction at or above each bucket, down to 1/N; nothing at or below 0. */
static void test_ccdf_points(void **state)
{
	(void)state;
	struct vnl_hist *h = vnl_hist_new();
	assert_non_null(h);
	struct ccdf_got g = { 0 };
	uint64_t skipped = 0;
	assert_int_equal(vnl_plot_ccdf(h, keep_point, &g, &skipped), 0); /* empty */
	assert_int_equal(g.n, 0);
	vnl_hist_add(h, -50);
	vnl_hist_add(h, -50);
	vnl_hist_add(h, 0);
	for (int i = 0; i < 90; i++)
		vnl_hist_add(h, 1000);
	for (int i = 0; i < 9; i++)
		vnl_hist_add(h, 5000);
	vnl_hist_add(h, 100000);
	assert_int_equal(vnl_plot_ccdf(h, keep_point, &g, &skipped), 3);
	assert_int_equal(skipped, 3);
	assert_int_equal(g.n, 3);
	static const int64_t v[3] = { 1000, 5000, 100000 };
	static const uint64_t above[3] = { 100, 10, 1 };
	for (int k = 0; k < 3; k++) {
		/* the bucket's lower bound: at the value, or below it within 1% */
		assert_true(g.p[k].x_ns <= v[k] && g.p[k].x_ns >= v[k] - v[k] / 100);
		assert_int_equal(g.p[k].at_or_above, above[k]);
		assert_true(g.p[k].frac == (double)above[k] / 103.0);
	}
	/* the last point is one probe of N: the axis goes down to 1/N */
	assert_true(g.p[2].frac == 1.0 / 103.0);
	/* monotone: x up, fraction down */
	assert_true(g.p[0].x_ns < g.p[1].x_ns && g.p[1].frac < g.p[0].frac);
	vnl_hist_free(h);
}

static void test_bad_directories(void **state)
{
	(void)state;
	char err[256], path[512];
	assert_null(vnl_study_open(root, err, sizeof(err)));
	assert_non_null(strstr(err, "has no study.json"));
	snprintf(path, sizeof(path), "%s/study.json", root);
	FILE *f = fopen(path, "w");
	fputs("{\"vnetlat_study\":1,\"window\":{\"from_ns\":5,\"to_ns\":2},\"cases\":[]}", f);
	fclose(f);
	assert_null(vnl_study_open(root, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));
	f = fopen(path, "w");
	fputs("{\"vnetlat_study\":1,", f);
	fclose(f);
	assert_null(vnl_study_open(root, err, sizeof(err)));
	assert_non_null(strstr(err, "line"));
}

static void write_run_json(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/in.json", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * trace = on: each repetition's run JSON has trace.above_p999 and explain lists;
 * the case sums the tallies over repetitions (3 + 0 hog, 0 + 1 NET_RX of 5 probes,
 * 1 unexplained) and keeps each repetition's worst probe as a line; an untraced
 * case has none, and the summary's section names only the traced one.
 */
static void test_trace_section(void **state)
{
	(void)state;
	static const struct spec c[] = {
		{ "t", "veth", "none", { 20, 22 }, 2 },
		{ "u", "veth", "none", { 20, 0 }, 1 },
	};
	write_study(c, 2, "null", "null");
	write_run_json("cases/t/rep1", "{\"trace\":{\"oldest_ns\":1,\"dropped\":0,\"overwritten\":0,"
		"\"above_p999\":{\"threshold_ns\":900000,\"probes\":3,\"unexplained\":0,\"other\":0,"
		"\"causes\":[{\"kind\":\"preempted\",\"task\":\"vnl_busy_fifo\",\"probes\":3}]}},"
		"\"worst\":[{\"seq\":705,\"one_way_ns\":20300000,\"explain\":[{\"kind\":\"preempted\","
		"\"task\":\"vnl_busy_fifo\",\"pid\":12,\"cpu\":1,\"start_ns\":5,\"duration_ns\":20000000,"
		"\"share\":0.99}]}]}");
	write_run_json("cases/t/rep2", "{\"trace\":{\"oldest_ns\":1,\"dropped\":0,\"overwritten\":0,"
		"\"above_p999\":{\"threshold_ns\":800000,\"probes\":2,\"unexplained\":1,\"other\":0,"
		"\"causes\":[{\"kind\":\"softirq\",\"task\":\"NET_RX\",\"probes\":1}]}},"
		"\"worst\":[{\"seq\":9,\"one_way_ns\":900000,\"explain\":[]}]}");
	write_run_json("cases/u/rep1", "{\"worst\":[]}");
	char err[256];
	struct vnl_study *s = vnl_study_open(root, err, sizeof(err));
	assert_non_null(s);
	const struct vnl_study_trace *t = vnl_study_case(s, 0)->trace;
	assert_non_null(t);
	assert_null(vnl_study_case(s, 1)->trace);
	assert_int_equal(t->probes, 5);
	assert_int_equal(t->unexplained, 1);
	assert_int_equal(t->ncauses, 2);
	assert_string_equal(t->cause[0].task, "vnl_busy_fifo");
	assert_int_equal(t->cause[0].probes, 3);
	assert_int_equal(t->nlines, 2);
	assert_non_null(strstr(t->line[0], "repetition 1, seq 705, one_way 20300.0 us: preempted "
					   "vnl_busy_fifo for 20000.0 us (99 %)"));
	assert_non_null(strstr(t->line[1], "nothing traced held its CPU"));
	char text[512];
	vnl_study_trace_text(t, text, sizeof(text));
	assert_string_equal(text, "above p99.9: 5 probes; 3 of 5: preempted vnl_busy_fifo; 1: "
				  "softirq NET_RX; 1: nothing traced");
	char *md = NULL;
	size_t mdlen = 0;
	FILE *f = open_memstream(&md, &mdlen);
	vnl_study_summary_md(s, f);
	fclose(f);
	assert_non_null(strstr(md, "## Why the worst probes were slow"));
	assert_non_null(strstr(md, "- t: above p99.9: 5 probes; 3 of 5"));
	assert_null(strstr(md, "- u: above"));
	free(md);
	json_t *j = vnl_study_summary_json(s);
	json_t *cases = json_object_get(j, "cases");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(
		json_array_get(cases, 0), "trace"), "above_p999"), "probes")), 5);
	assert_true(json_is_null(json_object_get(json_array_get(cases, 1), "trace")));
	json_decref(j);
	vnl_study_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_equal_direct_analysis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reference_differences, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caveat_spread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caveat_single_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_section, setup, teardown),
		cmocka_unit_test(test_ccdf_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
