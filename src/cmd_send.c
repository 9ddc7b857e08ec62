/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat send: a time-triggered probe stream (see vnetlat-send(8)). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "analysis.h"
#include "cmd.h"
#include "probecheck.h"
#include "probeopts.h"
#include "hostid.h"
#include "qdisc.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "record.h"
#include "rt.h"
#include "sender.h"
#include "status.h"
#include "timeutil.h"
#include "transport.h"
#include "tstamp.h"
#include "wire.h"
#include "xsk.h"

struct send_args {
	struct vnl_transport_opts tr;
	struct vnl_sender_opts snd;
	struct vnl_rt_opts rt;
	bool base_given, json, quiet;
	const char *record;
};

/* --txtime: what the report says about launch times. */
struct txtime_info {
	bool on;
	bool enforced;    /* a qdisc of the interface honours them */
	char qdisc[32];   /* the root qdisc's kind, "" = not known */
	char ifname[32];
};

enum { O_PRIORITY = 256, O_CLOCK, O_BASE, O_JSON, O_RECORD, O_DSTMAC, O_SPIN, O_TXTIME };

_Static_assert(VNL_WIRE_MIN_SIZE == 96 && VNL_WIRE_MAX_SIZE == 9000, "--size help says 96..9000");

static const struct vnl_opt send_opts[] = {
	{ "port", 'p', "P", "UDP port (default " VNL_STR(VNL_DEFAULT_PORT) ")" },
	{ "interval", 'i', "T", "time between probes (default 1ms; units ns us ms s m h)" },
	{ "count", 'c', "N", "send N probes, then end" },
	{ "duration", 'd', "T", "send for T, then end (default: until SIGINT)" },
	{ "size", 's', "BYTES", "probe payload size (default 128, 96..9000)" },
	{ "priority", O_PRIORITY, "P", "SO_PRIORITY of the probes, 0..15 (traffic class)" },
	{ "clock", O_CLOCK, "C", "schedule clock: realtime (default), tai or monotonic" },
	{ "base-time", O_BASE, "T", "absolute time of probe 0 on that clock\n"
				    "(default: next whole second + 100ms)" },
	{ "dst-mac", O_DSTMAC, "MAC", "xdp: destination MAC (default: from the neighbour table)" },
	{ "spin", O_SPIN, "T", "busy-wait the last T before each slot instead of\n"
			       "sleeping through it (e.g. 20us; costs a CPU)" },
	{ "txtime", O_TXTIME, "DELTA", "launch times (SO_TXTIME, CLOCK_TAI): wake DELTA before\n"
				       "each slot, the qdisc sends at the slot (0 < DELTA <= 1s;\n"
				       "needs an etf, fq or taprio qdisc, else not enforced)" },
	VNL_OPT_END,
};
/* After the shared options in --help: the output and the usual two. */
static const struct vnl_opt send_tail[] = {
	{ "json", O_JSON, NULL, "print the sender report as JSON" },
	{ "record", O_RECORD, "FILE", "write every probe's sender stamps to FILE" },
	{ "quiet", 'q', NULL, "no notices, no live status" },
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const send_tables[] = { send_opts, vnl_probe_opts, send_tail, NULL };

static void usage(FILE *out)
{
	fputs("Usage: vnetlat send DEST [OPTIONS]\n"
	      "Send a time-triggered probe stream: probe k leaves at base + k * interval.\n\n"
	      "  DEST                 receiver's IPv4/IPv6 address or host name (with --l2: its MAC)\n",
	      out);
	vnl_opts_print(out, send_tables);
	fputs("\nThe report counts what was sent; what arrived only the receiver knows.\n"
	      "Exit status: 0 sent, 1 failed, 2 bad usage (also a schedule past the clock's\n"
	      "range, the year 2262). See vnetlat-send(8).\n", out);
}

static int parse_one(struct send_args *a, int c, const char *v)
{
	uint64_t u;
	const char *why;
	switch (c) {
	case 'p':
		if (vnl_opt_num("--port", v, 1, 65535, &u) < 0)
			return -1;
		a->tr.port = (uint16_t)u;
		return 0;
	case 'i':
		if (vnl_opt_duration("--interval", v, &a->snd.interval_ns) < 0)
			return -1;
		return a->snd.interval_ns > 0 ? 0 : vnl_err_invalid("--interval", v, "it must be > 0");
	case 'c':
		return vnl_opt_num("--count", v, 1, UINT64_MAX, &a->snd.count);
	case 'd':
		if (vnl_opt_duration("--duration", v, &a->snd.duration_ns) < 0)
			return -1;
		return a->snd.duration_ns > 0 ? 0 : vnl_err_invalid("--duration", v, "it must be > 0");
	case 's':
	{
		char why_size[160];
		if (vnl_opt_num("--size", v, 0, UINT32_MAX, &u) < 0)
			return -1;
		if (vnl_probecheck_size(u, why_size, sizeof(why_size)) < 0)
			return vnl_err_invalid("--size", v, why_size);
		a->snd.size = (uint32_t)u;
		return 0;
	}
	case O_PRIORITY:
		if (vnl_opt_num("--priority", v, 0, 15, &u) < 0)
			return -1;
		a->tr.priority = (int)u;
		return 0;
	case O_CLOCK:
		return vnl_parse_clock(v, &a->snd.clock, &why) < 0 ? vnl_err_invalid("--clock", v, why) : 0;
	case O_BASE:
		a->base_given = true;
		return vnl_opt_duration("--base-time", v, &a->snd.base_ns);
	case O_DSTMAC:
		a->tr.dst_mac = v;
		return 0;
	case O_SPIN:
		if (vnl_opt_duration("--spin", v, &a->snd.spin_ns) < 0)
			return -1;
		return a->snd.spin_ns >= 0 && a->snd.spin_ns <= VNL_NSEC_PER_SEC
			       ? 0 : vnl_err_invalid("--spin", v, "expected 0..1s");
	case O_TXTIME:
		if (vnl_opt_positive_duration("--txtime", v, &a->snd.txtime_ns) < 0)
			return -1;
		return a->snd.txtime_ns <= VNL_NSEC_PER_SEC
			       ? 0 : vnl_err_invalid("--txtime", v, "expected 0 < DELTA <= 1s");
	case O_JSON:
		a->json = true;
		return 0;
	case O_RECORD:
		a->record = v;
		return 0;
	case 'q':
		a->quiet = true;
		return 0;
	default:
		return -1;
	}
}

/* 0 ok, 1 --help printed, -1 bad usage (message printed). */
static int parse_args(int argc, char **argv, struct send_args *a)
{
	memset(a, 0, sizeof(*a));
	a->snd.clock = CLOCK_REALTIME;
	a->snd.interval_ns = VNL_NSEC_PER_MSEC;
	a->snd.size = 128;
	bool count_given = false;
	struct vnl_probe_cli cli;
	vnl_probe_cli_init(&cli, &a->tr, &a->rt);
	struct vnl_optset set;
	vnl_optset_build(&set, send_tables);
	int c;
	while ((c = vnl_optset_next(&set, argc, argv, "send")) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == '?')
			return -1;
		count_given |= c == 'c';
		int shared = vnl_probe_cli_option(&cli, c, optarg);
		if (shared < 0 || (!shared && parse_one(a, c, optarg) < 0))
			return -1;
	}
	if (optind != argc - 1) {
		vnl_err(optind >= argc ? "missing DEST (the receiver's address); "
					 "see 'vnetlat send --help'"
				       : "too many arguments; give one DEST");
		return -1;
	}
	a->tr.addr = argv[optind];
	if (count_given && a->snd.duration_ns) {
		vnl_err("give --count or --duration, not both");
		return -1;
	}
	char why[256];
	if (vnl_probecheck_schedule(a->base_given ? a->snd.base_ns : 0, a->snd.interval_ns,
				    a->snd.count, a->snd.duration_ns, why, sizeof(why)) < 0) {
		vnl_err("--interval/--count/--duration: %s", why);
		return -1;
	}
	if (!a->tr.l2 && !a->tr.xdp && a->tr.ifname) {
		vnl_err("--ifname is for --l2 and --transport xdp; a UDP stream finds its interface "
			"by route");
		return -1;
	}
	if (!a->tr.xdp && (cli.queue_given || a->tr.xsk_mode != VNL_XSK_AUTO || a->tr.dst_mac)) {
		vnl_err("--queue, --zero-copy, --copy and --dst-mac are for --transport xdp");
		return -1;
	}
	if (a->tr.xdp && a->snd.txtime_ns) {
		vnl_err("--txtime needs a kernel socket (udp or l2): AF_XDP frames bypass the qdisc");
		return -1;
	}
	a->tr.size = a->snd.size;
	return 0;
}

