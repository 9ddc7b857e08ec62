/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe's wire format (doc/wire-format.md). Big-endian, versioned,
 * CRC-32 protected. Each probe carries the sender's kernel TX stamps of
 * earlier probes ("follow-ups", two-step like PTP's Follow_Up), so the
 * receiver assembles every stamp of a packet without a side channel.
 * The decoder takes untrusted bytes and never trusts a length it was given.
 */
#ifndef VNL_WIRE_H
#define VNL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define VNL_WIRE_MAGIC 0x564e4c50u /* "VNLP" */
#define VNL_WIRE_VERSION 1
#define VNL_WIRE_HEADER_SIZE 64
#define VNL_WIRE_FOLLOWUP_SIZE 32
#define VNL_WIRE_MIN_SIZE (VNL_WIRE_HEADER_SIZE + VNL_WIRE_FOLLOWUP_SIZE)
#define VNL_WIRE_MAX_SIZE 9000
#define VNL_WIRE_MAX_FOLLOWUPS 8
/*
 * The largest seq, sent_total and interval a probe may carry: every count
 * and time vnetlat reports is a signed 64-bit integer (JSON, records), so a
 * value past INT64_MAX can only be forged or corrupt. Decoded as malformed.
 */
#define VNL_WIRE_MAX_COUNT ((uint64_t)INT64_MAX)

/*
 * The end of a stream: VNL_WIRE_FIN_COPIES FINs, each at least an interval
 * after the one before and no sooner than the gaps below, so a receiver that
 * fell behind and overflowed its socket buffer at the end of a fast stream
 * has drained it by the time a later FIN arrives. A receiver's grace after
 * its first FIN covers VNL_WIRE_FIN_SPREAD_NS.
 */
#define VNL_WIRE_FIN_COPIES 3
#define VNL_WIRE_FIN_GAP1_NS 1000000LL  /* 1 ms */
#define VNL_WIRE_FIN_GAP2_NS 10000000LL /* 10 ms */
#define VNL_WIRE_FIN_SPREAD_NS (VNL_WIRE_FIN_GAP1_NS + VNL_WIRE_FIN_GAP2_NS)

enum vnl_wire_type {
	VNL_WIRE_DATA = 1, /* a scheduled probe */
	VNL_WIRE_FIN = 2,  /* end of stream: carries sent_total and late follow-ups */
};

enum {
	VNL_WIRE_F_HWTS = 1u << 0, /* sender asked for hardware TX stamps */
	VNL_WIRE_F_NO_KTX = 1u << 1, /* sender's path has no kernel TX stamps (AF_XDP) */
};

struct vnl_followup {
	uint64_t seq;
	int64_t tx_sched, tx_sw, tx_hw; /* 0 = absent */
};

struct vnl_probe {
	uint8_t type;  /* enum vnl_wire_type */
	uint8_t flags; /* VNL_WIRE_F_* */
	uint32_t stream_id; /* random per sender run */
	uint32_t host_id;   /* hash of the sender's boot id: same host => same clock */
	uint32_t clock_id;  /* sender's schedule clock (CLOCK_* value) */
	uint64_t seq;
	int64_t sched, app_tx_sched, app_tx;
	uint64_t sent_total; /* FIN: probes sent in the stream (= seq); DATA: 0 */
	int64_t interval_ns; /* DATA: the sender's schedule interval, 0 = not said (an older
			      * sender); FIN: 0. Same header field as sent_total. */
	uint8_t n_followups;
	struct vnl_followup fu[VNL_WIRE_MAX_FOLLOWUPS];
};

enum vnl_wire_result {
	VNL_WIRE_OK = 0,
	VNL_WIRE_FOREIGN,   /* not a vnetlat probe (magic absent / too short for a header) */
	VNL_WIRE_MALFORMED, /* claims to be one but is truncated, corrupt or of unknown version */
};

/* How many follow-ups fit in a payload of len bytes (0 if len < MIN_SIZE). */
unsigned vnl_wire_followup_capacity(size_t len);
/* Encode into exactly len bytes (padding zeroed); -1 if it does not fit or a
 * count is out of range (see VNL_WIRE_MAX_COUNT). */
int vnl_wire_encode(const struct vnl_probe *p, void *buf, size_t len);
enum vnl_wire_result vnl_wire_decode(const void *buf, size_t len, struct vnl_probe *out);

#endif
