/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler trace (bpf/sched_trace.bpf.c) as seen from both sides: one
 * record per context switch it keeps, in a BPF ring buffer that the loader
 * (lib/xdp/schedtrace.c) drains.
 */
#ifndef VNL_BPF_SCHED_TRACE_H
#define VNL_BPF_SCHED_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VNL_SCHED_COMM_LEN 16
#define VNL_SCHED_RINGBUF_BYTES (1u << 21) /* 2 MiB: ~32k switches between two drains */

/* One sched_switch on one CPU: prev leaves it, next takes it. */
struct vnl_sched_event {
	__u64 ts;          /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 cpu;
	__u32 prev_pid;    /* thread ids as the initial pid namespace sees them; 0 = idle */
	__u32 next_pid;
	__s32 prev_prio;   /* kernel prio: 0..99 real-time (lower is higher), 100..139 normal */
	__u32 prev_policy; /* SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6 */
	__u32 prev_state;  /* 0 = still runnable (preempted), else the sleep state */
	char prev_comm[VNL_SCHED_COMM_LEN];
	char next_comm[VNL_SCHED_COMM_LEN];
};

#endif
