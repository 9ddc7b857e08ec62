/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lab up --qbv's window: parsing and its refusals, the taprio command, phase and counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "qbv.h"

#define MS 1000000LL
#define US 1000LL

static void parses_the_window(void **state)
{
	(void)state;
	struct vnl_qbv q;
	const char *why = NULL;
	assert_int_equal(vnl_qbv_parse("500us+250us/1ms", &q, &why), 0);
	assert_int_equal(q.open_ns, 500 * US);
	assert_int_equal(q.length_ns, 250 * US);
	assert_int_equal(q.cycle_ns, MS);
	assert_int_equal(q.priority, VNL_QBV_PRIORITY);
	assert_string_equal(q.offload, "software");
	assert_int_equal(vnl_qbv_parse("0us+1ms/1ms", &q, &why), 0);
}

static void refuses_bad_windows(void **state)
{
	(void)state;
	struct vnl_qbv q;
	static const char *const bad[] = { "", "500us", "500us+250us", "500us/1ms", "+250us/1ms",
					   "500us+/1ms", "500us+250us/", "x+250us/1ms",
					   "500us+600us/1ms", "0+0/1ms", "500us+250us/3ms",
					   "500us+250us/1ms/2", NULL };
	for (int i = 0; bad[i]; i++) {
		const char *why = NULL;
		assert_int_equal(vnl_qbv_parse(bad[i], &q, &why), -1);
		assert_non_null(why);
	}
}

static void builds_the_tc_command(void **state)
{
	(void)state;
	struct vnl_qbv q;
	const char *why;
	char cmd[1024];
	assert_int_equal(vnl_qbv_parse("500us+250us/1ms", &q, &why), 0);
	q.base_time_ns = 5000000000LL;
	assert_int_equal(vnl_qbv_tc_command(&q, "eth0", cmd, sizeof(cmd)), 0);
	assert_string_equal(cmd, "tc qdisc replace dev eth0 parent root handle 100 taprio num_tc 2 "
				 "map 1 1 1 0 1 1 1 1 1 1 1 1 1 1 1 1 queues 1@0 1@1 base-time 5000000000 "
				 "sched-entry S 02 500000 sched-entry S 01 250000 sched-entry S 02 250000 "
				 "clockid CLOCK_TAI");
	/* a window at the start and one to the end: no zero-length entries */
	assert_int_equal(vnl_qbv_parse("0us+250us/1ms", &q, &why), 0);
	assert_int_equal(vnl_qbv_tc_command(&q, "eth0", cmd, sizeof(cmd)), 0);
	assert_non_null(strstr(cmd, "base-time 0 sched-entry S 01 250000 sched-entry S 02 750000 clockid"));
	assert_int_equal(vnl_qbv_parse("750us+250us/1ms", &q, &why), 0);
	snprintf(q.offload, sizeof(q.offload), "full");
	assert_int_equal(vnl_qbv_tc_command(&q, "eth0", cmd, sizeof(cmd)), 0);
	assert_non_null(strstr(cmd, "sched-entry S 02 750000 sched-entry S 01 250000 flags 0x2 clockid CLOCK_TAI"));
	assert_int_equal(vnl_qbv_tc_command(&q, "eth0", cmd, 40), -1);
}

static void places_and_counts(void **state)
{
	(void)state;
	struct vnl_qbv q;
	const char *why;
	assert_int_equal(vnl_qbv_parse("500us+250us/1ms", &q, &why), 0);
	q.base_time_ns = 1000 * MS;
	int64_t t0 = 1234 * 1000 * MS; /* a whole second: phase 0 */
	assert_int_equal(vnl_qbv_phase(&q, t0 + 600 * US), 600 * US);
	assert_int_equal(vnl_qbv_phase(&q, q.base_time_ns - 1), MS - 1); /* before the base */
	assert_false(vnl_qbv_in_window(&q, t0 + 499 * US));
	assert_true(vnl_qbv_in_window(&q, t0 + 500 * US));
	assert_true(vnl_qbv_in_window(&q, t0 + 749 * US));
	assert_false(vnl_qbv_in_window(&q, t0 + 750 * US));
	struct vnl_qbv_counts c = { 0 };
	vnl_qbv_count(&q, &c, t0 + 100 * US, t0 + 500 * US);      /* queued, sent at the opening */
	vnl_qbv_count(&q, &c, t0 + 600 * US, t0 + 610 * US);      /* straight through */
	vnl_qbv_count(&q, &c, t0 + 700 * US, t0 + 1 * MS + 800 * US); /* missed, sent outside */
	vnl_qbv_count(&q, &c, t0 + 100 * US, 0);                  /* no TX stamp */
	assert_int_equal(c.probes, 4);
	assert_int_equal(c.sent, 3);
	assert_int_equal(c.sent_in_window, 2);
	assert_int_equal(c.sent_outside, 1);
	assert_int_equal(c.queued_outside, 1);
	assert_int_equal(c.missed_window, 1);
	assert_int_equal(c.no_stamp, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_window),
		cmocka_unit_test(refuses_bad_windows),
		cmocka_unit_test(builds_the_tc_command),
		cmocka_unit_test(places_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
