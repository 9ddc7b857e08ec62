/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "snmp.h"

static const char snmp[] =
	"Ip: Forwarding DefaultTTL InReceives\n"
	"Ip: 1 64 100\n"
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
	"IgnoredMulti MemErrors\n"
	"Udp: 44 0 12 45 0 0 12 0 0\n"
	"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
	"InCsumErrors IgnoredMulti MemErrors\n"
	"UdpLite: 0 0 0 0 0 0 7 0 0\n";

static const char snmp6[] =
	"Udp6InDatagrams                 \t5\n"
	"Udp6InCsumErrors                \t3\n"
	"UdpLite6InCsumErrors            \t9\n";

static void udp4_column_found(void **state)
{
	(void)state;
	uint64_t n;
	assert_true(vnl_snmp_udp_csum_errors(snmp, &n));
	assert_int_equal(n, 12); /* not UdpLite's 7 */
}

static void udp6_line_found_and_added(void **state)
{
	(void)state;
	char both[sizeof(snmp) + sizeof(snmp6)];
	snprintf(both, sizeof(both), "%s%s", snmp, snmp6);
	uint64_t n;
	assert_true(vnl_snmp_udp_csum_errors(both, &n));
	assert_int_equal(n, 15); /* 12 + 3, not UdpLite6's 9 */
	assert_true(vnl_snmp_udp_csum_errors(snmp6, &n));
	assert_int_equal(n, 3);
}

static void neither_counter(void **state)
{
	(void)state;
	uint64_t n = 99;
	assert_false(vnl_snmp_udp_csum_errors("", &n));
	assert_false(vnl_snmp_udp_csum_errors("Udp: InDatagrams\nUdp: x\n", &n));
	assert_false(vnl_snmp_udp_csum_errors("Udp: InCsumErrors\n", &n)); /* no value line */
	assert_false(vnl_snmp_udp_csum_errors("Udp: A InCsumErrors\nUdp: 5\n", &n)); /* short */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(udp4_column_found),
		cmocka_unit_test(udp6_line_found_and_added),
		cmocka_unit_test(neither_counter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
