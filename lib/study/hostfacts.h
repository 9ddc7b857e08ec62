/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facts about the host a study runs on (DIR/host.json): kernel, CPU, cores,
 * the accelerator a guest would get, vhost-net, isolated CPUs, PREEMPT_RT;
 * and the questions a study asks before running a case (KVM, IOMMU, 802.1Q).
 * Everything is read from /proc, /sys and /dev; nothing is changed.
 */
#ifndef VNL_HOSTFACTS_H
#define VNL_HOSTFACTS_H

#include <jansson.h>
#include <stdbool.h>

#include "rthost.h"

struct vnl_hostfacts {
	char kernel[128];     /* uname -r */
	char kernel_version[256]; /* uname -v */
	char arch[65];        /* uname -m */
	char guest_arch[16];  /* the architecture of the guests a study boots: the host's */
	char cpu[128];        /* model name */
	unsigned cores;       /* online CPUs */
	bool kvm;             /* /dev/kvm answers KVM_GET_API_VERSION and no trial boot here found
	                       * it unable to run a guest (the verdict lib/qemu caches) */
	bool vhost;           /* /dev/vhost-net exists */
	bool iommu;           /* at least one IOMMU group */
	bool vlan;            /* the kernel has 802.1Q (loaded or built in) */
	bool taprio, etf;     /* the qdiscs of TSN (Qbv, launch time): built in, loaded or loadable */
	bool btf;             /* the kernel's BTF, for the CO-RE tracing programs */
	struct vnl_rthost rt; /* isolcpus, nohz_full, rcu_nocbs, PREEMPT_RT, governor, SMT */
};

/* Fill F from this host. Never fails: what cannot be read stays empty/false. */
void vnl_hostfacts_read(struct vnl_hostfacts *f);
/* Only f->kvm again: a study's first guest may have tried KVM since. */
void vnl_hostfacts_read_accel(struct vnl_hostfacts *f);
/*
 * host.json: {kernel, arch, guest_arch, cpu, cores, accel, vhost, guest_clock ("ptp_kvm"
 * with KVM, else "agent"), guest_clock_why, isolcpus, preempt_rt, nohz_full, rcu_nocbs,
 * cpu_governor, smt, smt_control,
 * vnetlat_version, started, finished}; STARTED/FINISHED are RFC 3339 UTC
 * times or NULL (finished: null while running).
 */
json_t *vnl_hostfacts_json(const struct vnl_hostfacts *f, const char *started,
			   const char *finished);
/* The current time as RFC 3339 UTC ("2026-11-24T10:11:12Z") into buf. */
void vnl_hostfacts_now(char *buf, size_t len);

#endif
