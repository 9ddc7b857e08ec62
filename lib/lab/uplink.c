/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "uplink.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcaps.h"
#include "log.h"
#include "netns.h"
#include "nl.h"

/* The root namespace is pid 1's: a path that outlives this process, unlike an fd. */
#define ROOT_NETNS "/proc/1/ns/net"

/* ---- the link as it is ---- */

struct link_now {
	struct vnl_nl_link link;
	bool found;
	char addrs[VNL_OBJ_ADDRS_MAX + 1][52]; /* one more than may be lent: to refuse */
	unsigned n_addrs;
};

static void find_link(const struct vnl_nl_link *link, void *arg)
{
	struct link_now *l = arg;
	if (!l->found && !strcmp(link->name, l->link.name)) {
		l->link = *link;
		l->found = true;
	}
}

static void keep_addr(const struct vnl_nl_addr *a, void *arg)
{
	struct link_now *l = arg;
	/* IPv6 link-local addresses come back by themselves with the link. */
	bool link_local = a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
	if (a->ifindex != l->link.ifindex || link_local || l->n_addrs > VNL_OBJ_ADDRS_MAX)
		return;
	char host[INET6_ADDRSTRLEN];
	inet_ntop(a->family, a->addr, host, sizeof(host));
	snprintf(l->addrs[l->n_addrs++], sizeof(l->addrs[0]), "%s/%u", host, a->prefixlen);
}

/* ifname in the namespace of nl: found, with its addresses; -1 when netlink failed. */
static int read_link(struct vnl_nl *nl, const char *ifname, struct link_now *l)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->link.name, sizeof(l->link.name), "%s", ifname);
	if (vnl_nl_dump_links(nl, find_link, l) < 0)
		return -1;
	return l->found ? vnl_nl_dump_addrs(nl, keep_addr, l) : 0;
}

/* ---- where the caller is, and the way back there ---- */

/*
 * The way back is the caller's namespace pinned on a file of the lab's
 * (LAB.home beside its state): /proc/1/ns/net may be out of reach (a
 * container's pid 1, or one we may not look at), and an fd dies with `up`.
 */
static void home_path(const char *lab, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.home", VNL_LABSTATE_DIR, lab);
}

/* The caller's namespace's name in /run/netns, or "" (the host's, or an unnamed one). */
static void home_name(char *name, size_t size)
{
	struct stat self;
	name[0] = '\0';
	if (stat("/proc/self/ns/net", &self) < 0)
		return;
	DIR *d = opendir(VNL_NETNS_DIR);
	struct dirent *e;
	while (d && !name[0] && (e = readdir(d))) {
		dev_t dev;
		ino_t ino;
		if (e->d_name[0] != '.' && vnl_netns_ident(e->d_name, &dev, &ino) == 0 &&
		    ino == self.st_ino && strlen(e->d_name) < size)
			snprintf(name, size, "%s", e->d_name);
	}
	if (d)
		closedir(d);
}

/* ---- refusals, before anything is made ---- */

/* The interface of a default route in /proc/self/net/route or ipv6_route, if it is ifname. */
static bool carries_default_route(const char *ifname)
{
	char line[512], dev[64], dst[64], mask[64], len[8];
	bool found = false;
	FILE *f = fopen("/proc/self/net/route", "re");
	/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%63s %63s %*s %*s %*s %*s %*s %63s", dev, dst, mask) == 3 &&
			!strcmp(dev, ifname) && !strcmp(dst, "00000000") && !strcmp(mask, "00000000");
	if (f)
		fclose(f);
	f = fopen("/proc/self/net/ipv6_route", "re");
	/* dst dst_len src src_len next_hop metric refcnt use flags dev */
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%63s %7s %*s %*s %*s %*s %*s %*s %*s %63s", dst, len, dev) == 3 &&
			!strcmp(dev, ifname) && !strcmp(len, "00") &&
			strspn(dst, "0") == strlen(dst);
	if (f)
		fclose(f);
	return found;
}

