/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest-host offset estimation: recovery, minimum-delay choice, interpolation, bounds;
 * ptp_kvm readings mapped onto exchanges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "clocksync.h"

#define SEC 1000000000LL
#define US 1000LL
#define T0 (1700000000LL * SEC)

/* An exchange at host time h with guest = host + offset, one-way delays up/down, guest turn-around. */
static void exchange(struct vnl_clocksync *cs, int64_t h, int64_t offset, int64_t up, int64_t down)
{
	int64_t t[4];
	t[0] = h;
	t[1] = h + up + offset;
	t[2] = t[1] + 5 * US;
	t[3] = t[2] - offset + down;
	assert_true(vnl_clocksync_add(cs, t));
}

static void constant_offset_symmetric(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	for (int i = 0; i < 30; i++)
		exchange(cs, T0 + i * 100 * 1000 * US, -663 * 1000 * US, 40 * US, 40 * US);
	assert_true(vnl_clocksync_finish(cs));
	struct vnl_clocksync_summary s;
	vnl_clocksync_summary(cs, &s);
	assert_int_equal(s.samples, 30);
	assert_int_equal(s.chosen, 3); /* three seconds */
	assert_int_equal(s.offset_ns, -663 * 1000 * US);
	assert_int_equal(s.uncertainty_ns, 40 * US);
	assert_int_equal(s.min_delay_ns, 80 * US);
	assert_int_equal(s.drift_ppb, 0);
	int64_t host = T0 + 1500 * 1000 * US;
	assert_int_equal(vnl_clocksync_to_host(cs, host - 663 * 1000 * US), host);
	assert_int_equal(vnl_clocksync_to_host(cs, 0), 0);
	vnl_clocksync_free(cs);
}

/* Asymmetric paths bias the estimate, but never beyond the reported uncertainty. */
static void asymmetry_within_uncertainty(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	const int64_t off = 12345 * US;
	for (int i = 0; i < 20; i++)
		exchange(cs, T0 + i * 100 * 1000 * US, off, 10 * US, 90 * US);
	assert_true(vnl_clocksync_finish(cs));
	struct vnl_clocksync_summary s;
	vnl_clocksync_summary(cs, &s);
	int64_t host = T0 + SEC;
	int64_t err = vnl_clocksync_to_host(cs, host + off) - host;
	assert_true(err != 0);
	assert_true(llabs(err) <= s.uncertainty_ns);
	vnl_clocksync_free(cs);
}

/* The fastest exchange of a second wins; slow seconds are skipped; drift is interpolated. */
static void min_delay_and_drift(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	/* offset grows 10 us per second (10 ppm); second 2 only has a slow exchange */
	for (int sec = 0; sec < 5; sec++) {
		int64_t off = 1000 * US + sec * 10 * US;
		int64_t h = T0 + sec * SEC;
		if (sec == 2) {
			exchange(cs, h, off, 500 * US, 500 * US);
			continue;
		}
		exchange(cs, h, off, 300 * US, 300 * US);
		exchange(cs, h + 200 * 1000 * US, off + 2 * US, 20 * US, 20 * US);
		exchange(cs, h + 400 * 1000 * US, off + 4 * US, 80 * US, 80 * US);
	}
	assert_true(vnl_clocksync_finish(cs));
	struct vnl_clocksync_summary s;
	vnl_clocksync_summary(cs, &s);
	assert_int_equal(s.samples, 13);
	assert_int_equal(s.chosen, 4);             /* second 2 dropped: 1000 us > 3 x 40 us */
	assert_int_equal(s.uncertainty_ns, 20 * US);
	assert_true(s.drift_ppb > 9000 && s.drift_ppb < 11000);
	/* in the middle of second 2 the interpolated offset is within a microsecond */
	int64_t host = T0 + 2 * SEC + 200 * 1000 * US;
	int64_t true_off = 1000 * US + 20 * US + 2 * US;
	assert_true(llabs(vnl_clocksync_to_host(cs, host + true_off) - host) <= 1 * US);
	/* beyond the ends: the nearest kept exchange */
	assert_true(llabs(vnl_clocksync_to_host(cs, T0 - SEC + 1000 * US) - (T0 - SEC)) <= 3 * US);
	vnl_clocksync_free(cs);
}

static void absurd_and_empty(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	assert_false(vnl_clocksync_finish(cs));
	int64_t back[4] = { T0, T0 + 10, T0 + 20, T0 - 1 };    /* t4 before t1 */
	int64_t turn[4] = { T0, T0 + 20, T0 + 10, T0 + 100 };  /* t3 before t2 */
	int64_t slow[4] = { T0, T0 + 10, T0 + 200, T0 + 100 }; /* guest longer than the round trip */
	assert_false(vnl_clocksync_add(cs, back));
	assert_false(vnl_clocksync_add(cs, turn));
	assert_false(vnl_clocksync_add(cs, slow));
	struct vnl_clocksync_summary s;
	vnl_clocksync_summary(cs, &s);
	assert_int_equal(s.samples, 0);
	assert_int_equal(vnl_clocksync_to_host(cs, T0), T0); /* nothing to correct with */
	vnl_clocksync_free(cs);
}

