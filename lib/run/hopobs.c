/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hopobs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "tstamp.h"
#include "wire.h"

#define FRAME_MAX (VNL_WIRE_MAX_SIZE + 128)
#define POLL_MS 50

struct slot {
	uint64_t seq;
	bool used;
	struct vnl_hop_stamps st;
};

struct vnl_hopobs {
	int fd[VNL_HOP__POINTS]; /* -1: point not observed */
	uint16_t port;
	bool locked;
	uint32_t stream_id;
	struct slot *ring;
	size_t cap;
	uint64_t seen, unstamped;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	uint8_t frame[FRAME_MAX];
};

static int open_point(const char *ifname)
{
	unsigned idx = if_nametoindex(ifname);
	if (!idx) {
		vnl_errno("hop observer: no interface %s in the host namespace", ifname);
		return -1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		vnl_errno("hop observer: cannot open a packet socket (root is needed)");
		return -1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)idx };
	int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags))) {
		vnl_errno("hop observer: cannot watch %s", ifname);
		close(fd);
		return -1;
	}
	return fd;
}

/* Open the sockets inside NETNS: a packet socket belongs to the namespace it was made in. */
static int open_points_in(struct vnl_hopobs *h, const char *netns, const char *ifs[2])
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int there = vnl_netns_open(netns);
	int rc = -1;
	if (home < 0 || there < 0 || setns(there, CLONE_NEWNET)) {
		vnl_errno("hop observer: cannot enter the host namespace %s", netns);
		goto out;
	}
	rc = 0;
	for (int p = 0; p < VNL_HOP__POINTS && rc == 0; p++)
		if (ifs[p] && *ifs[p] && (h->fd[p] = open_point(ifs[p])) < 0)
			rc = -1;
	if (setns(home, CLONE_NEWNET)) {
		vnl_errno("hop observer: cannot return to the original namespace");
		rc = -1;
	}
out:
	if (home >= 0)
		close(home);
	if (there >= 0)
		close(there);
	return rc;
}

struct vnl_hopobs *vnl_hopobs_open(const char *netns, const char *uplink, const char *backend,
				   uint16_t port, size_t capacity)
{
	struct vnl_hopobs *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd[0] = h->fd[1] = -1;
	h->port = port;
	h->cap = capacity ? capacity : 1;
	h->ring = calloc(h->cap, sizeof(*h->ring));
	const char *ifs[2] = { uplink, backend };
	if (!h->ring || open_points_in(h, netns, ifs)) {
		vnl_hopobs_free(h);
		return NULL;
	}
	return h;
}

/* The UDP payload of a frame to our port, or NULL. */
static const uint8_t *udp_payload(const uint8_t *f, size_t len, uint16_t port, size_t *plen)
{
	if (len < 14)
		return NULL;
	size_t off = 12;
	uint16_t type = (uint16_t)(f[off] << 8 | f[off + 1]);
	off += 2;
	if (type == ETH_P_8021Q && len >= off + 4) {
		type = (uint16_t)(f[off + 2] << 8 | f[off + 3]);
		off += 4;
	}
	if (type == ETH_P_IP) {
		if (len < off + 20 || f[off + 9] != IPPROTO_UDP || (f[off + 6] & 0x1f) || f[off + 7])
			return NULL;
		off += (size_t)(f[off] & 0x0f) * 4;
	} else if (type == ETH_P_IPV6) {
		if (len < off + 40 || f[off + 6] != IPPROTO_UDP)
			return NULL;
		off += 40;
	} else {
		return NULL;
	}
	if (len < off + 8 || (uint16_t)(f[off + 2] << 8 | f[off + 3]) != port)
		return NULL;
	*plen = len - off - 8;
	return f + off + 8;
}

static void note_frame(struct vnl_hopobs *h, int point, size_t len, const struct sockaddr_ll *from,
		       const struct msghdr *msg)
{
	size_t plen;
	const uint8_t *pl = udp_payload(h->frame, len, h->port, &plen);
	struct vnl_probe pr;
	if (!pl || vnl_wire_decode(pl, plen, &pr) != VNL_WIRE_OK || pr.type != VNL_WIRE_DATA)
		return;
	if (!h->locked) {
		h->locked = true;
		h->stream_id = pr.stream_id;
	}
	if (pr.stream_id != h->stream_id)
		return;
	struct vnl_rx_stamps rx;
	vnl_tstamp_rx(msg, &rx);
	h->seen++;
	if (!rx.sw) {
		h->unstamped++;
		return;
	}
	struct slot *s = &h->ring[pr.seq % h->cap];
	if (!s->used || s->seq != pr.seq) {
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->seq = pr.seq;
	}
	int dir = from->sll_pkttype == PACKET_OUTGOING ? VNL_HOP_OUT : VNL_HOP_IN;
	if (!s->st.t[point][dir]) /* the first sighting counts */
		s->st.t[point][dir] = rx.sw;
}

static void drain(struct vnl_hopobs *h, int point)
{
	char ctrl[VNL_TSTAMP_CMSG_SPACE];
	struct sockaddr_ll from;
	for (;;) {
		struct iovec iov = { h->frame, sizeof(h->frame) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				      .msg_iovlen = 1, .msg_control = ctrl,
				      .msg_controllen = sizeof(ctrl) };
		ssize_t n = recvmsg(h->fd[point], &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		note_frame(h, point, (size_t)n, &from, &msg);
	}
}

static void *reader(void *arg)
{
	struct vnl_hopobs *h = arg;
	struct pollfd pfd[VNL_HOP__POINTS];
	int map[VNL_HOP__POINTS], n = 0;
	for (int p = 0; p < VNL_HOP__POINTS; p++)
		if (h->fd[p] >= 0) {
			pfd[n] = (struct pollfd){ .fd = h->fd[p], .events = POLLIN };
			map[n++] = p;
		}
	while (!atomic_load(&h->stop)) {
		if (poll(pfd, (nfds_t)n, POLL_MS) <= 0)
			continue;
		for (int i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				drain(h, map[i]);
	}
	for (int i = 0; i < n; i++) /* what arrived before stop was asked */
		drain(h, map[i]);
	return NULL;
}

int vnl_hopobs_start(struct vnl_hopobs *h)
{
	atomic_store(&h->stop, false);
	int err = pthread_create(&h->thread, NULL, reader, h);
	if (err) {
		errno = err;
		vnl_errno("hop observer: cannot start its thread");
		return -1;
	}
	h->running = true;
	return 0;
}

void vnl_hopobs_stop(struct vnl_hopobs *h)
{
	if (!h || !h->running)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->thread, NULL);
	h->running = false;
}

void vnl_hopobs_free(struct vnl_hopobs *h)
{
	if (!h)
		return;
	vnl_hopobs_stop(h);
	for (int p = 0; p < VNL_HOP__POINTS; p++)
		if (h->fd[p] >= 0)
			close(h->fd[p]);
	free(h->ring);
	free(h);
}

bool vnl_hopobs_get(const struct vnl_hopobs *h, uint64_t seq, struct vnl_hop_stamps *out)
{
	const struct slot *s = &h->ring[seq % h->cap];
	if (!s->used || s->seq != seq)
		return false;
	*out = s->st;
	return true;
}

uint64_t vnl_hopobs_seen(const struct vnl_hopobs *h)
{
	return h->seen;
}

uint64_t vnl_hopobs_unstamped(const struct vnl_hopobs *h)
{
	return h->unstamped;
}
