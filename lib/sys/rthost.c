// SPDX-License-Identifier: GPL-2.0-or-later
#include "cpulist.h"
#include "rthost.h"

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
