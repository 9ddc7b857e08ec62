/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "analysis.h"
#include "base64.h"
#include "child.h"
#include "clockmethod.h"
#include "clocksync.h"
#include "hopobs.h"
#include "hostcheck.h"
#include "labinfo.h"
#include "leg.h"
#include "log.h"
#include "metrics.h"
#include "netns.h"
#include "output.h"
#include "parse.h"
#include "ptpclock.h"
#include "clockhost.h"
#include "qemuthreads.h"
#include "remotehost.h"
#include "clockxchg.h"
#include "rt.h"
#include "runcmd.h"
#include "safefile.h"
#include "schedtrace.h"
#include "snmp.h"
#include "ssh.h"
#include "stats.h"
#include "status.h"
#include "timeutil.h"
#include "traceout.h"

#define GUEST_TMP "/tmp"           /* where the guest-side record file is written */
#define LISTEN_WAIT_MS 20000       /* a receiver in a TCG guest starts slowly */
#define END_MARGIN_NS (30 * VNL_NSEC_PER_SEC) /* after the stream's expected end */
#define INTERRUPT_WAIT_MS 10000    /* for a program told to stop to write its record and end */
#define SYNC_EVERY_NS (100 * VNL_NSEC_PER_MSEC)
#define SYNC_BURST 16              /* exchanges before and after each stream */
#define PHC_SAMPLES 5              /* ptp_kvm readings per request while the stream runs */
#define STATUS_EVERY_NS VNL_NSEC_PER_SEC /* the receiver's live status is passed on this often */
#define RING_MAX (1u << 20)        /* hop observer entries (about 40 MB at most) */
#define WORST_N 10
#define PTP_EVERY_NS (2 * VNL_NSEC_PER_SEC) /* two hosts' ptp4l read while the stream runs */
/* Guest files come back in pieces whose base64 fits the agent's output limit. */
#define FETCH_CHUNK (512u * 1024)
#define FETCH_CHUNK_TEXT "524288"
_Static_assert(FETCH_CHUNK / 3 * 4 + FETCH_CHUNK / 57 + 8 < VNL_AGENT_MAX_OUTPUT, "chunk too big");


static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* One end of a direction: a namespace, the guest, or another host (--remote ssh://). */
struct end {
	const char *role;  /* "remote" / "local" */
	bool guest;
	bool ssh;
	const struct vnl_lab_endpoint *ep;
};

/* Does the end keep its files away from this host (in the guest, on the other host)? */
static bool away(const struct end *e)
{
	return e->guest || e->ssh;
}

/* A program at one end: a child process, or a job in the guest. */
struct prog {
	bool guest;
	struct vnl_child *child; /* on the host, until it has ended */
	pid_t pid;
	uint64_t job;
	bool done;
	int status;        /* exit status, 128+signal, -1 unknown */
	bool timed_out;    /* did not end in time: interrupted */
	bool ssh;          /* on the other host: child is the local ssh, in_fd its stdin */
	int in_fd;         /* closing it stops the remote program (SIGINT there); -1 closed */
};

struct run {
	const struct vnl_run_opts *o;
	struct vnl_lab_info li;
	struct vnl_agent *agent;
	struct vnl_remotehost *rh;      /* --remote ssh://: the other host */
	char remote_name[64];           /* its USER@HOST, as reports name the end */
	char local_if[32], remote_if[32]; /* each host's test interface (for its PHC), "" unknown */
	struct vnl_ptp_relation ptp;    /* the last reading of both hosts' ptp4l (method ptp) */
	char dir[PATH_MAX];
	bool tmpdir;
	json_t *doc, *dirs;
	bool failed;
	struct vnl_clock_choice clock;  /* how the guest's clock is related to the host's */
	char phc_device[64], phc_ioctl[16];
	uint64_t phc_failures;          /* ptp_kvm requests that failed after it was chosen */
	bool status_failed;        /* --status-file could not be written (said once) */
	/* --metrics: each measured direction's live line, then its analysis kept for the end */
	struct vnl_status_line live[2];
	struct vnl_metrics_info live_info[2];
	unsigned nlive;
	struct vnl_leg_result met[2];
	struct vnl_metrics_info met_info[2];
	unsigned nmet;
	bool metrics_failed;
};

/* The receivers write a live status line: for --status-file, or --metrics' live counters. */
static bool want_status(const struct run *r)
{
	return r->o->status_file || r->o->metrics_file;
}

static struct vnl_metrics_info metrics_info(const struct run *r, const char *dir)
{
	return (struct vnl_metrics_info){ .direction = dir, .lab = r->li.name,
					  .topology = r->li.topology, .deadline_ns = r->o->deadline_ns };
}

/* --metrics while a direction runs: every direction's newest live line so far. */
static void live_metrics(struct run *r, const char *dir, const struct vnl_status_line *s)
{
	if (!r->o->metrics_file)
		return;
	unsigned i = 0;
	while (i < r->nlive && strcmp(r->live_info[i].direction, dir))
		i++;
	if (i == 2)
		return;
	r->live[i] = *s;
	r->live_info[i] = metrics_info(r, dir);
	r->nlive = i + 1 > r->nlive ? i + 1 : r->nlive;
	if (vnl_metrics_write_live_file(r->o->metrics_file, r->live, r->live_info, r->nlive) &&
	    !r->metrics_failed) {
		vnl_err("the run goes on without live metrics");
		r->metrics_failed = true;
	}
}

/* --metrics at the end: each measured direction's analysis (clock-corrected), in one file. */
static int final_metrics(struct run *r)
{
	const struct vnl_analysis *a[2];
	for (unsigned i = 0; i < r->nmet; i++)
		a[i] = r->met[i].a;
	int rc = r->o->metrics_file && r->nmet ?
			 vnl_metrics_write_set_file(r->o->metrics_file, a, r->met_info, r->nmet) : 0;
	for (unsigned i = 0; i < r->nmet; i++)
		vnl_leg_result_free(&r->met[i]);
	return rc;
}

/* One direction's measurement in progress. */
struct leg {
	const char *name;  /* "in", "out" */
	const char *transport; /* what the stream is sent over: the run's, not the record's
				* (a receiver on [::] that got nothing records udp6) */
	struct end tx, rx;
	char rec[PATH_MAX];        /* the receiver's record file on the host */
	char guest_rec[128];       /* ... in the guest, when the receiver runs there */
	char status[PATH_MAX];     /* the receiver's live status file on the host (--status-file) */
	char guest_status[128];    /* ... in the guest */
	int64_t next_status_ns;
	bool peer_offset;          /* the receiver corrects its status by peer_offset_ns */
	int64_t peer_offset_ns;    /* the sender's clock minus the receiver's, at the start */
	struct prog recv, send;
	struct vnl_hopobs *obs;
	struct vnl_schedtrace *trace; /* --trace: the receiver's, when it runs on this host */
	struct vnl_clocksync *cs;
	bool cs_ok;
	/* method ptp: the exchanges, kept beside the ptp estimate (cs) to be compared */
	struct vnl_clocksync *xcs;
	uint64_t ptp_readings, ptp_failed;
	int64_t next_ptp_ns;
	bool interrupted;
	bool receiver_late;        /* the receiver had not ended END_MARGIN_NS after the stream */
	/* the receiving end's UDP checksum errors before and after the stream */
	bool csum_known;
	uint64_t csum_before, csum_after;
	/* what each end's program ran with, read back by itself (rt.h): sender, receiver */
	char rt_file[2][PATH_MAX], guest_rt[2][128];
	struct vnl_rt_applied rt[2];
	bool rt_known[2];
	const struct vnl_qbv *qbv; /* the sender's Qbv window (the lab's, out only), or NULL */
	const char *qbv_refused;   /* the lab has a window, but not this way: why */
};

/* ---------------------------------------------------------------- starting programs */

static int spawn_in_netns(const struct run *r, const char *ns, char *const argv[],
			  struct prog *p)
{
	struct vnl_child_opts o = {
		.exe = r->o->self,
		.netns = ns && *ns ? ns : NULL, /* "": this host's own namespace (two hosts) */
		.netns_status = 127,
		.say_prefix = "vnetlat run: ", /* as vnl_errno says it in `vnetlat run` */
		.in = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
	};
	if (vnl_child_spawn(&p->child, (const char *const *)argv, &o)) {
		vnl_errno("cannot fork");
		return -1;
	}
	p->pid = vnl_child_pid(p->child);
	return 0;
}

static int prog_start(struct run *r, struct prog *p, const struct end *at, char *const argv[])
{
	memset(p, 0, sizeof(*p));
	p->guest = at->guest;
	p->ssh = at->ssh;
	p->in_fd = -1;
	p->status = -1;
	if (p->ssh) {
		if (vnl_remotehost_spawn(r->rh, (const char *const *)argv, &p->child, &p->in_fd)) {
			vnl_errno("cannot start '%s %s' on %s", argv[0], argv[1], r->remote_name);
			return -1;
		}
		p->pid = vnl_child_pid(p->child);
		return 0;
	}
	if (!p->guest)
		return spawn_in_netns(r, at->ep->netns, argv, p);
	int64_t limit = r->o->duration_ns ? r->o->duration_ns : (int64_t)r->o->count_n * r->o->interval_ns;
	int timeout_ms = (int)((limit + 2 * END_MARGIN_NS) / VNL_NSEC_PER_MSEC);
	if (vnl_agent_start(r->agent, (const char *const *)argv, NULL, timeout_ms, &p->job)) {
		vnl_errno("cannot start '%s %s' in the guest", argv[0], argv[1]);
		return -1;
	}
	return 0;
}

/* Non-blocking for a child; a guest job is only waited for (see leg_wait). */
static bool prog_poll(struct prog *p)
{
	if (p->done || p->guest)
		return p->done;
	if (vnl_child_poll(p->child)) {
		p->done = true;
		p->status = vnl_child_status(p->child);
		vnl_child_free(p->child);
		p->child = NULL;
		if (p->in_fd >= 0)
			close(p->in_fd);
		p->in_fd = -1;
	}
	return p->done;
}

/* SIGINT to a program on this host; on the other host, the end of its stdin does it. */
static void prog_sigint(struct prog *p)
{
	if (p->ssh && p->in_fd >= 0) {
		close(p->in_fd);
		p->in_fd = -1;
	} else if (!p->ssh) {
		vnl_child_signal(p->child, SIGINT);
	}
}

static void prog_interrupt(struct run *r, struct prog *p)
{
	if (p->done)
		return;
	if (p->guest)
		vnl_agent_signal(r->agent, p->job, SIGINT);
	else
		prog_sigint(p);
}

static void prog_wait(struct run *r, struct prog *p, int timeout_ms, const char *what)
{
	if (p->done)
		return;
	if (!p->guest) {
		vnl_child_wait(p->child, (int64_t)timeout_ms * VNL_NSEC_PER_MSEC);
		if (!prog_poll(p)) {
			vnl_err("the %s did not end in time; interrupting it", what);
			p->timed_out = true;
			prog_sigint(p);
			vnl_child_wait(p->child, (p->ssh ? 5 : 1) * VNL_NSEC_PER_SEC);
			if (!prog_poll(p)) {
				/* killed: its status stays unknown (-1) */
				vnl_child_stop(p->child, SIGKILL, -1);
				vnl_child_free(p->child);
				p->child = NULL;
				p->done = true;
				if (p->in_fd >= 0)
					close(p->in_fd);
				p->in_fd = -1;
			}
		}
		return;
	}
	struct vnl_agent_result res;
	const char *why = NULL;
	if (vnl_agent_wait(r->agent, p->job, timeout_ms, &res, &why)) {
		/* interrupted, it still ends its record whole and reports what it has */
		vnl_err("the %s in the guest did not end in time (%s); interrupting it", what,
			why ? why : strerror(errno));
		p->timed_out = true;
		vnl_agent_signal(r->agent, p->job, SIGINT);
		if (vnl_agent_wait(r->agent, p->job, INTERRUPT_WAIT_MS, &res, &why)) {
			vnl_err("the %s in the guest did not end after SIGINT either (%s)", what,
				why ? why : strerror(errno));
			p->done = true;
			p->status = 124;
			return;
		}
	}
	p->done = true;
	p->status = res.exited ? res.status : 128 + res.signal;
	if (p->status && res.err && *res.err)
		vnl_err("the %s in the guest said: %s", what, vnl_tail_lines(res.err, 3));
	vnl_agent_result_free(&res);
}

/* ---------------------------------------------------------------- readiness */

static bool port_in(const char *text, uint16_t port)
{
	char pat[16];
	snprintf(pat, sizeof(pat), ":%04X ", port);
	return text && strstr(text, pat);
}

static bool host_listening(pid_t pid, uint16_t port)
{
	static const char *const files[] = { "udp", "udp6" };
	char path[64], buf[16384];
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, files[i]);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		if (port_in(buf, port))
			return true;
	}
	return false;
}

