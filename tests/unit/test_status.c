/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The machine-readable live status: the figures taken from an analysis (the
 * headline stage: one_way, else path), one JSON line formatted and parsed
 * back, malformed lines refused, and the status file replaced and read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis.h"
#include "stats.h"
#include "status.h"

#define T0 1700000000000000000LL
#define US 1000LL
#define MS 1000000LL

/* Packet SEQ whose path takes PATH_NS; with one_way (app stamps) or without. */
static struct vnl_pkt pkt(uint64_t seq, int64_t path_ns, bool app)
{
	struct vnl_pkt p = { .seq = seq, .flags = VNL_PKT_F_TXSTAMPS };
	p.sched = T0 + (int64_t)seq * MS;
	p.tx_sw = p.sched + 5 * US;
	p.rx_sw = p.tx_sw + path_ns;
	if (app) {
		p.app_tx_sched = p.sched + US;
		p.app_tx = p.app_tx_sched;
		p.app_rx = p.rx_sw + 10 * US;
	}
	return p;
}

static void figures_of_an_analysis(void **state)
{
	(void)state;
	struct vnl_analysis_opts o = { .worst_n = 1 };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	struct vnl_status_line l;
	vnl_status_of(NULL, a, &l);
	assert_int_equal(l.received, 0);
	assert_false(l.has_p99);
	/* 0..99 but 10 and 20 lost; path 1..100 us except packet 99, 1 ms */
	for (uint64_t s = 0; s < 100; s++)
		if (s != 10 && s != 20) {
			struct vnl_pkt p = pkt(s, s == 99 ? 1000 * US : (int64_t)(s + 1) * US, true);
			vnl_analysis_add(a, &p);
		}
	vnl_status_of(NULL, a, &l);
	assert_int_equal(l.received, 98);
	assert_int_equal(l.sent, 100);
	assert_int_equal(l.lost, 2);
	assert_int_equal(l.stage, VNL_STAGE_ONE_WAY);
	/* the analysis' own p99 of one_way (path + 14 us), nothing recomputed */
	int64_t want = vnl_stats_percentile(vnl_analysis_stage(a, VNL_STAGE_ONE_WAY), 0.99);
	assert_int_equal(l.p99_ns, want);
	assert_true(want >= 98 * US); /* among the largest values */
	assert_true(vnl_status_loss(&l) > 0.0199 && vnl_status_loss(&l) < 0.0201);
	vnl_analysis_free(a);
}

static void path_when_no_one_way(void **state)
{
	(void)state;
	struct vnl_analysis_opts o = { .worst_n = 1 };
	struct vnl_analysis *a = vnl_analysis_new(&o);
	for (uint64_t s = 0; s < 10; s++) {
		struct vnl_pkt p = pkt(s, 50 * US, false);
		vnl_analysis_add(a, &p);
	}
	struct vnl_status_line l;
	vnl_status_of(NULL, a, &l);
	assert_int_equal(l.stage, VNL_STAGE_PATH);
	assert_true(l.p99_ns > 49 * US && l.p99_ns < 51 * US);
	vnl_analysis_free(a);
}

/*
 * The receiver's clock 5 s ahead of the sender's (a guest's): with the
 * peer's offset given, the status has the figures of the same stream on one
 * clock, exactly; the report's analysis keeps the raw, shifted values.
 */
