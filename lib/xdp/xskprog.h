/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AF_XDP steering program (bpf/xdp_probe.bpf.c) on one interface:
 * loaded from its embedded skeleton, told the probe port, given the AF_XDP
 * socket of the queue, attached through a bpf_link. A bpf_link goes away
 * with its file descriptor, so the program is detached when vnetlat exits
 * for any reason, a crash or kill -9 included. An xdp_probe left attached
 * the old way (netlink, e.g. by hand with ip link) is recognised by its name
 * and replaced; any other XDP program on the interface is left alone and
 * reported.
 */
#ifndef VNL_XSKPROG_H
#define VNL_XSKPROG_H

#include <stdint.h>

struct vnl_xskprog;

/* NULL after one message saying what was wrong. */
struct vnl_xskprog *vnl_xskprog_attach(const char *ifname, uint32_t queue, uint16_t udp_port,
				       int xsk_fd);
/* Detach and unload; NULL is fine. */
void vnl_xskprog_detach(struct vnl_xskprog *p);

/* For the report: "native XDP, device-bound" and the like. */
const char *vnl_xskprog_desc(const struct vnl_xskprog *p);
/* Whether the driver may hand hardware RX stamps to the program (device-bound load). */
int vnl_xskprog_dev_bound(const struct vnl_xskprog *p);

#endif
