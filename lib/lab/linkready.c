/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "linkready.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "neigh.h"
#include "netns.h"
#include "timeutil.h"

#define POLL_MS 5

/* Exit codes of the child that does the work inside the namespace. */
enum { READY = 0, NO_NETNS = 1, NOT_RUNNING = 2, UNRESOLVED = 3 };

static int remaining_ms(int64_t end)
{
	int64_t left = (end - vnl_now_ns(CLOCK_MONOTONIC)) / VNL_NSEC_PER_MSEC;
	return left > 0 ? (int)left : 0;
}

/* IFF_RUNNING: set by the link watch together with operstate UP and the qdisc. */
static int wait_running(const char *ifname, int64_t end)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	struct timespec step = { .tv_nsec = POLL_MS * 1000000L };
	int rc = -1;
	for (;;) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING)) {
			rc = 0;
			break;
		}
		if (!remaining_ms(end))
			break;
		nanosleep(&step, NULL);
	}
	close(fd);
	return rc;
}

static int resolve(int ifindex, const char *peer, int64_t end)
{
	unsigned char ip[16];
	uint8_t mac[6];
	int family = strchr(peer, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, peer, ip) != 1)
		return -1;
	return vnl_neigh_resolve(ifindex, family, ip, mac, remaining_ms(end));
}

static int ready_here(const char *ns, const char *ifname, const char *const peers[], unsigned n,
		      int timeout_ms)
{
	int64_t end = vnl_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * VNL_NSEC_PER_MSEC;
	if (vnl_netns_enter(ns) < 0)
		return NO_NETNS;
	if (wait_running(ifname, end) < 0)
		return NOT_RUNNING;
	int ifindex = (int)if_nametoindex(ifname);
	for (unsigned i = 0; i < n; i++)
		if (ifindex <= 0 || resolve(ifindex, peers[i], end) < 0)
			return UNRESOLVED + (int)i;
	return READY;
}

struct ready_args {
	const char *ns, *ifname;
	const char *const *peers;
	unsigned n;
	int timeout_ms;
};

static int ready_child(void *arg)
{
	const struct ready_args *a = arg;
	return ready_here(a->ns, a->ifname, a->peers, a->n, a->timeout_ms);
}

int vnl_link_ready(const char *ns, const char *ifname, const char *const peers[], unsigned n,
		   int timeout_ms)
{
	struct ready_args ra = { ns, ifname, peers, n, timeout_ms };
	struct vnl_child_opts o = {
		.in = { .how = VNL_CHILD_INHERIT },
		.out = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
	};
	struct vnl_child *c;
	if (vnl_child_call(&c, ready_child, &ra, &o)) {
		vnl_errno("cannot fork to wait for %s in %s", ifname, ns);
		return -1;
	}
	vnl_child_wait(c, -1);
	int sig = vnl_child_term_signal(c), status = vnl_child_status(c);
	vnl_child_free(c);
	if (sig || status < 0) {
		vnl_err("waiting for %s in %s to be ready failed", ifname, ns);
		return -1;
	}
	int code = status;
	if (code == READY)
		return 0;
	if (code == NO_NETNS)
		vnl_err("cannot enter namespace %s to check that %s is ready", ns, ifname);
	else if (code == NOT_RUNNING)
		vnl_err("%s in %s is not running %d ms after it was brought up (no carrier: is "
			"its peer up?)", ifname, ns, timeout_ms);
	else if (code - UNRESOLVED < (int)n)
		vnl_err("%s in %s: no ARP/neighbour answer from %s within %d ms; the lab cannot "
			"carry probes (see 'vnetlat lab doctor')", ifname, ns,
			peers[code - UNRESOLVED], timeout_ms);
	else
		vnl_err("waiting for %s in %s to be ready failed", ifname, ns);
	return -1;
}
