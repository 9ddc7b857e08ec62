/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "traceexplain.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IVL 1024    /* intervals considered per window; beyond, the rest go unexplained */
#define MAX_ACTIVE 16   /* intervals open at one instant (consistent traces have <= 4) */
#define MAX_CAUSES 64   /* distinct causes per window */
#define LOOKBACK_NS 50000000 /* an interrupt that began this long before the window is too old */

/*
 * The innermost wins an instant: a higher level hides the lower ones. A task
 * on the CPU while the thread sleeps unwoken does not keep it from running:
 * that time is the missing wake-up's.
 */
enum level { L_TASK, L_NOT_WOKEN, L_SOFTIRQ, L_IRQ };

struct cause {
	const char *kind;
	int level, id;
	char task[VNL_SCHED_COMM_LEN];
	int pid, cpu, num;
	int64_t start, total, woken;
	bool started;
};

struct ivl {
	int64_t s, e;
	int level;
	int cause;
};

struct match {
	const struct vnl_sched_event *ev;
	size_t n;
	int tid, cpu;
	int64_t a, b;
	struct cause causes[MAX_CAUSES];
	size_t ncauses, nivl;
	struct ivl ivl[MAX_IVL]; /* last: the rest is cleared per window */
};

static const char *const softirq_names[] = { "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
					     "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU" };

const char *vnl_softirq_name(unsigned vec)
{
	return vec < sizeof(softirq_names) / sizeof(softirq_names[0]) ? softirq_names[vec] : "?";
}

