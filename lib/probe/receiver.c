/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "receiver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "analysis.h"
#include "hostid.h"
#include "log.h"
#include "pkt.h"
#include "record.h"
#include "rxpcap.h"
#include "rt.h"
#include "status.h"
#include "timeutil.h"
#include "transport.h"
#include "tstamp.h"
#include "wire.h"

/* Packets held for their follow-up (power of two). */
#define PENDING_RING 16384
/* Sequence numbers remembered for duplicate detection (power of two, bits). */
#define SEEN_WINDOW 65536
/* How often a blocked receive wakes to check signals, deadlines, status. */
#define WAKE_NS (100 * VNL_NSEC_PER_MSEC)
/* After the FIN (or count/duration), how long late follow-ups may take. */
#define GRACE_MIN_NS (20 * VNL_NSEC_PER_MSEC)
#define GRACE_MAX_NS (2 * VNL_NSEC_PER_SEC)

struct pending {
	bool used;
	struct vnl_pkt pkt;
};

struct vnl_receiver {
	struct vnl_receiver_opts o;
	struct vnl_transport *t;
	struct vnl_analysis *a;
	struct vnl_status *status;
	struct vnl_record_writer *rec;
	int fd;
	struct vnl_rx_batch *batch;

	struct pending *ring;
	uint64_t n_pending;

	uint64_t *seen;      /* bitmap of seqs in (highest - SEEN_WINDOW, highest] */
	bool any_seq;
	uint64_t highest_seq;

	/* The schedule origin, and the interval: the sender's own (in its
	 * probes); from an older sender that does not say it, the smallest
	 * sched step between consecutive seqs (a late sender skips slots). */
	int64_t first_sched;
	uint64_t prev_seq;
	int64_t prev_sched, interval_ns, sender_interval_ns;

	int64_t start_mono, first_mono;
	bool ending;           /* FIN/count/duration reached: only follow-ups matter now */
	int64_t end_by_mono;   /* when ending: last moment to wait for follow-ups */

	struct vnl_receiver_result res;
};

struct vnl_receiver *vnl_receiver_new(const struct vnl_receiver_opts *o, struct vnl_transport *t,
				      struct vnl_analysis *a, struct vnl_status *st)
{
	struct vnl_receiver *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->o = *o;
	r->t = t;
	r->a = a;
	r->status = st;
	r->fd = vnl_transport_fd(t);
	r->batch = vnl_rx_batch_new(VNL_WIRE_MAX_SIZE + 1);
	/* malloc + memset, not calloc: touch every page now, not mid-run. */
	r->ring = malloc(PENDING_RING * sizeof(*r->ring));
	r->seen = malloc(SEEN_WINDOW / 8);
	if (!r->batch || !r->ring || !r->seen) {
		vnl_receiver_free(r);
		return NULL;
	}
	memset(r->ring, 0, PENDING_RING * sizeof(*r->ring));
	memset(r->seen, 0, SEEN_WINDOW / 8);
	return r;
}

void vnl_receiver_free(struct vnl_receiver *r)
{
	if (!r)
		return;
	vnl_rx_batch_free(r->batch);
	free(r->ring);
	free(r->seen);
	free(r);
}

/* ---- record file: opened on the first finished packet, when the stream is known ---- */

static int64_t interval_estimate(const struct vnl_receiver *r)
{
	return r->sender_interval_ns ? r->sender_interval_ns : r->interval_ns;
}

static void learn_interval(struct vnl_receiver *r, const struct vnl_probe *pr)
{
	if (!r->sender_interval_ns)
		r->sender_interval_ns = pr->interval_ns;
	if (r->res.received && pr->seq == r->prev_seq + 1) {
		int64_t step = pr->sched - r->prev_sched;
		if (step > 0 && (!r->interval_ns || step < r->interval_ns))
			r->interval_ns = step;
	}
	r->prev_seq = pr->seq;
	r->prev_sched = pr->sched;
}

