/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest architectures and the qemu command line each one gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <string.h>
#include <sys/utsname.h>

#include "guestarch.h"
#include "qemu.h"

static void test_find(void **state)
{
	(void)state;
	const struct vnl_guestarch *a = vnl_guestarch_find("aarch64");
	assert_non_null(a);
	assert_ptr_equal(vnl_guestarch_find("arm64"), a);
	assert_string_equal(a->debian, "arm64");
	assert_string_equal(a->kernel_pkg, "linux-image-arm64");
	assert_int_equal(a->elf_machine, EM_AARCH64);
	assert_ptr_equal(vnl_guestarch_find("amd64"), vnl_guestarch_find("x86_64"));
	assert_null(vnl_guestarch_find("sparc"));
	assert_null(vnl_guestarch_find(""));
}

static void test_host(void **state)
{
	(void)state;
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	const struct vnl_guestarch *h = vnl_guestarch_host();
	assert_ptr_equal(h, vnl_guestarch_find(u.machine));
	if (!h)
		return; /* a host vnetlat has no guest for: nothing more to compare */
	assert_true(vnl_guestarch_native(h));
	/* this very test program is built for the host */
	assert_int_equal(vnl_guestarch_elf_machine("/proc/self/exe"), h->elf_machine);
	assert_int_equal(vnl_guestarch_elf_machine("/proc/self/status"), 0);
	assert_int_equal(vnl_guestarch_elf_machine("/nonexistent"), 0);
}

/* The index of word W in A, or -1. */
static int word_at(const struct vnl_argv *a, const char *w)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], w))
			return (int)i;
	return -1;
}

static void argv_for(const char *arch, enum vnl_accel accel, struct vnl_argv *a)
{
	struct vnl_qemu_cfg cfg = { .arch = vnl_guestarch_find(arch), .kernel = "K", .initrd = "I",
				    .accel = accel, .tap = "tap0", .tap_fd = -1, .run_dir = "/run/x" };
	assert_int_equal(vnl_qemu_argv(&cfg, a), 0);
}

static void test_qemu_argv(void **state)
{
	(void)state;
	struct vnl_argv a;
	argv_for("aarch64", VNL_ACCEL_TCG, &a);
	assert_string_equal(a.v[0], "qemu-system-aarch64");
	int m = word_at(&a, "-machine"), c = word_at(&a, "-cpu"), ap = word_at(&a, "-append");
	assert_true(m > 0 && c > 0 && ap > 0);
	assert_string_equal(a.v[m + 1], "virt");
	assert_memory_equal(a.v[c + 1], "max", 3);
	assert_non_null(strstr(a.v[ap + 1], "console=ttyAMA0 "));
	assert_true(word_at(&a, "virtio-serial-pci,id=vser0") > 0);
	vnl_argv_free(&a);

	argv_for("aarch64", VNL_ACCEL_KVM, &a); /* on an arm64 host */
	c = word_at(&a, "-cpu");
	assert_true(c > 0);
	assert_string_equal(a.v[c + 1], "host");
	vnl_argv_free(&a);

	argv_for("x86_64", VNL_ACCEL_TCG, &a);
	assert_string_equal(a.v[0], "qemu-system-x86_64");
	m = word_at(&a, "-machine");
	ap = word_at(&a, "-append");
	assert_string_equal(a.v[m + 1], "q35");
	assert_int_equal(word_at(&a, "-cpu"), -1); /* qemu's default CPU under TCG */
	assert_non_null(strstr(a.v[ap + 1], "console=ttyS0 "));
	vnl_argv_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_qemu_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
