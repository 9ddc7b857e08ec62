/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Study job files: libinih splits lines into sections and key = value pairs;
 * a line reader of ours feeds it one line at a time, so every value gets its
 * line number, and notes what inih does not report (section headers, empty
 * and repeated sections, malformed lines, indented continuation lines).
 * Then: values are parsed per section, sections are merged with [global],
 * matrices are expanded, and each case is checked as a whole.
 */
#include "jobfile.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "parse.h"
#include "qbv.h"
#include "safefile.h"
#include "wire.h"

#define MAX_SECTIONS 1024
#define MAX_ITEMS 64              /* values in one matrix list */
#define DEFAULT_DURATION_NS (10 * 1000000000LL)
#define MAX_RUN_NS (24 * 3600 * 1000000000LL)
#define MTU 1500                  /* the labs' links: probes must fit one frame */

/* A parsed value; which fields mean something depends on the key. */
struct val {
	int64_t n;
	int64_t n2;
	char s[160];          /* names: an interface, a PCI address, a case */
};

struct item {
	char *text;
	struct val v;
};

struct entry {
	unsigned line;            /* 0: not set in this section */
	char *text;
	bool bad;                 /* its value did not parse */
	unsigned nitems;
	struct item *items;
};

struct section {
	char name[VNL_JOB_NAME_MAX + 1];
	unsigned line;
	bool global;
	bool ignored;             /* a repeated or badly named header: its keys are dropped */
	struct entry e[VNL_JK_NKEYS];
};

struct vnl_job {
	char *file;
	/* reader state */
	const char *p, *end;
	unsigned lineno;
	bool line_bad;            /* the current line is reported already; ignore what inih makes of it */
	bool have_key;            /* a key was seen since the last header (inih's multi-line rule) */
	bool have_content;
	/* what was read */
	struct section *sec;
	size_t nsec;
	long cur;                 /* section of the current line, -1 before the first header */
	/* results */
	struct vnl_job_error *err;
	size_t nerr, caperr;
	struct vnl_job_case *cases;
	size_t ncases;
	bool oom;
};

/* Errors, each once: the same line and message from two expanded cases is one problem. */
static void add_error(struct vnl_job *job, unsigned line, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_error(struct vnl_job *job, unsigned line, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < job->nerr; i++)
		if (job->err[i].line == line && !strcmp(job->err[i].message, msg))
			return;
	if (job->nerr == job->caperr) {
		size_t cap = job->caperr ? job->caperr * 2 : 16;
		struct vnl_job_error *e = realloc(job->err, cap * sizeof(*e));
		if (!e) {
			job->oom = true;
			return;
		}
		job->err = e;
		job->caperr = cap;
	}
	struct vnl_job_error *e = &job->err[job->nerr];
	e->line = line;
	e->message = strdup(msg);
	e->suggestion = hint && *hint ? strdup(hint) : NULL;
	if (!e->message || (hint && *hint && !e->suggestion)) {
		free(e->message);
		free(e->suggestion);
		job->oom = true;
		return;
	}
	job->nerr++;
}

/* ---- names and suggestions ---- */

static const char *const key_names[VNL_JK_NKEYS] = {
	[VNL_JK_TOPOLOGY] = "topology", [VNL_JK_TRANSPORT] = "transport",
	[VNL_JK_DIRECTION] = "direction", [VNL_JK_INTERVAL] = "interval", [VNL_JK_SIZE] = "size",
	[VNL_JK_LOAD] = "load", [VNL_JK_VHOST] = "vhost", [VNL_JK_ACCEL] = "accel",
	[VNL_JK_GUEST_CPUS] = "guest_cpus", [VNL_JK_GUEST_MEM] = "guest_mem",
	[VNL_JK_PIN_VCPU] = "pin_vcpu", [VNL_JK_EMULATOR_CPUS] = "emulator_cpus",
	[VNL_JK_VHOST_FIFO] = "vhost_fifo", [VNL_JK_IRQ_CPUS] = "irq_cpus", [VNL_JK_PMD_CPUS] = "pmd_cpus", [VNL_JK_VLAN] = "vlan", [VNL_JK_QBV] = "qbv", [VNL_JK_UPLINK] = "uplink",
	[VNL_JK_PCI_DEVICE] = "pci_device", [VNL_JK_REMOTE_NETNS] = "remote_netns",
	[VNL_JK_REMOTE_ADDR] = "remote_addr", [VNL_JK_COUNT] = "count",
	[VNL_JK_DURATION] = "duration", [VNL_JK_PRIORITY] = "priority",
	[VNL_JK_DEADLINE] = "deadline", [VNL_JK_SCHED_FIFO] = "sched_fifo",
	[VNL_JK_CPU] = "cpu", [VNL_JK_REMOTE_CPU] = "remote_cpu", [VNL_JK_TRACE] = "trace",
	[VNL_JK_LOAD_RATE] = "load_rate", [VNL_JK_WARMUP] = "warmup", [VNL_JK_REPEAT] = "repeat",
	[VNL_JK_WINDOW] = "window", [VNL_JK_REFERENCE] = "reference",
};

static const char *const topo_names[] = { "veth", "bridge", "macvtap", "xdp", "ovs", "ovs-afxdp",
					  "passthrough", NULL };
static const char *const transport_names[] = { "udp4", "udp6", "l2", "xdp", NULL };
static const char *const direction_names[] = { "in", "out", "both", NULL };
static const char *const switch_names[] = { "auto", "on", "off", NULL };
static const char *const accel_names[] = { "auto", "kvm", "tcg", NULL };
static const char *const onoff_names[] = { "off", "on", NULL };

const char *vnl_job_key_name(enum vnl_job_key key)
{
	return key < VNL_JK_NKEYS ? key_names[key] : "?";
}

const char *vnl_job_topology_name(enum vnl_job_topology t)
{
	return t <= VNL_TOPO_PASSTHROUGH ? topo_names[t] : "?";
}

const char *vnl_job_transport_name(enum vnl_job_transport t)
{
	return t <= VNL_JOB_XDP ? transport_names[t] : "?";
}

const char *vnl_job_direction_name(enum vnl_job_direction d)
{
	return d <= VNL_DIR_BOTH ? direction_names[d] : "?";
}