static void record_open(struct vnl_receiver *r)
{
	struct vnl_record_meta m;
	memset(&m, 0, sizeof(m));
	m.role = VNL_ROLE_RECV;
	m.clock_id = r->res.clock_id;
	m.stream_id = r->res.stream_id;
	m.payload_size = r->res.payload_size;
	m.start_ns = r->res.start_ns;
	m.interval_ns = interval_estimate(r);
	m.base_ns = r->first_sched;
	snprintf(m.transport, sizeof(m.transport), "%s", vnl_transport_name(r->t));
	snprintf(m.local, sizeof(m.local), "%s", vnl_transport_local(r->t));
	snprintf(m.peer, sizeof(m.peer), "%s", vnl_transport_peer(r->t));
	bool same = r->res.locked && r->o.host_id && r->o.host_id == r->res.host_id;
	snprintf(m.clock_sync, sizeof(m.clock_sync), "%s", same ? "same-host" : "unknown");
	char err[256];
	r->rec = vnl_record_create(r->o.record_path, &m, err, sizeof(err));
	if (!r->rec) {
		vnl_err("%s", err);
		r->res.record_error = -EIO;
		r->o.record_path = NULL; /* do not try again per packet */
	}
}

/* ---- finished packets ---- */

static void finish(struct vnl_receiver *r, const struct vnl_pkt *p)
{
	vnl_analysis_add(r->a, p);
	vnl_status_add(r->status, p);
	if (r->o.pcap)
		vnl_rxpcap_add(r->o.pcap, p);
	if (r->o.record_path && !r->rec)
		record_open(r);
	if (r->rec)
		vnl_record_append(r->rec, p);
}

static void finish_slot(struct vnl_receiver *r, struct pending *sl)
{
	sl->used = false;
	r->n_pending--;
	finish(r, &sl->pkt);
}

static void apply_followup(struct vnl_receiver *r, const struct vnl_followup *f)
{
	struct pending *sl = &r->ring[f->seq % PENDING_RING];
	if (!sl->used || sl->pkt.seq != f->seq)
		return; /* lost, already finished, or a repeat */
	sl->pkt.tx_sched = f->tx_sched;
	sl->pkt.tx_sw = f->tx_sw;
	sl->pkt.tx_hw = f->tx_hw;
	if (f->tx_sched || f->tx_sw || f->tx_hw)
		sl->pkt.flags |= VNL_PKT_F_TXSTAMPS;
	finish_slot(r, sl);
}

/* ---- duplicates and reordering ---- */

static bool seen_test_and_set(struct vnl_receiver *r, uint64_t seq)
{
	uint64_t bit = seq % SEEN_WINDOW;
	uint64_t mask = 1ull << (bit % 64);
	bool was = r->seen[bit / 64] & mask;
	r->seen[bit / 64] |= mask;
	return was;
}

static void seen_clear(struct vnl_receiver *r, uint64_t seq)
{
	uint64_t bit = seq % SEEN_WINDOW;
	r->seen[bit / 64] &= ~(1ull << (bit % 64));
}

/* Classify seq: returns VNL_PKT_F_DUPLICATE, VNL_PKT_F_REORDERED or 0. */
static uint32_t classify_seq(struct vnl_receiver *r, uint64_t seq)
{
	if (!r->any_seq) {
		r->any_seq = true;
		r->highest_seq = seq;
		seen_test_and_set(r, seq);
		return 0;
	}
	if (seq > r->highest_seq) {
		uint64_t gap = seq - r->highest_seq;
		if (gap >= SEEN_WINDOW)
			memset(r->seen, 0, SEEN_WINDOW / 8);
		else
			for (uint64_t s = r->highest_seq + 1; s < seq; s++)
				seen_clear(r, s);
		seen_clear(r, seq);
		seen_test_and_set(r, seq);
		r->highest_seq = seq;
		return 0;
	}
	if (r->highest_seq - seq >= SEEN_WINDOW)
		return VNL_PKT_F_REORDERED; /* too old to tell a duplicate */
	if (seen_test_and_set(r, seq))
		return VNL_PKT_F_DUPLICATE;
	return VNL_PKT_F_REORDERED;
}

