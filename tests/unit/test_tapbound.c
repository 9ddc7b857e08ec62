/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tap's causal bounds on a guest clock estimate, on synthetic stamps: a true
 * error r and true guest hops give the hops the estimate measures (hop + r for
 * "in", hop - r for "out"); the witness must bound r, correct it, and catch an
 * estimate wrong beyond its own uncertainty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tapbound.h"

#define SEC 1000000000LL
#define US 1000LL
#define T0 (1700000000LL * SEC)

/* Feed N probes over one second starting at T: true hops MIN_HOP and up, true error R. */
static void feed(struct vnl_tapbound *tb, enum vnl_tapbound_side side, int64_t t, int n,
		 int64_t min_hop, int64_t r)
{
	for (int i = 0; i < n; i++) {
		int64_t hop = min_hop + (i % 7) * 10 * US;
		int64_t measured = side == VNL_TAPBOUND_UPPER ? hop + r : hop - r;
		assert_true(vnl_tapbound_add(tb, t + (int64_t)i * (SEC / n), measured));
	}
}

/* in: true error +30us, u 100us, fastest hop 20us: r <= 50us, interval [-100, 50]. */
static void upper_bound_narrows(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_UPPER, 100 * US, SEC);
	feed(tb, VNL_TAPBOUND_UPPER, T0, 100, 20 * US, 30 * US);
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.probes, 100);
	assert_int_equal(s.windows, 1);
	assert_int_equal(s.contradictions, 0);
	assert_int_equal(s.exchange_ns, 100 * US);
	assert_int_equal(s.uncertainty_ns, 75 * US);      /* half of [-100, 50] */
	int64_t r = vnl_tapbound_residual(tb, T0 + SEC / 2);
	assert_int_equal(r, -25 * US);                    /* its midpoint */
	/* the true error lies inside the stated bound around the residual */
	assert_true(30 * US >= r - s.uncertainty_ns && 30 * US <= r + s.uncertainty_ns);
	/* corrected, the fastest hop (20 + 30 - r) is not negative */
	assert_true(20 * US + 30 * US - r >= 0);
	vnl_tapbound_free(tb);
}

/* out: true error -40us, u 100us, fastest hop 10us: r >= -50us, interval [-50, 100]. */
static void lower_bound_narrows(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_LOWER, 100 * US, SEC);
	feed(tb, VNL_TAPBOUND_LOWER, T0, 50, 10 * US, -40 * US);
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.contradictions, 0);
	assert_int_equal(s.uncertainty_ns, 75 * US);
	int64_t r = vnl_tapbound_residual(tb, T0 + 1);
	assert_int_equal(r, 25 * US);
	assert_true(-40 * US >= r - s.uncertainty_ns && -40 * US <= r + s.uncertainty_ns);
	/* out: the corrected hop is measured + r */
	assert_true(10 * US + 40 * US + r >= 0);
	vnl_tapbound_free(tb);
}

/* A bound looser than u changes nothing: the interval is [-u, u], residual 0. */
static void loose_bound_keeps_exchange(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_UPPER, 50 * US, SEC);
	feed(tb, VNL_TAPBOUND_UPPER, T0, 20, 400 * US, 0);
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.uncertainty_ns, 50 * US);
	assert_int_equal(vnl_tapbound_residual(tb, T0), 0);
	vnl_tapbound_free(tb);
}

/* The estimate off by 300us with u 100us: a contradiction, 200us - hop beyond u. */
static void contradiction_is_found(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_UPPER, 100 * US, SEC);
	feed(tb, VNL_TAPBOUND_UPPER, T0, 100, 40 * US, -300 * US);
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.contradictions, 1);
	assert_int_equal(s.worst_excess_ns, 260 * US - 100 * US);
	int64_t r = vnl_tapbound_residual(tb, T0);
	assert_int_equal(r, -260 * US);                   /* the causal edge: fastest hop 0 */
	assert_int_equal(vnl_tapbound_uncertainty(tb, T0), 100 * US);
	assert_int_equal(s.uncertainty_ns, 100 * US);     /* no consistent window: u stays */
	vnl_tapbound_free(tb);
}

/* Windows drift apart: each gets its own residual; a time with no probe gets 0. */
static void windows_follow_drift(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_UPPER, 200 * US, SEC);
	feed(tb, VNL_TAPBOUND_UPPER, T0, 10, 10 * US, 0);
	feed(tb, VNL_TAPBOUND_UPPER, T0 + SEC, 10, 10 * US, -100 * US);
	feed(tb, VNL_TAPBOUND_UPPER, T0 + 3 * SEC, 10, 10 * US, 50 * US);
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.windows, 3);
	assert_int_equal(s.contradictions, 0);
	assert_int_equal(vnl_tapbound_residual(tb, T0 + 1), (-200 * US + 10 * US) / 2);
	assert_int_equal(vnl_tapbound_residual(tb, T0 + SEC + 1), (-200 * US - 90 * US) / 2);
	assert_int_equal(vnl_tapbound_residual(tb, T0 + 2 * SEC + 1), 0);
	assert_int_equal(vnl_tapbound_uncertainty(tb, T0 + 2 * SEC + 1), 200 * US);
	assert_int_equal(s.min_residual_ns, (-200 * US - 90 * US) / 2);
	assert_int_equal(s.max_residual_ns, (-200 * US + 60 * US) / 2);
	vnl_tapbound_free(tb);
}

/* A probe out of time order, and one before the first, find their windows. */
static void out_of_order(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_LOWER, 100 * US, SEC);
	assert_true(vnl_tapbound_add(tb, T0 + 2 * SEC, 30 * US));
	assert_true(vnl_tapbound_add(tb, T0 + SEC, 20 * US));
	assert_true(vnl_tapbound_add(tb, T0 - SEC / 2, 10 * US));
	assert_false(vnl_tapbound_add(tb, 0, 10 * US)); /* no port stamp: nothing to say */
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.windows, 3);
	assert_int_equal(s.probes, 3);
	assert_int_equal(vnl_tapbound_residual(tb, T0 - SEC / 2), (-10 * US + 100 * US) / 2);
	assert_int_equal(vnl_tapbound_residual(tb, T0 + SEC), (-20 * US + 100 * US) / 2);
	vnl_tapbound_free(tb);
}

/* Nothing seen: no residual, the exchange's uncertainty stands. */
static void empty(void **state)
{
	(void)state;
	struct vnl_tapbound *tb = vnl_tapbound_new(VNL_TAPBOUND_UPPER, 70 * US, 0);
	struct vnl_tapbound_summary s;
	vnl_tapbound_summary(tb, &s);
	assert_int_equal(s.probes, 0);
	assert_int_equal(s.uncertainty_ns, 70 * US);
	assert_int_equal(vnl_tapbound_residual(tb, T0), 0);
	vnl_tapbound_free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(upper_bound_narrows),
		cmocka_unit_test(lower_bound_narrows),
		cmocka_unit_test(loose_bound_keeps_exchange),
		cmocka_unit_test(contradiction_is_found),
		cmocka_unit_test(windows_follow_drift),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
