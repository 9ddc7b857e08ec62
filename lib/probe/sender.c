/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sender.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "analysis.h"
#include "log.h"
#include "pkt.h"
#include "record.h"
#include "rt.h"
#include "status.h"
#include "timeutil.h"
#include "transport.h"
#include "tstamp.h"
#include "wire.h"

/* Probes whose TX stamps may be outstanding at once (power of two). */
#define TX_RING 4096
/* Finished follow-ups waiting for a probe to carry them (power of two). */
#define FU_RING 4096
/* A probe's stamps are given up on after this long (hardware stamps are late). */
#define STAMP_TIMEOUT_NS (20 * VNL_NSEC_PER_MSEC)
/* Most probes sent between two reads of the error queue (see drain_every). */
#define DRAIN_MAX 16
/* What a sleep is assumed to overshoot before one was measured, and at most. */
#define SLEEP_COST_INIT_NS (50 * VNL_NSEC_PER_USEC)
#define SLEEP_COST_MAX_NS (100 * VNL_NSEC_PER_USEC)
/*
 * With launch times a FIN launches this much later than DELTA after its
 * wakeup: a launch-time qdisc drops a packet whose launch time has passed
 * by the time it is queued, and a sender slower than DELTA (a loaded host,
 * a TCG guest) must still end the stream. A FIN's timing is not measured.
 */
#define FIN_TXTIME_SLACK_NS (20 * VNL_NSEC_PER_MSEC)

/* One sent probe, indexed by its OPT_ID key, until its stamps are complete. */
struct tx_slot {
	bool used, fin;
	uint32_t key;
	int64_t give_up_ns; /* CLOCK_MONOTONIC */
	uint64_t txtime;    /* launch time (CLOCK_TAI), 0 = none */
	struct vnl_pkt pkt;
};

struct vnl_sender {
	struct vnl_sender_opts o;
	struct vnl_sender_sinks sinks;
	struct vnl_transport *t;
	int fd;
	bool no_ktx; /* AF_XDP: no kernel TX stamps will ever come */
	unsigned fu_capacity;
	uint8_t *buf;

	struct tx_slot *ring;
	uint32_t next_key;   /* OPT_ID key the next successful send gets */
	uint32_t oldest_key; /* keys below are finished */

	struct vnl_followup *fu; /* FIFO of follow-ups to carry */
	uint32_t fu_head, fu_tail;
	struct vnl_followup last_fu[VNL_WIRE_MAX_FOLLOWUPS]; /* repeated by FINs */
	unsigned n_last_fu;

	struct vnl_tx_reader *rd;
	struct vnl_tx_stamp stamps[VNL_TSTAMP_BATCH];
	unsigned unread;      /* probes sent since the error queue was last read */
	unsigned drain_every; /* read it at least every this many probes */

	int64_t mono_off;      /* schedule clock - CLOCK_MONOTONIC, at the last wait */
	int64_t tai_off;       /* CLOCK_TAI - schedule clock, at the last send */
	int64_t sleep_cost_ns; /* how late a sleep usually wakes (moving average) */

	struct vnl_sender_result res;
};

struct vnl_sender *vnl_sender_new(const struct vnl_sender_opts *o, struct vnl_transport *t,
				  const struct vnl_sender_sinks *sinks)
{
	struct vnl_sender *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->o = *o;
	s->sinks = *sinks;
	s->t = t;
	s->fd = vnl_transport_fd(t);
	s->no_ktx = !vnl_transport_kernel_tx_stamps(t);
	s->fu_capacity = vnl_wire_followup_capacity(o->size);
	/*
	 * Stamps read in batches come back as follow-ups in bursts; each probe
	 * carries fu_capacity of them, so a burst is carried off within the
	 * next burst's probes and the FINs can still carry the last one.
	 */
	s->drain_every = 2 * s->fu_capacity < DRAIN_MAX ? 2 * s->fu_capacity : DRAIN_MAX;
	if (s->drain_every < 1)
		s->drain_every = 1;
	s->sleep_cost_ns = SLEEP_COST_INIT_NS;
	s->rd = vnl_tx_reader_new();
	s->buf = calloc(1, o->size);
	/* malloc + memset, not calloc: touch every page now, not mid-run. */
	s->ring = malloc(TX_RING * sizeof(*s->ring));
	s->fu = malloc(FU_RING * sizeof(*s->fu));
	if (!s->rd || !s->buf || !s->ring || !s->fu) {
		vnl_sender_free(s);
		return NULL;
	}
	memset(s->ring, 0, TX_RING * sizeof(*s->ring));
	memset(s->fu, 0, FU_RING * sizeof(*s->fu));
	return s;
}

