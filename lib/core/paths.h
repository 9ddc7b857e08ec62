/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where vnetlat keeps things on the host, each defined once. */
#ifndef VNL_PATHS_H
#define VNL_PATHS_H

/* Run-time state, gone at reboot like the namespaces it describes. */
#define VNL_RUN_ROOT "/run/vnetlat"
/* Each lab's state file (what up made) and info file (how to use it). */
#define VNL_LABS_DIR VNL_RUN_ROOT "/labs"
/* A booted guest's run directory (console, qemu log, control channel): one per name. */
#define VNL_GUEST_RUN_DIR VNL_RUN_ROOT "/guest"
/* Guest images, Debian packages, apt's remembered answers, the KVM verdict. */
#define VNL_CACHE_ROOT "/var/cache/vnetlat"

#endif
