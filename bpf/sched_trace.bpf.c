// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scheduler trace for recv --trace: every context switch into or out of
 * the traced thread (target_tid), every switch, hard irq handler and
 * softirq on the CPU it runs on (watch_cpu when the thread is pinned, else
 * the CPU it last ran on), and every wake-up of the thread go into a ring
 * buffer without waking the reader: the loader polls it. Interrupts are
 * kept as one record at their exit (entry stamp and length), their entry
 * held meanwhile in a per-CPU slot. A full ring drops the event and counts
 * it in `dropped`. Nothing else is kept.
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

/* The interrupt in progress on each CPU: hard irqs do not nest, nor softirqs on one CPU. */
struct intr_slot {
	__u64 irq_ts, softirq_ts; /* 0: none in progress (or its entry was not on the traced CPU) */
	__u32 irq, vec;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct intr_slot);
} intr SEC(".maps");

static __always_inline bool traced_cpu(__u32 cpu)
{
	__s32 w = watch_cpu >= 0 ? watch_cpu : last_cpu;
	return (__s32)cpu == w;
}

static __always_inline struct vnl_sched_event *reserve(__u32 type, __u32 cpu)
{
	struct vnl_sched_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->cpu = cpu;
	return e;
}

static __always_inline struct intr_slot *slot(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&intr, &zero);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(vnl_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 ppid = prev->pid, npid = next->pid;
	bool mine = target_tid && (ppid == target_tid || npid == target_tid);
	if (mine)
		last_cpu = (__s32)cpu;
	if (!mine && !traced_cpu(cpu))
		return 0;
	struct vnl_sched_event *e = reserve(VNL_EV_SWITCH, cpu);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
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

SEC("tp_btf/sched_waking")
int BPF_PROG(vnl_sched_waking, struct task_struct *p)
{
	if (!target_tid || p->pid != target_tid)
		return 0;
	struct vnl_sched_event *e = reserve(VNL_EV_WAKING, bpf_get_smp_processor_id());
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->prev_pid = (__u32)bpf_get_current_pid_tgid();
	e->next_pid = target_tid;
	bpf_get_current_comm(e->prev_comm, sizeof(e->prev_comm));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(vnl_irq_entry, int irq, struct irqaction *action)
{
	struct intr_slot *s = slot();
	if (!s)
		return 0;
	s->irq_ts = traced_cpu(bpf_get_smp_processor_id()) ? bpf_ktime_get_ns() : 0;
	s->irq = (__u32)irq;
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(vnl_irq_exit, int irq, struct irqaction *action, int ret)
{
	struct intr_slot *s = slot();
	if (!s || !s->irq_ts || s->irq != (__u32)irq)
		return 0;
	__u64 start = s->irq_ts;
	s->irq_ts = 0;
	struct vnl_sched_event *e = reserve(VNL_EV_IRQ, bpf_get_smp_processor_id());
	if (!e)
		return 0;
	e->ts = start;
	e->dur = bpf_ktime_get_ns() - start;
	e->num = (__u32)irq;
	bpf_probe_read_kernel_str(e->prev_comm, sizeof(e->prev_comm), action->name);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(vnl_softirq_entry, unsigned int vec)
{
	struct intr_slot *s = slot();
	if (!s)
		return 0;
	s->softirq_ts = traced_cpu(bpf_get_smp_processor_id()) ? bpf_ktime_get_ns() : 0;
	s->vec = vec;
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(vnl_softirq_exit, unsigned int vec)
{
	struct intr_slot *s = slot();
	if (!s || !s->softirq_ts || s->vec != vec)
		return 0;
	__u64 start = s->softirq_ts;
	s->softirq_ts = 0;
	struct vnl_sched_event *e = reserve(VNL_EV_SOFTIRQ, bpf_get_smp_processor_id());
	if (!e)
		return 0;
	e->ts = start;
	e->dur = bpf_ktime_get_ns() - start;
	e->num = vec;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
