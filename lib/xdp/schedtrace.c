/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "schedtrace.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "sched_trace.h"
#include "sched_trace.skel.h"

#define DRAIN_PERIOD_NS 2000000 /* the kernel ring holds far more than 2 ms of events */

struct vnl_schedtrace {
	struct sched_trace *skel;
	struct ring_buffer *rb;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	bool stopped;
	int tid, watch_cpu;
	int64_t real_minus_mono; /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
	uint64_t head;           /* events ever taken; the ring holds the last cap */
	uint64_t dropped;        /* read from the program when it stops */
	size_t n;                /* after stop: events held, sorted by ts */
	struct vnl_sched_event ring[VNL_SCHEDTRACE_EVENTS];
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN && !getenv("VNL_BPF_DEBUG"))
		return 0;
	fputs("vnetlat: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, from the tightest of a few bracketed reads. */
static int64_t measure_offset(void)
{
	int64_t best_gap = INT64_MAX, off = 0;
	for (int i = 0; i < 16; i++) {
		int64_t m1 = now_ns(CLOCK_MONOTONIC);
		int64_t r = now_ns(CLOCK_REALTIME);
		int64_t m2 = now_ns(CLOCK_MONOTONIC);
		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			off = r - (m1 + (m2 - m1) / 2);
		}
	}
	return off;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct vnl_schedtrace *t = ctx;
	if (size < sizeof(struct vnl_sched_event))
		return 0;
	memcpy(&t->ring[t->head % VNL_SCHEDTRACE_EVENTS], data, sizeof(struct vnl_sched_event));
	t->head++;
	return 0;
}

static void *drain(void *arg)
{
	struct vnl_schedtrace *t = arg;
	struct timespec period = { 0, DRAIN_PERIOD_NS };
	while (!atomic_load(&t->stop)) {
		ring_buffer__consume(t->rb);
		nanosleep(&period, NULL);
	}
	return NULL;
}

/* The drain thread: SCHED_OTHER, and off the traced thread's CPU when it has one. */
static int start_thread(struct vnl_schedtrace *t)
{
	pthread_attr_t attr;
	struct sched_param sp = { .sched_priority = 0 };
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	if (t->watch_cpu >= 0 && ncpu > 1) {
		cpu_set_t set;
		CPU_ZERO(&set);
		for (long c = 0; c < ncpu && c < CPU_SETSIZE; c++)
			if (c != t->watch_cpu)
				CPU_SET((int)c, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	int err = pthread_create(&t->thread, &attr, drain, t);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		vnl_errno("--trace: cannot start the thread that drains the scheduler trace");
		return -1;
	}
	t->thread_started = true;
	return 0;
}

/* Whether this process may load a tracing program: CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON. */
static bool may_trace(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return true; /* let the kernel say */
	char line[256];
	unsigned long long eff = ~0ULL;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	const unsigned long long sys_admin = 1ULL << 21, perfmon = 1ULL << 38, bpf = 1ULL << 39;
	return (eff & sys_admin) || ((eff & perfmon) && (eff & bpf));
}

struct vnl_schedtrace *vnl_schedtrace_start(int tid, int watch_cpu)
{
	if (!may_trace()) {
		vnl_err("--trace loads a BPF tracing program: it needs root (CAP_BPF and "
			"CAP_PERFMON, or CAP_SYS_ADMIN)");
		return NULL;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		vnl_err("--trace needs the kernel's BTF (/sys/kernel/btf/vmlinux: %s); it comes "
			"with CONFIG_DEBUG_INFO_BTF", strerror(errno));
		return NULL;
	}
	libbpf_set_print(libbpf_log);
	struct vnl_schedtrace *t = calloc(1, sizeof(*t));
	if (!t) {
		vnl_err("out of memory");
		return NULL;
	}
	t->tid = tid;
	t->watch_cpu = watch_cpu;
	t->stopped = true; /* until attached: nothing to stop */
	t->skel = sched_trace__open();
	if (!t->skel) {
		vnl_errno("--trace: cannot open the scheduler trace program");
		goto fail;
	}
	t->skel->rodata->target_tid = (__u32)tid;
	t->skel->rodata->watch_cpu = watch_cpu;
	if (sched_trace__load(t->skel) < 0) {
		int e = errno;
		if (e == EPERM || e == EACCES)
			vnl_err("--trace: cannot load the scheduler trace program: %s (needs root: "
				"CAP_BPF and CAP_PERFMON)", strerror(e));
		else
			vnl_err("--trace: cannot load the scheduler trace program: %s (the kernel "
				"needs BPF tracing programs, tp_btf)", strerror(e));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
	if (!t->rb) {
		vnl_errno("--trace: cannot map the scheduler trace's ring buffer");
		goto fail;
	}
	t->real_minus_mono = measure_offset();
	if (sched_trace__attach(t->skel) < 0) {
		vnl_errno("--trace: cannot attach the scheduler trace (sched_switch, sched_waking, irq and "
			  "softirq entry and exit)");
		goto fail;
	}
	t->stopped = false;
	if (start_thread(t) < 0)
		goto fail;
	return t;
fail:
	vnl_schedtrace_free(t);
	return NULL;
}

static int by_ts(const void *a, const void *b)
{
	const struct vnl_sched_event *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

void vnl_schedtrace_stop(struct vnl_schedtrace *t)
{
	if (!t || t->stopped)
		return;
	t->stopped = true;
	atomic_store(&t->stop, true);
	if (t->thread_started) {
		pthread_join(t->thread, NULL);
		t->thread_started = false;
	}
	sched_trace__detach(t->skel);
	ring_buffer__consume(t->rb);
	t->dropped = t->skel->bss->dropped;
	ring_buffer__free(t->rb);
	t->rb = NULL;
	sched_trace__destroy(t->skel);
	t->skel = NULL;
	t->n = t->head < VNL_SCHEDTRACE_EVENTS ? (size_t)t->head : VNL_SCHEDTRACE_EVENTS;
	qsort(t->ring, t->n, sizeof(t->ring[0]), by_ts);
}

void vnl_schedtrace_free(struct vnl_schedtrace *t)
{
	if (!t)
		return;
	vnl_schedtrace_stop(t);
	ring_buffer__free(t->rb);
	sched_trace__destroy(t->skel);
	free(t);
}

uint64_t vnl_schedtrace_dropped(const struct vnl_schedtrace *t)
{
	return t->dropped;
}

uint64_t vnl_schedtrace_overwritten(const struct vnl_schedtrace *t)
{
	return t->head > VNL_SCHEDTRACE_EVENTS ? t->head - VNL_SCHEDTRACE_EVENTS : 0;
}

int64_t vnl_schedtrace_oldest(const struct vnl_schedtrace *t)
{
	return t->n ? (int64_t)t->ring[0].ts + t->real_minus_mono : 0;
}

size_t vnl_schedtrace_explain(const struct vnl_schedtrace *t, int64_t from_ns, int64_t to_ns,
			      struct vnl_sched_explain *out, size_t max)
{
	if (!t || !t->stopped || !t->n || from_ns - t->real_minus_mono < 0)
		return 0;
	size_t k = vnl_trace_explain(t->ring, t->n, t->tid, t->watch_cpu,
				     from_ns - t->real_minus_mono, to_ns - t->real_minus_mono, out, max);
	for (size_t i = 0; i < k; i++) {
		out[i].start_ns += t->real_minus_mono;
		if (out[i].woken_ns)
			out[i].woken_ns += t->real_minus_mono;
	}
	return k;
}
