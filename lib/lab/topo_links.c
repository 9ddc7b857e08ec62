/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topo_links.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

/*
 * Run fn(arg) with this thread in namespace ns, then come back. Sockets and
 * tun fds opened meanwhile belong to ns for their whole life.
 */
static int in_netns(const char *ns, int (*fn)(void *arg), void *arg)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int target = vnl_netns_open(ns);
	int ret = -1, saved = errno;
	if (home >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0) {
		ret = fn(arg);
		saved = errno;
		if (setns(home, CLONE_NEWNET) < 0) {
			/* Never carry on in the wrong namespace. */
			perror("vnetlat: cannot return to the original network namespace");
			abort();
		}
	} else {
		saved = errno;
	}
	if (home >= 0)
		close(home);
	if (target >= 0)
		close(target);
	errno = saved;
	return ret;
}

static char last_why[256];

/* The kernel's extended-ack text of an error message, if any. */
static int ack_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(last_why, sizeof(last_why), "%s", mnl_attr_get_str(attr));
	(void)data;
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (err->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_parse(nlh, (unsigned)off, ack_attr, NULL);
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* Send one request in the current namespace and wait for its ack. */
static int request(struct nlmsghdr *nlh)
{
	char buf[8192];
	last_why[0] = '\0';
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -1;
	int one = 1, ret = -1;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0) {
		unsigned portid = mnl_socket_get_portid(nl);
		nlh->nlmsg_seq = (unsigned)time(NULL);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
			mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb };
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			ret = n < 0 ? -1
				    : mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL,
						  ctl, NLMSG_MIN_TYPE) < 0 ? -1 : 0;
		}
	}
	int saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return ret;
}

static struct nlmsghdr *newlink(char *buf, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nlh;
}

static void set_why(const char **why)
{
	if (why)
		*why = last_why;
}

static int bridge_add(void *arg)
{
	const char *ifname = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = newlink(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* A lab bridge forwards at once: no STP, no listening/learning delay. */
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 0);
	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return request(nlh);
}

int vnl_link_bridge_add(const char *ns, const char *ifname, const char **why)
{
	int ret = in_netns(ns, bridge_add, (void *)ifname);
	set_why(why);
	return ret;
}

struct macvtap_req {
	const char *ifname, *lower;
	const uint8_t *mac;
};

static int macvtap_add(void *arg)
{
	const struct macvtap_req *r = arg;
	int lower = (int)if_nametoindex(r->lower);
	if (!lower)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = newlink(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, r->ifname);
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)lower);
	/* The guest's MAC: a macvtap only passes frames addressed to its own. */
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, r->mac);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return request(nlh);
}

int vnl_link_macvtap_add(const char *ns, const char *ifname, const char *lower,
			 const uint8_t mac[6], const char **why)
{
	struct macvtap_req r = { ifname, lower, mac };
	int ret = in_netns(ns, macvtap_add, &r);
	set_why(why);
	return ret;
}

struct master_req {
	const char *ifname, *master;
};

static int set_master(void *arg)
{
	const struct master_req *r = arg;
	int index = (int)if_nametoindex(r->ifname), master = (int)if_nametoindex(r->master);
	if (!index || !master)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = newlink(buf, RTM_SETLINK, 0, index);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return request(nlh);
}

int vnl_link_set_master(const char *ns, const char *ifname, const char *master, const char **why)
{
	struct master_req r = { ifname, master };
	int ret = in_netns(ns, set_master, &r);
	set_why(why);
	return ret;
}

struct tap_req {
	const char *ifname;
	bool mq;
};

static int tap_add(void *arg)
{
	const struct tap_req *r = arg;
	const char *ifname = r->ifname;
	/* The tap belongs to the namespace /dev/net/tun was opened in. */
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	/* qemu re-attaches with its own flags; multi-queue must match (queues=N: on) */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (r->mq ? IFF_MULTI_QUEUE : 0);
	int ret = ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0 ? -1 : 0;
	int saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

int vnl_link_tap_add(const char *ns, const char *ifname, bool mq)
{
	struct tap_req r = { ifname, mq };
	return in_netns(ns, tap_add, &r);
}

static int ifindex_of(void *arg)
{
	int index = (int)if_nametoindex(arg);
	return index ? index : -1;
}

int vnl_link_ifindex(const char *ns, const char *ifname)
{
	return in_netns(ns, ifindex_of, (void *)ifname);
}
