/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The xdp lab (issue 4): the bridge lab (br0 with uplink0 and tap0 in LAB-h,
 * the guest on tap0) with the XDP bridge of xdpbridge.c in front of it.
 * xdp_uplink on uplink0 sends frames for the guest's MAC straight to tap0,
 * xdp_guest on tap0 sends the guest's unicast frames straight out of
 * uplink0; everything else (ARP, DHCP, broadcast, unknown destinations) goes
 * on to br0, the slow path. doc/xdp-bridge.md explains the programs.
 *
 * The bridge is pinned under VNL_XDP_PIN_ROOT/LAB and recorded as one
 * bpf_pin state object, whose remover (vnl_topo_xdp_remove_pin) detaches
 * and unpins everything from the lab name alone: after a kill -9 too.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "topo.h"
#include "topo_guest.h"
#include "topo_links.h"
#include "xdpbridge.h"

/*
 * A redirected frame carries no "checksum still to be completed" mark, so the
 * remote end must complete its own (tx off). And a veth accepts redirected
 * frames only when its peer runs NAPI: wire0 is the peer of uplink0, the
 * target of xdp_guest's redirects (gro on). With --vlan the tag must be in
 * the frame (txvlan off): XDP sees no tag kept beside it in the skb, and a
 * redirect would drop it.
 */
static int prepare_wire(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	/* With --uplink the remote end is the user's: a NIC sends complete checksums. */
	if (b->opts->uplink)
		return 0;
	const char *const argv[] = { "ethtool", "-K", VNL_VM_WIRE, "tx", "off", "gro", "on",
				     b->opts->vlan ? "txvlan" : NULL, "off", NULL };
	return vnl_vm_run(b, vm->remote_ns, argv);
}

/* ---- the XDP bridge ---- */

/* Into ns's network namespace without touching the mount namespace (pins stay visible). */
static int enter_netns(const char *ns)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int target = self < 0 ? -1 : vnl_netns_open(ns);
	if (target < 0 || setns(target, CLONE_NEWNET) < 0) {
		vnl_errno("cannot enter network namespace %s", ns);
		if (target >= 0)
			close(target);
		if (self >= 0)
			close(self);
		return -1;
	}
	close(target);
	return self;
}

static void leave_netns(int self)
{
	if (setns(self, CLONE_NEWNET) < 0)
		vnl_errno("cannot return to the original network namespace");
	close(self);
}

