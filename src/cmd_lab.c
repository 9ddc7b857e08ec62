/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat lab: create, show, enter and remove a throwaway network lab. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "doctor.h"
#include "lab.h"
#include "labbuild.h"
#include "log.h"
#include "parse.h"
#include "topo.h"

static void usage(FILE *out)
{
	fputs("Usage: vnetlat lab up TOPOLOGY [--name NAME] [--dry-run] [guest options]\n"
	      "       vnetlat lab down [--name NAME] [--dry-run]\n"
	      "       vnetlat lab show [--name NAME] [--json]\n"
	      "       vnetlat lab exec NODE [--name NAME] -- COMMAND [ARGS...]\n"
	      "       vnetlat lab doctor [--name NAME | --bridge BR]\n"
	      "       vnetlat lab SUBCOMMAND --help\n\n"
	      "A lab is a throwaway network of named network namespaces (seen by\n"
	      "'ip netns list') built with netlink. Every object is recorded in\n"
	      "/run/vnetlat/labs/NAME.state before it is created, so 'down' removes\n"
	      "exactly what 'up' made, also after 'up' was killed, and nothing else.\n\n"
	      "Topologies:\n", out);
	vnl_lab_topologies_help(out);
	fputs("\nThe veth lab: NAME-a 192.0.2.1/24 2001:db8::1/64 and NAME-b 192.0.2.2/24\n"
	      "2001:db8::2/64, each on an interface wire0 with a MAC derived from NAME.\n"
	      "The VM labs (bridge, macvtap, ovs, passthrough): NAME-r (remote) has wire0\n"
	      "192.0.2.1/24 2001:db8::1/64 and runs dnsmasq; a veth joins it to uplink0 in\n"
	      "NAME-h (host), which holds the back-end; a QEMU guest on the back-end gets\n"
	      "192.0.2.2 by DHCP (and 2001:db8::2/64). Its files are in /run/vnetlat/guest/NAME.\n\n"
	      "Options:\n"
	      "  -n, --name NAME  the lab (default " VNL_LAB_DEFAULT_NAME "): 1 to 10 of a-z 0-9 -\n"
	      "      --dry-run    up/down: print the equivalent commands (ip, dnsmasq, ovs-vsctl,\n"
	      "                   qemu), change nothing\n"
	      "      --json       show: one JSON document {\"labs\": [...]}\n"
	      "  -h, --help       this help\n"
	      "Guest options of up:\n"
	      "      --guest-arch x86_64|aarch64  the guest's architecture (default: the host's;\n"
	      "                             another one is emulated: TCG)\n"
	      "      --accel kvm|tcg|auto   accelerator (auto: KVM if it can run a guest, else TCG)\n"
	      "      --vhost on|off|auto    vhost-net (auto: when /dev/vhost-net exists)\n"
	      "      --guest-cpus N         vCPUs (default 1)\n"
	      "      --guest-mem MB         memory (default 256)\n"
	      "      --pin-vcpu CPU         pin the guest's qemu threads to host CPU\n"
	      "      --vlan ID              bridge/macvtap/ovs/xdp: the test stream on 802.1Q VLAN ID\n"
	      "                             (1-4094): NAME-r vlan0 198.51.100.1/24 2001:db8:1::1/64,\n"
	      "                             guest eth0.ID 198.51.100.2/24 2001:db8:1::2/64 (send\n"
	      "                             --priority P sets PCP P); eth0 stays untagged (DHCP,\n"
	      "                             load); without 802.1Q in the kernel a BPF tagger\n"
	      "                             (tc programs) makes vlan0\n"
	      "      --ovs-afxdp            ovs: the uplink as an AF_XDP port (userspace datapath)\n"
	      "      --pci BDF              passthrough: the PCI device / SR-IOV VF to hand over\n"
	      "      --uplink IFACE         bridge, macvtap, ovs, xdp: lend IFACE, a NIC of this\n"
	      "                             namespace, to the lab as its uplink instead of a veth\n"
	      "                             to NAME-r: no NAME-r, no dnsmasq; the guest takes an\n"
	      "                             address by DHCP from IFACE's network. Refused for\n"
	      "                             loopback, Wi-Fi, a port of a bridge/bond, or the\n"
	      "                             interface of the default route. 'down' gives it back\n"
	      "                             with its name, MTU, addresses and up/down state.\n"
	      "Doctor: --name NAME checks a VM lab, --bridge BR a Linux bridge of yours (in\n"
	      "this namespace), for the usual reasons a guest gets no DHCP lease; a lab with\n"
	      "a remote end of its own also gets 20 UDP datagrams each way, and the receivers'\n"
	      "checksum-error counters say whether a back-end leaves checksums unfinished.\n\n"
	      "NODE for exec: a or remote, b or local (veth); r or remote, h or host, guest\n"
	      "(through the guest's agent) for the VM labs; or a namespace name.\n"
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
	const char *bridge;
	struct vnl_lab_opts opts;
	bool named, dry_run, json, help;
	int npos;
	char *pos[2];
};

/* The guest options of up ('g' in allowed); 0 or an exit code. */
static int guest_option(const char *sub, int c, struct vnl_lab_opts *o)
{
	const char *why = "";
	uint64_t v;
	switch (c) {
	case 'A':
		return vnl_parse_accel(optarg, &o->accel, &why) ? usage_error(sub, "--accel %s: %s", optarg, why) : 0;
	case 'V':
		return vnl_parse_vhost(optarg, &o->vhost, &why) ? usage_error(sub, "--vhost %s: %s", optarg, why) : 0;
	case 'C':
		if (vnl_parse_u64(optarg, 1, 64, &v, &why))
			return usage_error(sub, "--guest-cpus %s: %s", optarg, why);
		o->guest_cpus = (unsigned)v;
		return 0;
	case 'M':
		if (vnl_parse_u64(optarg, 16, 65536, &v, &why))
			return usage_error(sub, "--guest-mem %s: %s (MB)", optarg, why);
		o->guest_mem_mb = (unsigned)v;
		return 0;
	case 'P':
		if (vnl_parse_u64(optarg, 0, 4095, &v, &why))
			return usage_error(sub, "--pin-vcpu %s: %s", optarg, why);
		o->pin_vcpu = (int)v;
		return 0;
	case 'L':
		if (vnl_parse_u64(optarg, 1, 4094, &v, &why))
			return usage_error(sub, "--vlan %s: %s (an 802.1Q id, 1 to 4094)", optarg, why);
		o->vlan = (unsigned)v;
		return 0;
	case 'G':
		o->guest_arch = vnl_guestarch_find(optarg);
		return o->guest_arch ? 0 : usage_error(sub, "--guest-arch %s: expected %s", optarg,
						       vnl_guestarch_names());
	case 'X': o->ovs_afxdp = true; return 0;
	case 'B': o->pci = optarg; return 0;
	case 'U': o->uplink = optarg; return 0;
	}
	return usage_error(sub, "internal: option %c", c);
}

/*
 * Options of a subcommand (argv[0] is its name); allowed says which of
 * 'd' (--dry-run), 'j' (--json), 'g' (guest options) and 'b' (--bridge)
 * it takes. Non-options go to pos.
 */
static int parse(int argc, char **argv, const char *allowed, struct lab_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "accel", required_argument, NULL, 'A' },
		{ "guest-arch", required_argument, NULL, 'G' },
		{ "vhost", required_argument, NULL, 'V' },
		{ "guest-cpus", required_argument, NULL, 'C' },
		{ "guest-mem", required_argument, NULL, 'M' },
		{ "pin-vcpu", required_argument, NULL, 'P' },
		{ "vlan", required_argument, NULL, 'L' },
		{ "ovs-afxdp", no_argument, NULL, 'X' },
		{ "pci", required_argument, NULL, 'B' },
		{ "uplink", required_argument, NULL, 'U' },
		{ "bridge", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub = argv[0];
	*a = (struct lab_args){ .name = VNL_LAB_DEFAULT_NAME };
	vnl_lab_opts_init(&a->opts);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		bool guest = c && strchr("AGVCMPLXBU", c);
		if (((c == 'd' || c == 'j' || c == 'b') && !strchr(allowed, c)) ||
		    (guest && !strchr(allowed, 'g'))) {
			/* by its name: argv[optind - 1] may be the option's value */
			const char *opt = argv[optind - 1];
			for (size_t i = 0; opts[i].name; i++)
				if (opts[i].val == c)
					opt = opts[i].name;
			return usage_error(sub, "'lab %s' has no option --%s", sub,
					   opt[0] == '-' ? opt + 2 : opt);
		}
		if (guest) {
			int ret = guest_option(sub, c, &a->opts);
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'n': a->name = optarg; a->named = true; break;
		case 'd': a->dry_run = true; break;
		case 'j': a->json = true; break;
		case 'h': a->help = true; break;
		case 'b': a->bridge = optarg; break;
		default:
			if (optopt == 'n' || (optind > 0 && !strcmp(argv[optind - 1], "--name")))
				return usage_error(sub, "--name needs a value");
			if (optopt && strchr("AGVCMPLBbU", optopt))
				return usage_error(sub, "%s needs a value", argv[optind - 1]);
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
	int ret = parse(argc, argv, "dg", &a);
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
	/* The stream's VLAN runs between LAB-r and a guest of ours. */
	if (a.opts.vlan && (!strcmp(a.pos[0], "veth") || !strcmp(a.pos[0], "passthrough")))
		return usage_error("up", "--vlan is for the guest topologies bridge, macvtap, ovs and "
				   "xdp, not %s", a.pos[0]);
	/* veth has no host uplink port; passthrough's wire is its device's own */
	if (a.opts.uplink && (!strcmp(a.pos[0], "veth") || !strcmp(a.pos[0], "passthrough")))
		return usage_error("up", "--uplink is for the bridge, macvtap, ovs and xdp labs; "
				   "the %s lab has no host uplink port", a.pos[0]);
	if (!a.dry_run && (ret = need_root()))
		return ret;
	if (a.opts.accel == VNL_ACCEL_KVM && a.opts.guest_arch && !vnl_guestarch_native(a.opts.guest_arch))
		return usage_error("up", "--accel kvm: KVM runs only the host's own architecture, not "
				   "an %s guest; use --accel tcg or auto", a.opts.guest_arch->name);
	return vnl_lab_up(a.pos[0], a.name, &a.opts, a.dry_run);
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
	if (!strcmp(a.pos[0], "guest"))
		return vnl_topo_guest_exec(a.name, argv + dashes + 1);
	return vnl_lab_exec(a.name, a.pos[0], argv + dashes + 1);
}

static int lab_doctor(int argc, char **argv)
{
	struct lab_args a;
	int ret = parse(argc, argv, "b", &a);
	if (ret || a.help) {
		if (a.help)
			usage(stdout);
		return ret;
	}
	if (a.npos)
		return usage_error("doctor", "unexpected argument '%s'", a.pos[0]);
	if (a.bridge && a.named)
		return usage_error("doctor", "either --name (a lab) or --bridge (your bridge), not both");
	if ((ret = need_root()))
		return ret;
	return a.bridge ? vnl_doctor_bridge(a.bridge) : vnl_doctor_lab(a.name);
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
	if (!strcmp(sub, "doctor"))
		return lab_doctor(argc - 1, argv + 1);
	vnl_err("unknown subcommand '%s'; it is up, down, show, exec or doctor ('vnetlat lab --help')",
		sub);
	return VNL_EXIT_USAGE;
}
