/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The XDP bridge's loader and controller (doc/xdp-bridge.md): loads the
 * programs of bpf/xdp_bridge.bpf.c, attaches them, fills their maps, reads
 * their counters, and removes everything again.
 *
 * Everything a bridge consists of is pinned under VNL_XDP_PIN_ROOT/LAB
 * (programs, maps, one XDP link per attached interface), so the bridge
 * outlives the process that built it and any later process - `lab show`,
 * `lab down`, also after a crash - finds it from the lab name alone.
 *
 * Interface indexes are those of the calling thread's network namespace:
 * enter the lab's host namespace before calling attach/add/detach.
 */
#ifndef VNL_XDPBRIDGE_H
#define VNL_XDPBRIDGE_H

#include <stdint.h>
#include <stdio.h>

#include "xdp_bridge.h"

#define VNL_XDP_PIN_ROOT "/sys/fs/bpf/vnetlat"

enum vnl_xdp_mode {
	VNL_XDP_MODE_AUTO,    /* native where the driver has it, generic otherwise */
	VNL_XDP_MODE_NATIVE,  /* in the driver (veth, tun, most NICs): "xdpdrv" */
	VNL_XDP_MODE_GENERIC, /* after the skb is built, any driver: "xdpgeneric" */
};

enum vnl_xdp_prog {
	VNL_XDP_PROG_UPLINK, /* xdp_uplink */
	VNL_XDP_PROG_GUEST,  /* xdp_guest */
};

struct vnl_xdp_counters {
	uint64_t v[VNL_XDP_STAT_COUNT]; /* indexed by enum vnl_xdp_stat, summed over CPUs */
};

/* One interface a bridge's program is attached to, as found from its pins. */
struct vnl_xdp_port {
	int ifindex;
	enum vnl_xdp_prog prog;
	enum vnl_xdp_mode mode; /* NATIVE or GENERIC as the kernel reports it */
};

struct vnl_xdpbridge;

/* Load both programs (the verifier runs here) and pin them with their maps
 * under VNL_XDP_PIN_ROOT/lab. Fails with a message if that lab already has
 * a bridge. Mounts the BPF filesystem on /sys/fs/bpf if it is missing. */
struct vnl_xdpbridge *vnl_xdpbridge_create(const char *lab);
/* Reopen the pinned bridge of lab (made by another process). NULL with a message if absent. */
struct vnl_xdpbridge *vnl_xdpbridge_open(const char *lab);
/* Close this process's handles; the pinned bridge stays as it is. */
void vnl_xdpbridge_close(struct vnl_xdpbridge *b);

/* Attach xdp_uplink to ifindex and make it the guests' way out. *used
 * (optional) receives the mode the kernel accepted. */
int vnl_xdpbridge_attach_uplink(struct vnl_xdpbridge *b, int ifindex, enum vnl_xdp_mode want,
				enum vnl_xdp_mode *used);
/* Attach xdp_guest to a guest's tap and make the tap a redirect target. */
int vnl_xdpbridge_attach_tap(struct vnl_xdpbridge *b, int ifindex, enum vnl_xdp_mode want,
			     enum vnl_xdp_mode *used);
/* Detach the program from ifindex and drop it as a redirect target. */
int vnl_xdpbridge_detach(struct vnl_xdpbridge *b, int ifindex);

/* Frames for mac (tagged vlan on the uplink, 0 = untagged, VNL_XDP_VLAN_TRUNK = as they are) go to tap_ifindex. */
int vnl_xdpbridge_add_guest(struct vnl_xdpbridge *b, const uint8_t mac[6], int tap_ifindex,
			    uint16_t vlan);
int vnl_xdpbridge_remove_guest(struct vnl_xdpbridge *b, const uint8_t mac[6]);
/* A MAC of the host itself (the bridge device): guest frames to it take the slow path. */
int vnl_xdpbridge_add_local_mac(struct vnl_xdpbridge *b, const uint8_t mac[6]);

int vnl_xdpbridge_read_counters(const struct vnl_xdpbridge *b, struct vnl_xdp_counters *out);
/* Interfaces with a pinned link, up to max; returns how many were found or -1. */
int vnl_xdpbridge_ports(const struct vnl_xdpbridge *b, struct vnl_xdp_port *out, int max);
/* Program fd, e.g. for BPF_PROG_TEST_RUN. */
int vnl_xdpbridge_prog_fd(const struct vnl_xdpbridge *b, enum vnl_xdp_prog prog);

/* Detach every link and unpin everything of lab's bridge, given only its
 * name. 0 when nothing is left (also when there was nothing), -1 otherwise. */
int vnl_xdpbridge_remove(const char *lab);

const char *vnl_xdp_stat_name(enum vnl_xdp_stat s);
const char *vnl_xdp_mode_name(enum vnl_xdp_mode m);

/* What --dry-run describes: a bridge for lab on uplink with these guests. */
struct vnl_xdp_recipe_guest {
	const char *tap; /* interface name */
	uint8_t mac[6];
	uint16_t vlan;
};
struct vnl_xdp_recipe {
	const char *lab;
	const char *uplink;       /* interface name */
	const char *local_if;     /* the bridge device whose MAC stays local; NULL if none */
	const char *object;       /* xdp_bridge.bpf.o; NULL = the installed one */
	const struct vnl_xdp_recipe_guest *guests;
	int n_guests;
};
/* Print the shell commands (bpftool, ip) that build the same bridge by hand. */
void vnl_xdpbridge_print_recipe(FILE *out, const struct vnl_xdp_recipe *r);

#endif
