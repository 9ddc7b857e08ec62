// SPDX-License-Identifier: GPL-2.0-or-later
#include "xdpbridge.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "xdp_bridge.skel.h"

#ifndef VNL_BPF_DIR
#define VNL_BPF_DIR "/usr/local/lib/vnetlat/bpf"
#endif

#define BPFFS "/sys/fs/bpf"
#define LAB_NAME_MAX 64

/* Pinned names: programs and maps keep their names from the object file,
 * as `bpftool prog loadall ... pinmaps` would pin them. */
enum bridge_map { MAP_GUESTS, MAP_LOCAL, MAP_PORTS, MAP_CFG, MAP_STATS, MAP_COUNT };
static const char *const map_names[MAP_COUNT] = {
	[MAP_GUESTS] = "guest_macs", [MAP_LOCAL] = "local_macs", [MAP_PORTS] = "tx_ports",
	[MAP_CFG] = "bridge_cfg",    [MAP_STATS] = "stats",
};
static const char *const prog_names[] = {
	[VNL_XDP_PROG_UPLINK] = "xdp_uplink",
	[VNL_XDP_PROG_GUEST] = "xdp_guest",
};
/* Link pins: "link_uplink_IFINDEX", "link_tap_IFINDEX". */
static const char *const link_kinds[] = {
	[VNL_XDP_PROG_UPLINK] = "uplink",
	[VNL_XDP_PROG_GUEST] = "tap",
};

