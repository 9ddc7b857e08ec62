/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What linuxptp's pmc prints for 'GET PORT_DATA_SET', 'GET CURRENT_DATA_SET',
 * 'GET TIME_STATUS_NP' and 'GET PARENT_DATA_SET' (one "\tID seq N RESPONSE
 * MANAGEMENT TLV" line, then "\t\tfield value" lines), read into the fields a
 * cross-host clock needs. Only the first response of each data set counts
 * (ptp4l on one interface has one port). Text from another program: every
 * value is checked, a field that is missing or malformed stays absent.
 */
#ifndef VNL_PMC_H
#define VNL_PMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnl_pmc {
	bool have_port;          /* PORT_DATA_SET answered */
	char port_identity[40];  /* "2ece70.fffe.3d7576-1" */
	char port_state[24];     /* "SLAVE", "MASTER", "UNCALIBRATED", "LISTENING"... */
	bool have_current;       /* CURRENT_DATA_SET answered */
	int64_t steps_removed;
	int64_t offset_from_master_ns; /* rounded to ns */
	int64_t mean_path_delay_ns;
	bool have_time_status;   /* TIME_STATUS_NP answered */
	int64_t master_offset_ns;
	bool gm_present;
	char gm_identity[24];    /* "2287d6.fffe.7b4ff7" */
	bool have_parent;        /* PARENT_DATA_SET answered */
	char parent_port_identity[40];
	char grandmaster_identity[24];
	int64_t grandmaster_priority1, grandmaster_priority2;
};

/* Parse TEXT (NUL-terminated pmc output). The number of data sets read (0 to 4). */
int vnl_pmc_parse(const char *text, struct vnl_pmc *out);

#endif