const char *vnl_job_load_name(const struct vnl_job_case *c, char *buf, size_t len)
{
	if (c->load == VNL_LOAD_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s%u", c->load == VNL_LOAD_UDP ? "udp" : "tcp", c->load_streams);
	return buf;
}

/* Levenshtein distance, for "did you mean"; long inputs are not worth it. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			unsigned best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest of NAMES to S when it is close enough to be a typo, else NULL. */
static const char *closest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned bestd = 99;

	for (size_t i = 0; i < n && names[i]; i++) {
		unsigned d = edit_distance(s, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	size_t len = strlen(s);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	return bestd <= limit ? best : NULL;
}

static void list_names(char *buf, size_t len, const char *const *names)
{
	size_t off = (size_t)snprintf(buf, len, "use one of");
	for (size_t i = 0; names[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s %s", i ? "," : "", names[i]);
}

/* ---- value parsers: 0, or -1 with msg (what is wrong) and hint (what to write) ---- */

struct perr {
	char msg[160];
	char hint[160];
};

static int fail(struct perr *e, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct perr *e, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->hint, sizeof(e->hint), "%s", hint ? hint : "");
	return -1;
}

static int parse_name(const char *s, const char *const *names, struct val *v, struct perr *e)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			v->n = i;
			return 0;
		}
	const char *near = closest(s, names, 16);
	char hint[160];
	if (near)
		snprintf(hint, sizeof(hint), "did you mean '%s'?", near);
	else
		list_names(hint, sizeof(hint), names);
	return fail(e, hint, "unknown value '%s'", s);
}

static int parse_range(const char *s, uint64_t min, uint64_t max, const char *none, struct val *v,
		       struct perr *e)
{
	const char *why;
	uint64_t u;
	char hint[96];

	if (none && !strcmp(s, none)) {
		v->n = -1;
		return 0;
	}
	if (none)
		snprintf(hint, sizeof(hint), "a number from %llu to %llu, or %s",
			 (unsigned long long)min, (unsigned long long)max, none);
	else
		snprintf(hint, sizeof(hint), "a number from %llu to %llu",
			 (unsigned long long)min, (unsigned long long)max);
	if (vnl_parse_u64(s, min, max, &u, &why) != 0)
		return fail(e, hint, "'%s': %s", s, why);
	v->n = (int64_t)u;
	return 0;
}

static int parse_dur_range(const char *s, int64_t min, int64_t max, struct val *v, struct perr *e)
{
	const char *why;
	char a[24], b[24], hint[96];
	int64_t ns;

	snprintf(hint, sizeof(hint), "a duration from %s to %s, such as 1ms or 10s",
		 vnl_fmt_ns(min, a, sizeof(a)), vnl_fmt_ns(max, b, sizeof(b)));
	if (vnl_parse_duration(s, &ns, &why) != 0)
		return fail(e, hint, "'%s': %s", s, why);
	if (ns < min || ns > max)
		return fail(e, hint, "'%s' is out of range", s);
	v->n = ns;
	return 0;
}

/* "udp3", "tcp1", "none". */
static int parse_load(const char *s, struct val *v, struct perr *e)
{
	static const char hint[] = "none, udpN or tcpN with N streams from 1 to 16, such as udp3";
	struct val n;

	if (!strcmp(s, "none")) {
		v->n = VNL_LOAD_NONE;
		v->n2 = 0;
		return 0;
	}
	if (strncmp(s, "udp", 3) && strncmp(s, "tcp", 3))
		return fail(e, hint, "unknown load '%s'", s);
	if (!isdigit((unsigned char)s[3]) ||
	    parse_range(s + 3, 1, VNL_JOB_MAX_LOAD_STREAMS, NULL, &n, e) != 0)
		return fail(e, hint, "'%s' needs a number of streams from 1 to %d", s,
			    VNL_JOB_MAX_LOAD_STREAMS);
	v->n = s[0] == 'u' ? VNL_LOAD_UDP : VNL_LOAD_TCP;
	v->n2 = n.n;
	return 0;
}

/* A number with an optional unit suffix from UNITS (factor per letter). */
static int parse_scaled(const char *s, const char *units, const double *factors, double *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	double x = strtod(s, &end);
	if (end == s || errno || x < 0 || x > 1e15)
		return -1;
	if (*end) {
		const char *u = strchr(units, *end);
		if (!u || !*u)
			return -1;
		x *= factors[u - units];
		end++;
	}
	if (*end)
		return -1;
	*out = x;
	return 0;
}

/* Bits per second per stream: "100M", "1.5G", "500k", or "unlimited" (0). */
static int parse_rate(const char *s, struct val *v, struct perr *e)
{
	static const double f[] = { 1e3, 1e3, 1e6, 1e9 };
	static const char hint[] = "bits per second with k, M or G, such as 100M, or unlimited";
	double x;

	if (!strcmp(s, "unlimited")) {
		v->n = 0;
		return 0;
	}
	if (parse_scaled(s, "kKMG", f, &x) != 0)
		return fail(e, hint, "'%s' is not a rate", s);
	if (x < 1e3 || x > 100e9)
		return fail(e, hint, "'%s' is out of range (1k to 100G)", s);
	v->n = (int64_t)x;
	return 0;
}

/* Guest memory: "256M", "1G" (binary units), kept in MiB. */
static int parse_mem(const char *s, struct val *v, struct perr *e)
{
	static const double f[] = { 1, 1024 };
	static const char hint[] = "a size with M or G, from 64M to 64G, such as 512M";
	double x;
	size_t len = strlen(s);

	if (len < 2 || !strchr("MG", s[len - 1]) || parse_scaled(s, "MG", f, &x) != 0)
		return fail(e, hint, "'%s' is not a memory size", s);
	if (x < 64 || x > 64 * 1024)
		return fail(e, hint, "'%s' is out of range", s);
	v->n = (int64_t)x;
	return 0;
}

static int parse_window(const char *s, struct val *v, struct perr *e)
{
	static const char hint[] = "FROM..TO or FROM.. (to the end), durations from the start of "
				   "measuring, such as 5m..10m";
	const char *dots = strstr(s, "..");
	const char *why;
	char from[64];

	if (!dots || (size_t)(dots - s) >= sizeof(from))
		return fail(e, hint, "'%s' is not a window", s);
	memcpy(from, s, (size_t)(dots - s));
	from[dots - s] = '\0';
	if (vnl_parse_duration(from, &v->n, &why) != 0)
		return fail(e, hint, "window start '%s': %s", from, why);
	if (!dots[2]) {
		v->n2 = -1; /* to the end of the run */
		return 0;
	}
	if (vnl_parse_duration(dots + 2, &v->n2, &why) != 0)
		return fail(e, hint, "window end '%s': %s", dots + 2, why);
	if (v->n2 <= v->n)
		return fail(e, hint, "window '%s' ends before it starts", s);
	return 0;
}

/* A named network namespace (ip netns): a file name in /run/netns. */
static int parse_netns(const char *s, struct val *v, struct perr *e)
{
	static const char hint[] = "a network namespace name ('ip netns list'), such as lan";
	size_t len = strlen(s);

	if (len == 0 || len > 31 || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return fail(e, hint, "'%s' is not a network namespace name", s);
	snprintf(v->s, sizeof(v->s), "%s", s);
	return 0;
}

/* An IPv4 or IPv6 address without prefix. */
static int parse_addr(const char *s, struct val *v, struct perr *e)
{
	uint8_t bin[16];
	if (inet_pton(AF_INET, s, bin) != 1 && inet_pton(AF_INET6, s, bin) != 1)
		return fail(e, "an IPv4 or IPv6 address such as 192.0.2.1",
			    "'%s' is not an IP address", s);
	snprintf(v->s, sizeof(v->s), "%s", s);
	return 0;
}

/* Linux interface names: 1-15 bytes, no '/', ':' or blanks. */
/* A host CPU list ("1", "2-3", "1,0": order kept), or none. */
static int parse_cpus(const char *s, struct val *v, struct perr *e)
{
	static const char hint[] = "a host CPU list such as 1, 2-3 or 1,0 (one per vCPU), or none";
	if (!strcmp(s, "none")) {
		v->s[0] = '\0';
		return 0;
	}
	int max = vnl_cpulist_max(s);
	if (strlen(s) >= 64 || vnl_cpulist_count(s) <= 0 || max < 0 || max > 4095)
		return fail(e, hint, "'%s' is not a CPU list", s);
	snprintf(v->s, sizeof(v->s), "%s", s);
	return 0;
}

/* A Qbv window as lab up --qbv takes it (lib/core/qbv), or none. */
static int parse_qbv(const char *s, struct val *v, struct perr *e)
{
	struct vnl_qbv q;
	const char *why = NULL;
	if (!strcmp(s, "none")) {
		v->s[0] = '\0';
		return 0;
	}
	if (strlen(s) >= 64 || vnl_qbv_parse(s, &q, &why) < 0)
		return fail(e, "OPEN+LENGTH/CYCLE such as 0us+229us/500us, or none", "'%s': %s", s,
			    why ? why : "not a Qbv window");
	snprintf(v->s, sizeof(v->s), "%s", s);
	return 0;
}

static int parse_ifname(const char *s, struct val *v, struct perr *e)
{
	static const char hint[] = "a host interface name (ip link), such as enp3s0";
	size_t len = strlen(s);

	if (len == 0 || len > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return fail(e, hint, "'%s' is not an interface name", s);
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			return fail(e, hint, "'%s' is not an interface name", s);
	snprintf(v->s, sizeof(v->s), "%s", s);
	return 0;
}

/* "0000:03:00.0" or "03:00.0" (domain 0). */
static int parse_pci(const char *s, struct val *v, struct perr *e)
{
	static const char hint[] = "a PCI address as lspci -D shows it, such as 0000:03:00.0";
	unsigned dom = 0, bus, dev, fn;
	int used = -1;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &used) != 4 || (size_t)used != strlen(s)) {
		dom = 0;
		used = -1;
		if (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &used) != 3 || (size_t)used != strlen(s))
			return fail(e, hint, "'%s' is not a PCI address", s);
	}
	if (dev > 0x1f || fn > 7 || !isxdigit((unsigned char)s[0]))
		return fail(e, hint, "'%s' is not a PCI address", s);
	snprintf(v->s, sizeof(v->s), "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* A section (case) name: it becomes part of case names and directory names. */
static bool name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > VNL_JOB_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static int parse_reference(const char *s, struct val *v, struct perr *e)
{
	/* a case name may contain '/', '=' and ',' of its matrix values */
	if (strlen(s) >= sizeof(v->s) || strchr(s, ' '))
		return fail(e, "the name of a section, or of one expanded case", "'%s' is not a case name",
			    s);
	snprintf(v->s, sizeof(v->s), "%s", s);
	return 0;
}

static int parse_value(enum vnl_job_key k, const char *s, struct val *v, struct perr *e)
{
	switch (k) {
	case VNL_JK_TOPOLOGY:   return parse_name(s, topo_names, v, e);
	case VNL_JK_TRANSPORT:  return parse_name(s, transport_names, v, e);
	case VNL_JK_DIRECTION:  return parse_name(s, direction_names, v, e);
	case VNL_JK_VHOST:      return parse_name(s, switch_names, v, e);
	case VNL_JK_ACCEL:      return parse_name(s, accel_names, v, e);
	case VNL_JK_INTERVAL:   return parse_dur_range(s, 10000, 10000000000LL, v, e);
	case VNL_JK_SIZE:       return parse_range(s, VNL_WIRE_MIN_SIZE, VNL_WIRE_MAX_SIZE, NULL, v, e);
	case VNL_JK_LOAD:       return parse_load(s, v, e);
	case VNL_JK_GUEST_CPUS: return parse_range(s, 1, 64, NULL, v, e);
	case VNL_JK_GUEST_MEM:  return parse_mem(s, v, e);
	case VNL_JK_PIN_VCPU:
	case VNL_JK_EMULATOR_CPUS:
	case VNL_JK_IRQ_CPUS:
	case VNL_JK_PMD_CPUS:   return parse_cpus(s, v, e);
	case VNL_JK_VHOST_FIFO: return parse_range(s, 1, 99, "off", v, e);
	case VNL_JK_VLAN:       return parse_range(s, 1, 4094, "none", v, e);
	case VNL_JK_QBV:        return parse_qbv(s, v, e);
	case VNL_JK_UPLINK:     return parse_ifname(s, v, e);
	case VNL_JK_PCI_DEVICE: return parse_pci(s, v, e);
	case VNL_JK_REMOTE_NETNS: return parse_netns(s, v, e);
	case VNL_JK_REMOTE_ADDR: return parse_addr(s, v, e);
	case VNL_JK_COUNT:      return parse_range(s, 1, 1000000000, NULL, v, e);
	case VNL_JK_DURATION:   return parse_dur_range(s, 100000000, MAX_RUN_NS, v, e);
	case VNL_JK_PRIORITY:   return parse_range(s, 0, 15, "none", v, e);
	case VNL_JK_DEADLINE:
		if (!strcmp(s, "none")) {
			v->n = 0;
			return 0;
		}
		return parse_dur_range(s, 1000, 10000000000LL, v, e);
	case VNL_JK_SCHED_FIFO: return parse_range(s, 1, 99, "off", v, e);
	case VNL_JK_CPU:
	case VNL_JK_REMOTE_CPU: return parse_range(s, 0, 4095, "none", v, e);
	case VNL_JK_TRACE:      return parse_name(s, onoff_names, v, e);
	case VNL_JK_LOAD_RATE:  return parse_rate(s, v, e);
	case VNL_JK_WARMUP:     return parse_dur_range(s, 0, 3600000000000LL, v, e);
	case VNL_JK_REPEAT:     return parse_range(s, 1, 100, NULL, v, e);
	case VNL_JK_WINDOW:     return parse_window(s, v, e);
	case VNL_JK_REFERENCE:  return parse_reference(s, v, e);
	case VNL_JK_NKEYS:      break;
	}
	return fail(e, NULL, "internal: no parser");
}

static bool key_is_matrix(enum vnl_job_key k)
{
	return k <= VNL_JK_LOAD;
}

/* ---- reading: the line reader and the inih handler ---- */

static const char *skip_blank(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

static struct section *new_section(struct vnl_job *job, const char *name, unsigned line)
{
	if (job->nsec == MAX_SECTIONS) {
		add_error(job, line, "split the study into several files",
			  "more than %d sections", MAX_SECTIONS);
		return NULL;
	}
	struct section *s = realloc(job->sec, (job->nsec + 1) * sizeof(*s));
	if (!s) {
		job->oom = true;
		return NULL;
	}
	job->sec = s;
	s = &job->sec[job->nsec];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->line = line;
	s->global = !strcmp(name, "global");
	return &job->sec[job->nsec++];
}

/* A "[name]" line (inih's rules: up to ']' unless an inline comment starts first). */
static void see_header(struct vnl_job *job, const char *start)
{
	const char *end = start + 1;
	char name[256];

	while (*end && *end != ']' && !(*end == ';' && isspace((unsigned char)end[-1])))
		end++;
	if (*end != ']') {
		add_error(job, job->lineno, "write it as [name]", "section header without a closing ']'");
		job->line_bad = true;
		/* its keys go nowhere, rather than each being "outside any section" */
		struct section *s = new_section(job, "", job->lineno);
		if (s)
			s->ignored = true;
		job->cur = s ? (long)job->nsec - 1 : -1;
		return;
	}
	size_t len = (size_t)(end - start - 1);
	snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1),
		 start + 1);
	job->have_key = false;
	for (size_t i = 0; i < job->nsec; i++)
		if (!strcmp(job->sec[i].name, name) && !job->sec[i].ignored) {
			char hint[96];
			snprintf(hint, sizeof(hint), "merge it with the one on line %u or rename it",
				 job->sec[i].line);
			add_error(job, job->lineno, hint, "section [%s] appears twice", name);
			struct section *s = new_section(job, name, job->lineno);
			if (s)
				s->ignored = true;
			job->cur = s ? (long)job->nsec - 1 : -1;
			return;
		}
	struct section *s = new_section(job, name, job->lineno);
	job->cur = s ? (long)job->nsec - 1 : -1;
	if (s && !name_ok(name)) {
		add_error(job, job->lineno,
			  "use up to 48 letters, digits, '_', '.' or '-' (it names the case's results)",
			  "section name '%s' is not usable as a case name", name);
		s->ignored = true;
	}
}

/* What inih will make of the line in BUF: note what it does not tell us. */
static void see_line(struct vnl_job *job, char *buf)
{
	const char *start = buf;

	if (job->lineno == 1 && !strncmp(start, "\xEF\xBB\xBF", 3))
		start += 3;
	const char *s = skip_blank(start);
	if (!*s || *s == ';' || *s == '#')
		return;
	job->have_content = true;
	if (*s == '[') {
		see_header(job, s);
		return;
	}
	if (s > start && job->have_key) {
		add_error(job, job->lineno, "put each value on one line, without indentation",
			  "indented line continues the value above");
		job->line_bad = true;
		return;
	}
	const char *p = s;
	while (*p && *p != '=' && *p != ':' && !(*p == ';' && p > s && isspace((unsigned char)p[-1])))
		p++;
	if (*p != '=' && *p != ':') {
		int shown = (int)strcspn(s, "\r\n");
		add_error(job, job->lineno, "write key = value, or [name] to start a case",
			  "cannot read '%.*s'", shown < 40 ? shown : 40, s);
		job->line_bad = true;
		return;
	}
	job->have_key = true;
}

/* An fgets() over the text that counts lines and lets see_line() look first. */
static char *read_line(char *str, int num, void *stream)
{
	struct vnl_job *job = stream;

	if (job->p >= job->end || num < 4)
		return NULL;
	const char *nl = memchr(job->p, '\n', (size_t)(job->end - job->p));
	size_t len = nl ? (size_t)(nl - job->p) + 1 : (size_t)(job->end - job->p);
	/* The limit counts what is on the line, not its line ending (as the man page
	 * does); room is left in STR for "\r\n" and the NUL. */
	size_t chars = len - (nl ? 1 : 0);
	if (chars && job->p[chars - 1] == '\r')
		chars--;
	const size_t limit = (size_t)num - 4;
	job->lineno++;
	job->line_bad = false;
	if (memchr(job->p, '\0', len)) {
		add_error(job, job->lineno, "job files are text", "line contains a NUL byte");
		job->line_bad = true;
		strcpy(str, "\n");
	} else if (chars > limit) {
		add_error(job, job->lineno, "split the value or shorten it",
			  "line is longer than %zu characters (%zu)", limit, chars);
		job->line_bad = true;
		strcpy(str, "\n");
	} else {
		memcpy(str, job->p, len);
		str[len] = '\0';
		see_line(job, str);
	}
	job->p += len;
	return str;
}

static int find_key(const char *name)
{
	for (int k = 0; k < VNL_JK_NKEYS; k++)
		if (!strcmp(name, key_names[k]))
			return k;
	return -1;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct vnl_job *job = user;
	unsigned line = job->lineno;

	(void)section; /* ours (job->cur) is exact where inih's is cut at 50 bytes */
	if (job->line_bad || job->oom)
		return 1;
	if (job->cur < 0) {
		add_error(job, line, "put it under [global] or under a case's [name]",
			  "'%s' is outside any section", name);
		return 1;
	}
	struct section *sec = &job->sec[job->cur];
	int k = find_key(name);
	if (k < 0) {
		char hint[96];
		const char *near = closest(name, key_names, VNL_JK_NKEYS);
		if (near)
			snprintf(hint, sizeof(hint), "did you mean '%s'?", near);
		else
			snprintf(hint, sizeof(hint), "see vnetlat-study(5) for the keys");
		add_error(job, line, hint, "unknown key '%s'", name);
		return 1;
	}
	if (sec->ignored)
		return 1;
	struct entry *e = &sec->e[k];
	if (e->line) {
		char hint[64];
		snprintf(hint, sizeof(hint), "keep one of them (the other is on line %u)", e->line);
		add_error(job, line, hint, "'%s' is set twice in [%s]", name, sec->name);
		return 1;
	}
	e->line = line;
	e->text = strdup(value);
	if (!e->text)
		job->oom = true;
	return 1;
}

/* ---- values: split matrix lists, parse each item ---- */

static char *trim(char *s)
{
	s = (char *)skip_blank(s);
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

static void parse_entry(struct vnl_job *job, enum vnl_job_key k, struct entry *e)
{
	char *copy = strdup(e->text), *save = NULL;
	struct perr pe;

	if (!copy || !(e->items = calloc(MAX_ITEMS, sizeof(*e->items)))) {
		free(copy);
		job->oom = true;
		return;
	}
	/* a CPU list's commas are its own ("pin_vcpu = 1,0"): one value, never a matrix */
	bool cpulist = k == VNL_JK_PIN_VCPU || k == VNL_JK_EMULATOR_CPUS || k == VNL_JK_IRQ_CPUS ||
		       k == VNL_JK_PMD_CPUS;
	if (strchr(copy, ',') && !key_is_matrix(k) && !cpulist) {
		add_error(job, e->line,
			  "only topology, transport, direction, interval, size and load expand into cases",
			  "'%s' takes one value", key_names[k]);
		e->bad = true;
	}
	/* strsep keeps empty items, so "a,,b" and "a," are reported */
	for (char *tok = copy; !e->bad && (save = strsep(&tok, cpulist ? "" : ",")) != NULL;) {
		char *t = trim(save);
		if (!*t) {
			add_error(job, e->line, "remove the extra comma or write the value",
				  "'%s' has an empty value", key_names[k]);
			e->bad = true;
			break;
		}
		if (e->nitems == MAX_ITEMS) {
			add_error(job, e->line, "split the matrix over several sections",
				  "'%s' has more than %d values", key_names[k], MAX_ITEMS);
			e->bad = true;
			break;
		}
		for (unsigned i = 0; i < e->nitems; i++)
			if (!strcmp(e->items[i].text, t)) {
				add_error(job, e->line, "list each value once", "'%s' lists '%s' twice",
					  key_names[k], t);
				e->bad = true;
			}
		if (e->bad)
			break;
		struct item *it = &e->items[e->nitems];
		if (parse_value(k, t, &it->v, &pe) != 0) {
			add_error(job, e->line, pe.hint, "%s: %s", key_names[k], pe.msg);
			e->bad = true;
			break;
		}
		if (!(it->text = strdup(t))) {
			job->oom = true;
			break;
		}
		e->nitems++;
	}
	free(copy);
}

static void parse_section(struct vnl_job *job, struct section *s)
{
	for (int k = 0; k < VNL_JK_NKEYS; k++)
		if (s->e[k].line)
			parse_entry(job, (enum vnl_job_key)k, &s->e[k]);
	struct entry *count = &s->e[VNL_JK_COUNT], *dur = &s->e[VNL_JK_DURATION];
	if (count->line && dur->line) {
		struct entry *later = count->line > dur->line ? count : dur;
		add_error(job, later->line, "keep one: count packets, or a duration",
			  "[%s] sets both count (line %u) and duration (line %u)", s->name, count->line,
			  dur->line);
		later->bad = true;
	}
}

/* ---- cases: merge with [global], expand, check ---- */

static const struct entry *effective(const struct section *glob, const struct section *s,
				     enum vnl_job_key k)
{
	if (s->e[k].line)
		return &s->e[k];
	if (glob && glob->e[k].line)
		return &glob->e[k];
	return NULL;
}

static void case_defaults(struct vnl_job_case *c)
{
	memset(c, 0, sizeof(*c));
	c->vhost = VNL_SWITCH_AUTO;
	c->accel = VNL_ACCEL_AUTO;
	c->guest_cpus = 1;
	c->guest_mem_mib = 256;
	c->cpu = -1;
	c->remote_cpu = -1;
	c->interval_ns = 1000000;
	c->size = 128;
	c->duration_ns = DEFAULT_DURATION_NS;
	c->priority = -1;
	c->load_rate_bps = 0;
	c->repeat = 1;
	c->reference = -1;
}

static void apply(struct vnl_job_case *c, enum vnl_job_key k, const struct val *v)
{
	switch (k) {
	case VNL_JK_TOPOLOGY:   c->topology = (enum vnl_job_topology)v->n; break;
	case VNL_JK_TRANSPORT:  c->transport = (enum vnl_job_transport)v->n; break;
	case VNL_JK_DIRECTION:  c->direction = (enum vnl_job_direction)v->n; break;
	case VNL_JK_INTERVAL:   c->interval_ns = v->n; break;
	case VNL_JK_SIZE:       c->size = (unsigned)v->n; break;
	case VNL_JK_LOAD:
		c->load = (enum vnl_load_proto)v->n;
		c->load_streams = (unsigned)v->n2;
		break;
	case VNL_JK_VHOST:      c->vhost = (enum vnl_job_switch)v->n; break;
	case VNL_JK_ACCEL:      c->accel = (enum vnl_job_accel)v->n; break;
	case VNL_JK_GUEST_CPUS: c->guest_cpus = (unsigned)v->n; break;
	case VNL_JK_GUEST_MEM:  c->guest_mem_mib = (uint64_t)v->n; break;
	case VNL_JK_PIN_VCPU:   snprintf(c->pin_vcpu, sizeof(c->pin_vcpu), "%.63s", v->s); break;
	case VNL_JK_EMULATOR_CPUS: snprintf(c->emulator_cpus, sizeof(c->emulator_cpus), "%.63s", v->s); break;
	case VNL_JK_IRQ_CPUS:   snprintf(c->irq_cpus, sizeof(c->irq_cpus), "%.63s", v->s); break;
	case VNL_JK_PMD_CPUS:   snprintf(c->pmd_cpus, sizeof(c->pmd_cpus), "%.63s", v->s); break;
	case VNL_JK_VHOST_FIFO: c->vhost_fifo = v->n < 0 ? 0 : (int)v->n; break;
	case VNL_JK_VLAN:       c->vlan = v->n < 0 ? 0 : (unsigned)v->n; break;
	case VNL_JK_QBV:        snprintf(c->qbv, sizeof(c->qbv), "%.63s", v->s); break;
	case VNL_JK_UPLINK:     snprintf(c->uplink, sizeof(c->uplink), "%.15s", v->s); break;
	case VNL_JK_PCI_DEVICE: snprintf(c->pci_device, sizeof(c->pci_device), "%.15s", v->s); break;
	case VNL_JK_REMOTE_NETNS:
		snprintf(c->remote_netns, sizeof(c->remote_netns), "%.31s", v->s);
		break;
	case VNL_JK_REMOTE_ADDR:
		snprintf(c->remote_addr, sizeof(c->remote_addr), "%.47s", v->s);
		break;
	case VNL_JK_COUNT:      c->count = (uint64_t)v->n; break;
	case VNL_JK_DURATION:   c->duration_ns = v->n; break;
	case VNL_JK_PRIORITY:   c->priority = (int)v->n; break;
	case VNL_JK_DEADLINE:   c->deadline_ns = v->n; break;
	case VNL_JK_SCHED_FIFO: c->sched_fifo = v->n < 0 ? 0 : (int)v->n; break;
	case VNL_JK_CPU:        c->cpu = (int)v->n; break;
	case VNL_JK_REMOTE_CPU: c->remote_cpu = (int)v->n; break;
	case VNL_JK_TRACE:      c->trace = v->n == 1; break;
	case VNL_JK_LOAD_RATE:  c->load_rate_bps = (uint64_t)v->n; break;
	case VNL_JK_WARMUP:     c->warmup_ns = v->n; break;
	case VNL_JK_REPEAT:     c->repeat = (unsigned)v->n; break;
	case VNL_JK_WINDOW:
		c->has_window = true;
		c->window_from_ns = v->n;
		c->window_to_ns = v->n2;
		break;
	case VNL_JK_REFERENCE:  break; /* resolved once every case exists */
	case VNL_JK_NKEYS:      break;
	}
}

/* The largest probe that fits one frame on the lab's 1500-byte links. */
static unsigned max_size(enum vnl_job_transport t)
{
	switch (t) {
	case VNL_JOB_UDP4: return MTU - 20 - 8;
	case VNL_JOB_UDP6: return MTU - 40 - 8;
	case VNL_JOB_L2:
	case VNL_JOB_XDP:  return MTU;
	}
	return MTU;
}

/*
 * remote_netns/remote_addr: only where the remote end is on the user's
 * network (uplink, passthrough); an uplink needs them (a passthrough case
 * without them is skipped by the study, as it was before they existed).
 */
static void check_remote(struct vnl_job *job, struct vnl_job_case *c, unsigned *ln, bool matrix)
{
	bool users_net = c->uplink[0] || c->topology == VNL_TOPO_PASSTHROUGH;
	bool given = c->remote_netns[0] || c->remote_addr[0];
	if (given && !users_net) {
		if (!matrix)
			add_error(job, ln[c->remote_netns[0] ? VNL_JK_REMOTE_NETNS : VNL_JK_REMOTE_ADDR],
				  "remove it: the lab has a remote end of its own",
				  "case %s: remote_netns/remote_addr are for a lab with uplink = or "
				  "passthrough", c->name);
		c->remote_netns[0] = c->remote_addr[0] = '\0';
		ln[VNL_JK_REMOTE_NETNS] = ln[VNL_JK_REMOTE_ADDR] = 0;
		return;
	}
	if (c->uplink[0] && (!c->remote_netns[0] || !c->remote_addr[0]))
		add_error(job, ln[VNL_JK_UPLINK],
			  "set remote_netns = a namespace of this host on that network, and "
			  "remote_addr = its address there",
			  "case %s: with uplink = the remote end is on your network: vnetlat run "
			  "needs remote_netns and remote_addr", c->name);
	else if (c->topology == VNL_TOPO_PASSTHROUGH && !c->remote_netns[0] != !c->remote_addr[0])
		add_error(job, ln[c->remote_netns[0] ? VNL_JK_REMOTE_NETNS : VNL_JK_REMOTE_ADDR],
			  "give both remote_netns and remote_addr", "case %s: remote_netns and "
			  "remote_addr go together", c->name);
}

/*
 * Options that do not apply to a case's topology: an error when the topology
 * is the section's only one; in a topology matrix they apply to the cases
 * they fit and are dropped from the others (vnetlat-study(5)).
 */

/* The guest's real-time keys: as lab up takes them (vnetlat-lab(8)). */
static void check_guest_rt(struct vnl_job *job, const struct vnl_job_case *c, const unsigned *ln)
{
	int n = c->pin_vcpu[0] ? vnl_cpulist_count(c->pin_vcpu) : 0;
	if (n > 1 && (unsigned)n != c->guest_cpus)
		add_error(job, ln[VNL_JK_PIN_VCPU], "one CPU for all of qemu's threads, or one per vCPU",
			  "case %s: pin_vcpu %s lists %d CPUs for a guest of %u vCPUs (guest_cpus)",
			  c->name, c->pin_vcpu, n, c->guest_cpus);
	if (c->emulator_cpus[0] && !c->pin_vcpu[0])
		add_error(job, ln[VNL_JK_EMULATOR_CPUS], "add pin_vcpu, or remove emulator_cpus",
			  "case %s: emulator_cpus goes with pin_vcpu (the vCPU threads' CPUs)", c->name);
	if (c->irq_cpus[0] && !c->uplink[0])
		add_error(job, ln[VNL_JK_IRQ_CPUS], "add uplink = NIC, or remove irq_cpus",
			  "case %s: irq_cpus steers the IRQs of a NIC lent with uplink; the lab's own "
			  "wire is a veth without IRQs", c->name);
	if (c->pmd_cpus[0] && c->topology != VNL_TOPO_OVS_AFXDP)
		add_error(job, ln[VNL_JK_PMD_CPUS], "use topology = ovs-afxdp, or remove pmd_cpus",
			  "case %s: pmd_cpus places the PMD threads of ovs-afxdp's DPDK switch; "
			  "topology %s has none", c->name, topo_names[c->topology]);
}

static void check_topology_options(struct vnl_job *job, struct vnl_job_case *c, bool matrix)
{
	unsigned *ln = c->line;
	const char *topo = topo_names[c->topology];
	static const enum vnl_job_key guest_keys[] = { VNL_JK_VHOST, VNL_JK_ACCEL, VNL_JK_GUEST_CPUS,
						       VNL_JK_GUEST_MEM, VNL_JK_PIN_VCPU,
						       VNL_JK_EMULATOR_CPUS, VNL_JK_VHOST_FIFO, VNL_JK_VLAN };

	if (c->topology == VNL_TOPO_VETH)
		for (size_t i = 0; i < sizeof(guest_keys) / sizeof(guest_keys[0]); i++)
			if (ln[guest_keys[i]] && !matrix)
				add_error(job, ln[guest_keys[i]], "remove it, or use a guest topology",
					  "case %s: %s is a guest option and topology veth has no guest",
					  c->name, key_names[guest_keys[i]]);
	if (ln[VNL_JK_VHOST] && (c->topology == VNL_TOPO_PASSTHROUGH || c->topology == VNL_TOPO_OVS_AFXDP)) {
		if (!matrix)
			add_error(job, ln[VNL_JK_VHOST], "remove vhost for this topology",
				  "case %s: vhost (vhost-net) does not apply to %s, which %s", c->name, topo,
				  c->topology == VNL_TOPO_PASSTHROUGH ? "gives the guest the device itself"
								      : "uses vhost-user");
		c->vhost = VNL_SWITCH_AUTO;
		ln[VNL_JK_VHOST] = 0;
	}
	if (c->topology == VNL_TOPO_PASSTHROUGH && !c->pci_device[0])
		add_error(job, ln[VNL_JK_TOPOLOGY], "set pci_device = the NIC (or VF) to give the guest",
			  "case %s: passthrough needs a pci_device", c->name);
	if (c->topology != VNL_TOPO_PASSTHROUGH && c->pci_device[0]) {
		if (!matrix)
			add_error(job, ln[VNL_JK_PCI_DEVICE], "remove it, or use topology passthrough",
				  "case %s: pci_device is for passthrough only, not %s", c->name, topo);
		c->pci_device[0] = '\0';
		ln[VNL_JK_PCI_DEVICE] = 0;
	}
	if (c->uplink[0] && (c->topology == VNL_TOPO_VETH || c->topology == VNL_TOPO_PASSTHROUGH)) {
		if (!matrix)
			add_error(job, ln[VNL_JK_UPLINK], "remove it",
				  "case %s: topology %s has no host uplink port", c->name, topo);
		c->uplink[0] = '\0';
		ln[VNL_JK_UPLINK] = 0;
	}
	check_remote(job, c, ln, matrix);
	if (c->vlan && c->topology == VNL_TOPO_PASSTHROUGH) {
		if (!matrix)
			add_error(job, ln[VNL_JK_VLAN], "remove vlan for passthrough",
				  "case %s: with passthrough the host never sees the stream, so it cannot "
				  "tag it", c->name);
		c->vlan = 0;
		ln[VNL_JK_VLAN] = 0;
	}
	bool qbv_lab = c->topology == VNL_TOPO_BRIDGE || c->topology == VNL_TOPO_OVS ||
		       c->topology == VNL_TOPO_XDP;
	if (c->qbv[0] && !qbv_lab) {
		/* a topology list's other members simply have no window */
		if (!matrix)
			add_error(job, ln[VNL_JK_QBV], "use topology bridge, ovs or xdp, or remove qbv",
				  "case %s: qbv puts taprio on the guest's eth0 of a bridge, ovs or xdp "
				  "lab; topology %s has no such window", c->name, topo_names[c->topology]);
		c->qbv[0] = '\0';
	}
	if (c->qbv[0] && c->priority >= 0 && c->priority != VNL_QBV_PRIORITY)
		add_error(job, ln[VNL_JK_PRIORITY], "set priority = 3, or remove qbv",
			  "case %s: priority %d: qbv's window is for the stream's priority %d (its "
			  "traffic class 0); priority %d would go to the rest of the cycle", c->name,
			  c->priority, VNL_QBV_PRIORITY, c->priority);
	check_guest_rt(job, c, ln);
	/* In a guest the local end's CPU is the guest's: one it has, or the run is refused. */
	if (c->topology != VNL_TOPO_VETH && c->cpu >= 0 && (unsigned)c->cpu >= c->guest_cpus)
		add_error(job, ln[VNL_JK_CPU], "give a CPU below guest_cpus, or raise guest_cpus",
			  "case %s: cpu %d: the guest has CPUs 0..%u (guest_cpus = %u)", c->name,
			  c->cpu, c->guest_cpus - 1, c->guest_cpus);
}

/* Rules between settings (vnetlat-study(5), "Impossible combinations"). */
static void check_case(struct vnl_job *job, struct vnl_job_case *c, bool topo_matrix)
{
	const unsigned *ln = c->line;

	check_topology_options(job, c, topo_matrix);
	if (c->size > max_size(c->transport)) {
		char hint[96];
		snprintf(hint, sizeof(hint), "use size <= %u with %s", max_size(c->transport),
			 transport_names[c->transport]);
		add_error(job, ln[VNL_JK_SIZE] ? ln[VNL_JK_SIZE] : ln[VNL_JK_TRANSPORT], hint,
			  "case %s: a %u-byte probe does not fit one %d-byte frame", c->name, c->size, MTU);
	}
	if (c->count && c->duration_ns > MAX_RUN_NS)
		add_error(job, ln[VNL_JK_COUNT], "use fewer packets or a shorter interval",
			  "case %s: count x interval is longer than 24h", c->name);
	if (c->has_window) {
		char a[24], b[24];
		if (c->window_to_ns < 0)
			c->window_to_ns = c->duration_ns; /* "FROM..": to the end */
		if (c->window_from_ns >= c->duration_ns || c->window_to_ns > c->duration_ns)
			add_error(job, ln[VNL_JK_WINDOW], "choose a window inside the run, or run longer",
				  "case %s: the window reaches %s but the run measures for %s", c->name,
				  vnl_fmt_ns(c->window_from_ns >= c->duration_ns ? c->window_from_ns
										: c->window_to_ns, a, sizeof(a)),
				  vnl_fmt_ns(c->duration_ns, b, sizeof(b)));
	}
}

/* The case name: the section, then the values of every key with more than one. */
static char *case_name(const struct section *s, const struct entry *const *m, const unsigned *pick)
{
	char buf[1024];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "%s", s->name);
	char sep = '/';

	for (int k = 0; k <= VNL_JK_LOAD; k++) {
		if (!m[k] || m[k]->nitems < 2 || off >= sizeof(buf))
			continue;
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%c%s=%s", sep, key_names[k],
					m[k]->items[pick[k]].text);
		sep = ',';
	}
	return off < sizeof(buf) ? strdup(buf) : NULL;
}

