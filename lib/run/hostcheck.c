/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hostcheck.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "child.h"
#include "clockhost.h"
#include "log.h"
#include "output.h"
#include "ptpclock.h"
#include "runcmd.h"
#include "timeutil.h"

#define STATUS_MAX (64 * 1024)

void vnl_hostcheck_local_ifname(const char *addr, char *buf, size_t len)
{
	unsigned char want[sizeof(struct in6_addr)];
	bool v6 = strchr(addr, ':') != NULL;
	struct ifaddrs *all, *i;
	buf[0] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, want) != 1 || getifaddrs(&all))
		return;
	for (i = all; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != (v6 ? AF_INET6 : AF_INET))
			continue;
		const void *a = v6 ? (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr
				   : (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (!memcmp(a, want, v6 ? 16 : 4)) {
			vnl_pathf(buf, len, "%s", i->ifa_name);
			break;
		}
	}
	freeifaddrs(all);
}

/* This host's `vnetlat clock status --json [--interface IF]`: new reference, or NULL. */
/* `clock status --json --uds UDS [--interface IF]` into ARGV. */
static void status_argv(const char **argv, const char *uds, const char *ifname)
{
	int n = 0;
	argv[n++] = "vnetlat";
	argv[n++] = "clock";
	argv[n++] = "status";
	argv[n++] = "--json";
	argv[n++] = "--uds";
	argv[n++] = uds ? uds : VNL_PTP4L_DEFAULT_UDS;
	if (*ifname) {
		argv[n++] = "--interface";
		argv[n++] = ifname;
	}
	argv[n] = NULL;
}

static json_t *local_status(const char *self, const char *uds, const char *ifname)
{
	const char *argv[10];
	status_argv(argv, uds, ifname);
	struct vnl_child_opts o = { .exe = self, .out = { .how = VNL_CHILD_CAPTURE },
				    .err = { .how = VNL_CHILD_INHERIT }, .capture_max = STATUS_MAX };
	struct vnl_child *c;
	if (vnl_child_spawn(&c, argv, &o))
		return NULL;
	vnl_child_wait(c, 30 * VNL_NSEC_PER_SEC);
	json_t *doc = NULL;
	if (vnl_child_status(c) == 0)
		doc = json_loads(vnl_child_output(c, NULL), 0, NULL);
	if (vnl_child_status(c) < 0)
		vnl_child_stop(c, SIGTERM, VNL_NSEC_PER_SEC);
	vnl_child_free(c);
	return doc;
}

static json_t *remote_status(struct vnl_remotehost *h, const char *uds, const char *ifname)
{
	static char out[STATUS_MAX];
	const char *argv[10];
	status_argv(argv, uds, ifname);
	if (vnl_remotehost_vnetlat(h, argv, out, sizeof(out)))
		return NULL;
	return json_loads(out, 0, NULL);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : NULL;
}

/*
 * What the two hosts' ptp4l mean for the clock (core/ptpclock.h, as run's
 * method ptp relates them): usable, with the offset and bound it gives, or why not.
 */
static json_t *ptp_verdict(json_t *local, json_t *remote)
{
	struct vnl_ptp_host l, r;
	struct vnl_ptp_relation rel;
	vnl_ptp_host_from_status(local, &l);
	vnl_ptp_host_from_status(remote, &r);
	vnl_ptp_relate(&l, &r, &rel);
	bool both = l.present && r.present;
	return json_pack("{s:b, s:o, s:b, s:o, s:o, s:s}", "both", both, "same_grandmaster",
			 both ? json_boolean(l.grandmaster[0] && !strcmp(l.grandmaster, r.grandmaster))
			      : json_null(), "usable", rel.ok,
			 "offset_ns", rel.ok ? json_integer(rel.offset_ns) : json_null(),
			 "uncertainty_ns", rel.ok ? json_integer(rel.uncertainty_ns) : json_null(),
			 "why", rel.why);
}

static void row(const char *what, const char *l, const char *r)
{
	printf("  %-13s %-34s %s\n", what, l, r);
}

static void interface_text(json_t *st, char *buf, size_t len)
{
	json_t *i = json_object_get(st, "interface");
	if (!json_is_object(i)) {
		snprintf(buf, len, "none (%s)", str(st, "interface_why") ? str(st, "interface_why") : "?");
		return;
	}
	size_t n = json_array_size(json_object_get(i, "timestamping"));
	bool hw = false;
	for (size_t k = 0; k < n; k++)
		hw = hw || strstr(json_string_value(json_array_get(json_object_get(i, "timestamping"),
								   k)) ?: "", "hardware");
	snprintf(buf, len, "%s: %s stamps", str(i, "name") ? str(i, "name") : "?",
		 hw ? "hardware" : "software");
}

