/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which way `run` relates a guest's clock to the host's, and the reason it gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clockmethod.h"

static void no_guest(void **state)
{
	(void)state;
	struct vnl_clock_choice c;
	vnl_clock_choose(false, "", false, NULL, &c);
	assert_int_equal(c.method, VNL_CLOCK_SAME_HOST);
	assert_string_equal(vnl_clock_method_name(c.method), "same-host");
	/* a PHC answer is irrelevant without a guest */
	vnl_clock_choose(false, "kvm", true, NULL, &c);
	assert_int_equal(c.method, VNL_CLOCK_SAME_HOST);
}

static void ptp_kvm_when_the_guest_reads_it(void **state)
{
	(void)state;
	struct vnl_clock_choice c;
	vnl_clock_choose(true, "kvm", true, NULL, &c);
	assert_int_equal(c.method, VNL_CLOCK_PTP_KVM);
	assert_string_equal(vnl_clock_method_name(c.method), "ptp_kvm");
	assert_non_null(strstr(c.why, "KVM PTP clock"));
	/* whatever the lab file says, a guest that reads the clock wins */
	vnl_clock_choose(true, "", true, NULL, &c);
	assert_int_equal(c.method, VNL_CLOCK_PTP_KVM);
}

static void agent_under_tcg_says_why(void **state)
{
	(void)state;
	struct vnl_clock_choice c;
	const char *guest = "no PTP clock named \"KVM virtual PTP\" in /sys/class/ptp (0 others); "
			    "ptp_kvm did not load: insmod: can't insert 'ptp_kvm.ko': "
			    "Operation not supported";
	vnl_clock_choose(true, "tcg", false, guest, &c);
	assert_int_equal(c.method, VNL_CLOCK_AGENT);
	assert_string_equal(vnl_clock_method_name(c.method), "agent");
	assert_non_null(strstr(c.why, "ptp_kvm: no KVM clock in a TCG guest"));
	assert_non_null(strstr(c.why, "Operation not supported")); /* the guest's own reason */
}

static void agent_under_kvm_without_the_clock(void **state)
{
	(void)state;
	struct vnl_clock_choice c;
	vnl_clock_choose(true, "kvm", false, "unknown op", &c);
	assert_int_equal(c.method, VNL_CLOCK_AGENT);
	assert_non_null(strstr(c.why, "ptp_kvm: not available in this kvm guest"));
	assert_non_null(strstr(c.why, "unknown op"));
	vnl_clock_choose(true, NULL, false, NULL, &c); /* nothing known */
	assert_int_equal(c.method, VNL_CLOCK_AGENT);
	assert_non_null(strstr(c.why, "VM guest (guest: no answer)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_guest),
		cmocka_unit_test(ptp_kvm_when_the_guest_reads_it),
		cmocka_unit_test(agent_under_tcg_says_why),
		cmocka_unit_test(agent_under_kvm_without_the_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
