/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text of an analysis (lib/core/metrics): counters and their
 * labels, the per-stage summaries in exact seconds, what a sender's view and a
 * missing deadline leave out, empty stages, label escaping, a failing stream.
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
#include "metrics.h"

#define T0 1700000000000000000LL
#define MS 1000000LL
#define LBL "local=\"192.0.2.2:4300\",peer=\"192.0.2.1:4300\""

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

/* Packets 0, 1, 3 of 4 sent (2 lost); path 5, 10, -5 us (the last crossing
 * two hosts' clocks), so one_way 13, 23, 3 us. With a 20 us deadline: late
 * are wakeup + one_way > 20 us. */
static struct vnl_analysis *three_packets(int64_t deadline_ns)
{
	struct vnl_analysis_opts o = { .worst_n = 2, .deadline_ns = deadline_ns };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	assert_non_null(a);
	struct vnl_pkt p[] = {
		make_pkt(0, 1000, 2000, 5000, 6000),
		make_pkt(1, 2000, 2000, 10000, 11000),
		make_pkt(3, 3000, 2000, -5000, 6000),
	};
	for (size_t i = 0; i < 3; i++)
		vnl_analysis_add(a, &p[i]);
	struct vnl_stream_extra x = { .sent = 4 };
	vnl_analysis_set_extra(a, &x);
	return a;
}

static const struct vnl_metrics_info base = {
	.local = "192.0.2.2:4300",
	.peer = "192.0.2.1:4300",
};

static __attribute__((noinline)) char *metrics_of(const struct vnl_analysis *a,
						  const struct vnl_metrics_info *info)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(vnl_metrics_write(f, a, info), 0);
	fclose(f);
	return buf;
}

static void has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("no line '%s' in:\n%s", line, text);
}

static void test_counters(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets(0);
	char *t = metrics_of(a, &base);

	has_line(t, "# HELP vnetlat_probes_sent_total Probes the sender sent.");
	has_line(t, "# TYPE vnetlat_probes_sent_total counter");
	has_line(t, "vnetlat_probes_sent_total{" LBL "} 4");
	has_line(t, "# TYPE vnetlat_probes_received_total counter");
	has_line(t, "vnetlat_probes_received_total{" LBL "} 3");
	has_line(t, "vnetlat_probes_lost_total{" LBL "} 1");
	assert_null(strstr(t, "vnetlat_probes_late")); /* no deadline given */
	/* HELP and TYPE come before the family's first sample */
	assert_true(strstr(t, "# TYPE vnetlat_probes_lost_total") <
		    strstr(t, "vnetlat_probes_lost_total{"));
	free(t);
	vnl_analysis_free(a);
}

static void test_late_with_deadline(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets(20000);
	struct vnl_metrics_info info = base;
	info.deadline_ns = 20000;
	char *t = metrics_of(a, &info);
	/* wakeup + one_way: 14, 25, 6 us: one late */
	has_line(t, "# TYPE vnetlat_probes_late_total counter");
	has_line(t, "vnetlat_probes_late_total{" LBL "} 1");
	free(t);
	vnl_analysis_free(a);
}

static void test_summaries_exact_seconds(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets(0);
	char *t = metrics_of(a, &base);

	has_line(t, "# TYPE vnetlat_latency_seconds summary");
	assert_non_null(strstr(t, "# HELP vnetlat_latency_seconds "));
	/* one_way 13, 23, 3 us: the quantile 1 is the exact maximum */
	has_line(t, "vnetlat_latency_seconds{stage=\"one_way\"," LBL ",quantile=\"1\"} 0.000023000");
	has_line(t, "vnetlat_latency_seconds_count{stage=\"one_way\"," LBL "} 3");
	has_line(t, "vnetlat_latency_seconds_sum{stage=\"one_way\"," LBL "} 0.000039000");
	/* every stage has all five quantiles */
	static const char *const stages[] = { "wakeup", "tx_stack", "path", "rx_stack", "one_way" };
	static const char *const qs[] = { "0.5", "0.9", "0.99", "0.999", "1" };
	for (size_t s = 0; s < 5; s++)
		for (size_t q = 0; q < 5; q++) {
			char want[160];
			snprintf(want, sizeof(want), "vnetlat_latency_seconds{stage=\"%s\"," LBL
				 ",quantile=\"%s\"} ", stages[s], qs[q]);
			assert_non_null(strstr(t, want));
		}
	/* the path's sum counts its negative value */
	assert_non_null(strstr(t, "vnetlat_latency_seconds_sum{stage=\"path\"," LBL "} "
				  "0.000010000"));
	free(t);
	vnl_analysis_free(a);
}

/* One packet whose path is negative (two hosts' clocks): the quantiles are
 * clamped into [min, max], so exactly it, in signed seconds. */
static void test_negative_seconds(void **state)
{
	(void)state;
	struct vnl_analysis_opts o = { 0 };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	struct vnl_pkt p = make_pkt(0, 1000, 2000, -1500000123, 6000);
	vnl_analysis_add(a, &p);
	char *t = metrics_of(a, &base);
	has_line(t, "vnetlat_latency_seconds{stage=\"path\"," LBL ",quantile=\"0.5\"} "
		    "-1.500000123");
	has_line(t, "vnetlat_latency_seconds_sum{stage=\"path\"," LBL "} -1.500000123");
	free(t);
	vnl_analysis_free(a);
}

static void test_empty_and_sender_view(void **state)
{
	(void)state;
	struct vnl_analysis_opts o = { 0 };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	struct vnl_metrics_info info = { .sender_view = true, .deadline_ns = 1000 };
	char *t = metrics_of(a, &info);
	/* no labels at all but the stage; a sender states no received, lost or late */
	has_line(t, "vnetlat_probes_sent_total 0");
	assert_null(strstr(t, "received"));
	assert_null(strstr(t, "lost"));
	assert_null(strstr(t, "late_total"));
	has_line(t, "vnetlat_latency_seconds{stage=\"wakeup\",quantile=\"0.99\"} NaN");
	has_line(t, "vnetlat_latency_seconds_count{stage=\"wakeup\"} 0");
	has_line(t, "vnetlat_latency_seconds_sum{stage=\"wakeup\"} 0.000000000");
	free(t);
	vnl_analysis_free(a);
}

static void test_labels_escaped(void **state)
{
	(void)state;
	struct vnl_analysis *a = three_packets(0);
	struct vnl_metrics_info info = { .direction = "in", .local = "a\"b\\c\nd\x80",
					 .peer = "" };
	char *t = metrics_of(a, &info);
	has_line(t, "vnetlat_probes_sent_total{direction=\"in\",local=\"a\\\"b\\\\c\\nd?\"} 4");
	assert_null(strstr(t, "peer="));
	free(t);
	vnl_analysis_free(a);
}

static void test_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	struct vnl_analysis *a = three_packets(0);
	assert_int_equal(vnl_metrics_write(f, a, &base), -1);
	fclose(f);
	vnl_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_late_with_deadline),
		cmocka_unit_test(test_summaries_exact_seconds),
		cmocka_unit_test(test_negative_seconds),
		cmocka_unit_test(test_empty_and_sender_view),
		cmocka_unit_test(test_labels_escaped),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
