/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The time-triggered sender (like a TSN talker): probe k is due at
 * base + k * interval on the schedule clock and is sent after an absolute
 * clock_nanosleep on CLOCK_MONOTONIC (the slot converted to it), or a busy
 * wait when the slot is nearer than a sleep's overshoot. Falling behind
 * sends at once and counts the skipped slots; it never bursts to catch up.
 * Kernel TX stamps are collected from the error queue after the send, in
 * batches, without blocking, and travel to the receiver as follow-ups in
 * later probes; the stream ends with three FIN probes.
 *
 * With launch times (txtime_ns, send --txtime DELTA) the sender wakes
 * DELTA before each slot and hands the probe over with an SCM_TXTIME of
 * the slot itself on CLOCK_TAI: a launch-time qdisc (etf, fq) holds it
 * until then, so the probe leaves at base + k * interval whatever the
 * wakeup and the stack cost, as long as they stay below DELTA. The probe's
 * sched is then the wake target (slot - DELTA): the wakeup stage stays the
 * sleep's lateness, the hold in the qdisc shows in tx_stack. A probe the
 * qdisc drops (launch time missed or refused) is reported on the error
 * queue and counted by cause. The FINs wake at their slots (every launch
 * time of the stream has passed: the tail's stamps are in) and launch
 * DELTA + 20 ms later, so that a sender slower than DELTA still ends it.
 */
#ifndef VNL_SENDER_H
#define VNL_SENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct vnl_transport;
struct vnl_analysis;
struct vnl_record_writer;
struct vnl_status;

struct vnl_sender_opts {
	clockid_t clock;      /* schedule clock */
	int64_t base_ns;      /* slot 0, absolute on the schedule clock */
	int64_t interval_ns;
	uint64_t count;       /* 0 = no limit */
	int64_t duration_ns;  /* 0 = no limit */
	uint32_t size;        /* payload bytes, >= VNL_WIRE_MIN_SIZE */
	uint32_t stream_id, host_id;
	bool hw_tx;           /* hardware TX stamps were enabled: wait for them */
	int64_t spin_ns;      /* busy-wait this last stretch before each slot, 0 = none */
	int64_t txtime_ns;    /* launch times DELTA ahead (SO_TXTIME must be on), 0 = none */
};

/* Where finished packets (sender's view: no RX stamps) go; any may be NULL. */
struct vnl_sender_sinks {
	struct vnl_analysis *analysis;
	struct vnl_record_writer *record;
	struct vnl_status *status;
};

struct vnl_sender_result {
	uint64_t sent;          /* DATA probes that left (FINs not counted) */
	uint64_t missed_slots;  /* slots skipped because the sender was late */
	uint64_t send_errors;   /* send calls that failed (probe not sent) */
	uint64_t no_tx_stamps;  /* probes whose TX stamps never came */
	uint64_t txtime_missed;  /* DATA probes a launch-time qdisc dropped: dequeued too late */
	uint64_t txtime_invalid; /* ... refused: launch time in the past or out of order */
	int64_t start_ns, end_ns; /* CLOCK_REALTIME */
	bool interrupted;
};

struct vnl_sender;

struct vnl_sender *vnl_sender_new(const struct vnl_sender_opts *o, struct vnl_transport *t,
				  const struct vnl_sender_sinks *sinks);
void vnl_sender_free(struct vnl_sender *s);
/* Run the stream to its end (count, duration or a stop signal). 0, or -1 if
 * the socket failed for good (message printed). */
int vnl_sender_run(struct vnl_sender *s, struct vnl_sender_result *res);

#endif
