/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct vnl_nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
	char why[256];
	/* Requests are small; dumps are read a buffer at a time. */
	char buf[32768];
};

/* Open the socket while this thread sits in the namespace at nsfd. */
static struct mnl_socket *socket_in_netns(int nsfd)
{
	if (nsfd < 0)
		return mnl_socket_open(NETLINK_ROUTE);
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return NULL;
	struct mnl_socket *sock = NULL;
	if (setns(nsfd, CLONE_NEWNET) == 0) {
		sock = mnl_socket_open(NETLINK_ROUTE);
		int saved = errno;
		if (setns(home, CLONE_NEWNET) < 0) {
			/* Never carry on in the wrong namespace. */
			perror("vnetlat: cannot return to the original network namespace");
			abort();
		}
		errno = saved;
	}
	close(home);
	return sock;
}

struct vnl_nl *vnl_nl_open(int nsfd)
{
	struct vnl_nl *nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->sock = socket_in_netns(nsfd);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		vnl_nl_close(nl);
		errno = saved;
		return NULL;
	}
	int one = 1;
	/* Ask the kernel to say why a request failed; optional, older kernels lack it. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return nl;
}

void vnl_nl_close(struct vnl_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

const char *vnl_nl_why(const struct vnl_nl *nl)
{
	return nl->why;
}

static struct nlmsghdr *new_request(struct vnl_nl *nl, uint16_t type, uint16_t flags)
{
	memset(nl->buf, 0, MNL_SOCKET_BUFFER_SIZE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Keep the kernel's extended-ack text of an error reply. */
static void keep_ext_ack(struct vnl_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	unsigned offset = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	const struct nlattr *attr;
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(nl->why, sizeof(nl->why), "%s", mnl_attr_get_str(attr));
	}
}

struct run_ctx {
	struct vnl_nl *nl;
	mnl_cb_t data_cb;
	void *data;
};

static int error_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct run_ctx *ctx = arg;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP; /* the ack of a request that succeeded */
	keep_ext_ack(ctx->nl, nlh);
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; it may carry the error that cut the dump short. */
static int done_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)arg;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);
		if (err < 0) {
			errno = -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct run_ctx *ctx = arg;
	return ctx->data_cb ? ctx->data_cb(nlh, ctx->data) : MNL_CB_OK;
}

/* Send the request in nl->buf and read replies until the ack or the end of a dump. */
static int transact(struct vnl_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned seq = nlh->nlmsg_seq;
	nl->why[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	struct run_ctx ctx = { nl, cb, data };
	/* With our own control callbacks libmnl ignores the message types left NULL. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb };
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -1;
		int ret = mnl_cb_run2(nl->buf, (size_t)n, seq, nl->portid, data_cb, &ctx,
				      ctl, NLMSG_MIN_TYPE);
		if (ret < 0)
			return -1;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static void put_link_end(struct nlmsghdr *nlh, const struct vnl_nl_veth_end *end)
{
	mnl_attr_put_strz(nlh, IFLA_IFNAME, end->ifname);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(end->mac), end->mac);
	if (end->nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)end->nsfd);
}

int vnl_nl_veth_add(struct vnl_nl *nl, const struct vnl_nl_veth_end *end,
		    const struct vnl_nl_veth_end *peer)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	put_link_end(nlh, end);
	struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is described by its own ifinfomsg followed by link attributes. */
	struct nlattr *peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	peer_ifi->ifi_family = AF_UNSPEC;
	put_link_end(nlh, peer);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return transact(nl, nlh, NULL, NULL);
}

int vnl_nl_link_del(struct vnl_nl *nl, const char *ifname)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_DELLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (transact(nl, nlh, NULL, NULL) < 0)
		return errno == ENODEV ? 0 : -1;
	return 0;
}

int vnl_nl_link_up(struct vnl_nl *nl, const char *ifname)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return transact(nl, nlh, NULL, NULL);
}

int vnl_nl_link_move(struct vnl_nl *nl, int ifindex, int nsfd, const char *newname)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	/* The kernel renames it as it arrives: never a moment under the old name there. */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return transact(nl, nlh, NULL, NULL);
}

int vnl_nl_link_rename(struct vnl_nl *nl, int ifindex, const char *newname)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return transact(nl, nlh, NULL, NULL);
}

int vnl_nl_link_set(struct vnl_nl *nl, const char *ifname, unsigned mtu, int up)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return transact(nl, nlh, NULL, NULL);
}

static int ifindex_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(int *)arg = ifi->ifi_index;
	return MNL_CB_OK;
}

