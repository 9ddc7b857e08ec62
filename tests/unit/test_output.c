/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Presenting an analysis: CSV rows byte for byte, the JSON document's
 * structure and values (against a real analysis fed by hand), and the text
 * report's parts and caveats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis.h"
#include "output.h"

#define T0 1700000000000000000LL /* a schedule origin, ns */
#define MS 1000000LL

/* A packet of a software-stamped stream with the given stage values. */
static struct vnl_pkt make_pkt(uint64_t seq, int64_t wakeup, int64_t tx_stack, int64_t path,
			       int64_t rx_stack)
{
	struct vnl_pkt p = { .seq = seq, .flags = VNL_PKT_F_TXSTAMPS };
	p.sched = T0 + (int64_t)seq * MS;
	p.app_tx_sched = p.sched + wakeup;
	p.app_tx = p.app_tx_sched;
	p.tx_sched = p.app_tx + tx_stack / 2;
	p.tx_sw = p.app_tx + tx_stack;
	p.rx_sw = p.tx_sw + path;
	p.app_rx = p.rx_sw + rx_stack;
	return p;
}

static const struct vnl_run_info base_info = {
	.role = "report",
	.transport = "udp4",
	.local = "192.0.2.2:4300",
	.peer = "192.0.2.1:4300",
	.sched_clock = "realtime",
	.clock_sync = "same-host",
	.stamping = "software",
	.interval_ns = MS,
	.payload_size = 128,
	.duration_ns = 4 * MS,
};

static struct vnl_analysis *new_analysis(unsigned worst_n)
{
	struct vnl_analysis_opts o = { .worst_n = worst_n };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	assert_non_null(a);
	return a;
}

/* Packets 0, 1, 3 of 4 sent (2 lost); one_way 13, 23, 33 us. */
static struct vnl_analysis *three_packets(void)
{
	struct vnl_analysis *a = new_analysis(2);
	struct vnl_pkt p[] = {
		make_pkt(0, 1000, 2000, 5000, 6000),
		make_pkt(1, 2000, 2000, 10000, 11000),
		make_pkt(3, 3000, 2000, 15000, 16000),
	};
	for (size_t i = 0; i < 3; i++)
		vnl_analysis_add(a, &p[i]);
	struct vnl_stream_extra x = { .sent = 4, .foreign = 5, .malformed = 6 };
	vnl_analysis_set_extra(a, &x);
	return a;
}

/* not inlined: gcc would take the returned text for the local buffer pointer */
static __attribute__((noinline)) char *text_of(const struct vnl_analysis *a, const struct vnl_run_info *info)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	vnl_output_text(f, a, info);
	fclose(f);
	return buf;
}

static char *csv_of(const struct vnl_pkt *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	vnl_output_csv_row(f, p);
	fclose(f);
	return buf;
}

static void test_csv_header(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vnl_output_csv_header(f);
	fclose(f);
	assert_string_equal(buf, "seq,flags,sched,app_tx_sched,app_tx,tx_sched,tx_sw,tx_hw,rx_hw,"
				 "rx_sw,app_rx,wakeup,tx_stack,path,rx_stack,one_way\n");
	free(buf);
}

