// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The XDP bridge, AF_XDP steering and VLAN tagger programs on the running kernel: the
 * verifier must accept them, and BPF_PROG_TEST_RUN on crafted frames must
 * give the right verdicts and counters. Needs root (BPF, netns); runs in a
 * private network and mount namespace, so nothing outside this process
 * sees its veth pair or its BPF filesystem, and all of it vanishes at exit.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vlan_tag.h"
#include "vlan_tag.skel.h"
#include "xdp_probe.h"
#include "xdp_probe.skel.h"
#include "xdpbridge.h"

#define LAB "xunit"
#define MAX_FRAME 512

static const uint8_t guest_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };
static const uint8_t vlan_guest_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x02 };
static const uint8_t trunk_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x03 };
static const uint8_t remote_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x10 };
static const uint8_t host_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x20 };
static const uint8_t unknown_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x99 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast_mac[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

static struct vnl_xdpbridge *bridge;
static int uplink_ifindex, tap_ifindex;

struct frame {
	uint8_t b[MAX_FRAME];
	uint32_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header (+ one 802.1Q tag when vlan > 0), then payload_len bytes of pattern. */
static struct frame eth_frame(const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
			      uint16_t proto, uint32_t payload_len)
{
	struct frame f = { .len = 0 };

	memcpy(f.b, dst, 6);
	memcpy(f.b + 6, src, 6);
	f.len = 12;
	if (vlan) {
		put16(f.b + f.len, 0x8100);
		put16(f.b + f.len + 2, vlan);
		f.len += 4;
	}
	put16(f.b + f.len, proto);
	f.len += 2;
	for (uint32_t i = 0; i < payload_len; i++)
		f.b[f.len++] = (uint8_t)(0xa0 + i);
	return f;
}

static struct frame ipv4_frame(uint8_t l4proto, uint16_t dport, uint16_t frag, uint8_t ihl)
{
	struct frame f = eth_frame(remote_mac, guest_mac, 0, 0x0800, 0);
	uint8_t *ip = f.b + f.len;

	memset(ip, 0, 64);
	ip[0] = (uint8_t)(0x40 | ihl);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = l4proto;
	f.len += ihl * 4u;
	put16(f.b + f.len, 40000);     /* source port */
	put16(f.b + f.len + 2, dport); /* destination port */
	put16(f.b + f.len + 4, 8 + 16);
	f.len += 8 + 16;
	return f;
}

static struct frame ipv6_frame(uint8_t next, uint16_t dport)
{
	struct frame f = eth_frame(remote_mac, guest_mac, 0, 0x86dd, 0);
	uint8_t *ip6 = f.b + f.len;

	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	ip6[6] = next;
	ip6[7] = 64;
	f.len += 40;
	put16(f.b + f.len, 40000);
	put16(f.b + f.len + 2, dport);
	f.len += 8 + 16;
	return f;
}

/* Run prog on f; the verdict, with the frame as the program left it in *out. */
static int run(int prog_fd, const struct frame *f, struct frame *out)
{
	struct frame scratch;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b, .data_size_in = f->len,
		    .data_out = (out ? out : &scratch)->b, .data_size_out = MAX_FRAME);

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	if (out)
		out->len = opts.data_size_out;
	return (int)opts.retval;
}

/*
 * A runt of len (< 14) bytes: the leading bytes of a larger buffer are
 * declared metadata (a multiple of 4, at most 32 bytes), since the kernel
 * refuses test buffers shorter than an Ethernet header. Kernels that also
 * refuse a packet part shorter than that (EINVAL) never hand such a frame
 * to an XDP program on this path; then only a crash-free load is checked.
 * Returns the verdict, or -1 when the kernel refused the frame.
 */
static int run_runt(int prog_fd, uint32_t len)
{
	uint8_t buf[64];
	uint32_t meta = 4;
	struct xdp_md ctx = { 0 };
	int rc;

	while (len + meta < 14)
		meta += 4;
	memset(buf, 0xff, sizeof(buf));
	ctx.data = meta;
	ctx.data_end = meta + len;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = meta + len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	rc = bpf_prog_test_run_opts(prog_fd, &opts);
	if (rc == -EINVAL)
		return -1;
	assert_int_equal(rc, 0);
	return (int)opts.retval;
}

/* Runts 0..13 bytes: XDP_PASS each, or refused by the kernel; how many ran. */
static unsigned run_runts(int prog_fd)
{
	unsigned ran = 0;

	for (uint32_t len = 0; len < 14; len++) {
		int verdict = run_runt(prog_fd, len);

		if (verdict < 0)
			continue;
		assert_int_equal(verdict, XDP_PASS);
		ran++;
	}
	/* The metadata trick itself works: a full header behind it runs. */
	assert_int_equal(run_runt(prog_fd, 14), XDP_PASS);
	return ran;
}

static uint64_t counter(enum vnl_xdp_stat s)
{
	struct vnl_xdp_counters c;

	assert_int_equal(vnl_xdpbridge_read_counters(bridge, &c), 0);
	return c.v[s];
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

/* Private namespaces: a veth pair of our own and a BPF filesystem of our own. */
static int setup_namespaces(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "cannot unshare net+mount namespaces: %s\n", strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0) {
		fprintf(stderr, "cannot mount a private BPF filesystem: %s\n", strerror(errno));
		return -1;
	}
	if (sh("ip link add xu0 type veth peer name xt0 && ip link set xu0 up && "
	       "ip link set xt0 up && ip link set lo up") < 0) {
		fprintf(stderr, "cannot create the veth pair xu0/xt0 (is iproute2 installed?)\n");
		return -1;
	}
	uplink_ifindex = (int)if_nametoindex("xu0");
	tap_ifindex = (int)if_nametoindex("xt0");
	return uplink_ifindex > 0 && tap_ifindex > 0 ? 0 : -1;
}

static int teardown_namespaces(void **state)
{
	(void)state;
	vnl_xdpbridge_close(bridge);
	bridge = NULL;
	vnl_xdpbridge_remove(LAB);
	return 0;
}

static void test_create_pins_everything(void **state)
{
	static const char *const pins[] = { "guest_macs", "local_macs", "tx_ports", "bridge_cfg",
					    "stats", "xdp_uplink", "xdp_guest" };
	char path[256];
	(void)state;

	bridge = vnl_xdpbridge_create(LAB);
	assert_non_null(bridge); /* the verifier accepted both programs */
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", VNL_XDP_PIN_ROOT, LAB, pins[i]);
		assert_int_equal(access(path, F_OK), 0);
	}
	assert_null(vnl_xdpbridge_create(LAB)); /* a lab has one bridge */
	assert_true(vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_UPLINK) >= 0);
	assert_true(vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_GUEST) >= 0);
}