static bool add_case(struct vnl_job *job, struct vnl_job_case *c)
{
	if (job->ncases == VNL_JOB_MAX_CASES)
		return false;
	if (job->ncases % 64 == 0) {
		struct vnl_job_case *n = realloc(job->cases, (job->ncases + 64) * sizeof(*n));
		if (!n) {
			job->oom = true;
			return false;
		}
		job->cases = n;
	}
	job->cases[job->ncases++] = *c;
	return true;
}

static void expand_section(struct vnl_job *job, const struct section *glob, const struct section *s)
{
	const struct entry *eff[VNL_JK_NKEYS];
	unsigned pick[VNL_JK_NKEYS] = { 0 };
	uint64_t total = 1;

	for (int k = 0; k < VNL_JK_NKEYS; k++) {
		eff[k] = effective(glob, s, (enum vnl_job_key)k);
		if (eff[k] && eff[k]->bad)
			return; /* reported already; a case built without it would only mislead */
		if (eff[k])
			total *= eff[k]->nitems;
		if (total > VNL_JOB_MAX_CASES)
			break;
	}
	if (!eff[VNL_JK_TOPOLOGY]) {
		add_error(job, s->line, "set topology = veth, bridge, macvtap, xdp, ovs, ovs-afxdp or "
			  "passthrough here or in [global]", "case [%s] has no topology", s->name);
		return;
	}
	if (total + job->ncases > VNL_JOB_MAX_CASES) {
		add_error(job, s->line, "split the study into several job files",
			  "[%s] expands the study beyond %d cases", s->name, VNL_JOB_MAX_CASES);
		return;
	}
	/* count and duration are one setting: the case's own wins over [global]'s */
	if (s->e[VNL_JK_COUNT].line || s->e[VNL_JK_DURATION].line) {
		if (!s->e[VNL_JK_COUNT].line)
			eff[VNL_JK_COUNT] = NULL;
		if (!s->e[VNL_JK_DURATION].line)
			eff[VNL_JK_DURATION] = NULL;
	}
	const struct entry *rate = eff[VNL_JK_LOAD_RATE], *load = eff[VNL_JK_LOAD];
	bool any_load = false;
	for (unsigned i = 0; load && i < load->nitems; i++)
		any_load |= load->items[i].v.n != VNL_LOAD_NONE;
	if (rate && !any_load)
		add_error(job, rate->line, "remove load_rate, or set load = udpN or tcpN",
			  "[%s] sets load_rate but has no load", s->name);

	for (uint64_t n = 0; n < total; n++) {
		struct vnl_job_case c;
		case_defaults(&c);
		snprintf(c.section, sizeof(c.section), "%s", s->name);
		c.section_line = s->line;
		for (int k = 0; k < VNL_JK_NKEYS; k++) {
			if (!eff[k])
				continue;
			apply(&c, (enum vnl_job_key)k, &eff[k]->items[pick[k]].v);
			c.line[k] = eff[k]->line;
		}
		if (c.count)
			c.duration_ns = c.count > (uint64_t)(INT64_MAX / c.interval_ns)
				? INT64_MAX : (int64_t)c.count * c.interval_ns;
		c.name = case_name(s, eff, pick);
		if (!c.name || !add_case(job, &c)) {
			free(c.name);
			job->oom = true;
			return;
		}
		check_case(job, &job->cases[job->ncases - 1], eff[VNL_JK_TOPOLOGY]->nitems > 1);
		/* odometer over the matrix keys, the last one fastest */
		for (int k = VNL_JK_LOAD; k >= 0; k--) {
			if (!eff[k] || eff[k]->nitems < 2)
				continue;
			if (++pick[k] < eff[k]->nitems)
				break;
			pick[k] = 0;
		}
	}
}

