/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat guest: build the guest image, boot a guest by hand, talk to its agent. */
#include "cmd.h"

#include <errno.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "guestimg.h"
#include "hostcaps.h"
#include "log.h"
#include "optable.h"
#include "paths.h"
#include "parse.h"
#include "qemu.h"
#include "timeutil.h"

#define RUN_ROOT VNL_GUEST_RUN_DIR
#define DEFAULT_NAME "vnlg"

enum { O_NAME = 256, O_ARCH, O_ACCEL, O_VHOST, O_TAP, O_NETNS, O_MAC, O_IP, O_GATEWAY, O_IP6, O_DHCP,
       O_CPUS, O_MEM, O_CONSOLE, O_APPEND, O_IMAGE, O_TIMEOUT, O_DETACH, O_DRY_RUN, O_CACHE, O_COUNT };

/* --name of boot, exec, time and stop. */
static const struct vnl_opt name_opts[] = {
	{ "name", O_NAME, "NAME", "the guest (default " DEFAULT_NAME "): 1 to 32 letters, digits,\n"
				  "'-' or '_'" },
	VNL_OPT_END,
};
/* --arch of build and boot. */
static const struct vnl_opt arch_opts[] = {
	{ "arch", O_ARCH, "ARCH", "x86_64 or aarch64 (amd64, arm64): the guest's\n"
				  "architecture (default: the host's); another one than\n"
				  "the host's is emulated (TCG)" },
	VNL_OPT_END,
};
static const struct vnl_opt help_opts[] = {
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt build_opts[] = {
	{ "out", 'o', "DIR", "write the image to DIR (new or empty, or an earlier\n"
			     "image) instead of the cache" },
	{ "force", 'f', NULL, "rebuild even when the cache holds the image" },
	{ "vnetlat", 'v', "FILE", "the static vnetlat to put in the guest (default:\n"
				  "vnetlat-static next to this program, then the installed\n"
				  "one; vnetlat-static-ARCH for another architecture)" },
	{ "cache", 'c', "DIR", "cache root instead of " VNL_CACHE_ROOT },
	VNL_OPT_END,
};
static const struct vnl_opt boot_opts[] = {
	{ "accel", O_ACCEL, "MODE", "kvm, tcg or auto (default: KVM when it boots a guest\n"
				    "here, else TCG; the verdict is cached)" },
	{ "vhost", O_VHOST, "MODE", "on, off or auto: vhost-net for the tap (auto, the\n"
				    "default: when /dev/vhost-net is usable)" },
	{ "tap", O_TAP, "IF", "a virtio-net NIC on tap IF (made if missing)" },
	{ "netns", O_NETNS, "NS", "run qemu in network namespace NS (where --tap is)" },
	{ "mac", O_MAC, "MAC", "the NIC's MAC (default: derived from the name)" },
	{ "ip", O_IP, "ADDR/LEN", "static IPv4 address of eth0 (not with --dhcp)" },
	{ "gateway", O_GATEWAY, "ADDR", "IPv4 default gateway" },
	{ "ip6", O_IP6, "ADDR/LEN", "static IPv6 address of eth0" },
	{ "dhcp", O_DHCP, NULL, "take eth0's IPv4 address by DHCP (udhcpc)" },
	{ "cpus", O_CPUS, "N", "vCPUs, 1 to 64 (default 1)" },
	{ "mem", O_MEM, "MB", "memory, 64 to 65536 MB (default 256)" },
	{ "console", O_CONSOLE, "FILE", "where the serial console goes (default: console.log\n"
					"in the run directory)" },
	{ "append", O_APPEND, "ARGS", "more kernel arguments" },
	{ "image", O_IMAGE, "DIR", "boot the vmlinuz and initrd.gz in DIR (from 'guest\n"
				   "build --out DIR') instead of building" },
	{ "timeout", O_TIMEOUT, "T", "how long to wait for the agent (default 60s)" },
	{ "detach", O_DETACH, NULL, "leave the guest running and return" },
	{ "dry-run", O_DRY_RUN, NULL, "print the commands (mkdir, the qemu command line),\n"
				      "run nothing" },
	{ "cache", O_CACHE, "DIR", "cache root instead of " VNL_CACHE_ROOT },
	VNL_OPT_END,
};
static const struct vnl_opt exec_opts[] = {
	{ "timeout", O_TIMEOUT, "T", "kill the command in the guest after T (default 60s,\n"
				     "at most 1 day); vnetlat then exits with 1" },
	VNL_OPT_END,
};
static const struct vnl_opt time_opts[] = {
	{ "count", O_COUNT, "N", "exchanges, 1 to 100000 (default 8)" },
	VNL_OPT_END,
};

static const struct vnl_opt *const build_tables[] = { arch_opts, build_opts, help_opts, NULL };
static const struct vnl_opt *const boot_tables[] = { name_opts, arch_opts, boot_opts, help_opts, NULL };
static const struct vnl_opt *const exec_tables[] = { name_opts, exec_opts, help_opts, NULL };
static const struct vnl_opt *const time_tables[] = { name_opts, time_opts, help_opts, NULL };
static const struct vnl_opt *const stop_tables[] = { name_opts, help_opts, NULL };
static const struct vnl_opt *const help_tables[] = { help_opts, NULL };
/* Every guest option: one a sub-verb does not take is named as another's. */
static const struct vnl_opt *const all_tables[] = { name_opts, arch_opts, build_opts, boot_opts,
						    exec_opts, time_opts, help_opts, NULL };

static void footer(FILE *out, const char *status)
{
	fprintf(out, "\nExit status: %s, 2 bad usage.\nSee vnetlat-guest(8).\n", status);
}

static void build_usage(FILE *out)
{
	fputs("Usage: vnetlat guest build [OPTIONS]\n"
	      "Make the guest (Debian kernel + modules, busybox, static vnetlat) or reuse the\n"
	      "cached one under " VNL_CACHE_ROOT "/guest/ (apt is asked again only when its\n"
	      "lists, configuration or dpkg status changed). A guest of another architecture\n"
	      "than the host's needs vnetlat-static-ARCH, which scripts/build-guest-static ARCH\n"
	      "cross-builds.\n\n", out);
	vnl_opts_print(out, build_tables);
	footer(out, "0 built or reused, 1 failed");
}

static void boot_usage(FILE *out)
{
	fputs("Usage: vnetlat guest boot [OPTIONS]\n"
	      "Build (or reuse) the image, start a guest and wait for its agent; stay in the\n"
	      "foreground until interrupted (then power the guest off) unless --detach.\n"
	      "Its files are in " VNL_GUEST_RUN_DIR "/NAME/.\n\n", out);
	vnl_opts_print(out, boot_tables);
	footer(out, "0 booted (then stopped by a signal, or detached), 1 failed");
}

static void exec_usage(FILE *out)
{
	fputs("Usage: vnetlat guest exec [OPTIONS] [--] COMMAND [ARG...]\n"
	      "Run COMMAND in a booted guest through its agent; its output and exit status\n"
	      "are its own. The options end at COMMAND.\n\n", out);
	vnl_opts_print(out, exec_tables);
	footer(out, "the command's, 1 failed (also: killed at --timeout)");
}

static void time_usage(FILE *out)
{
	fputs("Usage: vnetlat guest time [OPTIONS]\n"
	      "NTP-style clock exchanges with a booted guest over its control channel: each\n"
	      "one's offset and delay, then the offset of the one with the smallest delay.\n\n",
	      out);
	vnl_opts_print(out, time_tables);
	footer(out, "0 measured, 1 failed");
}

static void stop_usage(FILE *out)
{
	fputs("Usage: vnetlat guest stop [OPTIONS]\n"
	      "Power a detached guest off (or kill its qemu).\n\n", out);
	vnl_opts_print(out, stop_tables);
	footer(out, "0 stopped, 1 failed (also: no such guest)");
}

static void agent_usage(FILE *out)
{
	fputs("Usage: vnetlat guest agent\n"
	      "Inside the guest (started by its /init): serve the control channel on the\n"
	      "virtio-serial port " VNL_AGENT_PORT_NAME ".\n\n", out);
	vnl_opts_print(out, help_tables);
	footer(out, "0 the channel closed, 1 failed");
}

/*
 * The next option of sub-verb VERB ("guest boot") from SET: its key, -1 at the
 * end, 'h' after printing USAGE, '?' after a one-line error.
 */
static int next_option(const struct vnl_optset *set, int argc, char **argv, const char *verb,
		       void (*usage_of)(FILE *out))
{
	int c = vnl_optset_next_sub(set, argc, argv, verb, all_tables);
	if (c == 'h')
		usage_of(stdout);
	return c;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 32)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *s))
			return 0;
	return 1;
}