static bool guest_listening(struct run *r, uint16_t port)
{
	static const char *const argv[] = { "cat", "/proc/net/udp", "/proc/net/udp6", NULL };
	struct vnl_agent_result res;
	const char *why;
	if (vnl_agent_run(r->agent, argv, NULL, 5000, &res, &why))
		return false;
	bool yes = port_in(res.out, port);
	vnl_agent_result_free(&res);
	return yes;
}

/* UdpInCsumErrors + Udp6InCsumErrors where E receives (its namespace, or the guest). */
static bool csum_errors(struct run *r, const struct end *e, uint64_t *n)
{
	if (e->ssh)
		return false; /* not read on the other host */
	if (e->guest) {
		static const char *const argv[] = { "cat", "/proc/net/snmp", "/proc/net/snmp6", NULL };
		struct vnl_agent_result res;
		const char *why;
		if (vnl_agent_run(r->agent, argv, NULL, 5000, &res, &why))
			return false;
		bool ok = vnl_snmp_udp_csum_errors(res.out, n);
		vnl_agent_result_free(&res);
		return ok;
	}
	return vnl_snmp_netns_udp_csum_errors(e->ep->netns, n);
}

static int wait_listening(struct run *r, struct prog *p)
{
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + LISTEN_WAIT_MS * VNL_NSEC_PER_MSEC;
	while (vnl_now_ns(CLOCK_MONOTONIC) < until && !stop_asked) {
		if (p->ssh ? vnl_remotehost_listening(r->rh, r->o->port) :
		    p->guest ? guest_listening(r, r->o->port) : host_listening(p->pid, r->o->port))
			return 0;
		if (prog_poll(p))
			break;
		usleep(p->guest || p->ssh ? 100000 : 5000);
	}
	vnl_err("the receiver never listened on port %u (%s)", r->o->port,
		p->done ? "it exited; see its message above" : "timed out");
	return -1;
}

/* ---------------------------------------------------------------- the guest's clock */

/* N readings of the KVM PTP clock (at most VNL_PHC_MAX_SAMPLES) into the leg's estimate. */
static void phc_samples(struct run *r, struct leg *l, int n)
{
	struct vnl_agent_phc ph;
	if (vnl_agent_phc(r->agent, n, 1000, &ph, NULL)) {
		r->phc_failures++;
		return;
	}
	for (int i = 0; i < ph.n; i++)
		vnl_clocksync_add_phc(l->cs, ph.s[i].sys_before, ph.s[i].phc, ph.s[i].sys_after);
	snprintf(r->phc_ioctl, sizeof(r->phc_ioctl), "%s", ph.ioctl);
}

/* N UDP exchanges with the other host's clock answerer into the leg's exchange estimate. */
static void exchange_samples(struct run *r, struct leg *l, int n)
{
	struct vnl_clocksync *into = l->xcs ? l->xcs : l->cs;
	struct vnl_clockask_opts ask = {
		.addr = r->li.remote.addr4[0] && !r->o->ipv6 ? r->li.remote.addr4 : r->li.remote.addr6,
		.port = VNL_CLOCK_DEFAULT_PORT, .count = (uint64_t)n,
		.interval_ns = 2 * VNL_NSEC_PER_MSEC, .stop = &stop_asked, .feed = into,
	};
	struct vnl_clockask_result res;
	char why[256];
	if (vnl_clockask_run(&ask, &res, why, sizeof(why)))
		vnl_err("direction %s: clock exchanges with %s failed: %s", l->name,
			r->remote_name, why);
}

/*
 * Both hosts' ptp4l read now (this one directly, the other with its own
 * `vnetlat clock status` over ssh) and related through their grandmaster.
 */
static bool ptp_read(struct run *r, struct vnl_ptp_relation *rel)
{
	static struct vnl_clockhost ch; /* large; one reading at a time */
	static char out[64 * 1024];
	struct vnl_ptp_host loc, rem;
	const char *luds = r->o->ptp_uds ? r->o->ptp_uds : VNL_PTP4L_DEFAULT_UDS;
	const char *ruds = r->o->remote_ptp_uds ? r->o->remote_ptp_uds : VNL_PTP4L_DEFAULT_UDS;
	vnl_clockhost_read(&ch, r->local_if[0] ? r->local_if : NULL, luds);
	json_t *ld = vnl_clockhost_json(&ch);
	int lrc = vnl_ptp_host_from_status(ld, &loc);
	json_decref(ld);
	const char *argv[] = { "vnetlat", "clock", "status", "--json", "--uds", ruds,
			       "--interface", r->remote_if, NULL };
	if (!r->remote_if[0])
		argv[6] = NULL;
	json_t *rd = vnl_remotehost_vnetlat(r->rh, argv, out, sizeof(out)) ? NULL :
		     json_loads(out, 0, NULL);
	int rrc = vnl_ptp_host_from_status(rd, &rem);
	json_decref(rd);
	if (lrc || rrc) {
		memset(rel, 0, sizeof(*rel));
		snprintf(rel->why, sizeof(rel->why), "'vnetlat clock status' failed on %s",
			 lrc ? "this host" : r->remote_name);
		return false;
	}
	vnl_ptp_relate(&loc, &rem, rel);
	return rel->ok;
}

