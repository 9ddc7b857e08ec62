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
	vnl_analysis_counts(a, &c); /* no extra: sent = the span of seqs, 0..50 */
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

static void test_sent_is_seq_span_without_extra(void **s)
{
	(void)s;
	/* a receiver that joined a running stream at seq 1000, and never saw its FIN */
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 1000; k < 1100; k++) {
		if (k == 1005 || k == 1050 || k == 1051)
			continue;
		struct vnl_pkt p = pkt(k, 0);
		vnl_analysis_add(a, &p);
	}
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.sent, 100);
	assert_int_equal(c.received, 97);
	assert_int_equal(c.lost, 3);
	/* the sender's count wins when known (whole run) */
	struct vnl_stream_extra x = { .sent = 1200 };
	vnl_analysis_set_extra(a, &x);
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.sent, 1200);
	assert_int_equal(c.lost, 1103);
	vnl_analysis_free(a);

	/* nothing received: nothing known to be sent, nothing lost */
	a = fresh(0, 0, 0);
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.sent, 0);
	assert_int_equal(c.lost, 0);
	assert_int_equal(vnl_analysis_origin(a), 0);
	vnl_analysis_free(a);
}

static void test_lost_never_negative(void **s)
{
	(void)s;
	/* a FIN count below what arrived (e.g. a restarted sender): no negative loss */
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 0; k < 10; k++) {
		struct vnl_pkt p = pkt(k, 0);
		vnl_analysis_add(a, &p);
	}
	struct vnl_stream_extra x = { .sent = 4 };
	vnl_analysis_set_extra(a, &x);
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.received, 10);
	assert_int_equal(c.lost, 0);
	vnl_analysis_free(a);
}

static void test_duplicate_excluded_everywhere(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(100000, 0, 0);
	for (uint64_t k = 0; k < 10; k++) {
		struct vnl_pkt p = pkt(k, 0);
		vnl_analysis_add(a, &p);
	}
	struct vnl_pkt dup = pkt(4, 900000); /* a late, huge copy of seq 4 */
	dup.flags |= VNL_PKT_F_DUPLICATE;
	dup.flags &= ~(uint32_t)VNL_PKT_F_TXSTAMPS;
	dup.tx_hw = dup.tx_sw;
	vnl_analysis_add(a, &dup);
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.duplicated, 1);
	assert_int_equal(c.received, 10);
	assert_int_equal(c.late, 0);
	assert_int_equal(c.no_tx_stamps, 0);
	assert_int_equal(vnl_stats_count(vnl_analysis_stage(a, VNL_STAGE_ONE_WAY)), 10);
	assert_int_equal(vnl_stats_count(vnl_analysis_ipdv(a)), 9);
	assert_int_equal(vnl_analysis_stamp_count(a, VNL_STAMP_TX_HW), 0);
	struct vnl_pkt out[3];
	assert_int_equal(vnl_analysis_worst(a, out, 3), 3);
	for (int i = 0; i < 3; i++)
		assert_true(out[i].app_rx - out[i].app_tx < 900000);
	vnl_analysis_free(a);
}

static void test_late_needs_wakeup_and_one_way(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(60000, 0, 0);
	struct vnl_pkt p = pkt(0, 0); /* 2 us wakeup + 50 us one-way: on time */
	vnl_analysis_add(a, &p);
	p = pkt(1, 8001); /* 2 + 58.001 us: late by 1 ns */
	vnl_analysis_add(a, &p);
	p = pkt(2, 8000); /* exactly at the deadline: not late */
	vnl_analysis_add(a, &p);
	p = pkt(3, 500000);
	p.app_tx_sched = 0; /* no wakeup stage: lateness unknown, not counted */
	vnl_analysis_add(a, &p);
	p = pkt(4, 500000);
	p.app_tx = 0; /* no one-way stage */
	vnl_analysis_add(a, &p);
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.late, 1);
	vnl_analysis_free(a);

	a = fresh(0, 0, 0); /* no deadline: nothing is late */
	p = pkt(0, 5000000);
	vnl_analysis_add(a, &p);
	vnl_analysis_counts(a, &c);
	assert_int_equal(c.late, 0);
	vnl_analysis_free(a);
}

static void test_window_explicit_origin_open_end(void **s)
{
	(void)s;
	/* origin 10 ms before the first packet; window from 50 ms to the end */
	struct vnl_analysis_opts o = { .worst_n = 2, .origin_ns = BASE - 10 * MS, .from_ns = 50 * MS };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	for (uint64_t k = 0; k < 100; k++) {
		if (k == 60 || k == 99)
			continue;
		struct vnl_pkt p = pkt(k, 0);
		if (k == 30 || k == 70)
			p.flags |= VNL_PKT_F_REORDERED;
		vnl_analysis_add(a, &p);
		if (k == 20 || k == 80) {
			p.flags |= VNL_PKT_F_DUPLICATE;
			vnl_analysis_add(a, &p);
		}
	}
	struct vnl_stream_extra x = { .sent = 100 };
	vnl_analysis_set_extra(a, &x);
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	assert_int_equal(vnl_analysis_origin(a), BASE - 10 * MS);
	assert_int_equal(c.received, 58); /* seqs 40..98 but 60 */
	assert_int_equal(c.sent, 59);     /* the span 40..98: the loss of 99 at the edge is not seen */
	assert_int_equal(c.lost, 1);
	assert_int_equal(c.reordered, 1); /* 70, not 30 */
	assert_int_equal(c.duplicated, 1); /* 80, not 20 */
	assert_int_equal(vnl_stats_count(vnl_analysis_stage(a, VNL_STAGE_PATH)), 58);
	assert_int_equal(vnl_analysis_stamp_count(a, VNL_STAMP_SCHED), 58);
	vnl_analysis_free(a);
}

