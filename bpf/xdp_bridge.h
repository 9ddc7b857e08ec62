/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The XDP bridge's maps as seen from both sides: the BPF programs
 * (bpf/xdp_bridge.bpf.c) and their loader (lib/xdp/xdpbridge.c).
 * Fixed-width kernel types only, so the layout is the same on both sides.
 */
#ifndef VNL_BPF_XDP_BRIDGE_H
#define VNL_BPF_XDP_BRIDGE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VNL_XDP_MAX_GUESTS 256 /* guest_macs / local_macs entries */
#define VNL_XDP_MAX_PORTS 64   /* tx_ports entries: the uplink and the taps */

/* Key of guest_macs and local_macs: a unicast MAC address. */
struct vnl_xdp_mac {
	__u8 addr[6];
};

/* Value of guest_macs: where frames for this guest MAC go. */
struct vnl_xdp_guest {
	__u32 tap_ifindex; /* the guest's tap; must also be a key of tx_ports */
	__u16 vlan;        /* 0: untagged on the uplink; 1..4094: 802.1Q id on the uplink;
			    * VNL_XDP_VLAN_TRUNK: the guest tags itself, frames pass as they are */
	__u16 pad;
};

/* 4095, a reserved id: a guest with its own VLAN interfaces (lab up --vlan). */
#define VNL_XDP_VLAN_TRUNK 4095

/* The single entry of bridge_cfg. */
struct vnl_xdp_bridge_cfg {
	__u32 uplink_ifindex; /* redirect target of xdp_guest; 0 = not attached yet */
};

/* Indexes of the per-CPU counters in the map "stats". */
enum vnl_xdp_stat {
	VNL_XDP_UPLINK_FAST,         /* redirected straight to a guest tap */
	VNL_XDP_UPLINK_SLOW,         /* passed to the kernel bridge on purpose */
	VNL_XDP_UPLINK_REDIRECT_ERR, /* meant for the fast path but no usable port: passed */
	VNL_XDP_UPLINK_RUNT,         /* shorter than its Ethernet (+VLAN) header: passed */
	VNL_XDP_GUEST_FAST,
	VNL_XDP_GUEST_SLOW,
	VNL_XDP_GUEST_REDIRECT_ERR,
	VNL_XDP_GUEST_RUNT,
	VNL_XDP_STAT_COUNT
};

#endif