static void ptp_text(json_t *st, char *buf, size_t len)
{
	json_t *p = json_object_get(st, "ptp4l"), *off = json_object_get(p, "offset_from_master_ns");
	if (!json_is_object(p)) {
		snprintf(buf, len, "absent");
		return;
	}
	int n = snprintf(buf, len, "%s, gm %s", str(p, "port_state") ?: "?",
			 str(p, "grandmaster_identity") ?: "?");
	if (json_is_integer(off) && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", offset %" JSON_INTEGER_FORMAT " ns",
			 json_integer_value(off));
}

static void text(const struct vnl_hostcheck_opts *o, struct vnl_remotehost *h, json_t *l,
		 json_t *r, json_t *ptp)
{
	char a[200], b[200];
	printf("==== check: this host (%s) and %s (%s) ====\n", o->local_addr,
	       vnl_remotehost_name(h), o->remote_addr);
	json_t *rh = vnl_remotehost_json(h);
	snprintf(a, sizeof(a), "%s (%s)", str(json_object_get(rh, "vnetlat"), "version") ?: "?",
		 str(json_object_get(rh, "vnetlat"), "how") ?: "?");
	row("", "this host", vnl_remotehost_name(h));
	row("vnetlat", "vnetlat " VNL_VERSION, a);
	json_decref(rh);
	row("kernel", str(l, "kernel") ?: "?", str(r, "kernel") ?: "?");
	row("PREEMPT_RT", json_is_true(json_object_get(l, "preempt_rt")) ? "yes" : "no",
	    json_is_true(json_object_get(r, "preempt_rt")) ? "yes" : "no");
	row("isolcpus", *(str(l, "isolcpus") ?: "") ? str(l, "isolcpus") : "none",
	    *(str(r, "isolcpus") ?: "") ? str(r, "isolcpus") : "none");
	interface_text(l, a, sizeof(a));
	interface_text(r, b, sizeof(b));
	row("interface", a, b);
	row("PHC", json_is_object(json_object_get(l, "phc")) ? "yes" : "none",
	    json_is_object(json_object_get(r, "phc")) ? "yes" : "none");
	ptp_text(l, a, sizeof(a));
	ptp_text(r, b, sizeof(b));
	row("ptp4l", a, b);
	row("phc2sys", json_is_true(json_object_get(json_object_get(l, "phc2sys"), "running")) ?
	    "running" : "not running", json_is_true(json_object_get(json_object_get(r, "phc2sys"),
								     "running")) ? "running" : "not running");
	printf("clock: run --clock auto relates the two clocks by %s; ptp: %s\n",
	       json_is_true(json_object_get(ptp, "usable")) ? "both ptp4l (method ptp)" :
	       "UDP exchanges (method exchanges)", str(ptp, "why"));
}

int vnl_hostcheck(struct vnl_remotehost *h, const struct vnl_hostcheck_opts *o)
{
	char lif[32], rif[32];
	vnl_hostcheck_local_ifname(o->local_addr, lif, sizeof(lif));
	vnl_remotehost_ifname(h, o->remote_addr, rif, sizeof(rif));
	json_t *l = local_status(o->self, o->ptp_uds, lif);
	json_t *r = remote_status(h, o->remote_ptp_uds, rif);
	if (!l || !r) {
		vnl_err("'vnetlat clock status' failed on %s", !l ? "this host" :
			vnl_remotehost_name(h));
		json_decref(l);
		json_decref(r);
		return VNL_EXIT_FAIL;
	}
	json_object_set_new(l, "address", json_string(o->local_addr));
	json_object_set_new(r, "address", json_string(o->remote_addr));
	json_t *ptp = ptp_verdict(l, r);
	if (o->json) {
		json_t *doc = json_pack("{s:{s:s, s:i}, s:O, s:O, s:o, s:{s:s, s:O}}", "vnetlat",
			"version", VNL_VERSION, "schema", 1, "local", l, "remote", r, "remote_host",
			vnl_remotehost_json(h), "clock", "method",
			json_is_true(json_object_get(ptp, "usable")) ? "ptp" : "exchanges", "ptp", ptp);
		vnl_output_json_dump(stdout, doc);
		json_decref(doc);
	} else {
		text(o, h, l, r, ptp);
	}
	json_decref(ptp);
	json_decref(l);
	json_decref(r);
	return VNL_EXIT_OK;
}
