/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat run: measure through a lab, both directions (see vnetlat-run(8)). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "cmd.h"
#include "lab.h"
#include "log.h"
#include "parse.h"
#include "probecheck.h"
#include "run.h"
#include "timeutil.h"
#include "transport.h"

#define DEFAULT_COUNT "1000"
#define DEFAULT_INTERVAL "1ms"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vnetlat run LAB [OPTIONS]\n"
		"Measure a probe stream through lab LAB: remote -> local (\"in\": into the guest\n"
		"application) and local -> remote (\"out\"), with the hops the lab knows. When the\n"
		"local end is a VM guest its stamps are moved onto the host clock: read through\n"
		"ptp_kvm when the guest has a KVM PTP clock (as phc2sys would, without steering\n"
		"it), else estimated by exchanges over the control channel (TCG); the report\n"
		"says which and why, and gives the uncertainty beside every one-way figure.\n\n"
		"      --direction D    in, out or both (default both: in, then out)\n"
		"  -i, --interval T     probe period (default %s)\n"
		"  -c, --count N        probes per direction (default %s)\n"
		"  -d, --duration T     stream length per direction instead of --count\n"
		"  -s, --size B         UDP payload bytes (96..9000, as send)\n"
		"      --priority P     SO_PRIORITY of the probes\n"
		"      --transport T    udp4 (default) or udp6\n"
		"  -p, --port P         UDP port (default %d)\n"
		"      --json           one JSON document with a report per direction\n"
		"      --record DIR     keep the receivers' record files as DIR/in.rec, DIR/out.rec\n"
		"                       (guest stamps on the host clock; as taken: *.raw.rec)\n"
		"      --remote-netns NS --remote-addr ADDR\n"
		"                       the remote end: a named network namespace of this machine\n"
		"                       and its address there, instead of the lab's NAME-r; needed\n"
		"                       by labs on a lent NIC (lab up --uplink) or a passed-through\n"
		"                       device, whose remote end is on your network (without them\n"
		"                       run refuses and prints the commands to measure by hand)\n"
		"      --status-file F  keep F replaced each second by one JSON line: the running\n"
		"                       direction's received, sent, lost and p99 so far (the\n"
		"                       guest's clock offset taken out), for programs\n"
		"  -q, --quiet          no notices\n"
		"  -h, --help           this help\n\n"
		"Needs root. Exit status: 0 measured, 1 a direction failed or received nothing,\n"
		"or the run was interrupted (a direction not started is named), 2 bad usage\n"
		"(also any value send would refuse). See vnetlat-run(8).\n",
		DEFAULT_INTERVAL, DEFAULT_COUNT, VNL_DEFAULT_PORT);
}

enum { O_DIRECTION = 256, O_PRIORITY, O_TRANSPORT, O_JSON, O_RECORD, O_REMOTE_NETNS, O_REMOTE_ADDR,
       O_STATUS_FILE };

static const struct option long_opts[] = {
	{ "direction", required_argument, NULL, O_DIRECTION },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "size", required_argument, NULL, 's' },
	{ "priority", required_argument, NULL, O_PRIORITY },
	{ "transport", required_argument, NULL, O_TRANSPORT },
	{ "port", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, O_JSON },
	{ "record", required_argument, NULL, O_RECORD },
	{ "remote-netns", required_argument, NULL, O_REMOTE_NETNS },
	{ "remote-addr", required_argument, NULL, O_REMOTE_ADDR },
	{ "status-file", required_argument, NULL, O_STATUS_FILE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

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
	case O_STATUS_FILE:
		o->status_file = v;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	}
	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct vnl_run_opts o = { .directions = VNL_RUN_IN | VNL_RUN_OUT, .port = VNL_DEFAULT_PORT };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:c:d:s:p:qh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return VNL_EXIT_OK;
		}
		if (c == '?' || set_option(&o, c, optarg)) {
			if (c == '?')
				fputs("Run 'vnetlat run --help' for the options.\n", stderr);
			return VNL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		vnl_err("expected one lab name (got %d); e.g. 'vnetlat run vnl'", argc - optind);
		return VNL_EXIT_USAGE;
	}
	if (!o.remote_netns != !o.remote_addr) {
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
	o.lab = argv[optind];
	const char *bad_name;
	if (!vnl_lab_name_ok(o.lab, &bad_name)) {
		vnl_err("bad lab name '%s': %s (the NAME of 'vnetlat lab up --name NAME')", o.lab, bad_name);
		return VNL_EXIT_USAGE;
	}
	vnl_log_set_quiet(o.quiet);
	return vnl_run(&o);
}