void vnl_sender_free(struct vnl_sender *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s->ring);
	free(s->fu);
	vnl_tx_reader_free(s->rd);
	free(s);
}

/* ---- follow-up FIFO ---- */

static unsigned fu_len(const struct vnl_sender *s)
{
	return s->fu_tail - s->fu_head;
}

static void fu_push(struct vnl_sender *s, const struct vnl_pkt *p)
{
	if (fu_len(s) == FU_RING)
		s->fu_head++; /* the oldest follow-up is dropped: its probe goes without */
	struct vnl_followup *f = &s->fu[s->fu_tail++ % FU_RING];
	f->seq = p->seq;
	f->tx_sched = p->tx_sched;
	f->tx_sw = p->tx_sw;
	f->tx_hw = p->tx_hw;
}

/* Copy up to max follow-ups from the head without removing them. */
static unsigned fu_peek(const struct vnl_sender *s, struct vnl_followup *out, unsigned max)
{
	unsigned n = fu_len(s) < max ? fu_len(s) : max;
	for (unsigned i = 0; i < n; i++)
		out[i] = s->fu[(s->fu_head + i) % FU_RING];
	return n;
}

/* ---- TX stamp collection ---- */

static bool slot_complete(const struct vnl_sender *s, const struct tx_slot *sl)
{
	return sl->pkt.tx_sched && sl->pkt.tx_sw && (sl->pkt.tx_hw || !s->o.hw_tx);
}

/* The probe's stamps are as complete as they will get: hand it on. */
static void slot_finish(struct vnl_sender *s, struct tx_slot *sl)
{
	sl->used = false;
	if (sl->fin)
		return;
	struct vnl_pkt *p = &sl->pkt;
	if (p->tx_sched || p->tx_sw || p->tx_hw)
		p->flags |= VNL_PKT_F_TXSTAMPS;
	else
		s->res.no_tx_stamps++;
	fu_push(s, p);
	if (s->sinks.analysis)
		vnl_analysis_add(s->sinks.analysis, p);
	if (s->sinks.record)
		vnl_record_append(s->sinks.record, p);
}

/* The outstanding probe with this launch time, or NULL (already given up on). */
static struct tx_slot *slot_by_txtime(struct vnl_sender *s, uint64_t txtime)
{
	for (uint32_t k = s->oldest_key; k != s->next_key; k++) {
		struct tx_slot *sl = &s->ring[k % TX_RING];
		if (sl->used && sl->key == k && sl->txtime == txtime)
			return sl;
	}
	return NULL;
}

/* A launch-time qdisc dropped the probe: no SND stamp will come; count the cause. */
static void apply_txtime_drop(struct vnl_sender *s, const struct vnl_tx_stamp *ts)
{
	struct tx_slot *sl = slot_by_txtime(s, ts->txtime);
	if (!sl)
		return;
	if (!sl->fin) {
		if (ts->kind == VNL_TX_TXTIME_MISSED)
			s->res.txtime_missed++;
		else
			s->res.txtime_invalid++;
	}
	slot_finish(s, sl);
}

static void apply_stamp(struct vnl_sender *s, const struct vnl_tx_stamp *ts)
{
	if (ts->kind == VNL_TX_TXTIME_MISSED || ts->kind == VNL_TX_TXTIME_INVALID) {
		apply_txtime_drop(s, ts);
		return;
	}
	struct tx_slot *sl = &s->ring[ts->key % TX_RING];
	if (!sl->used || sl->key != ts->key)
		return; /* already given up on */
	if (ts->kind == VNL_TX_SCHED) {
		sl->pkt.tx_sched = ts->sw;
	} else if (ts->kind == VNL_TX_SND) {
		if (ts->sw)
			sl->pkt.tx_sw = ts->sw;
		if (ts->hw)
			sl->pkt.tx_hw = ts->hw;
	}
	if (slot_complete(s, sl))
		slot_finish(s, sl);
}

/* Drain the error queue in batches (never blocks), then give up on stale probes. */
static void collect_stamps(struct vnl_sender *s, bool give_up_all)
{
	bool more = !s->no_ktx;
	while (more) {
		int n = vnl_tx_reader_read(s->rd, s->fd, s->stamps, &more);
		for (int i = 0; i < n; i++)
			apply_stamp(s, &s->stamps[i]);
	}
	s->unread = 0;
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
	while (s->oldest_key != s->next_key) {
		struct tx_slot *sl = &s->ring[s->oldest_key % TX_RING];
		if (sl->used && sl->key == s->oldest_key) {
			if (!give_up_all && now < sl->give_up_ns)
				break;
			slot_finish(s, sl);
		}
		s->oldest_key++;
	}
}

