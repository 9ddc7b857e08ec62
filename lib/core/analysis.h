/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turns finished packets into a report model: per-stage statistics, stream
 * health (loss, reordering, duplicates, lateness), inter-packet delay
 * variation and the N worst packets. Shared by `recv` (live) and `report`
 * (from a record file), so both print the same numbers for the same packets.
 */
#ifndef VNL_ANALYSIS_H
#define VNL_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "record.h"

struct vnl_stats;
struct vnl_analysis;

struct vnl_analysis_opts {
	int64_t deadline_ns; /* late if wakeup + one_way > deadline; 0 = no deadline */
	unsigned worst_n;    /* how many worst packets to keep (by one_way, else path) */
	/*
	 * Window on the run: only packets whose sched time lies in
	 * [origin + from_ns, origin + to_ns) count; to_ns 0 = open end.
	 * origin_ns is absolute (schedule clock); 0 = the first packet's sched.
	 */
	int64_t origin_ns, from_ns, to_ns;
};

/* Counters from outside the packets themselves (receiver/record summary). */
struct vnl_stream_extra {
	uint64_t sent;      /* whole run; 0 = unknown: the span of seqs received */
	uint64_t foreign;   /* datagrams that were not vnetlat probes */
	uint64_t malformed; /* vnetlat-looking but truncated/corrupt */
};

struct vnl_counts {
	uint64_t sent, received, lost, reordered, duplicated, late, foreign, malformed;
	uint64_t no_tx_stamps; /* received but the sender's follow-up never came */
};

struct vnl_analysis *vnl_analysis_new(const struct vnl_analysis_opts *opts);
void vnl_analysis_free(struct vnl_analysis *a);

/* Feed one finished packet (any order). Hot path: allocates nothing. */
void vnl_analysis_add(struct vnl_analysis *a, const struct vnl_pkt *p);
void vnl_analysis_set_extra(struct vnl_analysis *a, const struct vnl_stream_extra *x);
/* The same from a record file's summary (sent, foreign, malformed); NULL: not known. */
void vnl_analysis_set_extra_from_record(struct vnl_analysis *a, const struct vnl_record_summary *sum);

void vnl_analysis_counts(const struct vnl_analysis *a, struct vnl_counts *out);
const struct vnl_stats *vnl_analysis_stage(const struct vnl_analysis *a, enum vnl_stage st);
/* |delay(n) - delay(n-1)| of one_way for consecutive seqs (RFC 3393 style). */
const struct vnl_stats *vnl_analysis_ipdv(const struct vnl_analysis *a);
/* Worst packets, worst first; returns how many were written. */
size_t vnl_analysis_worst(const struct vnl_analysis *a, struct vnl_pkt *out, size_t max);
/* sched time of the first packet seen (window origin), 0 if none. */
int64_t vnl_analysis_origin(const struct vnl_analysis *a);
/* How many packets carried each stamp field: index by enum vnl_stamp. */
enum vnl_stamp {
	VNL_STAMP_SCHED, VNL_STAMP_APP_TX, VNL_STAMP_TX_SCHED, VNL_STAMP_TX_SW,
	VNL_STAMP_TX_HW, VNL_STAMP_RX_HW, VNL_STAMP_RX_SW, VNL_STAMP_APP_RX,
	VNL_STAMP__COUNT
};
const char *vnl_stamp_name(enum vnl_stamp s);
uint64_t vnl_analysis_stamp_count(const struct vnl_analysis *a, enum vnl_stamp s);

#endif