static void test_csv_row_software(void **state)
{
	(void)state;
	struct vnl_pkt p = make_pkt(7, 1000, 2000, 5000, 4000);
	char want[512];
	snprintf(want, sizeof(want), "7,4,%lld,%lld,%lld,%lld,%lld,,,%lld,%lld,1000,2000,5000,4000,11000\n",
		 (long long)p.sched, (long long)p.app_tx_sched, (long long)p.app_tx,
		 (long long)p.tx_sched, (long long)p.tx_sw, (long long)p.rx_sw,
		 (long long)p.app_rx);
	char *got = csv_of(&p);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_row_absent_negative_and_zero(void **state)
{
	(void)state;
	/* two hosts' clocks: the receiver's is behind, so one_way is negative */
	struct vnl_pkt p = { .seq = UINT64_MAX, .flags = 3, .app_tx = 5000, .app_rx = 4000 };
	char *got = csv_of(&p);
	assert_string_equal(got, "18446744073709551615,3,,,5000,,,,,,4000,,,,,-1000\n");
	free(got);

	/* a stage of exactly 0 ns is a value, not an absence */
	struct vnl_pkt q = { .seq = 0, .app_tx = 42, .app_rx = 42, .sched = 40, .app_tx_sched = 40 };
	got = csv_of(&q);
	assert_string_equal(got, "0,0,40,40,42,,,,,,42,0,,,,0\n");
	free(got);

	struct vnl_pkt r = { .seq = 1, .app_tx = INT64_MIN + 1, .app_rx = -1 };
	got = csv_of(&r);
	assert_non_null(strstr(got, ",-9223372036854775807,"));
	free(got);
}

static json_t *summary_of(json_t *doc, const char *stage)
{
	json_t *s = json_object_get(json_object_get(doc, "latency"), stage);
	assert_non_null(s);
	return s;
}

static int64_t jget_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_json_empty_analysis(void **state)
{
	(void)state;
	struct vnl_analysis *a = new_analysis(10);
	json_t *doc = vnl_output_json(a, &base_info);
	assert_non_null(doc);

	json_t *tool = json_object_get(doc, "vnetlat");
	assert_int_equal(jget_int(tool, "schema"), 1);
	assert_string_equal(json_string_value(json_object_get(tool, "version")), VNL_VERSION);

	static const char *const fields[] = { "min_ns", "mean_ns", "stddev_ns", "p50_ns", "p90_ns",
					      "p99_ns", "p999_ns", "p9999_ns", "max_ns" };
	static const char *const stages[] = { "wakeup", "tx_stack", "path", "rx_stack", "one_way" };
	for (size_t s = 0; s < 5; s++) {
		json_t *sum = summary_of(doc, stages[s]);
		assert_int_equal(jget_int(sum, "count"), 0);
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			assert_true(json_is_null(json_object_get(sum, fields[f])));
	}
	assert_int_equal(json_object_size(json_object_get(doc, "latency")), 5);
	assert_int_equal(jget_int(json_object_get(doc, "ipdv"), "count"), 0);
	assert_true(json_is_array(json_object_get(doc, "worst")));
	assert_int_equal(json_array_size(json_object_get(doc, "worst")), 0);

	json_t *run = json_object_get(doc, "run");
	assert_true(json_is_null(json_object_get(run, "window")));
	assert_true(json_is_null(json_object_get(run, "damage")));
	assert_true(json_is_null(json_object_get(run, "deadline_ns")));
	assert_true(json_is_false(json_object_get(run, "interrupted")));
	assert_string_equal(json_string_value(json_object_get(run, "clock_sync")), "same-host");
	assert_int_equal(jget_int(run, "interval_ns"), MS);
	assert_int_equal(jget_int(run, "payload_size"), 128);

	json_t *stamps = json_object_get(doc, "stamps");
	assert_int_equal(json_object_size(stamps), VNL_STAMP__COUNT);
	static const struct {
		const char *name, *clock;
	} clocks[] = { { "sched", "schedule" }, { "app_tx", "realtime" }, { "tx_sched", "realtime" },
		       { "tx_sw", "realtime" }, { "tx_hw", "phc" },	  { "rx_hw", "phc" },
		       { "rx_sw", "realtime" }, { "app_rx", "realtime" } };
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		json_t *e = json_object_get(stamps, clocks[i].name);
		assert_non_null(e);
		assert_string_equal(json_string_value(json_object_get(e, "clock")), clocks[i].clock);
		assert_int_equal(jget_int(e, "count"), 0);
	}
	json_decref(doc);
	vnl_analysis_free(a);
}

