/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building the guest image from Debian packages: the distribution kernel
 * (linux-image-amd64 -> linux-image-<abi>-amd64; arm64 for an aarch64 guest, from
 * a private apt state under CACHE_ROOT/apt/arm64), the modules the labs need
 * with their dependencies, busybox-static and a static vnetlat, packed into
 * a newc initramfs whose /init brings up the network and starts the agent.
 * Images are cached under CACHE_ROOT/guest/<hash of the inputs>/.
 */
#ifndef VNL_GUESTIMG_H
#define VNL_GUESTIMG_H

#include "paths.h"

#include <limits.h>
#include <stddef.h>

#include "guestarch.h"


struct vnl_guestimg_opts {
	const char *cache_root;  /* NULL: VNL_CACHE_ROOT */
	const char *out_dir;     /* write the image here instead of the cache, or NULL */
	const struct vnl_guestarch *arch; /* the guest's architecture; NULL: the host's */
	const char *vnetlat;     /* the static vnetlat to put in the guest (built for arch) */
	int force;               /* rebuild even when cached */
};

struct vnl_guest_image {
	char dir[PATH_MAX];
	char kernel[PATH_MAX];   /* DIR/vmlinuz */
	char initrd[PATH_MAX];   /* DIR/initrd.gz */
	char kver[96];           /* e.g. 6.1.0-56-amd64 */
	const struct vnl_guestarch *arch;
	int cached;              /* 1 when it was already there */
};

/* Build (or find in the cache) the image. 0, or -1 after printing a clear error. */
int vnl_guestimg_build(const struct vnl_guestimg_opts *o, struct vnl_guest_image *img);
/*
 * The static vnetlat for an ARCH guest (NULL: the host's): $VNL_GUEST_STATIC (host's
 * architecture) or $VNL_GUEST_STATIC_AARCH64 (...), else vnetlat-static (vnetlat-static-ARCH
 * for another architecture) next to the running executable, else the installed one.
 */
int vnl_guestimg_find_static(const struct vnl_guestarch *arch, char *buf, size_t len);
/*
 * The architecture an image in DIR was built for, from the "arch NAME" line
 * of the manifest vnl_guestimg_build writes there; NULL when the manifest is
 * missing, names none, or names one vnetlat does not know.
 */
const struct vnl_guestarch *vnl_guestimg_manifest_arch(const char *dir);
/* The modules the guest loads (names, NULL-terminated). */
extern const char *const vnl_guest_modules[];

#endif
