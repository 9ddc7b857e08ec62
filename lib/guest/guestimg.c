/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guestimg.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "cpio.h"
#include "log.h"
#include "phc.h"
#include "runcmd.h"
#include "safefile.h"

/* Bumped whenever the image layout changes, so old cache entries are not reused. */
#define IMAGE_FORMAT 3
#define MAX_MODULES 64
#define MAX_TOOL_PKGS 48
#define MAX_ELF_FILES 48
#define MAX_APT_ARGS (16 + 2 * MAX_TOOL_PKGS + 16) /* options, flags, a batch of names */

/*
 * Debian programs the guest carries with their shared libraries (found from
 * their ELF NEEDED entries): iperf3 for background load, tc to set up the
 * qdiscs the modules below provide (taprio, etf). The first is iperf3.
 */
static const struct { const char *pkg, *path; } guest_tools[] = {
	{ "iperf3", "/usr/bin/iperf3" },
	{ "iproute2", "/sbin/tc" },
	{ "ethtool", "/sbin/ethtool" }, /* -L: taprio wants a TX queue per traffic class */
};
#define N_TOOLS ((int)(sizeof(guest_tools) / sizeof(guest_tools[0])))

/* What the labs need in the guest; dependencies are added from each module's .modinfo. */
const char *const vnl_guest_modules[] = {
	"virtio_pci", "virtio_net", "virtio_console", "8021q", "sch_taprio", "sch_etf",
	"sch_netem", "sch_mqprio", "sch_cbs", "ptp_kvm", NULL,
};

static const char init_script[] =
	"#!/bin/sh\n"
	"# /init of the vnetlat guest (written by `vnetlat guest build`).\n"
	"# Kernel arguments: vnl.ip=ADDR/LEN vnl.gw=ADDR vnl.ip6=ADDR/LEN vnl.dhcp vnl.hostname=NAME\n"
	"#   vnl.vlan=ID vnl.vlan.ip=ADDR/LEN vnl.vlan.ip6=ADDR/LEN (eth0.ID, SO_PRIORITY 0..7 = PCP)\n"
	"export PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
	"# busybox's applet links, when the build could not list them (another architecture's busybox)\n"
	"[ -e /bin/mount ] || /bin/busybox --install -s\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"exec </dev/console >/dev/console 2>&1\n"
	"kver=$(uname -r)\n"
	"# a module that does not load is noted, not fatal (ptp_kvm under TCG: no KVM clock);\n"
	"# the agent reads the note to say why the guest has no KVM PTP clock\n"
	"mkdir -p " VNL_PHC_RUN_DIR "\n"
	"while read -r m; do\n"
	"\tif ! err=$(insmod /lib/modules/$kver/$m.ko 2>&1); then\n"
	"\t\techo \"$m: ${err:-failed}\" | head -n 1 >>" VNL_PHC_MODULE_FAILURES "\n"
	"\t\techo \"vnetlat-init: module $m not loaded: $err\"\n"
	"\tfi\n"
	"done </etc/vnetlat/modules\n"
	"arg() {\n"
	"\tfor w in $(cat /proc/cmdline); do\n"
	"\t\tcase \"$w\" in \"$1\"=*) echo \"${w#*=}\"; return ;; \"$1\") echo 1; return ;; esac\n"
	"\tdone\n"
	"}\n"
	"hn=$(arg vnl.hostname)\n"
	"hostname \"${hn:-vnetlat-guest}\"\n"
	"ip link set lo up\n"
	"if ip link show eth0 >/dev/null 2>&1; then\n"
	"\tip link set eth0 up\n"
	"\taddr=$(arg vnl.ip); gw=$(arg vnl.gw); addr6=$(arg vnl.ip6)\n"
	"\t[ -n \"$addr\" ] && ip addr add \"$addr\" dev eth0\n"
	"\t# busybox ip has no 'nodad': turn duplicate address detection off instead\n"
	"\t[ -n \"$addr6\" ] && echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad && ip -6 addr add \"$addr6\" dev eth0\n"
	"\t[ -n \"$gw\" ] && ip route add default via \"$gw\"\n"
	"\t# Debian's busybox looks for /etc/udhcpc/default.script: name ours\n"
	"\t[ -n \"$(arg vnl.dhcp)\" ] && udhcpc -i eth0 -b -t 10 -T 1 -S -s /usr/share/udhcpc/default.script\n"
	"\tvid=$(arg vnl.vlan)\n"
	"\tif [ -n \"$vid\" ] && ip link add link eth0 name eth0.$vid type vlan id \"$vid\"; then\n"
	"\t\tfor p in 0 1 2 3 4 5 6 7; do vconfig set_egress_map eth0.$vid $p $p >/dev/null; done\n"
	"\t\tip link set eth0.$vid up\n"
	"\t\taddr=$(arg vnl.vlan.ip); addr6=$(arg vnl.vlan.ip6)\n"
	"\t\t[ -n \"$addr\" ] && ip addr add \"$addr\" dev eth0.$vid\n"
	"\t\t[ -n \"$addr6\" ] && echo 0 >/proc/sys/net/ipv6/conf/eth0.$vid/accept_dad && ip -6 addr add \"$addr6\" dev eth0.$vid\n"
	"\t\techo \"vnetlat-init: VLAN $vid on eth0.$vid\"\n"
	"\telif [ -n \"$vid\" ]; then\n"
	"\t\techo \"vnetlat-init: cannot make eth0.$vid (is 8021q loaded?)\"\n"
	"\tfi\n"
	"fi\n"
	"echo \"vnetlat-init: up ($kver); starting the agent\"\n"
	"while :; do\n"
	"\tvnetlat guest agent\n"
	"\techo \"vnetlat-init: agent exited ($?); restarting it\"\n"
	"\tsleep 1\n"
	"done\n";

static const char udhcpc_script[] =
	"#!/bin/sh\n"
	"# busybox udhcpc hook (written by `vnetlat guest build`).\n"
	"case \"$1\" in\n"
	"deconfig) ip -4 addr flush dev \"$interface\" ;;\n"
	"bound|renew)\n"
	"\tip -4 addr show dev \"$interface\" | grep -q \" $ip/\" || {\n"
	"\t\tip -4 addr flush dev \"$interface\"\n"
	"\t\tip addr add \"$ip/${mask:-24}\" dev \"$interface\"\n"
	"\t}\n"
	"\tfor r in $router; do ip route replace default via \"$r\" dev \"$interface\"; break; done\n"
	"\techo \"vnetlat-init: DHCP lease $ip/${mask:-24} on $interface\" >/dev/console\n"
	"\t;;\n"
	"esac\n";