struct vnl_xdpbridge {
	char dir[PATH_MAX];
	struct xdp_bridge *skel; /* set when this process loaded the programs */
	int prog_fd[2];
	int map_fd[MAP_COUNT];
	int ncpus;
	uint64_t *percpu; /* scratch for one per-CPU counter */
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings carry the verifier's reasons; debug output only on request. */
	if (level == LIBBPF_DEBUG && !getenv("VNL_BPF_DEBUG"))
		return 0;
	if (level == LIBBPF_INFO && !getenv("VNL_BPF_DEBUG"))
		return 0;
	fputs("vnetlat: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static bool lab_name_ok(const char *lab)
{
	size_t n = lab ? strlen(lab) : 0;

	if (n == 0 || n > LAB_NAME_MAX || lab[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = lab[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int lab_dir(const char *lab, char *dir, size_t len)
{
	if (!lab_name_ok(lab)) {
		char why[64];
		snprintf(why, sizeof(why), "use 1-%d letters, digits, '-', '_' or '.'", LAB_NAME_MAX);
		return vnl_err_invalid("lab name", lab ? lab : "", why);
	}
	snprintf(dir, len, "%s/%s", VNL_XDP_PIN_ROOT, lab);
	return 0;
}

static int pin_path(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static bool bpffs_mounted(void)
{
	struct statfs st;

	return statfs(BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* Pins need the BPF filesystem; systemd mounts it, minimal systems may not. */
static int ensure_bpffs(void)
{
	if (bpffs_mounted())
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700") < 0) {
		vnl_errno("cannot mount the BPF filesystem on %s (run as root, or mount it: "
			  "mount -t bpf bpf %s)", BPFFS, BPFFS);
		return -1;
	}
	vnl_notice("mounted the BPF filesystem on %s", BPFFS);
	return 0;
}

static struct vnl_xdpbridge *bridge_alloc(const char *dir)
{
	struct vnl_xdpbridge *b = calloc(1, sizeof(*b));

	if (!b) {
		vnl_errno("out of memory");
		return NULL;
	}
	snprintf(b->dir, sizeof(b->dir), "%s", dir);
	for (int i = 0; i < 2; i++)
		b->prog_fd[i] = -1;
	for (int i = 0; i < MAP_COUNT; i++)
		b->map_fd[i] = -1;
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0 || !(b->percpu = calloc((size_t)b->ncpus, sizeof(uint64_t)))) {
		vnl_err("cannot size per-CPU counters (possible CPUs: %d)", b->ncpus);
		free(b);
		return NULL;
	}
	return b;
}

void vnl_xdpbridge_close(struct vnl_xdpbridge *b)
{
	if (!b)
		return;
	if (b->skel) {
		xdp_bridge__destroy(b->skel); /* owns its fds; the pins keep the objects */
	} else {
		for (int i = 0; i < 2; i++)
			if (b->prog_fd[i] >= 0)
				close(b->prog_fd[i]);
		for (int i = 0; i < MAP_COUNT; i++)
			if (b->map_fd[i] >= 0)
				close(b->map_fd[i]);
	}
	free(b->percpu);
	free(b);
}

static void take_skeleton_fds(struct vnl_xdpbridge *b)
{
	struct xdp_bridge *s = b->skel;

	b->prog_fd[VNL_XDP_PROG_UPLINK] = bpf_program__fd(s->progs.xdp_uplink);
	b->prog_fd[VNL_XDP_PROG_GUEST] = bpf_program__fd(s->progs.xdp_guest);
	b->map_fd[MAP_GUESTS] = bpf_map__fd(s->maps.guest_macs);
	b->map_fd[MAP_LOCAL] = bpf_map__fd(s->maps.local_macs);
	b->map_fd[MAP_PORTS] = bpf_map__fd(s->maps.tx_ports);
	b->map_fd[MAP_CFG] = bpf_map__fd(s->maps.bridge_cfg);
	b->map_fd[MAP_STATS] = bpf_map__fd(s->maps.stats);
}

static int pin_all(struct vnl_xdpbridge *b)
{
	int err = bpf_object__pin_maps(b->skel->obj, b->dir);

	if (!err)
		err = bpf_object__pin_programs(b->skel->obj, b->dir);
	if (err) {
		errno = -err;
		vnl_errno("cannot pin the XDP bridge under %s", b->dir);
		return -1;
	}
	return 0;
}

struct vnl_xdpbridge *vnl_xdpbridge_create(const char *lab)
{
	char dir[PATH_MAX];
	struct vnl_xdpbridge *b;

	if (lab_dir(lab, dir, sizeof(dir)) < 0 || ensure_bpffs() < 0)
		return NULL;
	libbpf_set_print(libbpf_log);
	if (mkdir(VNL_XDP_PIN_ROOT, 0700) < 0 && errno != EEXIST) {
		vnl_errno("cannot create %s", VNL_XDP_PIN_ROOT);
		return NULL;
	}
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			vnl_err("lab '%s' already has an XDP bridge (%s); take it down first "
				"(vnetlat lab down %s)", lab, dir, lab);
		else
			vnl_errno("cannot create %s", dir);
		return NULL;
	}
	b = bridge_alloc(dir);
	if (!b)
		goto fail;
	b->skel = xdp_bridge__open_and_load();
	if (!b->skel) {
		vnl_errno("the kernel refused the XDP bridge programs (verifier log above; "
			  "VNL_BPF_DEBUG=1 shows all of it)");
		goto fail;
	}
	take_skeleton_fds(b);
	if (pin_all(b) < 0)
		goto fail;
	return b;
fail:
	vnl_xdpbridge_close(b);
	vnl_xdpbridge_remove(lab);
	return NULL;
}

static int get_pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), dir, name) < 0)
		return -1;
	fd = bpf_obj_get(path);
	if (fd < 0)
		vnl_errno("cannot open %s", path);
	return fd;
}

struct vnl_xdpbridge *vnl_xdpbridge_open(const char *lab)
{
	char dir[PATH_MAX];
	struct vnl_xdpbridge *b;

	if (lab_dir(lab, dir, sizeof(dir)) < 0)
		return NULL;
	libbpf_set_print(libbpf_log);
	if (access(dir, F_OK) < 0) {
		vnl_err("lab '%s' has no XDP bridge (%s does not exist)", lab, dir);
		return NULL;
	}
	b = bridge_alloc(dir);
	if (!b)
		return NULL;
	for (int i = 0; i < 2; i++)
		if ((b->prog_fd[i] = get_pinned(dir, prog_names[i])) < 0)
			goto fail;
	for (int i = 0; i < MAP_COUNT; i++)
		if ((b->map_fd[i] = get_pinned(dir, map_names[i])) < 0)
			goto fail;
	return b;
fail:
	vnl_xdpbridge_close(b);
	return NULL;
}

static int link_pin_path(const struct vnl_xdpbridge *b, enum vnl_xdp_prog prog, int ifindex,
			 char *out, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "link_%s_%d", link_kinds[prog], ifindex);
	return pin_path(out, len, b->dir, name);
}

static int link_create(int prog_fd, int ifindex, enum vnl_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .flags = mode == VNL_XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);

