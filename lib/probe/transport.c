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
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "log.h"
#include "neigh.h"
#include "timeutil.h"
#include "tstamp.h"
#include "xdp_probe.h"
#include "xsk.h"

/* How long a sender waits for ARP / neighbour discovery of its destination. */
#define NEIGH_TIMEOUT_MS 1000
#define XDP_TTL 64

struct vnl_transport {
	int fd;
	bool l2;
	char name[8];
	char ifname[IF_NAMESIZE];
	char local[96], peer[96];
	struct sockaddr_storage dest; /* sender: where probes go */
	socklen_t dest_len;
	struct sockaddr_storage from; /* receiver: msg_name buffer */
	/* AF_XDP */
	struct vnl_xsk *xsk;
	struct vnl_frame_flow flow;  /* sender: the headers of every frame */
	size_t hdr_len;
	int64_t tai_minus_real;      /* receiver: CLOCK_TAI - CLOCK_REALTIME, whole seconds */
	int64_t rx_sw, rx_hw;        /* receiver: stamps of the last frame */
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
	if (t->xsk) {
		vnl_xsk_close(t->xsk); /* owns the fd */
		t->fd = -1;
	}
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

int vnl_transport_fd(const struct vnl_transport *t) { return t->fd; }
const char *vnl_transport_name(const struct vnl_transport *t) { return t->name; }
const char *vnl_transport_ifname(const struct vnl_transport *t) { return t->ifname; }
const char *vnl_transport_local(const struct vnl_transport *t) { return t->local; }
const char *vnl_transport_peer(const struct vnl_transport *t) { return t->peer; }
int vnl_transport_xsk_fd(const struct vnl_transport *t) { return t->xsk ? t->fd : -1; }
const char *vnl_transport_xsk_mode(const struct vnl_transport *t)
{
	return t->xsk ? vnl_xsk_mode_desc(t->xsk) : "";
}
bool vnl_transport_kernel_tx_stamps(const struct vnl_transport *t) { return !t->xsk; }

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
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)out;
	if (out->ss_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr) && !a6->sin6_scope_id) {
		/* the kernel would only say "Invalid argument" */
		vnl_err("'%s' is a link-local address: name the interface it is on, e.g. '%s%%eth1'",
			host, host);
		return -1;
	}
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

/* How long a receiver waits for the kernel to switch software RX stamping on. */
#define RX_LIVE_TIMEOUT_NS (2 * VNL_NSEC_PER_SEC)

/*
 * RX stamps on before the socket is bound, and live: a sender that finds the
 * port bound finds every probe stamped (see vnl_tstamp_wait_rx_live).
 */