/* ------------------------------------------------------------------ */
/* Small helpers.                                                       */

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int hash_file(uint64_t *h, const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*h = fnv1a(*h, buf, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	vnl_pathf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		rc = n == 0 ? 0 : -1;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		rc = -1;
	return rc;
}

/* Run a helper; on failure print WHAT failed, the tail of its output and HINT. */
static int run_helper(const char *const argv[], const char *dir, char *out, size_t len,
		      const char *what, const char *hint)
{
	int rc = vnl_runcmd(argv, dir, out, len);
	if (rc == 0)
		return 0;
	if (rc == 127)
		vnl_err("%s: '%s' is not installed; %s", what, argv[0], hint);
	else
		vnl_err("%s ('%s' exited with %d): %s\n%s", what, argv[0], rc, hint,
			vnl_tail_lines(out, 6));
	return -1;
}

/* ------------------------------------------------------------------ */
/* Which packages, which versions.                                      */

/* apt's options: none for the host's own architecture (the system's lists); for another
 * a private state under CACHE_ROOT/apt/DEBARCH, so the system's configuration stays. */
struct apt {
	char opt[7][PATH_MAX + 32];
	int n;
	char lists[PATH_MAX];  /* its package lists */
	char status[PATH_MAX]; /* its dpkg status file */
};

struct inputs {
	const struct vnl_guestarch *arch;
	struct apt apt;
	char kpkg[128];     /* linux-image-6.1.0-56-amd64 */
	char kpkg_ver[64];
	char bb_ver[64];
	char kver[96];
	char vnetlat[PATH_MAX];
	char hash[17];
	/* the tools' packages (guest_tools, first) and the shared-library packages they need; n = 0: none */
	struct { char name[64], ver[64]; } tpkg[MAX_TOOL_PKGS];
	int ntpkg;
	char no_tools[256];  /* why the guest has no tools (iperf3, tc), or "" */
};

/* ARGS (program first, NULL-terminated) with apt's options after the program, into ARGV. */
static const char **apt_argv(const struct inputs *in, const char *const args[], const char **argv)
{
	int n = 0;
	argv[n++] = args[0];
	for (int i = 0; i < in->apt.n; i++) {
		argv[n++] = "-o";
		argv[n++] = in->apt.opt[i];
	}
	for (int i = 1; args[i] && n < MAX_APT_ARGS - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return argv;
}

static int apt_lists_present(const char *lists)
{
	char pattern[PATH_MAX];
	glob_t g;
	vnl_pathf(pattern, sizeof(pattern), "%s/*_Packages*", lists);
	int found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found;
}

/* The private apt state for a foreign architecture; its lists are fetched when there are
 * none yet, or with FORCE. */
static int apt_setup(struct inputs *in, const char *cache, int force)
{
	char dir[PATH_MAX], lists[PATH_MAX], path[PATH_MAX], out[16384];
	in->apt.n = 0;
	vnl_pathf(in->apt.lists, sizeof(in->apt.lists), "/var/lib/apt/lists");
	vnl_pathf(in->apt.status, sizeof(in->apt.status), "/var/lib/dpkg/status");
	if (vnl_guestarch_native(in->arch))
		return 0;
	vnl_pathf(dir, sizeof(dir), "%s/apt/%s", cache, in->arch->debian);
	vnl_pathf(lists, sizeof(lists), "%s/lists", dir);
	vnl_pathf(in->apt.lists, sizeof(in->apt.lists), "%s", lists);
	static const char *const subdirs[] = { "lists/partial", "cache/archives/partial", NULL };
	for (int i = 0; subdirs[i]; i++) {
		vnl_pathf(path, sizeof(path), "%s/%s", dir, subdirs[i]);
		if (mkdir_p(path)) {
			vnl_errno("cannot create apt's state for %s packages in %s", in->arch->debian, dir);
			return -1;
		}
	}
	vnl_pathf(path, sizeof(path), "%s/status", dir);
	vnl_pathf(in->apt.status, sizeof(in->apt.status), "%s", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644); /* nothing is installed */
	if (fd < 0 || close(fd)) {
		vnl_errno("cannot create %s", path);
		return -1;
	}
	vnl_pathf(in->apt.opt[0], sizeof(in->apt.opt[0]), "APT::Architecture=%s", in->arch->debian);
	vnl_pathf(in->apt.opt[1], sizeof(in->apt.opt[1]), "APT::Architectures::=%s", in->arch->debian);
	vnl_pathf(in->apt.opt[2], sizeof(in->apt.opt[2]), "Dir::State::Lists=%s", lists);
	vnl_pathf(in->apt.opt[3], sizeof(in->apt.opt[3]), "Dir::Cache=%s/cache", dir);
	vnl_pathf(in->apt.opt[4], sizeof(in->apt.opt[4]), "Dir::State::status=%s", path);
	/* its own binary caches (a system may turn them off): without, every call parses the lists */
	vnl_pathf(in->apt.opt[5], sizeof(in->apt.opt[5]), "Dir::Cache::pkgcache=pkgcache.bin");
	vnl_pathf(in->apt.opt[6], sizeof(in->apt.opt[6]), "Dir::Cache::srcpkgcache=srcpkgcache.bin");
	in->apt.n = 7;
	if (!force && apt_lists_present(lists))
		return 0;
	const char *args[] = { "apt-get", "update", "-q", "-o", "APT::Sandbox::User=root", NULL };
	const char *argv[MAX_APT_ARGS];
	vnl_notice("fetching Debian's %s package lists into %s", in->arch->debian, lists);
	return run_helper(apt_argv(in, args, argv), NULL, out, sizeof(out),
			  "cannot fetch the package lists for the guest's architecture",
			  "check the network and that the apt sources also serve this architecture");
}

/* ------------------------------------------------------------------ */
/* Asking apt in batches: one apt-cache run names every package of a    */
/* step (apt-cache show / depends take many), so a build asks apt a few */
/* times, not twice per package.                                        */

#define APT_OUT_LEN (256 * 1024)
#define APT_DEPENDS_FLAGS "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", \
	"--no-replaces", "--no-enhances"

/* apt-cache SUB [FLAGS] NAMES... into OUT; apt's exit status. */
static int apt_batch(const struct inputs *in, const char *sub, bool depends, const char *const names[],
		     int n, char *out, size_t len)
{
	const char *args[MAX_APT_ARGS], *argv[MAX_APT_ARGS];
	int k = 0;
	args[k++] = "apt-cache";
	args[k++] = sub;
	if (depends) {
		static const char *const flags[] = { APT_DEPENDS_FLAGS };
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			args[k++] = flags[i];
	} else {
		args[k++] = "--no-all-versions";
	}
	for (int i = 0; i < n && k < MAX_APT_ARGS - 2 * in->apt.n - 2; i++)
		args[k++] = names[i];
	args[k] = NULL;
	return vnl_runcmd(apt_argv(in, args, argv), NULL, out, len);
}

/* The "Version:" of package NAME in apt-cache show's stanzas; 0 or -1. */
static int stanza_version(const char *out, const char *name, char *ver, size_t len)
{
	for (const char *p = out; (p = strstr(p, "Package: ")) != NULL; p++) {
		if (p != out && p[-1] != '\n')
			continue;
		size_t n = strlen(name);
		if (strncmp(p + 9, name, n) || (p[9 + n] != '\n' && p[9 + n] != '\r'))
			continue;
		const char *end = strstr(p + 1, "\nPackage: ");
		const char *v = strstr(p, "\nVersion: ");
		char buf[64];
		if (!v || (end && v > end) || sscanf(v + 10, "%63s", buf) != 1 || strlen(buf) >= len)
			return -1;
		memcpy(ver, buf, strlen(buf) + 1);
		return 0;
	}
	return -1;
}

/*
 * The lib* packages named in apt-cache depends output (its sections start
 * with a package's name in column 0, its lines are " Depends: X" or
 * " |Depends: X"; deeper-indented lines are a virtual package's providers):
 * FN(IN, name) for each.
 */
static void each_lib_dependency(char *out, void (*fn)(struct inputs *, const char *), struct inputs *in)
{
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[64];
		if (sscanf(l, " %*[|]Depends: %63s", name) != 1 && sscanf(l, " Depends: %63s", name) != 1)
			continue;
		if (strstr(name, "lib")) /* library packages: libelf1, and zlib1g too */
			fn(in, name);
	}
}

static int have_tpkg(const struct inputs *in, const char *name)
{
	for (int i = 0; i < in->ntpkg; i++)
		if (!strcmp(in->tpkg[i].name, name))
			return 1;
	return 0;
}

static void add_tpkg(struct inputs *in, const char *name)
{
	if (have_tpkg(in, name) || in->no_tools[0])
		return;
	if (in->ntpkg == MAX_TOOL_PKGS) {
		vnl_pathf(in->no_tools, sizeof(in->no_tools), "the guest's tools depend on more than %d "
			  "library packages", MAX_TOOL_PKGS);
		return;
	}
	vnl_pathf(in->tpkg[in->ntpkg].name, sizeof(in->tpkg[0].name), "%s", name);
	in->tpkg[in->ntpkg++].ver[0] = '\0';
}

/*
 * The tools' library tree below the first level (read by the caller): one
 * apt-cache depends per further level, naming the whole level. Which files
 * of them the guest needs is decided later from the ELF NEEDED entries.
 */
static void resolve_tool_tree(struct inputs *in, char *out, size_t len)
{
	int done = N_TOOLS; /* the tools' own dependencies are in already */
	while (!in->no_tools[0] && done < in->ntpkg) {
		const char *names[MAX_TOOL_PKGS];
		int n = 0;
		for (; done < in->ntpkg; done++)
			names[n++] = in->tpkg[done].name;
		if (apt_batch(in, "depends", true, names, n, out, len))
			return; /* a library apt cannot detail: its own files still go in */
		each_lib_dependency(out, add_tpkg, in);
	}
}

/* The static vnetlat must be built for the guest's architecture. */
static int check_vnetlat(const struct inputs *in, const char *vnetlat)
{
	unsigned m = vnl_guestarch_elf_machine(vnetlat);
	if (m == in->arch->elf_machine)
		return 0;
	if (!m)
		vnl_errno("the static vnetlat %s is no readable ELF file", vnetlat);
	else
		vnl_err("the static vnetlat %s is not an %s program (ELF machine %u); the %s guest needs "
			"vnetlat-static-%s (scripts/build-guest-static %s)", vnetlat, in->arch->name, m,
			in->arch->name, in->arch->name, in->arch->name);
	return -1;
}

/* ------------------------------------------------------------------ */
/* apt's answers, remembered: a cache hit then runs no apt at all.       */
/* CACHE_ROOT/guest/inputs-ARCH holds the packages and versions apt      */
/* chose, with a fingerprint of everything apt decided them from (its    */
/* lists, its configuration, dpkg's status); another fingerprint, and    */
/* apt is asked again.                                                   */

#define INPUTS_MAGIC "vnetlat-guest-inputs 2" /* 2: the tools (iperf3, iproute2) */

/* Mix the name, size and mtime of PATH (or that it is missing) into *H. */
static void fp_stat(uint64_t *h, const char *path)
{
	struct stat st;
	char line[PATH_MAX + 96];
	int n;
	if (stat(path, &st))
		n = snprintf(line, sizeof(line), "%s missing\n", path);
	else
		n = snprintf(line, sizeof(line), "%s %lld %lld.%09ld %o\n", path, (long long)st.st_size,
			     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned)st.st_mode);
	*h = fnv1a(*h, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* PATH itself and every entry in it, in any order (readdir's is not sorted). */
static void fp_dir(uint64_t *h, const char *path)
{
	char entry[PATH_MAX];
	uint64_t sum = 0;
	struct dirent *e;
	fp_stat(h, path);
	DIR *d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		uint64_t eh = 0xcbf29ce484222325ULL;
		vnl_pathf(entry, sizeof(entry), "%s/%s", path, e->d_name);
		fp_stat(&eh, entry);
		sum += eh;
	}
	closedir(d);
	*h = fnv1a(*h, &sum, sizeof(sum));
}

/* What apt's answers depend on; apt-get update, a new source or pin, an install change it. */
static uint64_t apt_fingerprint(const struct inputs *in)
{
	static const char *const conf_dirs[] = { "/etc/apt/sources.list.d", "/etc/apt/preferences.d",
						 "/etc/apt/apt.conf.d", NULL };
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, in->arch->name, strlen(in->arch->name) + 1);
	for (int i = 0; i < in->apt.n; i++)
		h = fnv1a(h, in->apt.opt[i], strlen(in->apt.opt[i]) + 1);
	fp_dir(&h, in->apt.lists);
	fp_stat(&h, in->apt.status);
	fp_stat(&h, "/etc/apt/sources.list");
	fp_stat(&h, "/etc/apt/preferences");
	for (int i = 0; conf_dirs[i]; i++)
		fp_dir(&h, conf_dirs[i]);
	return h;
}

static void inputs_path(const struct inputs *in, const char *cache, char *buf, size_t len)
{
	vnl_pathf(buf, len, "%s/guest/inputs-%s", cache, in->arch->name);
}

/* One "KEY VALUE" line of the inputs file into in; -1 for a line that does not belong. */
static int inputs_line(struct inputs *in, const char *l)
{
	char rest[256];
	if (sscanf(l, "kernel %127s %63s", in->kpkg, in->kpkg_ver) == 2)
		return strncmp(in->kpkg, "linux-image-", 12) ? -1 : 0;
	if (sscanf(l, "busybox-static %63s", in->bb_ver) == 1)
		return 0;
	if (!strncmp(l, "package ", 8)) {
		if (in->ntpkg == MAX_TOOL_PKGS)
			return -1;
		int i = in->ntpkg++;
		return sscanf(l, "package %63s %63s", in->tpkg[i].name, in->tpkg[i].ver) == 2 ? 0 : -1;
	}
	if (sscanf(l, "no-tools %255[^\n]", rest) == 1) {
		vnl_pathf(in->no_tools, sizeof(in->no_tools), "%s", rest);
		return 0;
	}
	return -1;
}

/* apt's remembered answers, when they were given for FP. 0, or -1: ask apt. */
static int inputs_load(struct inputs *in, const char *cache, uint64_t fp)
{
	char path[PATH_MAX], line[512], want[64];
	inputs_path(in, cache, path, sizeof(path));
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int rc = -1;
	in->kpkg[0] = in->kpkg_ver[0] = in->bb_ver[0] = in->no_tools[0] = 0;
	in->ntpkg = 0;
	snprintf(want, sizeof(want), "apt %016" PRIx64 " format %d\n", fp, IMAGE_FORMAT);
	if (fgets(line, sizeof(line), f) && !strcmp(line, INPUTS_MAGIC "\n") &&
	    fgets(line, sizeof(line), f) && !strcmp(line, want)) {
		rc = 0;
		while (!rc && fgets(line, sizeof(line), f))
			rc = inputs_line(in, line);
	}
	fclose(f);
	if (rc || !in->kpkg[0] || !in->bb_ver[0] || (!in->ntpkg && !in->no_tools[0]))
		return -1;
	vnl_pathf(in->kver, sizeof(in->kver), "%s", in->kpkg + strlen("linux-image-"));
	return 0;
}

/* Remember apt's answers for FP; a failure only costs the next build apt's time. */
static void inputs_save(const struct inputs *in, const char *cache, uint64_t fp)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	vnl_pathf(path, sizeof(path), "%s/guest", cache);
	if (mkdir_p(path))
		return;
	inputs_path(in, cache, path, sizeof(path));
	vnl_pathf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return;
	}
	fchmod(fd, 0644);
	fprintf(f, INPUTS_MAGIC "\napt %016" PRIx64 " format %d\nkernel %s %s\nbusybox-static %s\n",
		fp, IMAGE_FORMAT, in->kpkg, in->kpkg_ver, in->bb_ver);
	for (int i = 0; i < in->ntpkg; i++)
		fprintf(f, "package %s %s\n", in->tpkg[i].name, in->tpkg[i].ver);
	if (in->no_tools[0])
		fprintf(f, "no-tools %s\n", in->no_tools);
	/* rename: a concurrent build reads the old answers or the new, never half */
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}

