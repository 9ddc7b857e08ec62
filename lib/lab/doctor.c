/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "doctor.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "doctor_csum.h"
#include "hostcaps.h"
#include "labinfo.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "runcmd.h"
#include "vmlab.h"

/* What is checked: a lab's host namespace, or a bridge of the user's. */
struct subject {
	const char *ns;        /* namespace entered, NULL: the caller's */
	char prefix[64];       /* "ip netns exec NS " for the fix commands, or "" */
	const char *topology;  /* "bridge", "macvtap", "ovs", or NULL for a user's bridge */
	const char *bridge;    /* the Linux or OVS bridge, NULL for macvtap */
	const char *uplink;    /* the lab's uplink, NULL: the bridge's ports */
	const char *backend;   /* the guest's tap/macvtap */
	const char *guest_mac; /* NULL when unknown */
	char run_dir[256];     /* the lab's run directory ("" for a user's bridge) */
	bool users_dhcp;       /* the DHCP server is the user's (a lab on a lent uplink) */
	unsigned problems;
};

__attribute__((format(printf, 4, 5)))
static void report(struct subject *s, bool ok, const char *check, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("%-8s %s: %s\n", ok ? "ok" : "PROBLEM", check, text);
	if (!ok)
		s->problems++;
}

/* First line of a small file (sysfs, procfs), trailing newline removed; -1 if unreadable. */
static int read_line(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int read_line(char *buf, size_t len, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	bool got = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!got)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static long read_long(long fallback, const char *fmt, const char *a, const char *b)
{
	char buf[64], path[512];
	snprintf(path, sizeof(path), fmt, a, b);
	return read_line(buf, sizeof(buf), "%s", path) == 0 ? strtol(buf, NULL, 10) : fallback;
}

static bool is_linux_bridge(const struct subject *s)
{
	return s->bridge && (!s->topology || !strcmp(s->topology, "bridge"));
}

/* ---- the checks ---- */

static void check_netfilter(struct subject *s)
{
	static const char *const tables[] = { "iptables", "ip6tables", "arptables" };
	char val[16];
	if (!is_linux_bridge(s))
		return;
	if (access("/proc/sys/net/bridge", F_OK) < 0) {
		report(s, true, "bridge netfilter", "br_netfilter is not loaded: bridged frames skip iptables");
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		if (read_line(val, sizeof(val), "/proc/sys/net/bridge/bridge-nf-call-%s", tables[i]) == 0 &&
		    !strcmp(val, "1")) {
			report(s, false, "bridge netfilter",
			       "bridged frames go through %s (br_netfilter), where a FORWARD policy of "
			       "DROP (as Docker sets) or conntrack eats the guest's DHCP; fix: '%ssysctl -w "
			       "net.bridge.bridge-nf-call-%s=0', or allow udp ports 67-68 in FORWARD",
			       tables[i], s->prefix, tables[i]);
			return;
		}
	}
	report(s, true, "bridge netfilter", "br_netfilter is loaded but does not filter bridged frames");
}

/* Calls fn for each port of a Linux bridge (sysfs brif/). */
static void for_each_port(const char *bridge, void (*fn)(struct subject *, const char *),
			  struct subject *s)
{
	char path[300];
	snprintf(path, sizeof(path), "/sys/class/net/%s/brif", bridge);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			fn(s, e->d_name);
	closedir(d);
}

static void wireless_port(struct subject *s, const char *port)
{
	if (vnl_caps_wireless(port))
		report(s, false, "wireless uplink",
		       "%s is a Wi-Fi station: an access point drops frames from MACs that did not "
		       "associate, so a bridged guest is never answered; fix: give the guest a routed "
		       "or NAT network instead (e.g. '%sip link set %s nomaster' and route/masquerade "
		       "for the guest), or use a wired uplink", port, s->prefix, port);
}

static void check_wireless(struct subject *s)
{
	unsigned before = s->problems;
	if (s->uplink)
		wireless_port(s, s->uplink);
	else if (s->bridge)
		for_each_port(s->bridge, wireless_port, s);
	if (s->problems == before)
		report(s, true, "wireless uplink", "no Wi-Fi interface on the path");
}

static void check_macvtap(struct subject *s)
{
	char mac[32] = "";
	if (!s->topology || strcmp(s->topology, "macvtap"))
		return;
	read_line(mac, sizeof(mac), "/sys/class/net/%s/address", s->backend);
	if (s->guest_mac && strcasecmp(mac, s->guest_mac))
		report(s, false, "macvtap MAC",
		       "%s has MAC %s but the guest uses %s: the macvtap only passes frames for its own "
		       "MAC; fix: '%sip link set %s address %s'", s->backend, mac, s->guest_mac,
		       s->prefix, s->backend, s->guest_mac);
	else
		report(s, true, "macvtap MAC", "%s carries the guest's MAC %s", s->backend, mac);
	/* Not a fault of DHCP, but the first surprise of macvtap. */
	report(s, true, "macvtap isolation",
	       "note: the host's own stack on %s cannot reach the guest (frames from a macvtap are "
	       "never looped back to its lower device); the remote side can. For host<->guest "
	       "traffic give the host a macvlan in bridge mode on %s ('%sip link add link %s name "
	       "mv0 type macvlan mode bridge') and put the host's address on it",
	       s->uplink, s->uplink, s->prefix, s->uplink);
}

static void port_state(struct subject *s, const char *port)
{
	static const char *const states[] = { "disabled", "listening", "learning", "forwarding",
					      "blocking" };
	long st = read_long(-1, "/sys/class/net/%s/brif/%s/state", s->bridge, port);
	if (st == 3)
		return;
	const char *name = st >= 0 && st <= 4 ? states[st] : "unknown";
	if (st == 0)
		report(s, false, "port forwarding",
		       "port %s of %s is disabled (down or no carrier: for a tap, nobody holds it open); "
		       "fix: '%sip link set %s up' and start the guest on it", port, s->bridge,
		       s->prefix, port);
	else
		report(s, false, "port forwarding",
		       "port %s of %s is %s, not forwarding (STP): DHCP requests are dropped until it "
		       "forwards; fix: '%sip link set %s type bridge stp_state 0'", port, s->bridge,
		       name, s->prefix, s->bridge);
}

/* In a lab, the uplink and the guest's tap must both be ports of the bridge. */
static void check_ports(struct subject *s)
{
	const char *need[2] = { s->uplink, s->backend };
	unsigned before = s->problems;
	char path[300];
	if (!is_linux_bridge(s) || !s->uplink)
		return;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/brif/%s", s->bridge, need[i]);
		if (need[i] && need[i][0] && access(path, F_OK) < 0)
			report(s, false, "bridge ports",
			       "%s is not a port of %s, so nothing crosses between it and the other "
			       "side; fix: '%sip link set %s master %s'", need[i], s->bridge, s->prefix,
			       need[i], s->bridge);
	}
	if (s->problems == before)
		report(s, true, "bridge ports", "%s and %s are ports of %s", s->uplink, s->backend,
		       s->bridge);
}