/* One ptp reading into the leg's estimate, as a reading of the remote clock against ours. */
static void ptp_sample(struct run *r, struct leg *l)
{
	struct vnl_ptp_relation rel;
	int64_t t = vnl_now_ns(CLOCK_REALTIME);
	if (!ptp_read(r, &rel)) {
		l->ptp_failed++;
		return;
	}
	r->ptp = rel;
	l->ptp_readings++;
	int64_t u = rel.uncertainty_ns > 0 ? rel.uncertainty_ns : 1;
	vnl_clocksync_add_phc(l->cs, t + rel.offset_ns - u, t, t + rel.offset_ns + u);
}

static void clock_samples(struct run *r, struct leg *l, int n)
{
	if (!l->cs)
		return;
	if (r->clock.method == VNL_CLOCK_PTP) {
		ptp_sample(r, l);
		if (n >= SYNC_BURST) /* before and after the stream: the exchanges to compare */
			exchange_samples(r, l, n);
		return;
	}
	if (r->clock.method == VNL_CLOCK_EXCHANGES) {
		exchange_samples(r, l, n);
		return;
	}
	if (r->clock.method == VNL_CLOCK_PTP_KVM) {
		phc_samples(r, l, n < VNL_PHC_MAX_SAMPLES ? n : VNL_PHC_MAX_SAMPLES);
		return;
	}
	int64_t t[4];
	for (int i = 0; i < n; i++)
		if (vnl_agent_time(r->agent, 1000, t) == 0)
			vnl_clocksync_add(l->cs, t);
}

/*
 * ptp_kvm when the guest has a KVM PTP clock, else exchanges over the control
 * channel. phc2sys is not run: it would steer the guest's clock while the
 * guest is stamping; its measurement is made instead and the stamps corrected.
 */
/*
 * Two hosts: ptp when both hosts' ptp4l follow one grandmaster (--clock auto or
 * ptp), else exchanges; a forced method that cannot be had fails the run. 0 or -1.
 */
static int choose_two_hosts_clock(struct run *r)
{
	const char *mode = r->o->clock_mode ? r->o->clock_mode : "auto";
	struct vnl_ptp_relation rel = { 0 };
	bool ptp = strcmp(mode, "exchanges") && ptp_read(r, &rel);
	if (!ptp && !strcmp(mode, "ptp")) {
		vnl_err("--clock ptp: %s", rel.why);
		return -1;
	}
	if (ptp) {
		r->ptp = rel;
		r->clock.method = VNL_CLOCK_PTP;
		vnl_pathf(r->clock.why, sizeof(r->clock.why), "%s; read before, every %lld s during "
			 "and after each stream, and compared with UDP exchanges", rel.why,
			 (long long)(PTP_EVERY_NS / VNL_NSEC_PER_SEC));
		return 0;
	}
	r->clock.method = VNL_CLOCK_EXCHANGES;
	vnl_pathf(r->clock.why, sizeof(r->clock.why), "two hosts: NTP-style UDP exchanges on the "
		 "test network with 'vnetlat clock answer' on %s, %d before and %d after each "
		 "stream (minimum-delay filter, drift between them); ptp: %s", r->remote_name,
		 SYNC_BURST, SYNC_BURST, strcmp(mode, "exchanges") ? rel.why :
		 "not tried (--clock exchanges)");
	return 0;
}

static void choose_clock(struct run *r)
{
	if (r->rh)
		return; /* choose_two_hosts_clock */
	struct vnl_agent_phc ph;
	const char *why = NULL;
	bool ok = false;
	if (r->li.has_guest) {
		ok = vnl_agent_phc(r->agent, 1, 5000, &ph, &why) == 0 && ph.n > 0;
		if (!ok && !why)
			why = strerror(errno);
	}
	vnl_clock_choose(r->li.has_guest, r->li.accel, ok, why, &r->clock);
	if (ok) {
		snprintf(r->phc_device, sizeof(r->phc_device), "%s", ph.device);
		snprintf(r->phc_ioctl, sizeof(r->phc_ioctl), "%s", ph.ioctl);
	}
}

/* ---------------------------------------------------------------- the guest's record file */

/* Remove a file in the guest, and a second one when OTHER is not NULL. */
static void guest_remove(struct run *r, const char *guest_path, const char *other)
{
	const char *const rm[] = { "rm", "-f", guest_path, other, NULL };
	struct vnl_agent_result gone;
	const char *why;
	if (vnl_agent_run(r->agent, rm, NULL, 5000, &gone, &why) == 0)
		vnl_agent_result_free(&gone);
}

/* One piece of a guest file, base64 over the agent (its output is text, capped in size). */
static int fetch_chunk(struct run *r, const char *guest_path, unsigned idx, FILE *to, size_t *got)
{
	char skip[16];
	snprintf(skip, sizeof(skip), "%u", idx);
	const char *const argv[] = {
		"sh", "-c", "dd if=\"$0\" bs=" FETCH_CHUNK_TEXT " skip=\"$1\" count=1 2>/dev/null | base64",
		guest_path, skip, NULL
	};
	struct vnl_agent_result res;
	const char *why = NULL;
	if (vnl_agent_run(r->agent, argv, NULL, 60000, &res, &why)) {
		vnl_err("cannot read %s from the guest: %s", guest_path, why ? why : strerror(errno));
		return -1;
	}
	int rc = -1;
	if (!res.exited || res.status || res.truncated) {
		vnl_err("cannot read %s from the guest: %s", guest_path,
			res.truncated ? "output cut by the control channel" :
			vnl_tail_lines(res.err ? res.err : "", 1));
	} else {
		ssize_t n = vnl_base64_decode(res.out, res.out_len);
		*got = n > 0 ? (size_t)n : 0;
		if (n < 0)
			vnl_err("cannot read %s from the guest: what came back is not base64",
				guest_path);
		else if (fwrite(res.out, 1, *got, to) != *got)
			vnl_errno("cannot write the guest's record file");
		else
			rc = 0;
	}
	vnl_agent_result_free(&res);
	return rc;
}

static int fetch_guest_file(struct run *r, const char *guest_path, const char *host_path)
{
	FILE *f = vnl_file_create_stream(host_path, true);
	if (!f) {
		vnl_err("cannot create %s: %s", host_path, vnl_file_why(errno));
		return -1;
	}
	int rc = 0;
	size_t got = FETCH_CHUNK;
	for (unsigned i = 0; rc == 0 && got == FETCH_CHUNK; i++)
		rc = fetch_chunk(r, guest_path, i, f, &got);
	if (fclose(f) && rc == 0) {
		vnl_errno("cannot write %s", host_path);
		rc = -1;
	}
	guest_remove(r, guest_path, NULL);
	return rc;
}

/* ---------------------------------------------------------------- analysis (leg.h) */

static char remote_name[64]; /* the other host's USER@HOST, as end_view names it */

static struct vnl_leg_end end_view(const struct end *e)
{
	return (struct vnl_leg_end){ .role = e->role, .guest = e->guest, .other_host = e->ssh,
				     .host = e->ssh ? remote_name : NULL, .ep = e->ep };
}

static int64_t clock_error_ns; /* see read_clock_error */

/*
 * A test aid: VNL_RUN_CLOCK_ERROR_ENV (a signed duration, "300us", "-1ms")
 * is added to the guest clock estimate, so that a test can check that the
 * back-end port's bound catches an estimate wrong by a known amount.
 * 0, or -1 when it is set but not a duration.
 */
static int read_clock_error(void)
{
	const char *v = getenv(VNL_RUN_CLOCK_ERROR_ENV), *why;
	if (!v || !*v)
		return 0;
	bool neg = v[0] == '-';
	if (vnl_parse_duration(neg ? v + 1 : v, &clock_error_ns, &why) < 0)
		return vnl_err_invalid(VNL_RUN_CLOCK_ERROR_ENV, v, "expected a signed duration "
				       "such as 300us or -1ms");
	clock_error_ns = neg ? -clock_error_ns : clock_error_ns;
	vnl_notice("%s=%s: the guest clock estimate is made wrong by %s on purpose",
		   VNL_RUN_CLOCK_ERROR_ENV, v, v);
	return 0;
}

