/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One probe packet as vnetlat knows it after both ends have spoken:
 * every timestamp of its journey, and the latency stages derived from them.
 * This is the unit that flows from the receiver into analysis and record files.
 */
#ifndef VNL_PKT_H
#define VNL_PKT_H

#include <stdbool.h>
#include <stdint.h>

/* All times in nanoseconds since the epoch of their clock; 0 means "absent". */
struct vnl_pkt {
	uint64_t seq;
	int64_t sched;        /* when the sender was due to send (schedule clock) */
	int64_t app_tx_sched; /* sender app time on waking for the slot, schedule clock */
	int64_t app_tx;       /* sender app time just before send(), CLOCK_REALTIME */
	int64_t tx_sched;     /* kernel SCHED stamp: entering the qdisc */
	int64_t tx_sw;        /* kernel SOFTWARE TX stamp: handed to the driver */
	int64_t tx_hw;        /* NIC HARDWARE TX stamp (PHC clock) */
	int64_t rx_hw;        /* NIC HARDWARE RX stamp (PHC clock) */
	int64_t rx_sw;        /* kernel SOFTWARE RX stamp */
	int64_t app_rx;       /* receiver app time after recvmsg(), CLOCK_REALTIME */
	uint32_t flags;       /* VNL_PKT_F_* */
	uint32_t reserved;    /* zero */
};

enum {
	VNL_PKT_F_DUPLICATE = 1u << 0, /* seq seen before; excluded from stages */
	VNL_PKT_F_REORDERED = 1u << 1, /* arrived after a higher seq */
	VNL_PKT_F_TXSTAMPS  = 1u << 2, /* sender's kernel TX stamps arrived (follow-up) */
	VNL_PKT_F_FIN       = 1u << 3, /* reserved for end-of-stream bookkeeping */
};

/* Latency stages; the names are part of the JSON contract (doc/json-schema.json). */
enum vnl_stage {
	VNL_STAGE_WAKEUP,   /* app_tx_sched - sched */
	VNL_STAGE_TX_STACK, /* last kernel TX stamp - app_tx */
	VNL_STAGE_PATH,     /* kernel RX stamp - kernel TX stamp (hw-hw, else sw-sw) */
	VNL_STAGE_RX_STACK, /* app_rx - kernel RX stamp (sw; hw only if no sw) */
	VNL_STAGE_ONE_WAY,  /* app_rx - app_tx */
	VNL_STAGE__COUNT
};

const char *vnl_stage_name(enum vnl_stage st);
/* Parse a stage name; returns -1 when unknown. */
int vnl_stage_from_name(const char *name);

/* Derive one stage of a packet. False when a stamp it needs is absent. */
bool vnl_pkt_stage(const struct vnl_pkt *p, enum vnl_stage st, int64_t *out_ns);

/* The last kernel TX stamp (hw, else sw, else sched), 0 if none. */
int64_t vnl_pkt_kernel_tx(const struct vnl_pkt *p);

#endif
