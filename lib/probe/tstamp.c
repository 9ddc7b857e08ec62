/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tstamp.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/errqueue.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

int vnl_tstamp_enable_tx(int fd)
{
	/*
	 * OPT_TSONLY: the error queue returns stamps without a copy of the
	 * packet. OPT_TX_SWHW: with a PHC, both the software and the hardware
	 * SND stamp come back (as two messages). TX_HARDWARE is harmless on
	 * interfaces without a PHC; they just never report one.
	 */
	int flags = SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE |
		    SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_SOFTWARE |
		    SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_OPT_ID |
		    SOF_TIMESTAMPING_OPT_TSONLY | SOF_TIMESTAMPING_OPT_TX_SWHW;
	return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags));
}

int vnl_txtime_enable(int fd)
{
	struct sock_txtime st = { .clockid = CLOCK_TAI, .flags = SOF_TXTIME_REPORT_ERRORS };
	return setsockopt(fd, SOL_SOCKET, SO_TXTIME, &st, sizeof(st));
}

int vnl_tstamp_enable_rx(int fd)
{
	int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_RX_HARDWARE |
		    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
	return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags));
}

/* A socket bound to LOCAL's address (any port), connected to itself, with RX stamps on. */
static int self_socket(const struct sockaddr *local)
{
	struct sockaddr_storage a;
	socklen_t len;
	if (local && local->sa_family == AF_INET6) {
		memcpy(&a, local, sizeof(struct sockaddr_in6));
		((struct sockaddr_in6 *)&a)->sin6_port = 0;
		len = sizeof(struct sockaddr_in6);
	} else if (local && local->sa_family == AF_INET) {
		memcpy(&a, local, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)&a)->sin_port = 0;
		len = sizeof(struct sockaddr_in);
	} else {
		struct sockaddr_in lo = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		memcpy(&a, &lo, sizeof(lo));
		len = sizeof(lo);
	}
	int fd = socket(a.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0 ||
	    connect(fd, (struct sockaddr *)&a, len) < 0 || vnl_tstamp_enable_rx(fd) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Did a datagram come back with a software stamp? Drains what is queued. */
static bool self_stamped(int fd)
{
	bool stamped = false;
	for (;;) {
		char byte, control[VNL_TSTAMP_CMSG_SPACE];
		struct iovec iov = { &byte, 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
				      .msg_controllen = sizeof(control) };
		if (recvmsg(fd, &msg, MSG_DONTWAIT) < 0)
			return stamped;
		struct vnl_rx_stamps st;
		vnl_tstamp_rx(&msg, &st);
		stamped |= st.sw != 0;
	}
}

int vnl_tstamp_wait_rx_live(const struct sockaddr *local, int64_t timeout_ns)
{
	int fd = self_socket(local);
	if (fd < 0)
		return 0;
	int64_t deadline = vnl_now_ns(CLOCK_MONOTONIC) + timeout_ns;
	int rc = -1, answered = 0;
	do {
		if (send(fd, "", 1, 0) < 0 && errno != EAGAIN) {
			rc = 0; /* this address carries nothing (lo down, no route) */
			break;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5) > 0) {
			answered++;
			if (self_stamped(fd)) {
				rc = 1;
				break;
			}
		}
	} while (vnl_now_ns(CLOCK_MONOTONIC) < deadline);
	if (rc < 0 && !answered)
		rc = 0; /* nothing came back at all: not a verdict on stamping */
	close(fd);
	return rc;
}

/* struct scm_timestamping: ts[0] software, ts[1] legacy, ts[2] raw hardware. */
static void read_scm_timestamping(const struct cmsghdr *c, int64_t *sw, int64_t *hw)
{
	struct timespec ts[3];
	memcpy(ts, CMSG_DATA(c), sizeof(ts));
	*sw = (ts[0].tv_sec || ts[0].tv_nsec) ? vnl_ts_to_ns(&ts[0]) : 0;
	*hw = (ts[2].tv_sec || ts[2].tv_nsec) ? vnl_ts_to_ns(&ts[2]) : 0;
}

void vnl_tstamp_rx(const struct msghdr *msg, struct vnl_rx_stamps *out)
{
	out->sw = out->hw = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING &&
		    c->cmsg_len >= CMSG_LEN(3 * sizeof(struct timespec)))
			read_scm_timestamping(c, &out->sw, &out->hw);
	}
}

