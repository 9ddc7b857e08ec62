/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A run's direction once measured (lib/run/leg.c): guest stamps moved by a known clock offset,
 * hop stages from the observer's stamps, the JSON of a small synthetic leg, a record read back
 * and corrected; and base64 (lib/core/base64.c), how the guest's record comes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "base64.h"
#include "leg.h"
#include "record.h"
#include "stats.h"

#define SEC 1000000000LL
#define US 1000LL
#define T0 (1700000000LL * SEC)
#define OFFSET (-663 * 1000 * US) /* guest - host */

static struct vnl_lab_endpoint remote_ep = { .netns = "rs-a", .addr4 = "192.0.2.1",
					     .addr6 = "2001:db8::1" };
static struct vnl_lab_endpoint local_ep = { .addr4 = "192.0.2.2", .addr6 = "2001:db8::2" };

/* A clock relation with guest = host + OFFSET exactly: symmetric exchanges over 3 s. */
static struct vnl_clocksync *known_offset(void)
{
	struct vnl_clocksync *cs = vnl_clocksync_new();
	assert_non_null(cs);
	for (int i = 0; i < 30; i++) {
		int64_t t[4];
		t[0] = T0 + i * 100 * 1000 * US;
		t[1] = t[0] + 40 * US + OFFSET;
		t[2] = t[1] + 5 * US;
		t[3] = t[2] - OFFSET + 40 * US;
		assert_true(vnl_clocksync_add(cs, t));
	}
	assert_true(vnl_clocksync_finish(cs));
	return cs;
}

static struct vnl_leg guest_leg(const char *name, const struct vnl_clocksync *cs)
{
	bool in = !strcmp(name, "in");
	struct vnl_leg_end remote = { .role = "remote", .ep = &remote_ep },
			   local = { .role = "local", .guest = true, .ep = &local_ep };
	return (struct vnl_leg){ .name = name, .transport = "udp4", .tx = in ? remote : local,
				 .rx = in ? local : remote, .cs = cs, .cs_ok = cs != NULL };
}

/* Host-clock stamps of a probe sent at H, 10 us apart stage after stage. */
static struct vnl_pkt host_probe(uint64_t seq, int64_t h)
{
	return (struct vnl_pkt){ .seq = seq, .sched = h, .app_tx_sched = h + 10 * US,
				 .app_tx = h + 10 * US, .tx_sched = h + 20 * US, .tx_sw = h + 30 * US,
				 .rx_sw = h + 130 * US, .app_rx = h + 140 * US,
				 .flags = VNL_PKT_F_TXSTAMPS };
}

static void shift_sender(struct vnl_pkt *p, int64_t by)
{
	p->sched += by, p->app_tx_sched += by, p->app_tx += by, p->tx_sched += by, p->tx_sw += by;
}

static void shift_receiver(struct vnl_pkt *p, int64_t by)
{
	p->rx_sw += by, p->app_rx += by;
}

static void correct_receiver_in_guest(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = known_offset();
	struct vnl_leg l = guest_leg("in", cs);
	int64_t h = T0 + 1500 * 1000 * US;
	struct vnl_pkt want = host_probe(7, h), p = want;
	shift_receiver(&p, OFFSET); /* the guest stamped the receiving side */
	vnl_leg_correct(&l, &p);
	assert_memory_equal(&p, &want, sizeof(p));
	vnl_clocksync_free(cs);
}

static void correct_sender_in_guest(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = known_offset();
	struct vnl_leg l = guest_leg("out", cs);
	int64_t h = T0 + 2 * SEC;
	struct vnl_pkt want = host_probe(8, h), p = want;
	shift_sender(&p, OFFSET);
	p.tx_sched = 0; /* an absent stamp stays absent */
	want.tx_sched = 0;
	vnl_leg_correct(&l, &p);
	assert_memory_equal(&p, &want, sizeof(p));
	vnl_clocksync_free(cs);
}

