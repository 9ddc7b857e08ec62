/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "leg.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "log.h"
#include "parse.h"
#include "record.h"
#include "stats.h"

static const char *const hop_names[VNL_LEG_HOP__COUNT] = { "wire", "host", "guest" };

const char *vnl_leg_hop_name(enum vnl_leg_hop h)
{
	return h < VNL_LEG_HOP__COUNT ? hop_names[h] : "?";
}

static bool leg_in(const struct vnl_leg *l)
{
	return !strcmp(l->name, "in");
}

/* The I-th hop in the order the leg's probes pass them. */
static enum vnl_leg_hop hop_at(const struct vnl_leg *l, int i)
{
	return (enum vnl_leg_hop)(leg_in(l) ? i : VNL_LEG_HOP__COUNT - 1 - i);
}

int vnl_leg_result_init(struct vnl_leg_result *res, unsigned worst_n, int64_t deadline_ns)
{
	memset(res, 0, sizeof(*res));
	struct vnl_analysis_opts ao = { .worst_n = worst_n, .deadline_ns = deadline_ns };
	res->a = vnl_analysis_new(&ao);
	bool ok = res->a != NULL;
	for (int h = 0; h < VNL_LEG_HOP__COUNT; h++)
		ok = (res->hop[h] = vnl_stats_new()) && ok;
	if (!ok) {
		vnl_leg_result_free(res);
		vnl_err("out of memory");
		return -1;
	}
	return 0;
}

void vnl_leg_result_free(struct vnl_leg_result *res)
{
	vnl_analysis_free(res->a);
	res->a = NULL;
	vnl_tapbound_free(res->tb);
	res->tb = NULL;
	for (int h = 0; h < VNL_LEG_HOP__COUNT; h++) {
		vnl_stats_free(res->hop[h]);
		res->hop[h] = NULL;
	}
}

void vnl_leg_end_text(const struct vnl_leg_end *e, bool ipv6, char *buf, size_t len)
{
	const char *who = e->guest ? "guest" : e->other_host ? e->host : e->ep->netns;
	snprintf(buf, len, "%s (%s)", who && *who ? who : "this host",
		 ipv6 ? e->ep->addr6 : e->ep->addr4);
}

/* ---------------------------------------------------------------- per probe */

/* Does E stamp on a clock of its own (a guest's, another host's), moved by the leg's estimate? */
static bool own_clock(const struct vnl_leg_end *e)
{
	return e->guest || e->other_host;
}

/* Subtract D from the stamps the guest took (0 stays 0: absent). */
static void shift_guest(const struct vnl_leg *l, struct vnl_pkt *p, int64_t d)
{
	int64_t *const tx[] = { &p->sched, &p->app_tx_sched, &p->app_tx, &p->tx_sched, &p->tx_sw };
	int64_t *const rx[] = { &p->rx_sw, &p->app_rx };
	for (size_t i = 0; own_clock(&l->tx) && i < sizeof(tx) / sizeof(tx[0]); i++)
		*tx[i] = *tx[i] ? *tx[i] - d : 0;
	for (size_t i = 0; own_clock(&l->rx) && i < sizeof(rx) / sizeof(rx[0]); i++)
		*rx[i] = *rx[i] ? *rx[i] - d : 0;
}

void vnl_leg_correct(const struct vnl_leg *l, struct vnl_pkt *p)
{
	if (!l->cs_ok || !l->cs)
		return;
	if (own_clock(&l->tx)) {
		p->sched = vnl_clocksync_to_host(l->cs, p->sched);
		p->app_tx_sched = vnl_clocksync_to_host(l->cs, p->app_tx_sched);
		p->app_tx = vnl_clocksync_to_host(l->cs, p->app_tx);
		p->tx_sched = vnl_clocksync_to_host(l->cs, p->tx_sched);
		p->tx_sw = vnl_clocksync_to_host(l->cs, p->tx_sw);
	}
	if (own_clock(&l->rx)) {
		p->rx_sw = vnl_clocksync_to_host(l->cs, p->rx_sw);
		p->app_rx = vnl_clocksync_to_host(l->cs, p->app_rx);
	}
	if (l->clock_error_ns) /* the estimate made wrong on purpose: guest - host + error */
		shift_guest(l, p, l->clock_error_ns);
}

static void add_hop(struct vnl_stats *st, int64_t from, int64_t to)
{
	if (from && to)
		vnl_stats_add(st, to - from);
}

