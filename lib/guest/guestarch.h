/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's architecture: everything that differs between an x86_64 and an
 * aarch64 guest, in one table. Debian's names for its packages, the multiarch
 * directories its libraries live in, the qemu binary, machine, CPU under TCG
 * and the serial console. The default is the host's own architecture.
 */
#ifndef VNL_GUESTARCH_H
#define VNL_GUESTARCH_H

#include <stddef.h>

struct vnl_guestarch {
	const char *name;        /* "x86_64", "aarch64": uname -m, meson's cpu_family */
	const char *debian;      /* Debian's architecture: "amd64", "arm64" */
	const char *kernel_pkg;  /* the unversioned kernel package: "linux-image-arm64" */
	const char *multiarch;   /* "aarch64-linux-gnu": library directories */
	const char *qemu;        /* "qemu-system-aarch64" */
	const char *qemu_pkg;    /* the Debian package that has it: "qemu-system-arm" */
	const char *machine;     /* "q35", "virt" */
	const char *tcg_cpu;     /* -cpu under TCG, or NULL for qemu's default */
	const char *console;     /* "ttyS0", "ttyAMA0" */
	unsigned elf_machine;    /* EM_X86_64, EM_AARCH64 */
};

/* The architecture called NAME (x86_64 or aarch64; amd64 and arm64 too), or NULL. */
const struct vnl_guestarch *vnl_guestarch_find(const char *name);
/* The host's own architecture, or NULL on a host vnetlat has no guest for. */
const struct vnl_guestarch *vnl_guestarch_host(void);
/* 1 when A is the host's architecture (the guest's programs run here, KVM may work). */
int vnl_guestarch_native(const struct vnl_guestarch *a);
/* "x86_64 or aarch64", for messages. */
const char *vnl_guestarch_names(void);
/* The ELF e_machine of the file at PATH (0 when it is no readable ELF file). */
unsigned vnl_guestarch_elf_machine(const char *path);

#endif
