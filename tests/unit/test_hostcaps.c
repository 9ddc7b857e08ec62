// SPDX-License-Identifier: GPL-2.0-or-later
/* Host capability probes against independent oracles: modinfo for qdisc modules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "hostcaps.h"

/* modinfo (kmod) finds modules of the running kernel, /sys/module the loaded or built-in ones. */
static bool oracle_qdisc(const char *kind)
{
	char cmd[160], path[96];
	snprintf(path, sizeof(path), "/sys/module/sch_%s", kind);
	snprintf(cmd, sizeof(cmd), "modinfo -F name sch_%s >/dev/null 2>&1", kind);
	return access(path, F_OK) == 0 || system(cmd) == 0;
}

static void qdiscs_as_modinfo_says(void **state)
{
	(void)state;
	if (system("command -v modinfo >/dev/null 2>&1") != 0)
		skip();
	static const char *const kinds[] = { "htb", "taprio", "etf", "mqprio", "netem", "fq", "no_such_qdisc" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		bool want = oracle_qdisc(kinds[i]);
		print_message("qdisc %s: %s\n", kinds[i], want ? "yes" : "no");
		assert_int_equal(vnl_caps_qdisc(kinds[i]), want);
	}
	assert_false(vnl_caps_qdisc("no_such_qdisc"));
}

static void simple_probes(void **state)
{
	(void)state;
	assert_false(vnl_caps_wireless("lo"));
	assert_false(vnl_caps_wireless("no-such-if"));
	assert_int_equal(vnl_caps_btf(), access("/sys/kernel/btf/vmlinux", R_OK) == 0);
	assert_int_equal(vnl_caps_vlan(), access("/proc/net/vlan", F_OK) == 0 ||
					  access("/sys/module/8021q", F_OK) == 0);
	if (access("/dev/kvm", F_OK) != 0)
		assert_false(vnl_caps_kvm_usable());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qdiscs_as_modinfo_says),
		cmocka_unit_test(simple_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
