/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VLAN tagger's parameters as seen from both sides: the tc programs
 * (bpf/vlan_tag.bpf.c) and their loader (lib/xdp/vlantag.c).
 */
#ifndef VNL_BPF_VLAN_TAG_H
#define VNL_BPF_VLAN_TAG_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* .rodata of the object, set by the loader before the programs are loaded. */
struct vnl_vlan_tag_cfg {
	__u32 vid;           /* 802.1Q id, 1..4094 */
	__u32 wire_ifindex;  /* the trunk: tagged frames leave and arrive here */
	__u32 port_ifindex;  /* the untagged end (vlan0): what the tag is popped for */
};

/* skb->priority 0..7 becomes PCP 0..7 (egress-qos-map 0:0 .. 7:7); others PCP 0. */
#define VNL_VLAN_PCP_SHIFT 13
#define VNL_VLAN_PRIO_MAX 7

#endif
