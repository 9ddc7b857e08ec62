/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler trace behind recv --trace (bpf/sched_trace.bpf.c): loaded
 * from its embedded skeleton and attached to tp_btf/sched_switch,
 * sched_waking, irq_handler_entry/exit and softirq_entry/exit for one
 * thread, drained every few milliseconds by a thread of its own (off the
 * traced thread's CPU, SCHED_OTHER) into a fixed ring of the last
 * VNL_SCHEDTRACE_EVENTS events, allocated once at the start. After the
 * run, a window of time (a probe's rx_sw .. app_rx) is explained: what
 * held the traced thread's CPU in it or kept the thread from it, and for how long.
 */
#ifndef VNL_SCHEDTRACE_H
#define VNL_SCHEDTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "traceexplain.h"

#define VNL_SCHEDTRACE_EVENTS (1u << 17) /* 131072 events, 10 MiB */

struct vnl_schedtrace;

/*
 * Trace thread TID (as the initial pid namespace numbers it); WATCH_CPU is
 * the CPU it is pinned to, or -1 to follow it. NULL after one message
 * saying why (not root, no BTF, load or attach failed).
 */
struct vnl_schedtrace *vnl_schedtrace_start(int tid, int watch_cpu);
/* Stop draining, take the rest, detach and unload the program; idempotent. */
void vnl_schedtrace_stop(struct vnl_schedtrace *t);
/* Stop (if not yet) and free; NULL is fine. */
void vnl_schedtrace_free(struct vnl_schedtrace *t);

/* Switches lost: the kernel ring was full, or the oldest were overwritten in ours. */
uint64_t vnl_schedtrace_dropped(const struct vnl_schedtrace *t);
uint64_t vnl_schedtrace_overwritten(const struct vnl_schedtrace *t);
/* The oldest switch still held, CLOCK_REALTIME ns; 0 if none. */
int64_t vnl_schedtrace_oldest(const struct vnl_schedtrace *t);

/*
 * The causes (traceexplain.h: preempted, irq, softirq, not_woken) of the
 * traced thread's wait within [from_ns, to_ns) (CLOCK_REALTIME, as are the
 * times written), longest first; at most max written, returns how many.
 * After vnl_schedtrace_stop.
 */
size_t vnl_schedtrace_explain(const struct vnl_schedtrace *t, int64_t from_ns, int64_t to_ns,
			      struct vnl_sched_explain *out, size_t max);

#endif