static void test_ipdv_reverse_and_far_order(void **s)
{
	(void)s;
	/* 1000 packets arriving in reverse: every pair is still measured once */
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 1000; k-- > 0;) {
		struct vnl_pkt p = pkt(k, (int64_t)(k % 3) * 1000); /* steps of +1, +1, -2 us */
		vnl_analysis_add(a, &p);
	}
	struct vnl_summary sum;
	vnl_stats_summarize(vnl_analysis_ipdv(a), &sum);
	assert_int_equal(sum.count, 999);
	assert_int_equal(sum.min_ns, 1000);
	assert_int_equal(sum.max_ns, 2000);
	assert_true(sum.mean_ns > 1332 && sum.mean_ns < 1334.5); /* (666*1000 + 333*2000) / 999 */
	vnl_analysis_free(a);

	/* a gap in the sequence is not a pair; seq 0 and the top of the range pair normally */
	a = fresh(0, 0, 0);
	uint64_t seqs[] = { 0, 1, 3, UINT64_MAX - 1, UINT64_MAX };
	for (size_t i = 0; i < 5; i++) {
		struct vnl_pkt p = pkt(i, (int64_t)i * 100);
		p.seq = seqs[i];
		vnl_analysis_add(a, &p);
	}
	vnl_stats_summarize(vnl_analysis_ipdv(a), &sum);
	assert_int_equal(sum.count, 2); /* 0-1 and (max-1)-max */
	assert_int_equal(sum.max_ns, 100);
	vnl_analysis_free(a);
}

static void test_stamp_counts_and_names(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 0; k < 6; k++) {
		struct vnl_pkt p = pkt(k, 0);
		if (k < 2) {
			p.tx_hw = p.tx_sw + 100;
			p.rx_hw = p.rx_sw - 100;
		}
		if (k == 5)
			p.tx_sched = 0;
		vnl_analysis_add(a, &p);
	}
	const uint64_t want[VNL_STAMP__COUNT] = {
		[VNL_STAMP_SCHED] = 6, [VNL_STAMP_APP_TX] = 6, [VNL_STAMP_TX_SCHED] = 5,
		[VNL_STAMP_TX_SW] = 6, [VNL_STAMP_TX_HW] = 2,  [VNL_STAMP_RX_HW] = 2,
		[VNL_STAMP_RX_SW] = 6, [VNL_STAMP_APP_RX] = 6,
	};
	const char *names[VNL_STAMP__COUNT] = { "sched", "app_tx", "tx_sched", "tx_sw",
						"tx_hw", "rx_hw", "rx_sw", "app_rx" };
	for (int st = 0; st < VNL_STAMP__COUNT; st++) {
		assert_int_equal(vnl_analysis_stamp_count(a, st), want[st]);
		assert_string_equal(vnl_stamp_name(st), names[st]);
	}
	assert_string_equal(vnl_stamp_name(VNL_STAMP__COUNT), "?");
	/* hardware stamps on both ends: the path is hw-hw (33 us - 200 ns) */
	assert_int_equal(vnl_stats_percentile(vnl_analysis_stage(a, VNL_STAGE_PATH), 0), 32800);
	vnl_analysis_free(a);
}

static void test_worst_mixed_one_way_and_path(void **s)
{
	(void)s;
	struct vnl_analysis *a = fresh(0, 0, 0);
	for (uint64_t k = 0; k < 10; k++) {
		struct vnl_pkt p = pkt(k, (int64_t)k * 100);
		vnl_analysis_add(a, &p); /* one_way 50.0 .. 50.9 us */
	}
	struct vnl_pkt p = pkt(10, 100000);
	p.app_tx = 0; /* only a path: 133 us, ranks by it */
	vnl_analysis_add(a, &p);
	struct vnl_pkt none = pkt(11, 900000);
	none.app_tx = 0;
	none.rx_sw = 0; /* neither stage: cannot be ranked */
	vnl_analysis_add(a, &none);
	struct vnl_pkt out[3];
	assert_int_equal(vnl_analysis_worst(a, out, 3), 3);
	assert_int_equal(out[0].seq, 10);
	assert_int_equal(out[1].seq, 9);
	assert_int_equal(out[2].seq, 8);
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
		cmocka_unit_test(test_sent_is_seq_span_without_extra),
		cmocka_unit_test(test_lost_never_negative),
		cmocka_unit_test(test_duplicate_excluded_everywhere),
		cmocka_unit_test(test_late_needs_wakeup_and_one_way),
		cmocka_unit_test(test_window_explicit_origin_open_end),
		cmocka_unit_test(test_ipdv_reverse_and_far_order),
		cmocka_unit_test(test_stamp_counts_and_names),
		cmocka_unit_test(test_worst_mixed_one_way_and_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
