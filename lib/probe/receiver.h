/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The receive loop: takes one probe stream (locks onto the first
 * stream_id), stamps each datagram (kernel RX stamps + application time),
 * holds each packet in a fixed ring until the follow-up with its sender's
 * TX stamps arrives, then hands the finished packet to the analysis and the
 * record file. Other streams and non-probes count as foreign, damaged
 * probes as malformed; neither reaches the statistics.
 */
#ifndef VNL_RECEIVER_H
#define VNL_RECEIVER_H

#include <stdbool.h>
#include <stdint.h>

struct vnl_transport;
struct vnl_analysis;
struct vnl_status;
struct vnl_rxpcap;

struct vnl_receiver_opts {
	uint64_t count;          /* stop after this many probes, 0 = no limit */
	int64_t duration_ns;     /* stop this long after the first probe, 0 = no limit */
	uint32_t host_id;        /* ours: same as the sender's => one clock */
	const char *record_path; /* NULL = no record file */
	struct vnl_rxpcap *pcap;  /* the caller's, NULL = no --pcap (see rxpcap.h) */
	/* Called on each turn of the receive loop (at least every 100 ms), never per packet:
	 * the caller's periodic work on the live analysis (recv --metrics). NULL = none. */
	void (*tick)(void *arg, int64_t now_mono_ns, const struct vnl_analysis *a);
	void *tick_arg;
};

struct vnl_receiver_result {
	bool locked;             /* a stream was seen */
	bool fin_seen;
	bool interrupted;        /* SIGINT/SIGTERM */
	uint32_t stream_id, host_id, clock_id;
	uint32_t payload_size;
	bool sender_hw_tx;       /* the sender asked for hardware TX stamps */
	bool sender_no_ktx;      /* the sender's path has no kernel TX stamps (AF_XDP) */
	uint64_t sent;           /* from the FIN; 0 = unknown */
	uint64_t received, foreign, malformed;
	int64_t start_ns, first_ns, end_ns; /* CLOCK_REALTIME */
	int64_t interval_ns;     /* estimated from the probes' schedule, 0 if unknown */
	int record_error;        /* 0, or -errno: the record file could not be written */
};

struct vnl_receiver;

struct vnl_receiver *vnl_receiver_new(const struct vnl_receiver_opts *o, struct vnl_transport *t,
				      struct vnl_analysis *a, struct vnl_status *st);
void vnl_receiver_free(struct vnl_receiver *r);
/*
 * Receive until the stream's FIN, count/duration, or a stop signal; then
 * finish every held packet, set the analysis' stream counters and close
 * the record. 0, or -1 if the socket failed (message printed).
 */
int vnl_receiver_run(struct vnl_receiver *r, struct vnl_receiver_result *res);

#endif