	return bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
}

/* Native first; generic when the driver lacks native XDP (or refuses this device's setup). */
static int attach_link(int prog_fd, int ifindex, enum vnl_xdp_mode want, enum vnl_xdp_mode *used)
{
	char ifname[IF_NAMESIZE + 1] = "?";
	int fd, native_errno;

	if_indextoname((unsigned)ifindex, ifname);
	*used = want == VNL_XDP_MODE_GENERIC ? VNL_XDP_MODE_GENERIC : VNL_XDP_MODE_NATIVE;
	fd = link_create(prog_fd, ifindex, *used);
	if (fd >= 0 || want != VNL_XDP_MODE_AUTO || errno == EBUSY || errno == EEXIST ||
	    errno == ENODEV)
		goto out;
	native_errno = errno;
	*used = VNL_XDP_MODE_GENERIC;
	fd = link_create(prog_fd, ifindex, *used);
	if (fd >= 0)
		vnl_notice("%s: no native XDP (%s); using generic XDP", ifname,
			   strerror(native_errno));
out:
	if (fd < 0) {
		int e = errno;
		if (e == EBUSY || e == EEXIST)
			vnl_err("%s already has an XDP program attached; detach it first "
				"(ip link set dev %s xdp off)", ifname, ifname);
		else {
			errno = e;
			vnl_errno("cannot attach %s XDP to %s (ifindex %d)",
				  *used == VNL_XDP_MODE_NATIVE ? "native" : "generic", ifname, ifindex);
		}
	}
	return fd;
}

static int set_port(struct vnl_xdpbridge *b, int ifindex)
{
	__u32 key = (__u32)ifindex, val = (__u32)ifindex;

	if (bpf_map_update_elem(b->map_fd[MAP_PORTS], &key, &val, BPF_ANY) < 0) {
		vnl_errno("cannot add ifindex %d to tx_ports", ifindex);
		return -1;
	}
	return 0;
}

static int set_uplink(struct vnl_xdpbridge *b, int ifindex)
{
	struct vnl_xdp_bridge_cfg cfg = { .uplink_ifindex = (__u32)ifindex };
	__u32 zero = 0;

	if (bpf_map_update_elem(b->map_fd[MAP_CFG], &zero, &cfg, BPF_ANY) < 0) {
		vnl_errno("cannot set the uplink in bridge_cfg");
		return -1;
	}
	return 0;
}

static int attach(struct vnl_xdpbridge *b, enum vnl_xdp_prog prog, int ifindex,
		  enum vnl_xdp_mode want, enum vnl_xdp_mode *used)
{
	enum vnl_xdp_mode mode;
	char path[PATH_MAX];
	int fd, rc = -1;

	if (link_pin_path(b, prog, ifindex, path, sizeof(path)) < 0)
		return -1;
	fd = attach_link(b->prog_fd[prog], ifindex, want, &mode);
	if (fd < 0)
		return -1;
	/* The pin keeps the program attached after this process exits. */
	if (bpf_obj_pin(fd, path) < 0) {
		vnl_errno("cannot pin the XDP link at %s", path);
		goto out;
	}
	if (set_port(b, ifindex) < 0 || (prog == VNL_XDP_PROG_UPLINK && set_uplink(b, ifindex) < 0)) {
		unlink(path);
		goto out;
	}
	if (used)
		*used = mode;
	rc = 0;
out:
	close(fd); /* on failure the link dies with its last fd: detached */
	return rc;
}

int vnl_xdpbridge_attach_uplink(struct vnl_xdpbridge *b, int ifindex, enum vnl_xdp_mode want,
				enum vnl_xdp_mode *used)
{
	return attach(b, VNL_XDP_PROG_UPLINK, ifindex, want, used);
}

int vnl_xdpbridge_attach_tap(struct vnl_xdpbridge *b, int ifindex, enum vnl_xdp_mode want,
			     enum vnl_xdp_mode *used)
{
	return attach(b, VNL_XDP_PROG_GUEST, ifindex, want, used);
}