/*
 * Probe 0's time: given, or the next whole second + 100 ms (room to start
 * recv). With --txtime the sender wakes DELTA earlier: that must not be past.
 */
static int choose_base(struct send_args *a)
{
	int64_t now = vnl_now_ns(a->snd.clock);
	int64_t lead = a->snd.txtime_ns;
	if (!a->base_given) {
		a->snd.base_ns = ((now + lead) / VNL_NSEC_PER_SEC + 1) * VNL_NSEC_PER_SEC +
				 100 * VNL_NSEC_PER_MSEC;
		return 0;
	}
	if (a->snd.base_ns - lead < now - a->snd.interval_ns) {
		char b[32];
		if (lead && a->snd.base_ns >= now - a->snd.interval_ns)
			vnl_err("--base-time is less than --txtime ahead on the %s clock; give a "
				"later time", vnl_clock_name(a->snd.clock));
		else
			vnl_err("--base-time is %s in the past on the %s clock; give a future time",
				vnl_fmt_ns(now - a->snd.base_ns, b, sizeof(b)),
				vnl_clock_name(a->snd.clock));
		return -1;
	}
	return 0;
}

static struct vnl_record_writer *open_record(const struct send_args *a,
					     const struct vnl_transport *t)
{
	struct vnl_record_meta m;
	memset(&m, 0, sizeof(m));
	m.role = VNL_ROLE_SEND;
	m.clock_id = (uint32_t)a->snd.clock;
	m.stream_id = a->snd.stream_id;
	m.payload_size = a->snd.size;
	m.start_ns = vnl_now_ns(CLOCK_REALTIME);
	m.interval_ns = a->snd.interval_ns;
	m.base_ns = a->snd.base_ns;
	snprintf(m.transport, sizeof(m.transport), "%s", vnl_transport_name(t));
	snprintf(m.local, sizeof(m.local), "%s", vnl_transport_local(t));
	snprintf(m.peer, sizeof(m.peer), "%s", vnl_transport_peer(t));
	snprintf(m.clock_sync, sizeof(m.clock_sync), "sender");
	char err[256];
	struct vnl_record_writer *w = vnl_record_create(a->record, &m, err, sizeof(err));
	if (!w)
		vnl_err("%s", err);
	return w;
}

