/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AF_XDP steering program's maps as seen from both sides
 * (bpf/xdp_probe.bpf.c and whoever loads it).
 */
#ifndef VNL_BPF_XDP_PROBE_H
#define VNL_BPF_XDP_PROBE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VNL_XDP_PROBE_MAX_QUEUES 64 /* xsks entries: one AF_XDP socket per rx queue */

/* The single entry of probe_cfg; a zero field disables that match. */
struct vnl_xdp_probe_cfg {
	__u16 udp_port;  /* host byte order: UDP destination port of probes (IPv4 and IPv6) */
	__u16 ethertype; /* host byte order: EtherType of raw-Ethernet probes */
};

/* Indexes of the per-CPU counters in the map "probe_stats". */
enum vnl_xdp_probe_stat {
	VNL_XDP_PROBE_STEERED,   /* a probe, handed to the AF_XDP socket of its queue */
	VNL_XDP_PROBE_NO_SOCKET, /* a probe, but no socket on its queue: passed */
	VNL_XDP_PROBE_PASSED,    /* not a probe: passed to the stack */
	VNL_XDP_PROBE_STAT_COUNT
};

#endif
