/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat: measure and explain the network latency virtual machines see. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "log.h"

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
#ifndef VNL_GUEST_STATIC /* the guest's static build has no libmnl, so no lab */
	{ "lab", cmd_lab, "create, show, enter and remove a throwaway network lab" },
	{ "run", cmd_run, "measure through a lab, both directions, with hops and guest clock" },
	{ "study", cmd_study, "run a whole study from a job file: every case, load, report" },
	{ "compare", cmd_compare, "compare two study results directories case by case" },
#endif
	{ "send", cmd_send, "send a time-triggered probe stream" },
	{ "recv", cmd_recv, "receive a probe stream and report its latency" },
	{ "report", cmd_report, "re-analyse a record file (window, JSON, CSV)" },
	{ "guest", cmd_guest, "build, boot and talk to a VM guest (image, qemu, agent)" },
	{ "clock", cmd_clock, "the clock between two hosts: exchanges, PHC, ptp4l state" },
};

static void usage(FILE *out)
{
	fputs("Usage: vnetlat VERB [OPTIONS...]\n"
	      "       vnetlat VERB --help\n\n"
	      "Verbs:\n", out);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\nExit status: 0 success, 1 the measurement failed, 2 bad usage.\n"
	      "See vnetlat(8) and vnetlat-VERB(8).\n", out);
}

/* Output that did not reach its file (a full disk, /dev/full) is a failure,
 * not an empty file and exit 0: stdout's last buffer is flushed here. */
static int finish_output(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF) {
		vnl_errno("cannot write the output (standard output)");
		return rc == VNL_EXIT_OK ? VNL_EXIT_FAIL : rc;
	}
	return rc;
}

int main(int argc, char **argv)
{
	/* Files and directories vnetlat makes are 0644 and 0755 whatever the
	 * caller's umask (run as root, a umask of 000 would make them writable
	 * by everyone). */
	umask(022);
	if (argc < 2) {
		usage(stderr);
		return VNL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return VNL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return finish_output(cmd_version());
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(argv[1], verbs[i].name)) {
			vnl_log_set_verb(verbs[i].name);
			return finish_output(verbs[i].run(argc - 1, argv + 1));
		}
	}
	vnl_err("unknown verb '%s'; run 'vnetlat --help' for the list", argv[1]);
	return VNL_EXIT_USAGE;
}
