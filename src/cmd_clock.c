/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnetlat clock: the clock between two hosts. 'answer' and 'ask' measure one
 * host's CLOCK_REALTIME against another's by NTP-style exchanges over UDP
 * (lib/probe/clockxchg); 'status' says what this host offers for a shared
 * clock: timestamping, PHC, ptp4l, phc2sys (lib/sys/clockhost).
 */
#include "cmd.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clockhost.h"
#include "clockxchg.h"
#include "log.h"
#include "optable.h"
#include "output.h"
#include "parse.h"
#include "timeutil.h"

enum { O_PORT = 'p', O_BIND = 256, O_TIMEOUT, O_COUNT, O_INTERVAL, O_JSON, O_INTERFACE, O_UDS };

#define ASK_COUNT 16
#define ASK_INTERVAL "10ms"

static const struct vnl_opt answer_opts[] = {
	{ "port", O_PORT, "P", "UDP port to answer on (default " VNL_STR(VNL_CLOCK_DEFAULT_PORT) ";\n"
			       "0: any free one, which 'ready PORT' names)" },
	{ "bind", O_BIND, "ADDR", "answer on this local address only (default: all,\n"
				  "IPv6 and IPv4)" },
	{ "timeout", O_TIMEOUT, "D", "end after D (default: no limit)" },
	{ "count", O_COUNT, "N", "end after N answered exchanges (default: no limit)" },
	VNL_OPT_END,
};
static const struct vnl_opt ask_opts[] = {
	{ "port", O_PORT, "P", "the answerer's UDP port (default " VNL_STR(VNL_CLOCK_DEFAULT_PORT) ")" },
	{ "count", O_COUNT, "N", "exchanges, 1 to " VNL_STR(VNL_CLOCKASK_MAX_COUNT) " (default "
				 VNL_STR(ASK_COUNT) ")" },
	{ "interval", O_INTERVAL, "D", "between exchange starts (default " ASK_INTERVAL ")" },
	{ "json", O_JSON, NULL, "print a JSON document (doc/json-schema.json,\n"
				"$defs.clock_ask_document)" },
	VNL_OPT_END,
};
static const struct vnl_opt status_opts[] = {
	{ "interface", O_INTERFACE, "IF", "the interface whose timestamping and PHC to show\n"
					  "(in this network namespace)" },
	{ "uds", O_UDS, "PATH", "ptp4l's UNIX socket (its uds_address; default\n"
				VNL_PTP4L_DEFAULT_UDS ")" },
	{ "json", O_JSON, NULL, "print a JSON document (doc/json-schema.json,\n"
				"$defs.clock_status_document)" },
	VNL_OPT_END,
};
static const struct vnl_opt help_opts[] = {
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const answer_tables[] = { answer_opts, help_opts, NULL };
static const struct vnl_opt *const ask_tables[] = { ask_opts, help_opts, NULL };
static const struct vnl_opt *const status_tables[] = { status_opts, help_opts, NULL };
static const struct vnl_opt *const help_tables[] = { help_opts, NULL };
static const struct vnl_opt *const all_tables[] = { answer_opts, ask_opts, status_opts, help_opts, NULL };

static void footer(FILE *out, const char *status)
{
	fprintf(out, "\nExit status: %s, 2 bad usage.\nSee vnetlat-clock(8).\n", status);
}

static void answer_usage(FILE *out)
{
	fputs("Usage: vnetlat clock answer [OPTIONS]\n"
	      "Answer 'vnetlat clock ask' exchanges with this host's CLOCK_REALTIME receive\n"
	      "(the kernel's stamp) and transmit stamps. Prints 'ready PORT' once bound, then\n"
	      "answers until --timeout, --count, SIGINT/SIGTERM, or the end of standard input\n"
	      "when it is a pipe, socket or terminal (over ssh: the connection dropped).\n\n", out);
	vnl_opts_print(out, answer_tables);
	footer(out, "0 ended as asked, 1 failed (cannot bind)");
}

static void ask_usage(FILE *out)
{
	fputs("Usage: vnetlat clock ask ADDR [OPTIONS]\n"
	      "NTP-style exchanges with 'vnetlat clock answer' on ADDR: the offset of its\n"
	      "clock to this one (remote - local) from the minimum-delay exchanges, its\n"
	      "uncertainty bound, the smallest round trip.\n\n", out);
	vnl_opts_print(out, ask_tables);
	footer(out, "0 measured, 1 no answer (or another failure)");
}

static void status_usage(FILE *out)
{
	fputs("Usage: vnetlat clock status [OPTIONS]\n"
	      "What this host offers for a clock shared with another: vnetlat, kernel,\n"
	      "PREEMPT_RT, isolated CPUs, the interface's timestamping and PHC, that PHC\n"
	      "against the system clock, ptp4l's state (through pmc) and phc2sys. What is\n"
	      "missing is shown as absent, with why.\n\n", out);
	vnl_opts_print(out, status_tables);
	footer(out, "0 shown (whatever is absent), 1 failed");
}

static int next_option(const struct vnl_optset *set, int argc, char **argv, const char *verb,
		       void (*usage_of)(FILE *out))
{
	int c = vnl_optset_next_sub(set, argc, argv, verb, all_tables);
	if (c == 'h')
		usage_of(stdout);
	return c;
}

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
	g_stop = sig;
}

