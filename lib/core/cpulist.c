// SPDX-License-Identifier: GPL-2.0-or-later
#include "cpulist.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>

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
