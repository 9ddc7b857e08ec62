/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Background load for a study: N iperf3 streams (UDP or TCP, a set rate per
 * stream or unlimited) between two network namespaces of a lab, started
 * before the probe stream and stopped after it, with each stream's achieved
 * throughput read from iperf3's --json report.
 *
 * Either end can instead be a lab's guest: its iperf3 is started through
 * the guest's control agent (lib/guest/agent.h), in the background, so the agent
 * is free for `vnetlat run` while the load runs.
 *
 * Every iperf3 runs in its own process group, dies with its parent
 * (PR_SET_PDEATHSIG), and is bounded in time (-t; servers serve one test;
 * in a guest under busybox timeout). Stopping kills whatever is left, also
 * after a child crashed. Load never
 * leaves the lab: only addresses in the documentation ranges (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are accepted.
 */
#ifndef VNL_LOAD_H
#define VNL_LOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum vnl_load_proto { VNL_LOAD_NONE, VNL_LOAD_UDP, VNL_LOAD_TCP };

#define VNL_LOAD_MAX_STREAMS 16
#define VNL_LOAD_BASE_PORT 5201

struct vnl_load_spec {
	enum vnl_load_proto proto;  /* UDP or TCP */
	unsigned streams;           /* 1..VNL_LOAD_MAX_STREAMS */
	uint64_t rate_bps;          /* per stream, 0: unlimited */
	int64_t duration_ns;        /* how long the clients send (-t, rounded up to seconds) */
	uint16_t base_port;         /* stream i uses base_port + i; 0: VNL_LOAD_BASE_PORT */
	const char *server_netns;   /* where the servers run; NULL: this namespace */
	const char *server_addr;    /* servers listen on it, clients send to it */
	const char *client_netns;   /* where the clients run; NULL: this namespace */
	const char *client_addr;    /* clients' source address; NULL: the kernel's choice */
	/* Unix socket of a guest's agent: that end runs in the guest (its netns is ignored). */
	const char *server_agent;
	const char *client_agent;
};

struct vnl_load_stream {
	uint16_t port;
	bool ok;                    /* iperf3 ran and reported without error */
	bool complete;              /* ran its full time: the receiver's figures are in */
	double sent_bps;
	double received_bps;        /* 0 when not complete */
	uint64_t bytes;             /* sent */
	double seconds;
	double lost_percent;        /* UDP */
	double jitter_ms;           /* UDP */
	char error[160];            /* why not ok */
};

struct vnl_load_result {
	unsigned streams;
	struct vnl_load_stream stream[VNL_LOAD_MAX_STREAMS];
	double total_bps;           /* received when complete, else sent, over all streams */
};

struct vnl_load;

/* Inside the documentation ranges (and so inside a lab)? */
bool vnl_load_addr_allowed(const char *addr);
/* Start servers, wait until they listen, start clients. NULL after one message. */
struct vnl_load *vnl_load_start(const struct vnl_load_spec *spec);
/* Wait until every client has finished, at most TIMEOUT_NS: 0 when they have, 1 if not. */
int vnl_load_wait(struct vnl_load *load, int64_t timeout_ns);
/*
 * Stop everything the load started (clients still running are interrupted and
 * report what they sent), reap it, fill OUT and free LOAD. 0 when every
 * stream reported, -1 otherwise (the reasons are in OUT).
 */
int vnl_load_stop(struct vnl_load *load, struct vnl_load_result *out);
/* The result as JSON, for a case's record: {"total_bps":..., "streams":[...]}. */
json_t *vnl_load_result_json(const struct vnl_load_result *r);

#endif