/*
 * The back-end port's stamp: a tap sends the guest's frames (out) and
 * receives its frames (in); a macvtap is the other way round (frames for the
 * guest arrive on it from its lower device, the guest's leave through it).
 * A frame passes the port once, so whichever direction it was seen in.
 */
static int64_t backend_stamp(const struct vnl_hop_stamps *h, enum vnl_hop_dir tap_dir)
{
	int64_t t = h->t[VNL_HOP_BACKEND][tap_dir];
	return t ? t : h->t[VNL_HOP_BACKEND][tap_dir == VNL_HOP_IN ? VNL_HOP_OUT : VNL_HOP_IN];
}

void vnl_leg_add_hops(const struct vnl_leg *l, struct vnl_leg_result *res, const struct vnl_pkt *p,
		      const struct vnl_hop_stamps *h)
{
	if (p->flags & VNL_PKT_F_DUPLICATE) /* its stamps are the first copy's */
		return;
	int64_t ktx = p->tx_sw ? p->tx_sw : p->tx_sched, krx = p->rx_sw;
	if (leg_in(l)) {
		int64_t up = h->t[VNL_HOP_UPLINK][VNL_HOP_IN], be = backend_stamp(h, VNL_HOP_OUT);
		add_hop(res->hop[VNL_LEG_HOP_WIRE], ktx, up);
		add_hop(res->hop[VNL_LEG_HOP_HOST], up, be);
		add_hop(res->hop[VNL_LEG_HOP_GUEST], be, krx);
	} else {
		int64_t be = backend_stamp(h, VNL_HOP_IN), up = h->t[VNL_HOP_UPLINK][VNL_HOP_OUT];
		add_hop(res->hop[VNL_LEG_HOP_GUEST], ktx, be);
		add_hop(res->hop[VNL_LEG_HOP_HOST], be, up);
		add_hop(res->hop[VNL_LEG_HOP_WIRE], up, krx);
	}
}

bool vnl_leg_crossing(const struct vnl_leg *l, const struct vnl_pkt *p,
		      const struct vnl_hop_stamps *h, int64_t *guest_ns, int64_t *hop_ns)
{
	if (p->flags & VNL_PKT_F_DUPLICATE)
		return false;
	int64_t port;
	if (leg_in(l)) {
		*guest_ns = l->rx.guest ? p->rx_sw : 0;
		port = backend_stamp(h, VNL_HOP_OUT);
		*hop_ns = *guest_ns - port;
	} else {
		*guest_ns = l->tx.guest ? (p->tx_sw ? p->tx_sw : p->tx_sched) : 0;
		port = backend_stamp(h, VNL_HOP_IN);
		*hop_ns = port - *guest_ns;
	}
	return *guest_ns && port;
}

void vnl_leg_apply_witness(const struct vnl_leg *l, const struct vnl_tapbound *tb,
			   struct vnl_pkt *p)
{
	if (!tb)
		return;
	int64_t at = leg_in(l) ? p->rx_sw : (p->tx_sw ? p->tx_sw : p->tx_sched);
	if (!at) /* no crossing stamp: the window of its nearest own stamp */
		at = leg_in(l) ? p->app_rx : p->app_tx;
	int64_t r = at ? vnl_tapbound_residual(tb, at) : 0;
	if (r)
		shift_guest(l, p, r);
}

/* ---------------------------------------------------------------- the record */

static struct vnl_record_writer *corrected_record(const char *rec, const char *raw,
						  const struct vnl_record_meta *m)
{
	char err[256];
	struct vnl_record_meta cm = *m;
	snprintf(cm.clock_sync, sizeof(cm.clock_sync), "estimated");
	struct vnl_record_writer *w = vnl_record_create(rec, &cm, err, sizeof(err));
	if (!w) {
		vnl_err("%s; the guest-clock record stays in %s", err, raw);
		rename(raw, rec);
	}
	return w;
}

/* What the run states about the stream, from the record's header and summary. */
static void leg_info(const struct vnl_leg *l, const struct vnl_record_meta *m,
		     const struct vnl_record_summary *sum, bool whole, struct vnl_leg_result *res)
{
	res->info = (struct vnl_run_info){
		.role = "run",
		.transport = l->transport,
		.local = res->local,
		.peer = res->peer,
		.sched_clock = "realtime",
		.clock_sync = res->estimated ? "estimated" : "same-host",
		.stamping = res->stamping,
		.interval_ns = m->interval_ns,
		.payload_size = m->payload_size,
		.duration_ns = whole && sum->end_ns > m->start_ns ? sum->end_ns - m->start_ns : 0,
		.interrupted = l->interrupted || (whole && sum->interrupted),
		.damage = res->damage[0] ? res->damage : NULL,
		.deadline_ns = l->deadline_ns,
	};
}

