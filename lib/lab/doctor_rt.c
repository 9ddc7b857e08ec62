// SPDX-License-Identifier: GPL-2.0-or-later
#include "doctor_rt.h"

#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "labinfo.h"
#include "log.h"
#include "qemuthreads.h"
#include "rt.h"
#include "cpulist.h"
#include "rthost.h"
#include "runcmd.h"

enum verdict { V_OK, V_PROBLEM, V_INFO };

__attribute__((format(printf, 4, 5)))
static void say(unsigned *problems, enum verdict v, const char *check, const char *fmt, ...)
{
	static const char *const word[] = { "ok", "PROBLEM", "info" };
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("%-8s %s: %s\n", word[v], check, text);
	if (v == V_PROBLEM)
		(*problems)++;
}

/* Whether every CPU of LIST is in ISOL (both kernel CPU lists). */
static bool all_in(const char *list, const char *isol, unsigned ncpu)
{
	for (unsigned c = 0; c < ncpu; c++)
		if (vnl_cpulist_has(list, (int)c) == 1 && vnl_cpulist_has(isol, (int)c) != 1)
			return false;
	return true;
}

static void check_kernel(const struct vnl_rthost *h, unsigned *p)
{
	if (h->preempt_rt)
		say(p, V_OK, "PREEMPT_RT", "this kernel is a real-time one");
	else
		say(p, V_PROBLEM, "PREEMPT_RT", "not a PREEMPT_RT kernel, as the published study ran: "
		    "apt-get install linux-image-rt-amd64 (linux-image-rt-arm64 on arm64) and boot it");
}

/* isolcpus, and the two settings that go with it for each isolated CPU. */
static void check_isolation(const struct vnl_rthost *h, unsigned *p)
{
	if (!h->isolcpus[0]) {
		say(p, V_PROBLEM, "isolcpus", "no CPU is isolated from the scheduler: boot with "
		    "isolcpus=N nohz_full=N rcu_nocbs=N (N: the CPUs for the guest and the "
		    "receiver, e.g. %u) and pin to them", h->cpus ? h->cpus - 1 : 1);
		say(p, V_INFO, "nohz_full", "%s", h->nohz_full[0] ? h->nohz_full : "none");
		say(p, V_INFO, "rcu_nocbs", "%s", h->rcu_nocbs[0] ? h->rcu_nocbs : "none");
		return;
	}
	say(p, V_OK, "isolcpus", "CPUs %s are isolated", h->isolcpus);
	if (all_in(h->isolcpus, h->nohz_full, h->cpus))
		say(p, V_OK, "nohz_full", "%s: the isolated CPUs get no scheduler tick", h->nohz_full);
	else
		say(p, V_PROBLEM, "nohz_full", "%s does not cover the isolated CPUs %s: add "
		    "nohz_full=%s to the kernel command line", h->nohz_full[0] ? h->nohz_full : "none",
		    h->isolcpus, h->isolcpus);
	bool rcu_all = !strcmp(h->rcu_nocbs, "all");
	if (rcu_all || all_in(h->isolcpus, h->rcu_nocbs, h->cpus))
		say(p, V_OK, "rcu_nocbs", "%s: RCU callbacks run off the isolated CPUs", h->rcu_nocbs);
	else
		say(p, V_PROBLEM, "rcu_nocbs", "%s does not cover the isolated CPUs %s: add "
		    "rcu_nocbs=%s to the kernel command line", h->rcu_nocbs[0] ? h->rcu_nocbs : "none",
		    h->isolcpus, h->isolcpus);
}

static void check_power(const struct vnl_rthost *h, unsigned *p)
{
	if (!h->governor[0])
		say(p, V_INFO, "governor", "no cpufreq here (no /sys/devices/system/cpu/cpu0/cpufreq): "
		    "the hypervisor or the firmware sets the frequency");
	else if (!strcmp(h->governor, "performance"))
		say(p, V_OK, "governor", "performance on every CPU");
	else
		say(p, V_PROBLEM, "governor", "%s: frequency changes add latency; "
		    "cpupower frequency-set -g performance", h->governor);
	if (h->smt == 0)
		say(p, V_OK, "SMT", "off (control: %s)", h->smt_control[0] ? h->smt_control : "?");
	else if (h->smt == 1)
		say(p, V_PROBLEM, "SMT", "on: a sibling thread shares each core; "
		    "echo off > /sys/devices/system/cpu/smt/control (or boot with nosmt)");
	else
		say(p, V_INFO, "SMT", "unknown (no /sys/devices/system/cpu/smt/active)");
}

/* 0 when CPUS is a list of this host's CPUs, else -1 with a message. */
static int valid_cpus(const struct vnl_rthost *h, const char *cpus)
{
	int n = vnl_cpulist_count(cpus);
	if (n <= 0) {
		vnl_err("--cpus %s: not a CPU list (like 1 or 2-3,5); this host's CPUs are 0-%u",
			cpus, h->cpus ? h->cpus - 1 : 0);
		return -1;
	}
	int max = vnl_cpulist_max(cpus);
	if (max >= (int)h->cpus) {
		vnl_err("--cpus %s: this host has no CPU %d (its CPUs are 0-%u)", cpus, max,
			h->cpus ? h->cpus - 1 : 0);
		return -1;
	}
	return 0;
}

