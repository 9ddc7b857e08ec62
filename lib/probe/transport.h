/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Probe sockets: UDP over IPv4 or IPv6, raw Ethernet frames over
 * AF_PACKET with a chosen EtherType, or UDP frames over an AF_XDP socket
 * (lib/xsk) that vnetlat builds and parses itself (lib/frame). Opening validates everything the user
 * gave (address, port, interface, privileges) and says what was wrong;
 * after that, sending is a single system call, receiving one per batch.
 */
#ifndef VNL_TRANSPORT_H
#define VNL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define VNL_DEFAULT_PORT 4300
#define VNL_DEFAULT_ETHERTYPE 0x88b5 /* IEEE 802 local experimental */

struct vnl_transport_opts {
	const char *addr;    /* send: DEST (IP or MAC); recv: --bind (NULL = any) */
	uint16_t port;
	bool l2;
	const char *ifname;  /* --ifname (required with l2) */
	uint16_t ethertype;
	int priority;        /* SO_PRIORITY, -1 = leave */
	int busy_poll_us;    /* SO_BUSY_POLL, 0 = leave */
	bool xdp;            /* --transport xdp: AF_XDP on --ifname */
	uint32_t queue;      /* xdp: the queue the socket binds to */
	int xsk_mode;        /* xdp: enum vnl_xsk_mode (auto, --copy, --zero-copy) */
	const char *dst_mac; /* xdp send: --dst-mac, NULL = neighbour table */
	uint32_t size;       /* xdp send: payload bytes, checked against the frame room */
};

struct vnl_transport;

/* NULL after printing one user-facing message (bad usage: exit 2). */
struct vnl_transport *vnl_transport_open_sender(const struct vnl_transport_opts *o);
struct vnl_transport *vnl_transport_open_receiver(const struct vnl_transport_opts *o);
void vnl_transport_close(struct vnl_transport *t);

int vnl_transport_fd(const struct vnl_transport *t);
/* "udp4", "udp6", "l2", "xdp4" or "xdp6" (a dual-stack receiver reports its first peer's family). */
const char *vnl_transport_name(const struct vnl_transport *t);
/* Interface to query for hardware stamps: "" means every interface. */
const char *vnl_transport_ifname(const struct vnl_transport *t);
/* Printable local end ("192.0.2.1:4300", "wire0 02:..:01 type 0x88b5"). */
const char *vnl_transport_local(const struct vnl_transport *t);
/* Sender: printable destination. Receiver: the peer set by _set_peer, or "". */
const char *vnl_transport_peer(const struct vnl_transport *t);

/* AF_XDP: the socket's fd (for the XSKMAP), else -1; and "copy mode"/"zero-copy"... */
int vnl_transport_xsk_fd(const struct vnl_transport *t);
const char *vnl_transport_xsk_mode(const struct vnl_transport *t);
/* False on AF_XDP: frames leave without SO_TIMESTAMPING (no tx_sched, tx_sw, tx_hw). */
bool vnl_transport_kernel_tx_stamps(const struct vnl_transport *t);

/* Send one probe to the destination; bytes sent or -1 (errno). */
ssize_t vnl_transport_send(struct vnl_transport *t, const void *buf, size_t len);
/* The same with an SCM_TXTIME launch time (CLOCK_TAI ns; SO_TXTIME must be on,
 * vnl_txtime_enable). Not on AF_XDP (EOPNOTSUPP). */
ssize_t vnl_transport_send_at(struct vnl_transport *t, const void *buf, size_t len,
			      uint64_t txtime);

/*
 * Datagrams are received in batches: one recvmmsg takes what is queued,
 * up to VNL_RX_BATCH (an AF_XDP socket: one frame per call). The batch
 * owns every buffer (allocated once: receiving allocates nothing).
 */
#define VNL_RX_BATCH 32
struct vnl_rx_batch;
/* Room for VNL_RX_BATCH datagrams of up to len bytes; NULL when out of memory. */
struct vnl_rx_batch *vnl_rx_batch_new(size_t len);
void vnl_rx_batch_free(struct vnl_rx_batch *b);
/* Datagram i of the last receive: its message, bytes and length. */
const struct msghdr *vnl_rx_batch_msg(const struct vnl_rx_batch *b, unsigned i);
const uint8_t *vnl_rx_batch_data(const struct vnl_rx_batch *b, unsigned i);
size_t vnl_rx_batch_len(const struct vnl_rx_batch *b, unsigned i);
/*
 * Receive into b: waits for the first datagram (at most the socket's
 * SO_RCVTIMEO; on AF_XDP VNL_TRANSPORT_WAKE_MS), takes the ones already
 * queued behind it without waiting. How many (an AF_XDP frame that is not
 * a UDP datagram comes as one of length 0), or -1 with errno (EAGAIN when
 * nothing came in time).
 */
#define VNL_TRANSPORT_WAKE_MS 100
int vnl_transport_recv_batch(struct vnl_transport *t, struct vnl_rx_batch *b);
struct vnl_rx_stamps;
/* The RX stamps of a datagram of the last batch: SO_TIMESTAMPING, or on AF_XDP
 * the XDP-ingress software stamp and the driver's hardware stamp. */
void vnl_transport_rx_stamps(const struct vnl_transport *t, const struct msghdr *msg,
			     struct vnl_rx_stamps *out);
bool vnl_transport_accept(const struct vnl_transport *t, const struct msghdr *msg);
/* Remember msg's source as the stream's peer (called once, on lock-on). */
void vnl_transport_set_peer(struct vnl_transport *t, const struct msghdr *msg);

#endif