static void no_correction_without_clock(void **state)
{
	(void)state;
	struct vnl_clocksync *cs = known_offset();
	struct vnl_leg l = guest_leg("in", cs);
	l.cs_ok = false; /* no exchange succeeded: the stamps are left as they are */
	struct vnl_pkt want = host_probe(1, T0), p = want;
	vnl_leg_correct(&l, &p);
	assert_memory_equal(&p, &want, sizeof(p));
	l = guest_leg("in", NULL);
	vnl_leg_correct(&l, &p);
	assert_memory_equal(&p, &want, sizeof(p));
	vnl_clocksync_free(cs);
}

static int64_t only_value(const struct vnl_stats *st, uint64_t count)
{
	struct vnl_summary s;
	vnl_stats_summarize(st, &s);
	assert_int_equal(s.count, count);
	assert_int_equal(s.min_ns, s.max_ns);
	return s.min_ns;
}

static void hops_in(void **state)
{
	(void)state;
	struct vnl_leg l = guest_leg("in", NULL);
	struct vnl_leg_result res;
	assert_int_equal(vnl_leg_result_init(&res, 4, 0), 0);
	struct vnl_pkt p = host_probe(1, T0); /* tx_sw T0+30us, rx_sw T0+130us */
	struct vnl_hop_stamps h = { .t = { [VNL_HOP_UPLINK] = { [VNL_HOP_IN] = T0 + 50 * US },
					   [VNL_HOP_BACKEND] = { [VNL_HOP_OUT] = T0 + 90 * US } } };
	vnl_leg_add_hops(&l, &res, &p, &h);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_WIRE], 1), 20 * US);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_HOST], 1), 40 * US);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_GUEST], 1), 40 * US);
	/* no software TX stamp: the SCHED one (T0+20us) starts the wire hop */
	p.tx_sw = 0;
	vnl_leg_add_hops(&l, &res, &p, &h);
	struct vnl_summary s;
	vnl_stats_summarize(res.hop[VNL_LEG_HOP_WIRE], &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.max_ns, 30 * US);
	/* a duplicate adds nothing; a point that did not see the probe leaves its hops out */
	p.flags |= VNL_PKT_F_DUPLICATE;
	vnl_leg_add_hops(&l, &res, &p, &h);
	p = host_probe(2, T0);
	h.t[VNL_HOP_UPLINK][VNL_HOP_IN] = 0;
	vnl_leg_add_hops(&l, &res, &p, &h);
	vnl_stats_summarize(res.hop[VNL_LEG_HOP_WIRE], &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_HOST], 2), 40 * US);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_GUEST], 3), 40 * US);
	vnl_leg_result_free(&res);
}

/* out: guest kernel TX -> back-end (in) -> uplink (out) -> remote kernel RX; a macvtap sees
 * the guest's frames the other way round, so the back-end's other direction counts too. */
static void hops_out_macvtap(void **state)
{
	(void)state;
	struct vnl_leg l = guest_leg("out", NULL);
	struct vnl_leg_result res;
	assert_int_equal(vnl_leg_result_init(&res, 4, 0), 0);
	struct vnl_pkt p = host_probe(1, T0);
	struct vnl_hop_stamps h = { .t = { [VNL_HOP_UPLINK] = { [VNL_HOP_OUT] = T0 + 100 * US },
					   [VNL_HOP_BACKEND] = { [VNL_HOP_OUT] = T0 + 45 * US } } };
	vnl_leg_add_hops(&l, &res, &p, &h);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_GUEST], 1), 15 * US);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_HOST], 1), 55 * US);
	assert_int_equal(only_value(res.hop[VNL_LEG_HOP_WIRE], 1), 30 * US);
	vnl_leg_result_free(&res);
}

