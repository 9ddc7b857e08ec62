/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linuxptp pmc output (as ptp4l 3.1 prints it, software timestamping on a veth):
 * a slave, a master, an error answer, malformed values, a second port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pmc.h"

static const char slave[] =
	"sending: GET PORT_DATA_SET\n"
	"sending: GET CURRENT_DATA_SET\n"
	"\t2ece70.fffe.3d7576-1 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET \n"
	"\t\tportIdentity            2ece70.fffe.3d7576-1\n"
	"\t\tportState               UNCALIBRATED\n"
	"\t\tlogMinDelayReqInterval  0\n"
	"\t\tpeerMeanPathDelay       0\n"
	"\t\tversionNumber           2\n"
	"sending: GET TIME_STATUS_NP\n"
	"\t2ece70.fffe.3d7576-0 seq 1 RESPONSE MANAGEMENT CURRENT_DATA_SET \n"
	"\t\tstepsRemoved     1\n"
	"\t\toffsetFromMaster -788.0\n"
	"\t\tmeanPathDelay    1469.6\n"
	"sending: GET PARENT_DATA_SET\n"
	"\t2ece70.fffe.3d7576-0 seq 2 RESPONSE MANAGEMENT TIME_STATUS_NP \n"
	"\t\tmaster_offset              -788\n"
	"\t\tingress_time               1796325239222159009\n"
	"\t\tcumulativeScaledRateOffset +0.000000000\n"
	"\t\tlastGmPhaseChange          0x0000'0000000000000000.0000\n"
	"\t\tgmPresent                  true\n"
	"\t\tgmIdentity                 2287d6.fffe.7b4ff7\n"
	"\t2ece70.fffe.3d7576-0 seq 3 RESPONSE MANAGEMENT PARENT_DATA_SET \n"
	"\t\tparentPortIdentity                    2287d6.fffe.7b4ff7-1\n"
	"\t\tparentStats                           0\n"
	"\t\tgrandmasterPriority1                  100\n"
	"\t\tgm.ClockClass                         248\n"
	"\t\tgrandmasterPriority2                  128\n"
	"\t\tgrandmasterIdentity                   2287d6.fffe.7b4ff7\n";

static void a_slave(void **state)
{
	(void)state;
	struct vnl_pmc p;
	assert_int_equal(vnl_pmc_parse(slave, &p), 4);
	assert_string_equal(p.port_identity, "2ece70.fffe.3d7576-1");
	assert_string_equal(p.port_state, "UNCALIBRATED");
	assert_true(p.have_current);
	assert_int_equal(p.steps_removed, 1);
	assert_int_equal(p.offset_from_master_ns, -788);
	assert_int_equal(p.mean_path_delay_ns, 1470); /* rounded */
	assert_int_equal(p.master_offset_ns, -788);
	assert_true(p.gm_present);
	assert_string_equal(p.gm_identity, "2287d6.fffe.7b4ff7");
	assert_string_equal(p.parent_port_identity, "2287d6.fffe.7b4ff7-1");
	assert_string_equal(p.grandmaster_identity, "2287d6.fffe.7b4ff7");
	assert_int_equal(p.grandmaster_priority1, 100);
	assert_int_equal(p.grandmaster_priority2, 128);
}

static void a_master_without_current(void **state)
{
	(void)state;
	struct vnl_pmc p;
	const char *text =
		"sending: GET PORT_DATA_SET\n"
		"\t2287d6.fffe.7b4ff7-1 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET \n"
		"\t\tportIdentity            2287d6.fffe.7b4ff7-1\n"
		"\t\tportState               MASTER\n"
		"\t2287d6.fffe.7b4ff7-0 seq 1 RESPONSE MANAGEMENT TIME_STATUS_NP \n"
		"\t\tmaster_offset              0\n"
		"\t\tgmPresent                  false\n"
		"\t\tgmIdentity                 2287d6.fffe.7b4ff7\n";
	assert_int_equal(vnl_pmc_parse(text, &p), 2);
	assert_string_equal(p.port_state, "MASTER");
	assert_false(p.have_current);
	assert_false(p.have_parent);
	assert_false(p.gm_present);
	assert_string_equal(p.grandmaster_identity, "");
}

static void nothing_or_errors(void **state)
{
	(void)state;
	struct vnl_pmc p;
	assert_int_equal(vnl_pmc_parse("", &p), 0);
	assert_int_equal(vnl_pmc_parse("sending: GET PORT_DATA_SET\n", &p), 0);
	assert_int_equal(vnl_pmc_parse("\t2287d6.fffe.7b4ff7-1 seq 0 RESPONSE MANAGEMENT_ERROR_STATUS "
				       "PORT_DATA_SET\n\t\terror 0x0002\n", &p), 0);
	assert_int_equal(vnl_pmc_parse("\t\tportState MASTER\n", &p), 0); /* no header */
}

static void malformed_values_stay_absent(void **state)
{
	(void)state;
	struct vnl_pmc p;
	const char *text =
		"\tx seq 0 RESPONSE MANAGEMENT PORT_DATA_SET\n"
		"\t\tportIdentity            2287d6.fffe.7b4ff7\n"        /* no port number */
		"\t\tportState               master;rm\n"
		"\tx seq 1 RESPONSE MANAGEMENT CURRENT_DATA_SET\n"
		"\t\toffsetFromMaster        12abc\n"
		"\t\tmeanPathDelay           nan\n"
		"\tx seq 2 RESPONSE MANAGEMENT PARENT_DATA_SET\n"
		"\t\tgrandmasterIdentity     2287d6.fffe.7b4ff7zz\n"
		"\t\tparentPortIdentity      2287d6-fffe.7b4ff7-1\n";
	assert_int_equal(vnl_pmc_parse(text, &p), 3);
	assert_string_equal(p.port_identity, "");
	assert_string_equal(p.port_state, "");
	assert_int_equal(p.offset_from_master_ns, 0);
	assert_int_equal(p.mean_path_delay_ns, 0);
	assert_string_equal(p.grandmaster_identity, "");
	assert_string_equal(p.parent_port_identity, "");
}

static void first_port_counts(void **state)
{
	(void)state;
	struct vnl_pmc p;
	const char *text =
		"\ta seq 0 RESPONSE MANAGEMENT PORT_DATA_SET\n"
		"\t\tportState               SLAVE\n"
		"\tb seq 0 RESPONSE MANAGEMENT PORT_DATA_SET\n"
		"\t\tportState               PASSIVE\n";
	assert_int_equal(vnl_pmc_parse(text, &p), 1);
	assert_string_equal(p.port_state, "SLAVE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_slave),
		cmocka_unit_test(a_master_without_current),
		cmocka_unit_test(nothing_or_errors),
		cmocka_unit_test(malformed_values_stay_absent),
		cmocka_unit_test(first_port_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
