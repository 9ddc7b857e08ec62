/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host <-> guest control channel. It runs over a virtio-serial port (in
 * the guest a character device, on the host the unix socket of qemu's
 * chardev), so it works whatever state the network under test is in.
 *
 * Protocol: one JSON object per line (jansson), both ways.
 *   host -> guest  {"id":N,"op":"hello"}
 *                  {"id":N,"op":"run","argv":[...],"stdin":"...","timeout_ms":T}
 *                  {"id":N,"op":"signal","job":J,"sig":S}   J = id of a running "run"
 *                  {"id":N,"op":"time"}
 *                  {"id":N,"op":"phc","n":K}        K = 1..25 readings of the KVM PTP clock
 *                  {"id":N,"op":"poweroff"}
 *   guest -> host  {"event":"ready","kernel":"...","vnetlat":"..."}  once, at start
 *                  {"id":N,"ok":true,...} or {"id":N,"ok":false,"error":"..."}
 *     hello:    kernel, vnetlat, uptime_ms
 *     run:      exited, status, signal, timed_out, stdout, stderr, truncated
 *     time:     t2, t3 (guest CLOCK_REALTIME when the request was read / the reply written)
 *     phc:      device ("/dev/ptpN"), ioctl ("precise", "extended", "basic"),
 *               samples [[sys_before, phc, sys_after], ...] (phc.h); ok:false with the
 *               reason when the guest has no KVM PTP clock (e.g. under TCG)
 * The guest runs any number of "run" requests at once and answers others
 * meanwhile, so time exchanges continue while a receiver runs in the guest.
 */
#ifndef VNL_AGENT_H
#define VNL_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "phc.h"

/* Name of the virtserialport qemu creates and the guest agent opens. */
#define VNL_AGENT_PORT_NAME "org.vnetlat.agent"
/* Each of stdout/stderr of a run is kept up to this size; the rest is dropped. */
#define VNL_AGENT_MAX_OUTPUT (1u << 20)

/* ---- guest side ---- */
enum {
	VNL_AGENT_EXIT_ON_EOF = 1,     /* stop when the peer closes (a socket); a port only hangs up */
	VNL_AGENT_ALLOW_POWEROFF = 2,  /* honour "poweroff" (only when running as the guest's agent) */
};
/* Opens the virtio-serial port called PORT_NAME (waiting up to wait_ms for it) and serves. */
int vnl_agent_serve_port(const char *port_name, int wait_ms);
/* Serves requests on FD until EOF (with EXIT_ON_EOF) or a fatal error; returns 0 or -1. */
int vnl_agent_serve_fd(int fd, int flags);

/* ---- host side ---- */
struct vnl_agent;

struct vnl_agent_info {
	char kernel[128];   /* guest `uname -r` */
	char machine[65];   /* guest `uname -m` ("" from an older agent) */
	char vnetlat[64];   /* guest vnetlat version */
	int64_t uptime_ms;  /* guest uptime when it answered */
};

struct vnl_agent_result {
	int exited;      /* 1: exited with status; 0: killed by signal */
	int status;      /* exit status when exited */
	int signal;      /* terminating signal otherwise */
	int timed_out;   /* killed because its timeout passed */
	int truncated;   /* output exceeded VNL_AGENT_MAX_OUTPUT */
	char *out, *err; /* NUL-terminated, owned: vnl_agent_result_free() */
	size_t out_len, err_len;
};

/* Connect to the unix socket at PATH, retrying until it accepts or timeout_ms passes. */
struct vnl_agent *vnl_agent_connect(const char *path, int timeout_ms);
/* Wrap an already connected stream FD (taken over; closed by vnl_agent_close). */
struct vnl_agent *vnl_agent_from_fd(int fd);
void vnl_agent_close(struct vnl_agent *a);
/* Until timeout_ms: say hello until the agent answers. 0, or -1 (errno ETIMEDOUT, EPIPE...). */
int vnl_agent_wait_ready(struct vnl_agent *a, int timeout_ms, struct vnl_agent_info *info);
/* Run ARGV (NULL-terminated) in the guest, STDIN_DATA (may be NULL) as its input; it is
 * killed after timeout_ms. Waits for it (plus a margin). 0 when the agent answered, -1 otherwise
 * (errno; *why says what failed when the agent refused). */
int vnl_agent_run(struct vnl_agent *a, const char *const argv[], const char *stdin_data,
		  int timeout_ms, struct vnl_agent_result *r, const char **why);
/* The same in two steps, so the host can do other exchanges while it runs. */
int vnl_agent_start(struct vnl_agent *a, const char *const argv[], const char *stdin_data,
		    int timeout_ms, uint64_t *job);
int vnl_agent_wait(struct vnl_agent *a, uint64_t job, int timeout_ms,
		   struct vnl_agent_result *r, const char **why);
int vnl_agent_signal(struct vnl_agent *a, uint64_t job, int sig);
/* One NTP-style exchange: t1 host send, t2 guest receive, t3 guest send, t4 host receive
 * (all CLOCK_REALTIME ns). offset = ((t2-t1)+(t3-t4))/2, delay = (t4-t1)-(t3-t2). */
int vnl_agent_time(struct vnl_agent *a, int timeout_ms, int64_t t[4]);
/* K ptp_kvm readings, as the guest's agent read them. */
struct vnl_agent_phc {
	char device[64];   /* /dev/ptpN in the guest */
	char ioctl[16];    /* "precise", "extended", "basic" */
	int n;
	struct vnl_phc_sample s[VNL_PHC_MAX_SAMPLES];
};
/* N (1..VNL_PHC_MAX_SAMPLES) readings of the guest's KVM PTP clock. 0, or -1 (errno; when the
 * guest has none, *why says why, e.g. "no PTP clock named ...; ptp_kvm did not load: ..."). */
int vnl_agent_phc(struct vnl_agent *a, int n, int timeout_ms, struct vnl_agent_phc *out,
		  const char **why);
/* Ask the guest to power off; 0 when it acknowledged. */
int vnl_agent_poweroff(struct vnl_agent *a, int timeout_ms);
void vnl_agent_result_free(struct vnl_agent_result *r);

#endif