/* A VM lab's "in" leg: three probes, 100 us on the path, a clock estimate of +-7 us. */
static void synthetic_result(struct vnl_leg_result *res, const struct vnl_leg *l)
{
	assert_int_equal(vnl_leg_result_init(res, 4, 0), 0);
	for (uint64_t i = 0; i < 3; i++) {
		struct vnl_pkt p = host_probe(i, T0 + (int64_t)i * SEC);
		vnl_analysis_add(res->a, &p);
		struct vnl_hop_stamps h = { .t = {
			[VNL_HOP_UPLINK] = { [VNL_HOP_IN] = p.tx_sw + 20 * US },
			[VNL_HOP_BACKEND] = { [VNL_HOP_OUT] = p.tx_sw + 60 * US } } };
		vnl_leg_add_hops(l, res, &p, &h);
	}
	struct vnl_stream_extra x = { .sent = 4 };
	vnl_analysis_set_extra(res->a, &x);
	res->estimated = true;
	res->cs = (struct vnl_clocksync_summary){ .samples = 30, .chosen = 3, .offset_ns = OFFSET,
						  .uncertainty_ns = 7 * US, .min_delay_ns = 80 * US };
	res->uncertainty_ns = 7 * US;
	snprintf(res->tap_why, sizeof(res->tap_why), "not applied: (a synthetic leg)");
	res->frames_seen = 6;
	snprintf(res->local, sizeof(res->local), "guest (192.0.2.2)");
	snprintf(res->peer, sizeof(res->peer), "rs-a (192.0.2.1)");
	snprintf(res->stamping, sizeof(res->stamping), "software");
	res->info = (struct vnl_run_info){ .role = "run", .transport = "udp4", .local = res->local,
					   .peer = res->peer, .sched_clock = "realtime",
					   .clock_sync = "estimated", .stamping = res->stamping,
					   .interval_ns = SEC, .payload_size = 64 };
}

static json_int_t int_at(json_t *doc, const char *a, const char *b, const char *c)
{
	json_t *o = json_object_get(json_object_get(doc, a), b);
	if (c)
		o = json_object_get(o, c);
	assert_true(json_is_integer(o));
	return json_integer_value(o);
}

static void json_of_a_leg(void **state)
{
	(void)state;
	struct vnl_lab_info li = { .name = "rs-vm", .topology = "bridge", .host_netns = "rs-vm-h",
				   .uplink_if = "up0", .backend_if = "tap0", .has_guest = true };
	struct vnl_clock_choice clock = { .method = VNL_CLOCK_AGENT, .why = "no ptp_kvm (TCG)" };
	struct vnl_leg_ctx c = { .li = &li, .clock = &clock };
	struct vnl_leg l = guest_leg("in", NULL);
	struct vnl_leg_result res;
	synthetic_result(&res, &l);
	json_t *doc = vnl_leg_json(&c, &l, &res);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "direction")), "in");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "run"), "clock_sync")),
			    "estimated");
	assert_int_equal(int_at(doc, "packets", "sent", NULL), 4);
	assert_int_equal(int_at(doc, "packets", "received", NULL), 3);
	assert_int_equal(int_at(doc, "latency", "path", "count"), 3);
	assert_int_equal(int_at(doc, "latency", "path", "p50_ns"), 100 * US);
	/* path and one_way subtract a guest stamp from a host one: the estimate's uncertainty */
	assert_int_equal(int_at(doc, "latency", "path", "uncertainty_ns"), 7 * US);
	assert_int_equal(int_at(doc, "latency", "one_way", "uncertainty_ns"), 7 * US);
	assert_int_equal(int_at(doc, "latency", "wakeup", "uncertainty_ns"), 0);
	json_t *hops = json_object_get(doc, "hops");
	assert_true(json_is_null(json_object_get(hops, "note")));
	assert_string_equal(json_string_value(json_object_get(hops, "uplink_if")), "up0");
	assert_string_equal(json_string_value(json_object_get(hops, "backend_if")), "tap0");
	assert_int_equal(int_at(doc, "hops", "frames_seen", NULL), 6);
	json_t *order = json_object_get(hops, "order");
	assert_int_equal(json_array_size(order), 3);
	assert_string_equal(json_string_value(json_array_get(order, 0)), "wire");
	assert_string_equal(json_string_value(json_array_get(order, 2)), "guest");
	assert_int_equal(int_at(doc, "hops", "wire", "count"), 3);
	assert_int_equal(int_at(doc, "hops", "wire", "p50_ns"), 20 * US);
	assert_int_equal(int_at(doc, "hops", "host", "p50_ns"), 40 * US);
	assert_int_equal(int_at(doc, "hops", "guest", "p50_ns"), 40 * US);
	assert_int_equal(int_at(doc, "hops", "guest", "uncertainty_ns"), 7 * US);
	assert_null(json_object_get(json_object_get(hops, "wire"), "uncertainty_ns"));
	json_t *clk = json_object_get(doc, "clock");
	assert_string_equal(json_string_value(json_object_get(clk, "sync")), "estimated");
	assert_string_equal(json_string_value(json_object_get(clk, "method")), "agent");
	assert_true(json_is_null(json_object_get(clk, "phc")));
	assert_int_equal(int_at(doc, "clock", "offset_ns", NULL), OFFSET);
	assert_int_equal(int_at(doc, "clock", "samples", NULL), 30);
	assert_string_equal(json_string_value(json_object_get(clk, "combined")), "agent");
	assert_int_equal(int_at(doc, "clock", "exchange_uncertainty_ns", NULL), 7 * US);
	assert_false(json_is_true(json_object_get(json_object_get(clk, "tap"), "applied")));
	assert_int_equal(json_array_size(json_object_get(doc, "negative_minima")), 0);
	json_decref(doc);
	/* the text names the same things */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	vnl_leg_text(f, &c, &l, &res);
	fclose(f);
	assert_non_null(strstr(text, "==== in: remote rs-a (192.0.2.1) -> local guest (192.0.2.2)"));
	assert_non_null(strstr(text, "hops (in)"));
	assert_non_null(strstr(text, "6 frames"));
	assert_non_null(strstr(text, "clock method: agent: no ptp_kvm (TCG)"));
	free(text);
	vnl_leg_result_free(&res);
}

