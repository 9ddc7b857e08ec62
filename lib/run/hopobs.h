/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host-side hop observer: packet sockets on the VM host's uplink and on
 * the guest's back-end port (tap/macvtap), in the host namespace, with
 * software receive stamps (SO_TIMESTAMPING) on frames in both directions
 * (PACKET_OUTGOING too: a frame the host sends into the tap is seen there).
 * It recognises vnetlat probes of one stream (decoded with wire.h) on a UDP
 * port and keeps, per sequence number, when each point saw it, in a ring
 * sized before the run. A background thread reads the sockets; the
 * per-packet path allocates and formats nothing.
 */
#ifndef VNL_HOPOBS_H
#define VNL_HOPOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vnl_hop_point { VNL_HOP_UPLINK, VNL_HOP_BACKEND, VNL_HOP__POINTS };
enum vnl_hop_dir { VNL_HOP_IN, VNL_HOP_OUT, VNL_HOP__DIRS }; /* frame entering / leaving the host there */

struct vnl_hop_stamps {
	int64_t t[VNL_HOP__POINTS][VNL_HOP__DIRS]; /* CLOCK_REALTIME ns, 0 = not seen */
};

struct vnl_hopobs;

/*
 * Open the sockets in NETNS on UPLINK and BACKEND (either may be "" = not observed)
 * for probes to UDP PORT, keeping the last CAPACITY sequence numbers. NULL with a
 * message printed when an interface or the namespace is missing.
 */
struct vnl_hopobs *vnl_hopobs_open(const char *netns, const char *uplink, const char *backend,
				   uint16_t port, size_t capacity);
/* Start / stop the reader thread. 0 or -1. */
int vnl_hopobs_start(struct vnl_hopobs *h);
void vnl_hopobs_stop(struct vnl_hopobs *h);
void vnl_hopobs_free(struct vnl_hopobs *h);
/* After stop: what the points saw of SEQ (false when nothing). */
bool vnl_hopobs_get(const struct vnl_hopobs *h, uint64_t seq, struct vnl_hop_stamps *out);
/* Frames of the stream seen, and how many came without a kernel stamp. */
uint64_t vnl_hopobs_seen(const struct vnl_hopobs *h);
uint64_t vnl_hopobs_unstamped(const struct vnl_hopobs *h);

#endif