static int rx_stamps_on(int fd, const struct sockaddr *local)
{
	if (vnl_tstamp_enable_rx(fd) < 0) {
		vnl_errno("cannot enable SO_TIMESTAMPING on the probe socket");
		return -1;
	}
	if (vnl_tstamp_wait_rx_live(local, RX_LIVE_TIMEOUT_NS) < 0)
		vnl_notice("the kernel has not switched software RX stamping on after 2 s (it "
			   "does so from a work item that a busy or real-time task can hold off); "
			   "probes received before it is on have no rx_sw (see 'stamps' counts)");
	return 0;
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
	if (rx_stamps_on(t->fd, o->addr ? (struct sockaddr *)&addr : NULL) < 0)
		return -1;
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
	if (listen_proto && rx_stamps_on(t->fd, NULL) < 0)
		return -1;
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


/* ---- AF_XDP: frames built and parsed here, steered by bpf/xdp_probe ---- */

static int need_ifname(const struct vnl_transport_opts *o)
{
	if (o->ifname && o->ifname[0])
		return 0;
	vnl_err("--transport xdp needs --ifname IF (the interface whose queue the AF_XDP "
		"socket binds to)");
	return -1;
}

static int open_xsk(struct vnl_transport *t, const struct vnl_transport_opts *o, bool tx)
{
	struct vnl_xsk_opts xo = { .ifname = o->ifname, .queue = o->queue,
				   .mode = (enum vnl_xsk_mode)o->xsk_mode, .rx = !tx, .tx = tx,
				   .busy_poll_us = o->busy_poll_us };
	t->xsk = vnl_xsk_open(&xo);
	if (!t->xsk)
		return -1;
	t->fd = vnl_xsk_fd(t->xsk);
	snprintf(t->ifname, sizeof(t->ifname), "%s", o->ifname);
	return 0;
}

static void set_xdp_name(struct vnl_transport *t, int family)
{
	snprintf(t->name, sizeof(t->name), "%s", family == AF_INET6 ? "xdp6" : "xdp4");
}

/* The route's source address for dest (a connected UDP socket tells it). */
static int route_source(const struct sockaddr_storage *dest, socklen_t dest_len,
			struct sockaddr_storage *src, const char *addr)
{
	int fd = socket(dest->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	socklen_t len = sizeof(*src);
	int rc = fd < 0 ? -1 : connect(fd, (const struct sockaddr *)dest, dest_len);
	if (rc == 0)
		rc = getsockname(fd, (struct sockaddr *)src, &len);
	if (rc < 0)
		vnl_err("cannot reach %s (%s); check the address and the network namespace", addr,
			strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int interface_mac_mtu(const char *ifname, unsigned char mac[6], int *mtu)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int rc = fd < 0 ? -1 : ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (rc == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (rc == 0)
		rc = ioctl(fd, SIOCGIFMTU, &ifr);
	if (rc == 0)
		*mtu = ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		vnl_errno("cannot read the MAC address of %s", ifname);
	return rc;
}

static void copy_ip(const struct sockaddr_storage *ss, uint8_t out[16], uint16_t *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		memcpy(out, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in = (const void *)ss;
		memcpy(out, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
	}
}

static int destination_mac(struct vnl_transport *t, const struct vnl_transport_opts *o)
{
	if (o->dst_mac) {
		if (parse_mac(o->dst_mac, t->flow.dst_mac) == 0)
			return 0;
		return vnl_err_invalid("--dst-mac", o->dst_mac, "expected a MAC like 02:00:00:00:00:02");
	}
	int ifindex = (int)if_nametoindex(o->ifname);
	if (vnl_neigh_resolve(ifindex, t->flow.family, t->flow.dst_ip, t->flow.dst_mac,
			      NEIGH_TIMEOUT_MS) == 0)
		return 0;
	vnl_err("cannot find the MAC address of %s on %s (no ARP/neighbour answer); is it "
		"on-link? give it with --dst-mac", o->addr, o->ifname);
	return -1;
}

static int plan_flow(struct vnl_transport *t, const struct vnl_transport_opts *o)
{
	struct sockaddr_storage src;
	if (resolve(o->addr, o->port, false, &t->dest, &t->dest_len) < 0 ||
	    route_source(&t->dest, t->dest_len, &src, o->addr) < 0)
		return -1;
	int mtu = 0;
	struct vnl_frame_flow *f = &t->flow;
	f->family = t->dest.ss_family;
	f->ttl = XDP_TTL;
	copy_ip(&t->dest, f->dst_ip, &f->dport);
	copy_ip(&src, f->src_ip, &f->sport);
	if (interface_mac_mtu(o->ifname, f->src_mac, &mtu) < 0 || destination_mac(t, o) < 0)
		return -1;
	t->hdr_len = vnl_frame_hdr_len(f->family);
	size_t room = vnl_xsk_frame_room(t->xsk);
	size_t max = (size_t)mtu + VNL_FRAME_ETH_LEN < room ? (size_t)mtu + VNL_FRAME_ETH_LEN : room;
	if (t->hdr_len + o->size > max) {
		vnl_err("--size %u does not fit in one frame on %s with AF_XDP (at most %zu bytes "
			"of payload)", o->size, o->ifname, max - t->hdr_len);
		return -1;
	}
	format_sockaddr((struct sockaddr *)&src, t->local, sizeof(t->local));
	format_sockaddr((struct sockaddr *)&t->dest, t->peer, sizeof(t->peer));
	size_t n = strlen(t->local);
	snprintf(t->local + n, sizeof(t->local) - n, " (%s queue %u)", o->ifname, o->queue);
	set_xdp_name(t, f->family);
	return 0;
}

static struct vnl_transport *open_xdp_sender(const struct vnl_transport_opts *o)
{
	struct vnl_transport *t = transport_new();
	if (!t || need_ifname(o) < 0 || open_xsk(t, o, true) < 0 || plan_flow(t, o) < 0) {
		vnl_transport_close(t);
		return NULL;
	}
	return t;
}

/* CLOCK_TAI is CLOCK_REALTIME plus the kernel's TAI offset, a whole number of seconds. */
static int64_t measure_tai_offset(void)
{
	struct timespec tai, real;
	clock_gettime(CLOCK_TAI, &tai);
	clock_gettime(CLOCK_REALTIME, &real);
	int64_t diff = (int64_t)(tai.tv_sec - real.tv_sec) * 1000000000 + (tai.tv_nsec - real.tv_nsec);
	return (diff + (diff >= 0 ? 500000000 : -500000000)) / 1000000000 * 1000000000;
}

static struct vnl_transport *open_xdp_receiver(const struct vnl_transport_opts *o)
{
	struct vnl_transport *t = transport_new();
	if (!t || need_ifname(o) < 0 || open_xsk(t, o, false) < 0) {
		vnl_transport_close(t);
		return NULL;
	}
	t->tai_minus_real = measure_tai_offset();
	set_xdp_name(t, AF_INET);
	snprintf(t->local, sizeof(t->local), "%s queue %u udp port %u", o->ifname, o->queue,
		 o->port);
	return t;
}

static ssize_t xdp_send(struct vnl_transport *t, const void *buf, size_t len)
{
	uint8_t *frame = vnl_xsk_tx_frame(t->xsk);
	if (!frame) {
		errno = ENOBUFS; /* every frame still in flight: transient */
		return -1;
	}
	memcpy(frame + t->hdr_len, buf, len);
	size_t flen = vnl_frame_build(&t->flow, frame, len);
	if (!flen) {
		errno = EMSGSIZE;
		return -1;
	}
	return vnl_xsk_tx_submit(t->xsk, flen) < 0 ? -1 : (ssize_t)len;
}

/* The XDP program's stamps in the metadata area in front of the frame, if it left them. */
static void read_meta(struct vnl_transport *t, uint8_t *frame, size_t headroom)
{
	t->rx_sw = t->rx_hw = 0;
	struct vnl_xdp_probe_meta m;
	if (headroom < sizeof(m))
		return;
	memcpy(&m, frame - sizeof(m), sizeof(m));
	if (m.magic != VNL_XDP_PROBE_META_MAGIC)
		return;
	memset(frame - sizeof(m), 0, sizeof(m)); /* never read twice if a later frame has none */
	t->rx_sw = m.xdp_tai ? (int64_t)m.xdp_tai - t->tai_minus_real : 0;
	t->rx_hw = (int64_t)m.rx_hw;
}

static void set_from(struct vnl_transport *t, const struct vnl_frame_view *v, struct msghdr *msg)
{
	memset(&t->from, 0, sizeof(t->from));
	if (v->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)&t->from;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(v->sport);
		memcpy(&in6->sin6_addr, v->src_ip, 16);
		msg->msg_namelen = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)&t->from;
		in->sin_family = AF_INET;
		in->sin_port = htons(v->sport);
		memcpy(&in->sin_addr, v->src_ip, 4);
		msg->msg_namelen = sizeof(*in);
	}
}

static ssize_t xdp_recv(struct vnl_transport *t, struct msghdr *msg)
{
	uint8_t *frame;
	ssize_t n = vnl_xsk_rx(t->xsk, &frame, VNL_TRANSPORT_WAKE_MS);
	if (n <= 0) {
		if (n == 0)
			errno = EAGAIN;
		return -1;
	}
	read_meta(t, frame, vnl_xsk_frame_headroom(t->xsk, frame));
	msg->msg_controllen = 0;
	struct vnl_frame_view v;
	ssize_t out = 0; /* not a UDP datagram: an empty one, counted as foreign */
	if (vnl_frame_parse(frame, (size_t)n, &v) == 0) {
		size_t len = v.payload_len < msg->msg_iov[0].iov_len ? v.payload_len
								      : msg->msg_iov[0].iov_len;
		memcpy(msg->msg_iov[0].iov_base, v.payload, len);
		set_from(t, &v, msg);
		out = (ssize_t)len;
	}
	vnl_xsk_rx_release(t->xsk);
	return out;
}

struct vnl_transport *vnl_transport_open_sender(const struct vnl_transport_opts *o)
{
	if (o->xdp)
		return open_xdp_sender(o);
	return o->l2 ? open_l2_sender(o) : open_udp_sender(o);
}

struct vnl_transport *vnl_transport_open_receiver(const struct vnl_transport_opts *o)
{
	if (o->xdp)
		return open_xdp_receiver(o);
	return o->l2 ? open_l2_receiver(o) : open_udp_receiver(o);
}

ssize_t vnl_transport_send(struct vnl_transport *t, const void *buf, size_t len)
{
	if (t->xsk)
		return xdp_send(t, buf, len);
	return sendto(t->fd, buf, len, 0, (struct sockaddr *)&t->dest, t->dest_len);
}

ssize_t vnl_transport_send_at(struct vnl_transport *t, const void *buf, size_t len,
			      uint64_t txtime)
{
	if (t->xsk) {
		errno = EOPNOTSUPP;
		return -1;
	}
	/* On the stack: the per-packet path allocates nothing. */
	union {
		char buf[CMSG_SPACE(sizeof(uint64_t))];
		struct cmsghdr align;
	} ctrl;
	memset(&ctrl, 0, sizeof(ctrl));
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = &t->dest, .msg_namelen = t->dest_len,
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctrl.buf, .msg_controllen = sizeof(ctrl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_TXTIME;
	c->cmsg_len = CMSG_LEN(sizeof(txtime));
	memcpy(CMSG_DATA(c), &txtime, sizeof(txtime));
	return sendmsg(t->fd, &msg, 0);
}

void vnl_transport_rx_stamps(const struct vnl_transport *t, const struct msghdr *msg,
			     struct vnl_rx_stamps *out)
{
	if (!t->xsk) {
		vnl_tstamp_rx(msg, out);
		return;
	}
	out->sw = t->rx_sw;
	out->hw = t->rx_hw;
}

struct vnl_rx_batch {
	size_t len;                    /* room per datagram */
	uint8_t *data;                 /* VNL_RX_BATCH * len */
	struct mmsghdr m[VNL_RX_BATCH];
	struct iovec iov[VNL_RX_BATCH];
	struct sockaddr_storage from[VNL_RX_BATCH];
	union {
		char buf[VNL_TSTAMP_CMSG_SPACE];
		struct cmsghdr align;
	} ctrl[VNL_RX_BATCH];
};

struct vnl_rx_batch *vnl_rx_batch_new(size_t len)
{
	/* malloc + memset, not calloc: every page touched now, not mid-run. */
	struct vnl_rx_batch *b = malloc(sizeof(*b));
	uint8_t *data = malloc(VNL_RX_BATCH * len);
	if (!b || !data) {
		free(b);
		free(data);
		return NULL;
	}
	memset(b, 0, sizeof(*b));
	memset(data, 0, VNL_RX_BATCH * len);
	b->len = len;
	b->data = data;
	return b;
}

void vnl_rx_batch_free(struct vnl_rx_batch *b)
{
	if (!b)
		return;
	free(b->data);
	free(b);
}

const struct msghdr *vnl_rx_batch_msg(const struct vnl_rx_batch *b, unsigned i)
{
	return &b->m[i].msg_hdr;
}

const uint8_t *vnl_rx_batch_data(const struct vnl_rx_batch *b, unsigned i)
{
	return b->data + (size_t)i * b->len;
}

size_t vnl_rx_batch_len(const struct vnl_rx_batch *b, unsigned i)
{
	return b->m[i].msg_len;
}

/* recvmmsg writes back each name and control length: set message i up again. */
static void batch_prepare(struct vnl_rx_batch *b, unsigned i, void *name)
{
	b->iov[i] = (struct iovec){ .iov_base = b->data + (size_t)i * b->len, .iov_len = b->len };
	b->m[i].msg_len = 0;
	b->m[i].msg_hdr = (struct msghdr){
		.msg_name = name, .msg_namelen = sizeof(struct sockaddr_storage),
		.msg_iov = &b->iov[i], .msg_iovlen = 1,
		.msg_control = b->ctrl[i].buf, .msg_controllen = sizeof(b->ctrl[i].buf),
	};
}

int vnl_transport_recv_batch(struct vnl_transport *t, struct vnl_rx_batch *b)
{
	if (t->xsk) {
		batch_prepare(b, 0, &t->from); /* xdp_recv fills t->from */
		ssize_t n = xdp_recv(t, &b->m[0].msg_hdr);
		if (n < 0)
			return -1;
		b->m[0].msg_len = (unsigned)n;
		return 1;
	}
	for (unsigned i = 0; i < VNL_RX_BATCH; i++)
		batch_prepare(b, i, &b->from[i]);
	/* MSG_WAITFORONE: only the first datagram is waited for. */
	return recvmmsg(t->fd, b->m, VNL_RX_BATCH, MSG_WAITFORONE, NULL);
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
	if (t->xsk)
		set_xdp_name(t, sa->sa_family);
	else if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)sa)->sin6_addr))
		set_udp_name(t, AF_INET);
	else if (sa->sa_family == AF_INET6 || sa->sa_family == AF_INET)
		set_udp_name(t, sa->sa_family);
}