static int run_dir_of(const char *name, char *buf, size_t len)
{
	if (!valid_name(name))
		return vnl_err_invalid("--name", name, "use 1 to 32 letters, digits, '-' or '_'");
	snprintf(buf, len, "%s/%s", RUN_ROOT, name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* build                                                                */

struct build_args {
	struct vnl_guestimg_opts o;
	char vnetlat[4096];
};

static int build_image(struct build_args *b, struct vnl_guest_image *img)
{
	if (!b->o.vnetlat) {
		if (vnl_guestimg_find_static(b->o.arch, b->vnetlat, sizeof(b->vnetlat))) {
			if (b->o.arch && !vnl_guestarch_native(b->o.arch))
				vnl_err("no static vnetlat for an %s guest (vnetlat-static-%s next to this "
					"program or installed, or $VNL_GUEST_STATIC_<ARCH>); cross-build "
					"it with 'scripts/build-guest-static %s' or give --vnetlat FILE",
					b->o.arch->name, b->o.arch->name, b->o.arch->name);
			else
				vnl_err("no static vnetlat (vnetlat-static) next to this program; build it "
					"(ninja vnetlat-static, not possible with sanitizers) or give "
					"--vnetlat FILE");
			return VNL_EXIT_FAIL;
		}
		b->o.vnetlat = b->vnetlat;
	}
	int64_t t0 = vnl_now_ns(CLOCK_MONOTONIC);
	if (vnl_guestimg_build(&b->o, img))
		return VNL_EXIT_FAIL;
	if (!img->cached)
		vnl_notice("built the guest image in %.1f s",
			   (double)(vnl_now_ns(CLOCK_MONOTONIC) - t0) / VNL_NSEC_PER_SEC);
	return VNL_EXIT_OK;
}

static int parse_arch(const char *s, const struct vnl_guestarch **out)
{
	*out = vnl_guestarch_find(s);
	if (!*out) {
		char why[160];
		snprintf(why, sizeof(why), "expected %s", vnl_guestarch_names());
		vnl_err_invalid("--arch", s, why);
		return VNL_EXIT_USAGE;
	}
	return 0;
}

static int guest_build(int argc, char **argv)
{
	struct build_args b = { .o = { .out_dir = NULL } };
	struct vnl_guest_image img;
	struct vnl_optset set;
	int c;

	vnl_optset_build(&set, build_tables);
	optind = 1;
	while ((c = next_option(&set, argc, argv, "guest build", build_usage)) != -1) {
		switch (c) {
		case O_ARCH:
			if (parse_arch(optarg, &b.o.arch))
				return VNL_EXIT_USAGE;
			break;
		case 'o': b.o.out_dir = optarg; break;
		case 'f': b.o.force = 1; break;
		case 'v': b.o.vnetlat = optarg; break;
		case 'c': b.o.cache_root = optarg; break;
		case 'h': return VNL_EXIT_OK;
		default: return VNL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		vnl_err("unexpected argument '%s'; see 'vnetlat guest build --help'", argv[optind]);
		return VNL_EXIT_USAGE;
	}
	int rc = build_image(&b, &img);
	if (rc)
		return rc;
	printf("guest image: %s%s\n  arch    %s\n  kernel  %s (%s)\n  initrd  %s\n", img.dir,
	       img.cached ? " (cached)" : "", img.arch->name, img.kernel, img.kver, img.initrd);
	return VNL_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* boot                                                                 */

struct boot_args {
	struct build_args build;
	struct vnl_qemu_cfg q;
	const char *name;
	const char *image;
	const char *ip, *gw, *ip6, *extra;
	int dhcp, detach, dry_run;
	int64_t timeout_ns;
	char run_dir[4096];
	char append[2048];
	char mac[18];
};

static int boot_option(struct boot_args *a, int c)
{
	const char *why;
	uint64_t v;
	switch (c) {
	case O_NAME: a->name = optarg; return 0;
	case O_ARCH:
		if (parse_arch(optarg, &a->q.arch))
			return VNL_EXIT_USAGE;
		a->build.o.arch = a->q.arch;
		return 0;
	case O_ACCEL: return vnl_parse_accel(optarg, &a->q.accel, &why) ? vnl_err_invalid("--accel", optarg, why) : 0;
	case O_VHOST: return vnl_parse_vhost(optarg, &a->q.vhost, &why) ? vnl_err_invalid("--vhost", optarg, why) : 0;
	case O_TAP: a->q.tap = optarg; return 0;
	case O_NETNS: a->q.netns = optarg; return 0;
	case O_MAC: a->q.mac = optarg; return 0;
	case O_IP: a->ip = optarg; return 0;
	case O_GATEWAY: a->gw = optarg; return 0;
	case O_IP6: a->ip6 = optarg; return 0;
	case O_DHCP: a->dhcp = 1; return 0;
	case O_CPUS:
		if (vnl_parse_u64(optarg, 1, 64, &v, &why))
			return vnl_err_invalid("--cpus", optarg, why);
		a->q.cpus = (unsigned)v;
		return 0;
	case O_MEM:
		if (vnl_parse_u64(optarg, 64, 65536, &v, &why))
			return vnl_err_invalid("--mem", optarg, why);
		a->q.mem_mb = (unsigned)v;
		return 0;
	case O_CONSOLE: a->q.console = optarg; return 0;
	case O_APPEND: a->extra = optarg; return 0;
	case O_IMAGE: a->image = optarg; return 0;
	case O_TIMEOUT:
		if (vnl_parse_duration(optarg, &a->timeout_ns, &why) || a->timeout_ns <= 0)
			return vnl_err_invalid("--timeout", optarg, why ? why : "must be positive");
		return 0;
	case O_DETACH: a->detach = 1; return 0;
	case O_DRY_RUN: a->dry_run = 1; return 0;
	case O_CACHE: a->build.o.cache_root = optarg; return 0;
	default: return VNL_EXIT_USAGE;
	}
}

/* Only characters that cannot split or inject kernel arguments. */
static int plain_word(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\'')
			return 0;
	return 1;
}

static int boot_kernel_args(struct boot_args *a)
{
	const char *vals[] = { a->ip, a->gw, a->ip6 };
	static const char *const opts[] = { "--ip", "--gateway", "--ip6" };
	for (int i = 0; i < 3; i++)
		if (vals[i] && !plain_word(vals[i])) {
			vnl_err_invalid(opts[i], vals[i], "no spaces or quotes");
			return VNL_EXIT_USAGE;
		}
	const struct { const char *opt, *val; int family; bool with_len; } addrs[] = {
		{ "--ip", a->ip, AF_INET, true },
		{ "--gateway", a->gw, AF_INET, false },
		{ "--ip6", a->ip6, AF_INET6, true },
	};
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		const char *why;
		if (addrs[i].val && vnl_parse_addr(addrs[i].val, addrs[i].family, addrs[i].with_len, &why)) {
			vnl_err_invalid(addrs[i].opt, addrs[i].val, why);
			return VNL_EXIT_USAGE;
		}
	}
	if (a->dhcp && a->ip) {
		vnl_err("--dhcp and --ip both set the guest's IPv4 address; give one of them");
		return VNL_EXIT_USAGE;
	}
	snprintf(a->append, sizeof(a->append), "vnl.hostname=%s%s%s%s%s%s%s%s%s%s", a->name,
		 a->ip ? " vnl.ip=" : "", a->ip ? a->ip : "", a->gw ? " vnl.gw=" : "", a->gw ? a->gw : "",
		 a->ip6 ? " vnl.ip6=" : "", a->ip6 ? a->ip6 : "", a->dhcp ? " vnl.dhcp" : "",
		 a->extra ? " " : "", a->extra ? a->extra : "");
	a->q.append = a->append;
	return 0;
}

/* Guest MAC derived from the name, so each named guest keeps its own. */
static void default_mac(struct boot_args *a)
{
	uint32_t h = 2166136261u;
	for (const char *p = a->name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(a->mac, sizeof(a->mac), "52:54:00:%02x:%02x:%02x", h >> 16 & 0xff, h >> 8 & 0xff, h & 0xff);
	a->q.mac = a->mac;
}

static int locate_image(struct boot_args *a, struct vnl_guest_image *img)
{
	if (!a->image)
		return build_image(&a->build, img);
	const struct vnl_guestarch *arch = vnl_guestimg_manifest_arch(a->image);
	if (arch && a->q.arch && arch != a->q.arch) {
		vnl_err("--image %s is an %s guest, not %s; drop --arch or give another image",
			a->image, arch->name, a->q.arch->name);
		return VNL_EXIT_USAGE;
	}
	if (arch)
		a->q.arch = arch; /* an aarch64 image boots with qemu-system-aarch64 without --arch */
	memset(img, 0, sizeof(*img));
	snprintf(img->kernel, sizeof(img->kernel), "%s/vmlinuz", a->image);
	snprintf(img->initrd, sizeof(img->initrd), "%s/initrd.gz", a->image);
	if (access(img->kernel, R_OK) || access(img->initrd, R_OK)) {
		vnl_err("--image %s holds no vmlinuz and initrd.gz; make one with 'vnetlat guest build --out DIR'",
			a->image);
		return VNL_EXIT_USAGE;
	}
	return VNL_EXIT_OK;
}

static int dry_run(struct boot_args *a)
{
	struct vnl_argv argv;
	if (a->q.accel == VNL_ACCEL_AUTO)
		a->q.accel = vnl_caps_kvm_usable() && vnl_guestarch_native(vnl_qemu_arch(&a->q)) ?
			     VNL_ACCEL_KVM : VNL_ACCEL_TCG;
	if (vnl_qemu_argv(&a->q, &argv)) {
		vnl_errno("cannot build the qemu command line");
		return VNL_EXIT_FAIL;
	}
	char *line = vnl_argv_shell(&argv);
	printf("mkdir -p %s\n%s%s%s%s\n", a->run_dir, a->q.netns ? "ip netns exec " : "",
	       a->q.netns ? a->q.netns : "", a->q.netns ? " " : "", line ? line : "");
	if (a->q.accel == VNL_ACCEL_KVM)
		printf("# if the guest does not answer under KVM, use '-accel tcg' without '-cpu host'\n");
	free(line);
	vnl_argv_free(&argv);
	return VNL_EXIT_OK;
}

static void write_info(const struct boot_args *a, const struct vnl_booted *b)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/guest.info", a->run_dir);
	FILE *f = fopen(path, "we");
	if (!f)
		return;
	fprintf(f, "pid %d\narch %s\naccel %s\nvhost %s\nkernel %s\nboot_ms %" PRId64 "\n",
		(int)vnl_qemu_pid(b->qemu), b->arch->name, vnl_accel_name(b->accel), b->vhost ? "on" : "off",
		b->info.kernel, (int64_t)(b->boot_ns / VNL_NSEC_PER_MSEC));
	fclose(f);
}

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
	g_stop = sig;
}

static void wait_for_interrupt(struct vnl_booted *b)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!g_stop && !vnl_qemu_exited(b->qemu, NULL))
		usleep(100000);
	if (!g_stop)
		vnl_err("the guest stopped by itself; see its console log");
}