static void test_json_values(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	json_t *doc = vnl_output_json(a, &base_info);

	json_t *pk = json_object_get(doc, "packets");
	assert_int_equal(jget_int(pk, "sent"), 4);
	assert_int_equal(jget_int(pk, "received"), 3);
	assert_int_equal(jget_int(pk, "lost"), 1);
	assert_int_equal(jget_int(pk, "foreign"), 5);
	assert_int_equal(jget_int(pk, "malformed"), 6);
	assert_int_equal(jget_int(pk, "no_tx_stamps"), 0);
	assert_int_equal(json_object_size(pk), 9);

	json_t *w = summary_of(doc, "wakeup");
	assert_int_equal(jget_int(w, "count"), 3);
	assert_int_equal(jget_int(w, "min_ns"), 1000);
	assert_int_equal(jget_int(w, "max_ns"), 3000);
	assert_float_equal(json_real_value(json_object_get(w, "mean_ns")), 2000.0, 1e-6);
	assert_float_equal(json_real_value(json_object_get(w, "stddev_ns")), 816.4966, 1e-3);
	int64_t p50 = jget_int(w, "p50_ns");
	assert_true(p50 >= 1980 && p50 <= 2020);

	json_t *ow = summary_of(doc, "one_way");
	assert_int_equal(jget_int(ow, "min_ns"), 13000);
	assert_int_equal(jget_int(ow, "max_ns"), 33000);

	json_t *stamps = json_object_get(doc, "stamps");
	assert_int_equal(jget_int(json_object_get(stamps, "tx_sw"), "count"), 3);
	assert_int_equal(jget_int(json_object_get(stamps, "rx_hw"), "count"), 0);

	/* worst first, two kept; times into the run from the first packet's sched */
	json_t *worst = json_object_get(doc, "worst");
	assert_int_equal(json_array_size(worst), 2);
	json_t *w0 = json_array_get(worst, 0), *w1 = json_array_get(worst, 1);
	assert_int_equal(jget_int(w0, "seq"), 3);
	assert_int_equal(jget_int(w0, "t_ns"), 3 * MS);
	assert_int_equal(jget_int(w0, "sched_ns"), T0 + 3 * MS);
	assert_int_equal(jget_int(w0, "one_way_ns"), 33000);
	assert_int_equal(jget_int(w0, "path_ns"), 15000);
	assert_int_equal(jget_int(w0, "wakeup_ns"), 3000);
	assert_int_equal(jget_int(w0, "tx_stack_ns"), 2000);
	assert_int_equal(jget_int(w0, "rx_stack_ns"), 16000);
	assert_int_equal(jget_int(w1, "seq"), 1);
	assert_int_equal(jget_int(w1, "t_ns"), 1 * MS);
	json_decref(doc);
	vnl_analysis_free(a);
}

static void test_json_run_notes(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	struct vnl_run_info info = base_info;
	info.window_from_ns = 2 * MS;
	info.deadline_ns = 500000;
	info.interrupted = true;
	info.damage = "truncated at byte 8192 (block 3)";
	info.clock_sync = NULL;
	info.local = "bad\xff\xfe utf-8";
	json_t *doc = vnl_output_json(a, &info);
	json_t *run = json_object_get(doc, "run");

	json_t *win = json_object_get(run, "window");
	assert_int_equal(jget_int(win, "from_ns"), 2 * MS);
	assert_true(json_is_null(json_object_get(win, "to_ns"))); /* open end */
	assert_int_equal(jget_int(run, "deadline_ns"), 500000);
	assert_true(json_is_true(json_object_get(run, "interrupted")));
	assert_string_equal(json_string_value(json_object_get(run, "damage")),
			    "truncated at byte 8192 (block 3)");
	assert_string_equal(json_string_value(json_object_get(run, "clock_sync")), "unknown");
	assert_string_equal(json_string_value(json_object_get(run, "local")), "bad?? utf-8");
	json_decref(doc);

	info.window_to_ns = 9 * MS;
	doc = vnl_output_json(a, &info);
	win = json_object_get(json_object_get(doc, "run"), "window");
	assert_int_equal(jget_int(win, "to_ns"), 9 * MS);
	json_decref(doc);
	vnl_analysis_free(a);
}