static void track_sent(struct vnl_sender *s, const struct vnl_probe *pr, bool fin,
		       uint64_t txtime)
{
	/* A full ring means the oldest probe's stamps are not coming. */
	if (s->next_key - s->oldest_key >= TX_RING) {
		struct tx_slot *old = &s->ring[s->oldest_key % TX_RING];
		if (old->used)
			slot_finish(s, old);
		s->oldest_key++;
	}
	struct tx_slot *sl = &s->ring[s->next_key % TX_RING];
	memset(sl, 0, sizeof(*sl));
	sl->used = true;
	sl->fin = fin;
	sl->key = s->next_key++;
	sl->txtime = txtime;
	/* A launch time holds the probe in the qdisc up to DELTA after the wakeup. */
	sl->give_up_ns = pr->app_tx_sched - s->mono_off + s->o.txtime_ns + STAMP_TIMEOUT_NS;
	sl->pkt.seq = pr->seq;
	sl->pkt.sched = pr->sched;
	sl->pkt.app_tx_sched = pr->app_tx_sched;
	sl->pkt.app_tx = pr->app_tx;
	if (s->no_ktx)
		slot_finish(s, sl); /* nothing to wait for: the follow-up says so at once */
}

/* ---- sending ---- */

/*
 * Encode and send one probe. app_tx_sched was read on waking (the wakeup
 * stage is the sleep's lateness only, as cyclictest's); app_tx is read
 * as late as possible: encoding (a CRC over size bytes) is the only work
 * between it and the send call. Returns 0, or -1 with errno.
 */
