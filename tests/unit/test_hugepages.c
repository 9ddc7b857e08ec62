/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Free hugepages for a vhost-user guest's memory, from /proc/meminfo and /proc/mounts texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hugepages.h"

#define MOUNTS "proc /proc proc rw 0 0\nhugetlbfs /dev/huge1g hugetlbfs rw,relatime,pagesize=1G 0 0\n" \
	       "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n" \
	       "none /mnt/huge hugetlbfs rw,relatime 0 0\n"

static void check(const char *meminfo, const char *mounts, unsigned mb, bool want,
		  const char *mount, const char *said)
{
	char m[64] = "", s[160] = "";
	assert_int_equal(vnl_hugepages_from(meminfo, mounts, mb, m, sizeof(m), s, sizeof(s)), want);
	if (mount)
		assert_string_equal(m, mount);
	assert_non_null(strstr(s, said));
}

static void none_free(void **state)
{
	(void)state;
	check("MemTotal: 100 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n",
	      MOUNTS, 256, false, NULL, "no free hugepages (HugePages_Free 0)");
	check("MemTotal: 100 kB\n", MOUNTS, 256, false, NULL, "no free hugepages");
}

static void too_few(void **state)
{
	(void)state;
	/* 256 MB of 2 MB pages is 128 */
	check("HugePages_Free:      127\nHugepagesize:       2048 kB\n", MOUNTS, 256, false, NULL,
	      "too few free hugepages (127 of 2048 kB free, 128 needed)");
}

static void enough_on_a_mount(void **state)
{
	(void)state;
	/* the first mount of the default page size: its pagesize= says so, or it has none */
	check("HugePages_Free:      128\nHugepagesize:       2048 kB\n", MOUNTS, 256, true, "/dev/hugepages",
	      "hugepages (/dev/hugepages, 128 of 2048 kB free)");
	check("HugePages_Free:      1\nHugepagesize:    1048576 kB\n", MOUNTS, 512, true, "/dev/huge1g",
	      "hugepages (/dev/huge1g, 1 of 1048576 kB free)");
	check("HugePages_Free:      64\nHugepagesize:       4096 kB\n", MOUNTS, 256, true, "/mnt/huge",
	      "hugepages (/mnt/huge, 64 of 4096 kB free)");
}

static void no_mount(void **state)
{
	(void)state;
	check("HugePages_Free:      512\nHugepagesize:       2048 kB\n", "proc /proc proc rw 0 0\n", 256,
	      false, NULL, "512 hugepages free but no hugetlbfs mount of their size");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(none_free),
		cmocka_unit_test(too_few),
		cmocka_unit_test(enough_on_a_mount),
		cmocka_unit_test(no_mount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