/* A lab with no VM host: the hops are not applicable, and one clock. */
static void json_of_a_veth_leg(void **state)
{
	(void)state;
	struct vnl_lab_info li = { .name = "rs-v", .topology = "veth" };
	struct vnl_clock_choice clock = { .method = VNL_CLOCK_SAME_HOST, .why = "one host" };
	struct vnl_leg_ctx c = { .li = &li, .clock = &clock };
	struct vnl_leg_end a = { .role = "remote", .ep = &remote_ep },
			   b = { .role = "local", .ep = &remote_ep };
	struct vnl_leg l = { .name = "out", .transport = "udp4", .tx = b, .rx = a };
	struct vnl_leg_result res;
	synthetic_result(&res, &l);
	res.estimated = false;
	json_t *doc = vnl_leg_json(&c, &l, &res);
	json_t *hops = json_object_get(doc, "hops");
	assert_non_null(strstr(json_string_value(json_object_get(hops, "note")), "not applicable"));
	assert_true(json_is_null(json_object_get(hops, "wire")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(hops, "order"), 0)),
			    "guest");
	assert_int_equal(int_at(doc, "latency", "path", "uncertainty_ns"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "clock"), "sync")),
			    "same-host");
	assert_int_equal(int_at(doc, "clock", "offset_ns", NULL), 0);
	json_decref(doc);
	vnl_leg_result_free(&res);
}