/* The measured direction, as its analysis and presentation see it. */
static struct vnl_leg leg_view(const struct leg *l)
{
	return (struct vnl_leg){ .name = l->name, .transport = l->transport, .tx = end_view(&l->tx),
				 .rx = end_view(&l->rx), .cs = l->cs, .cs_ok = l->cs_ok,
				 .interrupted = l->interrupted, .clock_error_ns = clock_error_ns,
				 .rt_tx = l->rt_known[0] ? &l->rt[0] : NULL,
				 .rt_rx = l->rt_known[1] ? &l->rt[1] : NULL,
				 .qbv = l->qbv, .qbv_refused = l->qbv_refused };
}

static struct vnl_leg_ctx leg_ctx(const struct run *r)
{
	return (struct vnl_leg_ctx){ .li = &r->li, .clock = &r->clock, .phc_device = r->phc_device,
				     .phc_ioctl = r->phc_ioctl, .phc_failures = r->phc_failures };
}

/* ---------------------------------------------------------------- one direction */

#define MAX_ARGS 32

struct args {
	char *v[MAX_ARGS];
	int n;
	char port[8];
	char peer_offset[32];
	char qbv_prio[12];
};

static void arg(struct args *a, const char *s)
{
	if (a->n < MAX_ARGS - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void opt(struct args *a, const char *name, const char *value)
{
	if (value) {
		arg(a, name);
		arg(a, value);
	}
}

/* The real-time options of the end AT: the same for both, but each end its own CPU. */
static void rt_args(const struct run *r, const struct end *at, const char *report,
		    struct args *a)
{
	const struct vnl_run_opts *o = r->o;
	opt(a, "--sched-fifo", o->sched_fifo);
	opt(a, "--cpu", strcmp(at->role, "remote") || !o->remote_cpu ? o->cpu : o->remote_cpu);
	if (o->mlock)
		arg(a, "--mlock");
	opt(a, "--rt-report", report);
}

static void recv_args(const struct run *r, const struct leg *l, struct args *a)
{
	snprintf(a->port, sizeof(a->port), "%u", r->o->port);
	arg(a, "vnetlat");
	arg(a, "recv");
	opt(a, "--port", a->port);
	arg(a, "--quiet");
	opt(a, "--deadline", r->o->deadline);
	rt_args(r, &l->rx, away(&l->rx) ? l->guest_rt[1] : l->rt_file[1], a);
	opt(a, "--record", away(&l->rx) ? l->guest_rec : l->rec);
	if (want_status(r))
		opt(a, "--status-file", away(&l->rx) ? l->guest_status : l->status);
	if (want_status(r) && l->peer_offset) {
		snprintf(a->peer_offset, sizeof(a->peer_offset), "%lldns", (long long)l->peer_offset_ns);
		opt(a, "--peer-offset", a->peer_offset);
	}
}

static void send_args(const struct run *r, const struct leg *l, struct args *a)
{
	snprintf(a->port, sizeof(a->port), "%u", r->o->port);
	snprintf(a->qbv_prio, sizeof(a->qbv_prio), "%d", r->li.qbv.priority);
	arg(a, "vnetlat");
	arg(a, "send");
	arg(a, r->o->ipv6 ? l->rx.ep->addr6 : l->rx.ep->addr4);
	opt(a, "--port", a->port);
	arg(a, "--quiet");
	opt(a, "--interval", r->o->interval);
	opt(a, "--count", r->o->count);
	opt(a, "--duration", r->o->duration);
	opt(a, "--size", r->o->size);
	/* a lab's Qbv window is for its priority's traffic class */
	opt(a, "--priority", r->o->priority ? r->o->priority : r->li.qbv.cycle_ns ? a->qbv_prio : NULL);
	rt_args(r, &l->tx, away(&l->tx) ? l->guest_rt[0] : l->rt_file[0], a);
}

/*
 * What an end got against what was asked: a difference is said, not only left in the
 * JSON (an ASan build's mlockall does nothing; a cpuset may narrow the CPUs).
 */
static void rt_check(const struct vnl_run_opts *o, const char *dir, const char *who,
		     const struct vnl_rt_applied *a)
{
	if (!a) {
		if (o->sched_fifo || o->mlock || o->cpu)
			vnl_notice("%s: the %s did not report what it ran with", dir, who);
		return;
	}
	if (o->sched_fifo && (strcmp(a->policy, "fifo") || a->priority != atoi(o->sched_fifo)))
		vnl_notice("%s: --sched-fifo %s asked, the %s runs as %s %d", dir, o->sched_fifo, who,
			   a->policy, a->priority);
	if (o->mlock && !a->mlock)
		vnl_notice("%s: --mlock asked, the %s's memory is not locked (VmLck 0 kB; a "
			   "sanitizer build's mlockall does nothing)", dir, who);
}

/* Each end's own account of what it ran with (its --rt-report), from the host or the guest. */
static void read_rt_reports(struct run *r, struct leg *l)
{
	const struct end *ends[2] = { &l->tx, &l->rx };
	for (int i = 0; i < 2; i++) {
		char *text = NULL;
		char buf[4096];
		if (ends[i]->ssh) {
			if (vnl_remotehost_read(r->rh, l->guest_rt[i], buf, sizeof(buf)) == 0)
				text = strdup(buf);
		} else if (ends[i]->guest) {
			const char *const argv[] = { "cat", l->guest_rt[i], NULL };
			struct vnl_agent_result res;
			const char *why;
			if (!vnl_agent_run(r->agent, argv, NULL, 2000, &res, &why)) {
				if (res.exited && res.status == 0 && res.out)
					text = strdup(res.out);
				vnl_agent_result_free(&res);
			}
			guest_remove(r, l->guest_rt[i], NULL);
		} else {
			size_t len;
			char err[256];
			text = vnl_file_read_input(l->rt_file[i], "real-time report", 4096, &len, err,
						   sizeof(err));
			unlink(l->rt_file[i]);
		}
		l->rt_known[i] = text && vnl_rt_report_parse(text, &l->rt[i]) == 0;
		free(text);
		rt_check(r->o, l->name, i ? "receiver" : "sender", l->rt_known[i] ? &l->rt[i] : NULL);
	}
}

static int64_t stream_length(const struct vnl_run_opts *o)
{
	return o->duration_ns ? o->duration_ns : (int64_t)o->count_n * o->interval_ns;
}

/* ---------------------------------------------------------------- live status */

/* The receiver's newest status line: its file on the host, or in the guest through the agent. */
static int receiver_status(struct run *r, const struct leg *l, struct vnl_status_line *out)
{
	char buf[1024];
	if (l->rx.ssh)
		return vnl_remotehost_read(r->rh, l->guest_status, buf, sizeof(buf)) ? -1 :
		       vnl_status_parse(buf, out);
	if (!l->rx.guest)
		return vnl_status_read(l->status, out);
	const char *const argv[] = { "cat", l->guest_status, NULL };
	struct vnl_agent_result res;
	const char *why;
	if (vnl_agent_run(r->agent, argv, NULL, 2000, &res, &why))
		return -1;
	int rc = res.exited && res.status == 0 && res.out ? vnl_status_parse(res.out, out) : -1;
	vnl_agent_result_free(&res);
	return rc;
}

/*
 * The guest's clock minus the host's as the receiver needs it: the sender's
 * clock minus the receiver's ("in": host - guest; "out": guest - host).
 */
static bool peer_offset_now(const struct leg *l, int64_t *out)
{
	int64_t guest_minus_host;
	if (!l->cs || !vnl_clocksync_estimate(l->cs, &guest_minus_host))
		return false;
	*out = away(&l->rx) ? -guest_minus_host : guest_minus_host;
	return true;
}

/*
 * Pass the receiver's status on to --status-file. Through a guest, one_way
 * and path are a difference of the two clocks: the receiver corrects them
 * by the offset it was given at its start (status.h says why it must), and
 * here they follow the estimate's drift since; with no offset, no p99.
 */
static void relay_status(struct run *r, struct leg *l)
{
	struct vnl_status_line s;
	if (!want_status(r) || receiver_status(r, l, &s))
		return;
	int64_t now;
	if (l->cs && l->peer_offset && peer_offset_now(l, &now))
		s.p99_ns += now - l->peer_offset_ns;
	else if (l->cs)
		s.has_p99 = false;
	snprintf(s.direction, sizeof(s.direction), "%s", l->name);
	live_metrics(r, l->name, &s);
	if (r->o->status_file && vnl_status_write(r->o->status_file, &s) && !r->status_failed) {
		vnl_errno("cannot write the status file %s (the run goes on)", r->o->status_file);
		r->status_failed = true;
	}
}

/* While the stream runs: follow the guest clock, pass the status on, notice the end (or a stop). */
static void follow(struct run *r, struct leg *l)
{
	struct prog *host_side = l->rx.guest ? &l->send : &l->recv;
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + stream_length(r->o) + END_MARGIN_NS;
	while (!stop_asked && vnl_now_ns(CLOCK_MONOTONIC) < until) {
		bool done = prog_poll(host_side) && (l->send.guest || l->recv.guest ||
						     prog_poll(&l->send));
		if (done)
			return;
		/* two hosts: no exchanges on the test network while the stream runs; ptp4l
		 * is read every few seconds */
		if (l->cs && r->clock.method == VNL_CLOCK_PTP) {
			if (vnl_now_ns(CLOCK_MONOTONIC) >= l->next_ptp_ns) {
				l->next_ptp_ns = vnl_now_ns(CLOCK_MONOTONIC) + PTP_EVERY_NS;
				clock_samples(r, l, 1);
			}
		} else if (l->cs && r->clock.method != VNL_CLOCK_EXCHANGES) {
			clock_samples(r, l, r->clock.method == VNL_CLOCK_PTP_KVM ? PHC_SAMPLES : 1);
		}
		int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
		if (now >= l->next_status_ns) {
			l->next_status_ns = now + STATUS_EVERY_NS;
			relay_status(r, l);
		}
		usleep((useconds_t)(SYNC_EVERY_NS / VNL_NSEC_PER_USEC));
	}
	if (!stop_asked)
		vnl_err("the %s stream did not end %lld s after its expected end; stopping it",
			l->name, (long long)(END_MARGIN_NS / VNL_NSEC_PER_SEC));
	l->interrupted = true;
	prog_interrupt(r, &l->send);
}

/*
 * --trace: the receiver's one thread (its pid, in this pid namespace) traced from before
 * the stream, on its --cpu; a trace that cannot be had fails the direction before it
 * measures. A receiver in the guest is said and left untraced.
 */
static int trace_start(struct run *r, struct leg *l)
{
	if (!r->o->trace)
		return 0;
	if (l->rx.guest) {
		vnl_notice("direction %s: the guest receives; --trace traces a receiver on this host "
			   "only (the guest's vnetlat has no BPF): its worst probes are not explained",
			   l->name);
		return 0;
	}
	const char *cpu = strcmp(l->rx.role, "remote") || !r->o->remote_cpu ? r->o->cpu
									     : r->o->remote_cpu;
	l->trace = vnl_schedtrace_start(l->recv.pid, cpu ? atoi(cpu) : -1);
	return l->trace ? 0 : -1;
}

/* A program on the other host whose ssh ended with 255 lost its connection: say so, true. */
static bool lost_connection(struct run *r, struct leg *l)
{
	const struct prog *p[2] = { &l->send, &l->recv };
	for (int i = 0; i < 2; i++)
		if (p[i]->ssh && p[i]->status == 255 && !vnl_remotehost_alive(r->rh)) {
			vnl_err("direction %s: the ssh connection to %s was lost while the stream ran "
				"(the %s there ended with it); what this host measured is kept",
				l->name, r->remote_name, i ? "receiver" : "sender");
			l->interrupted = true;
			r->failed = true;
			return true;
		}
	return false;
}

static int leg_measure(struct run *r, struct leg *l)
{
	struct args ra = { .n = 0 }, sa = { .n = 0 };
	if (r->li.host_netns[0]) {
		int64_t len = stream_length(r->o) / (r->o->interval_ns ? r->o->interval_ns : 1);
		size_t cap = len > 0 && len < RING_MAX ? (size_t)len + 64 : RING_MAX;
		l->obs = vnl_hopobs_open(r->li.host_netns, r->li.uplink_if, r->li.backend_if,
					 r->o->port, cap);
		if (!l->obs || vnl_hopobs_start(l->obs))
			return -1;
	}
	if (l->cs)
		clock_samples(r, l, SYNC_BURST);
	l->peer_offset = peer_offset_now(l, &l->peer_offset_ns);
	recv_args(r, l, &ra);
	send_args(r, l, &sa);
	if (prog_start(r, &l->recv, &l->rx, ra.v))
		return -1;
	if (trace_start(r, l) || wait_listening(r, &l->recv)) {
		prog_interrupt(r, &l->recv);
		prog_wait(r, &l->recv, 5000, "receiver");
		return -1;
	}
	l->csum_known = csum_errors(r, &l->rx, &l->csum_before);
	if (prog_start(r, &l->send, &l->tx, sa.v)) {
		prog_interrupt(r, &l->recv);
		return -1;
	}
	follow(r, l);
	int margin_ms = (int)(END_MARGIN_NS / VNL_NSEC_PER_MSEC);
	prog_wait(r, &l->send, margin_ms, "sender");
	bool send_failed = l->send.status != 0 && l->send.status != 128 + SIGINT;
	if (stop_asked || l->interrupted || send_failed) { /* no FIN will come */
		l->interrupted = true;
		prog_interrupt(r, &l->recv);
	}
	prog_wait(r, &l->recv, margin_ms, "receiver");
	vnl_schedtrace_stop(l->trace); /* detached before the report */
	if (l->recv.timed_out) /* the stream's end never reached it */
		l->interrupted = l->receiver_late = true;
	bool lost = lost_connection(r, l);
	if (!lost) {
		relay_status(r, l); /* the receiver's final figures */
		read_rt_reports(r, l);
	}
	l->csum_known = l->csum_known && csum_errors(r, &l->rx, &l->csum_after);
	if (l->cs && !lost) /* no answerer after a lost connection: the estimate from before */
		clock_samples(r, l, SYNC_BURST);
	vnl_hopobs_stop(l->obs);
	if (send_failed)
		vnl_err("the sender of direction %s failed (exit status %d)", l->name, l->send.status);
	if (l->rx.guest && fetch_guest_file(r, l->guest_rec, l->rec))
		return -1;
	if (l->rx.ssh && vnl_remotehost_fetch(r->rh, l->guest_rec, l->rec)) {
		vnl_err("direction %s: the receiver's record on %s is lost with the connection; "
			"nothing of this direction can be reported", l->name, r->remote_name);
		return -1;
	}
	if (l->cs)
		l->cs_ok = vnl_clocksync_finish(l->cs);
	if (l->xcs)
		vnl_clocksync_finish(l->xcs);
	if (l->cs && !l->cs_ok) {
		vnl_err("no clock %s with the guest succeeded (method %s): one-way figures of "
			"direction %s cannot be corrected", r->clock.method == VNL_CLOCK_PTP_KVM ?
			"reading" : "exchange", vnl_clock_method_name(r->clock.method), l->name);
		return -1;
	}
	return 0;
}

#define CSUM_HINT "frames left the sender with their checksum to be completed by an offload that " \
	"nothing on the way completed (an Open vSwitch userspace datapath forwarding a guest's " \
	"virtio-net frames does this); turn off TX checksum offload where the frames start " \
	"('ethtool -K IF tx off', or qemu's virtio-net-pci,csum=off) and see 'vnetlat lab doctor'"

/* What was sent and why nothing may have arrived, for a direction that received nothing. */
static void no_probe_arrived(const struct run *r, const struct leg *l)
{
	char from[160], to[160];
	bool ipv6 = !strcmp(l->transport, "udp6");
	struct vnl_leg_end tx = end_view(&l->tx), rx = end_view(&l->rx);
	vnl_leg_end_text(&tx, ipv6, from, sizeof(from));
	vnl_leg_end_text(&rx, ipv6, to, sizeof(to));
	vnl_err("direction %s: no probe arrived (%s, %s -> %s)", l->name, l->transport, from, to);
	if (l->csum_known && l->csum_after > l->csum_before)
		vnl_err("direction %s: the receiver counted %" PRIu64 " UDP checksum errors while "
			"the stream ran: the probes arrived damaged: %s", l->name,
			l->csum_after - l->csum_before, CSUM_HINT);
	else
		vnl_err("direction %s: the receiver counted no UDP checksum error: the probes did not "
			"reach it; check the sender's route ('vnetlat %s --name %s -- ip route get %s'), "
			"a firewall where it receives, and 'vnetlat lab doctor --name %s'", l->name,
			l->tx.guest ? "guest exec" : "lab exec remote", r->o->lab,
			strcmp(l->transport, "udp6") ? l->rx.ep->addr4 : l->rx.ep->addr6, r->o->lab);
}

/*
 * Method ptp: the exchanges made beside it, and whether the two agree within
 * their bounds. PTP claiming a microsecond while the exchanges disagree by
 * tens is the classic misconfiguration (phc2sys not running): said loudly.
 */
struct ptp_check {
	bool have_x, agree;
	struct vnl_clocksync_summary x;
	int64_t diff_ns;
};

static struct ptp_check ptp_compare(const struct leg *l, const struct vnl_leg_result *res)
{
	struct ptp_check k = { 0 };
	if (!l->xcs)
		return k;
	vnl_clocksync_summary(l->xcs, &k.x);
	k.have_x = k.x.samples > 0;
	k.diff_ns = res->cs.offset_ns - k.x.offset_ns;
	k.agree = k.have_x && llabs(k.diff_ns) <= res->uncertainty_ns + k.x.uncertainty_ns;
	return k;
}

static json_t *ptp_json(const struct run *r, const struct leg *l, const struct ptp_check *k)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:o, s:o}", "grandmaster", r->ptp.grandmaster,
			 "readings", (json_int_t)l->ptp_readings, "failed_readings",
			 (json_int_t)l->ptp_failed, "why", r->ptp.why,
			 "exchanges", !k->have_x ? json_null() : json_pack("{s:I, s:I, s:I, s:I}",
				"offset_ns", (json_int_t)k->x.offset_ns, "uncertainty_ns",
				(json_int_t)k->x.uncertainty_ns, "samples", (json_int_t)k->x.samples,
				"min_delay_ns", (json_int_t)k->x.min_delay_ns),
			 "agree", !k->have_x ? json_null() : json_boolean(k->agree));
}

