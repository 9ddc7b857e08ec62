/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What this host offers for a clock shared with another host ('vnetlat clock
 * status', later both ends of 'run --remote ... --check'): vnetlat, kernel,
 * PREEMPT_RT, isolated CPUs, an interface's timestamping and PHC
 * (ETHTOOL_GET_TS_INFO), that PHC against the system clock (PTP_SYS_OFFSET*),
 * ptp4l's state through linuxptp's pmc on its UDS, and whether phc2sys runs.
 * Each piece that is missing is absent with the reason, never a zero. Reads
 * only; nothing is changed or steered.
 */
#ifndef VNL_CLOCKHOST_H
#define VNL_CLOCKHOST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pmc.h"
#include "tsinfo.h"

#define VNL_PTP4L_DEFAULT_UDS "/var/run/ptp4l"
/* PHC readings taken; the narrowest is kept. */
#define VNL_CLOCKHOST_PHC_SAMPLES 10

struct vnl_clockhost {
	char kernel[128], kernel_version[256];
	bool preempt_rt;
	char isolcpus[128];           /* "" when none */
	const char *interface;        /* NULL: not asked */
	bool have_tsinfo;
	struct vnl_tsinfo ts;
	char tsinfo_why[160];
	bool have_phc;
	char phc_device[32], phc_ioctl[16];
	int64_t phc_offset_ns;        /* PHC - CLOCK_REALTIME, of the narrowest reading */
	int64_t phc_uncertainty_ns;   /* half that reading's width (0: a cross-timestamp) */
	int phc_samples;
	char phc_why[200];
	const char *uds;
	bool have_ptp4l;
	struct vnl_pmc pmc;
	char ptp4l_why[300];
	int phc2sys_pid;              /* the first phc2sys process found, 0: none */
};

/* Gather it all for INTERFACE (NULL: none) and ptp4l at UDS. */
void vnl_clockhost_read(struct vnl_clockhost *h, const char *interface, const char *uds);
/* The document of 'vnetlat clock status --json' (doc/json-schema.json, clock_status_document). */
json_t *vnl_clockhost_json(const struct vnl_clockhost *h);
void vnl_clockhost_print(FILE *out, const struct vnl_clockhost *h);

#endif
