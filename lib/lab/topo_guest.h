/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the VM labs share (used by topo_*.c and doctor.c): the names of one
 * lab, the remote namespace LAB-r with wire0 and dnsmasq, the host namespace
 * LAB-h with uplink0, daemons started inside a namespace and recorded in the
 * state, and the guest: boot, DHCP lease, lab info. An xdp topology is
 * vnl_vm_base + vnl_vm_tap + its programs + vnl_vm_guest.
 */
#ifndef VNL_TOPO_GUEST_H
#define VNL_TOPO_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labbuild.h"
#include "vmlab.h"

struct vnl_vm {
	const char *lab;
	char remote_ns[32], host_ns[32];
	char run_dir[128];
	uint8_t guest_mac[6];
	char guest_mac_text[18];
};

void vnl_vm_names(struct vnl_vm *vm, const char *lab);
/* RUN_DIR/file into buf. */
void vnl_vm_path(const struct vnl_vm *vm, const char *file, char *buf, size_t len);
/* Record RUN_DIR/file write-ahead (path into buf). */
int vnl_vm_record_file(struct vnl_lab_builder *b, const struct vnl_vm *vm, const char *file,
		       char *buf, size_t len);

/* The run directory only. */
int vnl_vm_run_dir(struct vnl_lab_builder *b, const struct vnl_vm *vm);
/* The run directory, LAB-r (wire0, addresses, dnsmasq, vlan0 with --vlan) and LAB-h (uplink0 up). */
int vnl_vm_base(struct vnl_lab_builder *b, struct vnl_vm *vm);
/* A persistent tap ifname in LAB-h, up. */
int vnl_vm_tap(struct vnl_lab_builder *b, const struct vnl_vm *vm, const char *ifname);
/*
 * Start argv (a daemon staying in the foreground) inside ns with its output
 * in log, recorded as a process object before it runs anything. With dry_run
 * print it as a command that backgrounds itself. 0 or -1.
 */
int vnl_vm_spawn(struct vnl_lab_builder *b, const char *ns, const char *const argv[],
		 const char *log, const char *const env[]);
/* Run argv to completion inside ns (or print it); 0 when it exits 0. */
int vnl_vm_run(struct vnl_lab_builder *b, const char *ns, const char *const argv[]);

/* How the guest is attached: a tap by name, or an open tap fd (macvtap). */
struct vnl_vm_nic {
	const char *backend_if;  /* the host-side interface, for the lab info */
	const char *tap;         /* qemu opens this tap, or NULL */
	int tap_fd;              /* or this fd, -1 */
	const char *tap_dev;     /* dry run: the device the fd is opened from */
	const char *pci;         /* or a PCI device bound to vfio-pci (BDF): the address then
				  * comes from the device's own network, read through the agent */
	bool no_csum_offload;    /* the guest completes its own checksums (XDP redirects) */
	const char *vhost_user_sock; /* or a vhost-user port: qemu serves this socket */
	const char *mem_path;    /* with it: the guest's memory on hugetlbfs here, NULL: memfd */
	const char *mem_said;    /* what the lab info says of that memory, and why */
	const char *pmd_cpus;    /* the switch's PMD threads' CPUs, read back, for the lab info */
};
/* Boot the guest on nic, wait for its DHCP lease, write the lab info. */
int vnl_vm_guest(struct vnl_lab_builder *b, const struct vnl_vm *vm, const struct vnl_vm_nic *nic);

/* Each of progs (NULL-terminated) in PATH, else a message naming the package: 0 or -1. */
int vnl_topo_need_programs(const char *const progs[], const char *package);


#endif