/* A ptp_kvm reading at host time h: the guest reads its clock w ns around the PHC read. */
static void reading(struct vnl_clocksync *cs, int64_t h, int64_t offset, int64_t w)
{
	int64_t before = h + offset - w / 2;
	assert_true(vnl_clocksync_add_phc(cs, before, h, before + w));
}

/* Triplet -> offset = sandwich midpoint - phc, uncertainty = half the width. */
static void phc_triplet_mapping(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	const int64_t off = -4321 * US;
	reading(cs, T0, off, 6 * US);
	assert_true(vnl_clocksync_finish(cs));
	struct vnl_clocksync_summary s;
	vnl_clocksync_summary(cs, &s);
	assert_int_equal(s.samples, 1);
	assert_int_equal(s.offset_ns, off);
	assert_int_equal(s.uncertainty_ns, 3 * US);
	assert_int_equal(s.min_delay_ns, 6 * US);   /* the "round trip" is the width */
	assert_int_equal(vnl_clocksync_to_host(cs, T0 + 10 * US + off), T0 + 10 * US);
	vnl_clocksync_free(cs);

	/* an odd width: within a nanosecond, uncertainty rounded up */
	cs = vnl_clocksync_new();
	assert_true(vnl_clocksync_add_phc(cs, T0 + 1000, T0, T0 + 1003));
	assert_true(vnl_clocksync_finish(cs));
	vnl_clocksync_summary(cs, &s);
	assert_true(llabs(s.offset_ns - 1001) <= 1); /* midpoint 1001.5 */
	assert_int_equal(s.uncertainty_ns, 2);
	vnl_clocksync_free(cs);

	/* PTP_SYS_OFFSET_PRECISE: a cross-timestamp, no sandwich, no uncertainty */
	cs = vnl_clocksync_new();
	assert_true(vnl_clocksync_add_phc(cs, T0 + 777, T0, T0 + 777));
	assert_true(vnl_clocksync_finish(cs));
	vnl_clocksync_summary(cs, &s);
	assert_int_equal(s.offset_ns, 777);
	assert_int_equal(s.uncertainty_ns, 0);
	assert_int_equal(vnl_clocksync_to_host(cs, T0 + 5 * SEC + 777), T0 + 5 * SEC);
	/* after before: absurd */
	assert_false(vnl_clocksync_add_phc(cs, T0 + 10, T0, T0 + 9));
	vnl_clocksync_free(cs);
}

/* The narrowest sandwich of each second is kept; a preempted (wide) second is skipped. */
static void phc_narrowest_wins(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	const int64_t off = 2 * SEC + 123 * US;
	for (int sec = 0; sec < 3; sec++) {
		int64_t h = T0 + sec * SEC;
		if (sec == 1) {   /* a vCPU preempted in the middle of each read */
			reading(cs, h, off + 50 * US, 900 * US);
			continue;
		}
		reading(cs, h, off + 7 * US, 40 * US);
		reading(cs, h + 100 * 1000 * US, off, 2 * US);
		reading(cs, h + 200 * 1000 * US, off - 3 * US, 12 * US);
	}
	assert_true(vnl_clocksync_finish(cs));
	struct vnl_clocksync_summary s;
	vnl_clocksync_summary(cs, &s);
	assert_int_equal(s.samples, 7);
	assert_int_equal(s.chosen, 2);       /* second 1: 900 us > 3 x 2 us */
	assert_int_equal(s.offset_ns, off);
	assert_int_equal(s.uncertainty_ns, 1 * US);
	assert_int_equal(s.drift_ppb, 0);
	int64_t host = T0 + SEC;
	assert_int_equal(vnl_clocksync_to_host(cs, host + off), host);
	vnl_clocksync_free(cs);
}

/* Live estimate while a run goes on: the offset of the fastest exchange so far. */
static void live_estimate(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = vnl_clocksync_new();
	int64_t off = 1;
	assert_false(vnl_clocksync_estimate(cs, &off));
	exchange(cs, T0, 5 * SEC, 400 * US, 100 * US);      /* slow, asymmetric: biased */
	assert_true(vnl_clocksync_estimate(cs, &off));
	assert_int_equal(off, 5 * SEC + 150 * US);
	exchange(cs, T0 + SEC, 5 * SEC, 20 * US, 20 * US);  /* fast: taken */
	exchange(cs, T0 + 2 * SEC, 5 * SEC, 300 * US, 30 * US); /* slower: ignored */
	assert_true(vnl_clocksync_estimate(cs, &off));
	assert_int_equal(off, 5 * SEC);
	vnl_clocksync_free(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(constant_offset_symmetric),
		cmocka_unit_test(asymmetry_within_uncertainty),
		cmocka_unit_test(min_delay_and_drift),
		cmocka_unit_test(absurd_and_empty),
		cmocka_unit_test(phc_triplet_mapping),
		cmocka_unit_test(phc_narrowest_wins),
		cmocka_unit_test(live_estimate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
