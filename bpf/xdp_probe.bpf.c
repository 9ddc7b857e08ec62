// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AF_XDP steering: vnetlat probe frames (UDP to the configured port over
 * IPv4 or IPv6, or the configured EtherType) go to the AF_XDP socket bound
 * to the queue they arrived on; everything else goes on to the stack.
 * Configured through the one-entry array probe_cfg, so a loader can change
 * the port without reloading.
 *
 * Each steered probe gets a struct vnl_xdp_probe_meta in its metadata area:
 * the moment XDP saw it (CLOCK_TAI, the only wall clock BPF can read) and
 * the driver's hardware RX stamp where it offers one. The verifier takes
 * the rx_timestamp kfunc only in a device-bound program
 * (BPF_F_XDP_DEV_BOUND_ONLY), so that call is compiled in only for
 * bpf/xdp_probe_hw.bpf.c (this file with VNL_XDP_PROBE_HW); this object
 * loads anywhere, also in BPF_PROG_TEST_RUN.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_parse.h"
#include "xdp_probe.h"

char LICENSE[] SEC("license") = "GPL";

#define VNL_IP_MF 0x2000
#define VNL_IP_OFFSET 0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, VNL_XDP_PROBE_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vnl_xdp_probe_cfg);
} probe_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNL_XDP_PROBE_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} probe_stats SEC(".maps");

#ifdef VNL_XDP_PROBE_HW
#ifndef bpf_ksym_exists /* libbpf < 1.2 */
#define bpf_ksym_exists(sym) (!!(sym))
#endif
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym __weak;
#endif

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&probe_stats, &idx);

	if (c)
		*c += 1;
}

static __always_inline bool udp_dport_is(struct udphdr *udp, void *data_end, __u16 port)
{
	if ((void *)(udp + 1) > data_end)
		return false;
	return udp->dest == bpf_htons(port);
}

/* Only unfragmented datagrams: a first fragment alone would split a probe between socket and stack. */
static __always_inline bool ipv4_is_probe(void *l3, void *data_end, __u16 port)
{
	struct iphdr *ip = l3;
	struct udphdr *udp;
	__u32 ihl;

	if ((void *)(ip + 1) > data_end)
		return false;
	if (ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(VNL_IP_MF | VNL_IP_OFFSET)))
		return false;
	ihl = ip->ihl * 4u;
	if (ihl < sizeof(*ip))
		return false;
	udp = l3 + ihl;
	/* Keep the checked pointer: clang would otherwise recompute l3 + ihl after the check. */
	barrier_var(udp);
	return udp_dport_is(udp, data_end, port);
}

/* UDP directly after the fixed header; probes never carry extension headers. */
static __always_inline bool ipv6_is_probe(void *l3, void *data_end, __u16 port)
{
	struct ipv6hdr *ip6 = l3;

	if ((void *)(ip6 + 1) > data_end)
		return false;
	if (ip6->nexthdr != IPPROTO_UDP)
		return false;
	return udp_dport_is((void *)(ip6 + 1), data_end, port);
}

static __always_inline bool is_probe(struct vnl_frame *f, void *data_end,
				     const struct vnl_xdp_probe_cfg *cfg)
{
	if (cfg->ethertype && f->proto == cfg->ethertype)
		return true;
	if (!cfg->udp_port)
		return false;
	if (f->proto == VNL_ETH_P_IP)
		return ipv4_is_probe(f->l3, data_end, cfg->udp_port);
	if (f->proto == VNL_ETH_P_IPV6)
		return ipv6_is_probe(f->l3, data_end, cfg->udp_port);
	return false;
}

/* Stamp first, so the stamp is as early as the program can take it. */
static __always_inline void stamp(struct xdp_md *ctx)
{
	__u64 now = bpf_ktime_get_tai_ns();
	struct vnl_xdp_probe_meta *m;
	__u64 hw = 0;

#ifdef VNL_XDP_PROBE_HW
	if (bpf_ksym_exists(bpf_xdp_metadata_rx_timestamp) &&
	    bpf_xdp_metadata_rx_timestamp(ctx, &hw) != 0)
		hw = 0;
#endif
	/* Drivers without metadata support refuse; the frame then goes unstamped. */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)) != 0)
		return;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return;
	m->rx_hw = hw;
	m->xdp_tai = now;
	m->reserved = 0;
	m->magic = VNL_XDP_PROBE_META_MAGIC;
}

SEC("xdp")
int xdp_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vnl_xdp_probe_cfg *cfg;
	struct vnl_frame f;
	__u32 zero = 0;
	long act;

	cfg = bpf_map_lookup_elem(&probe_cfg, &zero);
	if (!cfg || vnl_parse_eth(data, data_end, &f) < 0 || !is_probe(&f, data_end, cfg)) {
		count(VNL_XDP_PROBE_PASSED);
		return XDP_PASS;
	}
	stamp(ctx);
	/* With no socket on this queue the helper returns the fallback, XDP_PASS. */
	act = bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
	count(act == XDP_REDIRECT ? VNL_XDP_PROBE_STEERED : VNL_XDP_PROBE_NO_SOCKET);
	return (int)act;
}