static json_t *txtime_json(const struct send_args *a, const struct txtime_info *tx)
{
	if (!tx->on)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "delta_ns", json_integer((json_int_t)a->snd.txtime_ns));
	json_object_set_new(o, "clock", json_string("tai"));
	json_object_set_new(o, "ifname", tx->ifname[0] ? json_string(tx->ifname) : json_null());
	json_object_set_new(o, "qdisc", tx->qdisc[0] ? json_string(tx->qdisc) : json_null());
	json_object_set_new(o, "enforced", json_boolean(tx->enforced));
	return o;
}

static void report(const struct send_args *a, const struct vnl_transport *t,
		   const struct vnl_hwts *hw, struct vnl_analysis *an,
		   const struct vnl_sender_result *r, const struct txtime_info *tx)
{
	struct vnl_run_info info = {
		.role = "send", .transport = vnl_transport_name(t),
		.local = vnl_transport_local(t), .peer = vnl_transport_peer(t),
		.sched_clock = vnl_clock_name(a->snd.clock),
		.clock_sync = "not applicable (sender-side report)",
		.stamping = hw->desc, .interval_ns = a->snd.interval_ns, .sender_view = true,
		.payload_size = a->snd.size, .duration_ns = r->end_ns - r->start_ns,
		.interrupted = r->interrupted,
	};
	if (a->json) {
		json_t *doc = vnl_output_json(an, &info);
		json_t *s = json_object();
		json_object_set_new(s, "sent", json_integer((json_int_t)r->sent));
		json_object_set_new(s, "missed_slots", json_integer((json_int_t)r->missed_slots));
		json_object_set_new(s, "send_errors", json_integer((json_int_t)r->send_errors));
		json_object_set_new(s, "no_tx_stamps", json_integer((json_int_t)r->no_tx_stamps));
		json_object_set_new(s, "txtime_missed", json_integer((json_int_t)r->txtime_missed));
		json_object_set_new(s, "txtime_invalid", json_integer((json_int_t)r->txtime_invalid));
		json_object_set_new(s, "txtime", txtime_json(a, tx));
		json_object_set_new(s, "stream_id", json_integer(a->snd.stream_id));
		json_object_set_new(doc, "sender", s);
		vnl_output_json_dump(stdout, doc);
		json_decref(doc);
		return;
	}
	vnl_output_text(stdout, an, &info);
	printf("\nschedule: %" PRIu64 " probes sent, %" PRIu64 " slots missed (sender late by an "
	       "interval or more), %" PRIu64 " send errors\n",
	       r->sent, r->missed_slots, r->send_errors);
	if (tx->on) {
		char d[32];
		printf("launch times: %s ahead on CLOCK_TAI, %s (%s root qdisc %s); dropped by the "
		       "qdisc: %" PRIu64 " missed, %" PRIu64 " invalid\n",
		       vnl_fmt_ns(a->snd.txtime_ns, d, sizeof(d)),
		       tx->enforced ? "enforced" : "not enforced", tx->ifname[0] ? tx->ifname : "?",
		       tx->qdisc[0] ? tx->qdisc : "unknown", r->txtime_missed, r->txtime_invalid);
	}
}

