/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live one-line status for long runs: packets, loss and the current p99 of
 * one stage, rewritten in place about once a second when stderr is a
 * terminal; silent otherwise (logs and pipes stay clean).
 */
#ifndef VNL_STATUS_H
#define VNL_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

struct vnl_analysis;
struct vnl_status;

/* quiet forces it off. NULL only when out of memory. */
struct vnl_status *vnl_status_new(bool quiet);
void vnl_status_free(struct vnl_status *s);

/* Call as often as you like; prints at most once a second (now: CLOCK_MONOTONIC ns). */
void vnl_status_tick(struct vnl_status *s, int64_t now_ns, const struct vnl_analysis *a,
		     enum vnl_stage stage);
/* Erase the line before the final report. */
void vnl_status_clear(struct vnl_status *s);

#endif