int vnl_nl_ifindex(struct vnl_nl *nl, const char *ifname)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	int ifindex = -1;
	if (transact(nl, nlh, ifindex_cb, &ifindex) < 0)
		return -1;
	if (ifindex <= 0) {
		errno = ENODEV;
		return -1;
	}
	return ifindex;
}

static unsigned addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

int vnl_nl_addr_add(struct vnl_nl *nl, const struct vnl_nl_addr *a, int nodad)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)a->prefixlen;
	ifa->ifa_index = (unsigned)a->ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_flags = nodad ? IFA_F_NODAD : 0;
	/* As iproute2 does: IFA_LOCAL is the address, IFA_ADDRESS the same when not point-to-point. */
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(a->family), a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(a->family), a->addr);
	return transact(nl, nlh, NULL, NULL);
}

struct link_dump_ctx {
	vnl_nl_link_cb cb;
	void *arg;
};

struct addr_dump_ctx {
	vnl_nl_addr_cb cb;
	void *arg;
};

static int link_attr_cb(const struct nlattr *attr, void *arg)
{
	const struct nlattr **tb = arg;
	int type = mnl_attr_get_type(attr);
	if (type <= IFLA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void link_kind(const struct nlattr *linkinfo, struct vnl_nl_link *link)
{
	const struct nlattr *attr;
	mnl_attr_for_each_nested(attr, linkinfo) {
		if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
		    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
			snprintf(link->kind, sizeof(link->kind), "%.*s",
				 (int)mnl_attr_get_payload_len(attr), mnl_attr_get_str(attr));
	}
}

static int link_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct link_dump_ctx *ctx = arg;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb) < 0)
		return MNL_CB_OK;
	struct vnl_nl_link link = { .ifindex = ifi->ifi_index, .flags = ifi->ifi_flags };
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) == 0)
		snprintf(link.name, sizeof(link.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS]) {
		unsigned len = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);
		link.mac_len = len < sizeof(link.mac) ? len : sizeof(link.mac);
		memcpy(link.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), link.mac_len);
	}
	if (tb[IFLA_LINKINFO])
		link_kind(tb[IFLA_LINKINFO], &link);
	if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) == 0)
		link.mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] && mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) == 0)
		link.master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	ctx->cb(&link, ctx->arg);
	return MNL_CB_OK;
}

int vnl_nl_dump_links(struct vnl_nl *nl, vnl_nl_link_cb cb, void *arg)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	struct link_dump_ctx ctx = { cb, arg };
	return transact(nl, nlh, link_dump_cb, &ctx);
}

static int addr_attr_cb(const struct nlattr *attr, void *arg)
{
	const struct nlattr **tb = arg;
	int type = mnl_attr_get_type(attr);
	if (type <= IFA_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int addr_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct addr_dump_ctx *ctx = arg;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
		return MNL_CB_OK;
	const struct nlattr *at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	struct vnl_nl_addr a = { .ifindex = (int)ifa->ifa_index, .family = ifa->ifa_family,
				 .prefixlen = ifa->ifa_prefixlen };
	if (!at || mnl_attr_get_payload_len(at) != addr_len(a.family))
		return MNL_CB_OK;
	memcpy(a.addr, mnl_attr_get_payload(at), addr_len(a.family));
	ctx->cb(&a, ctx->arg);
	return MNL_CB_OK;
}

int vnl_nl_dump_addrs(struct vnl_nl *nl, vnl_nl_addr_cb cb, void *arg)
{
	struct nlmsghdr *nlh = new_request(nl, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	struct addr_dump_ctx ctx = { cb, arg };
	return transact(nl, nlh, addr_dump_cb, &ctx);
}

int vnl_nl_addr_parse(const char *text, struct vnl_nl_addr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	if (!slash || (size_t)(slash - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	memset(out, 0, sizeof(*out));
	out->family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, host, out->addr) != 1)
		return -1;
	char *end;
	unsigned long plen = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end || plen > (out->family == AF_INET ? 32u : 128u))
		return -1;
	out->prefixlen = (unsigned)plen;
	return 0;
}

void vnl_nl_mac_format(const uint8_t *mac, unsigned len, char *buf, unsigned size)
{
	unsigned pos = 0;
	if (size)
		buf[0] = '\0';
	for (unsigned i = 0; i < len && pos + 3 <= size; i++)
		pos += (unsigned)snprintf(buf + pos, size - pos, i ? ":%02x" : "%02x", mac[i]);
}