static int send_probe(struct vnl_sender *s, struct vnl_probe *pr, uint64_t txtime)
{
	pr->app_tx = vnl_now_ns(CLOCK_REALTIME);
	if (vnl_wire_encode(pr, s->buf, s->o.size) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	ssize_t n = txtime ? vnl_transport_send_at(s->t, s->buf, s->o.size, txtime)
			   : vnl_transport_send(s->t, s->buf, s->o.size);
	return n < 0 ? -1 : 0;
}

/*
 * CLOCK_TAI - the schedule clock, read after each wakeup (a step of either
 * is followed). CLOCK_TAI is CLOCK_REALTIME plus the kernel's TAI offset, a
 * whole number of seconds: against realtime the difference is rounded to
 * it, so the two reads' distance does not jitter the launch times.
 */
static void learn_tai_offset(struct vnl_sender *s)
{
	if (s->o.clock == CLOCK_TAI) {
		s->tai_off = 0;
		return;
	}
	int64_t d = vnl_now_ns(CLOCK_TAI) - vnl_now_ns(s->o.clock);
	if (s->o.clock == CLOCK_REALTIME)
		d = (d + (d < 0 ? -1 : 1) * (VNL_NSEC_PER_SEC / 2)) / VNL_NSEC_PER_SEC *
		    VNL_NSEC_PER_SEC;
	s->tai_off = d;
}

/* Launch time of a probe leaving at t on the schedule clock; 0 without --txtime. */
static uint64_t launch_time(struct vnl_sender *s, int64_t t)
{
	if (!s->o.txtime_ns)
		return 0;
	learn_tai_offset(s);
	int64_t tai = t + s->tai_off;
	return tai > 0 ? (uint64_t)tai : 1;
}

static void probe_init(const struct vnl_sender *s, struct vnl_probe *pr, uint8_t type,
		       uint64_t seq, int64_t sched)
{
	memset(pr, 0, sizeof(*pr));
	pr->type = type;
	pr->flags = (s->o.hw_tx ? VNL_WIRE_F_HWTS : 0) | (s->no_ktx ? VNL_WIRE_F_NO_KTX : 0);
	pr->stream_id = s->o.stream_id;
	pr->host_id = s->o.host_id;
	pr->clock_id = (uint32_t)s->o.clock;
	pr->seq = seq;
	pr->sched = sched;
	if (type == VNL_WIRE_DATA)
		pr->interval_ns = s->o.interval_ns; /* the receiver states it, not guesses it */
}

/* Absolute sleep on CLOCK_MONOTONIC; false if a stop signal came first. */
static bool sleep_mono(int64_t until)
{
	struct timespec ts = vnl_ns_to_ts(until);
	for (;;) {
		int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (rc == 0)
			return true;
		if (rc != EINTR || vnl_stop_requested())
			return false;
	}
}

/* Busy-wait until due on the schedule clock; the time it ended, or -1 on a stop signal. */
static int64_t spin_until(const struct vnl_sender *s, int64_t due)
{
	for (;;) {
		int64_t now = vnl_now_ns(s->o.clock);
		if (now >= due)
			return now;
		if (vnl_stop_requested())
			return -1;
	}
}

static void learn_sleep_cost(struct vnl_sender *s, int64_t overshoot)
{
	if (overshoot < 0)
		overshoot = 0;
	if (overshoot > SLEEP_COST_MAX_NS)
		overshoot = SLEEP_COST_MAX_NS;
	s->sleep_cost_ns += (overshoot - s->sleep_cost_ns) / 8;
}

/*
 * Wait for the slot due on the schedule clock and return the time on that
 * clock read first thing after waking (the probe's app_tx_sched), or -1 if
 * a stop signal came first. The sleep is an absolute clock_nanosleep on
 * CLOCK_MONOTONIC (as cyclictest's), the schedule converted to it each
 * slot (so a step of the schedule clock is followed). A slot nearer than a
 * sleep's usual overshoot is waited for busily; --spin busy-waits the last
 * stretch of every slot.
 */
static int64_t wait_slot(struct vnl_sender *s, int64_t due)
{
	int64_t now = vnl_now_ns(s->o.clock);
	s->mono_off = s->o.clock == CLOCK_MONOTONIC ? 0 : now - vnl_now_ns(CLOCK_MONOTONIC);
	int64_t early = s->o.spin_ns > s->sleep_cost_ns ? s->o.spin_ns : s->sleep_cost_ns;
	if (due - now <= early)
		return spin_until(s, due);
	int64_t target = due - s->o.spin_ns;
	if (!sleep_mono(target - s->mono_off))
		return -1;
	int64_t woke = vnl_now_ns(s->o.clock);
	learn_sleep_cost(s, woke - target);
	return s->o.spin_ns ? spin_until(s, due) : woke;
}

static bool send_failed_for_good(int err)
{
	/* Transient: full queues, a neighbour not resolved yet, an ICMP error. */
	return err != ENOBUFS && err != EAGAIN && err != EWOULDBLOCK && err != ECONNREFUSED &&
	       err != EHOSTUNREACH && err != ENETUNREACH && err != EINTR;
}

/* due: the wake target (the probe's sched); it launches at due + txtime_ns. */
static int send_data(struct vnl_sender *s, int64_t due, int64_t woke)
{
	struct vnl_probe pr;
	probe_init(s, &pr, VNL_WIRE_DATA, s->res.sent, due);
	pr.app_tx_sched = woke;
	pr.n_followups = (uint8_t)fu_peek(s, pr.fu, s->fu_capacity);
	uint64_t txtime = launch_time(s, due + s->o.txtime_ns);
	if (send_probe(s, &pr, txtime) < 0) {
		s->res.send_errors++;
		if (send_failed_for_good(errno)) {
			vnl_errno("sending a probe to %s failed", vnl_transport_peer(s->t));
			return -1;
		}
		return 0;
	}
	s->fu_head += pr.n_followups;
	if (pr.n_followups) {
		memcpy(s->last_fu, pr.fu, pr.n_followups * sizeof(pr.fu[0]));
		s->n_last_fu = pr.n_followups;
	}
	track_sent(s, &pr, false, txtime);
	s->res.sent++;
	s->unread++;
	return 0;
}

/*
 * After a send: read the error queue when a sleep follows anyway (the
 * next slot is further than a sleep costs) or enough probes wait for their
 * stamps; at high rates that is one recvmmsg per drain_every probes.
 */
static void after_send(struct vnl_sender *s, int64_t next_due)
{
	int64_t left = next_due - vnl_now_ns(s->o.clock);
	if (s->unread < s->drain_every && left <= s->sleep_cost_ns + s->o.spin_ns)
		return;
	collect_stamps(s, false);
	vnl_status_tick(s->sinks.status, vnl_now_ns(CLOCK_MONOTONIC), s->sinks.analysis,
			VNL_STAGE_WAKEUP);
}

/* The schedule: returns the due time after the last slot used. */
static int run_schedule(struct vnl_sender *s, int64_t *next_due)
{
	const struct vnl_sender_opts *o = &s->o;
	/* With launch times, wake DELTA before each slot: due is the wake target. */
	int64_t base = o->base_ns - o->txtime_ns;
	uint64_t k = 0;
	for (;;) {
		int64_t due = base + (int64_t)k * o->interval_ns;
		if ((o->count && s->res.sent >= o->count) ||
		    (o->duration_ns && due - base >= o->duration_ns) || vnl_stop_requested())
			break;
		int64_t woke = wait_slot(s, due);
		if (woke < 0)
			break;
		/* Late by a slot or more: skip (and count) the slots already gone. */
		int64_t late = woke - due;
		if (late >= o->interval_ns) {
			uint64_t skip = (uint64_t)(late / o->interval_ns);
			k += skip;
			s->res.missed_slots += skip;
			due = base + (int64_t)k * o->interval_ns;
			if (o->duration_ns && due - base >= o->duration_ns)
				break;
		}
		if (send_data(s, due, woke) < 0)
			return -1;
		k++;
		after_send(s, base + (int64_t)k * o->interval_ns);
	}
	/* The FINs' slots come after the last launch time, not after the last wakeup. */
	*next_due = o->base_ns + (int64_t)k * o->interval_ns;
	return 0;
}

/* The wait before FIN i (1, 2): an interval, and no less than the wire's gap. */
static int64_t fin_gap(const struct vnl_sender *s, int i)
{
	int64_t min = i == 1 ? VNL_WIRE_FIN_GAP1_NS : VNL_WIRE_FIN_GAP2_NS;
	return s->o.interval_ns > min ? s->o.interval_ns : min;
}

/*
 * FIN, three times, spread as the wire says (lib/core/wire.h): carries sent_total and the last
 * follow-ups; a FIN with nothing new repeats the last ones sent, so one
 * lost probe does not cost the tail its stamps. With launch times a FIN
 * wakes at its slot (the data's launch times are past, their stamps in)
 * and launches DELTA + FIN_TXTIME_SLACK_NS later (a launch-time qdisc
 * drops a packet without one, or with one already past).
 */
static void send_fins(struct vnl_sender *s, int64_t due)
{
	for (int i = 0; i < VNL_WIRE_FIN_COPIES; i++) {
		if (i > 0)
			due += fin_gap(s, i);
		int64_t woke = vnl_stop_requested() ? -1 : wait_slot(s, due);
		collect_stamps(s, i == VNL_WIRE_FIN_COPIES - 1);
		struct vnl_probe pr;
		probe_init(s, &pr, VNL_WIRE_FIN, s->res.sent, due);
		pr.app_tx_sched = woke < 0 ? vnl_now_ns(s->o.clock) : woke;
		pr.sent_total = s->res.sent;
		pr.n_followups = (uint8_t)fu_peek(s, pr.fu, s->fu_capacity);
		bool fresh = pr.n_followups > 0;
		if (!fresh) {
			unsigned n = s->n_last_fu < s->fu_capacity ? s->n_last_fu : s->fu_capacity;
			memcpy(pr.fu, s->last_fu, n * sizeof(pr.fu[0]));
			pr.n_followups = (uint8_t)n;
		}
		uint64_t txtime = launch_time(s, pr.app_tx_sched + s->o.txtime_ns +
						  (s->o.txtime_ns ? FIN_TXTIME_SLACK_NS : 0));
		if (send_probe(s, &pr, txtime) < 0) {
			s->res.send_errors++;
			continue;
		}
		if (fresh) {
			s->fu_head += pr.n_followups;
			memcpy(s->last_fu, pr.fu, pr.n_followups * sizeof(pr.fu[0]));
			s->n_last_fu = pr.n_followups;
		}
		track_sent(s, &pr, true, txtime);
	}
	/* Whatever is still queued can no longer travel. */
	collect_stamps(s, true);
}

int vnl_sender_run(struct vnl_sender *s, struct vnl_sender_result *res)
{
	/*
	 * The default 50 us timer slack lets the kernel wake us up to 50 us
	 * late (it batches timers): that would be measured as wakeup latency.
	 * SCHED_FIFO tasks get no slack anyway.
	 */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	s->res.start_ns = vnl_now_ns(CLOCK_REALTIME);
	s->mono_off = s->o.clock == CLOCK_MONOTONIC ? 0
		      : vnl_now_ns(s->o.clock) - vnl_now_ns(CLOCK_MONOTONIC);
	int64_t next_due;
	int rc = run_schedule(s, &next_due);
	s->res.interrupted = vnl_stop_requested();
	if (rc == 0)
		send_fins(s, next_due);
	s->res.end_ns = vnl_now_ns(CLOCK_REALTIME);
	*res = s->res;
	return rc;
}
