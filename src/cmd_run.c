/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat run: measure through a lab, both directions (see vnetlat-run(8)). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "cmd.h"
#include "lab.h"
#include "log.h"
#include "optable.h"
#include "parse.h"
#include "probecheck.h"
#include "probeopts.h"
#include "run.h"
#include "ssh.h"
#include "timeutil.h"
#include "transport.h"

#define DEFAULT_COUNT "1000"
#define DEFAULT_INTERVAL "1ms"

enum { O_DIRECTION = 256, O_PRIORITY, O_TRANSPORT, O_JSON, O_RECORD, O_REMOTE_NETNS, O_REMOTE_ADDR,
       O_STATUS_FILE, O_METRICS, O_FIFO, O_CPU, O_REMOTE_CPU, O_MLOCK, O_DEADLINE, O_TRACE,
       O_REMOTE, O_SSH_OPTION, O_LOCAL_ADDR, O_CHECK, O_CLOCK, O_PTP_UDS, O_REMOTE_PTP_UDS };

#define MAX_SSH_OPTIONS 16

static const struct vnl_opt run_opts[] = {
	{ "direction", O_DIRECTION, "D", "in, out or both (default both: in, then out)" },
	{ "interval", 'i', "T", "probe period (default " DEFAULT_INTERVAL ")" },
	{ "count", 'c', "N", "probes per direction (default " DEFAULT_COUNT ")" },
	{ "duration", 'd', "T", "stream length per direction instead of --count" },
	{ "size", 's', "B", "UDP payload bytes (96..9000, as send)" },
	{ "priority", O_PRIORITY, "P", "SO_PRIORITY of the probes" },
	{ "transport", O_TRANSPORT, "T", "udp4 (default) or udp6" },
	{ "port", 'p', "P", "UDP port (default " VNL_STR(VNL_DEFAULT_PORT) ")" },
	VNL_OPT_END,
};
/* Real-time settings, given to both ends' programs and read back from each. */
static const struct vnl_opt run_rt_opts[] = {
	{ "sched-fifo", O_FIFO, "P", "both ends run as SCHED_FIFO with priority P (1..99)" },
	{ "cpu", O_CPU, "N", "pin each end to CPU N (in a guest: the guest's CPU N)" },
	{ "remote-cpu", O_REMOTE_CPU, "N", "pin the remote end to CPU N instead of --cpu's" },
	{ "mlock", O_MLOCK, NULL, "both ends lock their memory" },
	{ "deadline", O_DEADLINE, "T", "the receiver counts probes whose wakeup + one_way\n"
				       "exceeds T as late" },
	VNL_OPT_END,
};
static const struct vnl_opt run_tail[] = {
	{ "json", O_JSON, NULL, "one JSON document with a report per direction" },
	{ "trace", O_TRACE, NULL, "trace each receiver on this host (BPF, root; as recv --trace):\n"
				  "what held its CPU while the worst probes waited" },
	{ "record", O_RECORD, "DIR", "keep the receivers' record files as DIR/in.rec, DIR/out.rec\n"
				     "(guest stamps on the host clock; as taken: *.raw.rec)" },
	{ "remote-netns", O_REMOTE_NETNS, "NS", "with --remote-addr: the remote end is a named\n"
						"network namespace of this machine, instead of the\n"
						"lab's NAME-r; needed by labs on a lent NIC (lab\n"
						"up --uplink) or a passed-through device, whose\n"
						"remote end is on your network (without them run\n"
						"refuses and prints the commands to measure by hand)" },
	{ "remote-addr", O_REMOTE_ADDR, "ADDR", "the remote end's address in --remote-netns; with\n"
						"--remote: the remote host's address on the test\n"
						"network (default: the URL's host, if an address)" },
	{ "remote", O_REMOTE, "URL", "ssh://[USER@]HOST[:PORT], no LAB: the remote end is\n"
				     "that host, reached with ssh (your keys, ~/.ssh/config;\n"
				     "one ControlMaster connection, BatchMode); a static\n"
				     "vnetlat is copied to a private directory there when\n"
				     "its own is missing or differs; nothing is left behind" },
	{ "ssh-option", O_SSH_OPTION, "OPT", "passed to ssh as '-o OPT' (repeatable, up to 16)" },
	{ "clock", O_CLOCK, "M", "with --remote: how the two clocks are related: auto\n"
				 "(default: ptp when both hosts' ptp4l follow one\n"
				 "grandmaster, else exchanges), ptp or exchanges" },
	{ "ptp-uds", O_PTP_UDS, "PATH", "this host's ptp4l UNIX socket (its uds_address;\n"
					"default /var/run/ptp4l)" },
	{ "remote-ptp-uds", O_REMOTE_PTP_UDS, "PATH", "the remote host's ptp4l socket there" },
	{ "check", O_CHECK, NULL, "with --remote: what both hosts offer, side by side,\n"
				  "nothing measured: vnetlat, kernel, PREEMPT_RT, isolcpus,\n"
				  "the test interface's timestamping and PHC, ptp4l's state\n"
				  "and grandmaster, phc2sys (each host's clock status)" },
	{ "local-addr", O_LOCAL_ADDR, "ADDR", "with --remote: this host's address on the test\n"
					      "network (default: the one the route to\n"
					      "--remote-addr leaves from)" },
	{ "status-file", O_STATUS_FILE, "F", "keep F replaced each second by one JSON line: the\n"
					     "running direction's received, sent, lost and p99 so\n"
					     "far (the guest's clock offset taken out), for programs" },
	{ "metrics", O_METRICS, "FILE", "keep FILE replaced about once a second by Prometheus\n"
					"text (counters and the headline p99 so far, labelled\n"
					"direction, lab, topology); at the end every stage of\n"
					"each direction, as its report has them" },
	{ "quiet", 'q', NULL, "no notices" },
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const run_tables[] = { run_opts, run_rt_opts, run_tail, NULL };

static void usage(FILE *out)
{
	fputs("Usage: vnetlat run LAB [OPTIONS]\n"
	      "       vnetlat run --remote ssh://[USER@]HOST[:PORT] [OPTIONS]\n"
	      "Measure a probe stream through lab LAB: remote -> local (\"in\": into the guest\n"
	      "application) and local -> remote (\"out\"), with the hops the lab knows. When the\n"
	      "local end is a VM guest its stamps are moved onto the host clock: read through\n"
	      "ptp_kvm when the guest has a KVM PTP clock (as phc2sys would, without steering\n"
	      "it), else estimated by exchanges over the control channel (TCG); the report\n"
	      "says which and why, and gives the uncertainty beside every one-way figure.\n"
	      "With --remote and no LAB: between this host and HOST (over ssh); HOST's\n"
	      "stamps are moved onto this host's clock by UDP exchanges (method exchanges).\n\n",
	      out);
	vnl_opts_print(out, run_tables);
	fputs("\nEach end reports the policy, priority, CPUs and memory lock it ran with, as\n"
	      "the kernel gave them back (\"rt\" in --json). Needs root. Exit status: 0\n"
	      "measured, 1 a direction failed or received nothing, or the run was interrupted\n"
	      "(a direction not started is named), 2 bad usage (also any value send would\n"
	      "refuse). See vnetlat-run(8).\n",
	      out);
}

/* The real-time options: checked here as send and recv would, passed on as given. */
static int set_rt_option(struct vnl_run_opts *o, int c, const char *v)
{
	uint64_t u;
	switch (c) {
	case O_FIFO:
		o->sched_fifo = v;
		return vnl_opt_num("--sched-fifo", v, 1, 99, &u);
	case O_CPU:
		o->cpu = v;
		return vnl_opt_num("--cpu", v, 0, 4095, &u);
	case O_REMOTE_CPU:
		o->remote_cpu = v;
		return vnl_opt_num("--remote-cpu", v, 0, 4095, &u);
	case O_TRACE:
		o->trace = true;
		return 0;
	case O_MLOCK:
		o->mlock = true;
		return 0;
	case O_DEADLINE:
		o->deadline = v;
		return vnl_opt_positive_duration("--deadline", v, &o->deadline_ns);
	}
	return -1;
}

static int set_option(struct vnl_run_opts *o, int c, const char *v)
{
	const char *why = NULL;
	uint64_t u;
	switch (c) {
	case O_DIRECTION:
		if (!strcmp(v, "in"))
			o->directions = VNL_RUN_IN;
		else if (!strcmp(v, "out"))
			o->directions = VNL_RUN_OUT;
		else if (!strcmp(v, "both"))
			o->directions = VNL_RUN_IN | VNL_RUN_OUT;
		else
			return vnl_err_invalid("--direction", v, "expected in, out or both");
		return 0;
	case 'i':
		o->interval = v;
		if (vnl_parse_duration(v, &o->interval_ns, &why) || o->interval_ns <= 0)
			return vnl_err_invalid("--interval", v, why ? why : "must be more than zero");
		return 0;
	case 'c':
		o->count = v;
		return vnl_parse_u64(v, 1, UINT32_MAX, &o->count_n, &why) ? vnl_err_invalid("--count", v, why) : 0;
	case 'd':
		o->duration = v;
		if (vnl_parse_duration(v, &o->duration_ns, &why) || o->duration_ns <= 0)
			return vnl_err_invalid("--duration", v, why ? why : "must be more than zero");
		return 0;
	case 's':
	{
		/* The same check send makes: refused here, not after recv waited for a stream. */
		char why_size[160];
		o->size = v;
		if (vnl_parse_u64(v, 0, UINT32_MAX, &u, &why))
			return vnl_err_invalid("--size", v, why);
		return vnl_probecheck_size(u, why_size, sizeof(why_size)) ? vnl_err_invalid("--size", v, why_size)
									    : 0;
	}
	case O_PRIORITY:
		o->priority = v;
		return vnl_parse_u64(v, 0, 15, &u, &why) ? vnl_err_invalid("--priority", v, why) : 0;
	case O_TRANSPORT:
		if (strcmp(v, "udp4") && strcmp(v, "udp6"))
			return vnl_err_invalid("--transport", v, "expected udp4 or udp6");
		o->ipv6 = !strcmp(v, "udp6");
		return 0;
	case 'p':
		if (vnl_parse_u64(v, 1, 65535, &u, &why))
			return vnl_err_invalid("--port", v, why);
		o->port = (uint16_t)u;
		return 0;
	case O_JSON:
		o->json = true;
		return 0;
	case O_RECORD:
		o->record_dir = v;
		return 0;
	case O_REMOTE_NETNS:
		o->remote_netns = v;
		return 0;
	case O_REMOTE_ADDR:
		o->remote_addr = v;
		return 0;
	case O_REMOTE:
		o->remote_url = v;
		return 0;
	case O_LOCAL_ADDR:
		o->local_addr = v;
		return 0;
	case O_CHECK:
		o->check = true;
		return 0;
	case O_CLOCK:
		if (strcmp(v, "auto") && strcmp(v, "ptp") && strcmp(v, "exchanges"))
			return vnl_err_invalid("--clock", v, "expected auto, ptp or exchanges");
		o->clock_mode = v;
		return 0;
	case O_PTP_UDS:
		o->ptp_uds = v;
		return 0;
	case O_REMOTE_PTP_UDS:
		o->remote_ptp_uds = v;
		return 0;
	case O_SSH_OPTION:
		if (o->nssh_options >= MAX_SSH_OPTIONS)
			return vnl_err_invalid("--ssh-option", v, "at most 16 are passed");
		if (!*v || *v == '-')
			return vnl_err_invalid("--ssh-option", v, "expected an ssh_config option "
					       "such as ConnectTimeout=5 (given to ssh as -o OPT)");
		o->ssh_options[o->nssh_options++] = v;
		return 0;
	case O_STATUS_FILE:
		o->status_file = v;
		return 0;
	case O_METRICS:
		o->metrics_file = v;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	}
	return set_rt_option(o, c, v);
}

/* --remote ssh://: no lab (a lab's remote end on another host is not built yet). */
static int remote_checks(const struct vnl_run_opts *o, int names)
{
	struct vnl_ssh_url u;
	const char *why;
	if (vnl_ssh_url_parse(o->remote_url, &u, &why))
		return vnl_err_invalid("--remote", o->remote_url, why);
	if (names) {
		vnl_err("--remote ssh://HOST measures between this host and HOST, without a lab; "
			"a lab's remote end on another host is not built yet: for a lab on a lent "
			"NIC give --remote-netns NS --remote-addr ADDR, or measure by hand");
		return -1;
	}
	if (o->remote_netns) {
		vnl_err("--remote and --remote-netns exclude each other: the remote end is either "
			"another host (ssh) or a namespace of this one");
		return -1;
	}
	if (o->trace) {
		vnl_err("--trace with --remote is not built yet: run 'vnetlat recv --trace' on the "
			"receiving host by hand");
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct vnl_run_opts o = { .directions = VNL_RUN_IN | VNL_RUN_OUT, .port = VNL_DEFAULT_PORT };
	struct vnl_optset set;
	vnl_optset_build(&set, run_tables);
	int c;
	while ((c = vnl_optset_next(&set, argc, argv, "run")) != -1) {
		if (c == 'h') {
			usage(stdout);
			return VNL_EXIT_OK;
		}
		if (c == '?' || set_option(&o, c, optarg))
			return VNL_EXIT_USAGE;
	}
	if (o.remote_url && remote_checks(&o, argc - optind))
		return VNL_EXIT_USAGE;
	if (!o.remote_url && optind != argc - 1) {
		vnl_err("expected one lab name (got %d); e.g. 'vnetlat run vnl', or --remote "
			"ssh://HOST to measure to another host", argc - optind);
		return VNL_EXIT_USAGE;
	}
	if (!o.remote_url && (o.local_addr || o.nssh_options || o.check || o.clock_mode ||
			      o.ptp_uds || o.remote_ptp_uds)) {
		vnl_err("--local-addr, --ssh-option, --check, --clock, --ptp-uds and --remote-ptp-uds "
			"go with --remote ssh://HOST");
		return VNL_EXIT_USAGE;
	}
	if (!o.remote_url && !o.remote_netns != !o.remote_addr) {
		vnl_err("--remote-netns and --remote-addr go together: the namespace of the remote end "
			"and its address there");
		return VNL_EXIT_USAGE;
	}
	if (o.count && o.duration) {
		vnl_err("--count and --duration exclude each other; give one");
		return VNL_EXIT_USAGE;
	}
	if (!o.interval) {
		o.interval = DEFAULT_INTERVAL;
		o.interval_ns = VNL_NSEC_PER_MSEC;
	}
	if (!o.count && !o.duration) {
		o.count = DEFAULT_COUNT;
		o.count_n = strtoull(DEFAULT_COUNT, NULL, 10);
	}
	char why[256];
	if (vnl_probecheck_schedule(0, o.interval_ns, o.count ? o.count_n : 0, o.duration_ns, why,
				    sizeof(why)) < 0) {
		vnl_err("--interval/--count/--duration: %s", why);
		return VNL_EXIT_USAGE;
	}
	o.self = vnl_self_exe();
	if (!o.self) {
		vnl_errno("cannot find this program's path (/proc/self/exe)");
		return VNL_EXIT_FAIL;
	}
	vnl_log_set_quiet(o.quiet);
	if (o.remote_url)
		return vnl_run(&o);
	o.lab = argv[optind];
	const char *bad_name;
	if (!vnl_lab_name_ok(o.lab, &bad_name)) {
		vnl_err("bad lab name '%s': %s (the NAME of 'vnetlat lab up --name NAME')", o.lab, bad_name);
		return VNL_EXIT_USAGE;
	}
	vnl_log_set_quiet(o.quiet);
	return vnl_run(&o);
}