static void ptp_text(FILE *out, const struct ptp_check *k)
{
	char d[32], u[32], o[32];
	if (!k->have_x) {
		fprintf(out, "clock: no UDP exchange succeeded beside ptp: nothing to compare\n");
		return;
	}
	fprintf(out, "clock: UDP exchanges say remote - local = %s ± %s: %s ptp by %s%s\n",
		vnl_fmt_ns(k->x.offset_ns, o, sizeof(o)), vnl_fmt_ns(k->x.uncertainty_ns, u, sizeof(u)),
		k->agree ? "agrees with" : "DISAGREES with", vnl_fmt_ns(llabs(k->diff_ns), d, sizeof(d)),
		k->agree ? "" : " (beyond both bounds: is phc2sys running on both hosts, and does "
			       "each ptp4l stamp the interface the probes use?)");
}

static void ptp_warn(const struct leg *l, const struct ptp_check *k)
{
	char d[32];
	vnl_fmt_ns(llabs(k->diff_ns), d, sizeof(d));
	if (k->have_x && !k->agree)
		vnl_err("direction %s: ptp4l and the UDP exchanges disagree on the other host's clock "
			"by %s, beyond both bounds: the one-way figures rest on ptp; check phc2sys "
			"and 'vnetlat run --remote ... --check'", l->name, d);
}

