/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recv --pcap: the probes as received, to a pcapng file. A UDP socket hands
 * over the payload only, so each packet is written as LINKTYPE_RAW: an IPv4
 * or IPv6 + UDP header rebuilt around the payload (the datagram's source as
 * recvmsg gave it, the socket's own address and port as destination: the
 * wildcard address when bound to all; TTL 64, checksums computed), the
 * payload cut at VNL_RXPCAP_SNAP bytes (original length kept). Packet time:
 * the kernel's software RX stamp (app_rx when there is none); an opt_comment
 * carries seq, flags, the stamps and the stages known once its follow-up came.
 *
 * Not on the per-packet path: receiving copies the payload into a slot of
 * a preallocated ring (by seq), finishing copies the packet next to it into
 * a preallocated out ring; blocks are built and written once a second from
 * the receive loop's tick, when the out ring is full, and at the end. So
 * packets are in the file in the order they were finished (a packet waits
 * for its follow-up), not strictly in time order.
 */
#ifndef VNL_RXPCAP_H
#define VNL_RXPCAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pkt.h"

#define VNL_RXPCAP_SNAP 256 /* payload bytes kept per probe */

struct vnl_rxpcap;

/* Create PATH now (fails before the run) with its SHB and one IDB named IF_NAME for the
 * socket FD. NULL with a message in ERR. */
struct vnl_rxpcap *vnl_rxpcap_open(const char *path, int fd, const char *if_name,
				   char *err, size_t errlen);
/* A probe's datagram as received (hot path: copies only). */
void vnl_rxpcap_hold(struct vnl_rxpcap *c, uint64_t seq, const uint8_t *payload, size_t len,
		     const struct msghdr *msg);
/* The probe finished with its stamps (hot path: copies; writes only when the ring is full). */
void vnl_rxpcap_add(struct vnl_rxpcap *c, const struct vnl_pkt *p);
/* At most once a second: writes what is held (now: CLOCK_MONOTONIC ns). */
void vnl_rxpcap_tick(struct vnl_rxpcap *c, int64_t now_ns);
/* Write the rest and close; 0 or -errno. Frees C. */
int vnl_rxpcap_close(struct vnl_rxpcap *c, uint64_t *written);

#endif
