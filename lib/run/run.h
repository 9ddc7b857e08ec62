/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measuring through a lab (vnetlat-run(8)): the receiver and the sender are
 * started at the lab's two ends (a namespace: fork + enter + exec of this
 * vnetlat; a guest: through its control agent), one direction after the
 * other; the host-side hop observer watches the VM host's uplink and tap,
 * the guest clock is followed over the control channel, and the receiver's
 * record file is re-analysed with guest stamps moved onto the host clock
 * and the hop stages added. One report per direction.
 */
#ifndef VNL_RUN_H
#define VNL_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { VNL_RUN_IN = 1, VNL_RUN_OUT = 2 }; /* bit set of directions */

struct vnl_run_opts {
	const char *lab;
	const char *self;          /* this vnetlat binary, run in the namespaces */
	unsigned directions;       /* VNL_RUN_IN | VNL_RUN_OUT; both: in, then out */
	bool ipv6;
	uint16_t port;
	/* stream options as the user wrote them (already validated), NULL = default */
	const char *interval, *count, *duration, *size, *priority;
	int64_t interval_ns, duration_ns; /* parsed */
	uint64_t count_n;
	bool json, quiet;
	const char *record_dir;    /* keep the record files here; NULL = temporary */
	/* The remote end on the user's network (--uplink, passthrough labs): a namespace of
	 * this machine there, and its address. NULL: the lab's own remote end. */
	const char *remote_netns, *remote_addr;
	/* --remote ssh://[USER@]HOST[:PORT] (no lab): the remote end is another host, reached
	 * with ssh and these -o options; local_addr: this host's address on the test network
	 * (NULL: the route's to remote_addr). */
	const char *remote_url, *local_addr;
	const char *ssh_options[16];
	size_t nssh_options;
	bool check;                /* --check: what both hosts offer, nothing measured */
	/* --clock auto|ptp|exchanges (NULL: auto); each host's ptp4l UDS (NULL: ptp4l's default) */
	const char *clock_mode, *ptp_uds, *remote_ptp_uds;
	const char *status_file;   /* live status of the running direction (status.h); NULL = none */
	const char *metrics_file;  /* Prometheus text: live counters each second, all at the end */
	/* Real-time settings for both ends (validated strings, NULL = leave): SCHED_FIFO
	 * priority, the CPU of the local end and of the remote one (NULL: --cpu's), memory
	 * locked; and the receiver's --deadline. What each end got is read back. */
	const char *sched_fifo, *cpu, *remote_cpu, *deadline;
	int64_t deadline_ns; /* --deadline parsed; 0: none */
	bool mlock;
	/* A scheduler and interrupt trace of each receiver on this host (recv --trace's): the
	 * worst probes of its direction get "explain". A receiver in the guest is not traced. */
	bool trace;
};

/* Returns an exit code (log.h). */
int vnl_run(const struct vnl_run_opts *o);

/* Environment variable for tests: a signed duration added to the guest clock
 * estimate (vnetlat-run(8), ENVIRONMENT). */
#define VNL_RUN_CLOCK_ERROR_ENV "VNETLAT_TEST_CLOCK_ERROR"

#endif