static int guest_boot_run(struct boot_args *a)
{
	struct vnl_guest_image img;
	struct vnl_booted b;
	char console[4200];

	int rc = boot_kernel_args(a);
	if (!rc)
		rc = locate_image(a, &img);
	if (rc)
		return rc;
	a->q.kernel = img.kernel;
	a->q.initrd = img.initrd;
	if (a->dry_run)
		return dry_run(a);
	if (geteuid() != 0) {
		vnl_err("booting a guest needs root (taps, namespaces, /run/vnetlat); run it with sudo");
		return VNL_EXIT_USAGE;
	}
	mkdir(VNL_RUN_ROOT, 0755);
	mkdir(RUN_ROOT, 0755);
	char pidfile[4200];
	snprintf(pidfile, sizeof(pidfile), "%s/qemu.pid", a->run_dir);
	if (access(pidfile, F_OK) == 0 && vnl_qemu_stop_pidfile(pidfile, a->run_dir, 0) == 0 &&
	    access(pidfile, F_OK) == 0)
		unlink(pidfile); /* a leftover from a guest that is gone */
	int64_t ready_ms = a->timeout_ns / VNL_NSEC_PER_MSEC;
	if (vnl_qemu_boot(&a->q, a->build.o.cache_root ? a->build.o.cache_root : VNL_CACHE_ROOT,
			  (int)ready_ms, &b))
		return VNL_EXIT_FAIL;
	write_info(a, &b);
	vnl_qemu_path(&a->q, "console.log", console, sizeof(console));
	printf("guest %s ready in %.2f s: %s, kernel %s, vnetlat %s, accel %s, vhost %s, qemu pid %d\n"
	       "  console log %s\n  agent socket %s/agent.sock\n", a->name,
	       (double)b.boot_ns / VNL_NSEC_PER_SEC, b.arch->name, b.info.kernel, b.info.vnetlat,
	       vnl_accel_name(b.accel), b.vhost ? "on" : "off", (int)vnl_qemu_pid(b.qemu), console,
	       a->run_dir);
	fflush(stdout);
	if (a->detach) {
		printf("  stop it with: vnetlat guest stop --name %s\n", a->name);
		vnl_agent_close(b.agent);
		vnl_qemu_free(b.qemu);
		return VNL_EXIT_OK;
	}
	wait_for_interrupt(&b);
	vnl_booted_shutdown(&b, 10000);
	return g_stop ? VNL_EXIT_OK : VNL_EXIT_FAIL;
}

