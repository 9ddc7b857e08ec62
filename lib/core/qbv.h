/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Qbv (802.1Qbv, tc-taprio) window for the test stream: its gate opens at
 * OPEN for LENGTH in every CYCLE counted from BASE on CLOCK_TAI, the other
 * traffic classes' gate the rest of the cycle. `lab up --qbv` parses it and
 * builds the taprio command; `run` places each probe's stamps in the cycle.
 */
#ifndef VNL_QBV_H
#define VNL_QBV_H

#include <stddef.h>
#include <stdint.h>

/* The stream's priority (SO_PRIORITY) when none is given: traffic class 0. */
#define VNL_QBV_PRIORITY 3
/* taprio in software mode maps one TX queue per traffic class. */
#define VNL_QBV_QUEUES 2

struct vnl_qbv {
	int64_t open_ns, length_ns, cycle_ns; /* cycle_ns 0: no Qbv */
	int64_t base_time_ns;                 /* CLOCK_TAI, a whole second */
	int priority;                         /* the stream's SO_PRIORITY: traffic class 0 */
	char offload[12];                     /* "software" or "full" */
};

/* "500us+250us/1ms": 0, or -1 with *why. The cycle must divide 1 s (so that
 * the phase is the same on any clock whole seconds apart: TAI, UTC). */
int vnl_qbv_parse(const char *spec, struct vnl_qbv *q, const char **why);
/* The tc command (words separated by one space, no quoting needed) into BUF. */
int vnl_qbv_tc_command(const struct vnl_qbv *q, const char *dev, char *buf, size_t len);
/* Where T (ns, TAI or any clock whole seconds from it) falls in the cycle, 0..cycle-1. */
int64_t vnl_qbv_phase(const struct vnl_qbv *q, int64_t t);
/* Whether T is inside the stream's open window. */
int vnl_qbv_in_window(const struct vnl_qbv *q, int64_t t);

/* Where a direction's probes fell in the cycle, from the sender's own kernel stamps. */
struct vnl_qbv_counts {
	uint64_t probes;         /* arrived (not duplicates) */
	uint64_t sent;           /* with a software TX stamp (handed to the driver) */
	uint64_t sent_in_window; /* that stamp inside the open window */
	uint64_t sent_outside;   /* sent - sent_in_window */
	uint64_t queued_outside; /* SCHED stamp (entering the qdisc) outside the window: waited */
	uint64_t missed_window;  /* TX stamp more than one cycle after the SCHED stamp */
	uint64_t no_stamp;       /* probes - sent: no TX stamp came back */
};
/* One probe (stamps on the sender's clock, 0: none); no allocation, no formatting. */
void vnl_qbv_count(const struct vnl_qbv *q, struct vnl_qbv_counts *c, int64_t tx_sched,
		   int64_t tx_sw);

#endif
