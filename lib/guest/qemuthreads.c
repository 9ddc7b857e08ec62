// SPDX-License-Identifier: GPL-2.0-or-later
#include "qemuthreads.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "cpulist.h"
#include "runcmd.h"

int vnl_qemu_threads(pid_t pid, struct vnl_qemu_thread *out, size_t max)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.')
			continue;
		struct vnl_qemu_thread *t = &out[n];
		char path[300];
		t->tid = (pid_t)atoi(e->d_name);
		vnl_pathf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		vnl_read_line(path, t->comm, sizeof(t->comm));
		unsigned idx;
		char kind[8];
		/* "CPU 0/TCG", "CPU 3/KVM": qemu's own names for its vCPU threads */
		t->vcpu = sscanf(t->comm, "CPU %u/%7s", &idx, kind) == 2 ? (int)idx : -1;
		n++;
	}
	closedir(d);
	return (int)n;
}

/* The CPUs of list L into SET; false when L is no CPU list of CPU_SETSIZE. */
static bool set_of(const char *l, cpu_set_t *set)
{
	CPU_ZERO(set);
	for (int i = 0, c; (c = vnl_cpulist_nth(l, i)) >= 0; i++) {
		if (c >= CPU_SETSIZE)
			return false;
		CPU_SET(c, set);
	}
	return CPU_COUNT(set) > 0;
}

/* Where qemu's non-vCPU threads go with a per-vCPU pin (see the header). */
static void emulator_set(const char *vcpus, const char *emulator, cpu_set_t *set)
{
	if (emulator && set_of(emulator, set))
		return;
	cpu_set_t listed;
	set_of(vcpus, &listed);
	if (sched_getaffinity(0, sizeof(*set), set) < 0)
		CPU_ZERO(set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &listed))
			CPU_CLR(c, set);
	if (CPU_COUNT(set) == 0)
		*set = listed;
}

static int pin_one(pid_t tid, const cpu_set_t *set, const char *comm, char *said, size_t len)
{
	if (sched_setaffinity(tid, sizeof(*set), set) == 0)
		return 0;
	char cpus[128];
	vnl_cpuset_format(set, cpus, sizeof(cpus));
	snprintf(said, len, "cannot pin qemu thread %d '%s' to CPUs %s: %s", (int)tid, comm, cpus,
		 strerror(errno));
	return -1;
}

int vnl_qemu_pin(pid_t pid, const char *vcpus, const char *emulator, char *said, size_t len)
{
	struct vnl_qemu_thread th[256];
	int n = vnl_qemu_threads(pid, th, sizeof(th) / sizeof(th[0]));
	if (n < 0) {
		snprintf(said, len, "qemu (pid %d) is not running", (int)pid);
		return -1;
	}
	int per_vcpu = vnl_cpulist_count(vcpus) > 1 || emulator;
	cpu_set_t one, emu;
	char text[1024] = "", cpus[128];
	size_t used = 0;
	int others = 0, pinned_vcpus = 0;
	emulator_set(vcpus, emulator, &emu);
	for (int i = 0; i < n; i++) {
		int cpu = per_vcpu ? (th[i].vcpu >= 0 ? vnl_cpulist_nth(vcpus, th[i].vcpu) : -2)
				   : vnl_cpulist_nth(vcpus, 0);
		if (cpu == -1) {
			snprintf(said, len, "qemu's vCPU %d has no CPU in --pin-vcpu %s", th[i].vcpu, vcpus);
			return -1;
		}
		CPU_ZERO(&one);
		if (cpu >= 0)
			CPU_SET(cpu, &one);
		if (pin_one(th[i].tid, cpu >= 0 ? &one : &emu, th[i].comm, said, len) < 0)
			return -1;
		if (th[i].vcpu >= 0 && used < sizeof(text)) {
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%svCPU %d -> CPU %d",
						 pinned_vcpus ? ", " : "", th[i].vcpu, cpu);
			pinned_vcpus++;
		} else if (th[i].vcpu < 0) {
			others++;
		}
	}
	if (!pinned_vcpus) {
		snprintf(said, len, "no vCPU thread ('CPU N/TCG' or 'CPU N/KVM') among qemu's %d threads "
			 "(qemu names them with -name debug-threads=on)", n);
		return -1;
	}
	if (per_vcpu)
		vnl_cpuset_format(&emu, cpus, sizeof(cpus));
	else
		snprintf(cpus, sizeof(cpus), "%d", vnl_cpulist_nth(vcpus, 0));
	snprintf(said, len, "%s, %d other thread%s -> CPU%s %s", text, others, others == 1 ? "" : "s",
		 strchr(cpus, ',') || strchr(cpus, '-') ? "s" : "", cpus);
	return 0;
}

/* Raise one vhost worker and say it; -1 with the reason in SAID. */
static int raise_worker(pid_t tid, const char *comm, int prio, char *said, size_t len,
			size_t *used)
{
	struct sched_param sp = { .sched_priority = prio };
	if (sched_setscheduler(tid, SCHED_FIFO, &sp) < 0) {
		snprintf(said, len, "cannot raise vhost worker %d '%s' to SCHED_FIFO %d: %s", (int)tid,
			 comm, prio, strerror(errno));
		return -1;
	}
	int policy = sched_getscheduler(tid);
	sched_getparam(tid, &sp);
	if (*used < len)
		*used += (size_t)snprintf(said + *used, len - *used, "%svhost worker %d '%s' -> %s %d",
					  *used ? ", " : "", (int)tid, comm, vnl_rt_policy_name(policy),
					  sp.sched_priority);
	return 0;
}

int vnl_qemu_vhost_fifo(pid_t pid, int prio, char *said, size_t len)
{
	char name[16];
	snprintf(name, sizeof(name), "vhost-%d", (int)pid);
	size_t used = 0;
	int found = 0;
	said[0] = '\0';
	struct vnl_qemu_thread th[256];
	int n = vnl_qemu_threads(pid, th, sizeof(th) / sizeof(th[0]));
	for (int i = 0; i < n; i++)
		if (!strncmp(th[i].comm, name, strlen(name)) && ++found &&
		    raise_worker(th[i].tid, th[i].comm, prio, said, len, &used) < 0)
			return -1;
	/* before 6.4 the workers are kernel threads of their own, named for the owner */
	DIR *d = found ? NULL : opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], comm[16];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		vnl_pathf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		vnl_read_line(path, comm, sizeof(comm));
		if (!strcmp(comm, name) && ++found &&
		    raise_worker((pid_t)atoi(e->d_name), comm, prio, said, len, &used) < 0) {
			closedir(d);
			return -1;
		}
	}
	if (d)
		closedir(d);
	if (!found) {
		snprintf(said, len, "qemu %d has no vhost-net worker ('%s'): is vhost on?", (int)pid, name);
		return -1;
	}
	return 0;
}