/* Why the back-end port cannot bound this leg's guest clock, or NULL when it can. */
static const char *witness_missing(const struct vnl_leg *l, const struct vnl_hopobs *obs)
{
	if (!own_clock(&l->tx) && !own_clock(&l->rx))
		return "not applicable: both ends read the host's clock";
	if (!l->tx.guest && !l->rx.guest)
		return "not applicable: no lab port sees the frames between the two hosts";
	if (!l->cs_ok)
		return "not applicable: the guest's clock was not estimated";
	if (!obs)
		return "not applicable: no host port sees the guest's frames (no VM host namespace)";
	return NULL;
}

/*
 * First pass over the record: every probe the back-end port saw, with its
 * guest stamp moved by the estimate, bounds the estimate's error (tapbound.h).
 * NULL (with res->tap_why said) when nothing bounds it.
 */
static struct vnl_tapbound *witness_pass(const struct vnl_leg *l, const char *path,
					 const struct vnl_hopobs *obs, struct vnl_leg_result *res)
{
	const char *why = witness_missing(l, obs);
	if (why) {
		snprintf(res->tap_why, sizeof(res->tap_why), "%s", why);
		return NULL;
	}
	char err[256];
	struct vnl_record_reader *rd = vnl_record_open(path, err, sizeof(err));
	struct vnl_tapbound *tb = rd ? vnl_tapbound_new(leg_in(l) ? VNL_TAPBOUND_UPPER
							       : VNL_TAPBOUND_LOWER,
						     res->cs.uncertainty_ns, VNL_TAPBOUND_WINDOW_NS)
				     : NULL;
	const struct vnl_pkt *batch;
	size_t n;
	struct vnl_hop_stamps h;
	int64_t at, hop;
	while (tb && (batch = vnl_record_next(rd, &n))) {
		for (size_t i = 0; i < n; i++) {
			struct vnl_pkt p = batch[i];
			/* on the sender's own clock, the one its qdisc's gates run on */
			if (l->qbv && !(p.flags & VNL_PKT_F_DUPLICATE))
				vnl_qbv_count(l->qbv, &res->qbv, p.tx_sched, p.tx_sw);
			vnl_leg_correct(l, &p);
			if (vnl_hopobs_get(obs, p.seq, &h) && vnl_leg_crossing(l, &p, &h, &at, &hop))
				vnl_tapbound_add(tb, at, hop);
		}
	}
	vnl_record_close(rd);
	if (tb)
		vnl_tapbound_summary(tb, &res->tap);
	if (tb && !res->tap.probes) {
		snprintf(res->tap_why, sizeof(res->tap_why), "not applied: the back-end port saw "
			 "none of the probes (passthrough and vhost-user have no host port; see "
			 "hops.frames_seen)");
		vnl_tapbound_free(tb);
		return NULL;
	}
	if (tb)
		snprintf(res->tap_why, sizeof(res->tap_why), "%s bound: the guest %s each probe %s "
			 "the back-end port saw it", leg_in(l) ? "upper" : "lower",
			 leg_in(l) ? "received" : "sent", leg_in(l) ? "after" : "before");
	return tb;
}