static void check_stp(struct subject *s)
{
	if (!is_linux_bridge(s))
		return;
	long stp = read_long(-1, "/sys/class/net/%s/bridge/stp_state%s", s->bridge, "");
	long delay = read_long(-1, "/sys/class/net/%s/bridge/forward_delay%s", s->bridge, "");
	if (stp < 0) {
		report(s, false, "bridge", "%s is not a Linux bridge here (no /sys/class/net/%s/bridge)",
		       s->bridge, s->bridge);
		return;
	}
	/* forward_delay is in centiseconds; DHCP clients give up after a few seconds. */
	if (stp > 0 && delay >= 200)
		report(s, false, "STP forward delay",
		       "STP is on with a forward delay of %.1f s: a new port (the guest's tap) waits "
		       "%.0f s before it forwards, longer than a DHCP client tries; fix (STP off first: "
		       "the kernel refuses a short delay while STP is on): '%sip link set %s type "
		       "bridge stp_state 0' then '%sip link set %s type bridge forward_delay 0'",
		       (double)delay / 100, 2.0 * (double)delay / 100, s->prefix, s->bridge,
		       s->prefix, s->bridge);
	else
		report(s, true, "STP forward delay", "STP %s, forward delay %.1f s", stp ? "on" : "off",
		       (double)(delay < 0 ? 0 : delay) / 100);
	unsigned before = s->problems;
	for_each_port(s->bridge, port_state, s);
	if (s->problems == before)
		report(s, true, "port forwarding", "every port of %s forwards", s->bridge);
}