/* AF_XDP frames leave without SO_TIMESTAMPING: say which stamps are missing, enable none. */
static void describe_xdp(const struct vnl_transport *t, struct vnl_hwts *hw)
{
	memset(hw, 0, sizeof(*hw));
	snprintf(hw->desc, sizeof(hw->desc), "AF_XDP (%s): no kernel TX stamps; tx_stack and "
		 "path are not measured", vnl_transport_xsk_mode(t));
}

/*
 * --txtime: SO_TXTIME on, and is there a qdisc that honours launch times?
 * Without one (pfifo_fast, noqueue, fq_codel) the kernel accepts the
 * SCM_TXTIME cmsg and sends at once: say so, the stream still runs.
 */
static int txtime_setup(const struct send_args *a, struct vnl_transport *t,
			struct txtime_info *tx)
{
	memset(tx, 0, sizeof(*tx));
	if (!a->snd.txtime_ns)
		return 0;
	tx->on = true;
	if (vnl_txtime_enable(vnl_transport_fd(t)) < 0) {
		vnl_errno("--txtime: cannot enable SO_TXTIME on the probe socket");
		return -1;
	}
	snprintf(tx->ifname, sizeof(tx->ifname), "%s", vnl_transport_ifname(t));
	struct vnl_qdisc_info q;
	if (!tx->ifname[0]) {
		vnl_notice("--txtime: cannot tell which interface the probes leave by; launch "
			   "times are enforced only by an etf, fq or taprio qdisc");
		return 0;
	}
	if (vnl_qdisc_query(tx->ifname, &q) < 0) {
		vnl_notice("--txtime: cannot read the qdiscs of %s (%s); launch times are enforced "
			   "only by an etf, fq or taprio qdisc", tx->ifname, strerror(errno));
		return 0;
	}
	snprintf(tx->qdisc, sizeof(tx->qdisc), "%s", q.root);
	tx->enforced = q.launch[0] != '\0';
	if (!tx->enforced)
		vnl_notice("--txtime: %s's root qdisc is %s, which ignores launch times: probes "
			   "leave when sent, DELTA before their slots (an etf, fq or taprio qdisc "
			   "enforces them, see vnetlat-send(8))", tx->ifname,
			   q.root[0] ? q.root : "unknown");
	return 0;
}

