/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An interface's timestamping (ETHTOOL_GET_TS_INFO): ethtool -T's names of the
 * bits, the loopback's software stamps and no PHC, a missing interface's reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/net_tstamp.h>

#include "tsinfo.h"

static void names(void **state)
{
	(void)state;
	const char *n[32];
	assert_int_equal(vnl_tsinfo_names(0, SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
					   SOF_TIMESTAMPING_SOFTWARE, n, 32), 3);
	assert_string_equal(n[0], "software-transmit");
	assert_string_equal(n[1], "software-receive");
	assert_string_equal(n[2], "software-system-clock");
	assert_int_equal(vnl_tsinfo_names(0, SOF_TIMESTAMPING_RAW_HARDWARE, n, 32), 1);
	assert_string_equal(n[0], "hardware-raw-clock");
	assert_int_equal(vnl_tsinfo_names(1, 1u << HWTSTAMP_TX_ON, n, 32), 1);
	assert_string_equal(n[0], "on");
	assert_int_equal(vnl_tsinfo_names(2, 1u << HWTSTAMP_FILTER_PTP_V2_EVENT, n, 32), 1);
	assert_string_equal(n[0], "ptpv2-event");
	assert_int_equal(vnl_tsinfo_names(2, 1u << HWTSTAMP_FILTER_NTP_ALL, n, 32), 1);
	assert_string_equal(n[0], "ntp-all");
	assert_int_equal(vnl_tsinfo_names(0, 0xffffffffu, n, 2), 2); /* at most MAX */
	assert_int_equal(vnl_tsinfo_names(1, 0, n, 32), 0);
}

static void loopback(void **state)
{
	(void)state;
	struct vnl_tsinfo ts;
	char why[160];
	assert_int_equal(vnl_tsinfo_read("lo", &ts, why, sizeof(why)), 0);
	assert_true(ts.so_timestamping & SOF_TIMESTAMPING_RX_SOFTWARE);
	assert_int_equal(ts.phc_index, -1);
}

static void missing(void **state)
{
	(void)state;
	struct vnl_tsinfo ts;
	char why[160];
	assert_int_equal(vnl_tsinfo_read("vnlnosuch0", &ts, why, sizeof(why)), -1);
	assert_string_equal(why, "no interface vnlnosuch0 in this network namespace");
	assert_int_equal(ts.phc_index, -1);
	assert_int_equal(vnl_tsinfo_read("a-name-longer-than-ifnamsiz", &ts, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(loopback),
		cmocka_unit_test(missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
