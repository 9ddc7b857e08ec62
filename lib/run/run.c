/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "analysis.h"
#include "child.h"
#include "clockmethod.h"
#include "clocksync.h"
#include "hopobs.h"
#include "labinfo.h"
#include "log.h"
#include "netns.h"
#include "output.h"
#include "parse.h"
#include "pkt.h"
#include "record.h"
#include "runcmd.h"
#include "safefile.h"
#include "snmp.h"
#include "stats.h"
#include "status.h"
#include "timeutil.h"

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
/* Guest files come back in pieces whose base64 fits the agent's output limit. */
#define FETCH_CHUNK (512u * 1024)
#define FETCH_CHUNK_TEXT "524288"
_Static_assert(FETCH_CHUNK / 3 * 4 + FETCH_CHUNK / 57 + 8 < VNL_AGENT_MAX_OUTPUT, "chunk too big");

enum hop { HOP_WIRE, HOP_HOST, HOP_GUEST, HOP__COUNT };
static const char *const hop_names[HOP__COUNT] = { "wire", "host", "guest" };

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* One end of a direction: a namespace, or the guest. */
struct end {
	const char *role;  /* "remote" / "local" */
	bool guest;
	const struct vnl_lab_endpoint *ep;
};

/* A program at one end: a child process, or a job in the guest. */
struct prog {
	bool guest;
	struct vnl_child *child; /* on the host, until it has ended */
	pid_t pid;
	uint64_t job;
	bool done;
	int status;        /* exit status, 128+signal, -1 unknown */
	bool timed_out;    /* did not end in time: interrupted */
};

struct run {
	const struct vnl_run_opts *o;
	struct vnl_lab_info li;
	struct vnl_agent *agent;
	char dir[PATH_MAX];
	bool tmpdir;
	json_t *doc, *dirs;
	bool failed;
	struct vnl_clock_choice clock;  /* how the guest's clock is related to the host's */
	char phc_device[64], phc_ioctl[16];
	uint64_t phc_failures;          /* ptp_kvm requests that failed after it was chosen */
	bool status_failed;        /* --status-file could not be written (said once) */
};

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
	struct vnl_clocksync *cs;
	bool cs_ok;
	bool interrupted;
	bool receiver_late;        /* the receiver had not ended END_MARGIN_NS after the stream */
	/* the receiving end's UDP checksum errors before and after the stream */
	bool csum_known;
	uint64_t csum_before, csum_after;
};

/* ---------------------------------------------------------------- starting programs */

static int spawn_in_netns(const struct run *r, const char *ns, char *const argv[],
			  struct prog *p)
{
	struct vnl_child_opts o = {
		.exe = r->o->self,
		.netns = ns,
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
	p->status = -1;
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
	}
	return p->done;
}