static void test_json_dump_round_trip(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	json_t *doc = vnl_output_json(a, &base_info);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(vnl_output_json_dump(f, doc), 0);
	fclose(f);
	assert_true(len > 2 && buf[len - 1] == '\n' && buf[len - 2] == '}');
	json_error_t err;
	json_t *back = json_loads(buf, 0, &err);
	assert_non_null(back);
	/* reals are printed to 12 digits: the round trip is exact from then on */
	char *again = json_dumps(back, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	assert_non_null(again);
	assert_memory_equal(again, buf, len - 1);
	assert_int_equal(strlen(again), len - 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(back, "packets"),
							       "received")), 3);
	assert_int_equal(vnl_output_json_dump(stdout, NULL), -1);
	free(again);
	json_decref(back);
	json_decref(doc);
	free(buf);
	vnl_analysis_free(a);
}

static void test_text_report(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	char *t = text_of(a, &base_info);

	static const char *const parts[] = {
		"udp4", "192.0.2.2:4300", "192.0.2.1:4300", "128-byte probes every 1.00ms",
		"latency (us)", "wakeup", "tx_stack", "path", "rx_stack", "one_way", "ipdv",
		"p99.99", "lost 1 (25.000%)", "foreign 5", "malformed 6", "missing TX stamps 0",
		"late - (no deadline given)", "worst packets", "stamps", "CLOCK_REALTIME",
		"schedule clock (realtime)", "NIC PTP hardware clock", "same-host",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!strstr(t, parts[i]))
			fail_msg("text report lacks '%s':\n%s", parts[i], t);
	assert_null(strstr(t, "caveat"));
	assert_null(strstr(t, "interrupted"));
	assert_null(strstr(t, "damaged"));
	/* wakeup row: 3 packets, min 1.00 us, mean 2.00 us, max 3.00 us */
	const char *row = strstr(t, "  wakeup");
	assert_non_null(row);
	int count;
	double min, mean;
	assert_int_equal(sscanf(row, " wakeup %d %lf %lf", &count, &min, &mean), 3);
	assert_int_equal(count, 3);
	assert_float_equal(min, 1.0, 1e-9);
	assert_float_equal(mean, 2.0, 1e-9);
	/* the worst packet's line: seq 3, 0.003 s into the run, one_way 33 us */
	assert_non_null(strstr(t, "3     0.003000      33.00"));
	free(t);
	vnl_analysis_free(a);
}

static void test_text_notes_and_caveat(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	struct vnl_run_info info = base_info;
	info.clock_sync = "unknown";
	info.interrupted = true;
	info.damage = "truncated at byte 8192 (block 3)";
	info.window_from_ns = 2 * MS;
	info.window_to_ns = 3 * MS;
	info.deadline_ns = 20000;
	char *t = text_of(a, &info);

	static const char *const parts[] = {
		"caveat: clock sync is \"unknown\"", "PTP", "interrupted",
		"damaged (truncated at byte 8192 (block 3))", "from 2.00ms to 3.00ms",
		"(deadline 20.0us)",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!strstr(t, parts[i]))
			fail_msg("text report lacks '%s':\n%s", parts[i], t);
	free(t);
	vnl_analysis_free(a);
}

static void test_text_empty_stage_shows_dashes(void **state)
{
	(void)state;
	struct vnl_analysis *a = new_analysis(10);
	/* only app stamps: no kernel stamps, so tx_stack, path, rx_stack are empty */
	struct vnl_pkt p = { .seq = 0, .sched = T0, .app_tx_sched = T0 + 10, .app_tx = T0 + 10,
			     .app_rx = T0 + 20010 };
	vnl_analysis_add(a, &p);
	char *t = text_of(a, &base_info);
	const char *row = strstr(t, "  path");
	assert_non_null(row);
	int count;
	char dash[4];
	assert_int_equal(sscanf(row, " path %d %3s", &count, dash), 2);
	assert_int_equal(count, 0);
	assert_string_equal(dash, "-");
	free(t);
	vnl_analysis_free(a);
}

