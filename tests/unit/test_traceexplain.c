/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --trace matching (lib/xdp/traceexplain) on synthetic rings: tasks,
 * nested hard and soft interrupts, late wake-ups; each instant given to one
 * cause (irq > softirq > not_woken > task), so shares never add up past 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "traceexplain.h"

#define TID 100
#define HOG 200
#define CPU 1

static struct vnl_sched_event ring[4096];
static size_t nring;

static struct vnl_sched_event *push(uint32_t type, uint64_t ts, uint32_t cpu)
{
	struct vnl_sched_event *e = &ring[nring++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts = ts;
	e->cpu = cpu;
	return e;
}

static void sw(uint64_t ts, uint32_t cpu, uint32_t prev, const char *pc, uint32_t state,
	       uint32_t next, const char *nc)
{
	struct vnl_sched_event *e = push(VNL_EV_SWITCH, ts, cpu);
	e->prev_pid = prev;
	e->next_pid = next;
	e->prev_state = state;
	snprintf(e->prev_comm, sizeof(e->prev_comm), "%s", pc);
	snprintf(e->next_comm, sizeof(e->next_comm), "%s", nc);
}

static void intr(uint32_t type, uint64_t ts, uint64_t dur, uint32_t cpu, uint32_t num,
		 const char *name)
{
	struct vnl_sched_event *e = push(type, ts, cpu);
	e->dur = dur;
	e->num = num;
	snprintf(e->prev_comm, sizeof(e->prev_comm), "%s", name);
}

static void waking(uint64_t ts, uint32_t cpu, uint32_t waker, const char *comm)
{
	struct vnl_sched_event *e = push(VNL_EV_WAKING, ts, cpu);
	e->prev_pid = waker;
	e->next_pid = TID;
	snprintf(e->prev_comm, sizeof(e->prev_comm), "%s", comm);
}

static int by_ts(const void *a, const void *b)
{
	const struct vnl_sched_event *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static size_t explain(int watch, int64_t from, int64_t to, struct vnl_sched_explain *x, size_t max)
{
	qsort(ring, nring, sizeof(ring[0]), by_ts);
	return vnl_trace_explain(ring, nring, TID, watch, from, to, x, max);
}

static const struct vnl_sched_explain *find(const struct vnl_sched_explain *x, size_t k,
					    const char *kind, const char *task)
{
	for (size_t i = 0; i < k; i++)
		if (!strcmp(x[i].kind, kind) && !strcmp(x[i].task, task))
			return &x[i];
	return NULL;
}

static double share_sum(const struct vnl_sched_explain *x, size_t k)
{
	double s = 0;
	for (size_t i = 0; i < k; i++)
		s += x[i].share;
	return s;
}

static int setup(void **state)
{
	(void)state;
	nring = 0;
	return 0;
}

/* A hog takes the thread's CPU: the window's part of its time, nothing more. */
static void test_preempted(void **state)
{
	(void)state;
	sw(0, CPU, TID, "vnetlat", 0, HOG, "hog");
	sw(20000, CPU, HOG, "hog", 0, TID, "vnetlat");
	sw(25000, 0, 7, "other", 0, 8, "elsewhere"); /* another CPU: ignored */
	struct vnl_sched_explain x[8];
	size_t k = explain(CPU, 1000, 21000, x, 8);
	assert_int_equal(k, 1);
	assert_string_equal(x[0].kind, "preempted");
	assert_string_equal(x[0].task, "hog");
	assert_int_equal(x[0].pid, HOG);
	assert_int_equal(x[0].cpu, CPU);
	assert_int_equal(x[0].num, -1);
	assert_int_equal(x[0].start_ns, 1000);
	assert_int_equal(x[0].duration_ns, 19000);
	assert_float_equal(x[0].share, 19000.0 / 20000.0, 1e-12);
	/* -1: the CPU the thread last switched in on before the window's end */
	assert_int_equal(explain(-1, 1000, 21000, x, 8), 1);
	assert_int_equal(x[0].duration_ns, 19000);
}

/*
 * Inside the hog's 19 us: irq 24 for 1 us, a NET_RX softirq of 3 us with
 * irq 25 (0.5 us) in it. Each instant counted once: the hog keeps 15 us,
 * NET_RX 2.5 us, the irqs theirs; the shares add up to the hog's 19/20.
 */
static void test_nested_interrupts(void **state)
{
	(void)state;
	sw(0, CPU, TID, "vnetlat", 0, HOG, "hog");
	intr(VNL_EV_IRQ, 5000, 1000, CPU, 24, "virtio0-input");
	intr(VNL_EV_SOFTIRQ, 8000, 3000, CPU, 3, "");
	intr(VNL_EV_IRQ, 9000, 500, CPU, 25, "eth1");
	intr(VNL_EV_SOFTIRQ, 9000, 5000, 0, 3, ""); /* CPU 0: not the thread's */
	sw(20000, CPU, HOG, "hog", 0, TID, "vnetlat");
	struct vnl_sched_explain x[8];
	size_t k = explain(CPU, 1000, 21000, x, 8);
	assert_int_equal(k, 4);
	assert_string_equal(x[0].kind, "preempted"); /* longest first */
	assert_int_equal(x[0].duration_ns, 15000);
	const struct vnl_sched_explain *s = find(x, k, "softirq", "NET_RX");
	assert_non_null(s);
	assert_int_equal(s->num, 3);
	assert_int_equal(s->pid, 0);
	assert_int_equal(s->duration_ns, 2500);
	assert_int_equal(s->start_ns, 8000);
	const struct vnl_sched_explain *i24 = find(x, k, "irq", "virtio0-input");
	const struct vnl_sched_explain *i25 = find(x, k, "irq", "eth1");
	assert_non_null(i24);
	assert_non_null(i25);
	assert_int_equal(i24->num, 24);
	assert_int_equal(i24->duration_ns, 1000);
	assert_int_equal(i25->duration_ns, 500);
	assert_int_equal(i25->start_ns, 9000);
	assert_float_equal(share_sum(x, k), 19000.0 / 20000.0, 1e-12);
	/* max 2: the two longest */
	assert_int_equal(explain(CPU, 1000, 21000, x, 2), 2);
	assert_string_equal(x[1].kind, "softirq");
}

/* An interrupt that began before the window: only its part inside counts. */
static void test_interrupt_clipped(void **state)
{
	(void)state;
	sw(0, CPU, TID, "vnetlat", 1, 0, "swapper/1");
	waking(500, CPU, 0, "swapper/1");
	intr(VNL_EV_SOFTIRQ, 400, 2000, CPU, 1, "");
	sw(3000, CPU, 0, "swapper/1", 0, TID, "vnetlat");
	struct vnl_sched_explain x[8];
	size_t k = explain(CPU, 1000, 4000, x, 8);
	assert_int_equal(k, 1);
	assert_string_equal(x[0].task, "TIMER");
	assert_int_equal(x[0].start_ns, 1000);
	assert_int_equal(x[0].duration_ns, 1400);
}

/*
 * The thread sleeps; the probe arrives at 1 us, the waker (pid 300 on CPU
 * 0) wakes it only at 11 us; a TIMER softirq of 1 us on its idle CPU in
 * between. not_woken: the 9 us the CPU idled before the wake-up; the idle
 * time after it and the thread's own running are nobody's.
 */
static void test_not_woken(void **state)
{
	(void)state;
	sw(0, CPU, TID, "vnetlat", 1, 0, "swapper/1");
	intr(VNL_EV_SOFTIRQ, 2000, 1000, CPU, 1, "");
	waking(11000, 0, 300, "waker");
	sw(12000, CPU, 0, "swapper/1", 0, TID, "vnetlat");
	struct vnl_sched_explain x[8];
	size_t k = explain(CPU, 1000, 30000, x, 8);
	assert_int_equal(k, 2);
	assert_string_equal(x[0].kind, "not_woken");
	assert_string_equal(x[0].task, "waker");
	assert_int_equal(x[0].pid, 300);
	assert_int_equal(x[0].cpu, 0);
	assert_int_equal(x[0].start_ns, 1000);
	assert_int_equal(x[0].duration_ns, 9000);
	assert_int_equal(x[0].woken_ns, 11000);
	assert_string_equal(x[1].kind, "softirq");
	assert_int_equal(x[1].duration_ns, 1000);
	assert_true(share_sum(x, k) <= 1.0);
	char line[160];
	vnl_trace_explain_text(&x[0], line, sizeof(line));
	assert_non_null(strstr(line, "woken by waker (pid 300) on CPU 0"));
	json_t *j = vnl_trace_explain_json(x, k);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "woken_ns")), 11000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 1), "vector")), 1);
	assert_null(json_object_get(json_array_get(j, 1), "woken_ns"));
	json_decref(j);
}

