// SPDX-License-Identifier: GPL-2.0-or-later
#include "qdisc.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool vnl_qdisc_honours_txtime(const char *kind)
{
	return !strcmp(kind, "etf") || !strcmp(kind, "fq") || !strcmp(kind, "taprio");
}

/* One qdisc of the dump: note it when it is on ifindex. */
static void take_qdisc(const struct nlmsghdr *h, int ifindex, struct vnl_qdisc_info *out)
{
	const struct tcmsg *tc = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*tc)) || tc->tcm_ifindex != ifindex)
		return;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*tc));
	for (const struct rtattr *a = (const struct rtattr *)((const char *)tc +
							      NLMSG_ALIGN(sizeof(*tc)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != TCA_KIND)
			continue;
		char kind[32];
		size_t n = RTA_PAYLOAD(a) < sizeof(kind) ? RTA_PAYLOAD(a) : sizeof(kind) - 1;
		memcpy(kind, RTA_DATA(a), n);
		kind[n] = '\0';
		if (tc->tcm_parent == TC_H_ROOT)
			snprintf(out->root, sizeof(out->root), "%s", kind);
		if (!out->launch[0] && vnl_qdisc_honours_txtime(kind))
			snprintf(out->launch, sizeof(out->launch), "%s", kind);
	}
}

int vnl_qdisc_query(const char *ifname, struct vnl_qdisc_info *out)
{
	memset(out, 0, sizeof(*out));
	int ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		errno = ENODEV;
		return -1;
	}
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr h;
		struct tcmsg tc;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETQDISC,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex },
	};
	int rc = -1;
	if (send(fd, &req, sizeof(req), 0) < 0)
		goto out;
	union {
		char buf[32768];
		struct nlmsghdr align;
	} rx;
	for (;;) {
		ssize_t n = recv(fd, rx.buf, sizeof(rx.buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		unsigned int left = (unsigned int)n; /* NLMSG_OK compares it with nlmsg_len (__u32) */
		for (struct nlmsghdr *h = &rx.align; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				errno = e->error ? -e->error : EPROTO;
				goto out;
			}
			if (h->nlmsg_type == RTM_NEWQDISC)
				take_qdisc(h, ifindex, out);
		}
		if (n == 0)
			goto out;
	}
out:
	close(fd);
	return rc;
}