int vnl_leg_analyse(const struct vnl_leg *l, const char *rec, const struct vnl_hopobs *obs,
		    unsigned worst_n, struct vnl_leg_result *res)
{
	char err[256], raw[PATH_MAX + 8];
	bool correct = l->cs_ok && (own_clock(&l->tx) || own_clock(&l->rx));
	const char *path = rec;
	size_t len = strlen(rec);
	if (correct) {
		snprintf(raw, sizeof(raw), "%.*s.raw.rec", (int)(len > 4 ? len - 4 : len), rec);
		if (rename(rec, raw) == 0)
			path = raw;
		else
			correct = false;
	}
	if (vnl_leg_result_init(res, worst_n, l->deadline_ns))
		return -1;
	struct vnl_record_reader *rd = vnl_record_open(path, err, sizeof(err));
	if (!rd) {
		vnl_err("%s", err);
		vnl_leg_result_free(res);
		return -1;
	}
	if (l->cs)
		vnl_clocksync_summary(l->cs, &res->cs);
	res->uncertainty_ns = res->cs.uncertainty_ns;
	if (correct && (res->tb = witness_pass(l, path, obs, res)))
		res->uncertainty_ns = res->tap.uncertainty_ns;
	else if (!correct)
		witness_pass(l, path, NULL, res); /* says why not */
	struct vnl_record_writer *w = correct ? corrected_record(rec, raw, vnl_record_reader_meta(rd))
					      : NULL;
	const struct vnl_pkt *batch;
	size_t n;
	bool hw = false;
	struct vnl_hop_stamps h;
	while ((batch = vnl_record_next(rd, &n))) {
		for (size_t i = 0; i < n; i++) {
			struct vnl_pkt p = batch[i];
			vnl_leg_correct(l, &p);
			vnl_leg_apply_witness(l, res->tb, &p);
			if (w)
				vnl_record_append(w, &p);
			if (obs && vnl_hopobs_get(obs, p.seq, &h))
				vnl_leg_add_hops(l, res, &p, &h);
			vnl_analysis_add(res->a, &p);
			hw |= p.tx_hw || p.rx_hw;
		}
	}
	struct vnl_record_summary sum = { 0 };
	bool whole = vnl_record_reader_summary(rd, &sum);
	if (w && vnl_record_finish(w, &sum) < 0)
		vnl_err("could not finish the corrected record %s", rec);
	vnl_analysis_set_extra_from_record(res->a, &sum);
	if (vnl_record_reader_damage(rd))
		snprintf(res->damage, sizeof(res->damage), "%s", vnl_record_reader_damage(rd));
	bool ipv6 = !strcmp(l->transport, "udp6");
	vnl_leg_end_text(&l->rx, ipv6, res->local, sizeof(res->local));
	vnl_leg_end_text(&l->tx, ipv6, res->peer, sizeof(res->peer));
	snprintf(res->stamping, sizeof(res->stamping), "%s",
		 hw ? "hardware where the NIC has it, else software" : "software (kernel SO_TIMESTAMPING)");
	res->estimated = own_clock(&l->tx) || own_clock(&l->rx);
	res->frames_seen = obs ? vnl_hopobs_seen(obs) : 0;
	leg_info(l, vnl_record_reader_meta(rd), &sum, whole, res);
	vnl_record_close(rd);
	return 0;
}

/* ---------------------------------------------------------------- presentation */

/* Which figures subtract a stamp of one clock from a stamp of the other. */
static bool crosses_clocks(const struct vnl_leg *l, const char *figure)
{
	if (!(own_clock(&l->tx) || own_clock(&l->rx)))
		return false;
	return !strcmp(figure, "path") || !strcmp(figure, "one_way") || !strcmp(figure, "guest");
}

static const char *hops_note(const struct vnl_leg_ctx *c)
{
	if (!strcmp(c->li->topology, VNL_LEG_TWO_HOSTS))
		return "not applicable: two hosts and no lab between them (the network between them "
		       "is yours: vnetlat sees only its two ends)";
	if (!c->li->host_netns[0])
		return "not applicable: this lab has no VM host between its two ends "
		       "(the ends are joined directly), so there is no wire, host or guest hop";
	if (c->li->vhost_user.socket[0])
		return "not observed: the guest is on a vhost-user port (no kernel interface to "
		       "stamp it on) and the uplink is an AF_XDP port, whose frames go to the switch "
		       "from XDP before any packet tap sees them; path and one_way are measured";
	return NULL;
}

/* The back-end port's bound on the guest clock estimate (tapbound.h). */
static json_t *tap_json(const struct vnl_leg *l, const struct vnl_leg_result *res)
{
	const struct vnl_tapbound_summary *t = &res->tap;
	json_t *o = json_pack("{s:b, s:s}", "applied", res->tb != NULL, "why", res->tap_why);
	if (!res->tb)
		return o;
	json_object_set_new(o, "side", json_string(leg_in(l) ? "upper" : "lower"));
	json_object_set_new(o, "probes", json_integer((json_int_t)t->probes));
	json_object_set_new(o, "windows", json_integer((json_int_t)t->windows));
	json_object_set_new(o, "window_ns", json_integer(VNL_TAPBOUND_WINDOW_NS));
	json_object_set_new(o, "uncertainty_ns", json_integer(t->uncertainty_ns));
	json_object_set_new(o, "residual_min_ns", json_integer(t->min_residual_ns));
	json_object_set_new(o, "residual_max_ns", json_integer(t->max_residual_ns));
	json_object_set_new(o, "contradictions", json_integer((json_int_t)t->contradictions));
	json_object_set_new(o, "worst_excess_ns", json_integer(t->worst_excess_ns));
	return o;
}