int vnl_uplink_check(const char *ifname)
{
	char master[IF_NAMESIZE] = "";
	struct link_now l;
	if (strlen(ifname) >= IF_NAMESIZE) {
		vnl_err("--uplink %s: an interface name has at most %d characters", ifname,
			IF_NAMESIZE - 1);
		return -1;
	}
	struct vnl_nl *nl = vnl_nl_open(-1);
	int rc = nl ? read_link(nl, ifname, &l) : -1;
	vnl_nl_close(nl);
	if (rc < 0) {
		vnl_errno("cannot list the interfaces of this namespace");
		return -1;
	}
	const char *nothing = "(nothing was changed)";
	if (!l.found) {
		vnl_err("--uplink %s: there is no such interface in this network namespace ('ip link' "
			"lists them) %s", ifname, nothing);
		return -1;
	}
	if (l.link.flags & IFF_LOOPBACK) {
		vnl_err("--uplink %s: a loopback interface leads nowhere; give a NIC %s", ifname, nothing);
		return -1;
	}
	if (vnl_caps_wireless(ifname)) {
		vnl_err("--uplink %s is a Wi-Fi station: an access point drops frames from MACs that "
			"did not associate, so the guest would never be answered; use a wired NIC %s",
			ifname, nothing);
		return -1;
	}
	if (l.link.master) {
		if_indextoname((unsigned)l.link.master, master);
		vnl_err("--uplink %s is a port of %s already; release it first ('ip link set %s "
			"nomaster') or choose another interface %s", ifname,
			master[0] ? master : "another device", ifname, nothing);
		return -1;
	}
	if (carries_default_route(ifname)) {
		vnl_err("--uplink %s carries this machine's default route: lending it to the lab would "
			"cut the machine off its network. Use a NIC that carries no default route (a "
			"second port, a USB adapter, an SR-IOV VF), or leave out --uplink: the lab then "
			"has a remote namespace of its own %s", ifname, nothing);
		return -1;
	}
	if (l.n_addrs > VNL_OBJ_ADDRS_MAX) {
		vnl_err("--uplink %s has more than %d addresses; the lab can give back at most %d %s",
			ifname, VNL_OBJ_ADDRS_MAX, VNL_OBJ_ADDRS_MAX, nothing);
		return -1;
	}
	return 0;
}

/* ---- lending ---- */

/* As commands: run in the namespace it came from (nsenter on the pinned way back). */
static void print_restore(const struct vnl_obj *obj, const char *prefix)
{
	char in_home[300];
	snprintf(in_home, sizeof(in_home), "nsenter --net=%s", obj->path);
	/* ip moves a link to a pid's namespace: the shell's, entered first */
	printf("%s%s sh -c 'ip -n %s link set %s netns $$ name %s'\n", prefix, in_home, obj->into,
	       obj->as, obj->name);
	printf("%s%s ip link set %s mtu %u\n", prefix, in_home, obj->name, obj->mtu);
	for (unsigned i = 0; i < obj->n_addrs; i++)
		printf("%s%s ip addr add %s dev %s\n", prefix, in_home, obj->addrs[i], obj->name);
	printf("%s%s ip link set %s %s\n", prefix, in_home, obj->name, obj->up ? "up" : "down");
	printf("%sumount %s; rm -f %s\n", prefix, obj->path, obj->path);
}

void vnl_uplink_print_restore(const struct vnl_obj *obj)
{
	print_restore(obj, "");
}

/* The object that records ifname as it is now; -1 when it cannot be read. */
static int describe(const char *lab, const char *ifname, const char *ns, const char *as,
		    struct vnl_obj *obj)
{
	struct link_now l;
	struct vnl_nl *nl = vnl_nl_open(-1);
	int rc = nl ? read_link(nl, ifname, &l) : -1;
	vnl_nl_close(nl);
	if (rc < 0 || !l.found)
		return -1;
	home_name(obj->netns, sizeof(obj->netns));
	home_path(lab, obj->path, sizeof(obj->path));
	obj->type = VNL_OBJ_UPLINK;
	snprintf(obj->name, sizeof(obj->name), "%s", ifname);
	snprintf(obj->into, sizeof(obj->into), "%s", ns);
	snprintf(obj->as, sizeof(obj->as), "%s", as);
	vnl_nl_mac_format(l.link.mac, l.link.mac_len < 6 ? l.link.mac_len : 6, obj->mac,
			  sizeof(obj->mac));
	obj->mtu = l.link.mtu;
	obj->up = (l.link.flags & IFF_UP) != 0;
	obj->n_addrs = l.n_addrs < VNL_OBJ_ADDRS_MAX ? l.n_addrs : VNL_OBJ_ADDRS_MAX;
	for (unsigned i = 0; i < obj->n_addrs; i++)
		snprintf(obj->addrs[i], sizeof(obj->addrs[i]), "%s", l.addrs[i]);
	return (int)l.link.ifindex;
}

int vnl_uplink_borrow(struct vnl_lab_builder *b, const char *ifname, const char *ns,
		      const char *as)
{
	struct vnl_obj obj = { .type = VNL_OBJ_UPLINK };
	int ifindex = describe(b->lab, ifname, ns, as, &obj);
	if (b->dry_run) {
		home_path(b->lab, obj.path, sizeof(obj.path));
		printf("touch %s; mount --bind /proc/self/ns/net %s  # the way back\n", obj.path,
		       obj.path);
		printf("ip link set %s netns %s name %s\n", ifname, ns, as);
		if (ifindex > 0) {
			printf("# 'lab down' gives it back as it is now:\n");
			print_restore(&obj, "#   ");
		}
		return 0;
	}
	if (ifindex <= 0) {
		vnl_errno("cannot read %s as it is now (to give it back later)", ifname);
		return -1;
	}
	int index = vnl_lab_record(b, &obj);
	if (index < 0)
		return -1;
	if (vnl_netns_pin_current(obj.path) < 0) {
		vnl_errno("cannot pin this namespace on %s (the way back for %s)", obj.path, ifname);
		/* nothing moved, and a file there already is not ours to remove */
		vnl_labstate_mark_failed(b->st, (size_t)index);
		return -1;
	}
	struct vnl_nl *nl = vnl_nl_open(-1);
	int nsfd = vnl_netns_open(ns);
	int rc = nl && nsfd >= 0 ? vnl_nl_link_move(nl, ifindex, nsfd, as) : -1;
	if (rc < 0) {
		const char *why = nl ? vnl_nl_why(nl) : "";
		vnl_errno("cannot move %s into %s as %s%s%s", ifname, ns, as, why[0] ? ": " : "", why);
		/* One request: on failure the link did not move. */
		vnl_labstate_mark_failed(b->st, (size_t)index);
	}
	if (nsfd >= 0)
		close(nsfd);
	vnl_nl_close(nl);
	return rc;
}

