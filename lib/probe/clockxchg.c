/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clockxchg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clockpkt.h"
#include "timeutil.h"

struct vnl_clockans {
	int fd;
	uint16_t port;
	uint32_t resolution_ns;
};

static uint32_t realtime_resolution(void)
{
	struct timespec r;
	if (clock_getres(CLOCK_REALTIME, &r))
		return 1;
	int64_t ns = vnl_ts_to_ns(&r);
	return ns < 1 ? 1 : ns > VNL_CLOCKPKT_MAX_RES_NS ? VNL_CLOCKPKT_MAX_RES_NS : (uint32_t)ns;
}

/* SO_TIMESTAMPNS: the kernel's CLOCK_REALTIME stamp of each datagram's arrival. */
static void want_rx_stamps(int fd)
{
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
}

/* One datagram, its source and its kernel receive stamp (0: none). Length or -1 (errno). */
static ssize_t recv_stamped(int fd, void *buf, size_t len, struct sockaddr_storage *from,
			    socklen_t *from_len, int64_t *stamp)
{
	char ctl[CMSG_SPACE(sizeof(struct timespec)) * 2];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_name = from, .msg_namelen = from ? sizeof(*from) : 0,
			    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
	*stamp = 0;
	if (n < 0)
		return -1;
	if (from_len)
		*from_len = m.msg_namelen;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*stamp = vnl_ts_to_ns(&ts);
		}
	return n;
}