static json_t *clock_json(const struct vnl_leg_ctx *c, const struct vnl_leg *l,
			  const struct vnl_leg_result *res)
{
	const char *method = vnl_clock_method_name(c->clock->method);
	if (!res->estimated)
		return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "sync", "same-host",
				 "method", method, "combined", method, "why", c->clock->why,
				 "offset_ns", 0, "uncertainty_ns", 0, "exchange_uncertainty_ns", 0,
				 "samples", 0, "tap", tap_json(l, res));
	json_t *phc = c->clock->method != VNL_CLOCK_PTP_KVM ? json_null() :
		json_pack("{s:s, s:s, s:I}", "device", c->phc_device ? c->phc_device : "",
			  "ioctl", c->phc_ioctl ? c->phc_ioctl : "",
			  "failed_requests", (json_int_t)c->phc_failures);
	char combined[32];
	snprintf(combined, sizeof(combined), "%s%s", method, res->tb ? "+tap" : "");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			      "sync", "estimated", "method", method, "combined", combined,
			      "why", c->clock->why, "phc", phc,
			      "offset_ns", (json_int_t)res->cs.offset_ns,
			      "uncertainty_ns", (json_int_t)res->uncertainty_ns,
			      "exchange_uncertainty_ns", (json_int_t)res->cs.uncertainty_ns,
			      "samples", (json_int_t)res->cs.samples,
			      "chosen", (json_int_t)res->cs.chosen,
			      "min_delay_ns", (json_int_t)res->cs.min_delay_ns,
			      "drift_ppb", (json_int_t)res->cs.drift_ppb);
	json_object_set_new(o, "tap", tap_json(l, res));
	return o;
}

static json_t *hops_json(const struct vnl_leg_ctx *c, const struct vnl_leg *l,
			 const struct vnl_leg_result *res)
{
	const struct vnl_lab_info *li = c->li;
	json_t *o = json_object();
	const char *note = hops_note(c);
	json_object_set_new(o, "note", note ? json_string(note) : json_null());
	json_object_set_new(o, "uplink_if", li->uplink_if[0] ? json_string(li->uplink_if) : json_null());
	json_object_set_new(o, "backend_if", li->backend_if[0] ? json_string(li->backend_if)
							       : json_null());
	json_object_set_new(o, "frames_seen", json_integer((json_int_t)res->frames_seen));
	json_t *order = json_array();
	for (int i = 0; i < VNL_LEG_HOP__COUNT; i++) {
		enum vnl_leg_hop h = hop_at(l, i);
		json_array_append_new(order, json_string(hop_names[h]));
		json_t *st = note ? json_null() : vnl_output_json_stats(res->hop[h]);
		if (json_is_object(st) && crosses_clocks(l, hop_names[h]))
			json_object_set_new(st, "uncertainty_ns", json_integer(res->uncertainty_ns));
		json_object_set_new(o, hop_names[h], st);
	}
	json_object_set_new(o, "order", order);
	return o;
}

/*
 * A figure whose minimum is below zero: possible only where it subtracts a
 * stamp of one clock from one of the other, and within the stated bound; never
 * shown without a word. CB gets each (name, minimum, the bound that allows it).
 */
static void each_negative(const struct vnl_leg *l, const struct vnl_leg_result *res,
			  void (*cb)(void *ctx, const char *name, int64_t min, int64_t bound),
			  void *ctx)
{
	struct vnl_summary s;
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		vnl_stats_summarize(vnl_analysis_stage(res->a, st), &s);
		if (s.count && s.min_ns < 0)
			cb(ctx, vnl_stage_name(st), s.min_ns,
			   crosses_clocks(l, vnl_stage_name(st)) ? res->uncertainty_ns : 0);
	}
	for (int h = 0; h < VNL_LEG_HOP__COUNT; h++) {
		vnl_stats_summarize(res->hop[h], &s);
		if (s.count && s.min_ns < 0)
			cb(ctx, hop_names[h], s.min_ns,
			   crosses_clocks(l, hop_names[h]) ? res->uncertainty_ns : 0);
	}
}

