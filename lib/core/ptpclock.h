/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two hosts' clocks related through their ptp4l (run --remote, method ptp):
 * each host's system clock minus the grandmaster, from what `vnetlat clock
 * status` reads there (ptp4l through pmc, the PHC against the system clock),
 * and their difference with a bound.
 *
 * A host whose test interface has a PHC is taken to run ptp4l on it (hardware
 * stamping): system - GM = offsetFromMaster - (PHC - system). Without a PHC,
 * ptp4l runs on the system clock (software stamping): system - GM =
 * offsetFromMaster. The grandmaster itself is 0 from it. offsetFromMaster
 * assumes a symmetric path and is one measurement's (its Sync's own delay
 * against the filtered mean), so each slave's part of the bound is twice its
 * meanPathDelay: the largest error an asymmetry can make, and a Sync delayed
 * by up to twice the mean; plus the PHC reading's own width. Pure: no I/O.
 */
#ifndef VNL_PTPCLOCK_H
#define VNL_PTPCLOCK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnl_ptp_host {
	bool present;                /* ptp4l answered */
	char why[200];               /* when not: clock status's reason */
	char port_state[24];
	char clock_identity[24];
	char grandmaster[24];
	bool have_offset;            /* offsetFromMaster and meanPathDelay known */
	int64_t offset_from_master_ns, mean_path_delay_ns;
	bool have_phc;               /* the test interface's PHC, read against the system clock */
	int64_t phc_minus_sys_ns, phc_uncertainty_ns;
};

/* From a `clock status --json` document. 0, or -1 when it is not one. */
int vnl_ptp_host_from_status(json_t *status, struct vnl_ptp_host *h);

struct vnl_ptp_relation {
	bool ok;
	int64_t offset_ns;           /* remote system clock - local system clock */
	int64_t uncertainty_ns;
	char grandmaster[24];
	char why[400];               /* what it rests on, or why it cannot be had */
};

/* REMOTE - LOCAL through the common grandmaster; !ok with why when there is none. */
void vnl_ptp_relate(const struct vnl_ptp_host *local, const struct vnl_ptp_host *remote,
		    struct vnl_ptp_relation *out);

#endif
