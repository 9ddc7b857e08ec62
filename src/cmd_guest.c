/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat guest: build the guest image, boot a guest by hand, talk to its agent. */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
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
#include "paths.h"
#include "parse.h"
#include "qemu.h"
#include "timeutil.h"

#define RUN_ROOT VNL_GUEST_RUN_DIR
#define DEFAULT_NAME "vnlg"

static void usage(FILE *out)
{
	fputs("Usage: vnetlat guest build [--arch x86_64|aarch64] [--out DIR] [--force] [--vnetlat FILE]\n"
	      "                           [--cache DIR]\n"
	      "       vnetlat guest boot [--name NAME] [--arch x86_64|aarch64] [--accel kvm|tcg|auto]\n"
	      "                          [--vhost on|off|auto]\n"
	      "                          [--tap IF] [--netns NS] [--mac MAC] [--ip ADDR/LEN]\n"
	      "                          [--gateway ADDR] [--ip6 ADDR/LEN] [--dhcp] [--cpus N]\n"
	      "                          [--mem MB] [--console FILE] [--append ARGS] [--image DIR]\n"
	      "                          [--timeout T] [--detach] [--dry-run]\n"
	      "       vnetlat guest exec [--name NAME] [--timeout T] -- COMMAND [ARG...]\n"
	      "       vnetlat guest time [--name NAME] [--count N]\n"
	      "       vnetlat guest stop [--name NAME]\n"
	      "       vnetlat guest agent          (inside the guest: serve the control channel)\n"
	      "\n"
	      "build   make the guest (Debian kernel + modules, busybox, static vnetlat) or reuse\n"
	      "        the cached one under " VNL_CACHE_ROOT "/guest/ (apt is asked again only when\n"
	      "        its lists, configuration or dpkg status changed).\n"
	      "        --arch: the guest's architecture (default: the host's); another one than\n"
	      "        the host's is emulated (TCG) and needs vnetlat-static-ARCH, which\n"
	      "        scripts/build-guest-static ARCH cross-builds.\n"
	      "boot    start a guest and wait for its agent; stays in the foreground until\n"
	      "        interrupted (then powers the guest off) unless --detach.\n"
	      "exec    run a command in a booted guest; its output and exit status are its own.\n"
	      "time    NTP-style clock exchanges with the guest: offset and delay.\n"
	      "stop    power a detached guest off (or kill its qemu).\n"
	      "See vnetlat-guest(8).\n", out);
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
	static const struct option opts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "vnetlat", required_argument, NULL, 'v' },
		{ "cache", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct build_args b = { .o = { .out_dir = NULL } };
	struct vnl_guest_image img;
	int c;

	while ((c = getopt_long(argc, argv, "o:fv:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_arch(optarg, &b.o.arch))
				return VNL_EXIT_USAGE;
			break;
		case 'o': b.o.out_dir = optarg; break;
		case 'f': b.o.force = 1; break;
		case 'v': b.o.vnetlat = optarg; break;
		case 'c': b.o.cache_root = optarg; break;
		case 'h': usage(stdout); return VNL_EXIT_OK;
		default: return VNL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		vnl_err("unexpected argument '%s'; see 'vnetlat guest --help'", argv[optind]);
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
	case 'n': a->name = optarg; return 0;
	case 'R':
		if (parse_arch(optarg, &a->q.arch))
			return VNL_EXIT_USAGE;
		a->build.o.arch = a->q.arch;
		return 0;
	case 'A': return vnl_parse_accel(optarg, &a->q.accel, &why) ? vnl_err_invalid("--accel", optarg, why) : 0;
	case 'V': return vnl_parse_vhost(optarg, &a->q.vhost, &why) ? vnl_err_invalid("--vhost", optarg, why) : 0;
	case 't': a->q.tap = optarg; return 0;
	case 'N': a->q.netns = optarg; return 0;
	case 'm': a->q.mac = optarg; return 0;
	case 'i': a->ip = optarg; return 0;
	case 'g': a->gw = optarg; return 0;
	case '6': a->ip6 = optarg; return 0;
	case 'd': a->dhcp = 1; return 0;
	case 'C':
		if (vnl_parse_u64(optarg, 1, 64, &v, &why))
			return vnl_err_invalid("--cpus", optarg, why);
		a->q.cpus = (unsigned)v;
		return 0;
	case 'M':
		if (vnl_parse_u64(optarg, 64, 65536, &v, &why))
			return vnl_err_invalid("--mem", optarg, why);
		a->q.mem_mb = (unsigned)v;
		return 0;
	case 'c': a->q.console = optarg; return 0;
	case 'a': a->extra = optarg; return 0;
	case 'I': a->image = optarg; return 0;
	case 'T':
		if (vnl_parse_duration(optarg, &a->timeout_ns, &why) || a->timeout_ns <= 0)
			return vnl_err_invalid("--timeout", optarg, why ? why : "must be positive");
		return 0;
	case 'D': a->detach = 1; return 0;
	case 'y': a->dry_run = 1; return 0;
	case 'K': a->build.o.cache_root = optarg; return 0;
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
	mkdir("/run/vnetlat", 0755);
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
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "accel", required_argument, NULL, 'A' },
		{ "arch", required_argument, NULL, 'R' },
		{ "vhost", required_argument, NULL, 'V' }, { "tap", required_argument, NULL, 't' },
		{ "netns", required_argument, NULL, 'N' }, { "mac", required_argument, NULL, 'm' },
		{ "ip", required_argument, NULL, 'i' }, { "gateway", required_argument, NULL, 'g' },
		{ "ip6", required_argument, NULL, '6' }, { "dhcp", no_argument, NULL, 'd' },
		{ "cpus", required_argument, NULL, 'C' }, { "mem", required_argument, NULL, 'M' },
		{ "console", required_argument, NULL, 'c' }, { "append", required_argument, NULL, 'a' },
		{ "image", required_argument, NULL, 'I' }, { "timeout", required_argument, NULL, 'T' },
		{ "detach", no_argument, NULL, 'D' }, { "dry-run", no_argument, NULL, 'y' },
		{ "cache", required_argument, NULL, 'K' }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct boot_args a = { .name = DEFAULT_NAME, .timeout_ns = 60 * VNL_NSEC_PER_SEC,
			       .q = { .tap_fd = -1, .accel = VNL_ACCEL_AUTO } };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return VNL_EXIT_OK;
		}
		if (boot_option(&a, c))
			return VNL_EXIT_USAGE;
	}
	if (optind != argc) {
		vnl_err("unexpected argument '%s'; see 'vnetlat guest --help'", argv[optind]);
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

static int parse_talk(int argc, char **argv, struct talk_args *t)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "timeout", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'k' }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *why = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': t->name = optarg; break;
		case 'T':
			if (vnl_parse_duration(optarg, &t->timeout_ns, &why) || t->timeout_ns <= 0 ||
			    t->timeout_ns > 86400 * VNL_NSEC_PER_SEC) {
				vnl_err_invalid("--timeout", optarg, why ? why : "between 1ns and 1 day");
				return VNL_EXIT_USAGE;
			}
			break;
		case 'k':
			if (vnl_parse_u64(optarg, 1, 100000, &t->count, &why)) {
				vnl_err_invalid("--count", optarg, why);
				return VNL_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return -1;
		default: return VNL_EXIT_USAGE;
		}
	}
	return 0;
}

