/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The progress of a study: on a terminal, one line redrawn in place ("case i
 * of n", elapsed, estimated remaining, and the running case's loss and p99
 * so far, else the last case's); when not a terminal, one plain line per
 * finished case and, while a case runs, a "running" line with its live loss
 * and p99 every few seconds (VNL_PROGRESS_PLAIN_EVERY_NS), so a log shows
 * how a long case goes without a line a second.
 *
 * The estimate scales the planned time of what is left (probe time and
 * warm-up) by how much longer than planned the finished work took, so lab
 * set-up and guest boots are counted once a case has shown what they cost.
 */
#ifndef VNL_PROGRESS_H
#define VNL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Not a terminal: at most one live line per this long. */
#define VNL_PROGRESS_PLAIN_EVERY_NS (5 * 1000000000LL)

struct vnl_progress;

/* TOTAL units of work planned to take PLANNED_NS; draw on OUT (terminal or not). */
struct vnl_progress *vnl_progress_new(FILE *out, unsigned total, int64_t planned_ns, bool quiet);
void vnl_progress_free(struct vnl_progress *p);

/* Unit INDEX (0-based) named NAME starts; it is planned to take PLANNED_NS. */
void vnl_progress_begin(struct vnl_progress *p, unsigned index, const char *name,
			int64_t planned_ns);
/*
 * The running unit's figures so far: WHAT names the part running ("in",
 * "out", "warm-up"; may be NULL), LOSS is a fraction and P99_NS the 99th
 * percentile, each negative when unknown. Shown by the next tick; forgotten
 * when the unit ends or another begins.
 */
void vnl_progress_live(struct vnl_progress *p, const char *what, double loss, int64_t p99_ns);
/* Redraw the terminal line (elapsed time moves), or print a live line when one is due
 * (not a terminal); call about once a second. */
void vnl_progress_tick(struct vnl_progress *p);
/* How often live lines are printed when not a terminal (default VNL_PROGRESS_PLAIN_EVERY_NS). */
void vnl_progress_set_plain_every(struct vnl_progress *p, int64_t every_ns);
/*
 * The unit ended with STATUS ("done", "skipped"...); LOSS is a fraction and
 * P99_NS the 99th percentile, each negative when unknown. DETAIL: the reason
 * for a skipped or failed unit, or NULL.
 */
void vnl_progress_end(struct vnl_progress *p, const char *status, double loss, int64_t p99_ns,
		      const char *detail);
/* Clear the terminal line before other output is printed. */
void vnl_progress_clear(struct vnl_progress *p);

#endif