static void peer_offset_corrects(void **state)
{
	(void)state;
	struct vnl_analysis_opts o = { .worst_n = 1 };
	struct vnl_analysis *same = vnl_analysis_new(&o), *shifted = vnl_analysis_new(&o);
	struct vnl_status *st = vnl_status_new(true);
	assert_int_equal(vnl_status_set_peer_offset(st, -5000 * MS), 0);
	for (uint64_t s = 0; s < 500; s++) {
		struct vnl_pkt p = pkt(s, (int64_t)(s % 97 + 20) * US, true);
		vnl_analysis_add(same, &p);
		p.rx_sw += 5000 * MS;
		p.app_rx += 5000 * MS;
		vnl_analysis_add(shifted, &p);
		vnl_status_add(st, &p);
	}
	struct vnl_status_line want, got, raw;
	vnl_status_of(NULL, same, &want);
	vnl_status_of(st, shifted, &got);
	vnl_status_of(NULL, shifted, &raw);
	assert_true(want.has_p99 && got.has_p99);
	assert_int_equal(got.stage, VNL_STAGE_ONE_WAY);
	assert_int_equal(got.p99_ns, want.p99_ns);
	assert_int_equal(got.received, 500);
	assert_true(raw.p99_ns > 4999 * MS); /* uncorrected: the clocks' difference */
	vnl_status_free(st);
	vnl_analysis_free(same);
	vnl_analysis_free(shifted);
}

static void format_and_parse(void **state)
{
	(void)state;
	struct vnl_status_line l = { .received = 1998, .sent = 2000, .lost = 2,
				     .stage = VNL_STAGE_ONE_WAY, .has_p99 = true, .p99_ns = 42123 };
	char buf[256];
	assert_true(vnl_status_format(&l, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\"received\":1998,\"sent\":2000,\"lost\":2,"
				 "\"stage\":\"one_way\",\"p99_ns\":42123}\n");
	struct vnl_status_line back;
	assert_int_equal(vnl_status_parse(buf, &back), 0);
	assert_memory_equal(&back, &l, sizeof(l));
	/* no value yet, and a direction */
	l.has_p99 = false;
	l.stage = VNL_STAGE_PATH;
	snprintf(l.direction, sizeof(l.direction), "out");
	assert_true(vnl_status_format(&l, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "p99_ns"));
	assert_int_equal(vnl_status_parse(buf, &back), 0);
	assert_false(back.has_p99);
	assert_int_equal(back.stage, VNL_STAGE_PATH);
	assert_string_equal(back.direction, "out");
	assert_int_equal(vnl_status_format(&l, buf, 20), -1); /* does not fit */
}

static void malformed_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "{", "[1]", "{\"received\":1,\"sent\":1,\"lost\":0}",
		"{\"received\":1,\"sent\":1,\"lost\":0,\"stage\":\"nope\"}",
		"{\"received\":-1,\"sent\":1,\"lost\":0,\"stage\":\"path\"}",
		"{\"received\":1,\"sent\":1,\"lost\":0,\"stage\":\"path\",\"p99_ns\":\"x\"}",
	};
	struct vnl_status_line l;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vnl_status_parse(bad[i], &l), -1);
}

static void file_replaced_and_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/vnl-status-test.XXXXXX", path[64], tmp[72];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/live", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	struct vnl_status_line l = { .received = 5, .sent = 5, .stage = VNL_STAGE_ONE_WAY,
				     .has_p99 = true, .p99_ns = 7 }, back;
	assert_int_equal(vnl_status_read(path, &back), -1); /* none yet */
	assert_int_equal(vnl_status_write(path, &l), 0);
	l.received = 6, l.sent = 7, l.lost = 1;
	assert_int_equal(vnl_status_write(path, &l), 0);
	assert_int_equal(vnl_status_read(path, &back), 0);
	assert_int_equal(back.received, 6);
	assert_int_equal(back.lost, 1);
	assert_int_equal(access(tmp, F_OK), -1); /* renamed into place, nothing beside it */
	char missing[80];
	snprintf(missing, sizeof(missing), "%s/no/such/dir", dir);
	assert_int_equal(vnl_status_write(missing, &l), -1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(figures_of_an_analysis),
		cmocka_unit_test(path_when_no_one_way),
		cmocka_unit_test(peer_offset_corrects),
		cmocka_unit_test(format_and_parse),
		cmocka_unit_test(malformed_refused),
		cmocka_unit_test(file_replaced_and_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
