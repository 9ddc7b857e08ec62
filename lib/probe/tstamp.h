/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SO_TIMESTAMPING (kernel Documentation/networking/timestamping.rst):
 * turning it on for a socket, reading receive stamps from a message's
 * control data, reading transmit stamps from the error queue, and enabling
 * hardware stamping on an interface when it has a PTP hardware clock.
 */
#ifndef VNL_TSTAMP_H
#define VNL_TSTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Control buffer big enough for SCM_TIMESTAMPING plus an extended error. */
#define VNL_TSTAMP_CMSG_SPACE 512

/* Sender: SCHED + SOFTWARE (+ HARDWARE) TX stamps, keyed by OPT_ID, no payload echo. */
int vnl_tstamp_enable_tx(int fd);
/* Receiver: SOFTWARE and HARDWARE RX stamps on every datagram. */
int vnl_tstamp_enable_rx(int fd);
/*
 * Wait until the kernel really stamps received packets: it switches software
 * RX stamping on for the first socket that asks from a deferred work item
 * (net_enable_timestamp), which a busy or real-time-hogged CPU can delay
 * without bound, and packets that arrive before get no rx_sw. Checked with a
 * datagram a private socket sends to itself on LOCAL (the receiver's own
 * address, port ignored; NULL: the loopback). 1: live; 0: could not be
 * checked (the address cannot carry it, e.g. lo is down); -1: not live
 * within timeout_ns.
 */
int vnl_tstamp_wait_rx_live(const struct sockaddr *local, int64_t timeout_ns);

struct vnl_rx_stamps {
	int64_t sw, hw; /* 0 = absent */
};
/* Pull the SCM_TIMESTAMPING stamps out of a received message. */
void vnl_tstamp_rx(const struct msghdr *msg, struct vnl_rx_stamps *out);

/*
 * Launch times (SO_TXTIME, kernel Documentation/networking and tc-etf(8)):
 * every probe carries an SCM_TXTIME cmsg, its launch time on CLOCK_TAI; a
 * qdisc that honours it (etf, fq; taprio in txtime-assist mode) holds the
 * packet until then, and with SOF_TXTIME_REPORT_ERRORS one it drops says
 * so on the error queue (SO_EE_ORIGIN_TXTIME). Other qdiscs (pfifo_fast,
 * noqueue, fq_codel) accept the cmsg and ignore it. 0, or -1 with errno.
 */
int vnl_txtime_enable(int fd);

/*
 * An error-queue report: a TX stamp (SCHED, SND, ACK; keyed by OPT_ID) or
 * a packet a launch-time qdisc dropped (TXTIME_*; keyed by its launch time:
 * the kernel returns it in ee_data, high 32 bits, and ee_info, low 32).
 */
enum vnl_tx_kind {
	VNL_TX_SCHED, VNL_TX_SND, VNL_TX_ACK, VNL_TX_OTHER,
	VNL_TX_TXTIME_MISSED,  /* SO_EE_CODE_TXTIME_MISSED: dequeued after its launch time */
	VNL_TX_TXTIME_INVALID, /* SO_EE_CODE_TXTIME_INVALID_PARAM: refused on enqueue */
};

struct vnl_tx_stamp {
	uint32_t key;          /* OPT_ID: index of the send call since enabling */
	enum vnl_tx_kind kind;
	int64_t sw, hw;        /* sw in ts[0], hw in ts[2]; 0 = absent */
	uint64_t txtime;       /* TXTIME_*: the dropped packet's launch time (CLOCK_TAI ns) */
};
/* Error-queue messages read per system call. */
#define VNL_TSTAMP_BATCH 64
/*
 * TX stamps are read in batches: one recvmmsg(MSG_ERRQUEUE) takes up to
 * VNL_TSTAMP_BATCH messages. The reader owns the buffers (allocated once:
 * reading allocates nothing).
 */
struct vnl_tx_reader;
struct vnl_tx_reader *vnl_tx_reader_new(void);
void vnl_tx_reader_free(struct vnl_tx_reader *r);
/*
 * Read one batch without blocking into out (room for VNL_TSTAMP_BATCH).
 * Returns how many stamps and launch-time drops (other error-queue
 * messages, ICMP errors, are consumed and skipped), 0 when the queue was empty, -1 on error (errno).
 * *more: the batch was full, the queue may hold more.
 */
int vnl_tx_reader_read(struct vnl_tx_reader *r, int fd, struct vnl_tx_stamp *out, bool *more);

struct vnl_hwts {
	bool tx_hw, rx_hw;  /* hardware stamping enabled in that direction */
	char desc[128];     /* for the report: "software (wire0/veth has no PHC)" */
};
/*
 * Enable hardware stamping on ifname (NULL or "" = every interface but lo)
 * in the wanted directions if it has a PHC; otherwise describe the
 * software fallback and print one notice. Never fails: stamps degrade.
 */
void vnl_hwts_setup(const char *ifname, bool want_tx, bool want_rx, struct vnl_hwts *out);

/* The interface holding local address sa, or "" (wildcard / not found). */
void vnl_ifname_of_addr(const struct sockaddr *sa, char *ifname, size_t len);

#endif
