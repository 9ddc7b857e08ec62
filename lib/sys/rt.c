/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "safefile.h"

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
static int held_cpu_dma_latency_us = -1; /* what apply_cpu_dma_latency holds */

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
	held_cpu_dma_latency_us = us;
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
	return o->report_path ? vnl_rt_report_write(o->report_path) : 0;
}

const char *vnl_rt_policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: return "other";
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_BATCH: return "batch";
	case SCHED_IDLE: return "idle";
#ifdef SCHED_DEADLINE
	case SCHED_DEADLINE: return "deadline";
#endif
	default: return "unknown";
	}
}

void vnl_cpuset_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && used + 16 < len; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int last = c;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		used += (size_t)snprintf(buf + used, len - used, used ? ",%d" : "%d", c);
		if (last > c)
			used += (size_t)snprintf(buf + used, len - used, "-%d", last);
		c = last;
	}
}

/* Memory locked: VmLck of /proc/self/status above 0 kB. */
static bool memory_locked(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb > 0;
}

void vnl_rt_read(struct vnl_rt_applied *out)
{
	memset(out, 0, sizeof(*out));
	int policy = sched_getscheduler(0);
	snprintf(out->policy, sizeof(out->policy), "%s", policy < 0 ? "unknown" : vnl_rt_policy_name(policy));
	struct sched_param sp;
	if (sched_getparam(0, &sp) == 0)
		out->priority = sp.sched_priority;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		vnl_cpuset_format(&set, out->cpus, sizeof(out->cpus));
	out->mlock = memory_locked();
	out->cpu_dma_latency_us = held_cpu_dma_latency_us;
}

int vnl_rt_report_write(const char *path)
{
	struct vnl_rt_applied a;
	vnl_rt_read(&a);
	char text[256];
	int n = snprintf(text, sizeof(text), "policy %s\npriority %d\ncpus %s\nmlock %d\n"
			 "cpu_dma_latency_us %d\n", a.policy, a.priority, a.cpus, a.mlock,
			 a.cpu_dma_latency_us);
	if (vnl_replace_write(path, text, (size_t)n) < 0) {
		vnl_errno("cannot write the applied real-time settings to %s", path);
		return -1;
	}
	return 0;
}

int vnl_rt_report_parse(const char *text, struct vnl_rt_applied *out)
{
	memset(out, 0, sizeof(*out));
	out->cpu_dma_latency_us = -1;
	unsigned seen = 0;
	while (text && *text) {
		char key[32], val[128];
		int mlock;
		size_t len = strcspn(text, "\n");
		char line[192];
		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) - 1 ? len : sizeof(line) - 1),
			 text);
		text += len + (text[len] == '\n');
		if (sscanf(line, "%31s %127s", key, val) != 2)
			continue;
		if (!strcmp(key, "policy"))
			seen |= 1, snprintf(out->policy, sizeof(out->policy), "%.15s", val);
		else if (!strcmp(key, "priority"))
			seen |= 2, out->priority = atoi(val);
		else if (!strcmp(key, "cpus"))
			seen |= 4, snprintf(out->cpus, sizeof(out->cpus), "%s", val);
		else if (!strcmp(key, "mlock") && sscanf(val, "%d", &mlock) == 1)
			seen |= 8, out->mlock = mlock != 0;
		else if (!strcmp(key, "cpu_dma_latency_us"))
			out->cpu_dma_latency_us = atoi(val);
	}
	return seen == 15 ? 0 : -1;
}
