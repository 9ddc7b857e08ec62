/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topo_qbv.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "log.h"
#include "runcmd.h"

#define NSEC_PER_SEC 1000000000LL
/* The guest's CLOCK_TAI is its UTC plus its own offset (0 until someone sets it), whole
 * seconds from the host's: a base this far back is in its past too, so taprio starts the
 * schedule at once (a base in its future would hold every packet until then). */
#define BASE_BACK_S 1000

void vnl_qbv_base_now(struct vnl_qbv *q)
{
	struct timespec ts;
	clock_gettime(CLOCK_TAI, &ts);
	q->base_time_ns = ((int64_t)ts.tv_sec - BASE_BACK_S) * NSEC_PER_SEC;
}

/* "w1 w2 ..." split at single spaces into ARGV (at most N - 1 words); BUF is cut. */
static void split(char *buf, const char **argv, int n)
{
	int k = 0;
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && k < n - 1;
	     w = strtok_r(NULL, " ", &save))
		argv[k++] = w;
	argv[k] = NULL;
}

/* Run ARGV in the guest: 0 when it exits 0, else -1 with its message. */
static int guest_run(struct vnl_agent *a, const char *const argv[], const char *what, char **out)
{
	struct vnl_agent_result r;
	const char *why = "the agent did not answer";
	if (vnl_agent_run(a, argv, NULL, 20000, &r, &why) < 0) {
		vnl_err("--qbv: cannot run %s in the guest: %s", argv[0],
			errno == EPROTO ? why : strerror(errno));
		return -1;
	}
	int ok = r.exited && r.status == 0;
	if (!ok)
		vnl_err("--qbv: %s in the guest failed (exit %d): %s%s", what, r.status,
			r.err && *r.err ? r.err : "", r.err && *r.err ? "" : "no message; 'vnetlat "
			"guest build --force' rebuilds an image from before tc and ethtool");
	if (ok && out) {
		*out = r.out;
		r.out = NULL;
	}
	vnl_agent_result_free(&r);
	return ok ? 0 : -1;
}

int vnl_qbv_guest(struct vnl_agent *a, const struct vnl_qbv *q)
{
	char cmd[1024], n[8];
	const char *argv[64];
	snprintf(n, sizeof(n), "%d", VNL_QBV_QUEUES);
	/* virtio-net starts with one queue pair per vCPU: ask for one per traffic class */
	const char *const ethtool[] = { "ethtool", "-L", "eth0", "combined", n, NULL };
	if (guest_run(a, ethtool, "ethtool -L eth0 combined 2 (a TX queue per traffic class)", NULL))
		return -1;
	if (vnl_qbv_tc_command(q, "eth0", cmd, sizeof(cmd))) {
		vnl_err("--qbv: the tc command is too long");
		return -1;
	}
	split(cmd, argv, 64);
	if (guest_run(a, argv, "tc qdisc replace ... taprio on eth0", NULL))
		return -1;
	const char *const show[] = { "tc", "qdisc", "show", "dev", "eth0", NULL };
	char *out = NULL;
	if (guest_run(a, show, "tc qdisc show dev eth0", &out))
		return -1;
	int there = out && strstr(out, "qdisc taprio 100: root");
	if (!there)
		vnl_err("--qbv: tc set taprio on the guest's eth0 but shows none there:\n%s",
			out ? out : "");
	free(out);
	return there ? 0 : -1;
}

int vnl_qbv_remote(const struct vnl_qbv *q, const char *ns, const char *ifname, char *why,
		   size_t len)
{
	char cmd[1024], out[1024];
	const char *argv[72] = { "ip", "netns", "exec", ns };
	if (vnl_qbv_tc_command(q, ifname, cmd, sizeof(cmd)))
		return -1;
	split(cmd, argv + 4, 68);
	int rc = vnl_runcmd(argv, NULL, out, sizeof(out));
	if (rc == 0) {
		/* a kernel with taprio and a multi-queue wire: not accounted for yet, so undone */
		const char *const del[] = { "ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev",
					    ifname, "root", NULL };
		vnl_runcmd(del, NULL, out, sizeof(out));
		vnl_pathf(why, len, "taprio works on %s %s, but vnetlat measures Qbv in the guest -> "
			  "remote direction only", ns, ifname);
	} else {
		char *nl = strchr(out, '\n');
		if (nl)
			*nl = 0;
		vnl_pathf(why, len, "this host's kernel refused taprio on %s %s (%s: %s); it needs "
			  "sch_taprio (CONFIG_NET_SCH_TAPRIO) and a multi-queue interface", ns, ifname,
			  rc == 127 ? "no tc" : "tc", out);
	}
	vnl_notice("--qbv: remote -> guest has no Qbv window: %s", why);
	return 1;
}

void vnl_qbv_print(const struct vnl_qbv *q, const char *lab, const char *ns, const char *ifname)
{
	char cmd[1024];
	printf("# --qbv: in the guest (guest -> remote), through its agent, taprio software mode:\n"
	       "vnetlat guest exec --name %s -- ethtool -L eth0 combined %d\n", lab, VNL_QBV_QUEUES);
	if (!vnl_qbv_tc_command(q, "eth0", cmd, sizeof(cmd)))
		printf("vnetlat guest exec --name %s -- %s\n", lab, cmd);
	if (!vnl_qbv_tc_command(q, ifname, cmd, sizeof(cmd)))
		printf("# remote -> guest (needs sch_taprio in this host's kernel and a multi-queue "
		       "%s; vnetlat does not set it):\n# ip netns exec %s %s\n", ifname, ns, cmd);
}