static void test_guest_without_uplink_passes(void **state)
{
	struct frame f = eth_frame(remote_mac, guest_mac, 0, 0x0800, 46);
	uint64_t err = counter(VNL_XDP_GUEST_REDIRECT_ERR);
	(void)state;

	/* No uplink attached yet: nowhere to send it fast, so the slow path gets it. */
	assert_int_equal(run(vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_GUEST), &f, NULL), XDP_PASS);
	assert_int_equal(counter(VNL_XDP_GUEST_REDIRECT_ERR), err + 1);
}

static void test_attach_modes(void **state)
{
	struct vnl_xdp_port ports[8];
	enum vnl_xdp_mode mode;
	int lo = (int)if_nametoindex("lo"), n;
	(void)state;

	assert_int_equal(vnl_xdpbridge_attach_uplink(bridge, uplink_ifindex, VNL_XDP_MODE_AUTO, &mode), 0);
	assert_int_equal(mode, VNL_XDP_MODE_NATIVE); /* veth has native XDP */
	assert_int_equal(vnl_xdpbridge_attach_tap(bridge, tap_ifindex, VNL_XDP_MODE_AUTO, &mode), 0);
	assert_int_equal(mode, VNL_XDP_MODE_NATIVE);
	/* loopback has no native XDP: refused when demanded, generic when automatic */
	assert_int_equal(vnl_xdpbridge_attach_tap(bridge, lo, VNL_XDP_MODE_NATIVE, &mode), -1);
	assert_int_equal(vnl_xdpbridge_attach_tap(bridge, lo, VNL_XDP_MODE_AUTO, &mode), 0);
	assert_int_equal(mode, VNL_XDP_MODE_GENERIC);
	assert_int_equal(vnl_xdpbridge_attach_tap(bridge, tap_ifindex, VNL_XDP_MODE_AUTO, &mode), -1);

	n = vnl_xdpbridge_ports(bridge, ports, 8);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		if (ports[i].ifindex == uplink_ifindex)
			assert_int_equal(ports[i].prog, VNL_XDP_PROG_UPLINK);
		else
			assert_int_equal(ports[i].prog, VNL_XDP_PROG_GUEST);
		assert_int_equal(ports[i].mode, ports[i].ifindex == lo ? VNL_XDP_MODE_GENERIC
								      : VNL_XDP_MODE_NATIVE);
	}
	assert_int_equal(vnl_xdpbridge_detach(bridge, lo), 0);
	assert_int_equal(vnl_xdpbridge_detach(bridge, lo), -1);
	assert_int_equal(vnl_xdpbridge_ports(bridge, ports, 8), 2);
}

