/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link-layer address of an on-link neighbour, read from the kernel's
 * neighbour table (rtnetlink, no library so the static guest build has it
 * too). A frame built by hand (AF_XDP) needs the destination MAC that the
 * stack would otherwise have looked up itself.
 */
#ifndef VNL_NEIGH_H
#define VNL_NEIGH_H

#include <stdint.h>

/*
 * MAC of ip (family AF_INET or AF_INET6) on ifindex. When the table has no
 * usable entry, one empty UDP datagram to ip's discard port makes the kernel
 * resolve it (ARP / neighbour discovery); waits up to timeout_ms.
 * 0, or -1 (not resolvable: not on-link, or nobody answers).
 */
int vnl_neigh_resolve(int ifindex, int family, const void *ip, uint8_t mac[6], int timeout_ms);

#endif
