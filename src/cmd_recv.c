/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat recv: receive one probe stream and report its latency (see vnetlat-recv(8)). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "cmd.h"
#include "probeopts.h"
#include "hostid.h"
#include "log.h"
#include "metrics.h"
#include "output.h"
#include "parse.h"
#include "receiver.h"
#include "rt.h"
#include "rxpcap.h"
#include "safefile.h"
#include "status.h"
#include "timeutil.h"
#include "transport.h"
#include "tstamp.h"
#include "xsk.h"
#ifndef VNL_GUEST_STATIC /* no libbpf in the guest's static build */
#include "schedtrace.h"
#include "traceout.h"
#include "xskprog.h"
#else
struct vnl_schedtrace; /* --trace is not in the guest's static build */
#endif

#define DEFAULT_WORST 10

struct recv_args {
	struct vnl_transport_opts tr;
	struct vnl_receiver_opts rcv;
	struct vnl_analysis_opts an;
	struct vnl_rt_opts rt;
	const char *status_file;
	const char *pcap_path;
	const char *metrics_path;
	struct vnl_transport *tr_open; /* for --metrics' labels */
	int64_t metrics_last;
	struct vnl_metrics_info mi;
	int64_t peer_offset_ns;
	bool peer_offset;
	bool json, quiet, trace;
};

enum { O_DEADLINE = 256, O_WORST, O_JSON, O_RECORD, O_STATUS_FILE, O_PEER_OFFSET, O_TRACE, O_PCAP, O_METRICS };