static void test_uplink_verdicts(void **state)
{
	int prog = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_UPLINK);
	uint64_t fast = counter(VNL_XDP_UPLINK_FAST), slow = counter(VNL_XDP_UPLINK_SLOW);
	struct frame to_guest = eth_frame(guest_mac, remote_mac, 0, 0x0800, 46);
	struct frame to_unknown = eth_frame(unknown_mac, remote_mac, 0, 0x0800, 46);
	struct frame bcast = eth_frame(bcast_mac, remote_mac, 0, 0x0806, 28);
	struct frame mcast = eth_frame(mcast_mac, remote_mac, 0, 0x86dd, 46);
	struct frame tagged = eth_frame(guest_mac, remote_mac, 100, 0x0800, 46);
	(void)state;

	assert_int_equal(vnl_xdpbridge_add_guest(bridge, guest_mac, tap_ifindex, 0), 0);
	assert_int_equal(run(prog, &to_guest, NULL), XDP_REDIRECT);
	assert_int_equal(run(prog, &to_unknown, NULL), XDP_PASS);
	assert_int_equal(run(prog, &bcast, NULL), XDP_PASS);
	assert_int_equal(run(prog, &mcast, NULL), XDP_PASS);
	assert_int_equal(run(prog, &tagged, NULL), XDP_PASS); /* untagged guest, tagged frame */
	assert_int_equal(counter(VNL_XDP_UPLINK_FAST), fast + 1);
	assert_int_equal(counter(VNL_XDP_UPLINK_SLOW), slow + 4);

	assert_int_equal(vnl_xdpbridge_remove_guest(bridge, guest_mac), 0);
	assert_int_equal(run(prog, &to_guest, NULL), XDP_PASS);
	assert_int_equal(vnl_xdpbridge_add_guest(bridge, guest_mac, tap_ifindex, 0), 0);
}

static void test_uplink_guest_on_missing_port(void **state)
{
	int prog = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_UPLINK);
	struct frame f = eth_frame(unknown_mac, remote_mac, 0, 0x0800, 46);
	uint64_t err = counter(VNL_XDP_UPLINK_REDIRECT_ERR);
	int lo = (int)if_nametoindex("lo");
	(void)state;

	/* lo was detached, so it is no redirect target: the frame takes the slow path. */
	assert_int_equal(vnl_xdpbridge_add_guest(bridge, unknown_mac, lo, 0), 0);
	assert_int_equal(run(prog, &f, NULL), XDP_PASS);
	assert_int_equal(counter(VNL_XDP_UPLINK_REDIRECT_ERR), err + 1);
	assert_int_equal(vnl_xdpbridge_remove_guest(bridge, unknown_mac), 0);
}

static void test_uplink_vlan_pop(void **state)
{
	int prog = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_UPLINK);
	struct frame tagged = eth_frame(vlan_guest_mac, remote_mac, 100, 0x0800, 46);
	struct frame other_vlan = eth_frame(vlan_guest_mac, remote_mac, 200, 0x0800, 46);
	struct frame untagged = eth_frame(vlan_guest_mac, remote_mac, 0, 0x0800, 46);
	struct frame out;
	(void)state;

	assert_int_equal(vnl_xdpbridge_add_guest(bridge, vlan_guest_mac, tap_ifindex, 100), 0);
	assert_int_equal(run(prog, &untagged, NULL), XDP_PASS);
	assert_int_equal(run(prog, &other_vlan, NULL), XDP_PASS);
	assert_int_equal(run(prog, &tagged, &out), XDP_REDIRECT);
	/* The guest gets it untagged: exactly the untagged frame. */
	assert_int_equal(out.len, untagged.len);
	assert_memory_equal(out.b, untagged.b, untagged.len);
	assert_int_equal(vnl_xdp_stat_name(VNL_XDP_UPLINK_FAST)[0], 'u');
}