static bool is_extended_err(const struct cmsghdr *c)
{
	return (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
	       (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR) ||
	       (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_TX_TIMESTAMP);
}

static enum vnl_tx_kind tx_kind(uint32_t tstype)
{
	switch (tstype) {
	case SCM_TSTAMP_SCHED:
		return VNL_TX_SCHED;
	case SCM_TSTAMP_SND:
		return VNL_TX_SND;
	case SCM_TSTAMP_ACK:
		return VNL_TX_ACK;
	default:
		return VNL_TX_OTHER;
	}
}

/* A launch-time qdisc's drop report: 1 (filled), 0 if of a kind not known. */
static int parse_txtime(const struct sock_extended_err *ee, struct vnl_tx_stamp *out)
{
	if (ee->ee_errno == ECANCELED && ee->ee_code == SO_EE_CODE_TXTIME_MISSED)
		out->kind = VNL_TX_TXTIME_MISSED;
	else if (ee->ee_errno == EINVAL && ee->ee_code == SO_EE_CODE_TXTIME_INVALID_PARAM)
		out->kind = VNL_TX_TXTIME_INVALID;
	else
		return 0;
	out->key = 0;
	out->sw = out->hw = 0;
	out->txtime = (uint64_t)ee->ee_data << 32 | ee->ee_info;
	return 1;
}

/* 1 if msg was a timestamp or launch-time report (filled), 0 if some other message. */
static int parse_tx(struct msghdr *msg, struct vnl_tx_stamp *out)
{
	bool have_ts = false, have_ee = false;
	out->txtime = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING &&
		    c->cmsg_len >= CMSG_LEN(3 * sizeof(struct timespec))) {
			read_scm_timestamping(c, &out->sw, &out->hw);
			have_ts = true;
		} else if (is_extended_err(c) &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err))) {
			struct sock_extended_err ee;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin == SO_EE_ORIGIN_TXTIME)
				return parse_txtime(&ee, out);
			if (ee.ee_errno != ENOMSG || ee.ee_origin != SO_EE_ORIGIN_TIMESTAMPING)
				return 0;
			out->key = ee.ee_data;
			out->kind = tx_kind(ee.ee_info);
			have_ee = true;
		}
	}
	return have_ts && have_ee;
}

/* One recvmmsg's worth of error-queue messages, with their buffers. */
struct vnl_tx_reader {
	struct mmsghdr m[VNL_TSTAMP_BATCH];
	struct iovec iov[VNL_TSTAMP_BATCH];
	char data[VNL_TSTAMP_BATCH][64]; /* OPT_TSONLY: normally empty; ICMP errors carry bytes */
	union {
		char buf[VNL_TSTAMP_CMSG_SPACE];
		struct cmsghdr align;
	} ctrl[VNL_TSTAMP_BATCH];
};

struct vnl_tx_reader *vnl_tx_reader_new(void)
{
	/* malloc + memset, not calloc: every page touched now, not mid-run. */
	struct vnl_tx_reader *r = malloc(sizeof(*r));
	if (r)
		memset(r, 0, sizeof(*r));
	return r;
}

void vnl_tx_reader_free(struct vnl_tx_reader *r)
{
	free(r);
}

/* recvmmsg writes back each msg_controllen: set every message up again. */
static void reader_reset(struct vnl_tx_reader *r)
{
	for (unsigned i = 0; i < VNL_TSTAMP_BATCH; i++) {
		r->iov[i] = (struct iovec){ .iov_base = r->data[i], .iov_len = sizeof(r->data[i]) };
		r->m[i].msg_hdr = (struct msghdr){ .msg_iov = &r->iov[i], .msg_iovlen = 1,
						   .msg_control = r->ctrl[i].buf,
						   .msg_controllen = sizeof(r->ctrl[i].buf) };
	}
}

int vnl_tx_reader_read(struct vnl_tx_reader *r, int fd, struct vnl_tx_stamp *out, bool *more)
{
	*more = false;
	reader_reset(r);
	int n;
	do
		n = recvmmsg(fd, r->m, VNL_TSTAMP_BATCH, MSG_ERRQUEUE | MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	*more = n == VNL_TSTAMP_BATCH;
	int k = 0;
	for (int i = 0; i < n; i++)
		k += parse_tx(&r->m[i].msg_hdr, &out[k]);
	return k;
}

/* ---- hardware stamping ---- */

static int ethtool_ioctl(int sock, const char *ifname, void *data)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(sock, SIOCETHTOOL, &ifr);
}

