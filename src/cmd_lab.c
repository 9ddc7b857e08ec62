/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat lab: create, show, enter and remove a throwaway network lab. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "doctor.h"
#include "doctor_rt.h"
#include "lab.h"
#include "labbuild.h"
#include "log.h"
#include "optable.h"
#include "parse.h"
#include "cpulist.h"
#include "qbv.h"
#include "topo.h"

enum { O_DRY_RUN = 256, O_JSON, O_BRIDGE, O_ACCEL, O_GUEST_ARCH, O_VHOST, O_GUEST_CPUS, O_GUEST_MEM,
       O_PIN_VCPU, O_EMULATOR_CPUS, O_VHOST_FIFO, O_IRQ_CPUS, O_VLAN, O_QBV, O_OVS_AFXDP, O_VHOST_USER, O_PMD_CPUS, O_PCI, O_UPLINK, O_RT, O_CPUS };

/* --name as up, down, exec and doctor take it (show's own says "every lab"). */
static const struct vnl_opt name_opts[] = {
	{ "name", 'n', "NAME", "the lab (default " VNL_LAB_DEFAULT_NAME "): 1 to 10 of a-z 0-9 -" },
	VNL_OPT_END,
};
static const struct vnl_opt help_opts[] = {
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt up_opts[] = {
	{ "dry-run", O_DRY_RUN, NULL, "print the equivalent commands (ip, dnsmasq, ovs-vsctl,\n"
				      "qemu), change nothing" },
	VNL_OPT_END,
};
static const struct vnl_opt guest_opts[] = {
	{ "guest-arch", O_GUEST_ARCH, "ARCH", "x86_64 or aarch64: the guest's architecture\n"
					      "(default: the host's; another one is emulated: TCG)" },
	{ "accel", O_ACCEL, "MODE", "kvm, tcg or auto: the accelerator (auto, the default:\n"
				    "KVM if it can run a guest, else TCG)" },
	{ "vhost", O_VHOST, "MODE", "on, off or auto: vhost-net (auto, the default: when\n"
				    "/dev/vhost-net exists)" },
	{ "guest-cpus", O_GUEST_CPUS, "N", "vCPUs, 1 to 64 (default 1)" },
	{ "guest-mem", O_GUEST_MEM, "MB", "memory, 16 to 65536 MB (default 256)" },
	{ "pin-vcpu", O_PIN_VCPU, "LIST", "pin qemu to host CPUs: one CPU for all its threads,\n"
				       "or one per vCPU in order (1,0: vCPU 0 on CPU 1,\n"
				       "vCPU 1 on CPU 0; as many as --guest-cpus), qemu's\n"
				       "other threads then on the CPUs not listed" },
	{ "emulator-cpus", O_EMULATOR_CPUS, "LIST", "with a per-vCPU --pin-vcpu: the CPUs for qemu's\n"
						 "other threads (I/O, emulator) instead" },
	{ "vhost-fifo", O_VHOST_FIFO, "P", "raise the guest's vhost-net workers to SCHED_FIFO P\n"
					   "(1-99) once it is up; refused without vhost-net" },
	{ "irq-cpus", O_IRQ_CPUS, "LIST", "with --uplink: steer the NIC's IRQs to CPUs LIST\n"
					  "(given back by down); refused for a device\n"
					  "without IRQs of its own (veth, dummy)" },
	{ "vlan", O_VLAN, "ID", "bridge/macvtap/ovs/xdp: the test stream on 802.1Q\n"
				"VLAN ID (1-4094): NAME-r vlan0 198.51.100.1/24\n"
				"2001:db8:1::1/64, guest eth0.ID 198.51.100.2/24\n"
				"2001:db8:1::2/64 (send --priority P sets PCP P);\n"
				"eth0 stays untagged (DHCP, load); without 802.1Q in\n"
				"the kernel a BPF tagger (tc programs) makes vlan0" },
	{ "qbv", O_QBV, "OPEN+LENGTH/CYCLE", "bridge/ovs/xdp: a Qbv window (e.g. 500us+250us/1ms):\n"
				"taprio on the guest's eth0 (software mode, CLOCK_TAI,\n"
				"base time in the lab info), priority 3 (the stream's:\n"
				"run sends with it) in class 0 open at OPEN for\n"
				"LENGTH in every CYCLE (which divides 1 s), all else\n"
				"in class 1 the rest; two TX queues (virtio-net mq);\n"
				"remote -> guest is refused with the reason" },
	{ "ovs-afxdp", O_OVS_AFXDP, NULL, "ovs: the uplink as an AF_XDP port (userspace datapath)" },
	{ "vhost-user", O_VHOST_USER, NULL, "ovs --ovs-afxdp: the guest on a vhost-user port\n"
					    "(dpdkvhostuserclient of Debian's DPDK vswitchd,\n"
					    "openvswitch-switch-dpdk) instead of a tap, its memory\n"
					    "shared through hugepages when the host has them free,\n"
					    "else a memfd; the study's back-end 5" },
	{ "pmd-cpus", O_PMD_CPUS, "LIST", "with --vhost-user: the PMD threads (busy-polling the\n"
					  "ports) on CPUs LIST (pmd-cpu-mask); default: OVS's\n"
					  "choice (one per NUMA node)" },
	{ "pci", O_PCI, "BDF", "passthrough: the PCI device / SR-IOV VF to hand over" },
	{ "uplink", O_UPLINK, "IFACE", "bridge, macvtap, ovs, xdp: lend IFACE, a NIC of this\n"
				       "namespace, to the lab as its uplink instead of a veth\n"
				       "to NAME-r: no NAME-r, no dnsmasq; the guest takes an\n"
				       "address by DHCP from IFACE's network. Refused for\n"
				       "loopback, Wi-Fi, a port of a bridge/bond, or the\n"
				       "interface of the default route. 'down' gives it back\n"
				       "with its name, MTU, addresses and up/down state." },
	VNL_OPT_END,
};
static const struct vnl_opt down_opts[] = {
	{ "dry-run", O_DRY_RUN, NULL, "print the commands that remove what the state file\n"
				      "lists, change nothing" },
	VNL_OPT_END,
};
static const struct vnl_opt show_opts[] = {
	{ "name", 'n', "NAME", "only lab NAME (default: every lab)" },
	{ "json", O_JSON, NULL, "one JSON document {\"labs\": [...]}" },
	VNL_OPT_END,
};
static const struct vnl_opt doctor_opts[] = {
	{ "bridge", O_BRIDGE, "BR", "check BR, a Linux bridge of yours in this namespace,\n"
				    "instead of a lab (not with --name)" },
	{ "rt", O_RT, NULL, "check the real-time set-up instead: PREEMPT_RT, isolcpus,\n"
			    "nohz_full, rcu_nocbs, governor, SMT; with --name the\n"
			    "guest's vCPU threads' CPUs" },
	{ "cpus", O_CPUS, "LIST", "with --rt: also check that the CPUs of LIST (1,3 or\n"
				  "2-3) are isolated, as the ones a run will use" },
	VNL_OPT_END,
};

static const struct vnl_opt *const up_tables[] = { name_opts, up_opts, guest_opts, help_opts, NULL };
static const struct vnl_opt *const down_tables[] = { name_opts, down_opts, help_opts, NULL };
static const struct vnl_opt *const show_tables[] = { show_opts, help_opts, NULL };
static const struct vnl_opt *const exec_tables[] = { name_opts, help_opts, NULL };
static const struct vnl_opt *const doctor_tables[] = { name_opts, doctor_opts, help_opts, NULL };
/* Every lab option: one a sub-verb does not take is named as another's. */
static const struct vnl_opt *const all_tables[] = { name_opts, up_opts, guest_opts, down_opts,
						    show_opts, doctor_opts, help_opts, NULL };
static const struct vnl_opt *const verb_tables[] = { help_opts, NULL };

/* The end of every lab --help: root, exit status, the man page. */
static void footer(FILE *out, bool dry_run, const char *status)
{
	fprintf(out, "\nNeeds root (CAP_NET_ADMIN, CAP_SYS_ADMIN)%s.\n"
		     "Exit status: %s, 2 bad usage.\nSee vnetlat-lab(8).\n",
		dry_run ? ", except with --dry-run" : "", status);
}

static void up_usage(FILE *out)
{
	fputs("Usage: vnetlat lab up TOPOLOGY [OPTIONS]\n"
	      "Build lab NAME: its namespaces, links and addresses (and for the VM labs the\n"
	      "guest), each recorded in /run/vnetlat/labs/NAME.state before it is made.\n\n"
	      "Topologies:\n", out);
	vnl_lab_topologies_help(out);
	fputs("\nThe veth lab: NAME-a 192.0.2.1/24 2001:db8::1/64 and NAME-b 192.0.2.2/24\n"
	      "2001:db8::2/64, each on an interface wire0 with a MAC derived from NAME.\n"
	      "The VM labs (bridge, macvtap, ovs, passthrough): NAME-r (remote) has wire0\n"
	      "192.0.2.1/24 2001:db8::1/64 and runs dnsmasq; a veth joins it to uplink0 in\n"
	      "NAME-h (host), which holds the back-end; a QEMU guest on the back-end gets\n"
	      "192.0.2.2 by DHCP (and 2001:db8::2/64). Its files are in\n"
	      "/run/vnetlat/guest/NAME.\n\n"
	      "Options:\n", out);
	vnl_opts_print(out, (const struct vnl_opt *const[]){ name_opts, up_opts, NULL });
	fputs("Guest options (the VM labs):\n", out);
	vnl_opts_print(out, (const struct vnl_opt *const[]){ guest_opts, help_opts, NULL });
	footer(out, true, "0 built, 1 failed (also: the lab exists)");
}

static void down_usage(FILE *out)
{
	fputs("Usage: vnetlat lab down [OPTIONS]\n"
	      "Remove lab NAME: every object its state file lists, newest first, and nothing\n"
	      "else; processes still inside its namespaces are stopped first.\n\n", out);
	vnl_opts_print(out, down_tables);
	footer(out, true, "0 removed, 1 failed (also: no such lab)");
}

static void show_usage(FILE *out)
{
	fputs("Usage: vnetlat lab show [OPTIONS]\n"
	      "Each node of the lab: its namespace, interfaces, MACs and addresses; for a VM\n"
	      "lab also the guest (lease, qemu, back-end, accelerator), for xdp the bridge's\n"
	      "programs and counters.\n\n", out);
	vnl_opts_print(out, show_tables);
	footer(out, false, "0 shown, 1 failed (also: no such lab)");
}

static void exec_usage(FILE *out)
{
	fputs("Usage: vnetlat lab exec NODE [OPTIONS] -- COMMAND [ARGS...]\n"
	      "Run COMMAND in a node of the lab. NODE: a or remote, b or local (veth); r or\n"
	      "remote, h or host, guest (through the guest's agent) for the VM labs; or a\n"
	      "namespace name. Only the options before '--' are exec's.\n\n", out);
	vnl_opts_print(out, exec_tables);
	footer(out, false, "the command's, 1 failed");
}

static void doctor_usage(FILE *out)
{
	fputs("Usage: vnetlat lab doctor [--name NAME | --bridge BR]\n"
	      "       vnetlat lab doctor --rt [--name NAME] [--cpus LIST]\n"
	      "Check a VM lab (--name) or a Linux bridge of yours (--bridge, in this\n"
	      "namespace) for the usual reasons a guest gets no DHCP lease; a lab with\n"
	      "a remote end of its own also gets 20 UDP datagrams each way, and the receivers'\n"
	      "checksum-error counters say whether a back-end leaves checksums unfinished.\n"
	      "With --rt: whether this host is set up as the published study's was\n"
	      "(PREEMPT_RT, isolated tickless CPUs, performance governor, SMT off), whether\n"
	      "the CPUs of --cpus are isolated and, with --name, where the guest's vCPU\n"
	      "threads may run. Each check: ok, PROBLEM with the change to make, or info.\n\n",
	      out);
	vnl_opts_print(out, doctor_tables);
	footer(out, false, "0 no problem found, 1 a problem found (or no check could run)");
}

struct lab_args {
	const char *name;
	const char *bridge;
	const char *cpus;  /* doctor --rt --cpus */
	struct vnl_lab_opts opts;
	bool named, dry_run, json, help, rt;
	int npos;
	char *pos[2];
};

/* An invalid value of option OPT: "invalid OPT 'V': WHY[ (MORE)]"; the usage exit code. */
static int bad_value(const char *opt, const char *v, const char *why, const char *more)
{
	char text[256];
	snprintf(text, sizeof(text), "%s%s%s%s", why, more ? " (" : "", more ? more : "",
		 more ? ")" : "");
	vnl_err_invalid(opt, v, text);
	return VNL_EXIT_USAGE;
}

/* Apply option C (a key of the sub-verb's tables); 0 or the usage exit code. */
static int set_option(struct lab_args *a, int c, const char *v)
{
	struct vnl_lab_opts *o = &a->opts;
	const char *why = "";
	uint64_t u;
	switch (c) {
	case 'n': a->name = v; a->named = true; return 0;
	case O_DRY_RUN: a->dry_run = true; return 0;
	case O_JSON: a->json = true; return 0;
	case O_BRIDGE: a->bridge = v; return 0;
	case O_RT: a->rt = true; return 0;
	case O_CPUS: a->cpus = v; return 0;
	case O_ACCEL:
		return vnl_parse_accel(v, &o->accel, &why) ? bad_value("--accel", v, why, NULL) : 0;
	case O_VHOST:
		return vnl_parse_vhost(v, &o->vhost, &why) ? bad_value("--vhost", v, why, NULL) : 0;
	case O_GUEST_CPUS:
		if (vnl_parse_u64(v, 1, 64, &u, &why))
			return bad_value("--guest-cpus", v, why, "1 to 64");
		o->guest_cpus = (unsigned)u;
		return 0;
	case O_GUEST_MEM:
		if (vnl_parse_u64(v, 16, 65536, &u, &why))
			return bad_value("--guest-mem", v, why, "MB, 16 to 65536");
		o->guest_mem_mb = (unsigned)u;
		return 0;
	case O_PIN_VCPU:
		if (vnl_cpulist_count(v) <= 0)
			return bad_value("--pin-vcpu", v, "not a CPU list", "a host CPU, or one per vCPU: 1,0");
		o->pin_vcpu = v;
		return 0;
	case O_IRQ_CPUS:
		if (vnl_cpulist_count(v) <= 0)
			return bad_value("--irq-cpus", v, "not a CPU list", "like 0 or 2-3");
		o->irq_cpus = v;
		return 0;
	case O_VHOST_FIFO:
		if (vnl_parse_u64(v, 1, 99, &u, &why))
			return bad_value("--vhost-fifo", v, why, "a SCHED_FIFO priority, 1 to 99");
		o->vhost_fifo = (int)u;
		return 0;
	case O_EMULATOR_CPUS:
		if (vnl_cpulist_count(v) <= 0)
			return bad_value("--emulator-cpus", v, "not a CPU list", "like 0 or 0-1");
		o->emulator_cpus = v;
		return 0;
	case O_VLAN:
		if (vnl_parse_u64(v, 1, 4094, &u, &why))
			return bad_value("--vlan", v, why, "an 802.1Q id, 1 to 4094");
		o->vlan = (unsigned)u;
		return 0;
	case O_QBV:
		if (vnl_qbv_parse(v, &o->qbv, &why))
			return bad_value("--qbv", v, why, NULL);
		return 0;
	case O_GUEST_ARCH:
		o->guest_arch = vnl_guestarch_find(v);
		if (!o->guest_arch) {
			char expected[128];
			snprintf(expected, sizeof(expected), "expected %s", vnl_guestarch_names());
			return bad_value("--guest-arch", v, expected, NULL);
		}
		return 0;
	case O_OVS_AFXDP: o->ovs_afxdp = true; return 0;
	case O_VHOST_USER: o->vhost_user = true; return 0;
	case O_PMD_CPUS:
		if (vnl_cpulist_count(v) <= 0)
			return bad_value("--pmd-cpus", v, "not a CPU list", "like 1 or 2-3");
		o->pmd_cpus = v;
		return 0;
	case O_PCI: o->pci = v; return 0;
	case O_UPLINK: o->uplink = v; return 0;
	}
	vnl_err("internal: option %d", c);
	return VNL_EXIT_FAIL;
}

/*
 * The options of sub-verb argv[0] (VERB: "lab up"), from its TABLES; --help
 * prints USAGE and sets help. Non-options go to pos.
 */
static int parse(int argc, char **argv, const char *verb, const struct vnl_opt *const tables[],
		 void (*usage_of)(FILE *out), struct lab_args *a)
{
	*a = (struct lab_args){ .name = VNL_LAB_DEFAULT_NAME };
	vnl_lab_opts_init(&a->opts);
	struct vnl_optset set;
	vnl_optset_build(&set, tables);
	optind = 1;
	int c;
	while ((c = vnl_optset_next_sub(&set, argc, argv, verb, all_tables)) != -1) {
		if (c == '?')
			return VNL_EXIT_USAGE;
		if (c == 'h') {
			usage_of(stdout);
			a->help = true;
			return 0;
		}
		int ret = set_option(a, c, optarg);
		if (ret)
			return ret;
	}
	for (; optind < argc; optind++) {
		if (a->npos == 2) {
			vnl_err("unexpected argument '%s'; see 'vnetlat %s --help'", argv[optind], verb);
			return VNL_EXIT_USAGE;
		}
		a->pos[a->npos++] = argv[optind];
	}
	const char *why;
	if (!vnl_lab_name_ok(a->name, &why)) {
		vnl_err("bad lab name '%s': %s; see 'vnetlat %s --help'", a->name, why, verb);
		return VNL_EXIT_USAGE;
	}
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
	int ret = parse(argc, argv, "lab up", up_tables, up_usage, &a);
	if (ret || a.help)
		return ret;
	if (a.npos != 1) {
		vnl_err(a.npos ? "one topology only; see 'vnetlat lab up --help'"
			       : "which topology? e.g. 'vnetlat lab up veth'; see 'vnetlat lab up --help'");
		return VNL_EXIT_USAGE;
	}
	if (!vnl_lab_topology_known(a.pos[0])) {
		char known[128] = "";
		const char *t;
		for (size_t i = 0; (t = vnl_lab_topology_name(i)); i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", t);
		vnl_err("unknown topology '%s' (there are: %s); see 'vnetlat lab up --help'", a.pos[0],
			known);
		return VNL_EXIT_USAGE;
	}
	/* The stream's VLAN runs between LAB-r and a guest of ours. */
	if (a.opts.vlan && (!strcmp(a.pos[0], "veth") || !strcmp(a.pos[0], "passthrough"))) {
		vnl_err("--vlan is for the guest topologies bridge, macvtap, ovs and xdp, not %s",
			a.pos[0]);
		return VNL_EXIT_USAGE;
	}
	/* taprio wants a TX queue per class: a multi-queue tap (macvtap would need a fd per queue) */
	if (a.opts.qbv.cycle_ns && strcmp(a.pos[0], "bridge") && strcmp(a.pos[0], "ovs") &&
	    strcmp(a.pos[0], "xdp")) {
		vnl_err("--qbv is for the bridge, ovs and xdp labs (a multi-queue tap for the guest's "
			"two TX queues), not %s", a.pos[0]);
		return VNL_EXIT_USAGE;
	}
	/* veth has no host uplink port; passthrough's wire is its device's own */
	if (a.opts.uplink && (!strcmp(a.pos[0], "veth") || !strcmp(a.pos[0], "passthrough"))) {
		vnl_err("--uplink is for the bridge, macvtap, ovs and xdp labs; the %s lab has no "
			"host uplink port", a.pos[0]);
		return VNL_EXIT_USAGE;
	}
	if (!a.dry_run && (ret = need_root()))
		return ret;
	if (a.opts.accel == VNL_ACCEL_KVM && a.opts.guest_arch && !vnl_guestarch_native(a.opts.guest_arch)) {
		vnl_err("--accel kvm: KVM runs only the host's own architecture, not an %s guest; "
			"use --accel tcg or auto", a.opts.guest_arch->name);
		return VNL_EXIT_USAGE;
	}
	return vnl_lab_up(a.pos[0], a.name, &a.opts, a.dry_run);
}

/* No positional argument after the options of VERB; 0 or the usage exit code. */
static int no_arguments(const struct lab_args *a, const char *verb)
{
	if (!a->npos)
		return 0;
	vnl_err("unexpected argument '%s'; see 'vnetlat %s --help'", a->pos[0], verb);
	return VNL_EXIT_USAGE;
}

static int lab_down(int argc, char **argv)
{
	struct lab_args a;
	int ret = parse(argc, argv, "lab down", down_tables, down_usage, &a);
	if (ret || a.help || (ret = no_arguments(&a, "lab down")))
		return ret;
	if (!a.dry_run && (ret = need_root()))
		return ret;
	return vnl_lab_down(a.name, a.dry_run);
}

static int lab_show(int argc, char **argv)
{
	struct lab_args a;
	int ret = parse(argc, argv, "lab show", show_tables, show_usage, &a);
	if (ret || a.help || (ret = no_arguments(&a, "lab show")) || (ret = need_root()))
		return ret;
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
	int ret = parse(dashes, argv, "lab exec", exec_tables, exec_usage, &a);
	if (ret || a.help)
		return ret;
	if (a.npos != 1) {
		vnl_err(a.npos ? "one NODE only, then -- and the command; see 'vnetlat lab exec --help'"
			       : "which node? e.g. 'vnetlat lab exec a -- ping 192.0.2.2'; "
				 "see 'vnetlat lab exec --help'");
		return VNL_EXIT_USAGE;
	}
	if (dashes + 1 >= argc) {
		vnl_err("no command: put it after '--', e.g. 'vnetlat lab exec %s -- ip addr'; "
			"see 'vnetlat lab exec --help'", a.pos[0]);
		return VNL_EXIT_USAGE;
	}
	if ((ret = need_root()))
		return ret;
	if (!strcmp(a.pos[0], "guest"))
		return vnl_topo_guest_exec(a.name, argv + dashes + 1);
	return vnl_lab_exec(a.name, a.pos[0], argv + dashes + 1);
}

static int lab_doctor(int argc, char **argv)
{
	struct lab_args a;
	int ret = parse(argc, argv, "lab doctor", doctor_tables, doctor_usage, &a);
	if (ret || a.help || (ret = no_arguments(&a, "lab doctor")))
		return ret;
	if (a.bridge && (a.named || a.rt)) {
		vnl_err("either %s or --bridge (your bridge), not both; see 'vnetlat lab doctor --help'",
			a.rt ? "--rt (the real-time set-up)" : "--name (a lab)");
		return VNL_EXIT_USAGE;
	}
	if (a.cpus && !a.rt) {
		vnl_err("--cpus goes with --rt (the real-time checks); see 'vnetlat lab doctor --help'");
		return VNL_EXIT_USAGE;
	}
	if (a.rt) /* reads /proc and /sys only: no root needed */
		return vnl_doctor_rt(a.named ? a.name : NULL, a.cpus);
	if ((ret = need_root()))
		return ret;
	return a.bridge ? vnl_doctor_bridge(a.bridge) : vnl_doctor_lab(a.name);
}

static const struct vnl_subverb lab_subs[] = {
	{ "up", lab_up, "build lab NAME of a TOPOLOGY (veth, or a VM lab with a guest)" },
	{ "down", lab_down, "remove lab NAME: exactly what up made, nothing else" },
	{ "show", lab_show, "the labs: nodes, interfaces, addresses, the guest" },
	{ "exec", lab_exec, "run a command in a node of a lab (or in its guest)" },
	{ "doctor", lab_doctor, "why a guest gets no DHCP lease; --rt: the real-time set-up" },
};

static void usage(FILE *out)
{
	fputs("Usage: vnetlat lab up TOPOLOGY [--name NAME] [--dry-run] [guest options]\n"
	      "       vnetlat lab down [--name NAME] [--dry-run]\n"
	      "       vnetlat lab show [--name NAME] [--json]\n"
	      "       vnetlat lab exec NODE [--name NAME] -- COMMAND [ARGS...]\n"
	      "       vnetlat lab doctor [--name NAME | --bridge BR]\n"
	      "       vnetlat lab doctor --rt [--name NAME] [--cpus LIST]\n"
	      "       vnetlat lab SUB-VERB --help   (its options)\n\n"
	      "A lab is a throwaway network of named network namespaces (seen by\n"
	      "'ip netns list') built with netlink. Every object is recorded in\n"
	      "/run/vnetlat/labs/NAME.state before it is created, so 'down' removes\n"
	      "exactly what 'up' made, also after 'up' was killed, and nothing else.\n\n"
	      "Sub-verbs:\n", out);
	vnl_subverbs_print(out, lab_subs, sizeof(lab_subs) / sizeof(lab_subs[0]));
	fputs("\nOptions:\n", out);
	vnl_opts_print(out, verb_tables);
	footer(out, true, "0 done, 1 failed (exec: the command's status)");
}

int cmd_lab(int argc, char **argv)
{
	return vnl_subverb_dispatch("lab", lab_subs, sizeof(lab_subs) / sizeof(lab_subs[0]), usage,
				    argc, argv);
}