static int run(struct send_args *a, struct vnl_transport *t)
{
	bool xdp = !vnl_transport_kernel_tx_stamps(t);
	if (!xdp && vnl_tstamp_enable_tx(vnl_transport_fd(t)) < 0) {
		vnl_errno("cannot enable SO_TIMESTAMPING on the probe socket");
		return VNL_EXIT_FAIL;
	}
	struct txtime_info tx;
	if (txtime_setup(a, t, &tx) < 0)
		return VNL_EXIT_FAIL;
	if (choose_base(a) < 0 || vnl_rt_apply(&a->rt) < 0)
		return VNL_EXIT_USAGE;
	struct vnl_hwts hw;
	if (xdp)
		describe_xdp(t, &hw);
	else
		vnl_hwts_setup(vnl_transport_ifname(t), true, false, &hw);
	a->snd.hw_tx = hw.tx_hw;
	if (getrandom(&a->snd.stream_id, sizeof(a->snd.stream_id), 0) < 0)
		a->snd.stream_id = (uint32_t)vnl_now_ns(CLOCK_MONOTONIC);
	a->snd.host_id = vnl_hostid();

	struct vnl_analysis_opts ao = { 0 };
	struct vnl_analysis *an = vnl_analysis_new(&ao);
	struct vnl_record_writer *rec = a->record ? open_record(a, t) : NULL;
	struct vnl_status *st = vnl_status_new(a->quiet || a->json);
	struct vnl_sender_sinks sinks = { .analysis = an, .record = rec, .status = st };
	struct vnl_sender *s = an && st ? vnl_sender_new(&a->snd, t, &sinks) : NULL;
	int rc = VNL_EXIT_FAIL;
	if (a->record && !rec) {
		rc = VNL_EXIT_USAGE;
	} else if (!s) {
		vnl_err("out of memory");
	} else {
		vnl_stop_signals_install();
		struct vnl_sender_result r;
		int run_rc = vnl_sender_run(s, &r);
		vnl_status_clear(st);
		struct vnl_stream_extra x = { .sent = r.sent };
		vnl_analysis_set_extra(an, &x);
		if (rec) {
			struct vnl_record_summary sum = { .sent = r.sent, .end_ns = r.end_ns,
							  .interrupted = r.interrupted };
			if (vnl_record_finish(rec, &sum) < 0) {
				vnl_err("writing the record file %s failed", a->record);
				run_rc = -1;
			}
			rec = NULL;
		}
		report(a, t, &hw, an, &r, &tx);
		rc = run_rc == 0 && r.sent > 0 ? VNL_EXIT_OK : VNL_EXIT_FAIL;
	}
	vnl_sender_free(s);
	vnl_status_free(st);
	if (rec) {
		struct vnl_record_summary sum = { 0 };
		vnl_record_finish(rec, &sum);
	}
	vnl_analysis_free(an);
	return rc;
}

int cmd_send(int argc, char **argv)
{
	struct send_args a;
	int prc = parse_args(argc, argv, &a);
	if (prc)
		return prc > 0 ? VNL_EXIT_OK : VNL_EXIT_USAGE;
	vnl_log_set_quiet(a.quiet);
	struct vnl_transport *t = vnl_transport_open_sender(&a.tr);
	if (!t)
		return VNL_EXIT_USAGE;
	int rc = run(&a, t);
	vnl_transport_close(t);
	return rc;
}