static const struct vnl_opt recv_opts[] = {
	{ "bind", 'b', "ADDR", "local address to listen on (default: all, IPv4 and IPv6)" },
	{ "port", 'p', "P", "UDP port (default " VNL_STR(VNL_DEFAULT_PORT) ")" },
	{ "count", 'c', "N", "end after N probes" },
	{ "duration", 'd', "T", "end T after the first probe (default: at the stream's end)" },
	{ "deadline", O_DEADLINE, "T", "count probes whose wakeup + one_way exceeds T as late" },
	{ "worst", O_WORST, "N", "list the N worst probes (default " VNL_STR(DEFAULT_WORST) ")" },
#ifndef VNL_GUEST_STATIC
	{ "trace", O_TRACE, NULL, "trace the scheduler and interrupts (BPF, root): for each worst\n"
				  "probe, what held this thread's CPU between rx_sw and app_rx\n"
				  "(tasks, irqs, softirqs) or kept it asleep" },
#endif
	VNL_OPT_END,
};
/* After the shared options in --help: the output and the usual two. */
static const struct vnl_opt recv_tail[] = {
	{ "json", O_JSON, NULL, "print the report as one JSON document" },
	{ "record", O_RECORD, "FILE", "write every packet's stamps to FILE (see vnetlat report)" },
	{ "pcap", O_PCAP, "FILE", "write the probes as received to FILE (pcapng, kernel RX stamps\n"
				  "as packet times, seq and stages as comments; UDP only)" },
	{ "metrics", O_METRICS, "FILE", "keep FILE replaced about once a second by the counters and\n"
					"stage latencies in the Prometheus text format (node_exporter)" },
	{ "status-file", O_STATUS_FILE, "F", "keep F replaced each second by one JSON line: received,\n"
					    "sent, lost and p99 so far (for programs; also with -q)" },
	{ "peer-offset", O_PEER_OFFSET, "T", "the sender's clock minus this one's (signed: -850ms): the\n"
					    "status file's one_way and path are corrected by it" },
	{ "quiet", 'q', NULL, "no notices, no live status on the terminal" },
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const recv_tables[] = { recv_opts, vnl_probe_opts, recv_tail, NULL };

static void usage(FILE *out)
{
	fputs("Usage: vnetlat recv [OPTIONS]\n"
	      "Receive one probe stream from 'vnetlat send' and report its latency per stage.\n\n",
	      out);
	vnl_opts_print(out, recv_tables);
	fputs("\nEnds at the sender's FIN, --count/--duration, or SIGINT/SIGTERM (the report is\n"
	      "printed in every case). Exit status: 0 measured, 1 nothing received or\n"
	      "failed, 2 bad usage. See vnetlat-recv(8).\n", out);
}

/* A signed duration: the offset of another machine's clock can go either way. */
static int parse_peer_offset(struct recv_args *a, const char *v)
{
	const char *why;
	bool neg = v[0] == '-';
	if (vnl_parse_duration(neg ? v + 1 : v, &a->peer_offset_ns, &why) < 0)
		return vnl_err_invalid("--peer-offset", v, "expected a duration, negative or not, "
					 "such as -850ms or 12us");
	a->peer_offset_ns = neg ? -a->peer_offset_ns : a->peer_offset_ns;
	a->peer_offset = true;
	return 0;
}

static int parse_one(struct recv_args *a, int c, const char *v)
{
	uint64_t u;
	switch (c) {
	case 'b':
		a->tr.addr = v;
		return 0;
	case 'p':
		if (vnl_opt_num("--port", v, 1, 65535, &u) < 0)
			return -1;
		a->tr.port = (uint16_t)u;
		return 0;
	case 'c':
		return vnl_opt_num("--count", v, 1, UINT64_MAX, &a->rcv.count);
	case 'd':
		return vnl_opt_positive_duration("--duration", v, &a->rcv.duration_ns);
	case O_DEADLINE:
		return vnl_opt_positive_duration("--deadline", v, &a->an.deadline_ns);
	case O_WORST:
		if (vnl_opt_num("--worst", v, 0, 10000, &u) < 0)
			return -1;
		a->an.worst_n = (unsigned)u;
		return 0;
	case O_JSON:
		a->json = true;
		return 0;
	case O_RECORD:
		a->rcv.record_path = v;
		return 0;
	case O_METRICS:
		a->metrics_path = v;
		return 0;
	case O_PCAP:
		a->pcap_path = v;
		return 0;
	case O_STATUS_FILE:
		a->status_file = v;
		return 0;
	case O_PEER_OFFSET:
		return parse_peer_offset(a, v);
	case O_TRACE:
		a->trace = true;
		return 0;
	case 'q':
		a->quiet = true;
		return 0;
	default:
		return -1;
	}
}

/* 0 ok, 1 --help printed, -1 bad usage (message printed). */
static int parse_args(int argc, char **argv, struct recv_args *a)
{
	memset(a, 0, sizeof(*a));
	a->an.worst_n = DEFAULT_WORST;
	struct vnl_probe_cli cli;
	vnl_probe_cli_init(&cli, &a->tr, &a->rt);
	struct vnl_optset set;
	vnl_optset_build(&set, recv_tables);
	int c;
	while ((c = vnl_optset_next(&set, argc, argv, "recv")) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == '?')
			return -1;
		int shared = vnl_probe_cli_option(&cli, c, optarg);
		if (shared < 0 || (!shared && parse_one(a, c, optarg) < 0))
			return -1;
	}
	if (optind < argc) {
		vnl_err("unexpected argument '%s'; recv takes options only (see --bind)",
			argv[optind]);
		return -1;
	}
	if (a->rcv.count && a->rcv.duration_ns) {
		vnl_err("give --count or --duration, not both");
		return -1;
	}
	if (a->peer_offset && !a->status_file) {
		vnl_err("--peer-offset corrects the figures of --status-file; give --status-file too");
		return -1;
	}
	if ((a->tr.l2 || a->tr.xdp) && a->tr.addr) {
		vnl_err("--bind is for UDP; with --l2 or --transport xdp give --ifname");
		return -1;
	}
	if ((a->tr.l2 || a->tr.xdp) && a->pcap_path) {
		vnl_err("--pcap is for UDP (it rebuilds the IP/UDP header around the payload); "
			"capture --l2 or --transport xdp with tcpdump");
		return -1;
	}
	if (!a->tr.l2 && !a->tr.xdp && a->tr.ifname) {
		vnl_err("--ifname is for --l2 and --transport xdp; for UDP use --bind ADDR");
		return -1;
	}
	if (!a->tr.xdp && (cli.queue_given || a->tr.xsk_mode != VNL_XSK_AUTO)) {
		vnl_err("--queue, --zero-copy and --copy are for --transport xdp");
		return -1;
	}
	return 0;
}