/* The kernel's versioned package from its metapackage's section of OUT. */
static int kernel_package(struct inputs *in, const char *out, int rc)
{
	char suffix[32];
	const char *d = strstr(out, "Depends: linux-image-");
	vnl_pathf(suffix, sizeof(suffix), "-%s", in->arch->debian);
	if (d && sscanf(d + 9, "%127s", in->kpkg) == 1 && strstr(in->kpkg, suffix)) {
		vnl_pathf(in->kver, sizeof(in->kver), "%s", in->kpkg + strlen("linux-image-"));
		return 0;
	}
	if (rc == 127)
		vnl_err("cannot resolve the guest kernel package: 'apt-cache' is not installed "
			"(apt-get install apt)");
	else
		vnl_err("%s depends on no versioned kernel package; run 'apt-get update' so apt "
			"knows the kernel package\n%s", in->arch->kernel_pkg, vnl_tail_lines(out, 4));
	return -1;
}

/* Every version in one apt-cache show: the kernel's, busybox's, the tools' tree's. */
static int package_versions(struct inputs *in, char *out, size_t len)
{
	const char *names[2 + MAX_TOOL_PKGS] = { in->kpkg, "busybox-static" };
	int n = 2;
	for (int i = 0; i < in->ntpkg; i++)
		names[n++] = in->tpkg[i].name;
	int rc = apt_batch(in, "show", false, names, n, out, len);
	if (stanza_version(out, in->kpkg, in->kpkg_ver, sizeof(in->kpkg_ver)) ||
	    stanza_version(out, "busybox-static", in->bb_ver, sizeof(in->bb_ver))) {
		vnl_err("apt-cache show printed no version of %s or busybox-static (exit %d); run "
			"'apt-get update' (or 'vnetlat guest build --force' for another architecture's "
			"lists): the guest is built from Debian packages", in->kpkg, rc);
		return -1;
	}
	for (int i = 0; i < in->ntpkg; i++)
		if (stanza_version(out, in->tpkg[i].name, in->tpkg[i].ver, sizeof(in->tpkg[i].ver))) {
			vnl_pathf(in->no_tools, sizeof(in->no_tools), "apt knows no package %s "
				  "(apt-get update, or enable the main component)", in->tpkg[i].name);
			in->ntpkg = 0;
		}
	return 0;
}

