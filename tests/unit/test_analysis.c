/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Analysis: stages, stream health, window, IPDV in any order, worst, stamp counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis.h"
#include "stats.h"

#define BASE 1700000000000000000LL
#define MS 1000000LL

/* A packet k of a 1 ms stream with plausible stamps: one_way = 50us + extra. */
static struct vnl_pkt pkt(uint64_t k, int64_t extra)
{
	int64_t sched = BASE + (int64_t)k * MS;
	return (struct vnl_pkt){
		.seq = k, .sched = sched, .app_tx_sched = sched + 2000, .app_tx = sched + 2000,
		.tx_sched = sched + 5000, .tx_sw = sched + 7000, .rx_sw = sched + 40000 + extra,
		.app_rx = sched + 52000 + extra, .flags = VNL_PKT_F_TXSTAMPS,
	};
}

static struct vnl_analysis *fresh(int64_t deadline, int64_t from, int64_t to)
{
	struct vnl_analysis_opts o = { .deadline_ns = deadline, .worst_n = 3, .from_ns = from, .to_ns = to };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	assert_non_null(a);
	return a;
}

static void test_stages_and_clean_stream(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 0; k < 100; k++) {
		struct vnl_pkt p = pkt(k, 0);
		vnl_analysis_add(a, &p);
	}
	struct vnl_stream_extra x = { .sent = 100, .foreign = 4, .malformed = 2 };
	vnl_analysis_set_extra(a, &x);
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.sent, 100);
	assert_int_equal(c.received, 100);
	assert_int_equal(c.lost, 0);
	assert_int_equal(c.foreign, 4);
	assert_int_equal(c.malformed, 2);
	assert_int_equal(c.no_tx_stamps, 0);
	struct vnl_summary sum;
	vnl_stats_summarize(vnl_analysis_stage(a, VNL_STAGE_WAKEUP), &sum);
	assert_int_equal(sum.count, 100);
	assert_int_equal(sum.min_ns, 2000);
	vnl_stats_summarize(vnl_analysis_stage(a, VNL_STAGE_TX_STACK), &sum);
	assert_int_equal(sum.max_ns, 5000);
	vnl_stats_summarize(vnl_analysis_stage(a, VNL_STAGE_PATH), &sum);
	assert_int_equal(sum.min_ns, 33000);
	vnl_stats_summarize(vnl_analysis_stage(a, VNL_STAGE_RX_STACK), &sum);
	assert_int_equal(sum.min_ns, 12000);
	vnl_stats_summarize(vnl_analysis_stage(a, VNL_STAGE_ONE_WAY), &sum);
	assert_int_equal(sum.min_ns, 50000);
	assert_int_equal(vnl_analysis_stamp_count(a, VNL_STAMP_TX_SW), 100);
	assert_int_equal(vnl_analysis_stamp_count(a, VNL_STAMP_TX_HW), 0);
	assert_string_equal(vnl_stamp_name(VNL_STAMP_RX_SW), "rx_sw");
	assert_int_equal(vnl_analysis_origin(a), BASE);
	vnl_analysis_free(a);
}

static void test_loss_dup_reorder_late_notx(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(100000, 0, 0);
	for (uint64_t k = 0; k < 50; k++) {
		if (k == 10 || k == 11)
			continue; /* lost */
		struct vnl_pkt p = pkt(k, k == 20 ? 200000 : 0); /* one late */
		if (k == 30)
			p.flags = 0; /* follow-up never came */
		vnl_analysis_add(a, &p);
	}
	struct vnl_pkt dup = pkt(5, 0);
	dup.flags |= VNL_PKT_F_DUPLICATE;
	vnl_analysis_add(a, &dup);
	struct vnl_pkt reo = pkt(50, 0);
	reo.flags |= VNL_PKT_F_REORDERED;
	vnl_analysis_add(a, &reo);

	struct vnl_counts c;
	vnl_analysis_counts(a, &c); /* no extra: sent = highest seq + 1 */
	assert_int_equal(c.sent, 51);
	assert_int_equal(c.received, 49);
	assert_int_equal(c.lost, 2);
	assert_int_equal(c.duplicated, 1);
	assert_int_equal(c.reordered, 1);
	assert_int_equal(c.late, 1);
	assert_int_equal(c.no_tx_stamps, 1);
	struct vnl_summary sum;
	vnl_stats_summarize(vnl_analysis_stage(a, VNL_STAGE_ONE_WAY), &sum);
	assert_int_equal(sum.count, 49); /* the duplicate is not counted twice */
	vnl_analysis_free(a);
}

static void test_window(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(0, 100 * MS, 200 * MS);
	for (uint64_t k = 0; k < 1000; k++) {
		if (k == 150)
			continue;
		struct vnl_pkt p = pkt(k, 0);
		vnl_analysis_add(a, &p);
	}
	struct vnl_stream_extra x = { .sent = 1000 };
	vnl_analysis_set_extra(a, &x);
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.received, 99);
	assert_int_equal(c.sent, 100); /* span of seqs 100..199, not the whole run's 1000 */
	assert_int_equal(c.lost, 1);
	vnl_analysis_free(a);
}

static void test_ipdv_any_order(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(0, 0, 0);
	/* one_way alternates 50us / 60us: every consecutive pair differs by 10us */
	uint64_t order[] = { 3, 0, 2, 1, 5, 4, 7, 6 };
	for (size_t i = 0; i < 8; i++) {
		struct vnl_pkt p = pkt(order[i], (order[i] % 2) * 10000);
		vnl_analysis_add(a, &p);
	}
	struct vnl_summary sum;
	vnl_stats_summarize(vnl_analysis_ipdv(a), &sum);
	assert_int_equal(sum.count, 7);
	assert_int_equal(sum.min_ns, 10000);
	assert_int_equal(sum.max_ns, 10000);
	vnl_analysis_free(a);
}

static void test_worst_by_one_way_then_path(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 0; k < 20; k++) {
		struct vnl_pkt p = pkt(k, (int64_t)k * 1000);
		vnl_analysis_add(a, &p);
	}
	struct vnl_pkt out[5];
	size_t n = vnl_analysis_worst(a, out, 5);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].seq, 19);
	assert_int_equal(out[1].seq, 18);
	assert_int_equal(out[2].seq, 17);
	vnl_analysis_free(a);

	/* a receiver-only packet without app_tx still ranks by path */
	a = fresh(0, 0, 0);
	struct vnl_pkt p = pkt(1, 0);
	p.app_tx = 0;
	vnl_analysis_add(a, &p);
	assert_int_equal(vnl_analysis_worst(a, out, 5), 1);
	vnl_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stages_and_clean_stream),
		cmocka_unit_test(test_loss_dup_reorder_late_notx),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_ipdv_any_order),
		cmocka_unit_test(test_worst_by_one_way_then_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
