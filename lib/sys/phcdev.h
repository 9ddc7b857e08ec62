/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PTP hardware clock (/dev/ptpN) read against the system clock the way
 * phc2sys reads it, without steering anything: PTP_SYS_OFFSET_PRECISE (a
 * cross-timestamp), else PTP_SYS_OFFSET_EXTENDED, else PTP_SYS_OFFSET, each
 * giving samples (CLOCK_REALTIME before, PHC, CLOCK_REALTIME after). Used for
 * a guest's KVM PTP clock (guest/phc.h) and a NIC's PHC ('vnetlat clock status').
 */
#ifndef VNL_PHCDEV_H
#define VNL_PHCDEV_H

#include <stddef.h>
#include <stdint.h>

/* Samples per request at most (the kernel's PTP_MAX_SAMPLES). */
#define VNL_PHC_MAX_SAMPLES 25

/* One reading; PTP_SYS_OFFSET_PRECISE gives sys_before == sys_after (no sandwich). */
struct vnl_phc_sample {
	int64_t sys_before, phc, sys_after; /* ns: CLOCK_REALTIME, PHC, CLOCK_REALTIME */
};

struct vnl_phcdev;

/* Open PATH read-only (only reading ioctls); NAME ("/dev/ptp0") is what messages call it.
 * NULL with WHY. */
struct vnl_phcdev *vnl_phcdev_open(const char *path, const char *name, char *why, size_t why_len);
void vnl_phcdev_close(struct vnl_phcdev *p);
const char *vnl_phcdev_name(const struct vnl_phcdev *p);
/* The ioctl the last successful read used: "precise", "extended" or "basic"; "" before one. */
const char *vnl_phcdev_ioctl(const struct vnl_phcdev *p);
/*
 * Up to N (<= VNL_PHC_MAX_SAMPLES) samples, trying PRECISE, EXTENDED, then
 * the basic ioctl and staying with the first that works. The count, or -1
 * with WHY (every ioctl refused, with the last error).
 */
int vnl_phcdev_read(struct vnl_phcdev *p, struct vnl_phc_sample *s, int n, char *why, size_t why_len);

#endif
