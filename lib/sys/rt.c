/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

static volatile sig_atomic_t stop_flag;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void vnl_stop_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool vnl_stop_requested(void)
{
	return stop_flag != 0;
}

static int apply_cpu(int cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	if (cpu >= CPU_SETSIZE || (ncpu > 0 && cpu >= ncpu)) {
		vnl_err("--cpu %d: this machine has CPUs 0..%ld", cpu, ncpu - 1);
		return -1;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		vnl_errno("cannot pin to --cpu %d (is it online and in this cpuset?)", cpu);
		return -1;
	}
	return 0;
}

static int apply_fifo(int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		if (errno == EPERM)
			vnl_err("--sched-fifo %d is not permitted; run as root or with "
				"CAP_SYS_NICE (and an RLIMIT_RTPRIO that allows it)", prio);
		else
			vnl_errno("cannot set --sched-fifo %d", prio);
		return -1;
	}
	return 0;
}

/*
 * A PM QoS request: while /dev/cpu_dma_latency stays open with a value
 * written, no CPU enters an idle state that takes longer than that to
 * leave (0: idle CPUs poll). A halted CPU, and in a guest a halted vCPU,
 * wakes later than a polling one: cyclictest holds 0 by default. The fd is
 * left open on purpose; the request ends with the process.
 */
static int apply_cpu_dma_latency(int us)
{
	int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	int32_t v = us;
	if (fd < 0 || write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
		vnl_errno("--cpu-dma-latency %d: cannot hold /dev/cpu_dma_latency (needs root)", us);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int vnl_rt_apply(const struct vnl_rt_opts *o)
{
	if (o->cpu >= 0 && apply_cpu(o->cpu) < 0)
		return -1;
	if (o->mlock && mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
		vnl_errno("--mlock failed; run as root or raise RLIMIT_MEMLOCK (ulimit -l)");
		return -1;
	}
	if (o->cpu_dma_latency_us >= 0 && apply_cpu_dma_latency(o->cpu_dma_latency_us) < 0)
		return -1;
	if (o->sched_fifo > 0 && apply_fifo(o->sched_fifo) < 0)
		return -1;
	return 0;
}