static bool same_matrix_value(const struct vnl_job_case *a, const struct vnl_job_case *b, int k)
{
	switch (k) {
	case VNL_JK_TOPOLOGY:  return a->topology == b->topology;
	case VNL_JK_TRANSPORT: return a->transport == b->transport;
	case VNL_JK_DIRECTION: return a->direction == b->direction;
	case VNL_JK_INTERVAL:  return a->interval_ns == b->interval_ns;
	case VNL_JK_SIZE:      return a->size == b->size;
	case VNL_JK_LOAD:      return a->load == b->load && a->load_streams == b->load_streams;
	}
	return true;
}

/*
 * A reference names a case, or a section: then the case of that section with
 * the same values on the keys its matrix varies (bridge/load=udp3 is compared
 * with passthrough/load=udp3).
 */
static void resolve_reference(struct vnl_job *job, const struct section *glob, size_t ci)
{
	struct vnl_job_case *c = &job->cases[ci];
	const struct section *own = NULL;

	for (size_t i = 0; i < job->nsec && !own; i++)
		if (!strcmp(job->sec[i].name, c->section) && !job->sec[i].ignored)
			own = &job->sec[i];
	const struct entry *e = own ? effective(glob, own, VNL_JK_REFERENCE) : NULL;
	if (!e)
		return;
	const char *ref = e->items[0].v.s;
	for (size_t i = 0; i < job->ncases; i++)
		if (!strcmp(job->cases[i].name, ref)) {
			c->reference = i == ci ? -1 : (long)i;
			return;
		}
	const struct section *rs = NULL;
	for (size_t i = 0; i < job->nsec && !rs; i++)
		if (!job->sec[i].global && !job->sec[i].ignored && !strcmp(job->sec[i].name, ref))
			rs = &job->sec[i];
	if (!rs) {
		const char *names[MAX_SECTIONS + 1];
		size_t n = 0;
		for (size_t i = 0; i < job->nsec; i++)
			if (!job->sec[i].global)
				names[n++] = job->sec[i].name;
		names[n] = NULL;
		const char *near = closest(ref, names, n);
		char hint[96];
		snprintf(hint, sizeof(hint), near ? "did you mean '%s'?" : "name one of the case sections",
			 near);
		add_error(job, e->line, hint, "reference '%s' is not a case of this file", ref);
		return;
	}
	if (rs == own)
		return; /* the reference section itself */
	bool any = false;
	for (size_t i = 0; i < job->ncases; i++) {
		const struct vnl_job_case *r = &job->cases[i];
		if (strcmp(r->section, rs->name))
			continue;
		any = true;
		bool same = true;
		for (int k = 0; k <= VNL_JK_LOAD && same; k++) {
			const struct entry *m = effective(glob, rs, (enum vnl_job_key)k);
			if (m && m->nitems > 1)
				same = same_matrix_value(c, r, k);
		}
		if (same) {
			c->reference = (long)i;
			return;
		}
	}
	if (!any)
		return; /* the reference section has errors of its own, reported already */
	add_error(job, e->line, "give the reference section the same matrix values",
		  "case %s has no counterpart in [%s] to compare with", c->name, ref);
}

