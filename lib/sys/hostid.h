/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which host (and so which CLOCK_REALTIME) a probe came from: a 32-bit hash
 * of the kernel's boot id. Network namespaces share it; VMs and other
 * machines do not, so equal ids mean one-way figures compare one clock.
 */
#ifndef VNL_HOSTID_H
#define VNL_HOSTID_H

#include <stdint.h>

/* Hash of /proc/sys/kernel/random/boot_id; 0 if it cannot be read. */
uint32_t vnl_hostid(void);

/* "same-host" when both ids are equal and known, else why one-way is uncertain. */
const char *vnl_hostid_clock_sync(uint32_t local, uint32_t remote);

#endif
