/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM lab topologies (issue 3), as entries of lab.c's topology table: a
 * remote namespace LAB-r running dnsmasq, a host namespace LAB-h with the
 * uplink and the back-end under test, and a QEMU guest that gets its address
 * by DHCP across that back-end. One file per back-end (topo_bridge.c,
 * topo_macvtap.c, topo_ovs.c, topo_passthrough.c); what they share is in
 * topo_guest.c.
 */
#ifndef VNL_TOPO_H
#define VNL_TOPO_H

#include <jansson.h>
#include <stdbool.h>

#include "labbuild.h"

int vnl_topo_bridge_build(struct vnl_lab_builder *b);
/* True when the kernel uses an IOMMU (passthrough needs one; host.json reports it). */
bool vnl_topo_iommu_present(void);
/* True when the kernel has 802.1Q (--vlan then makes vlan0 a real VLAN device; host.json). */
bool vnl_topo_vlan_kernel(void);
struct vnl_vm;
/* The bridge lab's host side: br0 with uplink0 and tap0 (also under the xdp lab). */
int vnl_topo_bridge_host(struct vnl_lab_builder *b, const struct vnl_vm *vm);
int vnl_topo_macvtap_build(struct vnl_lab_builder *b);
int vnl_topo_ovs_build(struct vnl_lab_builder *b);
int vnl_topo_passthrough_build(struct vnl_lab_builder *b);
/* topo_xdp.c (in the vnl_xdp layer): the bridge lab with the XDP bridge in front. */
int vnl_topo_xdp_build(struct vnl_lab_builder *b);
int vnl_topo_xdp_check(const struct vnl_lab_opts *opts);
/* Its ports, attach modes and per-CPU-summed fast/slow counters: printed, or as "xdp" in jlab. */
void vnl_topo_xdp_show(const char *lab, json_t *jlab);
/* A bpf_pin object that is a whole XDP bridge (VNL_XDP_PIN_ROOT/LAB)... */
bool vnl_topo_xdp_is_bridge_pin(const struct vnl_obj *obj);
/* ...removed by lab name: links detached, everything unpinned. */
int vnl_topo_xdp_remove_pin(const struct vnl_obj *obj);

/* Before anything is made: the programs a VM lab needs (dnsmasq, qemu). 0, or -1 + message. */
int vnl_topo_vm_check(const struct vnl_lab_opts *opts);
/* ... and Open vSwitch. */
int vnl_topo_ovs_check(const struct vnl_lab_opts *opts);
/* ... and an IOMMU, vfio-pci and the device: refuses with what is missing and how to get it. */
int vnl_topo_passthrough_check(const struct vnl_lab_opts *opts);
/* A PCI address as DDDD:BB:DD.F. */
bool vnl_topo_pci_bdf_ok(const char *bdf);

/* Give a PCI device that passthrough handed to vfio-pci back to its driver (a remover). */
int vnl_pci_restore(const struct vnl_obj *obj);
void vnl_pci_print_restore(const struct vnl_obj *obj);

/*
 * The guest of lab (from its info file): printed as a "node guest" block, or
 * appended to jnodes (JSON) when it is not NULL. Nothing for a lab without one.
 */
void vnl_topo_guest_show(const char *lab, json_t *jnodes);
/* Run argv in the lab's guest through its agent; returns the command's exit status. */
int vnl_topo_guest_exec(const char *lab, char **argv);

#endif
