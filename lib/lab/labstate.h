/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lab state file: DIR/LAB.state lists every object `lab up` made, each
 * recorded (written and fsync'ed) BEFORE it is created. `lab down` removes
 * exactly those, newest first, also when `up` was killed half-way, and never
 * anything that is not listed.
 *
 * Format: JSON lines. The first line is the header
 *   {"vnetlat_lab_state":1,"lab":"NAME","topology":"veth"}
 * then one line per object, in creation order, e.g.
 *   {"type":"netns","name":"vnl-a"}
 *   {"type":"link","name":"wire0","netns":"vnl-a"}
 *   {"type":"process","name":"qemu","pid":1234,"start_time":56789}
 *   {"type":"bpf_pin","path":"/sys/fs/bpf/vnl/prog"}
 *   {"type":"file","path":"/run/vnetlat/vnl/guest.sock"}
 *   {"type":"pci_driver","path":"/sys/bus/pci/devices/0000:03:10.0","name":"ixgbevf"}
 *   {"type":"uplink","name":"enp3s0","netns":"","into":"vnl-h","as":"uplink0",
 *    "mac":"52:54:00:12:34:56","mtu":1500,"up":true,"addresses":["203.0.113.5/24"]}
 * and {"failed":N} when creating object N (0-based) failed before it existed,
 * {"made":N,"ident":X} once object N exists, with what identifies that very
 * object (a namespace's nsfs inode), so down can tell it from a namesake
 * made by someone else later.
 * A last line without its newline is a record cut short by a kill: its object
 * was never started, so it is ignored. Any other unreadable line is damage:
 * reported, and its object (if any) is not touched.
 *
 * The file is locked (flock) while `up` builds or `down` removes, so the two
 * never interleave on one lab.
 */
#ifndef VNL_LABSTATE_H
#define VNL_LABSTATE_H

#include "paths.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNL_LABSTATE_DIR VNL_LABS_DIR
#define VNL_LABSTATE_VERSION 1
/* Addresses of a borrowed uplink given back by down (more are refused at up). */
#define VNL_OBJ_ADDRS_MAX 16

enum vnl_obj_type {
	VNL_OBJ_NETNS,    /* a named network namespace: name */
	VNL_OBJ_LINK,     /* a network interface: name, in netns ("" = the host's) */
	VNL_OBJ_PROCESS,  /* a process we started: pid + start_time (clock ticks since boot) */
	VNL_OBJ_BPF_PIN,  /* a pinned BPF object: path */
	VNL_OBJ_FILE,     /* a file or socket we made: path */
	VNL_OBJ_PCI_DRIVER, /* a PCI device (path: its sysfs dir) given to vfio-pci; name: its driver before */
	VNL_OBJ_UPLINK,   /* a link of the user's lent to the lab: name in netns ("" = pid 1's), as it was */
	VNL_OBJ_IRQ_AFFINITY, /* an IRQ steered by --irq-cpus: path /proc/irq/N/smp_affinity_list,
	                       * name: its CPU list before */
	VNL_OBJ__COUNT
};

struct vnl_obj {
	enum vnl_obj_type type;
	char name[64];
	char netns[64];
	char path[256];
	int64_t pid;
	uint64_t start_time;
	/* uplink: where it went (into, named as there) and what it was (mac, mtu, up, addresses) */
	char into[64], as[16];
	char mac[18];
	unsigned mtu;
	bool up;
	char addrs[VNL_OBJ_ADDRS_MAX][52];
	unsigned n_addrs;
	bool failed; /* read back: creation failed before the object existed */
	bool made;   /* read back: it was created, and ident says which one */
	uint64_t ident;
};

/* "netns", "link", ...; NULL for an unknown type. */
const char *vnl_obj_type_name(enum vnl_obj_type type);
/* One line for messages: "netns vnl-a", "link wire0 in vnl-a", "process 123 (qemu)". */
void vnl_obj_describe(const struct vnl_obj *obj, char *buf, size_t size);

struct vnl_labstate;

/*
 * A new state file for lab (header written, fsync'ed, locked); it appears
 * atomically with its header. NULL with errno EEXIST when the lab exists.
 */
struct vnl_labstate *vnl_labstate_create(const char *dir, const char *lab, const char *topology);
/*
 * Read a lab's state file. With lock, wait (a few seconds at most) for any
 * other vnetlat working on the lab; errno EBUSY if it does not finish,
 * ENOENT if there is no such lab. A locked state can be appended to with
 * vnl_labstate_record (a step that grows an existing lab, e.g. a guest).
 */
struct vnl_labstate *vnl_labstate_open(const char *dir, const char *lab, bool lock);
/* Read state from text (for tests and tools); never NULL unless out of memory. */
struct vnl_labstate *vnl_labstate_parse(const char *lab, const char *text, size_t len);
void vnl_labstate_close(struct vnl_labstate *st);

/* Write-ahead: append obj and fsync before the caller creates it. Its index, or -1. */
int vnl_labstate_record(struct vnl_labstate *st, const struct vnl_obj *obj);
/* Object index was never created (its creation failed cleanly): 0 or -1. */
int vnl_labstate_mark_failed(struct vnl_labstate *st, size_t index);
/* Object index exists now; ident tells it from a later namesake: 0 or -1. */
int vnl_labstate_mark_made(struct vnl_labstate *st, size_t index, uint64_t ident);
/* Delete the state file (everything in it is gone): 0 or -1. */
int vnl_labstate_delete(struct vnl_labstate *st);

const char *vnl_labstate_lab(const struct vnl_labstate *st);
/* "" when the header is missing (the file was cut short or damaged). */
const char *vnl_labstate_topology(const struct vnl_labstate *st);
size_t vnl_labstate_count(const struct vnl_labstate *st);
const struct vnl_obj *vnl_labstate_obj(const struct vnl_labstate *st, size_t index);
/* Number of damaged lines, and a description of the first one ("" if none). */
unsigned vnl_labstate_damaged(const struct vnl_labstate *st);
const char *vnl_labstate_damage(const struct vnl_labstate *st);

/*
 * The order down removes objects in: newest first, skipping the ones whose
 * creation failed. Fills order (up to max) and returns how many there are.
 */
size_t vnl_labstate_removal_plan(const struct vnl_labstate *st, size_t *order, size_t max);

/* Names of the labs with a state file in dir, sorted; calls cb for each. -1 on error. */
int vnl_labstate_list(const char *dir, void (*cb)(const char *lab, void *arg), void *arg);

#endif
