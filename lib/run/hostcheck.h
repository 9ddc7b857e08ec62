/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vnetlat run --remote ssh://... --check` (vnetlat-run(8)): what both hosts
 * offer for the measurement, without measuring: each host's own
 * `vnetlat clock status` (vnetlat, kernel, PREEMPT_RT, isolcpus, the test
 * interface's timestamping and PHC, ptp4l's port state and grandmaster,
 * phc2sys), side by side, and what that means for relating their clocks.
 */
#ifndef VNL_HOSTCHECK_H
#define VNL_HOSTCHECK_H

#include <stdbool.h>

#include "remotehost.h"

struct vnl_hostcheck_opts {
	const char *self;          /* this vnetlat, for its own clock status */
	const char *local_addr;    /* each host's address on the test network */
	const char *remote_addr;
	const char *ptp_uds, *remote_ptp_uds; /* each host's ptp4l socket (NULL: its default) */
	bool json;
};

/* The local interface holding ADDR, or "" (then clock status is asked for none). */
void vnl_hostcheck_local_ifname(const char *addr, char *buf, size_t len);

/* Prints the check (text, or one JSON document). An exit code (log.h). */
int vnl_hostcheck(struct vnl_remotehost *h, const struct vnl_hostcheck_opts *o);

#endif