static int guest_boot(int argc, char **argv)
{
	struct boot_args a = { .name = DEFAULT_NAME, .timeout_ns = 60 * VNL_NSEC_PER_SEC,
			       .q = { .tap_fd = -1, .accel = VNL_ACCEL_AUTO } };
	struct vnl_optset set;
	int c;

	vnl_optset_build(&set, boot_tables);
	optind = 1;
	while ((c = next_option(&set, argc, argv, "guest boot", boot_usage)) != -1) {
		if (c == 'h')
			return VNL_EXIT_OK;
		if (c == '?' || boot_option(&a, c))
			return VNL_EXIT_USAGE;
	}
	if (optind != argc) {
		vnl_err("unexpected argument '%s'; see 'vnetlat guest boot --help'", argv[optind]);
		return VNL_EXIT_USAGE;
	}
	if (run_dir_of(a.name, a.run_dir, sizeof(a.run_dir)))
		return VNL_EXIT_USAGE;
	if (a.q.accel == VNL_ACCEL_KVM && !vnl_guestarch_native(vnl_qemu_arch(&a.q))) {
		vnl_err("--accel kvm: KVM runs only the host's own architecture, not an %s guest; "
			"use --accel tcg or auto", vnl_qemu_arch(&a.q)->name);
		return VNL_EXIT_USAGE;
	}
	a.q.run_dir = a.run_dir;
	if (!a.q.mac)
		default_mac(&a);
	if (a.q.netns) {
		char ns[4200];
		snprintf(ns, sizeof(ns), "/run/netns/%s", a.q.netns);
		if (access(ns, F_OK)) {
			vnl_err("no network namespace '%s' (%s); create it with 'ip netns add %s'",
				a.q.netns, ns, a.q.netns);
			return VNL_EXIT_USAGE;
		}
	}
	return guest_boot_run(&a);
}

