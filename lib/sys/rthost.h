/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real-time facts of a host, as the published study set them up:
 * isolated CPUs (isolcpus), tickless CPUs (nohz_full), RCU callback offload
 * (rcu_nocbs), a PREEMPT_RT kernel, the CPU frequency governor and SMT.
 * Read from /sys and /proc (under a root directory, so tests can give their
 * own tree); nothing is changed. Shared by host.json, `lab doctor --rt` and
 * `clock status`.
 */
#ifndef VNL_RTHOST_H
#define VNL_RTHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "cpulist.h"

struct vnl_rthost {
	char isolcpus[128];   /* /sys/devices/system/cpu/isolated: "" none */
	char nohz_full[128];  /* /sys/devices/system/cpu/nohz_full: "" none */
	char rcu_nocbs[128];  /* rcu_nocbs= of /proc/cmdline: "" none, "all" for a bare rcu_nocbs */
	bool preempt_rt;      /* /sys/kernel/realtime is 1, or uname -v says PREEMPT_RT */
	/* cpufreq scaling_governor: one name when every CPU has it, "mixed: cpu0 performance, ..."
	 * when not, "" when the host has no cpufreq (a VM, or firmware-managed frequency) */
	char governor[160];
	int smt;              /* /sys/devices/system/cpu/smt/active: 1, 0, or -1 unknown */
	char smt_control[32]; /* on, off, forceoff, notsupported, notimplemented, or "" */
	unsigned cpus;        /* CPUs in /sys/devices/system/cpu/online */
};

/* Fill H from ROOT (NULL or "": "/"); UNAME_V is `uname -v` (NULL: read it). Never fails. */
void vnl_rthost_read(struct vnl_rthost *h, const char *root, const char *uname_v);

#endif