struct has_addr {
	int ifindex;
	bool found;
};

static void note_addr(const struct vnl_nl_addr *a, void *arg)
{
	struct has_addr *h = arg;
	if (a->ifindex == h->ifindex && a->family == AF_INET)
		h->found = true;
}

static void check_rp_filter(struct subject *s)
{
	const char *ifname = s->bridge && is_linux_bridge(s) ? s->bridge : s->uplink;
	if (!ifname)
		return;
	long all = read_long(0, "/proc/sys/net/ipv4/conf/%s/rp_filter%s", "all", "");
	long one = read_long(0, "/proc/sys/net/ipv4/conf/%s/rp_filter%s", ifname, "");
	long eff = all > one ? all : one;
	struct vnl_nl *nl = vnl_nl_open(-1);
	struct has_addr h = { nl ? vnl_nl_ifindex(nl, ifname) : -1, false };
	if (nl && h.ifindex > 0)
		vnl_nl_dump_addrs(nl, note_addr, &h);
	vnl_nl_close(nl);
	/* Strict reverse-path filtering drops the host's own DHCP replies on a bridge that has
	 * addresses (and, with br_netfilter, may judge bridged frames). */
	if (eff == 1 && h.found)
		report(s, false, "rp_filter",
		       "strict reverse-path filtering on %s (rp_filter=1) drops replies that arrive "
		       "on an interface the route does not point to; fix: '%ssysctl -w "
		       "net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.%s.rp_filter=2' (loose)", ifname,
		       s->prefix, ifname);
	else
		report(s, true, "rp_filter", "%s: rp_filter %ld (%s)", ifname, eff,
		       eff == 1 ? "strict, but the bridge has no IPv4 address of its own"
			 : eff == 2 ? "loose" : "off");
}

static void check_link_up(struct subject *s, const char *ifname, const char *what)
{
	char oper[32] = "", carrier[8] = "";
	read_line(oper, sizeof(oper), "/sys/class/net/%s/operstate", ifname);
	read_line(carrier, sizeof(carrier), "/sys/class/net/%s/carrier", ifname);
	if (!oper[0])
		report(s, false, what, "%s does not exist here", ifname);
	else if (strcmp(carrier, "1"))
		report(s, false, what, "%s has no carrier (state %s): nothing reaches the wire; fix: "
		       "'%sip link set %s up' and check the cable/peer", ifname, oper, s->prefix, ifname);
	else
		report(s, true, what, "%s is %s with carrier", ifname, oper);
}

static void check_uplinks(struct subject *s)
{
	if (s->uplink)
		check_link_up(s, s->uplink, "uplink");
	if (s->bridge && is_linux_bridge(s))
		check_link_up(s, s->bridge, "bridge up");
}