/*
 * A task on the CPU while the thread sleeps unwoken does not keep it from
 * running: not_woken until the wake-up at 6 us, preempted after it.
 */
static void test_task_while_asleep(void **state)
{
	(void)state;
	sw(0, CPU, TID, "vnetlat", 1, HOG, "hog");
	waking(6000, 0, 300, "waker");
	sw(10000, CPU, HOG, "hog", 0, TID, "vnetlat");
	struct vnl_sched_explain x[8];
	size_t k = explain(CPU, 1000, 11000, x, 8);
	assert_int_equal(k, 2);
	assert_string_equal(x[0].kind, "not_woken");
	assert_int_equal(x[0].duration_ns, 5000);
	assert_string_equal(x[1].kind, "preempted");
	assert_int_equal(x[1].start_ns, 6000);
	assert_int_equal(x[1].duration_ns, 4000);
	assert_float_equal(share_sum(x, k), 0.9, 1e-12);
}

/* A thread preempted (still runnable) needs no wake-up: no not_woken, only the task. */
static void test_runnable_not_woken_never(void **state)
{
	(void)state;
	sw(0, CPU, TID, "vnetlat", 0, 0, "swapper/1"); /* state 0: runnable (odd, but no sleep) */
	sw(5000, CPU, 0, "swapper/1", 0, TID, "vnetlat");
	struct vnl_sched_explain x[8];
	assert_int_equal(explain(CPU, 1000, 6000, x, 8), 0);
}

