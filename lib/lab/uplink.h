/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `lab up ... --uplink IFACE`: a NIC of the user's lent to a VM lab. It is
 * checked before anything is made (exists, not loopback, not Wi-Fi, not a
 * port of something else, not carrying the default route), recorded in the
 * state file as it is (name, namespace, MAC, MTU, up/down, addresses), then
 * moved into the lab's host namespace and renamed there in one request, so
 * the topologies see their usual uplink0. Down moves it back under its own
 * name and restores MTU, addresses and state, before the lab's namespace is
 * deleted (a veth would die with it, a NIC would come back as uplink0).
 */
#ifndef VNL_UPLINK_H
#define VNL_UPLINK_H

#include "labbuild.h"

/* IFACE (in the caller's namespace) can be lent: 0, or -1 with what is wrong and what to do. */
int vnl_uplink_check(const char *ifname);
/* Record it write-ahead and move it into ns as name `as`; with dry_run print the commands. */
int vnl_uplink_borrow(struct vnl_lab_builder *b, const char *ifname, const char *ns,
		      const char *as);
/* The remover of a VNL_OBJ_UPLINK object (give it back), and its commands for --dry-run. */
int vnl_uplink_restore(const struct vnl_obj *obj);
void vnl_uplink_print_restore(const struct vnl_obj *obj);

#endif