/* ------------------------------------------------------------------ */
/* exec, time, stop: talk to a booted guest.                            */

static struct vnl_agent *connect_guest(const char *name)
{
	char dir[4096], sock[4200];
	if (run_dir_of(name, dir, sizeof(dir)))
		return NULL;
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	struct vnl_agent *a = vnl_agent_connect(sock, 2000);
	if (!a) {
		vnl_errno("no guest '%s' to talk to (%s); boot one with 'vnetlat guest boot --name %s "
			  "--detach'", name, sock, name);
		return NULL;
	}
	if (vnl_agent_wait_ready(a, 5000, NULL)) {
		vnl_errno("guest '%s' does not answer on %s", name, sock);
		vnl_agent_close(a);
		return NULL;
	}
	return a;
}

/* Options shared by exec/time/stop: --name, --timeout, --count. */
struct talk_args {
	const char *name;
	int64_t timeout_ns;
	uint64_t count;
};

/*
 * The options of exec, time or stop (VERB "guest exec", TABLES, USAGE), up to
 * the first non-option (exec's command). 0, -1 after --help, or the usage
 * exit code.
 */
static int parse_talk(int argc, char **argv, const char *verb, const struct vnl_opt *const tables[],
		      void (*usage_of)(FILE *out), struct talk_args *t)
{
	const char *why = NULL;
	struct vnl_optset set;
	int c;
	vnl_optset_build(&set, tables);
	vnl_optset_in_order(&set);
	optind = 1;
	while ((c = next_option(&set, argc, argv, verb, usage_of)) != -1) {
		switch (c) {
		case O_NAME: t->name = optarg; break;
		case O_TIMEOUT:
			if (vnl_parse_duration(optarg, &t->timeout_ns, &why) || t->timeout_ns <= 0 ||
			    t->timeout_ns > 86400 * VNL_NSEC_PER_SEC) {
				vnl_err_invalid("--timeout", optarg, why ? why : "between 1ns and 1 day");
				return VNL_EXIT_USAGE;
			}
			break;
		case O_COUNT:
			if (vnl_parse_u64(optarg, 1, 100000, &t->count, &why)) {
				vnl_err_invalid("--count", optarg, why);
				return VNL_EXIT_USAGE;
			}
			break;
		case 'h': return -1;
		default: return VNL_EXIT_USAGE;
		}
	}
	return 0;
}

