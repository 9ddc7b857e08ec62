/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The links of the VM labs that lib/lab/nl.h does not make, each inside a named
 * namespace: a Linux bridge (STP off, no forward delay), a macvtap in bridge
 * mode, enslaving a link to a master, and a persistent tap owned by the lab.
 * Functions return 0 or -1 with errno set; *why (when not NULL) gets the
 * kernel's explanation if it gave one.
 */
#ifndef VNL_TOPO_LINKS_H
#define VNL_TOPO_LINKS_H

#include <stdbool.h>

#include <stdint.h>

int vnl_link_bridge_add(const char *ns, const char *ifname, const char **why);
int vnl_link_macvtap_add(const char *ns, const char *ifname, const char *lower,
			 const uint8_t mac[6], const char **why);
int vnl_link_set_master(const char *ns, const char *ifname, const char *master, const char **why);
/* A persistent tap (TUNSETIFF + TUNSETPERSIST), so it outlives this process. */
/* MQ: IFF_MULTI_QUEUE (qemu then opens it with queues=N) */
int vnl_link_tap_add(const char *ns, const char *ifname, bool mq);
/* ifindex of ifname in ns, or -1. */
int vnl_link_ifindex(const char *ns, const char *ifname);

#endif
