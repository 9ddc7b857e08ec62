/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What measuring through a lab needs to know about it: where each end of the
 * stream lives, its addresses, the observation points on the host, and the
 * guest's control channel. `lab up` writes it (DIR/LAB.info, JSON) once the
 * lab works; `run` and `study` read it. The state file (labstate.h) says
 * what to remove; this says how to use what is there.
 */
#ifndef VNL_LABINFO_H
#define VNL_LABINFO_H

#include "paths.h"
#include "qbv.h"

#include <stdbool.h>

struct vnl_lab_endpoint {
	char netns[32];   /* namespace the endpoint's program runs in ("" for a guest) */
	char ifname[16];  /* its interface */
	char mac[18];     /* "02:..:.." */
	char addr4[48];   /* "192.0.2.1" (no prefix) */
	char addr6[64];   /* "2001:db8::1" */
};

struct vnl_lab_info {
	char name[16];
	char topology[16];
	struct vnl_lab_endpoint remote;  /* the peer board (sender for "in") */
	struct vnl_lab_endpoint local;   /* the far end: guest application, or veth node b */
	/*
	 * With a VLAN (lab up --vlan) remote and local are the ends on the VLAN,
	 * where the test stream goes (vlan0, eth0.ID); these are the untagged
	 * ones (wire0, eth0 with its DHCP lease): management and background load.
	 * Without one they are copies of remote and local.
	 */
	unsigned vlan;                   /* 802.1Q id of the stream's network, 0: untagged */
	struct vnl_lab_endpoint untagged_remote, untagged_local;
	char host_netns[32];   /* VM host namespace holding the back-end ("" for veth) */
	char uplink_if[16];    /* host side of the wire, in host_netns */
	char backend_if[16];   /* the guest's tap/macvtap/vhost port, in host_netns */
	bool has_guest;
	char agent_path[256];  /* guest control channel (unix socket), "" if no guest */
	char console_log[256];
	char guest_arch[16];   /* "x86_64", "aarch64" ("" without a guest) */
	char accel[8];         /* "kvm", "tcg" */
	char vhost[8];         /* "on", "off" */
	struct {               /* the guest on a vhost-user port (ovs --vhost-user); socket "": not */
		char socket[128];  /* the unix socket qemu serves, the switch's port connects to */
		char memory[128];  /* "memfd (...)" or "hugepages (...)": how guest memory is shared */
		char pmd_cpus[64]; /* the CPUs of the switch's PMD threads, as it reports them */
	} vhost_user;
	struct vnl_qbv qbv;    /* the guest's eth0 taprio window (lab up --qbv); cycle_ns 0: none */
	char qbv_in_refused[320]; /* with qbv: why remote -> guest has no window */
};

#define VNL_LABINFO_DIR VNL_LABS_DIR

/* 0 or -errno; writes atomically (temp + rename). */
int vnl_labinfo_save(const char *dir, const struct vnl_lab_info *info);
/* 0, -ENOENT (no such lab or not finished building), or -EINVAL (damaged). */
int vnl_labinfo_load(const char *dir, const char *lab, struct vnl_lab_info *out);
/*
 * Make the remote end a namespace of the user's (on the network of a lent
 * uplink or a passed-through device) at addr (IPv4 or IPv6): 0, or -1 when
 * addr is not an address.
 */
int vnl_labinfo_set_remote(struct vnl_lab_info *info, const char *netns, const char *addr);
/* Remove the info file (lab down); 0 or -errno (-ENOENT is fine for callers). */
int vnl_labinfo_remove(const char *dir, const char *lab);

#endif
