/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An interface's timestamping capabilities and PTP hardware clock, as
 * 'ethtool -T' shows them: the ETHTOOL_GET_TS_INFO ioctl (see the kernel's
 * Documentation/networking/timestamping.rst), in the caller's namespace.
 */
#ifndef VNL_TSINFO_H
#define VNL_TSINFO_H

#include <stddef.h>
#include <stdint.h>

struct vnl_tsinfo {
	uint32_t so_timestamping; /* SOF_TIMESTAMPING_* the device supports */
	int phc_index;            /* /dev/ptpN, -1: none */
	uint32_t tx_types;        /* bit HWTSTAMP_TX_* */
	uint32_t rx_filters;      /* bit HWTSTAMP_FILTER_* */
};

/* 0, or -1 with WHY ("no interface eth9 in this namespace", "... does not answer ETHTOOL_GET_TS_INFO"). */
int vnl_tsinfo_read(const char *ifname, struct vnl_tsinfo *out, char *why, size_t why_len);
/*
 * The names (ethtool -T's) of the bits set in one of the masks: WHICH 0 the
 * capabilities ("software-transmit"...), 1 the TX types ("off", "on"...), 2 the
 * RX filters ("none", "all", "ptpv2-event"...). Up to MAX into NAMES; the count.
 */
size_t vnl_tsinfo_names(int which, uint32_t mask, const char *names[], size_t max);

#endif