static int guest_exec(int argc, char **argv)
{
	struct talk_args t = { .name = DEFAULT_NAME, .timeout_ns = 60 * VNL_NSEC_PER_SEC };
	struct vnl_agent_result r;
	const char *why = "the agent did not answer";
	int rc = parse_talk(argc, argv, &t);
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
	int rc = parse_talk(argc, argv, &t);
	int64_t best_delay = INT64_MAX, best_offset = 0;
	if (rc)
		return rc < 0 ? VNL_EXIT_OK : rc;
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
	int rc = parse_talk(argc, argv, &t);
	if (rc)
		return rc < 0 ? VNL_EXIT_OK : rc;
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
	(void)argv;
	if (argc > 1) {
		vnl_err("'guest agent' takes no arguments; it runs inside the guest");
		return VNL_EXIT_USAGE;
	}
	if (vnl_agent_serve_port(VNL_AGENT_PORT_NAME, 10000)) {
		vnl_errno("the control channel (virtio-serial port %s) failed", VNL_AGENT_PORT_NAME);
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

int cmd_guest(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} sub[] = {
		{ "build", guest_build }, { "boot", guest_boot }, { "exec", guest_exec },
		{ "time", guest_time }, { "stop", guest_stop }, { "agent", guest_agent },
	};
	if (argc < 2) {
		usage(stderr);
		return VNL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return VNL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name))
			return sub[i].run(argc - 1, argv + 1);
	vnl_err("unknown guest action '%s'; expected build, boot, exec, time, stop or agent", argv[1]);
	return VNL_EXIT_USAGE;
}
