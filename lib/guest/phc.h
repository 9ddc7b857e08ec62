/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's clock as a guest sees it through ptp_kvm: a PTP hardware clock
 * named "KVM virtual PTP" whose reading is the host's CLOCK_REALTIME (a
 * KVM_HC_CLOCK_PAIRING hypercall). Read the way phc2sys reads a PHC, but
 * without steering anything (sys/phcdev.h: samples of guest CLOCK_REALTIME
 * before, PHC, guest CLOCK_REALTIME after). The guest
 * agent answers the host's "phc" requests with them (agent.h); the host turns
 * them into offsets (vnl_clocksync_add_phc).
 */
#ifndef VNL_PHC_H
#define VNL_PHC_H

#include "paths.h"
#include "phcdev.h" /* the samples and their reading */

#include <stddef.h>
#include <stdint.h>

#define VNL_PHC_KVM_NAME "KVM virtual PTP"
/* The guest's /init writes "MODULE: insmod's message" here for each module that did not load. */
#define VNL_PHC_RUN_DIR VNL_RUN_ROOT
#define VNL_PHC_MODULE_FAILURES VNL_PHC_RUN_DIR "/modules.failed"

struct vnl_phc;

/*
 * Find and open the KVM PHC. ROOT prefixes /sys, /dev and the module record
 * ("" on a real system; a directory in tests). NULL when there is none, with
 * WHY saying so and why (e.g. "ptp_kvm did not load: ... No such device").
 */
struct vnl_phc *vnl_phc_open(const char *root, char *why, size_t why_len);
void vnl_phc_close(struct vnl_phc *p);
const char *vnl_phc_device(const struct vnl_phc *p);
/* The ioctl the last successful read used: "precise", "extended" or "basic"; "" before one. */
const char *vnl_phc_ioctl(const struct vnl_phc *p);
/*
 * Up to N (<= VNL_PHC_MAX_SAMPLES) samples, trying PRECISE, EXTENDED, then
 * the basic ioctl and staying with the first that works. The count, or -1
 * with WHY (every ioctl refused, with the last error).
 */
int vnl_phc_read(struct vnl_phc *p, struct vnl_phc_sample *s, int n, char *why, size_t why_len);

#endif