/* Detach a pinned link (even if some process still holds it) and unpin it. */
static int drop_link_pin(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd >= 0) {
		/* Fails harmlessly when the interface is already gone (link defunct). */
		bpf_link_detach(fd);
		close(fd);
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		vnl_errno("cannot unpin %s", path);
		return -1;
	}
	return 0;
}

int vnl_xdpbridge_detach(struct vnl_xdpbridge *b, int ifindex)
{
	__u32 key = (__u32)ifindex;
	bool found = false;
	char path[PATH_MAX];

	for (int p = VNL_XDP_PROG_UPLINK; p <= VNL_XDP_PROG_GUEST; p++) {
		if (link_pin_path(b, (enum vnl_xdp_prog)p, ifindex, path, sizeof(path)) < 0 ||
		    access(path, F_OK) < 0)
			continue;
		found = true;
		if (drop_link_pin(path) < 0)
			return -1;
		if (p == VNL_XDP_PROG_UPLINK && set_uplink(b, 0) < 0)
			return -1;
	}
	if (!found) {
		vnl_err("ifindex %d has no program of this XDP bridge attached", ifindex);
		return -1;
	}
	if (bpf_map_delete_elem(b->map_fd[MAP_PORTS], &key) < 0 && errno != ENOENT) {
		vnl_errno("cannot remove ifindex %d from tx_ports", ifindex);
		return -1;
	}
	return 0;
}

static struct vnl_xdp_mac mac_key(const uint8_t mac[6])
{
	struct vnl_xdp_mac k;

	memcpy(k.addr, mac, sizeof(k.addr));
	return k;
}

static const char *mac_str(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static bool mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

int vnl_xdpbridge_add_guest(struct vnl_xdpbridge *b, const uint8_t mac[6], int tap_ifindex,
			    uint16_t vlan)
{
	struct vnl_xdp_guest g = { .tap_ifindex = (__u32)tap_ifindex, .vlan = vlan };
	struct vnl_xdp_mac k = mac_key(mac);
	char s[18];

	if (!mac_is_unicast(mac) || (vlan > 4094 && vlan != VNL_XDP_VLAN_TRUNK) || tap_ifindex <= 0) {
		vnl_err("guest %s on ifindex %d, VLAN %u: need a unicast MAC, a tap and VLAN 0-4094 "
			"(or %u: trunk)",
			mac_str(mac, s), tap_ifindex, vlan, VNL_XDP_VLAN_TRUNK);
		return -1;
	}
	if (bpf_map_update_elem(b->map_fd[MAP_GUESTS], &k, &g, BPF_ANY) < 0) {
		vnl_errno("cannot add guest %s to guest_macs", mac_str(mac, s));
		return -1;
	}
	return 0;
}

int vnl_xdpbridge_remove_guest(struct vnl_xdpbridge *b, const uint8_t mac[6])
{
	struct vnl_xdp_mac k = mac_key(mac);
	char s[18];

	if (bpf_map_delete_elem(b->map_fd[MAP_GUESTS], &k) < 0) {
		vnl_errno("cannot remove guest %s from guest_macs", mac_str(mac, s));
		return -1;
	}
	return 0;
}

int vnl_xdpbridge_add_local_mac(struct vnl_xdpbridge *b, const uint8_t mac[6])
{
	struct vnl_xdp_mac k = mac_key(mac);
	__u32 one = 1;
	char s[18];

	if (bpf_map_update_elem(b->map_fd[MAP_LOCAL], &k, &one, BPF_ANY) < 0) {
		vnl_errno("cannot add %s to local_macs", mac_str(mac, s));
		return -1;
	}
	return 0;
}

int vnl_xdpbridge_read_counters(const struct vnl_xdpbridge *b, struct vnl_xdp_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (__u32 i = 0; i < VNL_XDP_STAT_COUNT; i++) {
		if (bpf_map_lookup_elem(b->map_fd[MAP_STATS], &i, b->percpu) < 0) {
			vnl_errno("cannot read XDP bridge counter %u", i);
			return -1;
		}
		for (int c = 0; c < b->ncpus; c++)
			out->v[i] += b->percpu[c];
	}
	return 0;
}

/* "link_uplink_7" -> UPLINK, 7. */
static bool parse_link_pin(const char *name, enum vnl_xdp_prog *prog, int *ifindex)
{
	for (int p = VNL_XDP_PROG_UPLINK; p <= VNL_XDP_PROG_GUEST; p++) {
		char prefix[32];
		size_t n = (size_t)snprintf(prefix, sizeof(prefix), "link_%s_", link_kinds[p]);
		char *end;
		long v;

		if (strncmp(name, prefix, n) != 0)
			continue;
		v = strtol(name + n, &end, 10);
		if (*end || v <= 0 || v > INT_MAX)
			return false;
		*prog = (enum vnl_xdp_prog)p;
		*ifindex = (int)v;
		return true;
	}
	return false;
}

static enum vnl_xdp_mode attached_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q) == 0 && q.attach_mode == XDP_ATTACHED_SKB)
		return VNL_XDP_MODE_GENERIC;
	return VNL_XDP_MODE_NATIVE;
}