static void prog_interrupt(struct run *r, struct prog *p)
{
	if (p->done)
		return;
	if (p->guest)
		vnl_agent_signal(r->agent, p->job, SIGINT);
	else
		vnl_child_signal(p->child, SIGINT);
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
			vnl_child_signal(p->child, SIGINT);
			vnl_child_wait(p->child, VNL_NSEC_PER_SEC);
			if (!prog_poll(p)) {
				/* killed: its status stays unknown (-1) */
				vnl_child_stop(p->child, SIGKILL, -1);
				vnl_child_free(p->child);
				p->child = NULL;
				p->done = true;
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
		if (p->guest ? guest_listening(r, r->o->port) : host_listening(p->pid, r->o->port))
			return 0;
		if (prog_poll(p))
			break;
		usleep(p->guest ? 100000 : 5000);
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

static void clock_samples(struct run *r, struct leg *l, int n)
{
	if (!l->cs)
		return;
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
static void choose_clock(struct run *r)
{
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

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 text in place (whitespace skipped, '=' ends); returns the byte count. */
static size_t b64_decode(char *text, size_t len)
{
	size_t out = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len && text[i] != '='; i++) {
		int v = b64_value((unsigned char)text[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			text[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	return out;
}

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
		*got = b64_decode(res.out, res.out_len);
		rc = fwrite(res.out, 1, *got, to) == *got ? 0 : -1;
		if (rc)
			vnl_errno("cannot write the guest's record file");
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

/* ---------------------------------------------------------------- analysis */

/* The results of one direction, ready to present. */
struct result {
	struct vnl_analysis *a;
	struct vnl_stats *hop[HOP__COUNT];
	struct vnl_run_info info;
	struct vnl_clocksync_summary cs;
	bool estimated;            /* guest clock corrected by an estimate */
	char local[160], peer[160], stamping[64], damage[160];
};

/* Stamps taken by the program running in the guest, moved onto the host clock. */
static void correct_guest_side(const struct leg *l, struct vnl_pkt *p)
{
	if (!l->cs_ok)
		return;
	if (l->tx.guest) {
		p->sched = vnl_clocksync_to_host(l->cs, p->sched);
		p->app_tx_sched = vnl_clocksync_to_host(l->cs, p->app_tx_sched);
		p->app_tx = vnl_clocksync_to_host(l->cs, p->app_tx);
		p->tx_sched = vnl_clocksync_to_host(l->cs, p->tx_sched);
		p->tx_sw = vnl_clocksync_to_host(l->cs, p->tx_sw);
	}
	if (l->rx.guest) {
		p->rx_sw = vnl_clocksync_to_host(l->cs, p->rx_sw);
		p->app_rx = vnl_clocksync_to_host(l->cs, p->app_rx);
	}
}

static void add_hop(struct vnl_stats *st, int64_t from, int64_t to)
{
	if (from && to)
		vnl_stats_add(st, to - from);
}

/*
 * The back-end port's stamp: a tap sends the guest's frames (out) and
 * receives its frames (in); a macvtap is the other way round (frames for the
 * guest arrive on it from its lower device, the guest's leave through it).
 * A frame passes the port once, so whichever direction it was seen in.
 */
static int64_t backend_stamp(const struct vnl_hop_stamps *h, enum vnl_hop_dir tap_dir)
{
	int64_t t = h->t[VNL_HOP_BACKEND][tap_dir];
	return t ? t : h->t[VNL_HOP_BACKEND][tap_dir == VNL_HOP_IN ? VNL_HOP_OUT : VNL_HOP_IN];
}

/*
 * in:  remote kernel TX -> uplink (in) = wire, uplink -> tap (out) = host,
 *      tap -> guest kernel RX = guest;  out: the same points in reverse.
 */
static void add_hops(const struct leg *l, struct result *res, const struct vnl_pkt *p)
{
	struct vnl_hop_stamps h;
	if (!l->obs || (p->flags & VNL_PKT_F_DUPLICATE) || !vnl_hopobs_get(l->obs, p->seq, &h))
		return;
	int64_t ktx = p->tx_sw ? p->tx_sw : p->tx_sched, krx = p->rx_sw;
	if (!strcmp(l->name, "in")) {
		int64_t up = h.t[VNL_HOP_UPLINK][VNL_HOP_IN], be = backend_stamp(&h, VNL_HOP_OUT);
		add_hop(res->hop[HOP_WIRE], ktx, up);
		add_hop(res->hop[HOP_HOST], up, be);
		add_hop(res->hop[HOP_GUEST], be, krx);
	} else {
		int64_t be = backend_stamp(&h, VNL_HOP_IN), up = h.t[VNL_HOP_UPLINK][VNL_HOP_OUT];
		add_hop(res->hop[HOP_GUEST], ktx, be);
		add_hop(res->hop[HOP_HOST], be, up);
		add_hop(res->hop[HOP_WIRE], up, krx);
	}
}

static void endpoint_text(const struct end *e, bool ipv6, char *buf, size_t len)
{
	snprintf(buf, len, "%s (%s)", e->guest ? "guest" : e->ep->netns,
		 ipv6 ? e->ep->addr6 : e->ep->addr4);
}

/*
 * When a guest's stamps were moved onto the host clock, the record kept is
 * the corrected one (so `report FILE` and a study's report show what `run`
 * showed); the guest's own is kept beside it as NAME.raw.rec.
 */
static struct vnl_record_writer *corrected_record(const struct leg *l, const char *raw,
						  const struct vnl_record_meta *m)
{
	char err[256];
	struct vnl_record_meta cm = *m;
	snprintf(cm.clock_sync, sizeof(cm.clock_sync), "estimated");
	struct vnl_record_writer *w = vnl_record_create(l->rec, &cm, err, sizeof(err));
	if (!w) {
		vnl_err("%s; the guest-clock record stays in %s", err, raw);
		rename(raw, l->rec);
	}
	return w;
}

static int analyse(struct leg *l, struct result *res)
{
	char err[256], raw[PATH_MAX + 8];
	bool correct = l->cs_ok && (l->tx.guest || l->rx.guest);
	const char *path = l->rec;
	if (correct) {
		snprintf(raw, sizeof(raw), "%.*s.raw.rec", (int)(strlen(l->rec) - 4), l->rec);
		if (rename(l->rec, raw) == 0)
			path = raw;
		else
			correct = false;
	}
	struct vnl_record_reader *rd = vnl_record_open(path, err, sizeof(err));
	if (!rd) {
		vnl_err("%s", err);
		return -1;
	}
	struct vnl_record_writer *w = correct ? corrected_record(l, raw, vnl_record_reader_meta(rd)) : NULL;
	struct vnl_analysis_opts ao = { .worst_n = WORST_N };
	res->a = vnl_analysis_new(&ao);
	for (int h = 0; h < HOP__COUNT; h++)
		res->hop[h] = vnl_stats_new();
	const struct vnl_pkt *batch;
	size_t n;
	bool hw = false;
	while ((batch = vnl_record_next(rd, &n))) {
		for (size_t i = 0; i < n; i++) {
			struct vnl_pkt p = batch[i];
			correct_guest_side(l, &p);
			if (w)
				vnl_record_append(w, &p);
			add_hops(l, res, &p);
			vnl_analysis_add(res->a, &p);
			hw |= p.tx_hw || p.rx_hw;
		}
	}
	const struct vnl_record_meta *m = vnl_record_reader_meta(rd);
	struct vnl_record_summary sum = { 0 };
	bool whole = vnl_record_reader_summary(rd, &sum);
	if (w && vnl_record_finish(w, &sum) < 0)
		vnl_err("could not finish the corrected record %s", l->rec);
	struct vnl_stream_extra x = { .sent = sum.sent, .foreign = sum.foreign,
				      .malformed = sum.malformed };
	vnl_analysis_set_extra(res->a, &x);
	if (vnl_record_reader_damage(rd))
		snprintf(res->damage, sizeof(res->damage), "%s", vnl_record_reader_damage(rd));
	bool ipv6 = !strcmp(l->transport, "udp6");
	endpoint_text(&l->rx, ipv6, res->local, sizeof(res->local));
	endpoint_text(&l->tx, ipv6, res->peer, sizeof(res->peer));
	snprintf(res->stamping, sizeof(res->stamping), "%s",
		 hw ? "hardware where the NIC has it, else software" : "software (kernel SO_TIMESTAMPING)");
	res->estimated = l->tx.guest || l->rx.guest;
	if (l->cs)
		vnl_clocksync_summary(l->cs, &res->cs);
	res->info = (struct vnl_run_info){
		.role = "run",
		.transport = l->transport,
		.local = res->local,
		.peer = res->peer,
		.sched_clock = "realtime",
		.clock_sync = res->estimated ? "estimated" : "same-host",
		.stamping = res->stamping,
		.interval_ns = m->interval_ns,
		.payload_size = m->payload_size,
		.duration_ns = whole && sum.end_ns > m->start_ns ? sum.end_ns - m->start_ns : 0,
		.interrupted = l->interrupted || (whole && sum.interrupted),
		.damage = res->damage[0] ? res->damage : NULL,
	};
	vnl_record_close(rd);
	return 0;
}

static void result_free(struct result *res)
{
	vnl_analysis_free(res->a);
	for (int h = 0; h < HOP__COUNT; h++)
		vnl_stats_free(res->hop[h]);
}

/* ---------------------------------------------------------------- presentation */

/* Which figures subtract a stamp of one clock from a stamp of the other. */
static bool crosses_clocks(const struct leg *l, const char *figure)
{
	if (!(l->tx.guest || l->rx.guest))
		return false;
	return !strcmp(figure, "path") || !strcmp(figure, "one_way") || !strcmp(figure, "guest");
}

static const char *hops_note(const struct run *r)
{
	if (!r->li.host_netns[0])
		return "not applicable: this lab has no VM host between its two ends "
		       "(the ends are joined directly), so there is no wire, host or guest hop";
	return NULL;
}

static json_t *clock_json(const struct run *r, const struct result *res)
{
	const char *method = vnl_clock_method_name(r->clock.method);
	if (!res->estimated)
		return json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "sync", "same-host",
				 "method", method, "why", r->clock.why, "offset_ns", 0,
				 "uncertainty_ns", 0, "samples", 0);
	json_t *phc = r->clock.method != VNL_CLOCK_PTP_KVM ? json_null() :
		json_pack("{s:s, s:s, s:I}", "device", r->phc_device, "ioctl", r->phc_ioctl,
			  "failed_requests", (json_int_t)r->phc_failures);
	return json_pack("{s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "sync", "estimated",
			 "method", method, "why", r->clock.why, "phc", phc,
			 "offset_ns", (json_int_t)res->cs.offset_ns,
			 "uncertainty_ns", (json_int_t)res->cs.uncertainty_ns,
			 "samples", (json_int_t)res->cs.samples,
			 "chosen", (json_int_t)res->cs.chosen,
			 "min_delay_ns", (json_int_t)res->cs.min_delay_ns,
			 "drift_ppb", (json_int_t)res->cs.drift_ppb);
}

static json_t *hops_json(const struct run *r, const struct leg *l, const struct result *res)
{
	json_t *o = json_object();
	const char *note = hops_note(r);
	json_object_set_new(o, "note", note ? json_string(note) : json_null());
	json_object_set_new(o, "uplink_if", r->li.uplink_if[0] ? json_string(r->li.uplink_if)
							       : json_null());
	json_object_set_new(o, "backend_if", r->li.backend_if[0] ? json_string(r->li.backend_if)
								 : json_null());
	json_object_set_new(o, "frames_seen",
			    json_integer(l->obs ? (json_int_t)vnl_hopobs_seen(l->obs) : 0));
	json_t *order = json_array();
	for (int i = 0; i < HOP__COUNT; i++) {
		int h = !strcmp(l->name, "in") ? i : HOP__COUNT - 1 - i;
		json_array_append_new(order, json_string(hop_names[h]));
		json_t *st = note ? json_null() : vnl_output_json_stats(res->hop[h]);
		if (json_is_object(st) && crosses_clocks(l, hop_names[h]))
			json_object_set_new(st, "uncertainty_ns", json_integer(res->cs.uncertainty_ns));
		json_object_set_new(o, hop_names[h], st);
	}
	json_object_set_new(o, "order", order);
	return o;
}

static json_t *leg_json(const struct run *r, const struct leg *l, const struct result *res)
{
	json_t *doc = vnl_output_json(res->a, &res->info);
	json_object_set_new(doc, "direction", json_string(l->name));
	json_t *lat = json_object_get(doc, "latency");
	for (int st = 0; st < VNL_STAGE__COUNT; st++) {
		const char *name = vnl_stage_name(st);
		json_t *o = json_object_get(lat, name);
		json_object_set_new(o, "uncertainty_ns",
				    json_integer(crosses_clocks(l, name) ? res->cs.uncertainty_ns : 0));
	}
	json_object_set_new(doc, "hops", hops_json(r, l, res));
	json_object_set_new(doc, "clock", clock_json(r, res));
	return doc;
}

static void uncertain_line(FILE *out, const char *name, const struct vnl_stats *st,
			   const struct result *res)
{
	char p50[32], p99[32], unc[32];
	struct vnl_summary s;
	vnl_stats_summarize(st, &s);
	if (!s.count)
		return;
	fprintf(out, "  %-8s p50 %s  p99 %s  ± %s (guest clock corrected)\n", name,
		vnl_fmt_ns(s.p50_ns, p50, sizeof(p50)), vnl_fmt_ns(s.p99_ns, p99, sizeof(p99)),
		vnl_fmt_ns(res->cs.uncertainty_ns, unc, sizeof(unc)));
}

static void leg_text(FILE *out, const struct run *r, const struct leg *l, const struct result *res)
{
	fprintf(out, "==== %s: %s %s -> %s %s   lab %s (%s)", l->name, l->tx.role, res->peer,
		l->rx.role, res->local, r->li.name, r->li.topology);
	if (r->li.has_guest)
		fprintf(out, ", %s guest, accel %s, vhost %s", r->li.guest_arch[0] ? r->li.guest_arch : "?",
			r->li.accel, r->li.vhost);
	if (r->li.vlan)
		fprintf(out, ", VLAN %u", r->li.vlan);
	fputs(" ====\n", out);
	vnl_output_text(out, res->a, &res->info);
	const char *note = hops_note(r);
	fputc('\n', out);
	if (note) {
		fprintf(out, "hops: %s.\n", note);
	} else {
		char title[64];
		snprintf(title, sizeof(title), "hops (%s)", l->name);
		vnl_output_text_stats_header(out, title);
		for (int i = 0; i < HOP__COUNT; i++) {
			int h = !strcmp(l->name, "in") ? i : HOP__COUNT - 1 - i;
			vnl_output_text_stats_row(out, hop_names[h], res->hop[h]);
		}
		fprintf(out, "  (observed on %s and %s in %s: %" PRIu64 " frames; wire = kernel TX to "
			"uplink, host = uplink to back-end, guest = back-end to guest kernel RX, "
			"reversed for out)\n", r->li.uplink_if[0] ? r->li.uplink_if : "-",
			r->li.backend_if[0] ? r->li.backend_if : "-", r->li.host_netns,
			l->obs ? vnl_hopobs_seen(l->obs) : 0);
	}
	if (res->estimated) {
		char off[32], unc[32], dly[32], how[160];
		if (r->clock.method == VNL_CLOCK_PTP_KVM)
			snprintf(how, sizeof(how), "read from ptp_kvm (%s, %s ioctl)", r->phc_device,
				 r->phc_ioctl);
		else
			snprintf(how, sizeof(how), "estimated over the control channel");
		fprintf(out, "clock: guest clock %s: guest - host = %s ± %s (%" PRIu64 " %s, %"
			PRIu64 " kept, %s %s, drift %" PRId64 " ppb); guest stamps are moved onto "
			"the host clock:\n", how, vnl_fmt_ns(res->cs.offset_ns, off, sizeof(off)),
			vnl_fmt_ns(res->cs.uncertainty_ns, unc, sizeof(unc)), res->cs.samples,
			r->clock.method == VNL_CLOCK_PTP_KVM ? "readings" : "exchanges",
			res->cs.chosen, r->clock.method == VNL_CLOCK_PTP_KVM ? "narrowest sandwich"
			: "fastest round trip", vnl_fmt_ns(res->cs.min_delay_ns, dly, sizeof(dly)),
			res->cs.drift_ppb);
		uncertain_line(out, "path", vnl_analysis_stage(res->a, VNL_STAGE_PATH), res);
		uncertain_line(out, "one_way", vnl_analysis_stage(res->a, VNL_STAGE_ONE_WAY), res);
		if (!note)
			uncertain_line(out, "guest", res->hop[HOP_GUEST], res);
		fprintf(out, "clock method: %s: %s\n", vnl_clock_method_name(r->clock.method),
			r->clock.why);
	}
	fputc('\n', out);
}

/* ---------------------------------------------------------------- one direction */

#define MAX_ARGS 24

struct args {
	char *v[MAX_ARGS];
	int n;
	char port[8];
	char peer_offset[32];
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

static void recv_args(const struct run *r, const struct leg *l, struct args *a)
{
	snprintf(a->port, sizeof(a->port), "%u", r->o->port);
	arg(a, "vnetlat");
	arg(a, "recv");
	opt(a, "--port", a->port);
	arg(a, "--quiet");
	opt(a, "--record", l->rx.guest ? l->guest_rec : l->rec);
	if (r->o->status_file)
		opt(a, "--status-file", l->rx.guest ? l->guest_status : l->status);
	if (r->o->status_file && l->peer_offset) {
		snprintf(a->peer_offset, sizeof(a->peer_offset), "%lldns", (long long)l->peer_offset_ns);
		opt(a, "--peer-offset", a->peer_offset);
	}
}

static void send_args(const struct run *r, const struct leg *l, struct args *a)
{
	snprintf(a->port, sizeof(a->port), "%u", r->o->port);
	arg(a, "vnetlat");
	arg(a, "send");
	arg(a, r->o->ipv6 ? l->rx.ep->addr6 : l->rx.ep->addr4);
	opt(a, "--port", a->port);
	arg(a, "--quiet");
	opt(a, "--interval", r->o->interval);
	opt(a, "--count", r->o->count);
	opt(a, "--duration", r->o->duration);
	opt(a, "--size", r->o->size);
	opt(a, "--priority", r->o->priority);
}

static int64_t stream_length(const struct vnl_run_opts *o)
{
	return o->duration_ns ? o->duration_ns : (int64_t)o->count_n * o->interval_ns;
}

/* ---------------------------------------------------------------- live status */

/* The receiver's newest status line: its file on the host, or in the guest through the agent. */
static int receiver_status(struct run *r, const struct leg *l, struct vnl_status_line *out)
{
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
	*out = l->rx.guest ? -guest_minus_host : guest_minus_host;
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
	if (!r->o->status_file || receiver_status(r, l, &s))
		return;
	int64_t now;
	if (l->cs && l->peer_offset && peer_offset_now(l, &now))
		s.p99_ns += now - l->peer_offset_ns;
	else if (l->cs)
		s.has_p99 = false;
	snprintf(s.direction, sizeof(s.direction), "%s", l->name);
	if (vnl_status_write(r->o->status_file, &s) && !r->status_failed) {
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
		if (l->cs)
			clock_samples(r, l, r->clock.method == VNL_CLOCK_PTP_KVM ? PHC_SAMPLES : 1);
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
	if (wait_listening(r, &l->recv)) {
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
	if (l->recv.timed_out) /* the stream's end never reached it */
		l->interrupted = l->receiver_late = true;
	relay_status(r, l); /* the receiver's final figures */
	l->csum_known = l->csum_known && csum_errors(r, &l->rx, &l->csum_after);
	if (l->cs)
		clock_samples(r, l, SYNC_BURST);
	vnl_hopobs_stop(l->obs);
	if (send_failed)
		vnl_err("the sender of direction %s failed (exit status %d)", l->name, l->send.status);
	if (l->rx.guest && fetch_guest_file(r, l->guest_rec, l->rec))
		return -1;
	if (l->cs)
		l->cs_ok = vnl_clocksync_finish(l->cs);
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
	endpoint_text(&l->tx, ipv6, from, sizeof(from));
	endpoint_text(&l->rx, ipv6, to, sizeof(to));
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

static int leg_run(struct run *r, const char *name)
{
	bool in = !strcmp(name, "in");
	struct end remote = { "remote", false, &r->li.remote };
	struct end local = { "local", r->li.has_guest, &r->li.local };
	struct leg l = { .name = name, .transport = r->o->ipv6 ? "udp6" : "udp4",
			 .tx = in ? remote : local, .rx = in ? local : remote };
	vnl_pathf(l.rec, sizeof(l.rec), "%s/%s.rec", r->dir, name);
	snprintf(l.guest_rec, sizeof(l.guest_rec), GUEST_TMP "/vnetlat-run-%s.rec", name);
	vnl_pathf(l.status, sizeof(l.status), "%s/%s.status", r->dir, name);
	snprintf(l.guest_status, sizeof(l.guest_status), GUEST_TMP "/vnetlat-run-%s.status", name);
	if (r->li.has_guest && !(l.cs = vnl_clocksync_new())) {
		vnl_errno("out of memory");
		return -1;
	}
	int rc = leg_measure(r, &l);
	struct result res = { .a = NULL };
	struct stat st;
	if (rc == 0 && stat(l.rec, &st) < 0)
		rc = -1, vnl_err("direction %s: the receiver wrote no record (%s)", name, l.rec);
	else if (rc == 0 && st.st_size == 0) /* a receiver stopped before any probe came */
		rc = -1, no_probe_arrived(r, &l);
	else if (rc == 0)
		rc = analyse(&l, &res);
	if (rc == 0) {
		struct vnl_counts c;
		vnl_analysis_counts(res.a, &c);
		if (!c.received) {
			no_probe_arrived(r, &l);
			r->failed = true;
		} else if (l.csum_known && l.csum_after > l.csum_before) {
			vnl_err("direction %s: the receiver counted %" PRIu64 " UDP checksum errors "
				"while the stream ran: %s", name, l.csum_after - l.csum_before,
				CSUM_HINT);
		}
		if (r->o->json)
			json_object_set_new(r->dirs, name, leg_json(r, &l, &res));
		else
			leg_text(stdout, r, &l, &res);
	}
	if (l.receiver_late) {
		vnl_err("direction %s: the receiver had not ended %lld s after the stream's expected "
			"end: the stream's end (its FIN) never reached it, so probes after the last it "
			"saw are missing from its counts (sent, lost); what it received is reported as "
			"interrupted and the direction failed (a starved guest or a lossy path: see "
			"'vnetlat lab doctor')", name, (long long)(END_MARGIN_NS / VNL_NSEC_PER_SEC));
		rc = -1;
	}
	if (res.a)
		result_free(&res);
	vnl_hopobs_free(l.obs);
	vnl_clocksync_free(l.cs);
	char guest_tmp[sizeof(l.guest_status) + 8];
	snprintf(guest_tmp, sizeof(guest_tmp), "%s.tmp", l.guest_status);
	if (r->o->status_file && l.rx.guest)
		guest_remove(r, l.guest_status, guest_tmp);
	else if (r->o->status_file)
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
	snprintf(r->dir, sizeof(r->dir), "/tmp/vnetlat-run.XXXXXX");
	if (!mkdtemp(r->dir)) {
		vnl_errno("cannot create a temporary directory in /tmp");
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
	static const char *const names[] = { "in.rec", "out.rec" };
	for (size_t i = 0; i < 2; i++) {
		vnl_pathf(path, sizeof(path), "%s/%s", r->dir, names[i]);
		unlink(path);
	}
	rmdir(r->dir);
}

static json_t *lab_json(const struct vnl_lab_info *li)
{
	return json_pack("{s:s, s:s, s:b, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o}", "name", li->name,
			 "topology", li->topology, "has_guest", li->has_guest,
			 "host_netns", li->host_netns[0] ? li->host_netns : NULL,
			 "uplink_if", li->uplink_if[0] ? li->uplink_if : NULL,
			 "backend_if", li->backend_if[0] ? li->backend_if : NULL,
			 "guest_arch", li->guest_arch[0] ? li->guest_arch : NULL,
			 "accel", li->accel[0] ? li->accel : NULL,
			 "vhost", li->vhost[0] ? li->vhost : NULL,
			 /* the stream's 802.1Q id (lab up --vlan), null: untagged */
			 "vlan", li->vlan ? json_integer(li->vlan) : json_null());
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

int vnl_run(const struct vnl_run_opts *o)
{
	struct run r = { .o = o };
	if (load_lab(&r))
		return VNL_EXIT_USAGE;
	if (geteuid() != 0) {
		vnl_err("running in the lab's namespaces needs root; run as root (sudo)");
		return VNL_EXIT_USAGE;
	}
	if (o->status_file && vnl_status_start_file(o->status_file))
		return VNL_EXIT_USAGE;
	if (connect_guest(&r) || make_dir(&r)) {
		vnl_agent_close(r.agent);
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
	if (o->json) {
		json_t *tool = json_pack("{s:s, s:i}", "version", VNL_VERSION, "schema", 1);
		json_object_set_new(r.doc, "vnetlat", tool);
		json_object_set_new(r.doc, "lab", lab_json(&r.li));
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
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc || r.failed ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}
