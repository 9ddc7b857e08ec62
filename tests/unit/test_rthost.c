// SPDX-License-Identifier: GPL-2.0-or-later
/* The host's real-time facts from a /sys and /proc tree of the test's own, and CPU lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpulist.h"
#include "rthost.h"

static char root[64];

static void put(const char *path, const char *text)
{
	char full[256], dir[320];
	snprintf(full, sizeof(full), "%s%s", root, path);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", full);
	assert_int_equal(system(dir), 0);
	FILE *f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/vnl-rthost-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void cpu_lists(void **state)
{
	(void)state;
	assert_int_equal(vnl_cpulist_count(""), 0);
	assert_int_equal(vnl_cpulist_count("3"), 1);
	assert_int_equal(vnl_cpulist_count("0-3,6"), 5);
	assert_int_equal(vnl_cpulist_count("0-7:2"), 4);
	assert_int_equal(vnl_cpulist_count("0-3\n"), 4);
	assert_int_equal(vnl_cpulist_count("3-1"), -1);
	assert_int_equal(vnl_cpulist_count("a"), -1);
	assert_int_equal(vnl_cpulist_count("1,"), -1);
	assert_int_equal(vnl_cpulist_count("1-"), -1);
	assert_int_equal(vnl_cpulist_count("0-4:0"), -1);
	assert_int_equal(vnl_cpulist_has("0-3,6", 6), 1);
	assert_int_equal(vnl_cpulist_has("0-3,6", 4), 0);
	assert_int_equal(vnl_cpulist_has("0-7:2", 4), 1);
	assert_int_equal(vnl_cpulist_has("0-7:2", 5), 0);
	assert_int_equal(vnl_cpulist_has("", 0), 0);
	assert_int_equal(vnl_cpulist_has("x", 0), -1);
	assert_int_equal(vnl_cpulist_max("0-3,6"), 6);
	assert_int_equal(vnl_cpulist_max("1-6:2"), 5);
	assert_int_equal(vnl_cpulist_max(""), -1);
	/* in the order written: --pin-vcpu 1,0 puts vCPU 0 on CPU 1 */
	assert_int_equal(vnl_cpulist_nth("1,0", 0), 1);
	assert_int_equal(vnl_cpulist_nth("1,0", 1), 0);
	assert_int_equal(vnl_cpulist_nth("1,0", 2), -1);
	assert_int_equal(vnl_cpulist_nth("4-8:2,1", 2), 8);
	assert_int_equal(vnl_cpulist_nth("4-8:2,1", 3), 1);
	assert_int_equal(vnl_cpulist_nth("x", 0), -1);
}

/* An isolated, tickless host with per-CPU governors that differ, and SMT on. */
static void tuned_host(void **state)
{
	(void)state;
	put("/sys/devices/system/cpu/online", "0-3\n");
	put("/sys/devices/system/cpu/isolated", "2-3\n");
	put("/sys/devices/system/cpu/nohz_full", "2-3\n");
	put("/proc/cmdline", "quiet isolcpus=2-3 rcu_nocbs=2,3 -- rcu_nocbs=9\n");
	put("/sys/kernel/realtime", "1\n");
	for (int c = 0; c < 4; c++) {
		char p[96];
		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c);
		put(p, c == 1 ? "powersave\n" : "performance\n");
	}
	put("/sys/devices/system/cpu/smt/active", "1\n");
	put("/sys/devices/system/cpu/smt/control", "on\n");
	struct vnl_rthost h;
	vnl_rthost_read(&h, root, "#1 SMP");
	assert_int_equal(h.cpus, 4);
	assert_string_equal(h.isolcpus, "2-3");
	assert_string_equal(h.nohz_full, "2-3");
	assert_string_equal(h.rcu_nocbs, "2,3"); /* what follows "--" is init's */
	assert_true(h.preempt_rt);
	assert_string_equal(h.governor, "mixed: cpu0 performance, cpu1 powersave, cpu2 performance, "
					"cpu3 performance");
	assert_int_equal(h.smt, 1);
	assert_string_equal(h.smt_control, "on");
}

/* A VM: nothing isolated, "(null)" nohz_full, no cpufreq, no SMT knowledge, a bare rcu_nocbs. */
static void plain_vm(void **state)
{
	(void)state;
	remove_root(NULL);
	make_root(NULL);
	put("/sys/devices/system/cpu/online", "0-1\n");
	put("/sys/devices/system/cpu/isolated", "\n");
	put("/sys/devices/system/cpu/nohz_full", "(null)\n");
	put("/proc/cmdline", "console=ttyS0 rcu_nocbs\n");
	struct vnl_rthost h;
	vnl_rthost_read(&h, root, "#1 SMP PREEMPT_DYNAMIC");
	assert_int_equal(h.cpus, 2);
	assert_string_equal(h.isolcpus, "");
	assert_string_equal(h.nohz_full, "");
	assert_string_equal(h.rcu_nocbs, "all");
	assert_false(h.preempt_rt);
	assert_string_equal(h.governor, "");
	assert_int_equal(h.smt, -1);
	assert_string_equal(h.smt_control, "");
	/* the kernel's own word for a real-time kernel in uname -v */
	vnl_rthost_read(&h, root, "#1 SMP PREEMPT_RT Debian 6.1.0-rt");
	assert_true(h.preempt_rt);
}

/* This host, against what /sys says. */
static void this_host(void **state)
{
	(void)state;
	struct vnl_rthost h;
	char isol[128] = "";
	FILE *f = fopen("/sys/devices/system/cpu/isolated", "r");
	if (f) {
		if (fgets(isol, sizeof(isol), f))
			isol[strcspn(isol, "\n")] = '\0';
		fclose(f);
	}
	vnl_rthost_read(&h, NULL, NULL);
	assert_string_equal(h.isolcpus, isol);
	assert_int_equal(h.cpus, (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_lists),
		cmocka_unit_test(tuned_host),
		cmocka_unit_test(plain_vm),
		cmocka_unit_test(this_host),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
