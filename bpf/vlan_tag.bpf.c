// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A VLAN device made of two tc direct-action programs, for kernels without
 * 802.1Q (lib/xdp/vlantag.c attaches them):
 *  - vlan_tag_out, on the egress of the port (vlan0): push the tag, PCP from
 *    skb->priority as egress-qos-map 0:0 .. 7:7 would, and send the frame out
 *    of the wire. Here, not on vlan0's veth peer: crossing a veth clears
 *    skb->priority.
 *  - vlan_tag_in, on the ingress of the wire: frames tagged with our id (in
 *    skb metadata, where the stack puts a received tag, or still in line)
 *    lose the tag and arrive on the port. Everything else stays on the wire
 *    (TC_ACT_OK): DHCP and the rest of the untagged network are untouched.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vlan_tag.h"
#include "xdp_parse.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

char LICENSE[] SEC("license") = "GPL";

const volatile struct vnl_vlan_tag_cfg cfg = {};

SEC("tc")
int vlan_tag_out(struct __sk_buff *skb)
{
	__u32 prio = skb->priority <= VNL_VLAN_PRIO_MAX ? skb->priority : 0;
	__u16 tci = (__u16)(cfg.vid | prio << VNL_VLAN_PCP_SHIFT);

	if (bpf_skb_vlan_push(skb, bpf_htons(VNL_ETH_P_8021Q), tci))
		return TC_ACT_SHOT;
	return (int)bpf_redirect(cfg.wire_ifindex, 0);
}

/* The frame's VLAN id, or -1 when it has no 802.1Q tag. */
static __always_inline int frame_vid(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct vnl_frame f;

	if (skb->vlan_present)
		return (int)(skb->vlan_tci & VNL_VLAN_VID_MASK);
	if (vnl_parse_eth(data, data_end, &f) < 0 || !f.tagged)
		return -1;
	return f.vid;
}

SEC("tc")
int vlan_tag_in(struct __sk_buff *skb)
{
	if (frame_vid(skb) != (int)cfg.vid)
		return TC_ACT_OK;
	/* pops the metadata tag, or the in-line one when there is none */
	if (bpf_skb_vlan_pop(skb))
		return TC_ACT_SHOT;
	return (int)bpf_redirect(cfg.port_ifindex, BPF_F_INGRESS);
}
