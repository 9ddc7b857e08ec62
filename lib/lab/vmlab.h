/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the VM labs' parts are called and where they are: interface names,
 * documentation addresses, run directories, time limits, and the guest's
 * address from dnsmasq's lease file. Shared by the VM topologies and the
 * doctor, which examines them.
 */
#ifndef VNL_VMLAB_H
#define VNL_VMLAB_H

#include <stddef.h>

#include "paths.h"

#define VNL_VM_WIRE "wire0"
#define VNL_VM_UPLINK "uplink0"
#define VNL_VM_TAP "tap0"
#define VNL_VM_BRIDGE "br0"
#define VNL_VM_REMOTE4 "192.0.2.1"
#define VNL_VM_REMOTE6 "2001:db8::1"
#define VNL_VM_GUEST4 "192.0.2.2"
#define VNL_VM_GUEST6 "2001:db8::2"
/*
 * --vlan ID: the test stream's own network, tagged ID between the remote end
 * (vlan0 in LAB-r) and the guest (eth0.ID); the back-end carries the tagged
 * frames as they are. eth0 and wire0 stay untagged (DHCP, background load).
 */
#define VNL_VM_VLAN_PORT "vlan0"
#define VNL_VM_VLAN_PEER "vlanp0" /* vlan0's veth peer where the BPF tagger stands in */
#define VNL_VM_VLAN_REMOTE4 "198.51.100.1"
#define VNL_VM_VLAN_REMOTE6 "2001:db8:1::1"
#define VNL_VM_VLAN_GUEST4 "198.51.100.2"
#define VNL_VM_VLAN_GUEST6 "2001:db8:1::2"
/* The guest's run directory is the one `vnetlat guest` uses, so `guest exec --name LAB` works. */
#define VNL_VM_RUN_ROOT VNL_GUEST_RUN_DIR
/* TCG boots in seconds; the margin is for a loaded machine. */
#define VNL_VM_READY_MS 90000
#define VNL_VM_LEASE_MS 30000

/* The IP leased to MAC in LEASE_FILE ("EXPIRY MAC IP HOSTNAME CLIENT-ID" lines): 0, or -1. */
int vnl_lease_find(const char *lease_file, const char *mac, char *buf, size_t len);

#endif