/* time and stop take no arguments after their options; 0 or the usage exit code. */
static int no_arguments(int argc, char **argv, const char *verb)
{
	if (optind >= argc)
		return 0;
	vnl_err("unexpected argument '%s'; see 'vnetlat %s --help'", argv[optind], verb);
	return VNL_EXIT_USAGE;
}

static int guest_exec(int argc, char **argv)
{
	struct talk_args t = { .name = DEFAULT_NAME, .timeout_ns = 60 * VNL_NSEC_PER_SEC };
	struct vnl_agent_result r;
	const char *why = "the agent did not answer";
	int rc = parse_talk(argc, argv, "guest exec", exec_tables, exec_usage, &t);
	if (rc)
		return rc < 0 ? VNL_EXIT_OK : rc;
	if (optind >= argc) {
		vnl_err("exec needs a command: vnetlat guest exec [--name NAME] -- COMMAND [ARG...]");
		return VNL_EXIT_USAGE;
	}
	struct vnl_agent *a = connect_guest(t.name);
	if (!a)
		return VNL_EXIT_FAIL;
	rc = vnl_agent_run(a, (const char *const *)argv + optind, NULL,
			   (int)(t.timeout_ns / VNL_NSEC_PER_MSEC), &r, &why);
	vnl_agent_close(a);
	if (rc) {
		vnl_err("running '%s' in guest '%s' failed: %s", argv[optind], t.name,
			errno == EPROTO ? why : strerror(errno));
		return VNL_EXIT_FAIL;
	}
	fwrite(r.out, 1, r.out_len, stdout);
	fwrite(r.err, 1, r.err_len, stderr);
	if (r.truncated)
		vnl_notice("the command's output was longer than %u bytes and was cut", VNL_AGENT_MAX_OUTPUT);
	rc = r.exited ? r.status : 128 + r.signal;
	if (r.timed_out) {
		vnl_err("'%s' did not finish within the --timeout; it was killed in the guest", argv[optind]);
		rc = VNL_EXIT_FAIL;
	}
	vnl_agent_result_free(&r);
	return rc;
}