/* Nothing held: no causes, also for windows before the ring, empty rings, bad windows. */
static void test_nothing(void **state)
{
	(void)state;
	struct vnl_sched_explain x[8];
	assert_int_equal(vnl_trace_explain(ring, 0, TID, CPU, 0, 100, x, 8), 0);
	sw(0, CPU, 0, "swapper/1", 0, TID, "vnetlat");
	assert_int_equal(explain(CPU, 100, 200, x, 8), 0);
	assert_int_equal(explain(CPU, 200, 100, x, 8), 0);
	assert_int_equal(explain(-1, -500, -100, x, 8), 0); /* no switch in before: CPU unknown */
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/*
 * Random rings, also inconsistent ones (overlapping irqs, lost switches):
 * each share in (0, 1], their sum <= 1, every cause's time inside the window.
 */
static void test_random_shares_bounded(void **state)
{
	(void)state;
	for (int round = 0; round < 300; round++) {
		nring = 0;
		size_t n = 1 + rnd() % 400;
		for (size_t i = 0; i < n; i++) {
			uint64_t ts = rnd() % 100000;
			uint32_t cpu = (uint32_t)(rnd() % 3);
			switch (rnd() % 4) {
			case 0:
				sw(ts, cpu, (uint32_t)(rnd() % 4) * 100, "a", (uint32_t)(rnd() % 2),
				   (uint32_t)(rnd() % 4) * 100, "b");
				break;
			case 1:
				intr(VNL_EV_IRQ, ts, rnd() % 3000, cpu, (uint32_t)(rnd() % 5), "i");
				break;
			case 2:
				intr(VNL_EV_SOFTIRQ, ts, rnd() % 9000, cpu, (uint32_t)(rnd() % 12), "");
				break;
			default:
				waking(ts, cpu, (uint32_t)(rnd() % 500), "w");
			}
		}
		int64_t from = (int64_t)(rnd() % 90000), to = from + 1 + (int64_t)(rnd() % 20000);
		struct vnl_sched_explain x[64];
		size_t k = explain(round % 2 ? -1 : CPU, from, to, x, 64);
		assert_true(share_sum(x, k) <= 1.0 + 1e-9);
		for (size_t i = 0; i < k; i++) {
			assert_true(x[i].share > 0 && x[i].share <= 1.0);
			assert_true(x[i].start_ns >= from && x[i].start_ns < to);
			assert_true(x[i].duration_ns <= to - x[i].start_ns);
			assert_true(i == 0 || x[i].duration_ns <= x[i - 1].duration_ns);
		}
	}
}

static void test_softirq_names(void **state)
{
	(void)state;
	assert_string_equal(vnl_softirq_name(3), "NET_RX");
	assert_string_equal(vnl_softirq_name(9), "RCU");
	assert_string_equal(vnl_softirq_name(10), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_preempted, setup),
		cmocka_unit_test_setup(test_nested_interrupts, setup),
		cmocka_unit_test_setup(test_interrupt_clipped, setup),
		cmocka_unit_test_setup(test_not_woken, setup),
		cmocka_unit_test_setup(test_task_while_asleep, setup),
		cmocka_unit_test_setup(test_runnable_not_woken_never, setup),
		cmocka_unit_test_setup(test_nothing, setup),
		cmocka_unit_test_setup(test_random_shares_bounded, setup),
		cmocka_unit_test(test_softirq_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