/* The first event at or after ts. */
static size_t lower_bound(const struct vnl_sched_event *ev, size_t n, int64_t ts)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)ev[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The CPU the thread ran on at ts: that of its last switch in before it; -1 unknown. */
static int thread_cpu_at(const struct vnl_sched_event *ev, size_t n, int tid, int64_t ts)
{
	for (size_t i = lower_bound(ev, n, ts); i-- > 0;)
		if (ev[i].type == VNL_EV_SWITCH && (int)ev[i].next_pid == tid)
			return (int)ev[i].cpu;
	return -1;
}

static int find_cause(struct match *m, const char *kind, int level, int id, const char *name,
		      int pid, int cpu, int num)
{
	for (size_t i = 0; i < m->ncauses; i++)
		if (m->causes[i].level == level && m->causes[i].id == id)
			return (int)i;
	if (m->ncauses == MAX_CAUSES)
		return -1;
	struct cause *c = &m->causes[m->ncauses];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->level = level;
	c->id = id;
	snprintf(c->task, sizeof(c->task), "%.*s", VNL_SCHED_COMM_LEN - 1, name);
	c->pid = pid;
	c->cpu = cpu;
	c->num = num;
	return (int)m->ncauses++;
}

/* [s, e) clipped to the window, given to cause (-1: no room for it). */
static void add_ivl(struct match *m, int64_t s, int64_t e, int level, int cause)
{
	s = s < m->a ? m->a : s;
	e = e > m->b ? m->b : e;
	if (e <= s || cause < 0 || m->nivl == MAX_IVL)
		return;
	m->ivl[m->nivl++] = (struct ivl){ s, e, level, cause };
}

static void add_task(struct match *m, int pid, const char *comm, int64_t s, int64_t e)
{
	if (pid <= 0 || pid == m->tid || e <= s)
		return;
	add_ivl(m, s, e, L_TASK, find_cause(m, "preempted", L_TASK, pid, comm, pid, m->cpu, -1));
}

/* Other tasks on the CPU: from the switches on it, and who held it when the window opened. */
static void collect_tasks(struct match *m)
{
	size_t i0 = lower_bound(m->ev, m->n, m->a);
	int cur = -1;
	const char *comm = "";
	for (size_t i = i0; i-- > 0;)
		if (m->ev[i].type == VNL_EV_SWITCH && (int)m->ev[i].cpu == m->cpu) {
			cur = (int)m->ev[i].next_pid;
			comm = m->ev[i].next_comm;
			break;
		}
	int64_t seg = m->a;
	for (size_t i = i0; i < m->n && (int64_t)m->ev[i].ts < m->b; i++) {
		const struct vnl_sched_event *e = &m->ev[i];
		if (e->type != VNL_EV_SWITCH || (int)e->cpu != m->cpu)
			continue;
		add_task(m, cur, comm, seg, (int64_t)e->ts);
		cur = (int)e->next_pid;
		comm = e->next_comm;
		seg = (int64_t)e->ts;
	}
	add_task(m, cur, comm, seg, m->b);
}

static void collect_interrupts(struct match *m)
{
	for (size_t i = lower_bound(m->ev, m->n, m->a - LOOKBACK_NS);
	     i < m->n && (int64_t)m->ev[i].ts < m->b; i++) {
		const struct vnl_sched_event *e = &m->ev[i];
		if ((e->type != VNL_EV_IRQ && e->type != VNL_EV_SOFTIRQ) || (int)e->cpu != m->cpu)
			continue;
		bool hard = e->type == VNL_EV_IRQ;
		int level = hard ? L_IRQ : L_SOFTIRQ;
		int c = find_cause(m, hard ? "irq" : "softirq", level, (int)e->num,
				   hard ? e->prev_comm : vnl_softirq_name(e->num), 0, m->cpu,
				   (int)e->num);
		add_ivl(m, (int64_t)e->ts, (int64_t)(e->ts + e->dur), level, c);
	}
}

/* Whether the thread slept (and was not woken) at the window's start, from its last event. */
static bool asleep_at_start(const struct match *m)
{
	for (size_t i = lower_bound(m->ev, m->n, m->a); i-- > 0;) {
		const struct vnl_sched_event *e = &m->ev[i];
		if (e->type == VNL_EV_WAKING && (int)e->next_pid == m->tid)
			return false;
		if (e->type != VNL_EV_SWITCH)
			continue;
		if ((int)e->next_pid == m->tid)
			return false;
		if ((int)e->prev_pid == m->tid)
			return e->prev_state != 0;
	}
	return false;
}

/* The thread's sleeps in the window, each up to its wake-up, named after the waker. */
static void collect_sleeps(struct match *m)
{
	int64_t since = asleep_at_start(m) ? m->a : -1;
	for (size_t i = lower_bound(m->ev, m->n, m->a); i < m->n && (int64_t)m->ev[i].ts < m->b;
	     i++) {
		const struct vnl_sched_event *e = &m->ev[i];
		if (e->type == VNL_EV_SWITCH && (int)e->prev_pid == m->tid && e->prev_state) {
			since = (int64_t)e->ts;
		} else if (e->type == VNL_EV_SWITCH && (int)e->next_pid == m->tid) {
			since = -1; /* ran without a wake-up seen: lost, nothing claimed */
		} else if (e->type == VNL_EV_WAKING && (int)e->next_pid == m->tid && since >= 0) {
			int c = find_cause(m, "not_woken", L_NOT_WOKEN, (int)e->prev_pid,
					   e->prev_comm, (int)e->prev_pid, (int)e->cpu, -1);
			if (c >= 0)
				m->causes[c].woken = (int64_t)e->ts;
			add_ivl(m, since, (int64_t)e->ts, L_NOT_WOKEN, c);
			since = -1;
		}
	}
}

struct point {
	int64_t t;
	int ivl; /* >= 0: it starts; ~ivl: it ends */
};

static int by_t(const void *x, const void *y)
{
	const struct point *p = x, *q = y;
	return p->t < q->t ? -1 : p->t > q->t;
}

static void give(struct match *m, int cause, int64_t s, int64_t e)
{
	struct cause *c = &m->causes[cause];
	if (!c->started) {
		c->start = s;
		c->started = true;
	}
	c->total += e - s;
}

/* Each slice between two interval ends goes to the innermost interval open over it. */
static void sweep(struct match *m)
{
	static _Thread_local struct point pts[2 * MAX_IVL];
	size_t np = 0;
	for (size_t i = 0; i < m->nivl; i++) {
		pts[np++] = (struct point){ m->ivl[i].s, (int)i };
		pts[np++] = (struct point){ m->ivl[i].e, ~(int)i };
	}
	qsort(pts, np, sizeof(pts[0]), by_t);
	int active[MAX_ACTIVE];
	size_t na = 0;
	int64_t prev = m->a;
	for (size_t k = 0; k < np; k++) {
		if (pts[k].t > prev && na) {
			int top = active[0];
			for (size_t j = 1; j < na; j++)
				if (m->ivl[active[j]].level > m->ivl[top].level)
					top = active[j];
			give(m, m->ivl[top].cause, prev, pts[k].t);
		}
		prev = pts[k].t;
		if (pts[k].ivl >= 0) {
			if (na < MAX_ACTIVE)
				active[na++] = pts[k].ivl;
			continue;
		}
		for (size_t j = 0; j < na; j++)
			if (active[j] == ~pts[k].ivl) {
				active[j] = active[--na];
				break;
			}
	}
}

static int by_total(const void *x, const void *y)
{
	const struct cause *p = x, *q = y;
	return p->total > q->total ? -1 : p->total < q->total;
}

size_t vnl_trace_explain(const struct vnl_sched_event *ev, size_t n, int tid, int watch_cpu,
			 int64_t from, int64_t to, struct vnl_sched_explain *out, size_t max)
{
	if (!ev || !n || to <= from || !max)
		return 0;
	static _Thread_local struct match m;
	memset(&m, 0, offsetof(struct match, ivl));
	m.ev = ev;
	m.n = n;
	m.tid = tid;
	m.a = from;
	m.b = to;
	m.cpu = watch_cpu >= 0 ? watch_cpu : thread_cpu_at(ev, n, tid, to);
	if (m.cpu < 0)
		return 0;
	collect_interrupts(&m);
	collect_tasks(&m);
	collect_sleeps(&m);
	sweep(&m);
	qsort(m.causes, m.ncauses, sizeof(m.causes[0]), by_total);
	size_t k = 0;
	for (size_t i = 0; i < m.ncauses && k < max && m.causes[i].total > 0; i++) {
		const struct cause *c = &m.causes[i];
		struct vnl_sched_explain *x = &out[k++];
		x->kind = c->kind;
		memcpy(x->task, c->task, sizeof(x->task));
		x->pid = c->pid;
		x->cpu = c->cpu;
		x->num = c->num;
		x->start_ns = c->start;
		x->duration_ns = c->total;
		x->woken_ns = c->woken;
		x->share = (double)c->total / (double)(to - from);
	}
	return k;
}

json_t *vnl_trace_explain_json(const struct vnl_sched_explain *x, size_t k)
{
	json_t *arr = json_array();
	for (size_t j = 0; j < k; j++) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(x[j].kind));
		json_object_set_new(o, "task", json_stringn_nocheck(x[j].task,
								     strnlen(x[j].task, sizeof(x[j].task))));
		json_object_set_new(o, "pid", json_integer(x[j].pid));
		json_object_set_new(o, "cpu", json_integer(x[j].cpu));
		json_object_set_new(o, "start_ns", json_integer(x[j].start_ns));
		json_object_set_new(o, "duration_ns", json_integer(x[j].duration_ns));
		json_object_set_new(o, "share", json_real(x[j].share));
		if (!strcmp(x[j].kind, "irq"))
			json_object_set_new(o, "irq", json_integer(x[j].num));
		else if (!strcmp(x[j].kind, "softirq"))
			json_object_set_new(o, "vector", json_integer(x[j].num));
		else if (!strcmp(x[j].kind, "not_woken"))
			json_object_set_new(o, "woken_ns", json_integer(x[j].woken_ns));
		json_array_append_new(arr, o);
	}
	return arr;
}

void vnl_trace_explain_text(const struct vnl_sched_explain *x, char *buf, size_t len)
{
	double us = (double)x->duration_ns / 1e3, pct = 100.0 * x->share;
	if (!strcmp(x->kind, "irq"))
		snprintf(buf, len, "irq %d (%s) on CPU %d for %.1f us (%.0f %%)", x->num, x->task,
			 x->cpu, us, pct);
	else if (!strcmp(x->kind, "softirq"))
		snprintf(buf, len, "softirq %s on CPU %d for %.1f us (%.0f %%)", x->task, x->cpu, us,
			 pct);
	else if (!strcmp(x->kind, "not_woken"))
		snprintf(buf, len, "not_woken for %.1f us (%.0f %%): woken by %s (pid %d) on CPU %d",
			 us, pct, x->task, x->pid, x->cpu);
	else
		snprintf(buf, len, "%s by %s (pid %d) on CPU %d for %.1f us (%.0f %%)", x->kind,
			 x->task, x->pid, x->cpu, us, pct);
}
