/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rules, in the order vnl_analysis_add applies them:
 *  - the window filters on sched, relative to the origin (opts.origin_ns, or
 *    the first packet's sched);
 *  - a duplicate is counted and nothing else: not received, not in a stage,
 *    not paired for IPDV, not a worst packet, its stamps not counted;
 *  - every other packet is received; reordered / no_tx_stamps come from its
 *    flags; each stage it has stamps for goes into that stage's statistics;
 *  - late: wakeup + one_way past the deadline (needs both stages);
 *  - IPDV pairs it with seq-1 and seq+1 if they have arrived (any order);
 *  - worst packets rank by one_way, by path when one_way is missing.
 */
#include "analysis.h"

#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"
#include "worst.h"

/* Recent one_way values by seq, to pair consecutive packets arriving in any order. */
#define IPDV_RING 4096

struct ipdv_slot {
	uint64_t key; /* seq + 1; 0 = empty */
	int64_t one_way;
};

struct vnl_analysis {
	struct vnl_analysis_opts opts;
	struct vnl_stats *stage[VNL_STAGE__COUNT];
	struct vnl_stats *ipdv;
	struct vnl_worst *worst;
	struct vnl_stream_extra extra;
	uint64_t received, reordered, duplicated, late, no_tx;
	uint64_t min_seq, max_seq;
	int64_t origin;
	uint64_t stamp_count[VNL_STAMP__COUNT];
	struct ipdv_slot ring[IPDV_RING];
};

static const char *const stamp_names[VNL_STAMP__COUNT] = {
	[VNL_STAMP_SCHED] = "sched",	   [VNL_STAMP_APP_TX] = "app_tx", [VNL_STAMP_TX_SCHED] = "tx_sched",
	[VNL_STAMP_TX_SW] = "tx_sw",	   [VNL_STAMP_TX_HW] = "tx_hw",	  [VNL_STAMP_RX_HW] = "rx_hw",
	[VNL_STAMP_RX_SW] = "rx_sw",	   [VNL_STAMP_APP_RX] = "app_rx",
};

const char *vnl_stamp_name(enum vnl_stamp s)
{
	return (unsigned)s < VNL_STAMP__COUNT ? stamp_names[s] : "?";
}

struct vnl_analysis *vnl_analysis_new(const struct vnl_analysis_opts *opts)
{
	struct vnl_analysis *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->opts = *opts;
	a->origin = opts->origin_ns;
	a->min_seq = UINT64_MAX;
	bool ok = (a->ipdv = vnl_stats_new()) && (a->worst = vnl_worst_new(opts->worst_n));
	for (int i = 0; ok && i < VNL_STAGE__COUNT; i++)
		ok = (a->stage[i] = vnl_stats_new()) != NULL;
	if (!ok) {
		vnl_analysis_free(a);
		return NULL;
	}
	return a;
}

void vnl_analysis_free(struct vnl_analysis *a)
{
	if (!a)
		return;
	for (int i = 0; i < VNL_STAGE__COUNT; i++)
		vnl_stats_free(a->stage[i]);
	vnl_stats_free(a->ipdv);
	vnl_worst_free(a->worst);
	free(a);
}

static bool in_window(struct vnl_analysis *a, const struct vnl_pkt *p)
{
	if (!a->origin)
		a->origin = p->sched;
	if (!a->opts.from_ns && !a->opts.to_ns)
		return true;
	int64_t t;
	if (__builtin_sub_overflow(p->sched, a->origin, &t)) /* a nonsense stamp */
		return false;
	if (t < a->opts.from_ns)
		return false;
	return !a->opts.to_ns || t < a->opts.to_ns;
}

static void count_stamps(struct vnl_analysis *a, const struct vnl_pkt *p)
{
	a->stamp_count[VNL_STAMP_SCHED] += p->sched != 0;
	a->stamp_count[VNL_STAMP_APP_TX] += p->app_tx != 0;
	a->stamp_count[VNL_STAMP_TX_SCHED] += p->tx_sched != 0;
	a->stamp_count[VNL_STAMP_TX_SW] += p->tx_sw != 0;
	a->stamp_count[VNL_STAMP_TX_HW] += p->tx_hw != 0;
	a->stamp_count[VNL_STAMP_RX_HW] += p->rx_hw != 0;
	a->stamp_count[VNL_STAMP_RX_SW] += p->rx_sw != 0;
	a->stamp_count[VNL_STAMP_APP_RX] += p->app_rx != 0;
}

/* |x - y|, saturating instead of overflowing on absurd stamps */
static int64_t abs_diff(int64_t x, int64_t y)
{
	uint64_t d = x > y ? (uint64_t)x - (uint64_t)y : (uint64_t)y - (uint64_t)x;
	return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

/* The slot of seq if it holds seq (UINT64_MAX, whose key would be 0, is never found). */
static const struct ipdv_slot *ipdv_find(const struct vnl_analysis *a, uint64_t seq)
{
	const struct ipdv_slot *slot = &a->ring[seq % IPDV_RING];
	return seq != UINT64_MAX && slot->key == seq + 1 ? slot : NULL;
}

/*
 * Each consecutive pair is measured once, by whichever of the two arrives
 * second: packet s looks for s-1 and s+1 among the recent ones. Pairs further
 * apart in arrival than the ring holds are not measured.
 */
static void pair_ipdv(struct vnl_analysis *a, uint64_t seq, int64_t one_way)
{
	/* no pairs across the wrap of the sequence space */
	const struct ipdv_slot *prev = seq != 0 ? ipdv_find(a, seq - 1) : NULL;
	const struct ipdv_slot *next = seq != UINT64_MAX ? ipdv_find(a, seq + 1) : NULL;
	if (prev)
		vnl_stats_add(a->ipdv, abs_diff(one_way, prev->one_way));
	if (next)
		vnl_stats_add(a->ipdv, abs_diff(next->one_way, one_way));
	a->ring[seq % IPDV_RING] = (struct ipdv_slot){ seq + 1, one_way };
}

/* Arrived after the deadline (counted from the schedule); absurd stamps saturate. */
static bool is_late(int64_t wakeup, int64_t one_way, int64_t deadline)
{
	int64_t since_due;
	if (__builtin_add_overflow(wakeup, one_way, &since_due))
		return wakeup > 0;
	return since_due > deadline;
}

void vnl_analysis_add(struct vnl_analysis *a, const struct vnl_pkt *p)
{
	if (!in_window(a, p))
		return;
	if (p->flags & VNL_PKT_F_DUPLICATE) {
		a->duplicated++;
		return;
	}
	a->received++;
	a->reordered += (p->flags & VNL_PKT_F_REORDERED) != 0;
	a->no_tx += !(p->flags & VNL_PKT_F_TXSTAMPS);
	if (p->seq < a->min_seq)
		a->min_seq = p->seq;
	if (p->seq > a->max_seq)
		a->max_seq = p->seq;
	count_stamps(a, p);

	int64_t v[VNL_STAGE__COUNT];
	bool have[VNL_STAGE__COUNT];
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		have[st] = vnl_pkt_stage(p, st, &v[st]);
		if (have[st])
			vnl_stats_add(a->stage[st], v[st]);
	}
	if (a->opts.deadline_ns && have[VNL_STAGE_WAKEUP] && have[VNL_STAGE_ONE_WAY])
		a->late += is_late(v[VNL_STAGE_WAKEUP], v[VNL_STAGE_ONE_WAY], a->opts.deadline_ns);
	if (have[VNL_STAGE_ONE_WAY]) {
		pair_ipdv(a, p->seq, v[VNL_STAGE_ONE_WAY]);
		vnl_worst_offer(a->worst, v[VNL_STAGE_ONE_WAY], p);
	} else if (have[VNL_STAGE_PATH]) {
		vnl_worst_offer(a->worst, v[VNL_STAGE_PATH], p);
	}
}

void vnl_analysis_set_extra(struct vnl_analysis *a, const struct vnl_stream_extra *x)
{
	a->extra = *x;
}

void vnl_analysis_set_extra_from_record(struct vnl_analysis *a, const struct vnl_record_summary *sum)
{
	struct vnl_stream_extra x = { 0 };
	if (sum)
		x = (struct vnl_stream_extra){ .sent = sum->sent, .foreign = sum->foreign,
					       .malformed = sum->malformed };
	vnl_analysis_set_extra(a, &x);
}

/*
 * Sent: the sender's own count (from its FIN, or the record's trailer) when
 * the whole run is analysed. Otherwise only the packets can tell: the span
 * of sequence numbers seen, max - min + 1. That misses loss before the first
 * and after the last packet received (the window's edges, or a stream cut
 * short before its FIN), but never invents loss for a receiver that joined a
 * stream late. On a window extra->sent (a whole-run count) is not used.
 */
static uint64_t sent_estimate(const struct vnl_analysis *a)
{
	bool windowed = a->opts.from_ns || a->opts.to_ns;
	if (!windowed && a->extra.sent)
		return a->extra.sent;
	if (!a->received)
		return 0;
	return a->max_seq - a->min_seq + 1;
}

void vnl_analysis_counts(const struct vnl_analysis *a, struct vnl_counts *out)
{
	uint64_t sent = sent_estimate(a);
	*out = (struct vnl_counts){
		.sent = sent,
		.received = a->received,
		.lost = sent > a->received ? sent - a->received : 0,
		.reordered = a->reordered,
		.duplicated = a->duplicated,
		.late = a->late,
		.foreign = a->extra.foreign,
		.malformed = a->extra.malformed,
		.no_tx_stamps = a->no_tx,
	};
}

const struct vnl_stats *vnl_analysis_stage(const struct vnl_analysis *a, enum vnl_stage st)
{
	return a->stage[st];
}

const struct vnl_stats *vnl_analysis_ipdv(const struct vnl_analysis *a)
{
	return a->ipdv;
}

size_t vnl_analysis_worst(const struct vnl_analysis *a, struct vnl_pkt *out, size_t max)
{
	return vnl_worst_sorted(a->worst, out, max);
}

int64_t vnl_analysis_origin(const struct vnl_analysis *a)
{
	return a->origin;
}

uint64_t vnl_analysis_stamp_count(const struct vnl_analysis *a, enum vnl_stamp s)
{
	return (unsigned)s < VNL_STAMP__COUNT ? a->stamp_count[s] : 0;
}