/* ---- giving back ---- */

/* Bring it home from the lab's namespace under its own name; 1 moved, 0 not there, -1 failed. */
static int move_home(const struct vnl_obj *obj, int home)
{
	if (!vnl_netns_exists(obj->into))
		return 0;
	int fd = vnl_netns_open(obj->into);
	struct vnl_nl *nl = fd >= 0 ? vnl_nl_open(fd) : NULL;
	if (fd >= 0)
		close(fd);
	struct link_now l;
	int rc = nl ? read_link(nl, obj->as, &l) : -1;
	if (rc == 0 && l.found)
		rc = vnl_nl_link_move(nl, l.link.ifindex, home, obj->name) < 0 ? -1 : 1;
	if (rc < 0) {
		const char *why = nl ? vnl_nl_why(nl) : "";
		vnl_errno("cannot move %s from %s back to %s as %s%s%s", obj->as, obj->into,
			  obj->netns[0] ? obj->netns : "the host", obj->name, why[0] ? ": " : "", why);
	}
	vnl_nl_close(nl);
	return rc;
}

/*
 * A NIC whose lab namespace went away first came back to the root namespace
 * as `as` (a veth died with it): found by its MAC and renamed.
 */
static int rename_stray(struct vnl_nl *nl, const struct vnl_obj *obj)
{
	struct link_now l;
	char mac[18];
	if (read_link(nl, obj->as, &l) < 0 || !l.found)
		return 0;
	vnl_nl_mac_format(l.link.mac, l.link.mac_len < 6 ? l.link.mac_len : 6, mac, sizeof(mac));
	if (strcasecmp(mac, obj->mac))
		return 0;
	return vnl_nl_link_set(nl, obj->as, 0, 0) < 0 ||
			       vnl_nl_link_rename(nl, l.link.ifindex, obj->name) < 0
		       ? -1
		       : 1;
}

/* MTU, addresses, up/down as recorded; addresses there already are fine. */
static int restore_settings(struct vnl_nl *nl, const struct vnl_obj *obj, int ifindex)
{
	if (vnl_nl_link_set(nl, obj->name, obj->mtu, 0) < 0)
		return -1;
	for (unsigned i = 0; i < obj->n_addrs; i++) {
		struct vnl_nl_addr a;
		if (vnl_nl_addr_parse(obj->addrs[i], &a) < 0) {
			errno = EINVAL;
			return -1;
		}
		a.ifindex = ifindex;
		/* nodad: it was this link's address a moment ago */
		if (vnl_nl_addr_add(nl, &a, a.family == AF_INET6) < 0 && errno != EEXIST)
			return -1;
	}
	return obj->up ? vnl_nl_link_set(nl, obj->name, 0, 1) : 0;
}

int vnl_uplink_restore(const struct vnl_obj *obj)
{
	int home = open(obj->path, O_RDONLY | O_CLOEXEC);
	struct vnl_nl *nl = home >= 0 ? vnl_nl_open(home) : NULL;
	if (!nl) {
		/* The way back is made before the link moves: without it, it never moved. */
		if (home >= 0)
			close(home);
		vnl_notice("%s was never lent (no way back pinned on %s): nothing to give back",
			   obj->name, obj->path);
		return vnl_netns_unpin(obj->path);
	}
	int rc = move_home(obj, home);
	close(home);
	struct link_now l;
	if (rc >= 0)
		rc = read_link(nl, obj->name, &l);
	if (rc == 0 && !l.found && (rc = rename_stray(nl, obj)) > 0)
		rc = read_link(nl, obj->name, &l);
	if (rc == 0 && !l.found) {
		/* A veth dies with the lab's namespace. */
		vnl_notice("%s is neither back in %s nor in %s: nothing to give back", obj->name,
			   obj->netns[0] ? obj->netns : "its namespace", obj->into);
	} else if (rc == 0 && restore_settings(nl, obj, l.link.ifindex) < 0) {
		const char *why = vnl_nl_why(nl);
		vnl_errno("%s is back but its MTU, addresses or state could not be restored%s%s",
			  obj->name, why[0] ? ": " : "", why);
		rc = -1;
	}
	int saved = errno;
	vnl_nl_close(nl);
	if (rc >= 0 && vnl_netns_unpin(obj->path) < 0) {
		saved = errno;
		rc = -1;
	}
	errno = saved;
	return rc < 0 ? -1 : 0;
}
