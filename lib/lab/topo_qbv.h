/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lab up --qbv: a taprio qdisc on the guest's eth0 (guest -> remote) set up
 * through the agent, and the remote -> guest direction tried on LAB-r's wire0
 * (this host's kernel: no sch_taprio, so refused with the reason). Each
 * prints its own error and returns 0 or -1.
 */
#ifndef VNL_TOPO_QBV_H
#define VNL_TOPO_QBV_H

#include <stddef.h>

#include "qbv.h"

struct vnl_agent;

/* The base time (CLOCK_TAI now, a whole second, far enough back for any guest TAI). */
void vnl_qbv_base_now(struct vnl_qbv *q);
/* Two TX queues on eth0 (ethtool -L), then taprio; read back from tc. */
int vnl_qbv_guest(struct vnl_agent *a, const struct vnl_qbv *q);
/* The remote's side: taprio on NS's wire0, or why not into WHY (also printed). 1: refused. */
int vnl_qbv_remote(const struct vnl_qbv *q, const char *ns, const char *ifname, char *why,
		   size_t len);
/* --dry-run: the commands for both directions. */
void vnl_qbv_print(const struct vnl_qbv *q, const char *lab, const char *ns, const char *ifname);

#endif