/* SIGINT/SIGTERM end the loop (not SA_RESTART: poll returns) and keep what was done. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int parse_port(const char *s, uint64_t min, uint16_t *out)
{
	uint64_t v;
	const char *why;
	if (vnl_parse_u64(s, min, 65535, &v, &why))
		return vnl_err_invalid("--port", s, why);
	*out = (uint16_t)v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* answer                                                               */

/* Standard input is watched for its end only when something holds it open for
 * us (ssh's pipe or socket, a terminal); /dev/null or a file would end at once. */
static int stdin_to_watch(void)
{
	struct stat st;
	if (fstat(STDIN_FILENO, &st))
		return -1;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
}

static const char *end_name(enum vnl_clockans_end e)
{
	switch (e) {
	case VNL_CLOCKANS_COUNT: return "--count answered";
	case VNL_CLOCKANS_TIMEOUT: return "--timeout passed";
	case VNL_CLOCKANS_SIGNAL: return "a signal";
	case VNL_CLOCKANS_EOF: return "standard input closed";
	}
	return "?";
}

static int clock_answer(int argc, char **argv)
{
	const char *bind_addr = NULL, *why;
	uint16_t port = VNL_CLOCK_DEFAULT_PORT;
	uint64_t count = 0;
	int64_t timeout_ns = 0;
	struct vnl_optset set;
	int c;
	vnl_optset_build(&set, answer_tables);
	optind = 1;
	while ((c = next_option(&set, argc, argv, "clock answer", answer_usage)) != -1) {
		switch (c) {
		case O_PORT:
			if (parse_port(optarg, 0, &port))
				return VNL_EXIT_USAGE;
			break;
		case O_BIND: bind_addr = optarg; break;
		case O_TIMEOUT:
			if (vnl_parse_duration(optarg, &timeout_ns, &why) || timeout_ns <= 0)
				return vnl_err_invalid("--timeout", optarg, timeout_ns <= 0 ? "must be > 0" : why),
				       VNL_EXIT_USAGE;
			break;
		case O_COUNT:
			if (vnl_parse_u64(optarg, 1, UINT64_MAX, &count, &why))
				return vnl_err_invalid("--count", optarg, why), VNL_EXIT_USAGE;
			break;
		case 'h': return VNL_EXIT_OK;
		default: return VNL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		vnl_err("unexpected argument '%s'; see 'vnetlat clock answer --help'", argv[optind]);
		return VNL_EXIT_USAGE;
	}
	char msg[256];
	struct vnl_clockans *a = vnl_clockans_open(bind_addr, port, msg, sizeof(msg));
	if (!a) {
		vnl_err("%s", msg);
		return VNL_EXIT_FAIL;
	}
	catch_signals();
	printf("ready %u\n", vnl_clockans_port(a));
	fflush(stdout);
	struct vnl_clockans_stats st;
	int rc = vnl_clockans_serve(a, count, timeout_ns, stdin_to_watch(), &g_stop, &st);
	vnl_clockans_close(a);
	if (rc) {
		vnl_errno("answering on port %u failed", port);
		return VNL_EXIT_FAIL;
	}
	vnl_notice("answered %" PRIu64 " exchange%s (%" PRIu64 " with a kernel receive stamp), refused %"
		   PRIu64 "%s%s%s; ended: %s", st.answered, st.answered == 1 ? "" : "s", st.kernel_rx,
		   st.rejected, st.last_reject ? " (last: " : "", st.last_reject ? st.last_reject : "",
		   st.last_reject ? ")" : "", end_name(st.end));
	return VNL_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* ask                                                                  */

static json_t *ask_json(const struct vnl_clockask_opts *o, const struct vnl_clockask_result *r)
{
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:i, s:I, s:I}", "method", "exchanges",
			      "offset_ns", (json_int_t)r->sync.offset_ns,
			      "uncertainty_ns", (json_int_t)r->uncertainty_ns,
			      "min_rtt_ns", (json_int_t)r->sync.min_delay_ns,
			      "exchanges", (json_int_t)r->sent, "answered", (json_int_t)r->answered,
			      "peer", r->peer, "port", (int)o->port, "used", (json_int_t)r->sync.chosen,
			      "rejected", (json_int_t)r->rejected);
	json_object_set_new(j, "drift_ppb", r->sync.chosen > 1 ? json_integer(r->sync.drift_ppb) : json_null());
	json_object_set_new(j, "kernel_rx_stamps", json_pack("{s:I, s:I}", "local", (json_int_t)r->kernel_rx_local,
							     "remote", (json_int_t)r->kernel_rx_remote));
	json_object_set_new(j, "resolution_ns", json_pack("{s:I, s:I}", "local", (json_int_t)r->resolution_local_ns,
							  "remote", (json_int_t)r->resolution_remote_ns));
	return j;
}