/*
 * The kernel, busybox and tool packages and their candidate versions, from
 * apt in a few batched runs: the kernel's metapackage and the tools together,
 * one more apt-cache depends per level of the tools' library tree, then one
 * apt-cache show for every version. On a failure for the tools alone the reason
 * goes to in->no_tools and the guest is built without it.
 */
static int ask_apt(struct inputs *in)
{
	char *out = malloc(APT_OUT_LEN);
	if (!out) {
		vnl_err("out of memory asking apt");
		return -1;
	}
	const char *first[1 + N_TOOLS] = { in->arch->kernel_pkg };
	for (int i = 0; i < N_TOOLS; i++)
		first[1 + i] = guest_tools[i].pkg;
	int rc = apt_batch(in, "depends", true, first, 1 + N_TOOLS, out, APT_OUT_LEN);
	in->ntpkg = 0;
	in->no_tools[0] = 0;
	if (kernel_package(in, out, rc)) {
		free(out);
		return -1;
	}
	/* each tool's section heads with its name in column 0; they follow the kernel's */
	char *tools = NULL;
	for (int i = 0; i < N_TOOLS && !in->no_tools[0]; i++) {
		char head[72];
		size_t hl = (size_t)snprintf(head, sizeof(head), "\n%s\n", guest_tools[i].pkg);
		char *sec = !strncmp(out, head + 1, hl - 1) ? out : strstr(out, head);
		if (!sec)
			vnl_pathf(in->no_tools, sizeof(in->no_tools), "apt knows no package %s "
				  "(apt-get update, or enable the main component)", guest_tools[i].pkg);
		else if (!tools || sec < tools)
			tools = sec;
	}
	if (!in->no_tools[0]) {
		for (int i = 0; i < N_TOOLS; i++)
			add_tpkg(in, guest_tools[i].pkg);
		each_lib_dependency(tools, add_tpkg, in);
		resolve_tool_tree(in, out, APT_OUT_LEN);
	}
	rc = package_versions(in, out, APT_OUT_LEN);
	free(out);
	return rc;
}