static void negative_to_json(void *ctx, const char *name, int64_t min, int64_t bound)
{
	json_array_append_new(ctx, json_pack("{s:s, s:I, s:I, s:b}", "figure", name,
					     "min_ns", (json_int_t)min, "clock_bound_ns",
					     (json_int_t)bound, "within_bound", -min <= bound));
}

static json_t *negatives_json(const struct vnl_leg *l, const struct vnl_leg_result *res)
{
	json_t *a = json_array();
	each_negative(l, res, negative_to_json, a);
	return a;
}

/* An end's scheduling as it read it back itself, or null when it did not say. */
static json_t *rt_json(const struct vnl_rt_applied *a)
{
	if (!a)
		return json_null();
	return json_pack("{s:s, s:i, s:s, s:b, s:i}", "policy", a->policy, "priority", a->priority,
			 "cpus", a->cpus, "mlock", a->mlock, "cpu_dma_latency_us",
			 a->cpu_dma_latency_us);
}

static void rt_text(FILE *out, const char *who, const struct vnl_rt_applied *a)
{
	if (!a) {
		fprintf(out, " %s: not reported", who);
		return;
	}
	fprintf(out, " %s: %s", who, a->policy);
	if (a->priority)
		fprintf(out, " %d", a->priority);
	fprintf(out, ", CPUs %s%s", a->cpus, a->mlock ? ", memory locked" : "");
	if (a->cpu_dma_latency_us >= 0)
		fprintf(out, ", cpu_dma_latency %d us", a->cpu_dma_latency_us);
}

/* tsn: the sender's Qbv window and where the probes fell in it; null without one. */
static json_t *tsn_json(const struct vnl_leg *l, const struct vnl_leg_result *res)
{
	if (!l->qbv && !l->qbv_refused)
		return json_null();
	json_t *qbv = json_null();
	if (l->qbv) {
		const struct vnl_qbv *q = l->qbv;
		const struct vnl_qbv_counts *n = &res->qbv;
		qbv = json_pack("{s:I, s:I, s:I, s:I, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
				"cycle_ns", (json_int_t)q->cycle_ns, "open_ns", (json_int_t)q->open_ns,
				"length_ns", (json_int_t)q->length_ns, "base_time_ns",
				(json_int_t)q->base_time_ns, "clock", "tai", "priority", q->priority,
				"offload", q->offload, "probes", (json_int_t)n->probes, "sent",
				(json_int_t)n->sent, "sent_in_window", (json_int_t)n->sent_in_window,
				"sent_outside", (json_int_t)n->sent_outside, "queued_outside",
				(json_int_t)n->queued_outside, "missed_window", (json_int_t)n->missed_window,
				"no_stamp", (json_int_t)n->no_stamp, "in_window_fraction",
				n->sent ? json_real((double)n->sent_in_window / (double)n->sent)
					: json_null());
	}
	return json_pack("{s:o, s:o}", "qbv", qbv, "qbv_refused",
			 l->qbv_refused ? json_string(l->qbv_refused) : json_null());
}

static void tsn_text(FILE *out, const struct vnl_leg *l, const struct vnl_leg_result *res)
{
	if (!l->qbv) {
		if (l->qbv_refused)
			fprintf(out, "TSN: no Qbv window this way: %s\n", l->qbv_refused);
		return;
	}
	const struct vnl_qbv *q = l->qbv;
	const struct vnl_qbv_counts *n = &res->qbv;
	char o[32], len[32], cyc[32];
	fprintf(out, "TSN: Qbv window %s+%s/%s (taprio %s mode, CLOCK_TAI, priority %d): %" PRIu64
		" of %" PRIu64 " probes sent in the window (%.1f %%, by the kernel TX stamp), %" PRIu64
		" queued while the gate was closed, %" PRIu64 " waited more than one cycle, %" PRIu64
		" without a TX stamp\n",
		vnl_fmt_ns(q->open_ns, o, sizeof(o)), vnl_fmt_ns(q->length_ns, len, sizeof(len)),
		vnl_fmt_ns(q->cycle_ns, cyc, sizeof(cyc)), q->offload, q->priority, n->sent_in_window,
		n->sent, n->sent ? 100.0 * (double)n->sent_in_window / (double)n->sent : 0.0,
		n->queued_outside, n->missed_window, n->no_stamp);
}

