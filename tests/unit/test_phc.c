/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the KVM PTP clock and the reasons given when there is none, on a
 * directory laid out like the guest's /sys, /dev and /run. The ioctls
 * themselves need a real PHC (none on these machines): here only their
 * refusal by a file that is not one is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phc.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256], dir[256];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	/* parents first */
	for (char *p = strchr(path + strlen(root) + 1, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - path), path);
		mkdir(dir, 0755);
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/vnl-test-phc.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void no_ptp_class(void **state)
{
	(void)state;
	char why[320];
	assert_null(vnl_phc_open(root, why, sizeof(why)));
	assert_non_null(strstr(why, "no PTP clock named \"KVM virtual PTP\""));
	assert_null(strstr(why, "did not load"));  /* no note from /init: nothing claimed */
}

static void other_clocks_and_the_module_note(void **state)
{
	(void)state;
	char why[320];
	put("/sys/class/ptp/ptp0/clock_name", "52:54:00:12:34:56\n"); /* e1000e names it so */
	put(VNL_PHC_MODULE_FAILURES, "8021q: insmod: can't insert '8021q.ko': File exists\n"
	    "ptp_kvm: insmod: can't insert '/lib/modules/6.1.0-56-amd64/ptp_kvm.ko': "
	    "Operation not supported\n");
	assert_null(vnl_phc_open(root, why, sizeof(why)));
	assert_non_null(strstr(why, "(1 other)"));
	assert_non_null(strstr(why, "ptp_kvm did not load: insmod: can't insert "
				    "'/lib/modules/6.1.0-56-amd64/ptp_kvm.ko': Operation not supported"));
	assert_null(strstr(why, "8021q"));
}

static void kvm_clock_found_but_device_missing(void **state)
{
	(void)state;
	char why[320];
	put("/sys/class/ptp/ptp1/clock_name", VNL_PHC_KVM_NAME "\n");
	assert_null(vnl_phc_open(root, why, sizeof(why)));
	assert_non_null(strstr(why, "cannot open /dev/ptp1"));
}

static void not_a_phc_refuses_every_ioctl(void **state)
{
	(void)state;
	char why[320];
	struct vnl_phc_sample s[VNL_PHC_MAX_SAMPLES];
	put("/dev/ptp1", "");  /* a plain file where the character device should be */
	struct vnl_phc *p = vnl_phc_open(root, why, sizeof(why));
	assert_non_null(p);
	assert_string_equal(vnl_phc_device(p), "/dev/ptp1");
	assert_string_equal(vnl_phc_ioctl(p), "");
	assert_int_equal(vnl_phc_read(p, s, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "1 to 25"));
	assert_int_equal(vnl_phc_read(p, s, 3, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/dev/ptp1 refused PTP_SYS_OFFSET_PRECISE, _EXTENDED and "
				    "PTP_SYS_OFFSET"));
	assert_non_null(strstr(why, "Inappropriate ioctl"));
	assert_string_equal(vnl_phc_ioctl(p), "");
	vnl_phc_close(p);
}

int main(void)
{
	/* in this order: each adds to the tree */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_ptp_class),
		cmocka_unit_test(other_clocks_and_the_module_note),
		cmocka_unit_test(kvm_clock_found_but_device_missing),
		cmocka_unit_test(not_a_phc_refuses_every_ioctl),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
