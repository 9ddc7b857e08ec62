/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What this host and its devices can do, probed once in one place so that
 * host.json, qemu's boot decision and the topologies never disagree:
 * KVM that answers, an IOMMU in use, 802.1Q, qdiscs (taprio, ETF), BTF for
 * the tracing layer, a Wi-Fi station. Each is a quick read of /dev, /proc or
 * /sys; nothing is loaded or changed.
 */
#ifndef VNL_HOSTCAPS_H
#define VNL_HOSTCAPS_H

#include <stdbool.h>

/* /dev/kvm opens and answers KVM_GET_API_VERSION (it can exist and not). Whether
 * it can run a guest is a trial's verdict (qemu.h, vnl_qemu_kvm_verdict). */
bool vnl_caps_kvm_usable(void);
/* An IOMMU the kernel uses: at least one group in /sys/kernel/iommu_groups. */
bool vnl_caps_iommu(void);
/* 802.1Q VLAN devices: built in or the 8021q module loaded. */
bool vnl_caps_vlan(void);
/* A qdisc kind ("taprio", "etf", "mqprio", "netem") built in, loaded or loadable
 * as a module of the running kernel. */
bool vnl_caps_qdisc(const char *kind);
/* The kernel's BTF (/sys/kernel/btf/vmlinux), which CO-RE BPF programs need. */
bool vnl_caps_btf(void);
/* A PREEMPT_RT kernel: /sys/kernel/realtime is 1, or UNAME_V (uname -v) names PREEMPT_RT. */
bool vnl_caps_preempt_rt(const char *uname_v);
/* IFNAME is a Wi-Fi station (cfg80211 or wireless extensions). */
bool vnl_caps_wireless(const char *ifname);

#endif
