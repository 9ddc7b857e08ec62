/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "tstamp.h"

struct vnl_transport {
	int fd;
	bool l2;
	char name[8];
	char ifname[IF_NAMESIZE];
	char local[96], peer[96];
	struct sockaddr_storage dest; /* sender: where probes go */
	socklen_t dest_len;
	struct sockaddr_storage from; /* receiver: msg_name buffer */
	union {
		char buf[VNL_TSTAMP_CMSG_SPACE];
		struct cmsghdr align;
	} ctrl;
};

static struct vnl_transport *transport_new(void)
{
	struct vnl_transport *t = calloc(1, sizeof(*t));
	if (!t) {
		vnl_err("out of memory");
		return NULL;
	}
	t->fd = -1;
	return t;
}

void vnl_transport_close(struct vnl_transport *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

int vnl_transport_fd(const struct vnl_transport *t) { return t->fd; }
const char *vnl_transport_name(const struct vnl_transport *t) { return t->name; }
const char *vnl_transport_ifname(const struct vnl_transport *t) { return t->ifname; }
const char *vnl_transport_local(const struct vnl_transport *t) { return t->local; }
const char *vnl_transport_peer(const struct vnl_transport *t) { return t->peer; }

/* ---- printing addresses (setup and report time only) ---- */

static void format_mac(const unsigned char *mac, char *out, size_t len)
{
	snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static void format_sockaddr(const struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(out, len, "%s:%u", host, ntohs(in6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
		}
	} else if (sa->sa_family == AF_PACKET) {
		const struct sockaddr_ll *ll = (const void *)sa;
		format_mac(ll->sll_addr, out, len);
	} else {
		snprintf(out, len, "?");
	}
}

/* ---- options common to every probe socket ---- */

static int apply_socket_opts(int fd, const struct vnl_transport_opts *o)
{
	if (o->priority >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &o->priority, sizeof(o->priority)) < 0) {
		vnl_errno("cannot set --priority %d (priorities above 6 need CAP_NET_ADMIN)",
			  o->priority);
		return -1;
	}
	if (o->busy_poll_us > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &o->busy_poll_us, sizeof(o->busy_poll_us)) < 0) {
		vnl_errno("cannot set --busy-poll %d (needs CAP_NET_ADMIN)", o->busy_poll_us);
		return -1;
	}
	return 0;
}

/* ---- UDP ---- */

static int resolve(const char *host, uint16_t port, bool passive, struct sockaddr_storage *out,
		   socklen_t *out_len)
{
	char service[8];
	snprintf(service, sizeof(service), "%u", port);
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP,
				  .ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) };
	struct addrinfo *res;
	int rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		vnl_err("cannot resolve '%s': %s; give an IPv4 or IPv6 address or a host name",
			host, gai_strerror(rc));
		return -1;
	}
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*out_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void set_udp_name(struct vnl_transport *t, int family)
{
	snprintf(t->name, sizeof(t->name), "%s", family == AF_INET6 ? "udp6" : "udp4");
}

static struct vnl_transport *open_udp_sender(const struct vnl_transport_opts *o)
{
	struct vnl_transport *t = transport_new();
	if (!t)
		return NULL;
	if (resolve(o->addr, o->port, false, &t->dest, &t->dest_len) < 0)
		goto fail;
	int family = t->dest.ss_family;
	set_udp_name(t, family);
	t->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (t->fd < 0) {
		vnl_errno("cannot open a UDP socket");
		goto fail;
	}
	/* connect() checks there is a route and tells the local address... */
	if (connect(t->fd, (struct sockaddr *)&t->dest, t->dest_len) < 0) {
		vnl_err("cannot reach %s (%s); check the address and the network namespace",
			o->addr, strerror(errno));
		goto fail;
	}
	struct sockaddr_storage local;
	socklen_t local_len = sizeof(local);
	getsockname(t->fd, (struct sockaddr *)&local, &local_len);
	format_sockaddr((struct sockaddr *)&local, t->local, sizeof(t->local));
	format_sockaddr((struct sockaddr *)&t->dest, t->peer, sizeof(t->peer));
	vnl_ifname_of_addr((struct sockaddr *)&local, t->ifname, sizeof(t->ifname));
	/*
	 * ...then the socket is disconnected again: on a connected UDP socket an
	 * ICMP "port unreachable" (receiver not started yet) makes the next
	 * send fail, which would break the schedule and the OPT_ID numbering.
	 */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	connect(t->fd, &unspec, sizeof(unspec));
	if (apply_socket_opts(t->fd, o) < 0)
		goto fail;
	return t;
fail:
	vnl_transport_close(t);
	return NULL;
}

