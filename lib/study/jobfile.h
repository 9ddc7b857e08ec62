/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Study job files (vnetlat-study(5)): an INI file, read with libinih, with a
 * [global] section whose values every case inherits and one section per case
 * that overrides them. A comma-separated value on a matrix key (topology,
 * transport, direction, interval, size, load) expands a section into the
 * cross product of its values. Everything is checked before anything runs;
 * every problem is kept, with its line, as "FILE:LINE: message; suggestion".
 */
#ifndef VNL_JOBFILE_H
#define VNL_JOBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "load.h"  /* enum vnl_load_proto */

enum vnl_job_topology {
	VNL_TOPO_VETH, VNL_TOPO_BRIDGE, VNL_TOPO_MACVTAP, VNL_TOPO_XDP,
	VNL_TOPO_OVS, VNL_TOPO_OVS_AFXDP, VNL_TOPO_PASSTHROUGH,
};
enum vnl_job_switch { VNL_SWITCH_AUTO, VNL_SWITCH_ON, VNL_SWITCH_OFF };
enum vnl_job_accel { VNL_ACCEL_AUTO, VNL_ACCEL_KVM, VNL_ACCEL_TCG };
enum vnl_job_transport { VNL_JOB_UDP4, VNL_JOB_UDP6, VNL_JOB_L2, VNL_JOB_XDP };
/* in: remote end -> guest (the study's direction); out: guest -> remote end. */
enum vnl_job_direction { VNL_DIR_IN, VNL_DIR_OUT, VNL_DIR_BOTH };

/* Every key a job file may set, in the order matrices expand (first varies slowest). */
enum vnl_job_key {
	VNL_JK_TOPOLOGY, VNL_JK_TRANSPORT, VNL_JK_DIRECTION, VNL_JK_INTERVAL, VNL_JK_SIZE,
	VNL_JK_LOAD,
	VNL_JK_VHOST, VNL_JK_ACCEL, VNL_JK_GUEST_CPUS, VNL_JK_GUEST_MEM, VNL_JK_PIN_VCPU,
	VNL_JK_EMULATOR_CPUS, VNL_JK_VHOST_FIFO, VNL_JK_IRQ_CPUS, VNL_JK_PMD_CPUS, VNL_JK_VLAN, VNL_JK_QBV, VNL_JK_UPLINK, VNL_JK_PCI_DEVICE, VNL_JK_REMOTE_NETNS, VNL_JK_REMOTE_ADDR,
	VNL_JK_COUNT, VNL_JK_DURATION, VNL_JK_PRIORITY, VNL_JK_DEADLINE, VNL_JK_SCHED_FIFO,
	VNL_JK_CPU, VNL_JK_REMOTE_CPU, VNL_JK_TRACE,
	VNL_JK_LOAD_RATE, VNL_JK_WARMUP, VNL_JK_REPEAT, VNL_JK_WINDOW, VNL_JK_REFERENCE,
	VNL_JK_NKEYS
};

#define VNL_JOB_NAME_MAX 48    /* a section (case) name */
#define VNL_JOB_MAX_LOAD_STREAMS 16
#define VNL_JOB_MAX_CASES 4096
#define VNL_JOB_MAX_BYTES (1 << 20) /* a job file; anything larger is not one */

/* One case, every setting resolved and typed. Lines are 0 for defaults. */
struct vnl_job_case {
	char *name;              /* "<section>" or "<section>/<key>=<value>,..." */
	char section[VNL_JOB_NAME_MAX + 1];
	unsigned section_line;
	unsigned line[VNL_JK_NKEYS];  /* where each value came from ([global] or the case) */

	/* topology and its options */
	enum vnl_job_topology topology;
	enum vnl_job_switch vhost;
	enum vnl_job_accel accel;
	unsigned guest_cpus;
	uint64_t guest_mem_mib;
	char pin_vcpu[64];       /* host CPU list for qemu's threads (lab up --pin-vcpu), "": not pinned */
	char emulator_cpus[64];  /* host CPUs for qemu's other threads, "": the ones not in pin_vcpu */
	char pmd_cpus[64];       /* ovs-afxdp: host CPUs for the switch's PMD threads, "": OVS's choice */
	char qbv[64];            /* bridge/ovs/xdp: lab up --qbv OPEN+LENGTH/CYCLE, "": none */
	int vhost_fifo;          /* SCHED_FIFO priority for the vhost-net workers, 0: leave */
	char irq_cpus[64];       /* host CPUs for the uplink's IRQs (with uplink), "": leave */
	unsigned vlan;           /* 802.1Q id of the test stream, 0: untagged */
	char uplink[16];         /* host interface used as the physical port, "": the lab's veth */
	char pci_device[16];     /* passthrough: PCI address "0000:03:00.0" */
	/* uplink/passthrough: the remote end on the user's network, "": the lab's own */
	char remote_netns[32];   /* a named namespace of this host on that network */
	char remote_addr[48];    /* its address there */

	/* the probe stream */
	int64_t interval_ns;
	unsigned size;           /* probe payload bytes */
	uint64_t count;          /* packets, 0 when the run is given as a duration */
	int64_t duration_ns;     /* run length: duration, or count * interval */
	int priority;            /* SO_PRIORITY, -1: leave */
	enum vnl_job_transport transport;
	enum vnl_job_direction direction;
	int64_t deadline_ns;     /* later than this counts as late, 0: no deadline */
	int sched_fifo;          /* SCHED_FIFO priority of sender and receiver, 0: off */
	int cpu;                 /* the local end's CPU (a guest's own CPU), -1: not pinned */
	int remote_cpu;          /* the remote end's CPU (this host), -1: as cpu */
	bool trace;              /* run --trace: the host's receivers explain their worst probes */

	/* background load */
	enum vnl_load_proto load;
	unsigned load_streams;
	uint64_t load_rate_bps;  /* per stream, 0: unlimited */

	/* the run and its analysis */
	int64_t warmup_ns;       /* run before measuring, discarded */
	unsigned repeat;
	bool has_window;
	int64_t window_from_ns;  /* from the start of measuring */
	int64_t window_to_ns;
	long reference;          /* index of the case compared against, -1: none */
};

struct vnl_job_error {
	unsigned line;           /* 0: about the whole file */
	char *message;
	char *suggestion;        /* NULL when there is nothing to suggest */
};

struct vnl_job;

/* Read and check FILE. NULL only when out of memory; otherwise check the errors. */
struct vnl_job *vnl_job_load(const char *path);
/* The same from memory; NAME is what error messages call the file. */
struct vnl_job *vnl_job_parse(const char *name, const char *text, size_t len);
void vnl_job_free(struct vnl_job *job);

size_t vnl_job_error_count(const struct vnl_job *job);
/* Errors in line order (stable for one line). */
const struct vnl_job_error *vnl_job_error(const struct vnl_job *job, size_t i);
/* "FILE:LINE: message; suggestion", one per line ("FILE: ..." for the whole file). */
void vnl_job_print_errors(const struct vnl_job *job, FILE *out);

/* The expanded cases in file order (0 when there are errors). */
size_t vnl_job_case_count(const struct vnl_job *job);
const struct vnl_job_case *vnl_job_case(const struct vnl_job *job, size_t i);

const char *vnl_job_key_name(enum vnl_job_key key);
const char *vnl_job_topology_name(enum vnl_job_topology t);
const char *vnl_job_transport_name(enum vnl_job_transport t);
const char *vnl_job_direction_name(enum vnl_job_direction d);
/* "none", "udp3", "tcp1" into buf. */
const char *vnl_job_load_name(const struct vnl_job_case *c, char *buf, size_t len);

#endif
