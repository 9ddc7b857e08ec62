/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run control for the probe loops: real-time knobs (SCHED_FIFO, CPU
 * affinity, locked memory, a PM QoS CPU latency limit) applied once before
 * a run, and the SIGINT /
 * SIGTERM flag that ends a run cleanly (the report is still printed).
 */
#ifndef VNL_RT_H
#define VNL_RT_H

#include <stdbool.h>

struct vnl_rt_opts {
	int sched_fifo; /* SCHED_FIFO priority 1..99, 0 = leave the policy */
	int cpu;        /* pin to this CPU, -1 = leave */
	bool mlock;     /* mlockall(current | future) */
	int cpu_dma_latency_us; /* PM QoS limit held until exit, -1 = leave */
};

/* Apply; on failure print one message saying what to do and return -1. */
int vnl_rt_apply(const struct vnl_rt_opts *o);

/*
 * Install SIGINT/SIGTERM handlers without SA_RESTART, so a blocking
 * receive or sleep returns EINTR and the loop checks vnl_stop_requested().
 */
void vnl_stop_signals_install(void);
bool vnl_stop_requested(void);

#endif
