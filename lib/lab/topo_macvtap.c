/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The macvtap lab: in LAB-h, macvtap0 in bridge mode on uplink0, with the
 * guest's MAC; qemu gets an open fd of its character device (tap<ifindex>).
 * A macvtap's guest cannot talk to the host's own stack on the same uplink
 * (only to the wire and other macvtaps): `lab doctor` explains that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "netns.h"
#include "topo.h"
#include "topo_guest.h"
#include "topo_links.h"

#define MACVTAP_IF "macvtap0"

/*
 * A macvtap delivers a multicast frame only if its own multicast list has the
 * group, and QEMU does not copy the guest's groups to it: the neighbour
 * solicitations for the guest's IPv6 address (its solicited-node group) were
 * dropped, so nobody could reach the guest over IPv6 before it spoke first.
 */
static int macvtap_allmulti(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	const char *const argv[] = { "ip", "link", "set", MACVTAP_IF, "allmulticast", "on", NULL };
	return vnl_vm_run(b, vm->host_ns, argv);
}

static int make_macvtap(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	if (b->dry_run) {
		printf("ip -n %s link add link %s name %s address %s type macvtap mode bridge\n",
		       vm->host_ns, VNL_VM_UPLINK, MACVTAP_IF, vm->guest_mac_text);
		return macvtap_allmulti(b, vm);
	}
	struct vnl_obj obj = { .type = VNL_OBJ_LINK };
	snprintf(obj.name, sizeof(obj.name), MACVTAP_IF);
	snprintf(obj.netns, sizeof(obj.netns), "%s", vm->host_ns);
	int index = vnl_lab_record(b, &obj);
	if (index < 0)
		return -1;
	const char *why = "";
	if (vnl_link_macvtap_add(vm->host_ns, MACVTAP_IF, VNL_VM_UPLINK, vm->guest_mac, &why) < 0) {
		vnl_errno("cannot create %s on %s in %s%s%s", MACVTAP_IF, VNL_VM_UPLINK, vm->host_ns,
			  why[0] ? ": " : "", why);
		vnl_labstate_mark_failed(b->st, (size_t)index);
		return -1;
	}
	return macvtap_allmulti(b, vm);
}

/*
 * "MAJOR:MINOR" of the macvtap's character device. sysfs shows a namespace's
 * links only when mounted inside it, so a child enters LAB-h and reads it.
 */
struct macvtap_q {
	const char *ns;
	int ifindex;
};

/* In the child: the device's "MAJOR:MINOR" to stdout. */
static int macvtap_dev_here(void *arg)
{
	const struct macvtap_q *q = arg;
	char path[128], text[32] = "";
	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev", MACVTAP_IF, q->ifindex);
	FILE *f = vnl_netns_enter(q->ns) == 0 ? fopen(path, "re") : NULL;
	if (!f || !fgets(text, sizeof(text), f))
		return 1;
	return write(STDOUT_FILENO, text, strlen(text)) > 0 ? 0 : 1;
}

static int macvtap_dev(const char *ns, int ifindex, char *buf, size_t len)
{
	struct macvtap_q q = { ns, ifindex };
	struct vnl_child_opts o = {
		.out = { .how = VNL_CHILD_CAPTURE },
		.err = { .how = VNL_CHILD_INHERIT },
		.capture_max = len - 1,
	};
	struct vnl_child *c;
	if (vnl_child_call(&c, macvtap_dev_here, &q, &o))
		return -1;
	vnl_child_wait(c, -1);
	size_t n;
	const char *text = vnl_child_output(c, &n);
	memcpy(buf, text, n);
	buf[n] = '\0';
	vnl_child_free(c);
	return n ? 0 : -1;
}

/* Our own node of the macvtap's device in the run directory, opened for qemu. */
static int open_tap(struct vnl_lab_builder *b, const struct vnl_vm *vm, char *node, size_t len)
{
	char dev[32];
	unsigned maj, min;
	int ifindex = vnl_link_ifindex(vm->host_ns, MACVTAP_IF);
	if (ifindex < 0 || macvtap_dev(vm->host_ns, ifindex, dev, sizeof(dev)) < 0 ||
	    sscanf(dev, "%u:%u", &maj, &min) != 2) {
		vnl_err("cannot find the character device of %s in %s (/sys/class/net/%s/macvtap/)",
			MACVTAP_IF, vm->host_ns, MACVTAP_IF);
		return -1;
	}
	if (vnl_vm_record_file(b, vm, MACVTAP_IF ".tap", node, len) < 0)
		return -1;
	if (mknod(node, S_IFCHR | 0600, makedev(maj, min)) < 0) {
		vnl_errno("cannot create %s (device %u:%u)", node, maj, min);
		return -1;
	}
	int fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vnl_errno("cannot open %s, the tap device of %s", node, MACVTAP_IF);
	return fd;
}

int vnl_topo_macvtap_build(struct vnl_lab_builder *b)
{
	struct vnl_vm vm;
	vnl_vm_names(&vm, b->lab);
	if (vnl_vm_base(b, &vm) < 0 || make_macvtap(b, &vm) < 0 ||
	    vnl_lab_step_up(b, vm.host_ns, MACVTAP_IF) < 0)
		return -1;
	char tap_dev[300];
	struct vnl_vm_nic nic = { .backend_if = MACVTAP_IF, .tap_fd = 3, .tap_dev = tap_dev };
	if (b->dry_run) {
		snprintf(tap_dev, sizeof(tap_dev),
			 "/dev/tap$(ip netns exec %s cat /sys/class/net/%s/ifindex)", vm.host_ns,
			 MACVTAP_IF);
		return vnl_vm_guest(b, &vm, &nic);
	}
	nic.tap_fd = open_tap(b, &vm, tap_dev, sizeof(tap_dev));
	if (nic.tap_fd < 0)
		return -1;
	int ret = vnl_vm_guest(b, &vm, &nic);
	close(nic.tap_fd); /* qemu has its own copy */
	return ret;
}