/* Fail now, not after the run, if the record file cannot be written. */
static int check_record_path(const char *path)
{
	int fd = vnl_file_create(path, false);
	if (fd < 0) {
		vnl_err("cannot write the record file '%s': %s", path, vnl_file_why(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Which stamps exist on this path, and which do not and why (vnetlat-recv(8), STAMPS). */
static void describe_stamping(const struct vnl_transport *t, const char *rx_desc,
			      const struct vnl_receiver_result *r, char *out, size_t len)
{
	const char *sender = r->sender_no_ktx
		? "sender AF_XDP: no kernel TX stamps (tx_sched, tx_sw, tx_hw), so tx_stack and "
		  "path are not measured; one_way uses the sender's app_tx"
		: r->sender_hw_tx ? "sender hardware TX stamps" : "sender software TX stamps";
	if (vnl_transport_xsk_fd(t) < 0)
		snprintf(out, len, "receiver %s; %s", rx_desc, sender);
	else
		snprintf(out, len, "receiver AF_XDP (%s; %s): rx_sw is the XDP-ingress stamp "
			 "(bpf_ktime_get_tai_ns), no kernel RX stamps; %s", vnl_transport_xsk_mode(t),
			 rx_desc, sender);
}


static void report(const struct recv_args *a, const struct vnl_transport *t,
		   const char *rx_desc, const struct vnl_analysis *an,
		   const struct vnl_receiver_result *r, const struct vnl_schedtrace *tr)
{
	char stamping[512];
	describe_stamping(t, rx_desc, r, stamping, sizeof(stamping));
	struct vnl_run_info info = {
		.role = "recv", .transport = vnl_transport_name(t),
		.local = vnl_transport_local(t), .peer = vnl_transport_peer(t),
		.sched_clock = r->locked ? vnl_clock_name((clockid_t)r->clock_id) : NULL,
		.clock_sync = r->locked ? vnl_hostid_clock_sync(a->rcv.host_id, r->host_id) : NULL,
		.stamping = stamping, .interval_ns = r->interval_ns,
		.payload_size = r->payload_size,
		.duration_ns = r->locked ? r->end_ns - r->first_ns : r->end_ns - r->start_ns,
		.interrupted = r->interrupted, .deadline_ns = a->an.deadline_ns,
	};
	if (a->json) {
		json_t *doc = vnl_output_json(an, &info);
#ifndef VNL_GUEST_STATIC
		if (tr)
			vnl_traceout_json(doc, an, tr);
#endif
		vnl_output_json_dump(stdout, doc);
		json_decref(doc);
	} else {
		vnl_output_text(stdout, an, &info);
#ifndef VNL_GUEST_STATIC
		if (tr)
			vnl_traceout_text(stdout, an, tr, a->an.worst_n);
#endif
	}
#ifdef VNL_GUEST_STATIC
	(void)tr;
#endif
	fflush(stdout);
}

/* --metrics: the live analysis about once a second (the receive loop's tick, not per packet). */
static void metrics_tick(void *arg, int64_t now_mono, const struct vnl_analysis *an)
{
	struct recv_args *a = arg;
	if (now_mono - a->metrics_last < VNL_NSEC_PER_SEC)
		return;
	a->metrics_last = now_mono;
	a->mi.local = vnl_transport_local(a->tr_open);
	a->mi.peer = vnl_transport_peer(a->tr_open);
	vnl_metrics_write_file(a->metrics_path, an, &a->mi);
}

/* 0, or -1 when the pcap file could not be written (message printed). */
static int close_pcap(struct recv_args *a, const struct vnl_receiver_result *res)
{
	if (!a->pcap_path)
		return 0;
	uint64_t n = 0;
	int rc = vnl_rxpcap_close(a->rcv.pcap, &n);
	a->rcv.pcap = NULL;
	if (rc < 0) {
		errno = -rc;
		vnl_errno("writing the pcap file %s failed", a->pcap_path);
		return -1;
	}
	if (res)
		vnl_notice("%" PRIu64 " probes written to %s", n, a->pcap_path);
	return 0;
}

static int run(struct recv_args *a, struct vnl_transport *t, const char *rx_desc)
{
	if ((a->rcv.record_path && check_record_path(a->rcv.record_path) < 0) ||
	    vnl_rt_apply(&a->rt) < 0)
		return VNL_EXIT_USAGE;
	struct vnl_status *st = vnl_status_new(a->quiet || a->json);
	if (!st) {
		vnl_err("out of memory");
		return VNL_EXIT_FAIL;
	}
	if ((a->status_file && vnl_status_set_file(st, a->status_file)) ||
	    (a->peer_offset && vnl_status_set_peer_offset(st, a->peer_offset_ns))) {
		vnl_status_free(st);
		return VNL_EXIT_USAGE;
	}
	struct vnl_hwts hw;
	if (vnl_transport_xsk_fd(t) < 0) {
		vnl_hwts_setup(vnl_transport_ifname(t), false, true, &hw);
		rx_desc = hw.desc;
	}
	a->rcv.host_id = vnl_hostid();
	if (a->metrics_path) {
		a->tr_open = t;
		a->mi.deadline_ns = a->an.deadline_ns;
		a->mi.local = vnl_transport_local(t);
		/* An empty analysis now: an unwritable FILE fails before the run. */
		struct vnl_analysis *empty = vnl_analysis_new(&a->an);
		int mrc = empty ? vnl_metrics_write_file(a->metrics_path, empty, &a->mi) : -1;
		vnl_analysis_free(empty);
		if (mrc < 0) {
			vnl_status_free(st);
			return VNL_EXIT_USAGE;
		}
		a->rcv.tick = metrics_tick;
		a->rcv.tick_arg = a;
		a->metrics_last = vnl_now_ns(CLOCK_MONOTONIC);
	}
	if (a->pcap_path) {
		char err[512];
		const char *ifn = vnl_transport_ifname(t);
		char name[160];
		snprintf(name, sizeof(name), "%s", ifn && *ifn ? ifn : vnl_transport_local(t));
		if (!(a->rcv.pcap = vnl_rxpcap_open(a->pcap_path, vnl_transport_fd(t), name, err,
						    sizeof(err)))) {
			vnl_err("%s", err);
			vnl_status_free(st);
			return VNL_EXIT_USAGE;
		}
	}

	struct vnl_schedtrace *tr = NULL;
#ifndef VNL_GUEST_STATIC
	/* Loaded before the stream: a trace that cannot be had fails the run before it measures. */
	if (a->trace && !(tr = vnl_schedtrace_start((int)gettid(), a->rt.cpu))) {
		vnl_status_free(st);
		return VNL_EXIT_FAIL;
	}
#endif
	struct vnl_analysis *an = vnl_analysis_new(&a->an);
	struct vnl_receiver *r = an ? vnl_receiver_new(&a->rcv, t, an, st) : NULL;
	int rc = VNL_EXIT_FAIL;
	if (!r) {
		vnl_err("out of memory");
	} else {
		vnl_stop_signals_install();
		struct vnl_receiver_result res;
		int run_rc = vnl_receiver_run(r, &res);
#ifndef VNL_GUEST_STATIC
		vnl_schedtrace_stop(tr); /* detached before the report */
#endif
		vnl_status_clear(st);
		vnl_status_final(st, an);
		int prc = close_pcap(a, &res);
		if (a->metrics_path) { /* the final figures, the FIN's sent count in */
			a->mi.peer = vnl_transport_peer(t);
			if (vnl_metrics_write_file(a->metrics_path, an, &a->mi) < 0)
				prc = -1;
		}
		report(a, t, rx_desc, an, &res, tr);
		if (res.received == 0)
			vnl_err("no probes received on %s; is 'vnetlat send' running and aimed "
				"at this address and port?", vnl_transport_local(t));
		else if (run_rc == 0 && res.record_error == 0 && prc == 0)
			rc = VNL_EXIT_OK;
	}
	vnl_receiver_free(r);
	if (a->rcv.pcap)
		close_pcap(a, NULL); /* not run: out of memory */
#ifndef VNL_GUEST_STATIC
	vnl_schedtrace_free(tr);
#endif
	vnl_status_free(st);
	vnl_analysis_free(an);
	return rc;
}

int cmd_recv(int argc, char **argv)
{
	struct recv_args a;
	int prc = parse_args(argc, argv, &a);
	if (prc)
		return prc > 0 ? VNL_EXIT_OK : VNL_EXIT_USAGE;
	vnl_log_set_quiet(a.quiet);
	struct vnl_transport *t = vnl_transport_open_receiver(&a.tr);
	if (!t)
		return VNL_EXIT_USAGE;
	int rc;
	if (vnl_transport_xsk_fd(t) < 0) {
		rc = run(&a, t, "");
	} else {
#ifdef VNL_GUEST_STATIC
		vnl_err("--transport xdp is not in the guest's static vnetlat (it has no libbpf)");
		rc = VNL_EXIT_USAGE;
#else
		/* The program goes before the socket: frames must stop being steered first. */
		struct vnl_xskprog *prog = vnl_xskprog_attach(a.tr.ifname, a.tr.queue, a.tr.port,
							      vnl_transport_xsk_fd(t));
		rc = prog ? run(&a, t, vnl_xskprog_desc(prog)) : VNL_EXIT_USAGE;
		vnl_xskprog_detach(prog);
#endif
	}
	vnl_transport_close(t);
	return rc;
}