/* The measured direction's record analysed and printed (or added to the JSON); 0 or -1. */
static int leg_report(struct run *r, const struct leg *l)
{
	struct vnl_leg v = leg_view(l);
	v.deadline_ns = r->o->deadline_ns;
	struct vnl_leg_ctx c = leg_ctx(r);
	struct vnl_leg_result res;
	if (vnl_leg_analyse(&v, l->rec, l->obs, WORST_N, &res))
		return -1;
	struct vnl_counts n;
	vnl_analysis_counts(res.a, &n);
	if (!n.received) {
		no_probe_arrived(r, l);
		r->failed = true;
	} else if (l->csum_known && l->csum_after > l->csum_before) {
		vnl_err("direction %s: the receiver counted %" PRIu64 " UDP checksum errors "
			"while the stream ran: %s", l->name, l->csum_after - l->csum_before,
			CSUM_HINT);
	}
	struct vnl_trace_tally tally;
	bool tallied = l->trace && n.received &&
		       vnl_traceout_tally(l->rec, vnl_stats_percentile(vnl_analysis_stage(
						      res.a, VNL_STAGE_ONE_WAY), 0.999),
					  l->trace, &tally) == 0;
	if (r->o->json) {
		json_t *doc = vnl_leg_json(&c, &v, &res);
		if (l->trace)
			vnl_traceout_json(doc, res.a, l->trace);
		if (tallied)
			json_object_set_new(json_object_get(doc, "trace"), "above_p999",
					    vnl_traceout_tally_json(&tally));
		if (l->xcs) {
			struct ptp_check k = ptp_compare(l, &res);
			json_object_set_new(json_object_get(doc, "clock"), "ptp", ptp_json(r, l, &k));
			ptp_warn(l, &k);
		}
		json_object_set_new(r->dirs, l->name, doc);
	} else {
		vnl_leg_text(stdout, &c, &v, &res);
		if (l->xcs) {
			struct ptp_check k = ptp_compare(l, &res);
			ptp_text(stdout, &k);
			ptp_warn(l, &k);
		}
		if (l->trace)
			vnl_traceout_text(stdout, res.a, l->trace, WORST_N);
		if (tallied)
			vnl_traceout_tally_text(stdout, &tally);
	}
	if (r->o->metrics_file && r->nmet < 2) { /* kept for the end's file */
		r->met_info[r->nmet] = metrics_info(r, l->name);
		r->met[r->nmet++] = res;
	} else {
		vnl_leg_result_free(&res);
	}
	return 0;
}

static int leg_run(struct run *r, const char *name)
{
	bool in = !strcmp(name, "in");
	struct end remote = { "remote", false, r->rh != NULL, &r->li.remote };
	struct end local = { "local", r->li.has_guest, false, &r->li.local };
	struct leg l = { .name = name, .transport = r->o->ipv6 ? "udp6" : "udp4",
			 .tx = in ? remote : local, .rx = in ? local : remote };
	if (r->li.qbv.cycle_ns && !in)
		l.qbv = &r->li.qbv;
	else if (r->li.qbv.cycle_ns)
		l.qbv_refused = r->li.qbv_in_refused[0] ? r->li.qbv_in_refused
							: "the lab's window is on the guest's eth0 only";
	/* away from this host: in the guest's /tmp, or the other host's private directory */
	const char *far = r->rh ? vnl_remotehost_dir(r->rh) : GUEST_TMP;
	vnl_pathf(l.rec, sizeof(l.rec), "%s/%s.rec", r->dir, name);
	snprintf(l.guest_rec, sizeof(l.guest_rec), "%s/vnetlat-run-%s.rec", far, name);
	vnl_pathf(l.status, sizeof(l.status), "%s/%s.status", r->dir, name);
	snprintf(l.guest_status, sizeof(l.guest_status), "%s/vnetlat-run-%s.status", far, name);
	static const char *const role[2] = { "send", "recv" };
	for (int i = 0; i < 2; i++) {
		vnl_pathf(l.rt_file[i], sizeof(l.rt_file[i]), "%s/%s.%s.rt", r->dir, name, role[i]);
		snprintf(l.guest_rt[i], sizeof(l.guest_rt[i]), "%s/vnetlat-run-%s.%s.rt", far,
			 name, role[i]);
	}
	if (((r->li.has_guest || r->rh) && !(l.cs = vnl_clocksync_new())) ||
	    (r->clock.method == VNL_CLOCK_PTP && !(l.xcs = vnl_clocksync_new()))) {
		vnl_errno("out of memory");
		return -1;
	}
	int rc = leg_measure(r, &l);
	struct stat st;
	if (rc == 0 && stat(l.rec, &st) < 0)
		rc = -1, vnl_err("direction %s: the receiver wrote no record (%s)", name, l.rec);
	else if (rc == 0 && st.st_size == 0) /* a receiver stopped before any probe came */
		rc = -1, no_probe_arrived(r, &l);
	else if (rc == 0)
		rc = leg_report(r, &l);
	if (l.receiver_late) {
		vnl_err("direction %s: the receiver had not ended %lld s after the stream's expected "
			"end: the stream's end (its FIN) never reached it, so probes after the last it "
			"saw are missing from its counts (sent, lost); what it received is reported as "
			"interrupted and the direction failed (a starved guest or a lossy path: see "
			"'vnetlat lab doctor')", name, (long long)(END_MARGIN_NS / VNL_NSEC_PER_SEC));
		rc = -1;
	}
	vnl_hopobs_free(l.obs);
	vnl_schedtrace_free(l.trace);
	vnl_clocksync_free(l.cs);
	vnl_clocksync_free(l.xcs);
	char guest_tmp[sizeof(l.guest_status) + 8];
	snprintf(guest_tmp, sizeof(guest_tmp), "%s.tmp", l.guest_status);
	if (want_status(r) && l.rx.guest)
		guest_remove(r, l.guest_status, guest_tmp);
	else if (want_status(r))
		vnl_status_remove(l.status);
	return rc;
}

