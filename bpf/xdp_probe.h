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

/*
 * What the program writes into the metadata area, right in front of each
 * probe frame it steers (bpf_xdp_adjust_meta; copy mode copies it along).
 * The AF_XDP reader finds it at frame - sizeof(struct vnl_xdp_probe_meta).
 */
#define VNL_XDP_PROBE_META_MAGIC 0x564e4d31 /* "VNM1" */
struct vnl_xdp_probe_meta {
	__u64 rx_hw;    /* driver's hardware RX stamp (bpf_xdp_metadata_rx_timestamp), 0 = none */
	__u64 xdp_tai;  /* bpf_ktime_get_tai_ns() at XDP ingress: a software RX stamp */
	__u32 reserved;
	__u32 magic;    /* VNL_XDP_PROBE_META_MAGIC: the fields above are valid */
};

/* Indexes of the per-CPU counters in the map "probe_stats". */
enum vnl_xdp_probe_stat {
	VNL_XDP_PROBE_STEERED,   /* a probe, handed to the AF_XDP socket of its queue */
	VNL_XDP_PROBE_NO_SOCKET, /* a probe, but no socket on its queue: passed */
	VNL_XDP_PROBE_PASSED,    /* not a probe: passed to the stack */
	VNL_XDP_PROBE_STAT_COUNT
};

#endif
