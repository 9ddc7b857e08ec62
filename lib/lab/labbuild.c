/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The build steps every topology is made of (labbuild.h): each object is
 * recorded write-ahead in the lab's state file, then made, then marked made,
 * so that down and a roll-back remove exactly what exists; with --dry-run a
 * step prints its ip command instead.
 */
#include "labbuild.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labstate.h"
#include "linkready.h"
#include "log.h"
#include "netns.h"
#include "nl.h"

/* A locally administered unicast MAC of its own for each node of each lab. */
static void lab_mac(const char *lab, unsigned node_no, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *p = lab; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x02;
	mac[1] = (uint8_t)(h >> 24);
	mac[2] = (uint8_t)(h >> 16);
	mac[3] = (uint8_t)(h >> 8);
	mac[4] = (uint8_t)h;
	mac[5] = (uint8_t)node_no;
}

static void mac_text(const uint8_t mac[6], char buf[18])
{
	vnl_nl_mac_format(mac, 6, buf, 18);
}

/* ---- build steps: done (write-ahead in the state file) or printed as ip commands ---- */

struct vnl_nl *vnl_lab_nl_in(const char *ns)
{
	int fd = vnl_netns_open(ns);
	if (fd < 0)
		return NULL;
	struct vnl_nl *nl = vnl_nl_open(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return nl;
}

/* "cannot ...: <strerror> (<kernel's explanation>)" */
static void nl_fail(const struct vnl_nl *nl, const char *what, const char *ns)
{
	const char *why = nl ? vnl_nl_why(nl) : "";
	int saved = errno;
	if (why[0])
		vnl_err("cannot %s in %s: %s (%s)", what, ns, strerror(saved), why);
	else
		vnl_err("cannot %s in %s: %s", what, ns, strerror(saved));
}

static int record(struct vnl_lab_builder *b, const struct vnl_obj *obj)
{
	int index = vnl_labstate_record(b->st, obj);
	if (index < 0)
		vnl_errno("cannot write the lab state file (nothing was created for this step)");
	return index;
}

static int step_netns(struct vnl_lab_builder *b, const char *ns)
{
	if (b->dry_run) {
		printf("ip netns add %s\n", ns);
		return 0;
	}
	if (vnl_netns_exists(ns)) {
		vnl_err("a network namespace named %s exists already and is not part of lab %s; "
			"remove it ('ip netns del %s') or choose another --name", ns, b->lab, ns);
		return -1;
	}
	struct vnl_obj obj = { .type = VNL_OBJ_NETNS };
	snprintf(obj.name, sizeof(obj.name), "%s", ns);
	int index = record(b, &obj);
	if (index < 0)
		return -1;
	if (vnl_netns_create(ns) < 0) {
		vnl_errno("cannot create network namespace %s", ns);
		/* vnl_netns_create leaves nothing behind when it fails. */
		vnl_labstate_mark_failed(b->st, (size_t)index);
		return -1;
	}
	dev_t dev;
	ino_t ino;
	if (vnl_netns_ident(ns, &dev, &ino) < 0 ||
	    vnl_labstate_mark_made(b->st, (size_t)index, (uint64_t)ino) < 0) {
		vnl_errno("cannot record which namespace %s is", ns);
		return -1;
	}
	return 0;
}

struct veth_spec {
	const char *ns, *ifname;
	uint8_t mac[6];
};

static int step_veth(struct vnl_lab_builder *b, const struct veth_spec *end, const struct veth_spec *peer)
{
	char mac[2][18];
	mac_text(end->mac, mac[0]);
	mac_text(peer->mac, mac[1]);
	if (b->dry_run) {
		printf("ip -n %s link add %s address %s type veth peer name %s address %s netns %s\n",
		       end->ns, end->ifname, mac[0], peer->ifname, mac[1], peer->ns);
		return 0;
	}
	struct vnl_obj obj = { .type = VNL_OBJ_LINK };
	snprintf(obj.name, sizeof(obj.name), "%s", end->ifname);
	snprintf(obj.netns, sizeof(obj.netns), "%s", end->ns);
	int index = record(b, &obj);
	if (index < 0)
		return -1;
	struct vnl_nl *nl = vnl_lab_nl_in(end->ns);
	int peer_fd = vnl_netns_open(peer->ns);
	struct vnl_nl_veth_end e = { end->ifname, { 0 }, -1 }, p = { peer->ifname, { 0 }, peer_fd };
	memcpy(e.mac, end->mac, 6);
	memcpy(p.mac, peer->mac, 6);
	int ret = nl && peer_fd >= 0 ? vnl_nl_veth_add(nl, &e, &p) : -1;
	if (ret < 0) {
		nl_fail(nl, "create the veth pair", end->ns);
		/* One netlink request: on failure the kernel made nothing. */
		vnl_labstate_mark_failed(b->st, (size_t)index);
	}
	if (peer_fd >= 0)
		close(peer_fd);
	vnl_nl_close(nl);
	return ret;
}

static int step_addr(struct vnl_lab_builder *b, const char *ns, const char *ifname, const char *cidr)
{
	struct vnl_nl_addr addr;
	if (vnl_nl_addr_parse(cidr, &addr) < 0) {
		vnl_err("internal error: bad address %s", cidr);
		return -1;
	}
	/* IPv6 without duplicate address detection: usable at once. */
	bool nodad = addr.family == AF_INET6;
	if (b->dry_run) {
		printf("ip -n %s addr add %s dev %s%s\n", ns, cidr, ifname, nodad ? " nodad" : "");
		return 0;
	}
	/* No record: an address goes away with its link. */
	struct vnl_nl *nl = vnl_lab_nl_in(ns);
	int ret = -1;
	if (nl && (addr.ifindex = vnl_nl_ifindex(nl, ifname)) > 0)
		ret = vnl_nl_addr_add(nl, &addr, nodad);
	if (ret < 0) {
		char what[96];
		snprintf(what, sizeof(what), "add %s to %s", cidr, ifname);
		nl_fail(nl, what, ns);
	}
	vnl_nl_close(nl);
	return ret;
}

static int step_up(struct vnl_lab_builder *b, const char *ns, const char *ifname)
{
	if (b->dry_run) {
		printf("ip -n %s link set %s up\n", ns, ifname);
		return 0;
	}
	struct vnl_nl *nl = vnl_lab_nl_in(ns);
	int ret = nl ? vnl_nl_link_up(nl, ifname) : -1;
	if (ret < 0) {
		char what[64];
		snprintf(what, sizeof(what), "bring %s up", ifname);
		nl_fail(nl, what, ns);
	}
	vnl_nl_close(nl);
	return ret;
}

/*
 * Wait until ifname in ns can carry a probe to each of the peers (CIDR or
 * plain address): a stream must not start while its first packets would
 * wait a second for the neighbour (linkready.h).
 */
#define READY_TIMEOUT_MS 15000 /* a TCG guest under load may be slow to answer */
static int step_ready(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		      const char *const peers[], unsigned n)
{
	char addr[VNL_LAB_READY_MAX][64];
	const char *plain[VNL_LAB_READY_MAX];
	if (n > VNL_LAB_READY_MAX)
		n = VNL_LAB_READY_MAX;
	for (unsigned i = 0; i < n; i++) {
		snprintf(addr[i], sizeof(addr[i]), "%.*s", (int)strcspn(peers[i], "/"), peers[i]);
		plain[i] = addr[i];
		if (b->dry_run)
			printf("ip netns exec %s ping -c1 -W5 %s >/dev/null  # wait for the neighbour\n",
			       ns, addr[i]);
	}
	return b->dry_run ? 0 : vnl_link_ready(ns, ifname, plain, n, READY_TIMEOUT_MS);
}

/* The same steps for the topology files (labbuild.h). */
int vnl_lab_record(struct vnl_lab_builder *b, const struct vnl_obj *obj)
{
	return record(b, obj);
}

int vnl_lab_step_netns(struct vnl_lab_builder *b, const char *ns)
{
	return step_netns(b, ns);
}

int vnl_lab_step_veth(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		      const uint8_t mac[6], const char *peer_ns, const char *peer_if,
		      const uint8_t peer_mac[6])
{
	struct veth_spec end = { ns, ifname, { 0 } }, peer = { peer_ns, peer_if, { 0 } };
	memcpy(end.mac, mac, 6);
	memcpy(peer.mac, peer_mac, 6);
	return step_veth(b, &end, &peer);
}

int vnl_lab_step_addr(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		      const char *cidr)
{
	return step_addr(b, ns, ifname, cidr);
}

int vnl_lab_step_up(struct vnl_lab_builder *b, const char *ns, const char *ifname)
{
	return step_up(b, ns, ifname);
}

int vnl_lab_step_ready(struct vnl_lab_builder *b, const char *ns, const char *ifname,
		       const char *const peers[], unsigned n)
{
	return step_ready(b, ns, ifname, peers, n);
}

void vnl_lab_mac(const char *lab, unsigned node_no, uint8_t mac[6])
{
	lab_mac(lab, node_no, mac);
}

void vnl_lab_opts_init(struct vnl_lab_opts *o)
{
	*o = (struct vnl_lab_opts){ .accel = VNL_ACCEL_AUTO, .vhost = VNL_VHOST_AUTO };
}

/* A file the lab writes: recorded first, like every object, so down and roll-back remove it. */
static int record_file(struct vnl_lab_builder *b, const char *path)
{
	struct vnl_obj obj = { .type = VNL_OBJ_FILE };
	snprintf(obj.path, sizeof(obj.path), "%s", path);
	return record(b, &obj) < 0 ? -1 : 0;
}

int vnl_lab_record_path(struct vnl_lab_builder *b, const char *path)
{
	return record_file(b, path);
}

/* Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or 0. */
uint64_t vnl_process_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: count fields after the last ')'. */
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

