/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat --version: the version, then what this build can do (see vnetlat(8)). */
#include <limits.h>
#include <stdio.h>

#include "cmd.h"
#include "guestarch.h"
#include "guestimg.h"
#include "log.h"
#ifndef VNL_GUEST_STATIC /* the guest's static build has no libbpf */
#include <bpf/libbpf.h>
#endif

#ifndef VNL_GUEST_STATIC
/* Where the static vnetlat for an ARCH guest is, or how to get one. */
static void guest_binary(const char *arch_name)
{
	const struct vnl_guestarch *a = vnl_guestarch_find(arch_name);
	char path[PATH_MAX];
	if (a && vnl_guestimg_find_static(a, path, sizeof(path)) == 0)
		printf("  guest %-8s %s\n", arch_name, path);
	else if (a && vnl_guestarch_native(a))
		printf("  guest %-8s no static vnetlat (a sanitizer build: set VNL_GUEST_STATIC)\n",
		       arch_name);
	else
		printf("  guest %-8s not built (scripts/build-guest-static %s)\n", arch_name,
		       arch_name);
}
#endif

int cmd_version(void)
{
	printf("vnetlat %s\n", VNL_VERSION);
#ifdef VNL_GUEST_STATIC
	puts("features (the guest's static build):\n"
	     "  send, recv, report, guest agent; no lab, run, study, BPF or AF_XDP");
#else
	printf("features:\n"
	       "  bpf            libbpf %u.%u: XDP bridge, AF_XDP steering, VLAN tagger\n"
	       "  af_xdp         send/recv --transport xdp, hop observers\n",
	       libbpf_major_version(), libbpf_minor_version());
	guest_binary("x86_64");
	guest_binary("aarch64");
#endif
	return VNL_EXIT_OK;
}