static void build_cases(struct vnl_job *job)
{
	const struct section *glob = NULL;
	size_t ncase_sections = 0;

	for (size_t i = 0; i < job->nsec; i++)
		if (job->sec[i].global && !job->sec[i].ignored)
			glob = &job->sec[i];
	for (size_t i = 0; i < job->nsec; i++)
		if (!job->sec[i].ignored)
			parse_section(job, &job->sec[i]);
	for (size_t i = 0; i < job->nsec && !job->oom; i++) {
		if (job->sec[i].global || job->sec[i].ignored)
			continue;
		ncase_sections++;
		expand_section(job, glob, &job->sec[i]);
	}
	if (!ncase_sections && !job->nerr)
		add_error(job, job->nsec ? job->sec[0].line : 1,
			  "add a [name] section per case after [global]", "the job file has no cases");
	for (size_t i = 0; i < job->ncases && !job->oom; i++)
		resolve_reference(job, glob, i);
}

/* ---- the whole file ---- */

/* Errors in line order; insertion sort keeps the order of discovery on one line. */
static void sort_errors(struct vnl_job *job)
{
	for (size_t i = 1; i < job->nerr; i++) {
		struct vnl_job_error e = job->err[i];
		size_t j = i;
		for (; j > 0 && job->err[j - 1].line > e.line; j--)
			job->err[j] = job->err[j - 1];
		job->err[j] = e;
	}
}