static void driver_name(int sock, const char *ifname, char *out, size_t len)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	if (ethtool_ioctl(sock, ifname, &di) == 0 && di.driver[0])
		snprintf(out, len, "%.31s", di.driver);
	else
		snprintf(out, len, "?");
}

static int hwtstamp_ioctl(int sock, const char *ifname, unsigned long req,
			  struct hwtstamp_config *cfg)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)cfg;
	return ioctl(sock, req, &ifr);
}

/* Enable on one interface; true if hardware stamping is now on as wanted. */
static bool enable_one(int sock, const char *ifname, bool want_tx, bool want_rx,
		       struct vnl_hwts *out)
{
	struct ethtool_ts_info info = { .cmd = ETHTOOL_GET_TS_INFO };
	bool has_phc = ethtool_ioctl(sock, ifname, &info) == 0 && info.phc_index >= 0;
	bool can_tx = has_phc && (info.so_timestamping & SOF_TIMESTAMPING_TX_HARDWARE) &&
		      (info.tx_types & (1u << HWTSTAMP_TX_ON));
	bool can_rx = has_phc && (info.so_timestamping & SOF_TIMESTAMPING_RX_HARDWARE) &&
		      (info.rx_filters & (1u << HWTSTAMP_FILTER_ALL));
	if ((want_tx && !can_tx) || (want_rx && !can_rx) || !has_phc)
		return false;

	/* Keep the other direction as it was configured (e.g. by ptp4l). */
	struct hwtstamp_config cfg = { 0 };
	if (hwtstamp_ioctl(sock, ifname, SIOCGHWTSTAMP, &cfg) < 0)
		memset(&cfg, 0, sizeof(cfg));
	if (want_tx)
		cfg.tx_type = HWTSTAMP_TX_ON;
	if (want_rx)
		cfg.rx_filter = HWTSTAMP_FILTER_ALL;
	if (hwtstamp_ioctl(sock, ifname, SIOCSHWTSTAMP, &cfg) < 0) {
		vnl_notice("%s has a PTP clock but enabling hardware stamps failed (%s); "
			   "using software stamps", ifname, strerror(errno));
		return false;
	}
	out->tx_hw |= want_tx && cfg.tx_type == HWTSTAMP_TX_ON;
	out->rx_hw |= want_rx && cfg.rx_filter != HWTSTAMP_FILTER_NONE;
	return true;
}

static void setup_all(int sock, bool want_tx, bool want_rx, struct vnl_hwts *out)
{
	struct ifaddrs *ifa_list;
	unsigned n_hw = 0;
	if (getifaddrs(&ifa_list) < 0)
		return;
	for (struct ifaddrs *ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		/* One AF_PACKET entry per interface. */
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_PACKET ||
		    (ifa->ifa_flags & IFF_LOOPBACK))
			continue;
		n_hw += enable_one(sock, ifa->ifa_name, want_tx, want_rx, out);
	}
	freeifaddrs(ifa_list);
	if (n_hw)
		snprintf(out->desc, sizeof(out->desc), "hardware (%u interface%s with a PHC)",
			 n_hw, n_hw > 1 ? "s" : "");
	else
		snprintf(out->desc, sizeof(out->desc), "software (no interface has a PHC)");
}

void vnl_hwts_setup(const char *ifname, bool want_tx, bool want_rx, struct vnl_hwts *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->desc, sizeof(out->desc), "software");
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return;
	if (!ifname || !ifname[0]) {
		setup_all(sock, want_tx, want_rx, out);
		if (!out->tx_hw && !out->rx_hw)
			vnl_notice("no interface has hardware timestamping; using software stamps");
	} else if (enable_one(sock, ifname, want_tx, want_rx, out)) {
		snprintf(out->desc, sizeof(out->desc), "hardware (%s PHC)", ifname);
	} else {
		char drv[32];
		driver_name(sock, ifname, drv, sizeof(drv));
		snprintf(out->desc, sizeof(out->desc), "software (%s/%s has no PHC)", ifname, drv);
		vnl_notice("%s (%s) has no hardware timestamping; using software stamps",
			   ifname, drv);
	}
	close(sock);
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	return false;
}

void vnl_ifname_of_addr(const struct sockaddr *sa, char *ifname, size_t len)
{
	struct ifaddrs *ifa_list;
	ifname[0] = '\0';
	if (getifaddrs(&ifa_list) < 0)
		return;
	for (struct ifaddrs *ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr && same_addr(ifa->ifa_addr, sa)) {
			snprintf(ifname, len, "%s", ifa->ifa_name);
			break;
		}
	}
	freeifaddrs(ifa_list);
}
