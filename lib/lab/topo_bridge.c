/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridge lab: in LAB-h, bridge br0 with uplink0 and tap0; the guest on tap0. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "topo.h"
#include "topo_guest.h"
#include "topo_links.h"

static int make_bridge(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	if (b->dry_run) {
		printf("ip -n %s link add %s type bridge stp_state 0 forward_delay 0\n", vm->host_ns,
		       VNL_VM_BRIDGE);
		return 0;
	}
	struct vnl_obj obj = { .type = VNL_OBJ_LINK };
	snprintf(obj.name, sizeof(obj.name), VNL_VM_BRIDGE);
	snprintf(obj.netns, sizeof(obj.netns), "%s", vm->host_ns);
	int index = vnl_lab_record(b, &obj);
	if (index < 0)
		return -1;
	const char *why = "";
	if (vnl_link_bridge_add(vm->host_ns, VNL_VM_BRIDGE, &why) < 0) {
		vnl_errno("cannot create bridge %s in %s%s%s", VNL_VM_BRIDGE, vm->host_ns,
			  why[0] ? ": " : "", why);
		vnl_labstate_mark_failed(b->st, (size_t)index);
		return -1;
	}
	return 0;
}

static int enslave(struct vnl_lab_builder *b, const struct vnl_vm *vm, const char *ifname)
{
	if (b->dry_run) {
		printf("ip -n %s link set %s master %s\n", vm->host_ns, ifname, VNL_VM_BRIDGE);
		return 0;
	}
	/* No record: the port goes away with the bridge. */
	const char *why = "";
	if (vnl_link_set_master(vm->host_ns, ifname, VNL_VM_BRIDGE, &why) < 0) {
		vnl_errno("cannot add %s to bridge %s in %s%s%s", ifname, VNL_VM_BRIDGE, vm->host_ns,
			  why[0] ? ": " : "", why);
		return -1;
	}
	return 0;
}

/*
 * With br_netfilter loaded, bridged frames would also pass iptables in LAB-h:
 * not the bridge being measured, and a classic way to lose DHCP. Off in the
 * lab's own namespace (the setting is per namespace).
 */
static int no_bridge_netfilter(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	if (access("/proc/sys/net/bridge", F_OK) < 0)
		return 0;
	const char *const argv[] = { "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=0",
				     "net.bridge.bridge-nf-call-ip6tables=0",
				     "net.bridge.bridge-nf-call-arptables=0", NULL };
	return vnl_vm_run(b, vm->host_ns, argv);
}

int vnl_topo_bridge_host(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	return make_bridge(b, vm) < 0 || no_bridge_netfilter(b, vm) < 0 ||
			       vnl_vm_tap(b, vm, VNL_VM_TAP) < 0 || enslave(b, vm, VNL_VM_UPLINK) < 0 ||
			       enslave(b, vm, VNL_VM_TAP) < 0 ||
			       vnl_lab_step_up(b, vm->host_ns, VNL_VM_BRIDGE) < 0
		       ? -1
		       : 0;
}

int vnl_topo_bridge_build(struct vnl_lab_builder *b)
{
	struct vnl_vm vm;
	vnl_vm_names(&vm, b->lab);
	const struct vnl_vm_nic nic = { .backend_if = VNL_VM_TAP, .tap = VNL_VM_TAP, .tap_fd = -1 };
	return vnl_vm_base(b, &vm) < 0 || vnl_topo_bridge_host(b, &vm) < 0 ||
			       vnl_vm_guest(b, &vm, &nic) < 0
		       ? -1
		       : 0;
}