/* ---- one datagram ---- */

static void lock_on(struct vnl_receiver *r, const struct vnl_probe *pr, size_t len,
		    const struct msghdr *msg, int64_t app_rx)
{
	r->res.locked = true;
	r->res.stream_id = pr->stream_id;
	r->res.host_id = pr->host_id;
	r->res.clock_id = pr->clock_id;
	r->res.payload_size = (uint32_t)len;
	r->res.sender_hw_tx = pr->flags & VNL_WIRE_F_HWTS;
	r->res.sender_no_ktx = pr->flags & VNL_WIRE_F_NO_KTX;
	r->res.first_ns = app_rx;
	r->first_mono = vnl_now_ns(CLOCK_MONOTONIC);
	vnl_transport_set_peer(r->t, msg);
}

static void start_ending(struct vnl_receiver *r)
{
	if (r->ending)
		return;
	r->ending = true;
	/*
	 * The later FINs (wire.h: each an interval and at least a gap apart)
	 * carry the last follow-ups; hardware TX stamps may take ~20 ms.
	 */
	int64_t grace = 3 * interval_estimate(r) + VNL_WIRE_FIN_SPREAD_NS + GRACE_MIN_NS;
	if (grace > GRACE_MAX_NS)
		grace = GRACE_MAX_NS;
	r->end_by_mono = vnl_now_ns(CLOCK_MONOTONIC) + grace;
}

static void take_data(struct vnl_receiver *r, const struct vnl_probe *pr,
		      const struct vnl_rx_stamps *rx, int64_t app_rx)
{
	struct vnl_pkt p = {
		.seq = pr->seq, .sched = pr->sched, .app_tx_sched = pr->app_tx_sched,
		.app_tx = pr->app_tx, .rx_hw = rx->hw, .rx_sw = rx->sw, .app_rx = app_rx,
	};
	if (r->res.received == 0)
		r->first_sched = pr->sched;
	p.flags = classify_seq(r, pr->seq);
	if (!(p.flags & VNL_PKT_F_DUPLICATE))
		learn_interval(r, pr);
	if (p.flags & VNL_PKT_F_DUPLICATE) {
		finish(r, &p); /* counted as a duplicate; the original keeps its slot */
		return;
	}
	r->res.received++;
	struct pending *sl = &r->ring[pr->seq % PENDING_RING];
	if (sl->used)
		finish_slot(r, sl); /* its follow-up is too late now */
	sl->used = true;
	sl->pkt = p;
	r->n_pending++;
	if (r->o.count && r->res.received >= r->o.count)
		start_ending(r);
}

static void take_datagram(struct vnl_receiver *r, const uint8_t *buf, size_t len,
			  const struct msghdr *msg, int64_t app_rx)
{
	struct vnl_probe pr;
	enum vnl_wire_result wr = vnl_wire_decode(buf, len, &pr);
	if (wr == VNL_WIRE_FOREIGN) {
		r->res.foreign++;
		return;
	}
	if (wr != VNL_WIRE_OK) {
		r->res.malformed++;
		return;
	}
	if (!r->res.locked)
		lock_on(r, &pr, len, msg, app_rx);
	else if (pr.stream_id != r->res.stream_id) {
		r->res.foreign++; /* another vnetlat stream */
		return;
	}
	if (pr.type == VNL_WIRE_DATA && !r->ending) {
		struct vnl_rx_stamps rx;
		vnl_transport_rx_stamps(r->t, msg, &rx);
		if (r->o.pcap)
			vnl_rxpcap_hold(r->o.pcap, pr.seq, buf, len, msg);
		take_data(r, &pr, &rx, app_rx);
	} else if (pr.type == VNL_WIRE_FIN) {
		r->res.fin_seen = true;
		r->res.sent = pr.sent_total;
		start_ending(r);
	}
	for (unsigned i = 0; i < pr.n_followups && i < VNL_WIRE_MAX_FOLLOWUPS; i++)
		apply_followup(r, &pr.fu[i]);
}

