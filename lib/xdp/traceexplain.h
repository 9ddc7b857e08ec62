/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The matching behind --trace, apart from any BPF: given the events of a
 * scheduler trace (bpf/sched_trace.h, sorted by ts) and a probe's waiting
 * window, which causes held the traced thread's CPU in it or kept the
 * thread from it. Each instant of the window is given to one cause at most,
 * the innermost: a hard irq handler, else a softirq, else, while the thread
 * slept and was not yet woken, not_woken (named after the waker), else
 * another task on the CPU (preempted). So shares never add up to more than 1.
 * Pure computation on a caller's array: the unit tests feed it rings.
 */
#ifndef VNL_TRACEEXPLAIN_H
#define VNL_TRACEEXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sched_trace.h"

/* One cause of a probe's wait. */
struct vnl_sched_explain {
	const char *kind;     /* "preempted", "irq", "softirq", "not_woken" */
	char task[16];        /* preempted: the task; irq: the handler; softirq: the vector
			       * (NET_RX, ...); not_woken: the waker */
	int pid;              /* preempted, not_woken: that task's thread id; else 0 */
	int cpu;              /* the traced CPU; not_woken: the waker's */
	int num;              /* irq: its number; softirq: the vector's; else -1 */
	int64_t start_ns;     /* when it first held the CPU within the window */
	int64_t duration_ns;  /* the window's time given to it, in total */
	int64_t woken_ns;     /* not_woken: when the wake-up came (0: not in the window) */
	double share;         /* duration_ns / (to - from) */
};

/*
 * The causes within [from, to) (the clock of ev[].ts) for thread TID, on
 * WATCH_CPU or (-1) the CPU it last switched in on before TO; merged per
 * task, irq, vector and waker, longest first; at most max written, returns
 * how many. Times out are in the clock of ev[].ts.
 */
size_t vnl_trace_explain(const struct vnl_sched_event *ev, size_t n, int tid, int watch_cpu,
			 int64_t from, int64_t to, struct vnl_sched_explain *out, size_t max);

/* The softirq vector's name (NET_RX, TIMER, ...); "?" if unknown. */
const char *vnl_softirq_name(unsigned vec);

/* The JSON list of k causes: [{kind, task, pid, cpu, start_ns, duration_ns, share, ...}]. */
json_t *vnl_trace_explain_json(const struct vnl_sched_explain *x, size_t k);
/* One cause as text: "preempted by X (pid 12) on CPU 1 for 20.0 us (40 %)". */
void vnl_trace_explain_text(const struct vnl_sched_explain *x, char *buf, size_t len);

#endif