/* The CPUs the user will run on: each one isolated. */
static void check_cpus(const struct vnl_rthost *h, const char *cpus, unsigned *p)
{
	for (unsigned c = 0; c < h->cpus; c++) {
		if (vnl_cpulist_has(cpus, (int)c) != 1)
			continue;
		char what[32];
		snprintf(what, sizeof(what), "CPU %u", c);
		if (vnl_cpulist_has(h->isolcpus, (int)c) == 1)
			say(p, V_OK, what, "isolated");
		else
			say(p, V_PROBLEM, what, "not isolated (isolcpus: %s): other tasks and the "
			    "scheduler tick run there; pin to an isolated CPU, or isolate it",
			    h->isolcpus[0] ? h->isolcpus : "none");
	}
}

/* One qemu thread: its name, the CPUs it may run on and its policy. */
static void check_thread(const struct vnl_rthost *h, const struct vnl_qemu_thread *t, unsigned *p)
{
	char cpus[128];
	cpu_set_t set;
	if (sched_getaffinity(t->tid, sizeof(set), &set) < 0)
		return; /* the thread ended */
	vnl_cpuset_format(&set, cpus, sizeof(cpus));
	int policy = sched_getscheduler(t->tid);
	struct sched_param sp = { 0 };
	sched_getparam(t->tid, &sp);
	char what[64];
	snprintf(what, sizeof(what), "qemu thread %d '%s'", (int)t->tid, t->comm);
	bool isolated = h->isolcpus[0] && all_in(cpus, h->isolcpus, h->cpus);
	if (t->vcpu < 0)
		say(p, V_INFO, what, "CPUs %s, %s %d", cpus, vnl_rt_policy_name(policy),
		    sp.sched_priority);
	else if (isolated)
		say(p, V_OK, what, "vCPU %d on isolated CPUs %s, %s %d", t->vcpu, cpus,
		    vnl_rt_policy_name(policy), sp.sched_priority);
	else if (vnl_cpulist_count(cpus) == 1)
		say(p, V_PROBLEM, what, "vCPU %d pinned to CPU %s, which is not isolated (isolcpus: %s), "
		    "%s %d: boot with isolcpus=%s nohz_full=%s rcu_nocbs=%s", t->vcpu, cpus,
		    h->isolcpus[0] ? h->isolcpus : "none", vnl_rt_policy_name(policy),
		    sp.sched_priority, cpus, cpus, cpus);
	else
		say(p, V_PROBLEM, what, "vCPU %d may run on CPUs %s, not all isolated (isolcpus: %s), "
		    "%s %d: pin it to an isolated CPU ('vnetlat lab up ... --pin-vcpu N')", t->vcpu,
		    cpus, h->isolcpus[0] ? h->isolcpus : "none", vnl_rt_policy_name(policy),
		    sp.sched_priority);
}

static void check_lab(const struct vnl_rthost *h, const char *lab,
		      const struct vnl_lab_info *lip, unsigned *p)
{
	if (!lip->has_guest) {
		say(p, V_INFO, "lab", "%s (%s) has no guest: only the host is checked", lab, lip->topology);
		return;
	}
	/* The lab's run directory is where its agent socket is; qemu writes its pid there. */
	char pidf[300], line[32];
	const char *slash = strrchr(lip->agent_path, '/');
	vnl_pathf(pidf, sizeof(pidf), "%.*s/qemu.pid", slash ? (int)(slash - lip->agent_path) : 0,
		  lip->agent_path);
	vnl_read_line(pidf, line, sizeof(line));
	pid_t qemu = (pid_t)atoi(line);
	struct vnl_qemu_thread th[256];
	int n = qemu > 0 ? vnl_qemu_threads(qemu, th, sizeof(th) / sizeof(th[0])) : -1;
	if (n < 0) {
		say(p, V_PROBLEM, "lab", "%s: its qemu (%s: '%s') is not running; 'vnetlat lab show "
		    "--name %s' shows the guest", lab, pidf, line, lab);
		return;
	}
	say(p, V_INFO, "lab", "%s (%s): qemu %d, accelerator %s", lab, lip->topology, (int)qemu,
	    lip->accel);
	for (int i = 0; i < n; i++)
		check_thread(h, &th[i], p);
}

int vnl_doctor_rt(const char *lab, const char *cpus)
{
	struct vnl_rthost h;
	unsigned problems = 0;
	vnl_rthost_read(&h, NULL, NULL);
	if (cpus && valid_cpus(&h, cpus) < 0)
		return VNL_EXIT_USAGE;
	struct vnl_lab_info info;
	if (lab && vnl_labinfo_load(VNL_LABINFO_DIR, lab, &info) < 0) {
		vnl_err("lab %s is not up (no %s/%s.info); 'vnetlat lab show' lists the labs", lab,
			VNL_LABINFO_DIR, lab);
		return VNL_EXIT_FAIL;
	}
	printf("real-time set-up of this host (%u CPUs):\n", h.cpus);
	if (cpus)
		check_cpus(&h, cpus, &problems);
	check_kernel(&h, &problems);
	check_isolation(&h, &problems);
	check_power(&h, &problems);
	if (lab)
		check_lab(&h, lab, &info, &problems);
	if (problems == 0)
		printf("real-time: no problem found\n");
	else
		printf("real-time: %u problem%s found (see PROBLEM lines)\n", problems,
		       problems > 1 ? "s" : "");
	return problems ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}