static void test_guest_verdicts(void **state)
{
	int prog = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_GUEST);
	struct frame out_fr = eth_frame(remote_mac, guest_mac, 0, 0x0800, 46);
	struct frame dhcp = eth_frame(bcast_mac, guest_mac, 0, 0x0800, 300);
	struct frame to_host = eth_frame(host_mac, guest_mac, 0, 0x0800, 46);
	struct frame to_guest = eth_frame(vlan_guest_mac, guest_mac, 0, 0x0800, 46);
	struct frame mcast = eth_frame(mcast_mac, guest_mac, 0, 0x86dd, 46);
	uint64_t fast = counter(VNL_XDP_GUEST_FAST), slow = counter(VNL_XDP_GUEST_SLOW);
	(void)state;

	assert_int_equal(vnl_xdpbridge_add_local_mac(bridge, host_mac), 0);
	assert_int_equal(run(prog, &out_fr, NULL), XDP_REDIRECT);
	assert_int_equal(run(prog, &dhcp, NULL), XDP_PASS);
	assert_int_equal(run(prog, &to_host, NULL), XDP_PASS);
	assert_int_equal(run(prog, &to_guest, NULL), XDP_PASS);
	assert_int_equal(run(prog, &mcast, NULL), XDP_PASS);
	assert_int_equal(counter(VNL_XDP_GUEST_FAST), fast + 1);
	assert_int_equal(counter(VNL_XDP_GUEST_SLOW), slow + 4);
}

static void test_guest_vlan_push(void **state)
{
	int prog = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_GUEST);
	struct frame from_vlan_guest = eth_frame(remote_mac, vlan_guest_mac, 0, 0x0800, 46);
	struct frame expect = eth_frame(remote_mac, vlan_guest_mac, 100, 0x0800, 46);
	struct frame self_tagged = eth_frame(remote_mac, vlan_guest_mac, 7, 0x0800, 46);
	struct frame out;
	(void)state;

	assert_int_equal(run(prog, &from_vlan_guest, &out), XDP_REDIRECT);
	assert_int_equal(out.len, expect.len);
	assert_memory_equal(out.b, expect.b, expect.len);
	assert_int_equal(run(prog, &self_tagged, NULL), XDP_PASS);
}

/* A trunk guest (lab up xdp --vlan): its own tags pass both ways, untouched, on the fast path. */
static void test_trunk_guest(void **state)
{
	int up = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_UPLINK);
	int guest = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_GUEST);
	struct frame in_tagged = eth_frame(trunk_mac, remote_mac, 42, 0x0800, 46);
	struct frame in_plain = eth_frame(trunk_mac, remote_mac, 0, 0x0800, 46);
	struct frame out_tagged = eth_frame(remote_mac, trunk_mac, 42, 0x86dd, 46);
	struct frame out;
	(void)state;

	assert_int_equal(vnl_xdpbridge_add_guest(bridge, trunk_mac, tap_ifindex, 4096), -1);
	assert_int_equal(vnl_xdpbridge_add_guest(bridge, trunk_mac, tap_ifindex, VNL_XDP_VLAN_TRUNK), 0);
	assert_int_equal(run(up, &in_tagged, &out), XDP_REDIRECT);
	assert_int_equal(out.len, in_tagged.len);
	assert_memory_equal(out.b, in_tagged.b, in_tagged.len);
	assert_int_equal(run(up, &in_plain, &out), XDP_REDIRECT);
	assert_memory_equal(out.b, in_plain.b, in_plain.len);
	assert_int_equal(run(guest, &out_tagged, &out), XDP_REDIRECT);
	assert_int_equal(out.len, out_tagged.len);
	assert_memory_equal(out.b, out_tagged.b, out_tagged.len);
	assert_int_equal(vnl_xdpbridge_remove_guest(bridge, trunk_mac), 0);
}

/*
 * The VLAN tagger (bpf/vlan_tag.bpf.c) for VLAN 42: vlan_tag_in takes only
 * frames tagged 42 and hands them on untagged; vlan_tag_out tags and
 * redirects everything (the tag goes into skb metadata: checked on the wire
 * by the lab_vlan integration test).
 */