static int resolve_inputs(const struct vnl_guestimg_opts *o, const char *cache, struct inputs *in)
{
	const char *vnetlat = o->vnetlat;
	in->arch = o->arch ? o->arch : vnl_guestarch_host();
	if (!in->arch) {
		vnl_err("vnetlat has no guest for this host's architecture; choose one with --arch (%s)",
			vnl_guestarch_names());
		return -1;
	}
	if (check_vnetlat(in, vnetlat) || apt_setup(in, cache, o->force))
		return -1;
	uint64_t fp = apt_fingerprint(in);
	if (o->force || inputs_load(in, cache, fp)) {
		if (ask_apt(in))
			return -1;
		inputs_save(in, cache, fp);
	}
	vnl_pathf(in->vnetlat, sizeof(in->vnetlat), "%s", vnetlat);

	uint64_t h = 0xcbf29ce484222325ULL;
	char head[512];
	int n = snprintf(head, sizeof(head), "format %d\narch %s\n%s %s\nbusybox-static %s\n",
			 IMAGE_FORMAT, in->arch->name, in->kpkg, in->kpkg_ver, in->bb_ver);
	h = fnv1a(h, head, (size_t)n);
	for (int i = 0; i < in->ntpkg; i++) {
		n = snprintf(head, sizeof(head), "%s %s\n", in->tpkg[i].name, in->tpkg[i].ver);
		h = fnv1a(h, head, (size_t)n);
	}
	h = fnv1a(h, init_script, sizeof(init_script));
	h = fnv1a(h, udhcpc_script, sizeof(udhcpc_script));
	for (int i = 0; vnl_guest_modules[i]; i++)
		h = fnv1a(h, vnl_guest_modules[i], strlen(vnl_guest_modules[i]) + 1);
	if (hash_file(&h, vnetlat)) {
		vnl_errno("cannot read the static vnetlat %s", vnetlat);
		return -1;
	}
	vnl_pathf(in->hash, sizeof(in->hash), "%016" PRIx64, h);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Kernel modules: an index of the package's .ko files and their dependencies. */

struct module {
	char name[64];
	char path[PATH_MAX];
};

static struct {
	struct module *mods;
	size_t n, cap;
} g_index; /* filled by nftw, whose callback takes no context */

static void module_name(const char *file, char *name, size_t len)
{
	const char *base = strrchr(file, '/');
	vnl_pathf(name, len, "%s", base ? base + 1 : file);
	char *dot = strstr(name, ".ko");
	if (dot)
		*dot = 0;
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int index_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	size_t len = strlen(path);
	if (flag != FTW_F || len < 3 || strcmp(path + len - 3, ".ko"))
		return 0;
	if (g_index.n == g_index.cap) {
		size_t cap = g_index.cap ? 2 * g_index.cap : 1024;
		struct module *m = realloc(g_index.mods, cap * sizeof(*m));
		if (!m)
			return -1;
		g_index.mods = m;
		g_index.cap = cap;
	}
	struct module *m = &g_index.mods[g_index.n++];
	module_name(path, m->name, sizeof(m->name));
	vnl_pathf(m->path, sizeof(m->path), "%s", path);
	return 0;
}

static const struct module *find_module(const char *name)
{
	for (size_t i = 0; i < g_index.n; i++)
		if (!strcmp(g_index.mods[i].name, name))
			return &g_index.mods[i];
	return NULL;
}

/* The "depends=" string of a module's .modinfo ELF section (into BUF). */
static int module_depends(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	struct stat st;
	buf[0] = 0;
	if (fd < 0 || fstat(fd, &st) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	const unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	size_t size = (size_t)st.st_size;
	const Elf64_Ehdr *eh = (const void *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > size || eh->e_shstrndx >= eh->e_shnum)
		goto out;
	const Elf64_Shdr *sh = (const void *)(m + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= strs->sh_size || strs->sh_offset + strs->sh_size > size ||
		    sh[i].sh_offset + sh[i].sh_size > size)
			continue;
		if (strcmp((const char *)m + strs->sh_offset + sh[i].sh_name, ".modinfo"))
			continue;
		const char *p = (const char *)m + sh[i].sh_offset, *end = p + sh[i].sh_size;
		rc = 0;
		for (; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
			if (!strncmp(p, "depends=", 8) && memchr(p, 0, (size_t)(end - p)))
				vnl_pathf(buf, len, "%s", p + 8);
		break;
	}
out:
	munmap((void *)m, size);
	return rc;
}

struct load_order {
	const struct module *mods[MAX_MODULES];
	int n;
};

static int in_order(const struct load_order *o, const struct module *m)
{
	for (int i = 0; i < o->n; i++)
		if (o->mods[i] == m)
			return 1;
	return 0;
}

/* Depth first: every dependency is loaded before the module that needs it. */
static int add_with_deps(struct load_order *o, const struct module *m, int depth)
{
	char deps[1024];
	if (in_order(o, m))
		return 0;
	if (depth > 16 || o->n >= MAX_MODULES || module_depends(m->path, deps, sizeof(deps))) {
		vnl_err("cannot resolve the dependencies of kernel module %s (%s)", m->name, m->path);
		return -1;
	}
	for (char *save = NULL, *d = strtok_r(deps, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
		char name[64];
		module_name(d, name, sizeof(name));
		const struct module *dep = find_module(name);
		if (!dep) {
			vnl_err("kernel module %s needs %s, which the package does not ship", m->name, name);
			return -1;
		}
		if (add_with_deps(o, dep, depth + 1))
			return -1;
	}
	o->mods[o->n++] = m;
	return 0;
}

static int builtin(const char *root, const char *kver, const char *name)
{
	char path[PATH_MAX], line[512], mname[64];
	vnl_pathf(path, sizeof(path), "%s/lib/modules/%s/modules.builtin", root, kver);
	FILE *f = fopen(path, "re");
	int found = 0;
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		module_name(line, mname, sizeof(mname));
		found = !strcmp(mname, name);
	}
	fclose(f);
	return found;
}

/* Load order for the wanted modules; built-in ones are noted in MANIFEST. */
static int resolve_modules(const char *root, const char *kver, struct load_order *o, FILE *manifest)
{
	char dir[PATH_MAX];
	vnl_pathf(dir, sizeof(dir), "%s/lib/modules/%s/kernel", root, kver);
	g_index.n = 0;
	if (nftw(dir, index_entry, 16, FTW_PHYS)) {
		vnl_errno("cannot list the kernel modules in %s", dir);
		return -1;
	}
	for (int i = 0; vnl_guest_modules[i]; i++) {
		const struct module *m = find_module(vnl_guest_modules[i]);
		if (m) {
			if (add_with_deps(o, m, 0))
				return -1;
		} else if (builtin(root, kver, vnl_guest_modules[i])) {
			fprintf(manifest, "built-in %s\n", vnl_guest_modules[i]);
		} else {
			vnl_notice("kernel %s has no %s (neither module nor built in); the guest will "
				   "lack it", kver, vnl_guest_modules[i]);
			fprintf(manifest, "missing %s\n", vnl_guest_modules[i]);
		}
	}
	for (int i = 0; i < o->n; i++)
		fprintf(manifest, "module %s\n", o->mods[i]->name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The tools' files: the binaries, their libraries (recursively), the loader. */

struct elf_file {
	char dst[256];       /* path in the guest, without the leading '/' */
	char src[PATH_MAX];  /* the unpacked file (symlinks followed inside the root) */
};

struct tool_files {
	struct elf_file f[MAX_ELF_FILES];
	int n;
};

/* ROOT/PATH with symlinks followed inside ROOT (absolute targets are ROOT-relative). */
static int resolve_in_root(const char *root, const char *path, char *out, size_t len)
{
	char cur[PATH_MAX], target[PATH_MAX], next[PATH_MAX];
	struct stat st;
	vnl_pathf(cur, sizeof(cur), "%s", path);
	for (int hops = 0; hops < 8; hops++) {
		vnl_pathf(out, len, "%s%s", root, cur);
		if (lstat(out, &st))
			return -1;
		if (!S_ISLNK(st.st_mode))
			return S_ISREG(st.st_mode) ? 0 : -1;
		ssize_t n = readlink(out, target, sizeof(target) - 1);
		if (n <= 0)
			return -1;
		target[n] = 0;
		if (target[0] == '/') {
			vnl_pathf(cur, sizeof(cur), "%s", target);
		} else {
			char *slash = strrchr(cur, '/');
			vnl_pathf(next, sizeof(next), "%.*s/%s", (int)(slash - cur), cur, target);
			vnl_pathf(cur, sizeof(cur), "%s", next);
		}
	}
	return -1;
}

static int add_elf_file(struct tool_files *fs, const char *root, const char *path)
{
	for (int i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].dst, path + 1))
			return 0;
	if (fs->n == MAX_ELF_FILES)
		return -1;
	struct elf_file *f = &fs->f[fs->n];
	if (resolve_in_root(root, path, f->src, sizeof(f->src)))
		return -1;
	vnl_pathf(f->dst, sizeof(f->dst), "%s", path + 1);
	fs->n++;
	return 0;
}

/* Where the dynamic loader looks (Debian's multiarch directories first). */
static int find_library(const char *root, const char *multiarch, const char *name, char *path,
			size_t len)
{
	static const char *const dirs[] = { "/lib/%s", "/usr/lib/%s", "/lib64", "/usr/lib64", "/lib",
					    "/usr/lib", NULL };
	char full[PATH_MAX], dir[128];
	struct stat st;
	for (int i = 0; dirs[i]; i++) {
		vnl_pathf(dir, sizeof(dir), dirs[i], multiarch);
		vnl_pathf(path, len, "%s/%s", dir, name);
		vnl_pathf(full, sizeof(full), "%s%s", root, path);
		if (!lstat(full, &st))
			return 0;
	}
	return -1;
}

/*
 * The PT_INTERP path and the DT_NEEDED names of the ELF file at PATH: each
 * is passed to ADD (with WHAT 'I' or 'N'). 0, or -1 when it is no ELF64 file.
 */
static int elf_needs(const char *path, int (*add)(void *ctx, char what, const char *name), void *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	const unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	const Elf64_Ehdr *eh = (const void *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > size ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
		goto out;
	rc = 0;
	const Elf64_Phdr *ph = (const void *)(m + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum && !rc; i++)
		if (ph[i].p_type == PT_INTERP && ph[i].p_offset + ph[i].p_filesz <= size &&
		    ph[i].p_filesz > 1 && !m[ph[i].p_offset + ph[i].p_filesz - 1])
			rc = add(ctx, 'I', (const char *)m + ph[i].p_offset);
	const Elf64_Shdr *sh = (const void *)(m + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum && !rc; i++) {
		if (sh[i].sh_type != SHT_DYNAMIC || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset + sh[i].sh_size > size)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if (str->sh_offset + str->sh_size > size)
			continue;
		const Elf64_Dyn *d = (const void *)(m + sh[i].sh_offset);
		for (size_t k = 0; k < sh[i].sh_size / sizeof(*d) && d[k].d_tag != DT_NULL && !rc; k++)
			if (d[k].d_tag == DT_NEEDED && d[k].d_un.d_val < str->sh_size &&
			    memchr(m + str->sh_offset + d[k].d_un.d_val, 0, str->sh_size - d[k].d_un.d_val))
				rc = add(ctx, 'N', (const char *)m + str->sh_offset + d[k].d_un.d_val);
	}
out:
	munmap((void *)m, size);
	return rc;
}

struct closure {
	struct tool_files *fs;
	const char *root;
	const char *multiarch;
	char *why;
	size_t why_len;
};

static int closure_add(void *ctx, char what, const char *name)
{
	struct closure *c = ctx;
	char path[PATH_MAX];
	if (what == 'I')
		vnl_pathf(path, sizeof(path), "%s", name);
	else if (find_library(c->root, c->multiarch, name, path, sizeof(path))) {
		vnl_pathf(c->why, c->why_len, "the guest's tools need %s, which none of their "
			  "packages ships", name);
		return -1;
	}
	if (add_elf_file(c->fs, c->root, path)) {
		vnl_pathf(c->why, c->why_len, "cannot take %s from the tools' packages", path);
		return -1;
	}
	return 0;
}

/* The tools and everything they load, from the packages unpacked in ROOT. */
static int tool_closure(const char *root, const char *multiarch, struct tool_files *fs, char *why,
			 size_t len)
{
	struct closure c = { .fs = fs, .root = root, .multiarch = multiarch, .why = why, .why_len = len };
	fs->n = 0;
	for (int i = 0; i < N_TOOLS; i++)
		if (add_elf_file(fs, root, guest_tools[i].path)) {
			vnl_pathf(why, len, "the %s package has no %s", guest_tools[i].pkg,
				  guest_tools[i].path);
			return -1;
		}
	for (int i = 0; i < fs->n; i++) /* grows while it runs: breadth first */
		if (elf_needs(fs->f[i].src, closure_add, &c)) {
			if (!why[0])
				vnl_pathf(why, len, "%s is not a 64-bit ELF file", fs->f[i].dst);
			return -1;
		}
	return 0;
}

/* Download and unpack the tools' packages into WORK/tools and find their files. */
static int fetch_tools(const char *work, const struct inputs *in, struct tool_files *fs,
		       char *why, size_t why_len)
{
	char dir[PATH_MAX], root[PATH_MAX], pattern[PATH_MAX], out[16384];
	char specs[MAX_TOOL_PKGS][136];
	const char *dl[8 + MAX_TOOL_PKGS] = { "apt-get", "download", "-q", "-o",
					       "APT::Sandbox::User=root" }, *argv[MAX_APT_ARGS];
	int n = 5;
	for (int i = 0; i < in->ntpkg; i++) {
		vnl_pathf(specs[i], sizeof(specs[i]), "%s=%s", in->tpkg[i].name, in->tpkg[i].ver);
		dl[n++] = specs[i];
	}
	dl[n] = NULL;
	vnl_pathf(dir, sizeof(dir), "%s/tools", work);
	vnl_pathf(root, sizeof(root), "%s/root", dir);
	if (mkdir_p(root)) {
		vnl_pathf(why, why_len, "cannot create %s: %s", root, strerror(errno));
		return -1;
	}
	vnl_notice("downloading the guest's tools (iperf3 %s, iproute2 %s) and their libraries "
		   "(%d packages)", in->tpkg[0].ver, in->tpkg[1].ver, in->ntpkg);
	if (vnl_runcmd(apt_argv(in, dl, argv), dir, out, sizeof(out))) {
		vnl_pathf(why, why_len, "apt-get download of the tools' packages failed: %s",
			  vnl_tail_lines(out, 1));
		return -1;
	}
	vnl_pathf(pattern, sizeof(pattern), "%s/*.deb", dir);
	glob_t g;
	int rc = glob(pattern, 0, NULL, &g) ? -1 : 0;
	for (size_t i = 0; !rc && i < g.gl_pathc; i++) {
		const char *x[] = { "dpkg-deb", "-x", g.gl_pathv[i], root, NULL };
		if (vnl_runcmd(x, NULL, out, sizeof(out))) {
			vnl_pathf(why, why_len, "cannot unpack %s", g.gl_pathv[i]);
			rc = -1;
		}
	}
	if (rc && !why[0])
		vnl_pathf(why, why_len, "apt-get download left no packages in %s", dir);
	globfree(&g);
	return rc ? -1 : tool_closure(root, in->arch->multiarch, fs, why, why_len);
}

static int add_tools(struct vnl_cpio *c, const struct tool_files *fs)
{
	for (int i = 0; i < fs->n; i++)
		if (vnl_cpio_add_file(c, fs->f[i].dst, 0755, fs->f[i].src))
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The initramfs.                                                       */

static int tool_provides(const struct tool_files *fs, const char *dst)
{
	for (int i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].dst, dst))
			return 1;
	return 0;
}

/*
 * busybox and a link per applet, but none where a tool has its own program (tc). Another
 * architecture's busybox cannot run here to list them: then only /bin/sh (for /init), and
 * /init makes the links (busybox --install).
 */
static int add_busybox(struct vnl_cpio *c, const char *root, const struct vnl_guestarch *arch,
		       const struct tool_files *fs)
{
	char bb[PATH_MAX], out[65536];
	vnl_pathf(bb, sizeof(bb), "%s/bin/busybox", root);
	if (!vnl_guestarch_native(arch))
		return vnl_cpio_add_file(c, "bin/busybox", 0755, bb) ||
		       vnl_cpio_add_symlink(c, "bin/sh", "/bin/busybox") ? -1 : 0;
	const char *argv[] = { bb, "--list-full", NULL };
	if (run_helper(argv, NULL, out, sizeof(out), "cannot list busybox's applets",
		       "the busybox-static package looks damaged; try again with --force"))
		return -1;
	if (vnl_cpio_add_file(c, "bin/busybox", 0755, bb))
		return -1;
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		/* a tool's own program (tc) over busybox's applet of that name */
		if (strcmp(l, "bin/busybox") && !tool_provides(fs, l) &&
		    vnl_cpio_add_symlink(c, l, "/bin/busybox"))
			return -1;
	return 0;
}

static int add_modules(struct vnl_cpio *c, const char *kver, const struct load_order *o)
{
	char dir[160], name[PATH_MAX], list[MAX_MODULES * 66] = "";
	size_t used = 0;
	vnl_pathf(dir, sizeof(dir), "lib/modules/%s", kver);
	if (vnl_cpio_add_dir(c, dir, 0755))
		return -1;
	/* flat: the initramfs unpacker does not create parent directories */
	for (int i = 0; i < o->n; i++) {
		vnl_pathf(name, sizeof(name), "%s/%s.ko", dir, o->mods[i]->name);
		if (vnl_cpio_add_file(c, name, 0644, o->mods[i]->path))
			return -1;
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s\n", o->mods[i]->name);
	}
	return vnl_cpio_add_data(c, "etc/vnetlat/modules", 0644, list, used);
}

static int write_initramfs(const char *path, const char *root, const struct inputs *in,
			   const struct load_order *o, const struct tool_files *fs)
{
	/* every parent first: the initramfs unpacker does not create them */
	static const char *const dirs[] = { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/share",
		"usr/share/udhcpc", "etc", "etc/vnetlat", "proc", "sys", "dev", "tmp", "run", "root",
		"var", "lib", "lib/modules", "lib/%s", "lib64", "usr/lib", "usr/lib/%s", "usr/lib64", NULL };
	char dir[64];
	struct vnl_cpio *c = vnl_cpio_create(path, 6);
	if (!c) {
		vnl_errno("cannot create %s", path);
		return -1;
	}
	int rc = 0;
	for (int i = 0; dirs[i] && !rc; i++) {
		vnl_pathf(dir, sizeof(dir), dirs[i], in->arch->multiarch); /* the multiarch ones */
		rc = vnl_cpio_add_dir(c, dir, strcmp(dir, "tmp") ? 0755 : 01777);
	}
	rc = rc || vnl_cpio_add_chardev(c, "dev/console", 0600, 5, 1) ||
	     vnl_cpio_add_data(c, "init", 0755, init_script, sizeof(init_script) - 1) ||
	     vnl_cpio_add_data(c, "usr/share/udhcpc/default.script", 0755, udhcpc_script,
			       sizeof(udhcpc_script) - 1) ||
	     vnl_cpio_add_file(c, "bin/vnetlat", 0755, in->vnetlat) ||
	     add_busybox(c, root, in->arch, fs) || add_modules(c, in->kver, o) || add_tools(c, fs);
	if (rc) {
		vnl_errno("cannot write the initramfs %s", path);
		vnl_cpio_abort(c);
		return -1;
	}
	if (vnl_cpio_finish(c)) {
		vnl_errno("cannot write the initramfs %s", path);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Putting it together.                                                 */

static int fetch_packages(const char *work, const struct inputs *in, char *out, size_t len)
{
	char kspec[256], bspec[128], root[PATH_MAX], pattern[PATH_MAX];
	vnl_pathf(kspec, sizeof(kspec), "%s=%s", in->kpkg, in->kpkg_ver);
	vnl_pathf(bspec, sizeof(bspec), "busybox-static=%s", in->bb_ver);
	/* as root in our own directory: apt's _apt sandbox user could not write there */
	const char *dl[] = { "apt-get", "download", "-q", "-o", "APT::Sandbox::User=root",
			     kspec, bspec, NULL }, *argv[MAX_APT_ARGS];
	vnl_notice("downloading %s %s and busybox-static %s (%s)", in->kpkg, in->kpkg_ver, in->bb_ver,
		   in->arch->debian);
	if (run_helper(apt_argv(in, dl, argv), work, out, len, "cannot download the guest's packages",
		       "check the network and apt sources, then run 'apt-get update' (for another "
		       "architecture: 'vnetlat guest build --force' refreshes its lists)"))
		return -1;
	vnl_pathf(root, sizeof(root), "%s/root", work);
	vnl_pathf(pattern, sizeof(pattern), "%s/*.deb", work);
	glob_t g;
	if (glob(pattern, 0, NULL, &g) || g.gl_pathc < 2) {
		vnl_err("apt-get download left no packages in %s", work);
		globfree(&g);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
		const char *x[] = { "dpkg-deb", "-x", g.gl_pathv[i], root, NULL };
		rc = run_helper(x, NULL, out, len, "cannot unpack a guest package",
				"install dpkg or re-run with --force");
	}
	globfree(&g);
	return rc;
}

static void image_paths(struct vnl_guest_image *img, const char *dir, const char *kver,
			const struct vnl_guestarch *arch)
{
	img->arch = arch;
	vnl_pathf(img->dir, sizeof(img->dir), "%s", dir);
	vnl_pathf(img->kernel, sizeof(img->kernel), "%s/vmlinuz", dir);
	vnl_pathf(img->initrd, sizeof(img->initrd), "%s/initrd.gz", dir);
	vnl_pathf(img->kver, sizeof(img->kver), "%s", kver);
}

static int assemble(const char *work, const struct inputs *in, const char *stage,
		    struct tool_files *fs)
{
	char root[PATH_MAX], path[PATH_MAX], from[PATH_MAX], out[16384], no_tools[256];
	struct load_order order = { .n = 0 };

	if (fetch_packages(work, in, out, sizeof(out)))
		return -1;
	vnl_pathf(no_tools, sizeof(no_tools), "%s", in->no_tools);
	fs->n = 0;
	if (!no_tools[0] && fetch_tools(work, in, fs, no_tools, sizeof(no_tools)))
		fs->n = 0;
	if (no_tools[0])
		vnl_notice("the guest will have no iperf3 and no tc, so neither background load nor "
			   "qdiscs can go into it: %s",
			   no_tools);
	vnl_pathf(root, sizeof(root), "%s/root", work);
	if (mkdir_p(stage)) {
		vnl_errno("cannot create %s", stage);
		return -1;
	}
	vnl_pathf(path, sizeof(path), "%s/manifest", stage);
	FILE *manifest = fopen(path, "we");
	if (!manifest) {
		vnl_errno("cannot create %s", path);
		return -1;
	}
	fprintf(manifest, "format %d\narch %s\nkernel %s %s\nbusybox-static %s\nvnetlat %s\nhash %s\n",
		IMAGE_FORMAT, in->arch->name, in->kpkg, in->kpkg_ver, in->bb_ver, in->vnetlat, in->hash);
	if (no_tools[0])
		fprintf(manifest, "no-tools %s\n", no_tools);
	for (int i = 0; i < in->ntpkg && !no_tools[0]; i++)
		fprintf(manifest, "package %s %s\n", in->tpkg[i].name, in->tpkg[i].ver);
	for (int i = 0; i < fs->n; i++)
		fprintf(manifest, "file /%s\n", fs->f[i].dst);
	int rc = resolve_modules(root, in->kver, &order, manifest);
	if (fclose(manifest))
		rc = -1;
	if (rc)
		return -1;
	vnl_pathf(from, sizeof(from), "%s/boot/vmlinuz-%s", root, in->kver);
	vnl_pathf(path, sizeof(path), "%s/vmlinuz", stage);
	if (copy_file(from, path)) {
		vnl_errno("cannot copy the kernel %s", from);
		return -1;
	}
	vnl_pathf(path, sizeof(path), "%s/initrd.gz", stage);
	return write_initramfs(path, root, in, &order, fs);
}

/* 1 when DIR does not exist or holds nothing. */
static int dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1;
	if (!d)
		return errno == ENOENT;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

static int is_complete(const char *dir)
{
	char path[PATH_MAX];
	vnl_pathf(path, sizeof(path), "%s/complete", dir);
	return access(path, F_OK) == 0;
}

static int mark_complete(const char *dir)
{
	char path[PATH_MAX];
	vnl_pathf(path, sizeof(path), "%s/complete", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	return close(fd);
}

int vnl_guestimg_build(const struct vnl_guestimg_opts *o, struct vnl_guest_image *img)
{
	const char *cache = o->cache_root ? o->cache_root : VNL_CACHE_ROOT;
	char final[PATH_MAX], work[PATH_MAX], stage[PATH_MAX], guestdir[PATH_MAX];
	struct inputs in;

	memset(img, 0, sizeof(*img));
	if (resolve_inputs(o, cache, &in))
		return -1;
	vnl_pathf(guestdir, sizeof(guestdir), "%s/guest", cache);
	if (o->out_dir)
		vnl_pathf(final, sizeof(final), "%s", o->out_dir);
	else
		vnl_pathf(final, sizeof(final), "%s/%s", guestdir, in.hash);
	image_paths(img, final, in.kver, in.arch);
	if (!o->force && is_complete(final)) {
		img->cached = 1;
		return 0;
	}
	if (o->out_dir && !is_complete(final) && !dir_empty(final)) {
		vnl_err("%s exists and is not a vnetlat guest image; give a new or empty directory "
			"to --out", final);
		return -1;
	}
	if (mkdir_p(guestdir)) {
		vnl_errno("cannot create the cache directory %s", guestdir);
		return -1;
	}
	vnl_pathf(work, sizeof(work), "%s/.work.XXXXXX", guestdir);
	if (!mkdtemp(work)) {
		vnl_errno("cannot create a work directory in %s", guestdir);
		return -1;
	}
	vnl_pathf(stage, sizeof(stage), "%s/image", work);
	struct tool_files *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		vnl_errno("guest image");
		vnl_remove_tree(work);
		return -1;
	}
	int rc = assemble(work, &in, stage, fs) || mark_complete(stage);
	free(fs);
	if (!rc) {
		/* replace the old image in one step, so a reader never sees half of it */
		vnl_remove_tree(final); /* an older image, or an empty directory (checked above) */
		if (mkdir_p(final) || rmdir(final) || rename(stage, final)) {
			vnl_errno("cannot move the image to %s", final);
			rc = 1;
		}
	}
	vnl_remove_tree(work);
	return rc ? -1 : 0;
}

int vnl_guestimg_find_static(const struct vnl_guestarch *arch, char *buf, size_t len)
{
	/* The host's own architecture: vnetlat-static; another: vnetlat-static-ARCH (a cross build). */
	char name[64], var[64];
	const char *sfx = !arch || vnl_guestarch_native(arch) ? "" : arch->name;
	vnl_pathf(name, sizeof(name), "vnetlat-static%s%s", *sfx ? "-" : "", sfx);
	vnl_pathf(var, sizeof(var), "VNL_GUEST_STATIC%s%s", *sfx ? "_" : "", sfx);
	for (char *p = var; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	/* A sanitizer build cannot link statically: it may borrow a normal build's. */
	const char *env = getenv(var);
	if (env && *env) {
		vnl_pathf(buf, len, "%s", env);
		return access(buf, R_OK) == 0 ? 0 : -1;
	}
	char self[PATH_MAX];
	const char *exe = vnl_self_exe();
	if (exe) {
		vnl_pathf(self, sizeof(self), "%s", exe);
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			vnl_pathf(buf, len, "%s/%s", self, name);
			if (access(buf, R_OK) == 0)
				return 0;
		}
	}
#ifdef VNL_LIBEXECDIR
	vnl_pathf(buf, len, "%s/%s", VNL_LIBEXECDIR, name);
	if (access(buf, R_OK) == 0)
		return 0;
#endif
	return -1;
}

const struct vnl_guestarch *vnl_guestimg_manifest_arch(const char *dir)
{
	char path[PATH_MAX + 16], line[256], name[32];
	const struct vnl_guestarch *arch = NULL;
	snprintf(path, sizeof(path), "%s/manifest", dir);
	FILE *f = fopen(path, "re");
	while (f && !arch && fgets(line, sizeof(line), f))
		if (sscanf(line, "arch %31s", name) == 1)
			arch = vnl_guestarch_find(name);
	if (f)
		fclose(f);
	return arch;
}
