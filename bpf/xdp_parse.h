/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounds-checked Ethernet parsing shared by the XDP programs (BPF side only).
 * Every access is checked against data_end first, as the verifier demands;
 * a frame too short for its headers is reported, never read past.
 */
#ifndef VNL_BPF_XDP_PARSE_H
#define VNL_BPF_XDP_PARSE_H

#define VNL_ETH_ALEN 6
#define VNL_ETH_P_IP 0x0800
#define VNL_ETH_P_IPV6 0x86DD
#define VNL_ETH_P_8021Q 0x8100
#define VNL_VLAN_VID_MASK 0x0fff

struct vnl_vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

struct vnl_frame {
	struct ethhdr *eth;
	void *l3;        /* first byte after the Ethernet (+VLAN) header */
	__u16 proto;     /* host order EtherType of l3 */
	__u16 vid;       /* VLAN id when tagged */
	bool tagged;     /* one 802.1Q tag follows the MAC addresses */
};

/* 0 on success; -1 if the frame is shorter than its Ethernet (+VLAN) header. */
static __always_inline int vnl_parse_eth(void *data, void *data_end, struct vnl_frame *f)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	f->eth = eth;
	f->l3 = eth + 1;
	f->proto = bpf_ntohs(eth->h_proto);
	f->tagged = false;
	f->vid = 0;
	if (f->proto == VNL_ETH_P_8021Q) {
		struct vnl_vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return -1;
		f->tagged = true;
		f->vid = bpf_ntohs(vh->tci) & VNL_VLAN_VID_MASK;
		f->proto = bpf_ntohs(vh->encapsulated_proto);
		f->l3 = vh + 1;
	}
	return 0;
}

/* Group bit: broadcast and multicast destinations. */
static __always_inline bool vnl_is_group_mac(const __u8 *mac)
{
	return mac[0] & 1;
}

#endif