/* Is mac in the forwarding table: `bridge fdb`, or `ovs-appctl fdb/show` for OVS. */
static void check_fdb(struct subject *s)
{
	char out[16384], ctl[300];
	if (!s->bridge || !s->guest_mac) {
		if (s->bridge)
			report(s, true, "guest MAC learned", "not checked: the guest's MAC is unknown "
			       "(see '%sbridge fdb show br %s')", s->prefix, s->bridge);
		return;
	}
	int rc;
	if (is_linux_bridge(s)) {
		const char *const argv[] = { "bridge", "fdb", "show", "br", s->bridge, NULL };
		rc = vnl_runcmd(argv, NULL, out, sizeof(out));
	} else {
		vnl_pathf(ctl, sizeof(ctl), "--target=%s/ovs/ovs-vswitchd.ctl", s->run_dir);
		const char *const argv[] = { "ovs-appctl", ctl, "fdb/show", s->bridge, NULL };
		rc = vnl_runcmd(argv, NULL, out, sizeof(out));
	}
	if (rc != 0) {
		report(s, false, "guest MAC learned", "cannot read the forwarding table of %s: %s",
		       s->bridge, vnl_tail_lines(out, 2));
		return;
	}
	/* fdb output writes MACs in lower case */
	char mac[32];
	snprintf(mac, sizeof(mac), "%s", s->guest_mac);
	for (char *p = mac; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	if (strstr(out, mac))
		report(s, true, "guest MAC learned", "%s knows the guest's MAC %s", s->bridge, mac);
	else
		report(s, false, "guest MAC learned",
		       "%s has not learned the guest's MAC %s: no frame from the guest reached it "
		       "(guest NIC down, tap not attached to qemu, or the tap not a port); check "
		       "'%s%s' and the guest's console", s->bridge, mac, s->prefix,
		       is_linux_bridge(s) ? "bridge link show" : "ovs-vsctl show");
}

static pid_t pid_from(const char *file)
{
	char text[32];
	if (read_line(text, sizeof(text), "%s", file) < 0)
		return 0;
	pid_t pid = (pid_t)atoi(text);
	return pid > 0 && kill(pid, 0) == 0 ? pid : 0;
}

static void check_dhcp(struct subject *s)
{
	char leases[300], pidf[300], log[300], ip[64];
	if (!s->run_dir[0] || s->users_dhcp) {
		report(s, true, "DHCP server", "not checked: the DHCP server of your network is not "
		       "vnetlat's (watch it with 'tcpdump -ni %s port 67 or port 68')",
		       s->bridge ? s->bridge : s->uplink ? s->uplink : "IF");
		return;
	}
	vnl_pathf(leases, sizeof(leases), "%s/dnsmasq.leases", s->run_dir);
	vnl_pathf(pidf, sizeof(pidf), "%s/dnsmasq.pid", s->run_dir);
	vnl_pathf(log, sizeof(log), "%s/dnsmasq.log", s->run_dir);
	if (vnl_lease_find(leases, s->guest_mac, ip, sizeof(ip)) == 0)
		report(s, true, "DHCP lease", "the guest (%s) holds lease %s (%s)", s->guest_mac, ip,
		       leases);
	else if (!pid_from(pidf))
		report(s, false, "DHCP lease", "dnsmasq is not running (%s); see %s and bring the lab "
		       "up again ('vnetlat lab down' then 'lab up')", pidf, log);
	else
		report(s, false, "DHCP lease", "dnsmasq runs but gave the guest (%s) no lease: its "
		       "requests do not arrive; see %s ('DHCPDISCOVER' lines) and the checks above",
		       s->guest_mac, log);
}

static void run_checks(struct subject *s)
{
	check_uplinks(s);
	check_netfilter(s);
	check_wireless(s);
	check_macvtap(s);
	check_ports(s);
	check_stp(s);
	check_rp_filter(s);
	check_fdb(s);
	check_dhcp(s);
}

static int checks_here(void *arg)
{
	struct subject *s = arg;
	if (s->ns && vnl_netns_enter(s->ns) < 0) {
		vnl_errno("cannot enter network namespace %s", s->ns);
		return 255;
	}
	run_checks(s);
	return s->problems > 250 ? 250 : (int)s->problems;
}

/* In a child inside s->ns (so /sys and /proc/sys/net are the namespace's). */
static int checks_in_netns(struct subject *s)
{
	struct vnl_child_opts o = {
		.in = { .how = VNL_CHILD_INHERIT },
		.out = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
	};
	struct vnl_child *c;
	int status = -1;
	if (vnl_child_call(&c, checks_here, s, &o) == 0) {
		vnl_child_wait(c, -1);
		status = vnl_child_term_signal(c) ? -1 : vnl_child_status(c);
		vnl_child_free(c);
	}
	if (status < 0 || status == 255) {
		vnl_err("the checks could not run");
		return -1;
	}
	return status;
}

static int verdict(int problems, const char *what)
{
	if (problems < 0)
		return VNL_EXIT_FAIL;
	if (problems == 0)
		printf("%s: no problem found\n", what);
	else
		printf("%s: %d problem%s found (see PROBLEM lines)\n", what, problems,
		       problems > 1 ? "s" : "");
	return problems ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

static int doctor_vm(const char *host_ns, const char *topology, const char *uplink,
		     const char *backend, const char *guest_mac, const char *run_dir, bool users_dhcp)
{
	struct subject s = { .ns = host_ns, .topology = topology, .uplink = uplink,
			     .backend = backend, .guest_mac = guest_mac, .users_dhcp = users_dhcp };
	s.bridge = strcmp(topology, "macvtap") ? VNL_VM_BRIDGE : NULL;
	snprintf(s.prefix, sizeof(s.prefix), "ip netns exec %s ", host_ns);
	snprintf(s.run_dir, sizeof(s.run_dir), "%s", run_dir);
	return checks_in_netns(&s);
}

int vnl_doctor_vm(const char *host_ns, const char *topology, const char *uplink,
		  const char *backend, const char *guest_mac, const char *run_dir)
{
	return doctor_vm(host_ns, topology, uplink, backend, guest_mac, run_dir, false);
}

int vnl_doctor_lab(const char *lab)
{
	struct vnl_lab_info info;
	int rc = vnl_labinfo_load(VNL_LABINFO_DIR, lab, &info);
	if (rc < 0) {
		vnl_err("lab %s is not up (no %s/%s.info); 'vnetlat lab show' lists the labs; for a "
			"bridge of your own use 'vnetlat lab doctor --bridge BR'", lab, VNL_LABINFO_DIR,
			lab);
		return VNL_EXIT_FAIL;
	}
	if (!info.has_guest) {
		vnl_err("lab %s (%s) has no guest, so no DHCP to check", lab, info.topology);
		return VNL_EXIT_FAIL;
	}
	char run_dir[256];
	const char *slash = strrchr(info.agent_path, '/');
	/* The lab's run directory is where its agent socket is. */
	snprintf(run_dir, sizeof(run_dir), "%.*s", slash ? (int)(slash - info.agent_path) : 0,
		 info.agent_path);
	printf("lab %s (%s): guest %s on %s in %s\n", lab, info.topology, info.local.mac,
	       info.backend_if, info.host_netns);
	char what[64];
	snprintf(what, sizeof(what), "lab %s", lab);
	/* No remote end of ours: the lab is on a lent uplink, its DHCP server the user's. */
	int problems = doctor_vm(info.host_netns, info.topology, info.uplink_if, info.backend_if,
				 info.local.mac, run_dir, !info.remote.netns[0]);
	/* Probes, not pings: only with a remote end of ours to send from and count at. */
	if (problems >= 0 && info.untagged_remote.netns[0])
		problems += vnl_doctor_csum(&info);
	return verdict(problems, what);
}

int vnl_doctor_bridge(const char *bridge)
{
	char path[300];
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", bridge);
	if (access(path, F_OK) < 0) {
		vnl_err("%s is not a Linux bridge in this network namespace (no %s); 'ip -d link show "
			"type bridge' lists them", bridge, path);
		return VNL_EXIT_FAIL;
	}
	struct subject s = { .bridge = bridge };
	char what[64];
	snprintf(what, sizeof(what), "bridge %s", bridge);
	return verdict(checks_in_netns(&s), what);
}
