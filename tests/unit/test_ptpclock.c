/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Two hosts' clocks through their ptp4l (core/ptpclock.h): offset, bound, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ptpclock.h"

#define GM "aaaaaa.fffe.000001"

static struct vnl_ptp_host master(void)
{
	struct vnl_ptp_host h = { .present = true };
	strcpy(h.port_state, "MASTER");
	strcpy(h.clock_identity, GM);
	strcpy(h.grandmaster, GM);
	return h;
}

static struct vnl_ptp_host slave(int64_t ofm, int64_t mpd)
{
	struct vnl_ptp_host h = { .present = true, .have_offset = true,
				  .offset_from_master_ns = ofm, .mean_path_delay_ns = mpd };
	strcpy(h.port_state, "UNCALIBRATED");
	strcpy(h.clock_identity, "bbbbbb.fffe.000002");
	strcpy(h.grandmaster, GM);
	return h;
}

static void software_master_and_slave(void **state)
{
	(void)state;
	struct vnl_ptp_host l = master(), r = slave(-700, 2000);
	struct vnl_ptp_relation rel;
	vnl_ptp_relate(&l, &r, &rel);
	assert_true(rel.ok);
	assert_int_equal(rel.offset_ns, -700);       /* remote - local = the slave's offset */
	assert_int_equal(rel.uncertainty_ns, 4000);  /* twice its meanPathDelay */
	assert_string_equal(rel.grandmaster, GM);
	vnl_ptp_relate(&r, &l, &rel);                /* the other way round: the sign flips */
	assert_true(rel.ok);
	assert_int_equal(rel.offset_ns, 700);
}

static void hardware_phc_moves_onto_the_system_clock(void **state)
{
	(void)state;
	/* the slave's PHC is 300 ns behind its master; its system clock 50 ns behind its PHC */
	struct vnl_ptp_host l = master(), r = slave(-300, 1000);
	r.have_phc = true;
	r.phc_minus_sys_ns = 50;
	r.phc_uncertainty_ns = 20;
	struct vnl_ptp_relation rel;
	vnl_ptp_relate(&l, &r, &rel);
	assert_true(rel.ok);
	assert_int_equal(rel.offset_ns, -350);
	assert_int_equal(rel.uncertainty_ns, 2020);
	/* two slaves of a third grandmaster */
	struct vnl_ptp_host a = slave(100, 500), b = slave(-200, 700);
	vnl_ptp_relate(&a, &b, &rel);
	assert_true(rel.ok);
	assert_int_equal(rel.offset_ns, -300);
	assert_int_equal(rel.uncertainty_ns, 2400);
}

static void refused_with_why(void **state)
{
	(void)state;
	struct vnl_ptp_relation rel;
	struct vnl_ptp_host l = master(), r = slave(0, 1000), none = { .present = false };
	strcpy(none.why, "no ptp4l: /var/run/ptp4l is missing");
	vnl_ptp_relate(&l, &none, &rel);
	assert_false(rel.ok);
	assert_non_null(strstr(rel.why, "does not answer on the remote host (no ptp4l"));
	strcpy(r.grandmaster, "cccccc.fffe.000003");
	vnl_ptp_relate(&l, &r, &rel);
	assert_false(rel.ok);
	assert_non_null(strstr(rel.why, "different grandmasters"));
	r = slave(0, 0); /* no path delay measured yet */
	vnl_ptp_relate(&l, &r, &rel);
	assert_false(rel.ok);
	assert_non_null(strstr(rel.why, "has not measured"));
	r = slave(0, 1000);
	strcpy(r.port_state, "LISTENING");
	vnl_ptp_relate(&l, &r, &rel);
	assert_false(rel.ok);
	assert_non_null(strstr(rel.why, "LISTENING"));
}

static void from_a_status_document(void **state)
{
	(void)state;
	json_t *st = json_pack("{s:{s:s, s:s, s:s, s:i, s:i}, s:{s:i, s:i}}", "ptp4l",
			       "port_state", "SLAVE", "clock_identity", "x", "grandmaster_identity",
			       GM, "offset_from_master_ns", -42, "mean_path_delay_ns", 900, "phc",
			       "offset_ns", 7, "uncertainty_ns", 3);
	struct vnl_ptp_host h;
	assert_int_equal(vnl_ptp_host_from_status(st, &h), 0);
	assert_true(h.present && h.have_offset && h.have_phc);
	assert_int_equal(h.offset_from_master_ns, -42);
	assert_int_equal(h.mean_path_delay_ns, 900);
	assert_int_equal(h.phc_minus_sys_ns, 7);
	json_decref(st);
	st = json_pack("{s:n, s:s}", "ptp4l", "ptp4l_why", "no ptp4l here");
	assert_int_equal(vnl_ptp_host_from_status(st, &h), 0);
	assert_false(h.present);
	assert_string_equal(h.why, "no ptp4l here");
	json_decref(st);
	assert_int_equal(vnl_ptp_host_from_status(NULL, &h), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(software_master_and_slave),
		cmocka_unit_test(hardware_phc_moves_onto_the_system_clock),
		cmocka_unit_test(refused_with_why),
		cmocka_unit_test(from_a_status_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
