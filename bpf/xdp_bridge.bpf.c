// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The XDP bridge (doc/xdp-bridge.md). Two programs share these maps:
 *  - xdp_uplink, on the uplink's ingress: unicast frames for a registered
 *    guest MAC (and VLAN, or any for a trunk guest) go straight to the
 *    guest's tap through tx_ports;
 *  - xdp_guest, on each guest tap: unicast frames from the guest go straight
 *    out of the uplink.
 * Everything else (broadcast, multicast, unknown or local destinations, runt
 * frames) returns XDP_PASS to the kernel bridge, which stays the slow path
 * for ARP, DHCP and learning.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_bridge.h"
#include "xdp_parse.h"

char LICENSE[] SEC("license") = "GPL";

/* Guest MAC -> its tap (and VLAN on the uplink). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VNL_XDP_MAX_GUESTS);
	__type(key, struct vnl_xdp_mac);
	__type(value, struct vnl_xdp_guest);
} guest_macs SEC(".maps");

/* MACs of the host itself (the bridge device): frames from a guest to these stay local. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VNL_XDP_MAX_GUESTS);
	__type(key, struct vnl_xdp_mac);
	__type(value, __u32);
} local_macs SEC(".maps");

/* Redirect targets, keyed by ifindex: the uplink and every guest tap. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, VNL_XDP_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vnl_xdp_bridge_cfg);
} bridge_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNL_XDP_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &idx);

	if (c)
		*c += 1; /* per-CPU slot: no other writer */
}

static __always_inline struct vnl_xdp_guest *guest_of(const __u8 *mac)
{
	struct vnl_xdp_mac key;

	__builtin_memcpy(key.addr, mac, VNL_ETH_ALEN);
	return bpf_map_lookup_elem(&guest_macs, &key);
}

static __always_inline bool is_local(const __u8 *mac)
{
	struct vnl_xdp_mac key;

	__builtin_memcpy(key.addr, mac, VNL_ETH_ALEN);
	return bpf_map_lookup_elem(&local_macs, &key) != NULL;
}

/* Remove the 802.1Q tag after the MAC addresses; -1 if the frame cannot be changed. */
static __always_inline int pop_vlan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 macs[2 * VNL_ETH_ALEN];

	if (data + sizeof(macs) > data_end)
		return -1;
	__builtin_memcpy(macs, data, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct vnl_vlan_hdr)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(macs) > data_end)
		return -1;
	/* The inner EtherType is already in place right after the new MAC slots. */
	__builtin_memcpy(data, macs, sizeof(macs));
	return 0;
}

/* Insert an 802.1Q tag with id vid after the MAC addresses; -1 on failure. */
static __always_inline int push_vlan(struct xdp_md *ctx, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 macs[2 * VNL_ETH_ALEN];
	__be16 *tag; /* [0] TPID, [1] TCI; the original EtherType follows untouched */

	if (data + sizeof(macs) > data_end)
		return -1;
	__builtin_memcpy(macs, data, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vnl_vlan_hdr)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(macs) + sizeof(struct vnl_vlan_hdr) > data_end)
		return -1;
	__builtin_memcpy(data, macs, sizeof(macs));
	tag = data + sizeof(macs);
	tag[0] = bpf_htons(VNL_ETH_P_8021Q);
	tag[1] = bpf_htons(vid & VNL_VLAN_VID_MASK);
	return 0;
}

/*
 * Send the frame out of port ifindex. The port is looked up first so that a
 * missing one leaves the frame untouched for the slow path.
 */
static __always_inline bool port_exists(__u32 ifindex)
{
	return bpf_map_lookup_elem(&tx_ports, &ifindex) != NULL;
}

static __always_inline int redirect(__u32 ifindex, __u32 fast, __u32 err)
{
	long act = bpf_redirect_map(&tx_ports, ifindex, XDP_PASS);

	count(act == XDP_REDIRECT ? fast : err);
	return (int)act;
}

SEC("xdp")
int xdp_uplink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vnl_xdp_guest *g;
	struct vnl_frame f;
	__u32 tap;

	if (vnl_parse_eth(data, data_end, &f) < 0) {
		count(VNL_XDP_UPLINK_RUNT);
		return XDP_PASS;
	}
	if (vnl_is_group_mac(f.eth->h_dest))
		goto slow;
	g = guest_of(f.eth->h_dest);
	if (!g)
		goto slow;
	/*
	 * A guest on VLAN n only takes frames tagged n; an untagged guest only
	 * untagged ones; a trunk guest all of them, tags left on.
	 */
	if (g->vlan != VNL_XDP_VLAN_TRUNK &&
	    (f.tagged != (g->vlan != 0) || (f.tagged && f.vid != g->vlan)))
		goto slow;
	tap = g->tap_ifindex;
	if (!port_exists(tap)) {
		count(VNL_XDP_UPLINK_REDIRECT_ERR);
		return XDP_PASS;
	}
	if (f.tagged && g->vlan != VNL_XDP_VLAN_TRUNK && pop_vlan(ctx) < 0) {
		count(VNL_XDP_UPLINK_REDIRECT_ERR);
		return XDP_DROP; /* head may be half-moved: not safe to pass on */
	}
	return redirect(tap, VNL_XDP_UPLINK_FAST, VNL_XDP_UPLINK_REDIRECT_ERR);
slow:
	count(VNL_XDP_UPLINK_SLOW);
	return XDP_PASS;
}

SEC("xdp")
int xdp_guest(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vnl_xdp_bridge_cfg *cfg;
	struct vnl_xdp_guest *src;
	__u32 zero = 0, uplink;
	struct vnl_frame f;
	__u16 vlan;

	if (vnl_parse_eth(data, data_end, &f) < 0) {
		count(VNL_XDP_GUEST_RUNT);
		return XDP_PASS;
	}
	/* Broadcast (ARP, DHCP), the host itself and other guests: the kernel bridge. */
	if (vnl_is_group_mac(f.eth->h_dest) || is_local(f.eth->h_dest) || guest_of(f.eth->h_dest))
		goto slow;
	cfg = bpf_map_lookup_elem(&bridge_cfg, &zero);
	uplink = cfg ? cfg->uplink_ifindex : 0;
	if (!uplink || !port_exists(uplink)) {
		count(VNL_XDP_GUEST_REDIRECT_ERR);
		return XDP_PASS;
	}
	src = guest_of(f.eth->h_source);
	vlan = src ? src->vlan : 0;
	if (vlan && vlan != VNL_XDP_VLAN_TRUNK) {
		if (f.tagged) /* the guest tags itself: not an access port, leave it to the bridge */
			goto slow;
		if (push_vlan(ctx, vlan) < 0) {
			count(VNL_XDP_GUEST_REDIRECT_ERR);
			return XDP_DROP;
		}
	}
	return redirect(uplink, VNL_XDP_GUEST_FAST, VNL_XDP_GUEST_REDIRECT_ERR);
slow:
	count(VNL_XDP_GUEST_SLOW);
	return XDP_PASS;
}