static int guest_time(int argc, char **argv)
{
	struct talk_args t = { .name = DEFAULT_NAME, .count = 8 };
	int rc = parse_talk(argc, argv, "guest time", time_tables, time_usage, &t);
	int64_t best_delay = INT64_MAX, best_offset = 0;
	if (rc)
		return rc < 0 ? VNL_EXIT_OK : rc;
	if ((rc = no_arguments(argc, argv, "guest time")))
		return rc;
	struct vnl_agent *a = connect_guest(t.name);
	if (!a)
		return VNL_EXIT_FAIL;
	for (uint64_t i = 0; i < t.count; i++) {
		int64_t s[4];
		if (vnl_agent_time(a, 5000, s)) {
			vnl_errno("time exchange %" PRIu64 " with guest '%s' failed", i + 1, t.name);
			vnl_agent_close(a);
			return VNL_EXIT_FAIL;
		}
		int64_t offset = ((s[1] - s[0]) + (s[2] - s[3])) / 2, delay = (s[3] - s[0]) - (s[2] - s[1]);
		printf("exchange %" PRIu64 ": offset %" PRId64 " ns, delay %" PRId64 " ns\n", i + 1,
		       offset, delay);
		if (delay < best_delay) {
			best_delay = delay;
			best_offset = offset;
		}
	}
	vnl_agent_close(a);
	/* the true offset lies within +-delay/2 of the estimate of the fastest exchange */
	printf("guest clock - host clock: %" PRId64 " ns +- %" PRId64 " ns (minimum-delay exchange)\n",
	       best_offset, best_delay / 2);
	return VNL_EXIT_OK;
}