static void ask_print(const struct vnl_clockask_opts *o, const struct vnl_clockask_result *r)
{
	printf("clock of %s (port %u) - this clock, by exchanges:\n", r->peer, o->port);
	printf("  offset       %" PRId64 " ns\n", r->sync.offset_ns);
	printf("  uncertainty  +- %" PRId64 " ns (half the round trip of the exchanges used, plus both\n"
	       "               clocks' resolution: %" PRId64 " + %" PRId64 " ns)\n", r->uncertainty_ns,
	       r->resolution_local_ns, r->resolution_remote_ns);
	printf("  min RTT      %" PRId64 " ns\n", r->sync.min_delay_ns);
	printf("  exchanges    %" PRIu64 " sent, %" PRIu64 " answered, %" PRIu64 " used", r->sent,
	       r->answered, r->sync.chosen);
	if (r->rejected)
		printf(", %" PRIu64 " foreign or late datagrams ignored", r->rejected);
	printf("\n");
	if (r->sync.chosen > 1)
		printf("  drift        %" PRId64 " ppb\n", r->sync.drift_ppb);
	if (r->kernel_rx_local < r->answered || r->kernel_rx_remote < r->answered)
		printf("  note: some receive stamps were taken by the program, not the kernel "
		       "(here %" PRIu64 ", there %" PRIu64 " of %" PRIu64 " by the kernel)\n",
		       r->kernel_rx_local, r->kernel_rx_remote, r->answered);
}