static void free_cases(struct vnl_job *job)
{
	for (size_t i = 0; i < job->ncases; i++)
		free(job->cases[i].name);
	free(job->cases);
	job->cases = NULL;
	job->ncases = 0;
}

struct vnl_job *vnl_job_parse(const char *name, const char *text, size_t len)
{
	struct vnl_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->file = strdup(name);
	if (!job->file) {
		free(job);
		return NULL;
	}
	job->p = text;
	job->end = text + len;
	job->cur = -1;
	int rc = ini_parse_stream(read_line, job, on_value, job);
	if (rc > 0) {
		bool known = false;
		for (size_t i = 0; i < job->nerr; i++)
			known |= job->err[i].line == (unsigned)rc;
		if (!known)
			add_error(job, (unsigned)rc, "see vnetlat-study(5)", "syntax error");
	} else if (rc == -2) {
		job->oom = true;
	}
	if (!job->have_content && !job->nerr)
		add_error(job, 0, "see vnetlat-study(5) for an example", "the job file is empty");
	else if (!job->oom)
		build_cases(job);
	if (job->oom) {
		vnl_job_free(job);
		return NULL;
	}
	sort_errors(job);
	if (job->nerr)
		free_cases(job);
	return job;
}

struct vnl_job *vnl_job_load(const char *path)
{
	char why[PATH_MAX + 200];
	size_t len = 0;
	char *text = vnl_file_read_input(path, "job file", VNL_JOB_MAX_BYTES, &len, why, sizeof(why));
	if (!text) {
		struct vnl_job *job = calloc(1, sizeof(*job));
		if (job && !(job->file = strdup(path))) {
			free(job);
			return NULL;
		}
		/* the message names the path; errors are printed after it already */
		char prefix[PATH_MAX + 40];
		snprintf(prefix, sizeof(prefix), "cannot read the job file '%s': ", path);
		size_t n = strlen(prefix);
		if (job)
			add_error(job, 0, NULL, "%s%s", strncmp(why, prefix, n) ? "" : "cannot read the job file: ",
				  strncmp(why, prefix, n) ? why : why + n);
		return job;
	}
	struct vnl_job *job = vnl_job_parse(path, text, len);
	free(text);
	return job;
}

