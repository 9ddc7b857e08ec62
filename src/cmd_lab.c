/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat lab: create, show, enter and remove a throwaway network lab. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lab.h"
#include "log.h"

static void usage(FILE *out)
{
	fputs("Usage: vnetlat lab up TOPOLOGY [--name NAME] [--dry-run]\n"
	      "       vnetlat lab down [--name NAME] [--dry-run]\n"
	      "       vnetlat lab show [--name NAME] [--json]\n"
	      "       vnetlat lab exec NODE [--name NAME] -- COMMAND [ARGS...]\n"
	      "       vnetlat lab SUBCOMMAND --help\n\n"
	      "A lab is a throwaway network of named network namespaces (seen by\n"
	      "'ip netns list') built with netlink. Every object is recorded in\n"
	      "/run/vnetlat/labs/NAME.state before it is created, so 'down' removes\n"
	      "exactly what 'up' made, also after 'up' was killed, and nothing else.\n\n"
	      "Topologies:\n", out);
	vnl_lab_topologies_help(out);
	fputs("\nThe veth lab: NAME-a 192.0.2.1/24 2001:db8::1/64 and NAME-b 192.0.2.2/24\n"
	      "2001:db8::2/64, each on an interface wire0 with a MAC derived from NAME.\n\n"
	      "Options:\n"
	      "  -n, --name NAME  the lab (default " VNL_LAB_DEFAULT_NAME "): 1 to 10 of a-z 0-9 -\n"
	      "      --dry-run    up/down: print the equivalent ip commands, change nothing\n"
	      "      --json       show: one JSON document {\"labs\": [...]}\n"
	      "  -h, --help       this help\n\n"
	      "NODE for exec: a or remote, b or local, or a namespace name.\n"
	      "Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), except with --dry-run.\n"
	      "Exit status: 0 done, 1 failed (exec: the command's status), 2 bad usage.\n"
	      "See vnetlat-lab(8).\n", out);
}

/* One line: what was wrong, and where the usage is. */
__attribute__((format(printf, 2, 3)))
static int usage_error(const char *sub, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	vnl_err("%s; see 'vnetlat lab %s --help'", what, sub);
	return VNL_EXIT_USAGE;
}

struct lab_args {
	const char *name;
	bool named, dry_run, json, help;
	int npos;
	char *pos[2];
};

/*
 * Options of a subcommand (argv[0] is its name); allowed says which of
 * 'd' (--dry-run) and 'j' (--json) it takes. Non-options go to pos.
 */
static int parse(int argc, char **argv, const char *allowed, struct lab_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub = argv[0];
	*a = (struct lab_args){ .name = VNL_LAB_DEFAULT_NAME };
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if ((c == 'd' || c == 'j') && !strchr(allowed, c))
			return usage_error(sub, "'lab %s' has no option %s", sub, argv[optind - 1]);
		switch (c) {
		case 'n': a->name = optarg; a->named = true; break;
		case 'd': a->dry_run = true; break;
		case 'j': a->json = true; break;
		case 'h': a->help = true; break;
		default:
			if (optopt == 'n' || (optind > 0 && !strcmp(argv[optind - 1], "--name")))
				return usage_error(sub, "--name needs a value");
			return usage_error(sub, "'%s' is not an option of 'lab %s'", argv[optind - 1],
					   sub);
		}
	}
	for (; optind < argc; optind++) {
		if (a->npos == 2)
			return usage_error(sub, "unexpected argument '%s'", argv[optind]);
		a->pos[a->npos++] = argv[optind];
	}
	const char *why;
	if (!a->help && !vnl_lab_name_ok(a->name, &why))
		return usage_error(sub, "bad lab name '%s': %s", a->name, why);
	return 0;
}

static int need_root(void)
{
	if (geteuid() == 0)
		return 0;
	vnl_err("needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run it with sudo");
	return VNL_EXIT_USAGE;
}

static int lab_up(int argc, char **argv)
{
	struct lab_args a;
	int ret = parse(argc, argv, "d", &a);
	if (ret || a.help) {
		if (a.help)
			usage(stdout);
		return ret;
	}
	if (a.npos != 1)
		return usage_error("up", a.npos ? "one topology only"
					       : "which topology? e.g. 'vnetlat lab up veth'");
	if (!vnl_lab_topology_known(a.pos[0])) {
		char known[128] = "";
		const char *t;
		for (size_t i = 0; (t = vnl_lab_topology_name(i)); i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", t);
		return usage_error("up", "unknown topology '%s' (there are: %s)", a.pos[0], known);
	}
	if (!a.dry_run && (ret = need_root()))
		return ret;
	return vnl_lab_up(a.pos[0], a.name, a.dry_run);
}

static int lab_down_or_show(int argc, char **argv, bool show)
{
	struct lab_args a;
	int ret = parse(argc, argv, show ? "j" : "d", &a);
	if (ret || a.help) {
		if (a.help)
			usage(stdout);
		return ret;
	}
	if (a.npos)
		return usage_error(argv[0], "unexpected argument '%s'", a.pos[0]);
	if (!a.dry_run && (ret = need_root()))
		return ret;
	if (!show)
		return vnl_lab_down(a.name, a.dry_run);
	/* Without --name: every lab. */
	return vnl_lab_show(a.named ? a.name : NULL, a.json);
}

static int lab_exec(int argc, char **argv)
{
	int dashes = 1;
	while (dashes < argc && strcmp(argv[dashes], "--"))
		dashes++;
	struct lab_args a;
	/* Only the part before "--" is ours; the command keeps its own options. */
	int ret = parse(dashes, argv, "", &a);
	if (ret || a.help) {
		if (a.help)
			usage(stdout);
		return ret;
	}
	if (a.npos != 1)
		return usage_error("exec", a.npos ? "one NODE only, then -- and the command"
						  : "which node? e.g. 'vnetlat lab exec a -- ping 192.0.2.2'");
	if (dashes + 1 >= argc)
		return usage_error("exec", "no command: put it after '--', e.g. "
				   "'vnetlat lab exec %s -- ip addr'", a.pos[0]);
	if ((ret = need_root()))
		return ret;
	return vnl_lab_exec(a.name, a.pos[0], argv + dashes + 1);
}

int cmd_lab(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return VNL_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return VNL_EXIT_OK;
	}
	if (!strcmp(sub, "up"))
		return lab_up(argc - 1, argv + 1);
	if (!strcmp(sub, "down"))
		return lab_down_or_show(argc - 1, argv + 1, false);
	if (!strcmp(sub, "show"))
		return lab_down_or_show(argc - 1, argv + 1, true);
	if (!strcmp(sub, "exec"))
		return lab_exec(argc - 1, argv + 1);
	vnl_err("unknown subcommand '%s'; it is up, down, show or exec ('vnetlat lab --help')", sub);
	return VNL_EXIT_USAGE;
}
