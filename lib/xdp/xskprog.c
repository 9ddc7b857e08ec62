/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "xskprog.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "xdp_probe.h"
#include "xdp_probe.skel.h"
#include "xdp_probe_hw.skel.h"

#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif

#define PROG_NAME "xdp_probe"

/* One of the two skeletons; both have the same maps and program names. */
struct vnl_xskprog {
	struct xdp_probe *skel;
	struct xdp_probe_hw *skel_hw;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	bool dev_bound;
	char desc[96];
};

static bool quiet_libbpf;

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (quiet_libbpf || (level != LIBBPF_WARN && !getenv("VNL_BPF_DEBUG")))
		return 0;
	fputs("vnetlat: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* The name of the program attached to ifindex the old way (netlink), or "" if none. */
static int attached_prog_name(int ifindex, char *name, size_t len, uint32_t *id)
{
	name[0] = '\0';
	if (bpf_xdp_query_id(ifindex, 0, id) < 0 || *id == 0)
		return 0;
	int fd = bpf_prog_get_fd_by_id(*id);
	if (fd < 0)
		return -1;
	struct bpf_prog_info info;
	uint32_t info_len = sizeof(info);
	memset(&info, 0, sizeof(info));
	int rc = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	close(fd);
	if (rc < 0)
		return -1;
	snprintf(name, len, "%s", info.name);
	return 0;
}

/* A stale xdp_probe (left by a netlink attach) goes; anything else stays and is reported. */
static int clear_stale(const char *ifname, int ifindex)
{
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id = 0;
	if (attached_prog_name(ifindex, name, sizeof(name), &id) < 0) {
		vnl_errno("cannot inspect the XDP program on %s", ifname);
		return -1;
	}
	if (!id)
		return 0;
	if (strcmp(name, PROG_NAME) != 0) {
		vnl_err("%s already has an XDP program ('%s', id %u); vnetlat does not replace "
			"another program: remove it (ip link set %s xdp off) or use another "
			"interface", ifname, name, id, ifname);
		return -1;
	}
	if (bpf_xdp_detach(ifindex, 0, NULL) < 0) {
		/* Attached through a live bpf_link: a running vnetlat owns it. */
		vnl_err("%s is in use by another vnetlat AF_XDP socket (program id %u); stop it "
			"first", ifname, id);
		return -1;
	}
	vnl_notice("replaced a stale vnetlat XDP program (id %u) on %s", id, ifname);
	return 0;
}

/*
 * Device-bound with the hardware-stamp kfunc first: kernels before 6.3 (or
 * drivers that refuse) get the plain program.
 */
static int load(struct vnl_xskprog *p, int ifindex)
{
	p->skel_hw = xdp_probe_hw__open();
	if (p->skel_hw) {
		struct bpf_program *prog = p->skel_hw->progs.xdp_probe;
		bpf_program__set_ifindex(prog, (unsigned)ifindex);
		bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_XDP_DEV_BOUND_ONLY);
		quiet_libbpf = true;
		int rc = xdp_probe_hw__load(p->skel_hw);
		quiet_libbpf = false;
		if (rc == 0) {
			p->dev_bound = true;
			p->obj = p->skel_hw->obj;
			p->prog = prog;
			return 0;
		}
		xdp_probe_hw__destroy(p->skel_hw);
		p->skel_hw = NULL;
	}
	p->skel = xdp_probe__open_and_load();
	if (!p->skel) {
		vnl_errno("cannot load the XDP steering program (needs root: CAP_BPF, "
			  "CAP_NET_ADMIN)");
		return -1;
	}
	p->obj = p->skel->obj;
	p->prog = p->skel->progs.xdp_probe;
	return 0;
}

static int map_fd(const struct vnl_xskprog *p, const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(p->obj, name));
}

static int configure(struct vnl_xskprog *p, uint32_t queue, uint16_t udp_port, int xsk_fd,
		     const char *ifname)
{
	uint32_t zero = 0;
	struct vnl_xdp_probe_cfg cfg = { .udp_port = udp_port };
	if (bpf_map_update_elem(map_fd(p, "probe_cfg"), &zero, &cfg, 0) < 0) {
		vnl_errno("cannot configure the XDP steering program");
		return -1;
	}
	if (queue >= VNL_XDP_PROBE_MAX_QUEUES) {
		vnl_err("--queue %u is too high for %s: the steering program covers queues "
			"0..%d", queue, ifname, VNL_XDP_PROBE_MAX_QUEUES - 1);
		return -1;
	}
	if (bpf_map_update_elem(map_fd(p, "xsks"), &queue, &xsk_fd, 0) < 0) {
		vnl_errno("cannot put the AF_XDP socket into the XSKMAP");
		return -1;
	}
	return 0;
}

static void describe(struct vnl_xskprog *p, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	const char *mode = "XDP";
	if (bpf_xdp_query(ifindex, 0, &q) == 0)
		mode = q.attach_mode == XDP_ATTACHED_DRV ? "native XDP"
		       : q.attach_mode == XDP_ATTACHED_SKB ? "generic XDP"
		       : q.attach_mode == XDP_ATTACHED_HW ? "offloaded XDP" : "XDP";
	snprintf(p->desc, sizeof(p->desc), "%s, %s", mode,
		 p->dev_bound ? "device-bound (driver RX hardware stamps if it has them)"
			      : "not device-bound (no driver RX hardware stamps)");
}

struct vnl_xskprog *vnl_xskprog_attach(const char *ifname, uint32_t queue, uint16_t udp_port,
				       int xsk_fd)
{
	int ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		vnl_err("interface '%s' not found; check --ifname and the network namespace",
			ifname);
		return NULL;
	}
	libbpf_set_print(libbpf_log);
	if (clear_stale(ifname, ifindex) < 0)
		return NULL;
	struct vnl_xskprog *p = calloc(1, sizeof(*p));
	if (!p) {
		vnl_err("out of memory");
		return NULL;
	}
	if (load(p, ifindex) < 0 || configure(p, queue, udp_port, xsk_fd, ifname) < 0)
		goto fail;
	p->link = bpf_program__attach_xdp(p->prog, ifindex);
	if (!p->link) {
		vnl_errno("cannot attach the XDP steering program to %s", ifname);
		p->link = NULL;
		goto fail;
	}
	describe(p, ifindex);
	return p;
fail:
	vnl_xskprog_detach(p);
	return NULL;
}

void vnl_xskprog_detach(struct vnl_xskprog *p)
{
	if (!p)
		return;
	bpf_link__destroy(p->link);
	xdp_probe__destroy(p->skel);
	xdp_probe_hw__destroy(p->skel_hw);
	free(p);
}

const char *vnl_xskprog_desc(const struct vnl_xskprog *p) { return p->desc; }
int vnl_xskprog_dev_bound(const struct vnl_xskprog *p) { return p->dev_bound; }
