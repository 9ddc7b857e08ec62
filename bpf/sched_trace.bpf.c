// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scheduler trace for recv --trace: every context switch into or out of
 * the traced thread (target_tid), and every switch on the CPU it runs on
 * (watch_cpu when the thread is pinned, else the CPU it last ran on), go
 * into a ring buffer without waking the reader: the loader polls it. A full
 * ring drops the event and counts it in `dropped`. Nothing else is kept.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sched_trace.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tid = 0;
const volatile __s32 watch_cpu = -1; /* -1: follow the thread */

__s32 last_cpu = -1;
__u64 dropped = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VNL_SCHED_RINGBUF_BYTES);
} events SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(vnl_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 ppid = prev->pid, npid = next->pid;
	bool mine = target_tid && (ppid == target_tid || npid == target_tid);
	if (mine)
		last_cpu = (__s32)cpu;
	__s32 w = watch_cpu >= 0 ? watch_cpu : last_cpu;
	if (!mine && (__s32)cpu != w)
		return 0;
	struct vnl_sched_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	e->ts = bpf_ktime_get_ns();
	e->cpu = cpu;
	e->prev_pid = ppid;
	e->next_pid = npid;
	e->prev_prio = prev->prio;
	e->prev_policy = prev->policy;
	e->prev_state = preempt ? 0 : prev_state;
	bpf_probe_read_kernel_str(e->prev_comm, sizeof(e->prev_comm), prev->comm);
	bpf_probe_read_kernel_str(e->next_comm, sizeof(e->next_comm), next->comm);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
