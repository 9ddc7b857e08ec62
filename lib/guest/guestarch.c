/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guestarch.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static const struct vnl_guestarch arches[] = {
	{ .name = "x86_64", .debian = "amd64", .kernel_pkg = "linux-image-amd64",
	  .multiarch = "x86_64-linux-gnu", .qemu = "qemu-system-x86_64",
	  .qemu_pkg = "qemu-system-x86", .machine = "q35",
	  .tcg_cpu = NULL, .console = "ttyS0", .elf_machine = EM_X86_64 },
	/* virt: the PCIe machine made for guests. TCG has no default CPU for it: max, with
	 * the implementation-defined pointer authentication, as QARMA is slow to emulate. */
	{ .name = "aarch64", .debian = "arm64", .kernel_pkg = "linux-image-arm64",
	  .multiarch = "aarch64-linux-gnu", .qemu = "qemu-system-aarch64",
	  .qemu_pkg = "qemu-system-arm", .machine = "virt",
	  .tcg_cpu = "max,pauth-impdef=on", .console = "ttyAMA0", .elf_machine = EM_AARCH64 },
};

const struct vnl_guestarch *vnl_guestarch_find(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(name, arches[i].name) || !strcmp(name, arches[i].debian))
			return &arches[i];
	return NULL;
}

const struct vnl_guestarch *vnl_guestarch_host(void)
{
	struct utsname u;
	return uname(&u) ? NULL : vnl_guestarch_find(u.machine);
}

int vnl_guestarch_native(const struct vnl_guestarch *a)
{
	return a == vnl_guestarch_host();
}

const char *vnl_guestarch_names(void)
{
	return "x86_64 or aarch64";
}

unsigned vnl_guestarch_elf_machine(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, &eh, sizeof(eh));
	close(fd);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return 0;
	return eh.e_machine;
}