/* ---- the loop ---- */

static bool time_to_stop(struct vnl_receiver *r, int64_t now_mono)
{
	if (vnl_stop_requested())
		return true;
	if (r->ending)
		return r->n_pending == 0 || now_mono >= r->end_by_mono;
	if (r->o.duration_ns) {
		int64_t from = r->res.locked ? r->first_mono : r->start_mono;
		if (now_mono - from >= r->o.duration_ns) {
			if (!r->res.locked)
				return true;
			start_ending(r);
		}
	}
	return false;
}

static int receive_loop(struct vnl_receiver *r)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = WAKE_NS / 1000 };
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		int64_t now_mono = vnl_now_ns(CLOCK_MONOTONIC);
		if (time_to_stop(r, now_mono))
			return 0;
		vnl_status_tick(r->status, now_mono, r->a, VNL_STAGE_ONE_WAY);
		vnl_rxpcap_tick(r->o.pcap, now_mono);
		if (r->o.tick)
			r->o.tick(r->o.tick_arg, now_mono, r->a);

		/* One system call takes what is queued; all of it was in our hands at app_rx. */
		int n = vnl_transport_recv_batch(r->t, r->batch);
		int64_t app_rx = vnl_now_ns(CLOCK_REALTIME);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			vnl_errno("receiving failed");
			return -1;
		}
		for (int i = 0; i < n; i++) {
			const struct msghdr *msg = vnl_rx_batch_msg(r->batch, (unsigned)i);
			if (vnl_transport_accept(r->t, msg))
				take_datagram(r, vnl_rx_batch_data(r->batch, (unsigned)i),
					      vnl_rx_batch_len(r->batch, (unsigned)i), msg, app_rx);
		}
	}
}

/* Finish every held packet, in sequence order. */
static void drain_pending(struct vnl_receiver *r)
{
	uint64_t start = r->highest_seq + 1;
	for (uint64_t i = 0; i < PENDING_RING && r->n_pending; i++) {
		struct pending *sl = &r->ring[(start + i) % PENDING_RING];
		if (sl->used)
			finish_slot(r, sl);
	}
}

int vnl_receiver_run(struct vnl_receiver *r, struct vnl_receiver_result *res)
{
	r->res.start_ns = vnl_now_ns(CLOCK_REALTIME);
	r->start_mono = vnl_now_ns(CLOCK_MONOTONIC);
	int rc = receive_loop(r);
	r->res.interrupted = vnl_stop_requested();
	r->res.end_ns = vnl_now_ns(CLOCK_REALTIME);
	drain_pending(r);
	r->res.interval_ns = interval_estimate(r);

	struct vnl_stream_extra x = { .sent = r->res.sent, .foreign = r->res.foreign,
				      .malformed = r->res.malformed };
	vnl_analysis_set_extra(r->a, &x);

	if (r->o.record_path && !r->rec)
		record_open(r); /* nothing arrived: still a valid, empty record */
	if (r->rec) {
		struct vnl_record_summary sum = {
			.sent = r->res.sent, .foreign = r->res.foreign, .malformed = r->res.malformed,
			.end_ns = r->res.end_ns, .interrupted = r->res.interrupted,
		};
		int wrc = vnl_record_finish(r->rec, &sum);
		r->rec = NULL;
		if (wrc < 0) {
			errno = -wrc;
			vnl_errno("writing the record file %s failed", r->o.record_path);
			r->res.record_error = wrc;
		}
	}
	*res = r->res;
	return rc;
}