/* The record -> analysis: the guest's record is kept as .raw.rec, the one left is corrected. */
static void analyse_a_guest_record(void **state)
{
	(void)state;
	char dir[] = "/tmp/rs-test-leg.XXXXXX", rec[64], raw[64], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(rec, sizeof(rec), "%s/in.rec", dir);
	snprintf(raw, sizeof(raw), "%s/in.raw.rec", dir);
	struct vnl_record_meta m = { .start_ns = T0 + SEC + OFFSET, .interval_ns = SEC,
				     .payload_size = 64, .transport = "udp4",
				     .clock_sync = "unknown" };
	struct vnl_record_writer *w = vnl_record_create(rec, &m, err, sizeof(err));
	assert_non_null(w);
	for (uint64_t i = 0; i < 3; i++) {
		struct vnl_pkt p = host_probe(i, T0 + SEC + (int64_t)i * 100 * 1000 * US);
		shift_receiver(&p, OFFSET);
		vnl_record_append(w, &p);
	}
	struct vnl_record_summary sum = { .sent = 3, .end_ns = T0 + 2 * SEC + OFFSET };
	assert_int_equal(vnl_record_finish(w, &sum), 0);

	struct vnl_clocksync *cs = known_offset();
	struct vnl_leg l = guest_leg("in", cs);
	struct vnl_leg_result res;
	assert_int_equal(vnl_leg_analyse(&l, rec, NULL, 4, &res), 0);
	struct vnl_summary s;
	vnl_stats_summarize(vnl_analysis_stage(res.a, VNL_STAGE_PATH), &s);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.min_ns, 100 * US);
	assert_int_equal(s.max_ns, 100 * US);
	assert_true(res.estimated);
	assert_string_equal(res.info.clock_sync, "estimated");
	assert_string_equal(res.local, "guest (192.0.2.2)");
	assert_int_equal(res.cs.offset_ns, OFFSET);
	assert_int_equal(access(raw, F_OK), 0);
	vnl_leg_result_free(&res);

	struct vnl_record_reader *rd = vnl_record_open(rec, err, sizeof(err));
	assert_non_null(rd);
	assert_string_equal(vnl_record_reader_meta(rd)->clock_sync, "estimated");
	size_t n;
	const struct vnl_pkt *batch = vnl_record_next(rd, &n);
	assert_non_null(batch);
	assert_int_equal(batch[0].rx_sw - batch[0].tx_sw, 100 * US);
	vnl_record_close(rd);
	vnl_clocksync_free(cs);
	unlink(rec);
	unlink(raw);
	rmdir(dir);
}

/*
 * The back-end port as witness: a guest clock estimate 30us too high (guest
 * stamps land 30us early on the host clock) makes the fastest "in" guest hop
 * 10us - 30us < 0; the port's upper bound moves the window's stamps so that no
 * guest hop is negative, narrows the stated uncertainty, and the JSON says so.
 */