/* ---------------------------------------------------------------- the run */

static int connect_guest(struct run *r)
{
	if (!r->li.has_guest)
		return 0;
	r->agent = vnl_agent_connect(r->li.agent_path, 5000);
	if (!r->agent || vnl_agent_wait_ready(r->agent, 10000, NULL)) {
		vnl_errno("cannot reach the guest of lab %s through %s (is its qemu running? "
			  "see 'vnetlat lab show')", r->li.name, r->li.agent_path);
		return -1;
	}
	return 0;
}

/*
 * The highest CPU number of the guest ("0-N" in its cpu/possible), or -1 when
 * it cannot be read: then the guest's own send/recv says what is wrong.
 */
static long guest_last_cpu(struct run *r)
{
	const char *const argv[] = { "cat", "/sys/devices/system/cpu/possible", NULL };
	struct vnl_agent_result res;
	const char *why;
	long last = -1;
	if (vnl_agent_run(r->agent, argv, NULL, 2000, &res, &why))
		return -1;
	if (res.exited && res.status == 0 && res.out) {
		const char *dash = strrchr(res.out, '-');
		last = strtol(dash ? dash + 1 : res.out, NULL, 10);
	}
	vnl_agent_result_free(&res);
	return last;
}

/* A --cpu that an end does not have is refused before anything runs. */
static int check_cpu(const char *opt, const char *value, long last, const char *where)
{
	if (!value || last < 0 || strtol(value, NULL, 10) <= last)
		return 0;
	vnl_err("%s %s: %s has CPUs 0..%ld; give one of those", opt, value, where, last);
	return -1;
}

static int check_cpus(struct run *r)
{
	const struct vnl_run_opts *o = r->o;
	long host_last = sysconf(_SC_NPROCESSORS_CONF) - 1;
	long local_last = r->li.has_guest ? guest_last_cpu(r) : host_last;
	const char *remote_opt = o->remote_cpu ? "--remote-cpu" : "--cpu";
	if (check_cpu("--cpu", o->cpu, local_last, r->li.has_guest ? "the guest" : "this machine"))
		return -1;
	return check_cpu(remote_opt, o->remote_cpu ? o->remote_cpu : o->cpu, host_last,
			 "this machine (the remote end)");
}

static int make_dir(struct run *r)
{
	if (r->o->record_dir) {
		if (mkdir(r->o->record_dir, 0755) && errno != EEXIST) {
			vnl_errno("cannot create the record directory %s", r->o->record_dir);
			return -1;
		}
		snprintf(r->dir, sizeof(r->dir), "%s", r->o->record_dir);
		return 0;
	}
	/* $TMPDIR, as mktemp(1) has it, so that a test (or a user) keeps run's files apart */
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(r->dir, sizeof(r->dir), "%s/vnetlat-run.XXXXXX", tmp) >= (int)sizeof(r->dir)) {
		vnl_err("TMPDIR is too long (%s); set it to a shorter directory", tmp);
		return -1;
	}
	if (!mkdtemp(r->dir)) {
		vnl_errno("cannot create a temporary directory in %s (TMPDIR)", tmp);
		return -1;
	}
	r->tmpdir = true;
	return 0;
}

static void remove_tmpdir(struct run *r)
{
	if (!r->tmpdir)
		return;
	char path[PATH_MAX + 16];
	/* the records, and as the guest took them when its clock was corrected (*.raw.rec) */
	static const char *const names[] = { "in.rec", "out.rec", "in.raw.rec", "out.raw.rec" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		vnl_pathf(path, sizeof(path), "%s/%s", r->dir, names[i]);
		unlink(path);
	}
	rmdir(r->dir);
}

/* A guest's qemu threads as the kernel has them now: the pinning and priorities applied. */
static json_t *qemu_threads_json(const struct vnl_lab_info *li)
{
	char pidf[300], line[32];
	const char *slash = strrchr(li->agent_path, '/');
	if (!li->has_guest || !slash)
		return json_null();
	/* qemu writes its pid beside the agent socket, in the lab's run directory */
	vnl_pathf(pidf, sizeof(pidf), "%.*s/qemu.pid", (int)(slash - li->agent_path), li->agent_path);
	vnl_read_line(pidf, line, sizeof(line));
	struct vnl_qemu_thread th[256];
	int n = atoi(line) > 0 ? vnl_qemu_threads((pid_t)atoi(line), th, 256) : -1;
	if (n < 0)
		return json_null();
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		cpu_set_t set;
		struct sched_param sp = { 0 };
		char cpus[128];
		int policy = sched_getscheduler(th[i].tid);
		if (policy < 0 || sched_getaffinity(th[i].tid, sizeof(set), &set) < 0 ||
		    sched_getparam(th[i].tid, &sp) < 0)
			continue; /* the thread ended */
		vnl_cpuset_format(&set, cpus, sizeof(cpus));
		json_array_append_new(a, json_pack("{s:i, s:s, s:o, s:s, s:s, s:i}", "tid", (int)th[i].tid,
			"name", th[i].comm, "vcpu", th[i].vcpu >= 0 ? json_integer(th[i].vcpu) : json_null(),
			"cpus", cpus, "policy", vnl_rt_policy_name(policy), "priority", sp.sched_priority));
	}
	return a;
}

static json_t *lab_json(const struct vnl_lab_info *li)
{
	json_t *doc = json_pack("{s:s, s:s, s:b, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o}", "name", li->name,
			 "topology", li->topology, "has_guest", li->has_guest,
			 "host_netns", li->host_netns[0] ? li->host_netns : NULL,
			 "uplink_if", li->uplink_if[0] ? li->uplink_if : NULL,
			 "backend_if", li->backend_if[0] ? li->backend_if : NULL,
			 "guest_arch", li->guest_arch[0] ? li->guest_arch : NULL,
			 "accel", li->accel[0] ? li->accel : NULL,
			 "vhost", li->vhost[0] ? li->vhost : NULL,
			 /* the stream's 802.1Q id (lab up --vlan), null: untagged */
			 "vlan", li->vlan ? json_integer(li->vlan) : json_null());
	if (doc)
		json_object_set_new(doc, "qemu_threads", qemu_threads_json(li));
	if (doc)
		json_object_set_new(doc, "vhost_user", li->vhost_user.socket[0] ? json_pack(
			"{s:s, s:s, s:s?}", "socket", li->vhost_user.socket, "memory",
			li->vhost_user.memory, "pmd_cpus",
			li->vhost_user.pmd_cpus[0] ? li->vhost_user.pmd_cpus : NULL) : json_null());
	return doc;
}

/* --remote-netns NS --remote-addr ADDR: the remote end replaces the lab's (if it had one). */
static int remote_given(struct run *r)
{
	if (vnl_labinfo_set_remote(&r->li, r->o->remote_netns, r->o->remote_addr) < 0) {
		vnl_err("--remote-addr %s is not an IPv4 or IPv6 address", r->o->remote_addr);
		return -1;
	}
	if (!vnl_netns_exists(r->o->remote_netns)) {
		vnl_err("--remote-netns %s: there is no such network namespace ('ip netns list')",
			r->o->remote_netns);
		return -1;
	}
	return 0;
}

/* A lab whose remote end is on the user's network: how to measure it anyway. */
static void no_remote(const struct run *r)
{
	const struct vnl_lab_info *li = &r->li;
	const char *guest = r->o->ipv6 ? li->local.addr6 : li->local.addr4;
	vnl_err("lab %s has no remote end of its own: its guest (%s) is on your network, behind %s. "
		"Give run a namespace of this machine on that network and its address "
		"('--remote-netns NS --remote-addr ADDR'), or measure by hand: in the guest (it ends "
		"at the stream's end, or after 60 s),\n"
		"  vnetlat lab exec guest --name %s -- vnetlat recv --port %u\n"
		"and meanwhile, on a host of that network,\n"
		"  vnetlat send %s --port %u --interval %s --count %s",
		li->name, guest[0] ? guest : "address unknown",
		li->uplink_if[0] ? "the lent uplink" : "its passed-through device", li->name,
		r->o->port, guest[0] ? guest : "GUEST_ADDR", r->o->port,
		r->o->interval ? r->o->interval : "1ms", r->o->count ? r->o->count : "1000");
}

