/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a topology file (topo_*.c) needs from the lab builder (lab.c): the
 * lab's options, and build steps that are done write-ahead (recorded in the
 * state file first) or, with dry_run, printed as the equivalent commands.
 * Every step prints its own error and returns 0 or -1.
 */
#ifndef VNL_LABBUILD_H
#define VNL_LABBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "labstate.h"
#include "qbv.h"
#include "qemu.h"

/* Options of `lab up` for the guest topologies (ignored by veth). */
struct vnl_lab_opts {
	const struct vnl_guestarch *guest_arch; /* NULL: the host's */
	enum vnl_accel accel;
	enum vnl_vhost vhost;
	unsigned guest_cpus;   /* 0: 1 */
	unsigned guest_mem_mb; /* 0: 256 */
	/* Host CPUs (a CPU list) for qemu's threads: one CPU for all of them, or one per vCPU in
	 * the order written ("1,0": vCPU 0 on 1, vCPU 1 on 0); NULL: not pinned */
	const char *pin_vcpu;
	const char *emulator_cpus; /* with pin_vcpu: CPUs for qemu's other threads (NULL: the ones not listed) */
	int vhost_fifo;        /* SCHED_FIFO priority for the vhost-net workers after boot, 0: leave */
	const char *irq_cpus;  /* with uplink: CPU list for its IRQs (restored by down), NULL: leave */
	unsigned vlan;         /* 802.1Q id on the guest side, 0: none */
	const char *uplink;    /* a real NIC instead of the veth wire, or NULL */
	bool ovs_afxdp;        /* ovs: the uplink as an AF_XDP port */
	bool vhost_user;       /* ovs --ovs-afxdp: the guest on a vhost-user port (DPDK vswitchd) */
	const char *pmd_cpus;  /* with vhost_user: CPU list for the PMD threads, NULL: OVS's choice */
	const char *pci;       /* passthrough: the PCI device (BDF) */
	struct vnl_qbv qbv;    /* --qbv: taprio on the guest's eth0 (cycle_ns 0: none) */
};

/* The defaults: auto accel and vhost, 1 CPU, 256 MB, no pinning, no VLAN. */
void vnl_lab_opts_init(struct vnl_lab_opts *o);

struct vnl_nl;

struct vnl_lab_builder {
	const char *lab;
	bool dry_run;
	struct vnl_labstate *st;      /* NULL with dry_run */
	const struct vnl_lab_opts *opts;
};

/* Record obj write-ahead; its index, or -1 (message printed). */
int vnl_lab_record(struct vnl_lab_builder *b, const struct vnl_obj *obj);
/* Record a file (or an empty directory) the lab will make. */
int vnl_lab_record_path(struct vnl_lab_builder *b, const char *path);
int vnl_lab_step_netns(struct vnl_lab_builder *b, const char *ns);
/* A veth pair: ifname in ns, peer_if in peer_ns. */
int vnl_lab_step_veth(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		      const uint8_t mac[6], const char *peer_ns, const char *peer_if,
		      const uint8_t peer_mac[6]);
int vnl_lab_step_addr(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		      const char *cidr);
int vnl_lab_step_up(struct vnl_lab_builder *b, const char *ns, const char *ifname);
/*
 * Wait until ifname in ns is running and the peers' addresses (up to
 * VNL_LAB_READY_MAX, "ADDR" or "ADDR/PREFIX", IPv4 or IPv6) resolve on it:
 * only then can a stream start without its first probes waiting a second
 * for the neighbour (linkready.h). Dry run: prints the equivalent pings.
 */
#define VNL_LAB_READY_MAX 4
int vnl_lab_step_ready(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		       const char *const peers[], unsigned n);

/* The lab's own MAC for node number node_no (locally administered, unicast). */
void vnl_lab_mac(const char *lab, unsigned node_no, uint8_t mac[6]);
/* An rtnetlink socket in namespace NS (NULL, errno set). */
struct vnl_nl *vnl_lab_nl_in(const char *ns);
/* Start time of a process (clock ticks since boot), 0 when there is none. */
uint64_t vnl_process_start_time(pid_t pid);

#endif