void vnl_job_free(struct vnl_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->nsec; i++)
		for (int k = 0; k < VNL_JK_NKEYS; k++) {
			struct entry *e = &job->sec[i].e[k];
			for (unsigned j = 0; e->items && j < e->nitems; j++)
				free(e->items[j].text);
			free(e->items);
			free(e->text);
		}
	free(job->sec);
	for (size_t i = 0; i < job->nerr; i++) {
		free(job->err[i].message);
		free(job->err[i].suggestion);
	}
	free(job->err);
	free_cases(job);
	free(job->file);
	free(job);
}

size_t vnl_job_error_count(const struct vnl_job *job)
{
	return job->nerr;
}

const struct vnl_job_error *vnl_job_error(const struct vnl_job *job, size_t i)
{
	return i < job->nerr ? &job->err[i] : NULL;
}

void vnl_job_print_errors(const struct vnl_job *job, FILE *out)
{
	for (size_t i = 0; i < job->nerr; i++) {
		const struct vnl_job_error *e = &job->err[i];
		if (e->line)
			fprintf(out, "%s:%u: ", job->file, e->line);
		else
			fprintf(out, "%s: ", job->file); /* about the whole file */
		fprintf(out, "%s%s%s\n", e->message, e->suggestion ? "; " : "",
			e->suggestion ? e->suggestion : "");
	}
}

size_t vnl_job_case_count(const struct vnl_job *job)
{
	return job->ncases;
}

const struct vnl_job_case *vnl_job_case(const struct vnl_job *job, size_t i)
{
	return i < job->ncases ? &job->cases[i] : NULL;
}