static int load_lab(struct run *r)
{
	int rc = vnl_labinfo_load(VNL_LABINFO_DIR, r->o->lab, &r->li);
	if (rc == -ENOENT) {
		vnl_err("no lab %s (no %s/%s.info); create one with 'vnetlat lab up veth --name %s'",
			r->o->lab, VNL_LABINFO_DIR, r->o->lab, r->o->lab);
		return -1;
	}
	if (rc) {
		vnl_err("the info file of lab %s (%s/%s.info) is damaged; recreate the lab",
			r->o->lab, VNL_LABINFO_DIR, r->o->lab);
		return -1;
	}
	if (r->o->remote_netns && remote_given(r) < 0)
		return -1;
	if (!r->li.remote.netns[0]) {
		no_remote(r);
		return -1;
	}
	const char *need = r->o->ipv6 ? r->li.local.addr6 : r->li.local.addr4;
	const char *need2 = r->o->ipv6 ? r->li.remote.addr6 : r->li.remote.addr4;
	if (!need[0] || !need2[0]) {
		vnl_err("lab %s has no %s addresses on both ends; use --transport %s", r->o->lab,
			r->o->ipv6 ? "IPv6" : "IPv4", r->o->ipv6 ? "udp4" : "udp6");
		return -1;
	}
	return 0;
}

/* Is A an address of the transport's family? Into EP's addr4 or addr6. */
static int set_addr(struct vnl_lab_endpoint *ep, const char *a, bool ipv6)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(ipv6 ? AF_INET6 : AF_INET, a, buf) != 1)
		return -1;
	vnl_pathf(ipv6 ? ep->addr6 : ep->addr4, ipv6 ? sizeof(ep->addr6) : sizeof(ep->addr4), "%s", a);
	return 0;
}

/* This host's address towards the other's: the source of the route to it. */
static int route_source(const char *to, bool ipv6, uint16_t port, char *buf, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (ipv6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, to, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, to, &s4->sin_addr);
	}
	int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int rc = connect(fd, (struct sockaddr *)&ss, sl) || getsockname(fd, (struct sockaddr *)&ss, &sl);
	close(fd);
	if (rc)
		return -1;
	const void *a = ipv6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
			     : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	return inet_ntop(ipv6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len) ? 0 : -1;
}

/*
 * --remote ssh://: the two ends' addresses (before anything is started), as the
 * lab info a lab would give. 0, or -1 after saying why.
 */
static int two_hosts_addresses(struct run *r)
{
	const struct vnl_run_opts *o = r->o;
	struct vnl_ssh_url u;
	const char *why, *fam = o->ipv6 ? "IPv6 (--transport udp6)" : "IPv4 (--transport udp4)";
	vnl_ssh_url_parse(o->remote_url, &u, &why); /* checked by the command */
	snprintf(r->li.topology, sizeof(r->li.topology), "%s", VNL_LEG_TWO_HOSTS);
	const char *ra = o->remote_addr ? o->remote_addr : u.host;
	if (set_addr(&r->li.remote, ra, o->ipv6)) {
		if (o->remote_addr)
			vnl_err("--remote-addr %s is not an %s address", ra, fam);
		else
			vnl_err("--remote %s: the host '%s' is not an %s address; give its address on "
				"the test network with --remote-addr ADDR", o->remote_url, u.host, fam);
		return -1;
	}
	char la[64];
	if (o->local_addr)
		snprintf(la, sizeof(la), "%s", o->local_addr);
	else if (route_source(ra, o->ipv6, o->port, la, sizeof(la))) {
		vnl_errno("no route to %s from here; give this host's address with --local-addr", ra);
		return -1;
	}
	if (set_addr(&r->li.local, la, o->ipv6)) {
		vnl_err("--local-addr %s is not an %s address", la, fam);
		return -1;
	}
	r->li.untagged_remote = r->li.remote;
	r->li.untagged_local = r->li.local;
	return 0;
}

/* Connected, the remote vnetlat ready and its clock answerer listening. 0 or -1. */
static int two_hosts_connect(struct run *r)
{
	r->rh = vnl_remotehost_open(r->o->remote_url, r->o->ssh_options, r->o->nssh_options);
	if (!r->rh)
		return -1;
	vnl_pathf(r->remote_name, sizeof(r->remote_name), "%s", vnl_remotehost_name(r->rh));
	snprintf(remote_name, sizeof(remote_name), "%s", r->remote_name);
	const char *ra = r->o->ipv6 ? r->li.remote.addr6 : r->li.remote.addr4;
	const char *la = r->o->ipv6 ? r->li.local.addr6 : r->li.local.addr4;
	vnl_hostcheck_local_ifname(la, r->local_if, sizeof(r->local_if));
	vnl_remotehost_ifname(r->rh, ra, r->remote_if, sizeof(r->remote_if));
	if (vnl_remotehost_clock_start(r->rh, ra, VNL_CLOCK_DEFAULT_PORT))
		return -1;
	return choose_two_hosts_clock(r);
}

static int run_prepare(struct run *r)
{
	if (r->o->remote_url)
		return two_hosts_addresses(r) || read_clock_error() ? -1 : 0;
	if (load_lab(r) || read_clock_error())
		return -1;
	if (geteuid() != 0) {
		vnl_err("running in the lab's namespaces needs root; run as root (sudo)");
		return -1;
	}
	return 0;
}

/* --check: both hosts' clock status, side by side; nothing measured. */
static int two_hosts_check(struct run *r)
{
	r->rh = vnl_remotehost_open(r->o->remote_url, r->o->ssh_options, r->o->nssh_options);
	if (!r->rh)
		return VNL_EXIT_FAIL;
	struct vnl_hostcheck_opts c = {
		.self = r->o->self, .json = r->o->json, .ptp_uds = r->o->ptp_uds,
		.remote_ptp_uds = r->o->remote_ptp_uds,
		.local_addr = r->o->ipv6 ? r->li.local.addr6 : r->li.local.addr4,
		.remote_addr = r->o->ipv6 ? r->li.remote.addr6 : r->li.remote.addr4,
	};
	int rc = vnl_hostcheck(r->rh, &c);
	vnl_remotehost_close(r->rh);
	return rc;
}

int vnl_run(const struct vnl_run_opts *o)
{
	struct run r = { .o = o };
	if (run_prepare(&r))
		return VNL_EXIT_USAGE;
	if (o->check)
		return two_hosts_check(&r);
	if (o->status_file && vnl_status_start_file(o->status_file))
		return VNL_EXIT_USAGE;
	/* an unwritable --metrics fails now, not after the stream */
	if (o->metrics_file && vnl_metrics_write_live_file(o->metrics_file, NULL, NULL, 0))
		return VNL_EXIT_USAGE;
	if (connect_guest(&r)) {
		vnl_agent_close(r.agent);
		return VNL_EXIT_FAIL;
	}
	if (!o->remote_url && check_cpus(&r)) {
		vnl_agent_close(r.agent);
		return VNL_EXIT_USAGE;
	}
	if (make_dir(&r)) {
		vnl_agent_close(r.agent);
		return VNL_EXIT_FAIL;
	}
	if (o->remote_url && two_hosts_connect(&r)) {
		vnl_remotehost_close(r.rh);
		remove_tmpdir(&r);
		return VNL_EXIT_FAIL;
	}
	choose_clock(&r);
	struct sigaction sa = { .sa_handler = on_stop }, old_int, old_term;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	r.doc = json_object();
	r.dirs = json_object();
	int rc = 0;
	static const char *const names[] = { "in", "out" };
	unsigned measured = 0;
	for (int d = 0; d < 2 && !stop_asked; d++) {
		if (!(o->directions & (1u << d)))
			continue;
		measured |= 1u << d;
		if (leg_run(&r, names[d]))
			rc = -1;
	}
	/* Stopped: what was measured is still printed, but the run did not do what was asked. */
	for (int d = 0; d < 2 && stop_asked; d++)
		if ((o->directions & (1u << d)) && !(measured & (1u << d)))
			vnl_err("interrupted before direction %s: it was not measured; the report "
				"covers only the direction(s) before it", names[d]);
	if (stop_asked) {
		vnl_err("the run was interrupted: exit status 1 (the figures printed cover what was "
			"measured before the stop)");
		rc = -1;
	}
	if (final_metrics(&r))
		rc = -1;
	if (o->json) {
		json_t *tool = json_pack("{s:s, s:i}", "version", VNL_VERSION, "schema", 1);
		json_object_set_new(r.doc, "vnetlat", tool);
		json_object_set_new(r.doc, "lab", lab_json(&r.li));
		if (r.rh)
			json_object_set_new(r.doc, "remote", vnl_remotehost_json(r.rh));
		json_object_set_new(r.doc, "directions", r.dirs);
		vnl_output_json_dump(stdout, r.doc);
	} else {
		json_decref(r.dirs);
	}
	json_decref(r.doc);
	if (!r.tmpdir && !o->quiet)
		vnl_notice("record files are in %s (in.rec, out.rec: 'vnetlat report FILE')", r.dir);
	remove_tmpdir(&r);
	vnl_agent_close(r.agent);
	vnl_remotehost_close(r.rh);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc || r.failed ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}