static int bind_udp(struct vnl_transport *t, const struct vnl_transport_opts *o)
{
	struct sockaddr_storage addr;
	socklen_t addr_len;
	if (o->addr) {
		if (resolve(o->addr, o->port, true, &addr, &addr_len) < 0)
			return -1;
		t->fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	} else {
		/* No --bind: one dual-stack socket takes IPv4 and IPv6 probes. */
		struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_port = htons(o->port),
					     .sin6_addr = IN6ADDR_ANY_INIT };
		memcpy(&addr, &any6, sizeof(any6));
		addr_len = sizeof(any6);
		t->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
		if (t->fd < 0 && errno == EAFNOSUPPORT) {
			struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_port = htons(o->port) };
			memcpy(&addr, &any4, sizeof(any4));
			addr_len = sizeof(any4);
			t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
		}
		int off = 0;
		if (t->fd >= 0 && addr.ss_family == AF_INET6)
			setsockopt(t->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
	if (t->fd < 0) {
		vnl_errno("cannot open a UDP socket");
		return -1;
	}
	set_udp_name(t, addr.ss_family);
	format_sockaddr((struct sockaddr *)&addr, t->local, sizeof(t->local));
	if (bind(t->fd, (struct sockaddr *)&addr, addr_len) < 0) {
		if (errno == EADDRINUSE)
			vnl_err("port %u is already in use on %s; stop the other receiver or pick "
				"another --port", o->port, o->addr ? o->addr : "this host");
		else if (errno == EADDRNOTAVAIL)
			vnl_err("%s is not an address of this host (or network namespace); "
				"check --bind", o->addr);
		else
			vnl_errno("cannot bind to %s", t->local);
		return -1;
	}
	if (o->addr)
		vnl_ifname_of_addr((struct sockaddr *)&addr, t->ifname, sizeof(t->ifname));
	return 0;
}

static struct vnl_transport *open_udp_receiver(const struct vnl_transport_opts *o)
{
	struct vnl_transport *t = transport_new();
	if (!t)
		return NULL;
	if (bind_udp(t, o) < 0 || apply_socket_opts(t->fd, o) < 0) {
		vnl_transport_close(t);
		return NULL;
	}
	return t;
}

/* ---- raw Ethernet (AF_PACKET, SOCK_DGRAM: the kernel builds the header) ---- */

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)v[i];
	return 0;
}