static int bind_to(struct vnl_clockans *a, const struct addrinfo *ai, char *why, size_t why_len)
{
	a->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (a->fd < 0) {
		snprintf(why, why_len, "cannot make a UDP socket: %s", strerror(errno));
		return -1;
	}
	if (ai->ai_family == AF_INET6) {
		int off = 0; /* "::" takes IPv4 too */
		setsockopt(a->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
	if (bind(a->fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(why, why_len, "cannot bind UDP port %u: %s", a->port, strerror(errno));
		close(a->fd);
		a->fd = -1;
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (!getsockname(a->fd, (struct sockaddr *)&ss, &sl))
		a->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	want_rx_stamps(a->fd);
	return 0;
}

struct vnl_clockans *vnl_clockans_open(const char *bind_addr, uint16_t port, char *why, size_t why_len)
{
	char service[8];
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	snprintf(service, sizeof(service), "%u", port);
	hints.ai_family = bind_addr ? AF_UNSPEC : AF_INET6;
	int rc = getaddrinfo(bind_addr, service, &hints, &res);
	if (rc && !bind_addr) { /* no IPv6 here: IPv4 only */
		hints.ai_family = AF_INET;
		rc = getaddrinfo(NULL, service, &hints, &res);
	}
	if (rc) {
		snprintf(why, why_len, "cannot use --bind %s: %s", bind_addr ? bind_addr : "(any)",
			 gai_strerror(rc));
		return NULL;
	}
	struct vnl_clockans *a = calloc(1, sizeof(*a));
	if (!a) {
		freeaddrinfo(res);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	a->port = port;
	a->resolution_ns = realtime_resolution();
	rc = bind_to(a, res, why, why_len);
	if (rc && !bind_addr && res->ai_family == AF_INET6) { /* IPv6 disabled: IPv4 */
		freeaddrinfo(res);
		res = NULL;
		hints.ai_family = AF_INET;
		if (!getaddrinfo(NULL, service, &hints, &res))
			rc = bind_to(a, res, why, why_len);
	}
	if (res)
		freeaddrinfo(res);
	if (rc) {
		free(a);
		return NULL;
	}
	return a;
}

uint16_t vnl_clockans_port(const struct vnl_clockans *a)
{
	return a->port;
}

void vnl_clockans_close(struct vnl_clockans *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

/* Answer one datagram, if it is a request. */
static void answer_one(struct vnl_clockans *a, struct vnl_clockans_stats *st)
{
	unsigned char buf[VNL_CLOCKPKT_SIZE + 16];
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	int64_t stamp;
	ssize_t n = recv_stamped(a->fd, buf, sizeof(buf), &from, &from_len, &stamp);
	int64_t t2 = stamp ? stamp : vnl_now_ns(CLOCK_REALTIME);
	struct vnl_clockpkt p;
	if (n < 0)
		return; /* nothing after all, or an ICMP error of an earlier answer */
	enum vnl_clockpkt_err e = vnl_clockpkt_parse(buf, (size_t)n, &p);
	if (e == VNL_CLOCKPKT_OK && p.type != VNL_CLOCKPKT_REQUEST)
		e = VNL_CLOCKPKT_E_TYPE;
	if (e != VNL_CLOCKPKT_OK) {
		st->rejected++;
		st->last_reject = vnl_clockpkt_strerror(e);
		return;
	}
	p.type = VNL_CLOCKPKT_ANSWER;
	p.flags = stamp ? VNL_CLOCKPKT_F_KERNEL_RX : 0;
	p.resolution_ns = a->resolution_ns;
	p.t2 = t2;
	p.t3 = t2;
	vnl_clockpkt_encode(&p, buf, sizeof(buf));
	int64_t t3 = vnl_now_ns(CLOCK_REALTIME); /* as late as possible */
	vnl_clockpkt_set_t3(buf, t3 < t2 ? t2 : t3);
	if (sendto(a->fd, buf, VNL_CLOCKPKT_SIZE, 0, (struct sockaddr *)&from, from_len) ==
	    VNL_CLOCKPKT_SIZE) {
		st->answered++;
		st->kernel_rx += stamp != 0;
	}
}

/* Drain WATCH_FD; true at end of file (or when it failed: the caller is gone). */
static bool watch_ended(int fd)
{
	char sink[512];
	ssize_t n = read(fd, sink, sizeof(sink));
	return n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN);
}

int vnl_clockans_serve(struct vnl_clockans *a, uint64_t count, int64_t timeout_ns, int watch_fd,
		       volatile sig_atomic_t *stop, struct vnl_clockans_stats *st)
{
	memset(st, 0, sizeof(*st));
	int64_t deadline = timeout_ns ? vnl_now_ns(CLOCK_MONOTONIC) + timeout_ns : 0;
	struct pollfd pf[2] = { { .fd = a->fd, .events = POLLIN }, { .fd = watch_fd, .events = POLLIN } };
	for (;;) {
		if (count && st->answered >= count) {
			st->end = VNL_CLOCKANS_COUNT;
			return 0;
		}
		if (stop && *stop) {
			st->end = VNL_CLOCKANS_SIGNAL;
			return 0;
		}
		int wait_ms = -1;
		if (deadline) {
			int64_t left = deadline - vnl_now_ns(CLOCK_MONOTONIC);
			if (left <= 0) {
				st->end = VNL_CLOCKANS_TIMEOUT;
				return 0;
			}
			wait_ms = (int)((left + VNL_NSEC_PER_MSEC - 1) / VNL_NSEC_PER_MSEC);
		}
		int rc = poll(pf, watch_fd >= 0 ? 2 : 1, wait_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (watch_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) && watch_ended(watch_fd)) {
			st->end = VNL_CLOCKANS_EOF;
			return 0;
		}
		if (pf[0].revents & POLLIN)
			answer_one(a, st);
		else if (pf[0].revents & (POLLERR | POLLNVAL))
			answer_one(a, st); /* takes the pending error off the socket */
	}
}

/* ------------------------------------------------------------------ */
/* the asker                                                            */

static int connect_to(const struct vnl_clockask_opts *o, struct vnl_clockask_result *r, char *why,
		      size_t why_len)
{
	char service[8];
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	snprintf(service, sizeof(service), "%u", o->port);
	int rc = getaddrinfo(o->addr, service, &hints, &res);
	if (rc) {
		snprintf(why, why_len, "cannot resolve %s: %s", o->addr, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			snprintf(why, why_len, "cannot reach %s port %u: %s", o->addr, o->port, strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		if (fd >= 0)
			getnameinfo(ai->ai_addr, ai->ai_addrlen, r->peer, sizeof(r->peer), NULL, 0,
				    NI_NUMERICHOST);
	}
	freeaddrinfo(res);
	if (fd >= 0)
		want_rx_stamps(fd);
	else if (!why[0])
		snprintf(why, why_len, "cannot make a UDP socket: %s", strerror(errno));
	return fd;
}

struct ask {
	int fd;
	uint64_t session;
	int64_t (*t)[4];   /* the answered exchanges, preallocated */
	bool refused;      /* an ICMP port unreachable came back */
	struct vnl_clocksync *feed;
};

/* Wait (until DEADLINE, CLOCK_MONOTONIC) for the answer to exchange SEQ sent at T1. */
static bool await_answer(struct ask *k, uint32_t seq, int64_t t1, int64_t deadline,
			 struct vnl_clockask_result *r, volatile sig_atomic_t *stop)
{
	struct pollfd pf = { .fd = k->fd, .events = POLLIN };
	for (;;) {
		int64_t left = deadline - vnl_now_ns(CLOCK_MONOTONIC);
		if (left <= 0 || (stop && *stop))
			return false;
		int rc = poll(&pf, 1, (int)((left + VNL_NSEC_PER_MSEC - 1) / VNL_NSEC_PER_MSEC));
		if (rc <= 0)
			continue; /* EINTR or the deadline, seen above */
		unsigned char buf[VNL_CLOCKPKT_SIZE + 16];
		int64_t stamp;
		ssize_t n = recv_stamped(k->fd, buf, sizeof(buf), NULL, NULL, &stamp);
		int64_t t4 = stamp ? stamp : vnl_now_ns(CLOCK_REALTIME);
		if (n < 0) {
			if (errno == ECONNREFUSED) {
				k->refused = true;
				return false;
			}
			continue;
		}
		struct vnl_clockpkt p;
		if (vnl_clockpkt_parse(buf, (size_t)n, &p) != VNL_CLOCKPKT_OK ||
		    p.type != VNL_CLOCKPKT_ANSWER || p.session != k->session || p.seq != seq || p.t1 != t1) {
			r->rejected++; /* malformed, foreign, or a late answer to an earlier one */
			continue;
		}
		int64_t *t = k->t[r->answered];
		t[0] = t1, t[1] = p.t2, t[2] = p.t3, t[3] = t4;
		if (k->feed)
			vnl_clocksync_add(k->feed, t);
		r->answered++;
		r->kernel_rx_local += stamp != 0;
		r->kernel_rx_remote += (p.flags & VNL_CLOCKPKT_F_KERNEL_RX) != 0;
		if ((int64_t)p.resolution_ns > r->resolution_remote_ns)
			r->resolution_remote_ns = p.resolution_ns;
		return true;
	}
}

static void sleep_until(int64_t mono_ns, volatile sig_atomic_t *stop)
{
	struct timespec ts = vnl_ns_to_ts(mono_ns);
	while (!(stop && *stop) && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void exchanges(struct ask *k, const struct vnl_clockask_opts *o, struct vnl_clockask_result *r)
{
	int64_t next = vnl_now_ns(CLOCK_MONOTONIC);
	for (uint64_t i = 0; i < o->count && !(o->stop && *o->stop); i++) {
		if (i && !r->answered && (i >= VNL_CLOCKASK_GIVE_UP || k->refused))
			break; /* nobody there */
		sleep_until(next, o->stop);
		unsigned char buf[VNL_CLOCKPKT_SIZE];
		int64_t t1 = vnl_now_ns(CLOCK_REALTIME);
		struct vnl_clockpkt p = { .type = VNL_CLOCKPKT_REQUEST, .seq = (uint32_t)i,
					  .session = k->session, .t1 = t1 };
		vnl_clockpkt_encode(&p, buf, sizeof(buf));
		if (send(k->fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf)) {
			r->sent++;
			await_answer(k, (uint32_t)i, t1, vnl_now_ns(CLOCK_MONOTONIC) + VNL_CLOCKASK_WAIT_NS, r,
				     o->stop);
		} else if (errno == ECONNREFUSED) {
			k->refused = true;
		}
		next += o->interval_ns;
	}
}

static void summarize(struct ask *k, struct vnl_clockask_result *r)
{
	struct vnl_clocksync *cs = vnl_clocksync_new();
	if (!cs)
		return;
	for (uint64_t i = 0; i < r->answered; i++)
		vnl_clocksync_add(cs, k->t[i]);
	vnl_clocksync_finish(cs);
	vnl_clocksync_summary(cs, &r->sync);
	vnl_clocksync_free(cs);
	r->uncertainty_ns = r->sync.uncertainty_ns + r->resolution_local_ns + r->resolution_remote_ns;
}

int vnl_clockask_run(const struct vnl_clockask_opts *o, struct vnl_clockask_result *r, char *why,
		     size_t why_len)
{
	memset(r, 0, sizeof(*r));
	why[0] = '\0';
	struct ask k = { .fd = -1, .feed = o->feed };
	r->resolution_local_ns = realtime_resolution();
	if (getrandom(&k.session, sizeof(k.session), 0) != sizeof(k.session))
		k.session = (uint64_t)vnl_now_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);
	k.t = calloc(o->count ? o->count : 1, sizeof(*k.t));
	if (!k.t) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	k.fd = connect_to(o, r, why, why_len);
	if (k.fd >= 0) {
		exchanges(&k, o, r);
		close(k.fd);
		if (!r->answered)
			snprintf(why, why_len, "no answer from %s port %u to %" PRIu64 " exchange%s%s; is "
				 "'vnetlat clock answer' running there (and the port open)?",
				 o->addr, o->port, r->sent, r->sent == 1 ? "" : "s",
				 k.refused ? " (connection refused: nothing listens on that port)" : "");
	}
	if (r->answered)
		summarize(&k, r);
	free(k.t);
	return r->answered ? 0 : -1;
}