static int clock_ask(int argc, char **argv)
{
	struct vnl_clockask_opts o = { .port = VNL_CLOCK_DEFAULT_PORT, .count = ASK_COUNT, .stop = &g_stop };
	const char *why;
	int json = 0, c;
	struct vnl_optset set;
	vnl_parse_duration(ASK_INTERVAL, &o.interval_ns, &why);
	vnl_optset_build(&set, ask_tables);
	optind = 1;
	while ((c = next_option(&set, argc, argv, "clock ask", ask_usage)) != -1) {
		switch (c) {
		case O_PORT:
			if (parse_port(optarg, 1, &o.port))
				return VNL_EXIT_USAGE;
			break;
		case O_COUNT:
			if (vnl_parse_u64(optarg, 1, VNL_CLOCKASK_MAX_COUNT, &o.count, &why))
				return vnl_err_invalid("--count", optarg, why), VNL_EXIT_USAGE;
			break;
		case O_INTERVAL:
			if (vnl_parse_duration(optarg, &o.interval_ns, &why) || o.interval_ns > 60 * VNL_NSEC_PER_SEC)
				return vnl_err_invalid("--interval", optarg, o.interval_ns > 60 * VNL_NSEC_PER_SEC ?
						       "at most 60s" : why), VNL_EXIT_USAGE;
			break;
		case O_JSON: json = 1; break;
		case 'h': return VNL_EXIT_OK;
		default: return VNL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		vnl_err(optind >= argc ? "ask needs the answerer's address: vnetlat clock ask ADDR"
				       : "unexpected argument; see 'vnetlat clock ask --help'");
		return VNL_EXIT_USAGE;
	}
	o.addr = argv[optind];
	catch_signals();
	struct vnl_clockask_result r;
	char msg[512];
	if (vnl_clockask_run(&o, &r, msg, sizeof(msg))) {
		vnl_err("%s", msg);
		return VNL_EXIT_FAIL;
	}
	if (g_stop)
		vnl_notice("interrupted after %" PRIu64 " of %" PRIu64 " exchanges", r.sent, o.count);
	if (json) {
		json_t *doc = ask_json(&o, &r);
		int rc = vnl_output_json_dump(stdout, doc);
		json_decref(doc);
		return rc ? VNL_EXIT_FAIL : VNL_EXIT_OK;
	}
	ask_print(&o, &r);
	return VNL_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* status                                                               */

static int clock_status(int argc, char **argv)
{
	const char *ifname = NULL, *uds = NULL;
	int json = 0, c;
	struct vnl_optset set;
	vnl_optset_build(&set, status_tables);
	optind = 1;
	while ((c = next_option(&set, argc, argv, "clock status", status_usage)) != -1) {
		switch (c) {
		case O_INTERFACE: ifname = optarg; break;
		case O_UDS: uds = optarg; break;
		case O_JSON: json = 1; break;
		case 'h': return VNL_EXIT_OK;
		default: return VNL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		vnl_err("unexpected argument '%s'; see 'vnetlat clock status --help'", argv[optind]);
		return VNL_EXIT_USAGE;
	}
	struct vnl_clockhost h;
	vnl_clockhost_read(&h, ifname, uds);
	if (json) {
		json_t *doc = vnl_clockhost_json(&h);
		int rc = vnl_output_json_dump(stdout, doc);
		json_decref(doc);
		return rc ? VNL_EXIT_FAIL : VNL_EXIT_OK;
	}
	vnl_clockhost_print(stdout, &h);
	return VNL_EXIT_OK;
}

static const struct vnl_subverb clock_subs[] = {
	{ "answer", clock_answer, "answer clock exchanges on UDP (prints 'ready PORT')" },
	{ "ask", clock_ask, "exchanges with an answerer: offset, uncertainty, min RTT" },
	{ "status", clock_status, "this host's timestamping, PHC, ptp4l and phc2sys" },
};

static void usage(FILE *out)
{
	fputs("Usage: vnetlat clock answer [--port P] [--bind ADDR] [--timeout D] [--count N]\n"
	      "       vnetlat clock ask ADDR [--port P] [--count N] [--interval D] [--json]\n"
	      "       vnetlat clock status [--interface IF] [--uds PATH] [--json]\n"
	      "       vnetlat clock SUB-VERB --help   (its options)\n\n"
	      "Sub-verbs:\n", out);
	vnl_subverbs_print(out, clock_subs, sizeof(clock_subs) / sizeof(clock_subs[0]));
	fputs("\nOptions:\n", out);
	vnl_opts_print(out, help_tables);
	footer(out, "0 success, 1 a failure");
}

int cmd_clock(int argc, char **argv)
{
	return vnl_subverb_dispatch("clock", clock_subs, sizeof(clock_subs) / sizeof(clock_subs[0]), usage,
				    argc, argv);
}
