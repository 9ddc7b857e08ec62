/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler trace (bpf/sched_trace.bpf.c) as seen from both sides: one
 * record per event it keeps (a context switch, a hard or soft interrupt on
 * the traced CPU, a wake-up of the traced thread), in a BPF ring buffer
 * that the loader (lib/xdp/schedtrace.c) drains.
 */
#ifndef VNL_BPF_SCHED_TRACE_H
#define VNL_BPF_SCHED_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VNL_SCHED_COMM_LEN 16
#define VNL_SCHED_RINGBUF_BYTES (1u << 21) /* 2 MiB: ~26k events between two drains */

/* What a record is. */
enum vnl_sched_event_type {
	VNL_EV_SWITCH = 0,  /* sched_switch on the traced CPU, or into/out of the thread */
	VNL_EV_IRQ = 1,     /* a hard irq handler ran on the traced CPU: ts .. ts + dur */
	VNL_EV_SOFTIRQ = 2, /* a softirq vector ran on the traced CPU: ts .. ts + dur */
	VNL_EV_WAKING = 3,  /* sched_waking of the traced thread, by the task in prev_* */
};

/*
 * SWITCH: on cpu, prev leaves it, next takes it. IRQ: num is the irq, prev_comm
 * its handler's name. SOFTIRQ: num is the vector (NET_RX 3, ...). WAKING: cpu
 * and prev_pid/prev_comm are the waker's (the task current when the wake-up
 * began; 0 "swapper/N" for an interrupt of an idle CPU), next_pid the thread.
 */
struct vnl_sched_event {
	__u64 ts;          /* bpf_ktime_get_ns(): CLOCK_MONOTONIC; irq/softirq: their entry */
	__u64 dur;         /* irq/softirq: exit - entry; else 0 */
	__u32 type;        /* enum vnl_sched_event_type */
	__u32 cpu;
	__u32 prev_pid;    /* thread ids as the initial pid namespace sees them; 0 = idle */
	__u32 next_pid;
	__s32 prev_prio;   /* kernel prio: 0..99 real-time (lower is higher), 100..139 normal */
	__u32 prev_policy; /* SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6 */
	__u32 prev_state;  /* 0 = still runnable (preempted), else the sleep state */
	__u32 num;         /* irq number or softirq vector */
	char prev_comm[VNL_SCHED_COMM_LEN];
	char next_comm[VNL_SCHED_COMM_LEN];
};

#endif