static void test_vlan_tagger(void **state)
{
	struct vlan_tag *skel = vlan_tag__open();
	struct frame tagged = eth_frame(guest_mac, remote_mac, 42, 0x0800, 46);
	struct frame pcp_tagged = tagged;
	struct frame other = eth_frame(guest_mac, remote_mac, 43, 0x0800, 46);
	struct frame plain = eth_frame(guest_mac, remote_mac, 0, 0x0800, 46);
	struct frame out;
	(void)state;

	pcp_tagged.b[14] |= 5 << 5; /* PCP 5 does not change the match */
	assert_non_null(skel);
	skel->rodata->cfg.vid = 42;
	skel->rodata->cfg.wire_ifindex = 1;
	skel->rodata->cfg.port_ifindex = 1;
	assert_int_equal(vlan_tag__load(skel), 0);
	int in = bpf_program__fd(skel->progs.vlan_tag_in);
	int outp = bpf_program__fd(skel->progs.vlan_tag_out);
	assert_int_equal(run(in, &tagged, &out), TC_ACT_REDIRECT);
	assert_int_equal(out.len, plain.len);
	assert_memory_equal(out.b, plain.b, plain.len);
	assert_int_equal(run(in, &pcp_tagged, &out), TC_ACT_REDIRECT);
	assert_memory_equal(out.b, plain.b, plain.len);
	assert_int_equal(run(in, &other, &out), TC_ACT_OK);
	assert_memory_equal(out.b, other.b, other.len);
	assert_int_equal(run(in, &plain, NULL), TC_ACT_OK);
	assert_int_equal(run(outp, &plain, NULL), TC_ACT_REDIRECT);
	vlan_tag__destroy(skel);
}

static void test_runts_never_crash(void **state)
{
	int up = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_UPLINK);
	int guest = vnl_xdpbridge_prog_fd(bridge, VNL_XDP_PROG_GUEST);
	uint64_t up_runt = counter(VNL_XDP_UPLINK_RUNT), guest_runt = counter(VNL_XDP_GUEST_RUNT);
	struct frame short_tag = eth_frame(guest_mac, remote_mac, 0, 0x8100, 3);
	unsigned ran;
	(void)state;

	ran = run_runts(up);
	assert_int_equal(run_runts(guest), ran);
	if (ran == 0)
		print_message("note: this kernel refuses XDP test frames under 14 bytes\n");
	/* A VLAN TPID with the tag cut short is a runt too. */
	assert_int_equal(run(up, &short_tag, NULL), XDP_PASS);
	assert_int_equal(run(guest, &short_tag, NULL), XDP_PASS);
	assert_int_equal(counter(VNL_XDP_UPLINK_RUNT), up_runt + ran + 1);
	assert_int_equal(counter(VNL_XDP_GUEST_RUNT), guest_runt + ran + 1);
}

static void test_reopen_from_pins(void **state)
{
	struct vnl_xdpbridge *again = vnl_xdpbridge_open(LAB);
	struct vnl_xdp_counters a, b;
	(void)state;

	/* Another process (lab show) sees the same maps. */
	assert_non_null(again);
	assert_int_equal(vnl_xdpbridge_read_counters(bridge, &a), 0);
	assert_int_equal(vnl_xdpbridge_read_counters(again, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(a.v[VNL_XDP_UPLINK_FAST] > 0);
	vnl_xdpbridge_close(again);
	assert_null(vnl_xdpbridge_open("no-such-lab"));
	assert_null(vnl_xdpbridge_open("../escape"));
}

static void test_remove_by_name(void **state)
{
	char dir[128];
	uint32_t prog_id;
	(void)state;

	vnl_xdpbridge_close(bridge);
	bridge = NULL;
	assert_int_equal(vnl_xdpbridge_remove(LAB), 0);
	snprintf(dir, sizeof(dir), "%s/%s", VNL_XDP_PIN_ROOT, LAB);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(bpf_xdp_query_id(uplink_ifindex, 0, &prog_id), 0);
	assert_int_equal(prog_id, 0);
	assert_int_equal(bpf_xdp_query_id(tap_ifindex, 0, &prog_id), 0);
	assert_int_equal(prog_id, 0);
	assert_int_equal(vnl_xdpbridge_remove(LAB), 0); /* idempotent */
}

/* --- xdp_probe: the AF_XDP steering decision --- */

static struct xdp_probe *probe;

static uint64_t probe_counter(enum vnl_xdp_probe_stat s)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu], sum = 0;
	uint32_t key = s;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(probe->maps.probe_stats), &key, vals), 0);
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* Verdict is always XDP_PASS without a socket; the counters tell the decision. */
static void expect_probe(struct frame f, bool is_probe)
{
	int fd = bpf_program__fd(probe->progs.xdp_probe);
	uint64_t steer = probe_counter(VNL_XDP_PROBE_NO_SOCKET);
	uint64_t pass = probe_counter(VNL_XDP_PROBE_PASSED);

	assert_int_equal(run(fd, &f, NULL), XDP_PASS);
	assert_int_equal(probe_counter(VNL_XDP_PROBE_NO_SOCKET), steer + (is_probe ? 1 : 0));
	assert_int_equal(probe_counter(VNL_XDP_PROBE_PASSED), pass + (is_probe ? 0 : 1));
}