static __attribute__((noinline)) char *hist_of(const struct vnl_analysis *a, bool hdr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (hdr)
		vnl_output_hist_hdr(f, a);
	else
		vnl_output_hist_csv(f, a);
	fclose(f);
	return buf;
}

/* wakeup 1000, 2000, 3000 ns: buckets of 4, 8 and 16 ns from there */
static void test_hist_csv(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	char *t = hist_of(a, false);
	assert_true(!strncmp(t, "stage,lo_ns,hi_ns,count\n"
				"wakeup,1000,1003,1\nwakeup,2000,2007,1\nwakeup,2992,3007,1\n"
				"tx_stack,2000,2007,3\n", 100));
	assert_non_null(strstr(t, "\none_way,12992,13055,1\n"));
	/* 1 header + 3 + 1 + 3 + 3 + 3 rows */
	size_t lines = 0;
	for (const char *c = t; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 14);
	free(t);

	struct vnl_analysis_opts o = { 0 };
	struct vnl_analysis *empty = vnl_analysis_new(&o);
	t = hist_of(empty, false);
	assert_string_equal(t, "stage,lo_ns,hi_ns,count\n");
	free(t);
	vnl_analysis_free(empty);
	vnl_analysis_free(a);
}

/* HdrHistogram's levels: 0, 10, 20, 30 at the first value (1/3), 40..65 in
 * steps that halve at 50%, 70 at the last, then the line at 100%. */
static void test_hist_hdr(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	char *t = hist_of(a, true);
	assert_true(!strncmp(t, "# stage: wakeup\n"
				"       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
				"       1.003 0.000000000000          1           1.00\n"
				"       1.003 0.100000000000          1           1.11\n", 160));
	assert_non_null(strstr(t, "\n       2.007 0.550000000000          2           2.22\n"));
	assert_non_null(strstr(t, "\n       3.007 0.700000000000          3           3.33\n"
				  "       3.007 1.000000000000          3\n"
				  "#[Mean    =        2.000, StdDeviation   =        0.816]\n"
				  "#[Max     =        3.000, Total count    =            3]\n"
				  "#[Buckets =           57, SubBuckets     =          256]\n"
				  "\n# stage: tx_stack\n"));
	assert_non_null(strstr(t, "# stage: one_way\n"));
	free(t);
	vnl_analysis_free(a);
}

static void test_json_histograms(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets();
	json_t *doc = vnl_output_json(a, &base_info);
	assert_null(json_object_get(json_object_get(json_object_get(doc, "latency"), "path"),
				    "histogram"));
	vnl_output_json_add_histograms(doc, a);
	json_t *h = json_object_get(json_object_get(json_object_get(doc, "latency"), "tx_stack"),
				    "histogram");
	assert_int_equal(json_array_size(h), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 0), "lo_ns")), 2000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 0), "hi_ns")), 2007);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 0), "count")), 3);
	h = json_object_get(json_object_get(json_object_get(doc, "latency"), "one_way"),
			    "histogram");
	assert_int_equal(json_array_size(h), 3);
	json_decref(doc);
	vnl_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_header),
		cmocka_unit_test(test_csv_row_software),
		cmocka_unit_test(test_csv_row_absent_negative_and_zero),
		cmocka_unit_test(test_json_empty_analysis),
		cmocka_unit_test(test_json_values),
		cmocka_unit_test(test_json_run_notes),
		cmocka_unit_test(test_json_dump_round_trip),
		cmocka_unit_test(test_text_report),
		cmocka_unit_test(test_text_notes_and_caveat),
		cmocka_unit_test(test_text_empty_stage_shows_dashes),
		cmocka_unit_test(test_hist_csv),
		cmocka_unit_test(test_hist_hdr),
		cmocka_unit_test(test_json_histograms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
