/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run control for the probe loops: real-time knobs (SCHED_FIFO, CPU
 * affinity, locked memory, a PM QoS CPU latency limit) applied once before
 * a run, and the SIGINT /
 * SIGTERM flag that ends a run cleanly (the report is still printed).
 */
#ifndef VNL_RT_H
#define VNL_RT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

struct vnl_rt_opts {
	int sched_fifo; /* SCHED_FIFO priority 1..99, 0 = leave the policy */
	int cpu;        /* pin to this CPU, -1 = leave */
	bool mlock;     /* mlockall(current | future) */
	int cpu_dma_latency_us; /* PM QoS limit held until exit, -1 = leave */
	const char *report_path; /* after applying, what was applied goes here (vnl_rt_report_write) */
};

/* Apply (and write report_path); on failure print one message saying what to do and return -1. */
int vnl_rt_apply(const struct vnl_rt_opts *o);

/* What this process runs with, read back from the kernel (not from a request). */
struct vnl_rt_applied {
	char policy[16];   /* "other", "fifo", "rr", "batch", "idle", "deadline" */
	int priority;      /* the real-time priority (0 for the others) */
	char cpus[128];    /* the CPUs it may run on, as a list: "1", "0-3,6" */
	bool mlock;        /* memory locked (VmLck > 0 kB) */
	int cpu_dma_latency_us; /* the PM QoS limit this process holds, -1 none */
};
void vnl_rt_read(struct vnl_rt_applied *out);
/* SET as a kernel CPU list ("0-2,5"). */
void vnl_cpuset_format(const cpu_set_t *set, char *buf, size_t len);
/* A scheduling policy's name as vnl_rt_applied has it ("other", "fifo", ...). */
const char *vnl_rt_policy_name(int policy);

/*
 * The applied settings as "key value" lines (policy, priority, cpus, mlock,
 * cpu_dma_latency_us) into PATH, replaced whole; and read back from such
 * text. 0, or -1 (write: with a message; parse: text that is not one).
 */
int vnl_rt_report_write(const char *path);
int vnl_rt_report_parse(const char *text, struct vnl_rt_applied *out);

/*
 * Install SIGINT/SIGTERM handlers without SA_RESTART, so a blocking
 * receive or sleep returns EINTR and the loop checks vnl_stop_requested().
 */
void vnl_stop_signals_install(void);
bool vnl_stop_requested(void);

#endif