/* The same frame with an 802.1Q tag inserted after the MAC addresses. */
static struct frame with_vlan(struct frame f, uint16_t vid)
{
	memmove(f.b + 16, f.b + 12, f.len - 12);
	put16(f.b + 12, 0x8100);
	put16(f.b + 14, vid);
	f.len += 4;
	return f;
}

static void test_probe_steering(void **state)
{
	struct vnl_xdp_probe_cfg cfg = { .udp_port = 47000, .ethertype = 0x88b5 };
	struct frame v4 = ipv4_frame(17, 47000, 0, 5);
	struct frame v4_cut = v4;
	uint32_t zero = 0;
	(void)state;

	probe = xdp_probe__open_and_load();
	assert_non_null(probe); /* the verifier accepted it */
	expect_probe(v4, false); /* unconfigured: nothing is a probe */
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(probe->maps.probe_cfg), &zero, &cfg, 0), 0);

	expect_probe(v4, true);
	expect_probe(with_vlan(v4, 5), true);
	expect_probe(ipv4_frame(17, 47000, 0, 6), true);         /* IP options */
	expect_probe(ipv6_frame(17, 47000), true);
	expect_probe(eth_frame(remote_mac, guest_mac, 0, 0x88b5, 46), true);
	expect_probe(ipv4_frame(17, 47001, 0, 5), false);        /* other port */
	expect_probe(ipv4_frame(6, 47000, 0, 5), false);         /* TCP */
	expect_probe(ipv4_frame(17, 47000, 0x2000, 5), false);   /* first fragment */
	expect_probe(ipv4_frame(17, 47000, 0x0010, 5), false);   /* later fragment */
	expect_probe(ipv4_frame(17, 47000, 0, 4), false);        /* bogus IHL */
	expect_probe(ipv6_frame(6, 47000), false);
	expect_probe(eth_frame(bcast_mac, guest_mac, 0, 0x0806, 28), false); /* ARP */
	v4_cut.len = 14 + 20 + 3; /* UDP header cut short */
	expect_probe(v4_cut, false);
	run_runts(bpf_program__fd(probe->progs.xdp_probe));
	assert_int_equal(probe_counter(VNL_XDP_PROBE_STEERED), 0);
	xdp_probe__destroy(probe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_pins_everything),
		cmocka_unit_test(test_guest_without_uplink_passes),
		cmocka_unit_test(test_attach_modes),
		cmocka_unit_test(test_uplink_verdicts),
		cmocka_unit_test(test_uplink_guest_on_missing_port),
		cmocka_unit_test(test_uplink_vlan_pop),
		cmocka_unit_test(test_guest_verdicts),
		cmocka_unit_test(test_guest_vlan_push),
		cmocka_unit_test(test_trunk_guest),
		cmocka_unit_test(test_vlan_tagger),
		cmocka_unit_test(test_runts_never_crash),
		cmocka_unit_test(test_reopen_from_pins),
		cmocka_unit_test(test_remove_by_name),
		cmocka_unit_test(test_probe_steering),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_xdp_bridge: needs root (BPF programs, network namespaces); "
				"run it as root - it does not skip\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup_namespaces, teardown_namespaces);
}
