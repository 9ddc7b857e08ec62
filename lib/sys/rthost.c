// SPDX-License-Identifier: GPL-2.0-or-later
#include "rthost.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "runcmd.h"

static void read_at(const char *root, const char *path, char *buf, size_t len)
{
	char full[512];
	vnl_pathf(full, sizeof(full), "%s%s", root, path);
	vnl_read_line(full, buf, len);
	/* some kernels print "(null)" for an empty nohz_full mask */
	if (!strcmp(buf, "(null)"))
		buf[0] = '\0';
}

/* rcu_nocbs[=LIST] on the kernel command line. */
static void read_rcu_nocbs(const char *root, char *buf, size_t len)
{
	char cmdline[4096];
	buf[0] = '\0';
	read_at(root, "/proc/cmdline", cmdline, sizeof(cmdline));
	for (char *tok = strtok(cmdline, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (!strcmp(tok, "--"))
			break; /* what follows is init's, not the kernel's */
		if (!strcmp(tok, "rcu_nocbs"))
			snprintf(buf, len, "all");
		else if (!strncmp(tok, "rcu_nocbs=", 10))
			snprintf(buf, len, "%s", tok + 10);
	}
}

static void read_governor(const char *root, unsigned cpus, char *buf, size_t len)
{
	char first[32] = "", g[32], path[96];
	bool mixed = false;
	buf[0] = '\0';
	for (unsigned c = 0; c < cpus; c++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor", c);
		read_at(root, path, g, sizeof(g));
		if (c == 0)
			snprintf(first, sizeof(first), "%s", g);
		else if (strcmp(g, first))
			mixed = true;
	}
	if (!mixed) {
		snprintf(buf, len, "%s", first);
		return;
	}
	size_t n = (size_t)snprintf(buf, len, "mixed:");
	for (unsigned c = 0; c < cpus && n < len; c++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor", c);
		read_at(root, path, g, sizeof(g));
		n += (size_t)snprintf(buf + n, len - n, "%s cpu%u %s", c ? "," : "", c, g[0] ? g : "none");
	}
}

void vnl_rthost_read(struct vnl_rthost *h, const char *root, const char *uname_v)
{
	memset(h, 0, sizeof(*h));
	if (!root)
		root = "";
	else if (!strcmp(root, "/"))
		root = "";
	char buf[256];
	read_at(root, "/sys/devices/system/cpu/isolated", h->isolcpus, sizeof(h->isolcpus));
	read_at(root, "/sys/devices/system/cpu/nohz_full", h->nohz_full, sizeof(h->nohz_full));
	read_rcu_nocbs(root, h->rcu_nocbs, sizeof(h->rcu_nocbs));
	struct utsname u;
	if (!uname_v)
		uname_v = uname(&u) == 0 ? u.version : "";
	read_at(root, "/sys/kernel/realtime", buf, sizeof(buf));
	h->preempt_rt = !strcmp(buf, "1") || strstr(uname_v, "PREEMPT_RT") != NULL;
	read_at(root, "/sys/devices/system/cpu/online", buf, sizeof(buf));
	int n = vnl_cpulist_count(buf);
	h->cpus = n > 0 ? (unsigned)n : 0;
	read_governor(root, h->cpus, h->governor, sizeof(h->governor));
	read_at(root, "/sys/devices/system/cpu/smt/active", buf, sizeof(buf));
	h->smt = !strcmp(buf, "1") ? 1 : !strcmp(buf, "0") ? 0 : -1;
	read_at(root, "/sys/devices/system/cpu/smt/control", h->smt_control, sizeof(h->smt_control));
}

/* One CPU number of a list at *P, advanced past it; -1 when there is none. */
static long cpu_number(const char **p)
{
	if (!isdigit((unsigned char)**p))
		return -1;
	char *end;
	long v = strtol(*p, &end, 10);
	if (v > 1 << 20)
		return -1;
	*p = end;
	return v;
}

/*
 * Walk LIST calling back for each range [lo, hi] step STRIDE. Returns 0, or -1 when
 * LIST is not a CPU list. FN returns true to stop early.
 */
static int cpulist_walk(const char *list, bool (*fn)(long, long, long, void *), void *arg)
{
	const char *p = list;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	for (;;) {
		long lo = cpu_number(&p), hi = lo, stride = 1;
		if (lo < 0)
			return -1;
		if (*p == '-') {
			p++;
			if ((hi = cpu_number(&p)) < lo)
				return -1;
			if (*p == ':') {
				p++;
				if ((stride = cpu_number(&p)) <= 0)
					return -1;
			}
		}
		if (fn(lo, hi, stride, arg))
			return 0;
		if (*p == '\0' || *p == '\n')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

struct has_arg { long cpu; bool found; };

static bool has_fn(long lo, long hi, long stride, void *arg)
{
	struct has_arg *a = arg;
	a->found = a->cpu >= lo && a->cpu <= hi && (a->cpu - lo) % stride == 0;
	return a->found;
}

int vnl_cpulist_has(const char *list, int cpu)
{
	struct has_arg a = { .cpu = cpu };
	if (cpulist_walk(list, has_fn, &a) < 0)
		return -1;
	return a.found;
}

static bool count_fn(long lo, long hi, long stride, void *arg)
{
	*(long *)arg += (hi - lo) / stride + 1;
	return false;
}

int vnl_cpulist_count(const char *list)
{
	long n = 0;
	if (cpulist_walk(list, count_fn, &n) < 0)
		return -1;
	return n > 1 << 20 ? -1 : (int)n;
}

static bool max_fn(long lo, long hi, long stride, void *arg)
{
	long last = lo + (hi - lo) / stride * stride;
	if (last > *(long *)arg)
		*(long *)arg = last;
	return false;
}

int vnl_cpulist_max(const char *list)
{
	long m = -1;
	if (cpulist_walk(list, max_fn, &m) < 0)
		return -1;
	return (int)m;
}

struct nth_arg { long n, cpu; };

static bool nth_fn(long lo, long hi, long stride, void *arg)
{
	struct nth_arg *a = arg;
	long k = (hi - lo) / stride + 1;
	if (a->n < k) {
		a->cpu = lo + a->n * stride;
		return true;
	}
	a->n -= k;
	return false;
}

int vnl_cpulist_nth(const char *list, int n)
{
	struct nth_arg a = { .n = n, .cpu = -1 };
	if (n < 0 || cpulist_walk(list, nth_fn, &a) < 0)
		return -1;
	return (int)a.cpu;
}
