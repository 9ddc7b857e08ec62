/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "neigh.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)
#define DISCARD_PORT 9
#define POLL_STEP_MS 10
#define REPROVOKE_MS 1000

struct want {
	int ifindex, family;
	const void *ip;
	uint8_t *mac;
	bool found;
};

/* One RTM_NEWNEIGH of the dump: is it ours and usable? */
static void match_neigh(const struct nlmsghdr *nh, struct want *w)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) || nd->ndm_ifindex != w->ifindex ||
	    nd->ndm_family != w->family || !(nd->ndm_state & NUD_USABLE))
		return;
	size_t alen = w->family == AF_INET6 ? 16 : 4;
	const uint8_t *dst = NULL, *lladdr = NULL;
	int rem = (int)RTM_PAYLOAD(nh);
	for (const struct rtattr *a = RTM_RTA(nd); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
		if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == alen)
			dst = RTA_DATA(a);
		else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
			lladdr = RTA_DATA(a);
	}
	if (dst && lladdr && memcmp(dst, w->ip, alen) == 0) {
		memcpy(w->mac, lladdr, 6);
		w->found = true;
	}
}

static int dump_lookup(struct want *w)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = { .nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			  .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		  .nd = { .ndm_family = (uint8_t)w->family } };
	int rc = -1;
	if (send(fd, &req, sizeof(req), 0) < 0)
		goto out;
	static _Alignas(struct nlmsghdr) char buf[16384]; /* setup time only */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			goto out;
		unsigned int len = (unsigned int)n; /* unsigned: NLMSG_OK compares it with nlmsg_len */
		for (struct nlmsghdr *nh = (void *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (nh->nlmsg_type == RTM_NEWNEIGH)
				match_neigh(nh, w);
		}
	}
out:
	close(fd);
	return rc;
}

/* An empty datagram to the discard port: the kernel resolves the neighbour to send it. */
static void provoke_resolution(int family, const void *ip)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(DISCARD_PORT);
		memcpy(&in6->sin6_addr, ip, 16);
		len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(DISCARD_PORT);
		memcpy(&in->sin_addr, ip, 4);
		len = sizeof(*in);
	}
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&ss, len);
	close(fd);
}

int vnl_neigh_resolve(int ifindex, int family, const void *ip, uint8_t mac[6], int timeout_ms)
{
	struct want w = { .ifindex = ifindex, .family = family, .ip = ip, .mac = mac };
	if (dump_lookup(&w) == 0 && w.found)
		return 0;
	struct timespec step = { .tv_nsec = POLL_STEP_MS * 1000000L };
	for (int waited = 0; waited < timeout_ms; waited += POLL_STEP_MS) {
		/*
		 * Again every second: the kernel gives up after its few solicitations
		 * (an entry FAILED), e.g. while the peer's IPv6 address is still
		 * tentative (duplicate detection in a slow guest), until new traffic.
		 */
		if (waited % REPROVOKE_MS == 0)
			provoke_resolution(family, ip);
		nanosleep(&step, NULL);
		if (dump_lookup(&w) == 0 && w.found)
			return 0;
	}
	return -1;
}
