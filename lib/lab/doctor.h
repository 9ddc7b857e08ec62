/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vnetlat lab doctor`: the usual reasons a guest behind a bridge, macvtap or
 * OVS gets no DHCP lease (bridge netfilter, a wireless uplink, macvtap
 * host<->guest isolation, STP forward delay, rp_filter, the guest's MAC not
 * learned, the uplink down, the DHCP server silent). Every check prints "ok"
 * or "PROBLEM" with what to change, as a command.
 */
#ifndef VNL_DOCTOR_H
#define VNL_DOCTOR_H

#include <stdbool.h>

/* Check a VM lab (from its info file). VNL_EXIT_OK when no problem was found, else 1. */
int vnl_doctor_lab(const char *lab);
/*
 * The same checks on a VM lab being built (no info file yet): its host
 * namespace, topology, uplink, back-end, guest MAC and run directory.
 * Returns the number of problems, or -1 when the checks could not run.
 */
int vnl_doctor_vm(const char *host_ns, const char *topology, const char *uplink,
		  const char *backend, const char *guest_mac, const char *run_dir);
/* Check the user's own bridge in the caller's network namespace. */
int vnl_doctor_bridge(const char *bridge);

#endif