static int guest_stop(int argc, char **argv)
{
	struct talk_args t = { .name = DEFAULT_NAME };
	char dir[4096], pidfile[4200], sock[4200];
	int rc = parse_talk(argc, argv, "guest stop", stop_tables, stop_usage, &t);
	if (rc)
		return rc < 0 ? VNL_EXIT_OK : rc;
	if ((rc = no_arguments(argc, argv, "guest stop")))
		return rc;
	if (run_dir_of(t.name, dir, sizeof(dir)))
		return VNL_EXIT_USAGE;
	snprintf(pidfile, sizeof(pidfile), "%s/qemu.pid", dir);
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	if (access(pidfile, F_OK)) {
		vnl_err("no guest '%s' is running (no %s)", t.name, pidfile);
		return VNL_EXIT_FAIL;
	}
	struct vnl_agent *a = vnl_agent_connect(sock, 1000);
	int clean = a && !vnl_agent_poweroff(a, 3000);
	vnl_agent_close(a);
	if (vnl_qemu_stop_pidfile(pidfile, dir, clean ? 10000 : 0)) {
		vnl_err("qemu of guest '%s' survived SIGKILL; see %s", t.name, pidfile);
		return VNL_EXIT_FAIL;
	}
	unlink(pidfile);
	unlink(sock);
	printf("guest %s stopped%s\n", t.name, clean ? "" : " (killed: its agent did not answer)");
	return VNL_EXIT_OK;
}

static int guest_agent(int argc, char **argv)
{
	struct vnl_optset set;
	int c;
	vnl_optset_build(&set, help_tables);
	optind = 1;
	if ((c = next_option(&set, argc, argv, "guest agent", agent_usage)) != -1)
		return c == 'h' ? VNL_EXIT_OK : VNL_EXIT_USAGE;
	if (optind < argc) {
		vnl_err("'guest agent' takes no arguments; it runs inside the guest");
		return VNL_EXIT_USAGE;
	}
	if (vnl_agent_serve_port(VNL_AGENT_PORT_NAME, 10000)) {
		vnl_errno("the control channel (virtio-serial port %s) failed", VNL_AGENT_PORT_NAME);
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

static const struct vnl_subverb guest_subs[] = {
	{ "build", guest_build, "make the guest image, or reuse the cached one" },
	{ "boot", guest_boot, "start a guest and wait for its agent (--detach: return)" },
	{ "exec", guest_exec, "run a command in a booted guest" },
	{ "time", guest_time, "NTP-style clock exchanges with the guest: offset, delay" },
	{ "stop", guest_stop, "power a detached guest off (or kill its qemu)" },
	{ "agent", guest_agent, "inside the guest: serve the control channel" },
};

static void usage(FILE *out)
{
	fputs("Usage: vnetlat guest build [--arch ARCH] [--out DIR] [--force] [--vnetlat FILE]\n"
	      "                           [--cache DIR]\n"
	      "       vnetlat guest boot [--name NAME] [--arch ARCH] [--accel MODE] [OPTIONS]\n"
	      "       vnetlat guest exec [--name NAME] [--timeout T] -- COMMAND [ARG...]\n"
	      "       vnetlat guest time [--name NAME] [--count N]\n"
	      "       vnetlat guest stop [--name NAME]\n"
	      "       vnetlat guest agent          (inside the guest: serve the control channel)\n"
	      "       vnetlat guest SUB-VERB --help   (its options)\n\n"
	      "Sub-verbs:\n", out);
	vnl_subverbs_print(out, guest_subs, sizeof(guest_subs) / sizeof(guest_subs[0]));
	fputs("\nOptions:\n", out);
	vnl_opts_print(out, help_tables);
	footer(out, "0 success (exec: the command's status), 1 a failure");
}

int cmd_guest(int argc, char **argv)
{
	return vnl_subverb_dispatch("guest", guest_subs, sizeof(guest_subs) / sizeof(guest_subs[0]),
				    usage, argc, argv);
}
