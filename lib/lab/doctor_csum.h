/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The doctor's checksum check: a few UDP datagrams each way between a lab's
 * remote end and its guest, and the receivers' checksum-error counters before
 * and after. A back-end that forwards a frame whose checksum was left to an
 * offload (an Open vSwitch userspace datapath, for one) without completing it
 * makes every probe of that direction vanish at the receiver; ping, whose
 * checksum is always complete, does not notice.
 */
#ifndef VNL_DOCTOR_CSUM_H
#define VNL_DOCTOR_CSUM_H

#include "labinfo.h"

/* Prints an "ok" or "PROBLEM" line per direction; returns the number of problems. */
int vnl_doctor_csum(const struct vnl_lab_info *info);

#endif
