/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which qdiscs an interface has (rtnetlink RTM_GETQDISC, read only): does
 * one of them honour SO_TXTIME launch times? etf and fq do, taprio in its
 * txtime-assist mode; pfifo_fast, noqueue, fq_codel and the rest accept
 * the SCM_TXTIME cmsg and send at once.
 */
#ifndef VNL_QDISC_H
#define VNL_QDISC_H

#include <stdbool.h>
#include <stddef.h>

struct vnl_qdisc_info {
	char root[32];     /* the root qdisc's kind ("noqueue", "mq", "etf"), "" = unknown */
	char launch[32];   /* the first launch-time qdisc found (root or a child), "" = none */
};

/* Read IFNAME's qdiscs in the current network namespace: 0, or -1 (errno;
 * ENODEV: no such interface). */
int vnl_qdisc_query(const char *ifname, struct vnl_qdisc_info *out);
/* Does a qdisc of this kind hold packets until their launch time? */
bool vnl_qdisc_honours_txtime(const char *kind);

#endif