int vnl_xdpbridge_ports(const struct vnl_xdpbridge *b, struct vnl_xdp_port *out, int max)
{
	DIR *d = opendir(b->dir);
	struct dirent *e;
	int n = 0;

	if (!d) {
		vnl_errno("cannot list %s", b->dir);
		return -1;
	}
	while ((e = readdir(d)) && n < max) {
		struct vnl_xdp_port *p = &out[n];

		if (!parse_link_pin(e->d_name, &p->prog, &p->ifindex))
			continue;
		p->mode = attached_mode(p->ifindex);
		n++;
	}
	closedir(d);
	return n;
}

int vnl_xdpbridge_prog_fd(const struct vnl_xdpbridge *b, enum vnl_xdp_prog prog)
{
	return b->prog_fd[prog];
}

static int unpin_dir(const char *dir)
{
	struct dirent *e;
	char path[PATH_MAX];
	int rc = 0;
	DIR *d = opendir(dir);

	if (!d) {
		vnl_errno("cannot list %s", dir);
		return -1;
	}
	/* Links first (detach), then the rest; the rest is only pins. */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || pin_path(path, sizeof(path), dir, e->d_name) < 0)
			continue;
		if (strncmp(e->d_name, "link_", 5) == 0)
			rc |= drop_link_pin(path);
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || pin_path(path, sizeof(path), dir, e->d_name) < 0)
			continue;
		if (unlink(path) < 0 && errno != ENOENT) {
			vnl_errno("cannot unpin %s", path);
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int vnl_xdpbridge_remove(const char *lab)
{
	char dir[PATH_MAX];

	if (lab_dir(lab, dir, sizeof(dir)) < 0)
		return -1;
	if (!bpffs_mounted() || access(dir, F_OK) < 0)
		return 0; /* nothing pinned, nothing attached by us */
	if (unpin_dir(dir) < 0)
		return -1;
	if (rmdir(dir) < 0) {
		vnl_errno("cannot remove %s", dir);
		return -1;
	}
	rmdir(VNL_XDP_PIN_ROOT); /* only if no other lab uses it */
	return 0;
}

const char *vnl_xdp_stat_name(enum vnl_xdp_stat s)
{
	static const char *const names[VNL_XDP_STAT_COUNT] = {
		[VNL_XDP_UPLINK_FAST] = "uplink_fast",
		[VNL_XDP_UPLINK_SLOW] = "uplink_slow",
		[VNL_XDP_UPLINK_REDIRECT_ERR] = "uplink_redirect_err",
		[VNL_XDP_UPLINK_RUNT] = "uplink_runt",
		[VNL_XDP_GUEST_FAST] = "guest_fast",
		[VNL_XDP_GUEST_SLOW] = "guest_slow",
		[VNL_XDP_GUEST_REDIRECT_ERR] = "guest_redirect_err",
		[VNL_XDP_GUEST_RUNT] = "guest_runt",
	};
	return (unsigned)s < VNL_XDP_STAT_COUNT ? names[s] : "?";
}

const char *vnl_xdp_mode_name(enum vnl_xdp_mode m)
{
	switch (m) {
	case VNL_XDP_MODE_NATIVE: return "native";
	case VNL_XDP_MODE_GENERIC: return "generic";
	default: return "auto";
	}
}

static void print_port_update(FILE *out, const char *dir, const char *ifname)
{
	fprintf(out, "bpftool map update pinned %s/tx_ports key $(le32 $(ifidx %s)) "
		"value $(le32 $(ifidx %s))\n", dir, ifname, ifname);
}

static void print_attach(FILE *out, const char *dir, const char *ifname, const char *prog)
{
	fprintf(out, "ip link set dev %s xdpdrv pinned %s/%s"
		"   # xdpgeneric if the driver has no native XDP\n", ifname, dir, prog);
}

static void print_guest(FILE *out, const char *dir, const struct vnl_xdp_recipe_guest *g)
{
	const uint8_t *m = g->mac;

	fprintf(out, "# guest %02x:%02x:%02x:%02x:%02x:%02x on %s", m[0], m[1], m[2], m[3], m[4],
		m[5], g->tap);
	if (g->vlan == VNL_XDP_VLAN_TRUNK)
		fprintf(out, ", trunk: its own VLAN tags pass as they are");
	else if (g->vlan)
		fprintf(out, ", VLAN %u on the uplink", g->vlan);
	fputc('\n', out);
	print_attach(out, dir, g->tap, "xdp_guest");
	print_port_update(out, dir, g->tap);
	fprintf(out, "bpftool map update pinned %s/guest_macs key hex "
		"%02x %02x %02x %02x %02x %02x value $(le32 $(ifidx %s)) %u %u 0 0\n",
		dir, m[0], m[1], m[2], m[3], m[4], m[5], g->tap, g->vlan & 0xff, g->vlan >> 8);
}

void vnl_xdpbridge_print_recipe(FILE *out, const struct vnl_xdp_recipe *r)
{
	const char *obj = r->object ? r->object : VNL_BPF_DIR "/xdp_bridge.bpf.o";
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", VNL_XDP_PIN_ROOT, r->lab);
	fprintf(out, "# XDP bridge of lab %s (doc/xdp-bridge.md); in the lab's host namespace\n",
		r->lab);
	fputs("le32() { printf '%d %d %d %d' $(($1 & 255)) $(($1 >> 8 & 255)) "
	      "$(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }\n", out);
	/* ip, not /sys/class/net: that may show another namespace (nsenter). */
	fputs("ifidx() { ip -o link show dev \"$1\" | cut -d: -f1; }\n", out);
	fputs("ifmac() { ip -o link show dev \"$1\" | sed 's|.*link/ether \\([^ ]*\\).*|\\1|'; }\n",
	      out);
	fprintf(out, "mountpoint -q %s || mount -t bpf bpf %s\n", BPFFS, BPFFS);
	fprintf(out, "mkdir -p %s\n", VNL_XDP_PIN_ROOT);
	fprintf(out, "bpftool prog loadall %s %s type xdp pinmaps %s\n", obj, dir, dir);
	fprintf(out, "# uplink %s\n", r->uplink);
	print_attach(out, dir, r->uplink, "xdp_uplink");
	print_port_update(out, dir, r->uplink);
	fprintf(out, "bpftool map update pinned %s/bridge_cfg key 0 0 0 0 value $(le32 $(ifidx %s))\n",
		dir, r->uplink);
	if (r->local_if)
		fprintf(out, "bpftool map update pinned %s/local_macs key hex "
			"$(ifmac %s | tr : ' ') value 1 0 0 0\n", dir, r->local_if);
	for (int i = 0; i < r->n_guests; i++)
		print_guest(out, dir, &r->guests[i]);
	fputs("# counters: bpftool map dump pinned DIR/stats (index order: doc/xdp-bridge.md)\n", out);
	fprintf(out, "# down: ip link set dev %s xdp off", r->uplink);
	for (int i = 0; i < r->n_guests; i++)
		fprintf(out, "; ip link set dev %s xdp off", r->guests[i].tap);
	fprintf(out, "; rm -r %s; rmdir %s 2>/dev/null || true\n", dir, VNL_XDP_PIN_ROOT);
}