json_t *vnl_leg_json(const struct vnl_leg_ctx *c, const struct vnl_leg *l,
		     const struct vnl_leg_result *res)
{
	json_t *doc = vnl_output_json(res->a, &res->info);
	json_object_set_new(doc, "direction", json_string(l->name));
	json_t *lat = json_object_get(doc, "latency");
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		const char *name = vnl_stage_name(st);
		json_t *o = json_object_get(lat, name);
		json_object_set_new(o, "uncertainty_ns",
				    json_integer(crosses_clocks(l, name) ? res->uncertainty_ns : 0));
	}
	json_object_set_new(doc, "hops", hops_json(c, l, res));
	json_object_set_new(doc, "clock", clock_json(c, l, res));
	json_object_set_new(doc, "negative_minima", negatives_json(l, res));
	json_object_set_new(doc, "rt", json_pack("{s:o, s:o}", "sender", rt_json(l->rt_tx),
						 "receiver", rt_json(l->rt_rx)));
	json_object_set_new(doc, "tsn", tsn_json(l, res));
	return doc;
}

static void uncertain_line(FILE *out, const char *name, const struct vnl_stats *st,
			   const struct vnl_leg_result *res, const char *whose)
{
	char p50[32], p99[32], unc[32];
	struct vnl_summary s;
	vnl_stats_summarize(st, &s);
	if (!s.count)
		return;
	fprintf(out, "  %-8s p50 %s  p99 %s  ± %s (%s clock corrected)\n", name,
		vnl_fmt_ns(s.p50_ns, p50, sizeof(p50)), vnl_fmt_ns(s.p99_ns, p99, sizeof(p99)),
		vnl_fmt_ns(res->uncertainty_ns, unc, sizeof(unc)), whose);
}

/* "clock: back-end port ..." : how the port's stamps narrowed (or contradicted) the estimate. */
static void tap_text(FILE *out, const struct vnl_leg *l, const struct vnl_leg_result *res)
{
	const struct vnl_tapbound_summary *t = &res->tap;
	char unc[32], lo[32], hi[32], ex[32];
	if (!res->tb) {
		fprintf(out, "clock: back-end port as witness: %s\n", res->tap_why);
		return;
	}
	fprintf(out, "clock: back-end port as witness (%s bound, %" PRIu64 " probes in %" PRIu64
		" windows of 1 s): ± %s instead of the estimate's own; residual %s .. %s "
		"subtracted from the guest's stamps\n", leg_in(l) ? "upper" : "lower", t->probes,
		t->windows, vnl_fmt_ns(t->uncertainty_ns, unc, sizeof(unc)),
		vnl_fmt_ns(t->min_residual_ns, lo, sizeof(lo)),
		vnl_fmt_ns(t->max_residual_ns, hi, sizeof(hi)));
	if (t->contradictions)
		fprintf(out, "clock: CONTRADICTION: in %" PRIu64 " of %" PRIu64 " windows the port "
			"shows the estimate wrong by up to %s beyond its own ± bound; those windows "
			"are corrected to the causal edge (their fastest guest hop is 0)\n",
			t->contradictions, t->windows,
			vnl_fmt_ns(t->worst_excess_ns, ex, sizeof(ex)));
}

static void negative_to_text(void *ctx, const char *name, int64_t min, int64_t bound)
{
	char m[32], b[32];
	if (-min <= bound)
		fprintf(ctx, "note: %s min %s is below zero, within the clock bound ± %s (the other "
			"end's clock is known no better)\n", name, vnl_fmt_ns(min, m, sizeof(m)),
			vnl_fmt_ns(bound, b, sizeof(b)));
	else
		fprintf(ctx, "WARNING: %s min %s is below zero beyond the clock bound ± %s: a stamp "
			"is wrong (see 'vnetlat lab doctor')\n", name, vnl_fmt_ns(min, m, sizeof(m)),
			vnl_fmt_ns(bound, b, sizeof(b)));
}

static void hops_text(FILE *out, const struct vnl_leg_ctx *c, const struct vnl_leg *l,
		      const struct vnl_leg_result *res)
{
	const struct vnl_lab_info *li = c->li;
	char title[64];
	snprintf(title, sizeof(title), "hops (%s)", l->name);
	vnl_output_text_stats_header(out, title);
	for (int i = 0; i < VNL_LEG_HOP__COUNT; i++) {
		enum vnl_leg_hop h = hop_at(l, i);
		vnl_output_text_stats_row(out, hop_names[h], res->hop[h]);
	}
	fprintf(out, "  (observed on %s and %s in %s: %" PRIu64 " frames; wire = kernel TX to "
		"uplink, host = uplink to back-end, guest = back-end to guest kernel RX, "
		"reversed for out)\n", li->uplink_if[0] ? li->uplink_if : "-",
		li->backend_if[0] ? li->backend_if : "-", li->host_netns, res->frames_seen);
}

