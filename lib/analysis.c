/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "analysis.h"

#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"
#include "worst.h"

/* Recent one_way values by seq, to pair consecutive packets arriving in any order. */
#define IPDV_RING 4096

struct ipdv_slot {
	uint64_t seq;
	int64_t one_way;
	bool valid;
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
	int64_t t = p->sched - a->origin;
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

static void pair_ipdv(struct vnl_analysis *a, uint64_t seq, int64_t one_way)
{
	const struct ipdv_slot *prev = &a->ring[(seq - 1) % IPDV_RING];
	const struct ipdv_slot *next = &a->ring[(seq + 1) % IPDV_RING];
	if (prev->valid && prev->seq == seq - 1)
		vnl_stats_add(a->ipdv, llabs(one_way - prev->one_way));
	if (next->valid && next->seq == seq + 1)
		vnl_stats_add(a->ipdv, llabs(next->one_way - one_way));
	a->ring[seq % IPDV_RING] = (struct ipdv_slot){ seq, one_way, true };
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
	if (a->opts.deadline_ns && have[VNL_STAGE_WAKEUP] && have[VNL_STAGE_ONE_WAY] &&
	    v[VNL_STAGE_WAKEUP] + v[VNL_STAGE_ONE_WAY] > a->opts.deadline_ns)
		a->late++;
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

/*
 * Sent: the sender's own count (from its FIN) when the whole run is analysed.
 * Without it, the highest sequence number + 1 (sequences start at 0, so loss
 * at the start still counts). On a window only the span of sequence numbers
 * seen inside it can be known, so loss at the window's very edges is missed.
 */
static uint64_t sent_estimate(const struct vnl_analysis *a)
{
	bool windowed = a->opts.from_ns || a->opts.to_ns;
	if (!windowed && a->extra.sent)
		return a->extra.sent;
	if (!a->received)
		return 0;
	return windowed ? a->max_seq - a->min_seq + 1 : a->max_seq + 1;
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