static int open_packet_socket(struct vnl_transport *t, const struct vnl_transport_opts *o,
			      uint16_t listen_proto, int *ifindex)
{
	if (!o->ifname || !o->ifname[0]) {
		vnl_err("--l2 needs --ifname IF (the interface to send and receive frames on)");
		return -1;
	}
	*ifindex = (int)if_nametoindex(o->ifname);
	if (*ifindex == 0) {
		vnl_err("interface '%s' not found; check --ifname and the network namespace",
			o->ifname);
		return -1;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", o->ifname);
	snprintf(t->name, sizeof(t->name), "l2");
	t->l2 = true;
	/* Protocol 0 on the sender: it receives nothing, so nothing piles up. */
	t->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, listen_proto);
	if (t->fd < 0) {
		if (errno == EPERM || errno == EACCES)
			vnl_err("--l2 needs root (CAP_NET_RAW) to open a packet socket");
		else
			vnl_errno("cannot open a packet socket");
		return -1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = listen_proto,
				   .sll_ifindex = *ifindex };
	if (bind(t->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		vnl_errno("cannot bind a packet socket to %s", o->ifname);
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	char mac[20] = "?";
	if (ioctl(t->fd, SIOCGIFHWADDR, &ifr) == 0)
		format_mac((unsigned char *)ifr.ifr_hwaddr.sa_data, mac, sizeof(mac));
	snprintf(t->local, sizeof(t->local), "%s %s type 0x%04x", o->ifname, mac, o->ethertype);
	return apply_socket_opts(t->fd, o);
}

static struct vnl_transport *open_l2_sender(const struct vnl_transport_opts *o)
{
	struct vnl_transport *t = transport_new();
	if (!t)
		return NULL;
	struct sockaddr_ll *dst = (struct sockaddr_ll *)&t->dest;
	int ifindex;
	if (parse_mac(o->addr, dst->sll_addr) < 0) {
		vnl_err("'%s' is not a MAC address; with --l2, DEST is like 02:00:00:00:00:02",
			o->addr);
		goto fail;
	}
	if (open_packet_socket(t, o, 0, &ifindex) < 0)
		goto fail;
	dst->sll_family = AF_PACKET;
	dst->sll_protocol = htons(o->ethertype);
	dst->sll_ifindex = ifindex;
	dst->sll_halen = ETH_ALEN;
	t->dest_len = sizeof(*dst);
	format_mac(dst->sll_addr, t->peer, sizeof(t->peer));
	return t;
fail:
	vnl_transport_close(t);
	return NULL;
}

static struct vnl_transport *open_l2_receiver(const struct vnl_transport_opts *o)
{
	struct vnl_transport *t = transport_new();
	int ifindex;
	if (t && open_packet_socket(t, o, htons(o->ethertype), &ifindex) == 0)
		return t;
	vnl_transport_close(t);
	return NULL;
}

struct vnl_transport *vnl_transport_open_sender(const struct vnl_transport_opts *o)
{
	return o->l2 ? open_l2_sender(o) : open_udp_sender(o);
}

struct vnl_transport *vnl_transport_open_receiver(const struct vnl_transport_opts *o)
{
	return o->l2 ? open_l2_receiver(o) : open_udp_receiver(o);
}

ssize_t vnl_transport_send(struct vnl_transport *t, const void *buf, size_t len)
{
	return sendto(t->fd, buf, len, 0, (struct sockaddr *)&t->dest, t->dest_len);
}

void vnl_transport_prepare_recv(struct vnl_transport *t, struct msghdr *msg, struct iovec *iov,
				void *buf, size_t len)
{
	iov->iov_base = buf;
	iov->iov_len = len;
	memset(msg, 0, sizeof(*msg));
	msg->msg_name = &t->from;
	msg->msg_namelen = sizeof(t->from);
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = t->ctrl.buf;
	msg->msg_controllen = sizeof(t->ctrl.buf);
}

bool vnl_transport_accept(const struct vnl_transport *t, const struct msghdr *msg)
{
	if (!t->l2)
		return true;
	const struct sockaddr_ll *sll = msg->msg_name;
	return sll->sll_pkttype != PACKET_OUTGOING;
}

void vnl_transport_set_peer(struct vnl_transport *t, const struct msghdr *msg)
{
	const struct sockaddr *sa = msg->msg_name;
	format_sockaddr(sa, t->peer, sizeof(t->peer));
	if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)sa)->sin6_addr))
		set_udp_name(t, AF_INET);
	else if (sa->sa_family == AF_INET6 || sa->sa_family == AF_INET)
		set_udp_name(t, sa->sa_family);
}
