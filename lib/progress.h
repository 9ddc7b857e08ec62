/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The progress of a study: on a terminal, one line redrawn in place ("case i
 * of n", elapsed, estimated remaining, the last case's loss and p99); when
 * not a terminal, one plain line per finished case and nothing else.
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

struct vnl_progress;

/* TOTAL units of work planned to take PLANNED_NS; draw on OUT (terminal or not). */
struct vnl_progress *vnl_progress_new(FILE *out, unsigned total, int64_t planned_ns, bool quiet);
void vnl_progress_free(struct vnl_progress *p);

/* Unit INDEX (0-based) named NAME starts; it is planned to take PLANNED_NS. */
void vnl_progress_begin(struct vnl_progress *p, unsigned index, const char *name,
			int64_t planned_ns);
/* Redraw the terminal line (elapsed time moves); call about once a second. */
void vnl_progress_tick(struct vnl_progress *p);
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