/* MAC of ifname in the current namespace. */
static int if_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = sock < 0 ? -1 : ioctl(sock, SIOCGIFHWADDR, &ifr);
	if (sock >= 0)
		close(sock);
	if (ret < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int record_pins(struct vnl_lab_builder *b)
{
	struct vnl_obj obj = { .type = VNL_OBJ_BPF_PIN };
	snprintf(obj.path, sizeof(obj.path), "%s/%s", VNL_XDP_PIN_ROOT, b->lab);
	return vnl_lab_record(b, &obj) < 0 ? -1 : 0;
}

/* Load, pin, attach both programs (in LAB-h), the bridge's MAC kept local. */
static int attach_programs(struct vnl_xdpbridge *xb, const struct vnl_vm *vm)
{
	enum vnl_xdp_mode up_mode, tap_mode;
	uint8_t br_mac[6];
	int uplink = if_nametoindex(VNL_VM_UPLINK), tap = if_nametoindex(VNL_VM_TAP);
	if (!uplink || !tap || if_mac(VNL_VM_BRIDGE, br_mac) < 0) {
		vnl_errno("cannot find %s, %s or %s in %s", VNL_VM_UPLINK, VNL_VM_TAP, VNL_VM_BRIDGE,
			  vm->host_ns);
		return -1;
	}
	if (vnl_xdpbridge_attach_uplink(xb, uplink, VNL_XDP_MODE_AUTO, &up_mode) < 0 ||
	    vnl_xdpbridge_attach_tap(xb, tap, VNL_XDP_MODE_AUTO, &tap_mode) < 0 ||
	    vnl_xdpbridge_add_local_mac(xb, br_mac) < 0)
		return -1;
	printf("xdp: xdp_uplink on %s (%s), xdp_guest on %s (%s); pins in %s/%s\n", VNL_VM_UPLINK,
	       vnl_xdp_mode_name(up_mode), VNL_VM_TAP, vnl_xdp_mode_name(tap_mode), VNL_XDP_PIN_ROOT,
	       vm->lab);
	return 0;
}

static int xdp_bridge_up(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	if (record_pins(b) < 0)
		return -1;
	struct vnl_xdpbridge *xb = vnl_xdpbridge_create(b->lab);
	if (!xb)
		return -1;
	int self = enter_netns(vm->host_ns);
	int ret = self < 0 ? -1 : attach_programs(xb, vm);
	if (self >= 0)
		leave_netns(self);
	vnl_xdpbridge_close(xb);
	return ret;
}

/* The guest is up (it got its lease through the slow path): its frames now take the fast path. */
/* With --vlan the guest tags its own stream (eth0.ID): a trunk guest, tags passed as they are. */
static uint16_t guest_vlan(const struct vnl_lab_builder *b)
{
	return b->opts->vlan ? VNL_XDP_VLAN_TRUNK : 0;
}

static int add_guest(const struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	struct vnl_xdpbridge *xb = vnl_xdpbridge_open(vm->lab);
	if (!xb)
		return -1;
	int self = enter_netns(vm->host_ns);
	int tap = self < 0 ? 0 : (int)if_nametoindex(VNL_VM_TAP);
	int ret = tap > 0 ? vnl_xdpbridge_add_guest(xb, vm->guest_mac, tap, guest_vlan(b)) : -1;
	if (self >= 0)
		leave_netns(self);
	vnl_xdpbridge_close(xb);
	if (ret == 0)
		printf("xdp: guest %s -> %s on the fast path\n", vm->guest_mac_text, VNL_VM_TAP);
	return ret;
}

static void print_xdp_recipe(const struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	const struct vnl_xdp_recipe_guest guest = { .tap = VNL_VM_TAP, .vlan = guest_vlan(b) };
	struct vnl_xdp_recipe_guest g = guest;
	memcpy(g.mac, vm->guest_mac, 6);
	const struct vnl_xdp_recipe r = { .lab = vm->lab, .uplink = VNL_VM_UPLINK,
					  .local_if = VNL_VM_BRIDGE, .guests = &g, .n_guests = 1 };
	/* nsenter, not `ip netns exec`: that would mount a private /sys without the pins. */
	printf("nsenter --net=%s/%s bash -e <<'XDP'\n", VNL_NETNS_DIR, vm->host_ns);
	vnl_xdpbridge_print_recipe(stdout, &r);
	printf("XDP\n");
}

int vnl_topo_xdp_build(struct vnl_lab_builder *b)
{
	struct vnl_vm vm;
	vnl_vm_names(&vm, b->lab);
	/* virtio-net without checksum offload: the guest's frames leave it complete. */
	const struct vnl_vm_nic nic = { .backend_if = VNL_VM_TAP, .tap = VNL_VM_TAP, .tap_fd = -1,
					.no_csum_offload = true };
	/* the bridge lab underneath: br0 stays the slow path */
	if (vnl_vm_base(b, &vm) < 0 || prepare_wire(b, &vm) < 0 || vnl_topo_bridge_host(b, &vm) < 0)
		return -1;
	if (b->dry_run) {
		print_xdp_recipe(b, &vm);
		return vnl_vm_guest(b, &vm, &nic);
	}
	return xdp_bridge_up(b, &vm) < 0 || vnl_vm_guest(b, &vm, &nic) < 0 || add_guest(b, &vm) < 0
		       ? -1
		       : 0;
}

int vnl_topo_xdp_check(const struct vnl_lab_opts *opts)
{
	static const char *const ethtool[] = { "ethtool", NULL };
	return vnl_topo_vm_check(opts) < 0 || vnl_topo_need_programs(ethtool, "ethtool") < 0 ? -1
											     : 0;
}

/* ---- lab show ---- */

static void show_ports(const struct vnl_xdpbridge *xb, const char *host_ns, json_t *jports)
{
	struct vnl_xdp_port ports[8];
	int self = enter_netns(host_ns);
	if (self < 0)
		return;
	int n = vnl_xdpbridge_ports(xb, ports, 8);
	for (int i = 0; i < n; i++) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)ports[i].ifindex, name);
		const char *prog = ports[i].prog == VNL_XDP_PROG_UPLINK ? "xdp_uplink" : "xdp_guest";
		const char *mode = vnl_xdp_mode_name(ports[i].mode);
		if (jports)
			json_array_append_new(jports, json_pack("{s:s, s:s, s:s}", "interface", name,
								"program", prog, "mode", mode));
		else
			printf("    %s on %s (%s)\n", prog, name, mode);
	}
	leave_netns(self);
}

void vnl_topo_xdp_show(const char *lab, json_t *jlab)
{
	struct vnl_vm vm;
	vnl_vm_names(&vm, lab);
	struct vnl_xdpbridge *xb = vnl_xdpbridge_open(lab);
	if (!xb)
		return;
	struct vnl_xdp_counters c;
	bool have = vnl_xdpbridge_read_counters(xb, &c) == 0;
	json_t *jports = jlab ? json_array() : NULL, *jcounters = jlab ? json_object() : NULL;
	if (!jlab)
		printf("  xdp bridge: %s/%s\n", VNL_XDP_PIN_ROOT, lab);
	show_ports(xb, vm.host_ns, jports);
	for (int s = 0; have && s < VNL_XDP_STAT_COUNT; s++) {
		if (jcounters)
			json_object_set_new(jcounters, vnl_xdp_stat_name(s), json_integer((json_int_t)c.v[s]));
		else
			printf("    %-20s %llu\n", vnl_xdp_stat_name(s), (unsigned long long)c.v[s]);
	}
	if (jlab)
		json_object_set_new(jlab, "xdp", json_pack("{s:o, s:o}", "ports", jports,
							    "counters", jcounters));
	vnl_xdpbridge_close(xb);
}

/* ---- removal ---- */

bool vnl_topo_xdp_is_bridge_pin(const struct vnl_obj *obj)
{
	size_t root = strlen(VNL_XDP_PIN_ROOT "/");
	return !strncmp(obj->path, VNL_XDP_PIN_ROOT "/", root) && obj->path[root] &&
	       !strchr(obj->path + root, '/');
}

int vnl_topo_xdp_remove_pin(const struct vnl_obj *obj)
{
	return vnl_xdpbridge_remove(obj->path + strlen(VNL_XDP_PIN_ROOT "/"));
}