static void clock_text(FILE *out, const struct vnl_leg_ctx *c, const struct vnl_leg *l,
		       const struct vnl_leg_result *res, bool hops)
{
	char off[32], unc[32], dly[32], how[160];
	bool phc = c->clock->method == VNL_CLOCK_PTP_KVM;
	bool ptp = c->clock->method == VNL_CLOCK_PTP;
	bool hosts = c->clock->method == VNL_CLOCK_EXCHANGES || ptp;
	phc = phc || ptp; /* readings, not exchanges */
	if (ptp)
		snprintf(how, sizeof(how), "read from both hosts' ptp4l (pmc), through their "
			 "grandmaster");
	else if (c->clock->method == VNL_CLOCK_PTP_KVM)
		snprintf(how, sizeof(how), "read from ptp_kvm (%s, %s ioctl)",
			 c->phc_device ? c->phc_device : "", c->phc_ioctl ? c->phc_ioctl : "");
	else if (hosts)
		snprintf(how, sizeof(how), "estimated by UDP exchanges with the remote's "
			 "'vnetlat clock answer' before and after the stream");
	else
		snprintf(how, sizeof(how), "estimated over the control channel");
	fprintf(out, "clock: %s clock %s: %s = %s ± %s (%" PRIu64 " %s, %"
		PRIu64 " kept, %s %s, drift %" PRId64 " ppb); %s stamps are moved onto "
		"%s clock:\n", hosts ? "remote" : "guest", how,
		hosts ? "remote - local" : "guest - host", vnl_fmt_ns(res->cs.offset_ns, off, sizeof(off)),
		vnl_fmt_ns(res->cs.uncertainty_ns, unc, sizeof(unc)), res->cs.samples,
		phc ? "readings" : "exchanges", res->cs.chosen,
		ptp ? "tightest bound (twice)" : phc ? "narrowest sandwich" : "fastest round trip",
		vnl_fmt_ns(res->cs.min_delay_ns, dly, sizeof(dly)), res->cs.drift_ppb,
		hosts ? "remote" : "guest", hosts ? "this host's" : "the host");
	tap_text(out, l, res);
	const char *whose = hosts ? "remote" : "guest";
	uncertain_line(out, "path", vnl_analysis_stage(res->a, VNL_STAGE_PATH), res, whose);
	uncertain_line(out, "one_way", vnl_analysis_stage(res->a, VNL_STAGE_ONE_WAY), res, whose);
	if (hops)
		uncertain_line(out, "guest", res->hop[VNL_LEG_HOP_GUEST], res, whose);
	fprintf(out, "clock method: %s: %s\n", vnl_clock_method_name(c->clock->method),
		c->clock->why);
}

void vnl_leg_text(FILE *out, const struct vnl_leg_ctx *c, const struct vnl_leg *l,
		  const struct vnl_leg_result *res)
{
	const struct vnl_lab_info *li = c->li;
	if (!strcmp(li->topology, VNL_LEG_TWO_HOSTS))
		fprintf(out, "==== %s: %s %s -> %s %s   two hosts, no lab", l->name, l->tx.role,
			res->peer, l->rx.role, res->local);
	else
		fprintf(out, "==== %s: %s %s -> %s %s   lab %s (%s)", l->name, l->tx.role,
			res->peer, l->rx.role, res->local, li->name, li->topology);
	if (li->has_guest)
		fprintf(out, ", %s guest, accel %s, vhost %s", li->guest_arch[0] ? li->guest_arch : "?",
			li->accel, li->vhost);
	if (li->vlan)
		fprintf(out, ", VLAN %u", li->vlan);
	fputs(" ====\n", out);
	vnl_output_text(out, res->a, &res->info);
	const char *note = hops_note(c);
	fputc('\n', out);
	if (note)
		fprintf(out, "hops: %s.\n", note);
	else
		hops_text(out, c, l, res);
	if (res->estimated)
		clock_text(out, c, l, res, !note);
	each_negative(l, res, negative_to_text, out);
	fputs("rt (as each end read it back):", out);
	rt_text(out, "sender", l->rt_tx);
	fputc(';', out);
	rt_text(out, "receiver", l->rt_rx);
	fputc('\n', out);
	tsn_text(out, l, res);
	fputc('\n', out);
}