static void witness_corrects_a_leg(void **state)
{
	(void)state;
	struct vnl_lab_info li = { .name = "rs-vm", .topology = "bridge", .host_netns = "rs-vm-h",
				   .uplink_if = "up0", .backend_if = "tap0", .has_guest = true };
	struct vnl_clock_choice clock = { .method = VNL_CLOCK_AGENT, .why = "no ptp_kvm (TCG)" };
	struct vnl_leg_ctx c = { .li = &li, .clock = &clock };
	struct vnl_leg l = guest_leg("in", NULL);
	struct vnl_leg_result res;
	synthetic_result(&res, &l);
	vnl_analysis_free(res.a);
	struct vnl_analysis_opts ao = { .worst_n = 4 };
	res.a = vnl_analysis_new(&ao);
	vnl_stats_free(res.hop[VNL_LEG_HOP_GUEST]);
	res.hop[VNL_LEG_HOP_GUEST] = vnl_stats_new();
	res.cs.uncertainty_ns = 100 * US;
	res.tb = vnl_tapbound_new(VNL_TAPBOUND_UPPER, 100 * US, SEC);
	struct vnl_pkt pk[3];
	struct vnl_hop_stamps h[3];
	for (int i = 0; i < 3; i++) {
		pk[i] = host_probe((uint64_t)i, T0 + i * 1000 * US);
		int64_t port = pk[i].tx_sw + 60 * US;
		h[i] = (struct vnl_hop_stamps){ .t = { [VNL_HOP_BACKEND] = { [VNL_HOP_OUT] = port } } };
		pk[i].rx_sw = port + (10 + 5 * i) * US - 30 * US; /* true hop, then the error */
		pk[i].app_rx = pk[i].rx_sw + 20 * US;
		int64_t at, hop;
		assert_true(vnl_leg_crossing(&l, &pk[i], &h[i], &at, &hop));
		assert_int_equal(at, pk[i].rx_sw);
		assert_int_equal(hop, (10 + 5 * i) * US - 30 * US);
		vnl_tapbound_add(res.tb, at, hop);
	}
	vnl_tapbound_summary(res.tb, &res.tap);
	res.uncertainty_ns = res.tap.uncertainty_ns;
	assert_int_equal(res.tap.uncertainty_ns, (100 - 20) * US / 2); /* [-100us, -20us] */
	for (int i = 0; i < 3; i++) {
		vnl_leg_apply_witness(&l, res.tb, &pk[i]);
		vnl_leg_add_hops(&l, &res, &pk[i], &h[i]);
		vnl_analysis_add(res.a, &pk[i]);
	}
	struct vnl_summary s;
	vnl_stats_summarize(res.hop[VNL_LEG_HOP_GUEST], &s);
	assert_int_equal(s.count, 3);
	assert_true(s.min_ns >= 0);
	assert_int_equal(s.min_ns, -20 * US + 60 * US); /* moved by the residual -60us */
	json_t *doc = vnl_leg_json(&c, &l, &res);
	json_t *clk = json_object_get(doc, "clock");
	assert_string_equal(json_string_value(json_object_get(clk, "combined")), "agent+tap");
	assert_int_equal(int_at(doc, "clock", "uncertainty_ns", NULL), 40 * US);
	assert_int_equal(int_at(doc, "clock", "exchange_uncertainty_ns", NULL), 100 * US);
	json_t *tap = json_object_get(clk, "tap");
	assert_true(json_is_true(json_object_get(tap, "applied")));
	assert_string_equal(json_string_value(json_object_get(tap, "side")), "upper");
	assert_int_equal(json_integer_value(json_object_get(tap, "probes")), 3);
	assert_int_equal(json_integer_value(json_object_get(tap, "contradictions")), 0);
	assert_int_equal(int_at(doc, "hops", "guest", "uncertainty_ns"), 40 * US);
	assert_int_equal(json_array_size(json_object_get(doc, "negative_minima")), 0);
	json_decref(doc);
	vnl_leg_result_free(&res);
}

static void base64_round_trip(void **state)
{
	(void)state;
	unsigned char data[256];
	char text[VNL_BASE64_ENCODED_LEN(sizeof(data)) + 8];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(255 - i);
	for (size_t len = 0; len <= sizeof(data); len++) {
		size_t n = vnl_base64_encode(data, len, text);
		assert_int_equal(n, (len + 2) / 3 * 4);
		assert_int_equal(vnl_base64_decode(text, n), (ssize_t)len);
		assert_memory_equal(text, data, len);
	}
	char known[] = "dm5ldGxh\ndA==\n"; /* as base64(1) writes it, with its line breaks */
	assert_int_equal(vnl_base64_decode(known, strlen(known)), 7);
	assert_memory_equal(known, "vnetlat", 7);
	assert_int_equal(vnl_base64_encode("vnetlat", 7, text), 12);
	assert_string_equal(text, "dm5ldGxhdA==");
}

static void base64_bad_input(void **state)
{
	(void)state;
	const char *bad[] = {
		"dm5l*GxhdA==",   /* not of the alphabet */
		"dm5ldGxhd",      /* a lone sixth of a byte at the end */
		"dm5l_dGxh",      /* the URL-safe alphabet's, not base64(1)'s */
		"dm5l\001dGxh",   /* a control character */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		assert_int_equal(vnl_base64_decode(buf, strlen(buf)), -1);
	}
	char empty[] = "";
	assert_int_equal(vnl_base64_decode(empty, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(correct_receiver_in_guest),
		cmocka_unit_test(correct_sender_in_guest),
		cmocka_unit_test(no_correction_without_clock),
		cmocka_unit_test(hops_in),
		cmocka_unit_test(hops_out_macvtap),
		cmocka_unit_test(json_of_a_leg),
		cmocka_unit_test(json_of_a_veth_leg),
		cmocka_unit_test(analyse_a_guest_record),
		cmocka_unit_test(witness_corrects_a_leg),
		cmocka_unit_test(base64_round_trip),
		cmocka_unit_test(base64_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
