/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NTP-style clock exchanges between two vnetlat processes over UDP
 * ('vnetlat clock answer' / 'vnetlat clock ask'; the packet is core/clockpkt.h).
 * The asker stamps t1 just before sending and t4 with the kernel's receive
 * stamp (SO_TIMESTAMPNS), the answerer t2 with the kernel's receive stamp and
 * t3 just before sending: each leg runs from an application stamp to a kernel
 * receive stamp, so both legs are alike. The samples go through core/clocksync
 * (the minimum-delay filter the guest agent's exchanges use). Per exchange
 * nothing is allocated or formatted.
 */
#ifndef VNL_CLOCKXCHG_H
#define VNL_CLOCKXCHG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clocksync.h"

#define VNL_CLOCK_DEFAULT_PORT 4301
/* How long an exchange waits for its answer. */
#define VNL_CLOCKASK_WAIT_NS 1000000000LL
/* The asker gives up when this many first exchanges all went unanswered. */
#define VNL_CLOCKASK_GIVE_UP 3
#define VNL_CLOCKASK_MAX_COUNT 100000

/* ---- the answerer ---- */

struct vnl_clockans;

enum vnl_clockans_end { VNL_CLOCKANS_COUNT, VNL_CLOCKANS_TIMEOUT, VNL_CLOCKANS_SIGNAL,
			VNL_CLOCKANS_EOF };

struct vnl_clockans_stats {
	uint64_t answered;
	uint64_t kernel_rx;  /* of those, t2 from the kernel's receive stamp */
	uint64_t rejected;   /* datagrams that were not a valid request */
	const char *last_reject; /* why the last was refused (clockpkt's words), NULL: none */
	enum vnl_clockans_end end;
};

/* Bind a UDP socket to BIND_ADDR (NULL: every address, IPv6 and IPv4) and PORT (0: any).
 * NULL with WHY. */
struct vnl_clockans *vnl_clockans_open(const char *bind_addr, uint16_t port, char *why, size_t why_len);
uint16_t vnl_clockans_port(const struct vnl_clockans *a);
/*
 * Answer requests until COUNT answered (0: no limit), TIMEOUT_NS passed (0:
 * none), *STOP set (a signal handler's flag) or WATCH_FD (-1: none) reaches
 * end of file. 0, or -1 with errno (the socket failed).
 */
int vnl_clockans_serve(struct vnl_clockans *a, uint64_t count, int64_t timeout_ns, int watch_fd,
		       volatile sig_atomic_t *stop, struct vnl_clockans_stats *st);
void vnl_clockans_close(struct vnl_clockans *a);

/* ---- the asker ---- */

struct vnl_clockask_opts {
	const char *addr;      /* the answerer: an address or host name */
	uint16_t port;
	uint64_t count;        /* exchanges, 1 to VNL_CLOCKASK_MAX_COUNT */
	int64_t interval_ns;   /* between exchange starts */
	volatile sig_atomic_t *stop; /* set by a signal: end early with what was measured */
	struct vnl_clocksync *feed;  /* also given each answered exchange (run's estimate); NULL */
};

struct vnl_clockask_result {
	char peer[64];              /* the answerer's address, numeric */
	uint64_t sent, answered;
	uint64_t rejected;          /* datagrams that were not our answer (malformed, stale) */
	uint64_t kernel_rx_local;   /* answers t4 of which is a kernel stamp */
	uint64_t kernel_rx_remote;  /* answers t2 of which is the answerer's kernel stamp */
	int64_t resolution_local_ns, resolution_remote_ns; /* clock_getres(CLOCK_REALTIME) */
	struct vnl_clocksync_summary sync; /* offset_ns = remote - local; uncertainty_ns its */
	int64_t uncertainty_ns;     /* sync.uncertainty_ns + both clocks' resolutions */
};

/* Run the exchanges. 0 with R when at least one was answered; -1 with WHY (and R so far). */
int vnl_clockask_run(const struct vnl_clockask_opts *o, struct vnl_clockask_result *r, char *why,
		     size_t why_len);

#endif
