/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VLAN tagger (bpf/vlan_tag.bpf.c): an 802.1Q endpoint for kernels
 * without 802.1Q, made of a port interface (vlan0, one end of a veth pair)
 * and two tc direct-action programs: the port's egress tags and sends out of
 * the wire, the wire's ingress untags frames of our id for the port.
 *
 * The programs live in clsact filters on the two links, so nothing is pinned:
 * they go away with the links (with the namespace, at `lab down`).
 */
#ifndef VNL_VLANTAG_H
#define VNL_VLANTAG_H

/* Attach the tagger for vid (1..4094) in namespace ns; 0, or -1 with a message. */
int vnl_vlantag_attach(const char *ns, const char *wire, const char *port, unsigned vid);

#endif
