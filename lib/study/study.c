/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "study.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "hostfacts.h"
#include "jobfile.h"
#include "jsonfile.h"
#include "lab.h"
#include "labinfo.h"
#include "labstate.h"
#include "load.h"
#include "log.h"
#include "progress.h"
#include "cpulist.h"
#include "runcmd.h"
#include "safefile.h"
#include "status.h"
#include "reportdir.h"
#include "studyreport.h"
#include "timeutil.h"

#define MAX_ARGS 40
#define STATUS_LEN 16
#define REASON_LEN 240
/* After an interrupt is passed on, how long a child may take to save and exit. */
#define CHILD_GRACE_NS (20 * 1000000000LL)
/*
 * Load clients send this much longer than the probe stream (which starts a
 * moment after them), so the load covers it; the study then waits for them
 * to finish so iperf3's receiver-side figures are complete.
 */
#define LOAD_MARGIN_NS (1 * 1000000000LL)
#define LOAD_WAIT_NS (4 * 1000000000LL)
/* A measuring child's live status (vnetlat run --status-file), beside its records. */
#define LIVE_STATUS "live.status"

static volatile sig_atomic_t stop_asked;
static volatile sig_atomic_t child_pid;      /* the child an interrupt is passed to */

static void on_stop(int sig)
{
	stop_asked = 1;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig == SIGTERM ? SIGTERM : SIGINT);
}

struct rep_state {
	char status[STATUS_LEN];    /* "", "done", "failed", "partial" */
	char reason[REASON_LEN];
	char clock[16];             /* how run related the guest's clock: "ptp_kvm", "agent"... */
	char clock_why[REASON_LEN]; /* ...and why not the other */
	char rt[REASON_LEN];        /* what the ends ran with, as they read it back */
	char shared_memory[128];    /* a vhost-user guest's memory: hugepages or memfd, and why */
	char lab[16];               /* the lab it is measured in while it runs */
};

struct case_state {
	const struct vnl_job_case *c;
	char id[96];                /* directory under cases/ */
	char status[STATUS_LEN];
	char reason[REASON_LEN];
	struct rep_state *reps;
};

struct runner {
	const struct vnl_studyrun_opts *o;
	struct vnl_job *job;
	char dir[PATH_MAX];
	struct vnl_hostfacts host;
	char started[32];
	size_t ncases;
	struct case_state *cases;
	struct vnl_progress *progress;
	bool any_failed;
	char job_fingerprint[32];   /* of the job file's bytes: --resume refuses an edited one */
};

/* ------------------------------------------------------------ small helpers */

/* The last non-empty line of a log file: the child's error message. */
static void last_line(const char *path, char *out, size_t len)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		size_t n = strlen(line);
		if (n && len) {
			n = n < len - 1 ? n : len - 1; /* a long message is cut, not lost */
			memcpy(out, line, n);
			out[n] = '\0';
		}
	}
	fclose(f);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? vnl_file_create_stream(to, true) : NULL;
	int rc = in && out ? 0 : -1;
	char buf[8192];
	size_t n;
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

/* Write a JSON document atomically (temp + rename): an interrupt never leaves half a file. */
static int save_json(const char *path, json_t *doc)
{
	struct vnl_replace *r = vnl_replace_open(path);
	if (r && json_dumpf(doc, vnl_replace_stream(r), JSON_INDENT(2) | JSON_SORT_KEYS)) {
		vnl_replace_abort(r);
		vnl_err("cannot write %s: the document could not be encoded", path);
		return -1;
	}
	if (!r || vnl_replace_commit(r)) {
		vnl_errno("cannot write %s", path);
		return -1;
	}
	return 0;
}

static void fmt_ns(char *buf, size_t len, int64_t ns)
{
	snprintf(buf, len, "%lldns", (long long)ns);
}

/* Case names hold '/', '=' and ','; a directory name keeps letters, digits, . _ - */
static void case_id(char *out, size_t len, size_t index, const char *name)
{
	int n = snprintf(out, len, "%03zu-", index + 1);
	for (const char *p = name; *p && (size_t)n + 1 < len; p++, n++) {
		char ch = *p;
		bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
		out[n] = keep ? ch : '_';
	}
	out[n] = '\0';
}

/* A lab name unique to this process, case and repetition (at most VNL_LAB_NAME_MAX). */
static void lab_name(char *out, size_t len, size_t index, unsigned rep)
{
	snprintf(out, len, "s%04x%03zx%02x", (unsigned)getpid() & 0xffff, index & 0xfff,
		 rep & 0xff);
}

/* ------------------------------------------------------------ children */

struct child {
	char *argv[MAX_ARGS];
	int argc;
	char store[MAX_ARGS][96];
	const char *status_file;    /* its live status, shown as progress; NULL = none */
	const char *live_what;      /* what the figures are of; NULL: the direction running */
};

static void arg(struct child *ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct child *ch, const char *fmt, ...)
{
	if (ch->argc >= MAX_ARGS - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ch->store[ch->argc], sizeof(ch->store[0]), fmt, ap);
	va_end(ap);
	ch->argv[ch->argc] = ch->store[ch->argc];
	ch->argv[++ch->argc] = NULL;
}

/* The child's newest live figures into the progress display. */
static void show_live(struct runner *r, const struct child *ch)
{
	struct vnl_status_line l;
	if (!ch->status_file || vnl_status_read(ch->status_file, &l) || !l.received)
		return;
	vnl_progress_live(r->progress, ch->live_what ? ch->live_what : l.direction,
			  vnl_status_loss(&l), l.has_p99 ? l.p99_ns : -1);
}

/* NULL: /dev/null; "-": inherited; else the file PATH, truncated or appended to. */
static struct vnl_child_stream stream_to(const char *path, enum vnl_child_io how)
{
	if (!path)
		return (struct vnl_child_stream){ .how = VNL_CHILD_NULL };
	if (!strcmp(path, "-"))
		return (struct vnl_child_stream){ .how = VNL_CHILD_INHERIT };
	return (struct vnl_child_stream){ .how = how, .path = path };
}

/*
 * Run a child to its end with stdout to OUT and stderr appended to ERR
 * (NULL: /dev/null; "-": inherited), in its own process group so a
 * terminal's ^C reaches only the study, which passes it on when FORWARD.
 * Returns its exit status, 128+signal, or -1.
 */
static int run_child(struct runner *r, struct child *ch, const char *out, const char *err,
		     bool forward)
{
	struct vnl_child_opts o = {
		.in = { .how = VNL_CHILD_INHERIT },
		.out = stream_to(out, VNL_CHILD_TRUNCATE),
		.err = stream_to(err, VNL_CHILD_APPEND),
		.own_group = true,
		.quiet = true,
	};
	struct vnl_child *c;
	if (vnl_child_spawn(&c, (const char *const *)ch->argv, &o)) {
		vnl_errno("cannot start %s", ch->argv[0]);
		return -1;
	}
	pid_t pid = vnl_child_pid(c);
	if (forward)
		child_pid = pid;
	if (forward && stop_asked)
		kill(pid, SIGINT);
	int64_t stopped_at = 0;
	for (unsigned tick = 0;; tick++) {
		if (vnl_child_poll(c))
			break;
		int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
		if (forward && stop_asked && !stopped_at)
			stopped_at = now;
		/* the child itself, as the interrupt went to it alone */
		if (stopped_at && now - stopped_at > CHILD_GRACE_NS)
			kill(pid, SIGKILL);
		if (r->progress && tick % 10 == 0) {
			show_live(r, ch);
			vnl_progress_tick(r->progress);
		}
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	child_pid = 0;
	if (ch->status_file)
		vnl_status_remove(ch->status_file);
	int status = vnl_child_status(c);
	vnl_child_free(c);
	return status;
}

/* ------------------------------------------------------------ what a case needs */

/* The lab's topology for a job topology ("ovs-afxdp" is ovs with an option). */
static const char *lab_topology(const struct vnl_job_case *c)
{
	return c->topology == VNL_TOPO_OVS_AFXDP ? "ovs" : vnl_job_topology_name(c->topology);
}

/*
 * Why this host cannot run the case, or NULL. Asked of the lab (known
 * topologies) and the host (IOMMU, KVM, 802.1Q) before anything is built.
 */
static const char *skip_reason(const struct runner *r, const struct vnl_job_case *c,
			       char *buf, size_t len)
{
	const struct vnl_hostfacts *h = &r->host;
	if (!vnl_lab_topology_known(lab_topology(c))) {
		snprintf(buf, len, "this vnetlat has no '%s' lab topology", lab_topology(c));
		return buf;
	}
	if (c->topology == VNL_TOPO_PASSTHROUGH && !h->iommu)
		return "passthrough needs an IOMMU and this host has none "
		       "(no /sys/kernel/iommu_groups; enable VT-d/AMD-Vi and intel_iommu=on)";
	if (c->topology == VNL_TOPO_PASSTHROUGH && !c->pci_device[0])
		return "passthrough needs a PCI device to hand over (pci_device = ...)";
	if (c->topology != VNL_TOPO_VETH && c->accel == VNL_ACCEL_KVM && !h->kvm)
		return "accel = kvm but KVM does not work here (no usable /dev/kvm); "
		       "use accel = auto or tcg";
	if (c->vhost_fifo && !h->vhost)
		return "vhost_fifo: this host has no vhost-net (/dev/vhost-net), so the guest gets no "
		       "vhost worker to raise (its packets move in qemu's own threads: pin_vcpu places "
		       "them); load vhost_net, or remove vhost_fifo";
	if (c->topology == VNL_TOPO_OVS_AFXDP && access(VNL_OVS_DPDK_VSWITCHD, X_OK) < 0)
		return "ovs-afxdp puts the guest on a vhost-user port of Open vSwitch built with DPDK, "
		       "and " VNL_OVS_DPDK_VSWITCHD " is missing: apt-get install openvswitch-switch-dpdk";
	if (c->topology == VNL_TOPO_PASSTHROUGH && !c->remote_netns[0])
		return "passthrough puts the remote end on the device's network: set remote_netns and "
		       "remote_addr (a namespace of this host there, and its address)";
	if (c->transport == VNL_JOB_L2 || c->transport == VNL_JOB_XDP) {
		snprintf(buf, len, "transport %s: vnetlat run measures udp4 and udp6 through a lab",
			 vnl_job_transport_name(c->transport));
		return buf;
	}
	return NULL;
}

/* `vnetlat lab up` for the case; with dry_run, its recipe. */
static void lab_up_args(const struct runner *r, struct child *ch, const struct vnl_job_case *c,
			const char *lab, bool dry_run)
{
	static const char *const sw[] = { "auto", "on", "off" };
	static const char *const accel[] = { "auto", "kvm", "tcg" };
	arg(ch, "%s", r->o->self);
	arg(ch, "lab");
	arg(ch, "up");
	arg(ch, "%s", lab_topology(c));
	arg(ch, "--name=%s", lab);
	if (c->topology != VNL_TOPO_VETH) {
		arg(ch, "--accel=%s", accel[c->accel]);
		arg(ch, "--vhost=%s", sw[c->vhost]);
		arg(ch, "--guest-cpus=%u", c->guest_cpus);
		arg(ch, "--guest-mem=%llu", (unsigned long long)c->guest_mem_mib);
		if (c->pin_vcpu[0])
			arg(ch, "--pin-vcpu=%s", c->pin_vcpu);
		if (c->emulator_cpus[0])
			arg(ch, "--emulator-cpus=%s", c->emulator_cpus);
		if (c->vhost_fifo)
			arg(ch, "--vhost-fifo=%d", c->vhost_fifo);
		if (c->vlan)
			arg(ch, "--vlan=%u", c->vlan);
	}
	/* back-end 5 as published: the uplink an AF_XDP port, the guest on vhost-user */
	if (c->topology == VNL_TOPO_OVS_AFXDP) {
		arg(ch, "--ovs-afxdp");
		arg(ch, "--vhost-user");
	}
	if (c->pmd_cpus[0])
		arg(ch, "--pmd-cpus=%s", c->pmd_cpus);
	if (c->qbv[0])
		arg(ch, "--qbv=%s", c->qbv);
	if (c->topology == VNL_TOPO_PASSTHROUGH && c->pci_device[0])
		arg(ch, "--pci=%s", c->pci_device);
	if (c->uplink[0])
		arg(ch, "--uplink=%s", c->uplink);
	if (c->irq_cpus[0])
		arg(ch, "--irq-cpus=%s", c->irq_cpus);
	if (dry_run)
		arg(ch, "--dry-run");
}

static void run_args(const struct runner *r, struct child *ch, const struct vnl_job_case *c,
		     const char *lab, int64_t duration_ns, const char *record_dir,
		     const char *status_file)
{
	static const char *const dirs[] = { "in", "out", "both" };
	char t[32];
	arg(ch, "%s", r->o->self);
	arg(ch, "run");
	arg(ch, "%s", lab);
	arg(ch, "--direction=%s", dirs[c->direction]);
	fmt_ns(t, sizeof(t), c->interval_ns);
	arg(ch, "--interval=%s", t);
	if (c->count && !record_dir) /* warm-up: a duration of its own */
		arg(ch, "--count=%llu", (unsigned long long)(duration_ns / c->interval_ns + 1));
	else if (c->count)
		arg(ch, "--count=%llu", (unsigned long long)c->count);
	else
		fmt_ns(t, sizeof(t), duration_ns), arg(ch, "--duration=%s", t);
	arg(ch, "--size=%u", c->size);
	if (c->priority >= 0)
		arg(ch, "--priority=%d", c->priority);
	if (c->sched_fifo > 0) /* both ends; what they got is read back into the run JSON */
		arg(ch, "--sched-fifo=%d", c->sched_fifo);
	if (c->deadline_ns)
		fmt_ns(t, sizeof(t), c->deadline_ns), arg(ch, "--deadline=%s", t);
	if (c->cpu >= 0)
		arg(ch, "--cpu=%d", c->cpu);
	if (c->remote_cpu >= 0)
		arg(ch, "--remote-cpu=%d", c->remote_cpu);
	if (c->trace && record_dir) /* the measured run, not the warm-up */
		arg(ch, "--trace");
	arg(ch, "--transport=%s", vnl_job_transport_name(c->transport));
	if (c->remote_netns[0]) {
		arg(ch, "--remote-netns=%s", c->remote_netns);
		arg(ch, "--remote-addr=%s", c->remote_addr);
	}
	arg(ch, "--quiet");
	if (record_dir) {
		arg(ch, "--json");
		arg(ch, "--record=%s", record_dir);
	}
	if (status_file && !r->o->quiet) { /* nobody would look at it */
		arg(ch, "--status-file=%s", status_file);
		ch->status_file = status_file;
	}
}

/* Planned probe time of one repetition (warm-up and every direction). */
static int64_t planned_ns(const struct vnl_job_case *c)
{
	return c->warmup_ns + c->duration_ns * (c->direction == VNL_DIR_BOTH ? 2 : 1);
}

/* ------------------------------------------------------------ one repetition */

struct rep_run {
	struct runner *r;
	struct case_state *cs;
	size_t index;
	unsigned rep;               /* 1-based */
	char lab[16];
	char dir[PATH_MAX];         /* the repetition's directory */
	struct vnl_lab_info li;
	double loss;                /* of the measured direction, -1 unknown */
	int64_t p99_ns;
};

static void rep_path(const struct rep_run *x, const char *file, char *out, size_t len)
{
	vnl_pathf(out, len, "%s/%s", x->dir, file);
}

static void fail(struct rep_state *rs, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct rep_state *rs, const char *status, const char *fmt, ...)
{
	snprintf(rs->status, sizeof(rs->status), "%s", status);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs->reason, sizeof(rs->reason), fmt, ap);
	va_end(ap);
}

/* A child that failed: "partial" when the study was interrupted, else "failed" with its error. */
static void child_failed(struct rep_run *x, struct rep_state *rs, const char *what,
			 const char *log)
{
	char line[REASON_LEN - 40];
	if (stop_asked) {
		fail(rs, "partial", "interrupted during %s", what);
		return;
	}
	last_line(log, line, sizeof(line));
	fail(rs, "failed", "%s: %s", what, line[0] ? line : "failed with no message");
	(void)x;
}

static int lab_up(struct rep_run *x, struct rep_state *rs)
{
	struct child ch = { .argc = 0 };
	char log[PATH_MAX + 16];
	rep_path(x, "lab.log", log, sizeof(log));
	lab_up_args(x->r, &ch, x->cs->c, x->lab, false);
	if (run_child(x->r, &ch, log, log, true) != 0) {
		child_failed(x, rs, "lab up", log);
		return -1;
	}
	if (vnl_labinfo_load(VNL_LABINFO_DIR, x->lab, &x->li)) {
		fail(rs, "failed", "lab %s came up without its info file", x->lab);
		return -1;
	}
	/* On the user's network the remote end is the case's (as run is told), e.g. for load. */
	const struct vnl_job_case *c = x->cs->c;
	if (c->remote_netns[0])
		vnl_labinfo_set_remote(&x->li, c->remote_netns, c->remote_addr); /* checked by jobfile */
	return 0;
}

static void lab_down(struct rep_run *x)
{
	struct child ch = { .argc = 0 };
	char log[PATH_MAX + 16];
	rep_path(x, "lab.log", log, sizeof(log));
	arg(&ch, "%s", x->r->o->self);
	arg(&ch, "lab");
	arg(&ch, "down");
	arg(&ch, "--name=%s", x->lab);
	/* not forwarded: teardown must finish even after ^C */
	if (run_child(x->r, &ch, log, log, false) != 0)
		vnl_err("lab %s was not removed completely (see %s); remove it with "
			"'vnetlat lab down --name %s'", x->lab, log, x->lab);
}

static int warm_up(struct rep_run *x, struct rep_state *rs)
{
	if (!x->cs->c->warmup_ns)
		return 0;
	struct child ch = { .argc = 0 };
	char log[PATH_MAX + 16];
	char live[PATH_MAX + 16];
	rep_path(x, "warmup.log", log, sizeof(log));
	rep_path(x, LIVE_STATUS, live, sizeof(live));
	run_args(x->r, &ch, x->cs->c, x->lab, x->cs->c->warmup_ns, NULL, live);
	ch.live_what = "warm-up";
	if (run_child(x->r, &ch, NULL, log, true) != 0) {
		child_failed(x, rs, "warm-up", log);
		return -1;
	}
	return 0;
}

/* Load in the probe's direction: clients at the sender's end, servers at the receiver's. */
static struct vnl_load *load_start(struct rep_run *x, struct rep_state *rs)
{
	const struct vnl_job_case *c = x->cs->c;
	bool v6 = c->transport == VNL_JOB_UDP6;
	bool out = c->direction == VNL_DIR_OUT;
	/* on the untagged network: with a VLAN, the stream has its own */
	const struct vnl_lab_endpoint *srv = out ? &x->li.untagged_remote : &x->li.untagged_local;
	const struct vnl_lab_endpoint *cli = out ? &x->li.untagged_local : &x->li.untagged_remote;
	struct vnl_load_spec spec = {
		.proto = c->load, .streams = c->load_streams, .rate_bps = c->load_rate_bps,
		.duration_ns = planned_ns(c) - c->warmup_ns + LOAD_MARGIN_NS,
		.server_netns = srv->netns, .server_addr = v6 ? srv->addr6 : srv->addr4,
		.client_netns = cli->netns, .client_addr = v6 ? cli->addr6 : cli->addr4,
	};
	/* the guest end (no namespace of its own) is reached through its agent */
	if (x->li.has_guest && !srv->netns[0])
		spec.server_agent = x->li.agent_path;
	if (x->li.has_guest && !cli->netns[0])
		spec.client_agent = x->li.agent_path;
	struct vnl_load *l = vnl_load_start(&spec);
	if (!l)
		fail(rs, "failed", "background load did not start (iperf3; see the message above)");
	return l;
}

static void load_stop(struct rep_run *x, struct vnl_load *l)
{
	struct vnl_load_result res;
	if (!stop_asked)
		vnl_load_wait(l, LOAD_WAIT_NS);
	vnl_load_stop(l, &res);
	char path[PATH_MAX + 16];
	rep_path(x, "load.json", path, sizeof(path));
	json_t *doc = vnl_load_result_json(&res);
	if (doc)
		save_json(path, doc);
	json_decref(doc);
}

/* Loss and p99 of one direction's run JSON (for progress). */
static void read_result(struct rep_run *x, json_t *d)
{
	json_t *pk = json_object_get(d, "packets");
	json_int_t sent = json_integer_value(json_object_get(pk, "sent"));
	json_int_t lost = json_integer_value(json_object_get(pk, "lost"));
	if (sent > 0)
		x->loss = (double)lost / (double)sent;
	json_t *lat = json_object_get(d, "latency");
	json_t *st = json_object_get(lat, "one_way");
	if (!json_is_integer(json_object_get(st, "p99_ns")))
		st = json_object_get(lat, "path");
	json_t *p99 = json_object_get(st, "p99_ns");
	if (json_is_integer(p99))
		x->p99_ns = json_integer_value(p99);
}

/* The clock method a direction's run JSON names, and why (a case fact in study.json). */
static void read_clock(struct rep_state *rs, json_t *d)
{
	json_t *c = json_object_get(d, "clock");
	const char *m = json_string_value(json_object_get(c, "method"));
	const char *why = json_string_value(json_object_get(c, "why"));
	if (!m || rs->clock[0])
		return;
	snprintf(rs->clock, sizeof(rs->clock), "%s", m);
	snprintf(rs->clock_why, sizeof(rs->clock_why), "%s", why ? why : "");
}

/* "sender fifo 90 CPUs 1; receiver fifo 90 CPUs 0" from a direction's run JSON rt. */
static void read_rt(struct rep_state *rs, json_t *d)
{
	static const char *const ends[] = { "sender", "receiver" };
	json_t *rt = json_object_get(d, "rt");
	if (!json_is_object(rt) || rs->rt[0])
		return;
	size_t used = 0;
	for (int i = 0; i < 2 && used < sizeof(rs->rt); i++) {
		json_t *e = json_object_get(rt, ends[i]);
		const char *pol = json_string_value(json_object_get(e, "policy"));
		const char *cpus = json_string_value(json_object_get(e, "cpus"));
		json_int_t prio = json_integer_value(json_object_get(e, "priority"));
		if (pol)
			used += (size_t)snprintf(rs->rt + used, sizeof(rs->rt) - used,
						 "%s%s %s %lld CPUs %s%s", i ? "; " : "", ends[i], pol,
						 (long long)prio, cpus ? cpus : "?",
						 json_is_true(json_object_get(e, "mlock")) ? " mlock" : "");
		else
			used += (size_t)snprintf(rs->rt + used, sizeof(rs->rt) - used,
						 "%s%s not reported", i ? "; " : "", ends[i]);
	}
}

/* run.json -> in.json / out.json; in.rec / out.rec -> in.vnlrec / out.vnlrec. */
static void split_outputs(struct rep_run *x, struct rep_state *rs)
{
	char path[PATH_MAX + 16], to[PATH_MAX + 16];
	rep_path(x, "run.json", path, sizeof(path));
	char why[PATH_MAX + 200];
	json_t *doc = vnl_json_load(path, "run JSON", why, sizeof(why));
	json_t *dirs = json_object_get(doc, "directions");
	json_t *vu = json_object_get(json_object_get(doc, "lab"), "vhost_user");
	const char *mem = json_string_value(json_object_get(vu, "memory"));
	snprintf(rs->shared_memory, sizeof(rs->shared_memory), "%s", mem ? mem : "");
	static const char *const names[] = { "in", "out" };
	for (int d = 0; d < 2; d++) {
		char file[16];
		snprintf(file, sizeof(file), "%s.rec", names[d]);
		rep_path(x, file, path, sizeof(path));
		snprintf(file, sizeof(file), "%s.vnlrec", names[d]);
		rep_path(x, file, to, sizeof(to));
		if (access(path, F_OK) == 0 && rename(path, to))
			vnl_errno("cannot rename %s", path);
		json_t *one = json_object_get(dirs, names[d]);
		if (!json_is_object(one))
			continue;
		snprintf(file, sizeof(file), "%s.json", names[d]);
		rep_path(x, file, to, sizeof(to));
		save_json(to, one);
		read_clock(rs, one);
		read_rt(rs, one);
		if (x->p99_ns < 0)
			read_result(x, one);
	}
	json_decref(doc);
}

static void measure(struct rep_run *x, struct rep_state *rs)
{
	struct child ch = { .argc = 0 };
	char out[PATH_MAX + 16], log[PATH_MAX + 16], live[PATH_MAX + 16];
	rep_path(x, "run.json", out, sizeof(out));
	rep_path(x, "run.log", log, sizeof(log));
	rep_path(x, LIVE_STATUS, live, sizeof(live));
	run_args(x->r, &ch, x->cs->c, x->lab, x->cs->c->duration_ns, x->dir, live);
	int rc = run_child(x->r, &ch, out, log, true);
	rs->clock[0] = '\0';
	split_outputs(x, rs);
	if (rc != 0)
		child_failed(x, rs, "run", log);
	else if (stop_asked)
		fail(rs, "partial", "interrupted");
	else
		fail(rs, "done", "%s", "");
}

static int save_study(struct runner *r);

/* Files of an earlier, unfinished attempt at this repetition. */
static void clear_rep_dir(struct rep_run *x)
{
	static const char *const files[] = { "in.vnlrec", "out.vnlrec", "in.rec", "out.rec",
		"in.json", "out.json", "run.json", "run.log", "lab.log", "warmup.log", "load.json",
		LIVE_STATUS };
	char path[PATH_MAX + 16];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rep_path(x, files[i], path, sizeof(path));
		unlink(path);
	}
}

static void run_rep(struct runner *r, struct case_state *cs, size_t index, unsigned rep)
{
	struct rep_state *rs = &cs->reps[rep - 1];
	struct rep_run x = { .r = r, .cs = cs, .index = index, .rep = rep, .loss = -1,
			     .p99_ns = -1 };
	lab_name(x.lab, sizeof(x.lab), index, rep);
	vnl_pathf(x.dir, sizeof(x.dir), "%s/cases/%s/rep%u", r->dir, cs->id, rep);
	if (mkdir_p(x.dir)) {
		fail(rs, "failed", "cannot create %s: %s", x.dir, strerror(errno));
		return;
	}
	clear_rep_dir(&x);
	/* Named in study.json before it exists: after a kill -9, --resume finds it. */
	snprintf(rs->lab, sizeof(rs->lab), "%s", x.lab);
	save_study(r);
	if (lab_up(&x, rs) == 0 && warm_up(&x, rs) == 0 && !stop_asked) {
		struct vnl_load *l = NULL;
		if (cs->c->load == VNL_LOAD_NONE || (l = load_start(&x, rs)))
			measure(&x, rs);
		if (l)
			load_stop(&x, l);
	} else if (stop_asked && !rs->status[0]) {
		fail(rs, "partial", "interrupted before measuring");
	}
	lab_down(&x);
	rs->lab[0] = '\0';
	if (!strcmp(rs->status, "failed"))
		r->any_failed = true;
	char detail[REASON_LEN + 16];
	snprintf(detail, sizeof(detail), "%s", rs->reason);
	if (r->progress)
		vnl_progress_end(r->progress, rs->status, x.loss, x.p99_ns, detail);
}

/* ------------------------------------------------------------ study.json */

static void case_status(struct case_state *cs)
{
	if (!strcmp(cs->status, "skipped"))
		return;
	unsigned done = 0, failed = 0;
	const char *reason = "";
	for (unsigned i = 0; i < cs->c->repeat; i++) {
		done += !strcmp(cs->reps[i].status, "done");
		if (!strcmp(cs->reps[i].status, "failed")) {
			failed++;
			reason = cs->reps[i].reason;
		} else if (!reason[0] && cs->reps[i].reason[0]) {
			reason = cs->reps[i].reason;
		}
	}
	const char *st = done == cs->c->repeat ? "done" : failed ? "failed" : "partial";
	snprintf(cs->status, sizeof(cs->status), "%s", st);
	snprintf(cs->reason, sizeof(cs->reason), "%s", done == cs->c->repeat ? "" : reason);
}

static json_t *settings_json(const struct vnl_job_case *c)
{
	json_t *s = json_object();
	json_object_set_new(s, "interval_ns", json_integer(c->interval_ns));
	json_object_set_new(s, "size", json_integer(c->size));
	json_object_set_new(s, "count", json_integer((json_int_t)c->count));
	json_object_set_new(s, "duration_ns", json_integer(c->duration_ns));
	json_object_set_new(s, "priority", c->priority >= 0 ? json_integer(c->priority)
							    : json_null());
	json_object_set_new(s, "transport", json_string(vnl_job_transport_name(c->transport)));
	json_object_set_new(s, "load_rate_bps", json_integer((json_int_t)c->load_rate_bps));
	json_object_set_new(s, "warmup_ns", json_integer(c->warmup_ns));
	json_object_set_new(s, "repeat", json_integer(c->repeat));
	json_object_set_new(s, "guest_cpus", json_integer(c->guest_cpus));
	json_object_set_new(s, "guest_mem_mib", json_integer((json_int_t)c->guest_mem_mib));
	json_object_set_new(s, "vlan", c->vlan ? json_integer(c->vlan) : json_null());
	/* what the job asked; what each end got is each repetition's rt_applied */
	json_object_set_new(s, "sched_fifo", c->sched_fifo ? json_integer(c->sched_fifo) : json_null());
	json_object_set_new(s, "deadline_ns", c->deadline_ns ? json_integer(c->deadline_ns) : json_null());
	json_object_set_new(s, "cpu", c->cpu >= 0 ? json_integer(c->cpu) : json_null());
	json_object_set_new(s, "remote_cpu", c->remote_cpu >= 0 ? json_integer(c->remote_cpu)
								: json_null());
	json_object_set_new(s, "pin_vcpu", c->pin_vcpu[0] ? json_string(c->pin_vcpu) : json_null());
	json_object_set_new(s, "emulator_cpus", c->emulator_cpus[0] ? json_string(c->emulator_cpus)
								    : json_null());
	json_object_set_new(s, "vhost_fifo", c->vhost_fifo ? json_integer(c->vhost_fifo) : json_null());
	json_object_set_new(s, "irq_cpus", c->irq_cpus[0] ? json_string(c->irq_cpus) : json_null());
	json_object_set_new(s, "pmd_cpus", c->pmd_cpus[0] ? json_string(c->pmd_cpus) : json_null());
	json_object_set_new(s, "qbv", c->qbv[0] ? json_string(c->qbv) : json_null());
	json_object_set_new(s, "trace", json_boolean(c->trace));
	return s;
}

static json_t *case_json(const struct case_state *cs)
{
	const struct vnl_job_case *c = cs->c;
	char load[32];
	json_t *reps = json_array();
	for (unsigned i = 0; i < c->repeat && strcmp(cs->status, "skipped"); i++) {
		char dir[160];
		snprintf(dir, sizeof(dir), "cases/%s/rep%u", cs->id, i + 1);
		const struct rep_state *rs = &cs->reps[i];
		json_array_append_new(reps, json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "rep",
			(int)i + 1, "dir", dir, "status", rs->status[0] ? rs->status : "not run",
			"reason", rs->reason[0] ? rs->reason : NULL,
			"clock", rs->clock[0] ? rs->clock : NULL,
			"clock_why", rs->clock[0] ? rs->clock_why : NULL,
			"rt_applied", rs->rt[0] ? rs->rt : NULL,
			"shared_memory", rs->shared_memory[0] ? rs->shared_memory : NULL,
			"lab", rs->lab[0] ? rs->lab : NULL));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o}", "name", c->name,
			 "topology", vnl_job_topology_name(c->topology),
			 "load", vnl_job_load_name(c, load, sizeof(load)),
			 "direction", vnl_job_direction_name(c->direction),
			 "status", cs->status, "reason", cs->reason[0] ? cs->reason : NULL,
			 "settings", settings_json(c), "repetitions", reps);
}

static json_t *study_json(const struct runner *r)
{
	json_t *cases = json_array(), *window = json_null(), *ref = json_null();
	for (size_t i = 0; i < r->ncases; i++) {
		const struct vnl_job_case *c = r->cases[i].c;
		json_array_append_new(cases, case_json(&r->cases[i]));
		if (json_is_null(window) && c->has_window)
			window = json_pack("{s:I, s:I}", "from_ns", (json_int_t)c->window_from_ns,
					   "to_ns", (json_int_t)c->window_to_ns);
		if (json_is_null(ref) && c->reference >= 0)
			ref = json_string(vnl_job_case(r->job, (size_t)c->reference)->section);
	}
	return json_pack("{s:i, s:s, s:o, s:o, s:o}", "vnetlat_study", 1, "job_fingerprint",
			 r->job_fingerprint, "window", window, "reference", ref, "cases", cases);
}

static int save_study(struct runner *r)
{
	for (size_t i = 0; i < r->ncases; i++)
		case_status(&r->cases[i]);
	char path[PATH_MAX + 16];
	vnl_pathf(path, sizeof(path), "%s/study.json", r->dir);
	json_t *doc = study_json(r);
	int rc = doc ? save_json(path, doc) : -1;
	json_decref(doc);
	return rc;
}

static int save_host(struct runner *r, bool finished)
{
	char now[32], path[PATH_MAX + 16];
	vnl_hostfacts_now(now, sizeof(now));
	if (finished) /* the cases' guests have tried KVM by now */
		vnl_hostfacts_read_accel(&r->host);
	vnl_pathf(path, sizeof(path), "%s/host.json", r->dir);
	json_t *doc = vnl_hostfacts_json(&r->host, r->started, finished ? now : NULL);
	int rc = doc ? save_json(path, doc) : -1;
	json_decref(doc);
	return rc;
}

/* ------------------------------------------------------------ resume */

/* Whether DIR/job.ini is not the one the finished repetitions were measured
 * with (said, and then refused). A study from before fingerprints passes. */
static bool job_changed(const struct runner *r, json_t *doc)
{
	const char *was = json_string_value(json_object_get(doc, "job_fingerprint"));
	if (!was || !strcmp(was, r->job_fingerprint))
		return false;
	vnl_err("cannot resume: %s/job.ini was changed since the study started (fingerprint %s, "
		"study.json has %s): its finished repetitions were measured with the old settings. "
		"Put the original job.ini back, or run the edited one as a new study "
		"('vnetlat study JOB --out NEWDIR')", r->dir, r->job_fingerprint, was);
	return true;
}

/* Labs an interrupted run left up (killed before it could take them down):
 * removed now, and said, so a resumed study starts on a clean host. */
static void remove_leftover_labs(struct runner *r, json_t *doc)
{
	json_t *jc, *jr;
	size_t i, j;
	json_array_foreach(json_object_get(doc, "cases"), i, jc) {
		json_array_foreach(json_object_get(jc, "repetitions"), j, jr) {
			const char *lab = json_string_value(json_object_get(jr, "lab"));
			char state[PATH_MAX];
			if (!lab || !vnl_lab_name_ok(lab, NULL))
				continue;
			vnl_pathf(state, sizeof(state), "%s/%s.state", VNL_LABSTATE_DIR, lab);
			if (access(state, F_OK))
				continue;
			vnl_notice("the interrupted run left lab %s up; removing it", lab);
			struct child ch = { .argc = 0 };
			arg(&ch, "%s", r->o->self);
			arg(&ch, "lab");
			arg(&ch, "down");
			arg(&ch, "--name=%s", lab);
			if (run_child(r, &ch, NULL, "-", false) != 0)
				vnl_err("lab %s was not removed completely; remove it with "
					"'vnetlat lab down --name %s'", lab, lab);
		}
	}
}

/* Keep every repetition an earlier run finished ("done"), matched by case name. */
static int merge_previous(struct runner *r)
{
	char path[PATH_MAX + 16];
	vnl_pathf(path, sizeof(path), "%s/study.json", r->dir);
	char why[PATH_MAX + 200];
	json_t *doc = vnl_json_load(path, "study.json", why, sizeof(why));
	if (!doc) {
		vnl_err("cannot resume: %s; give the directory of an interrupted study", why);
		return -1;
	}
	remove_leftover_labs(r, doc); /* whatever else is wrong: they are garbage */
	if (job_changed(r, doc)) {
		json_decref(doc);
		return -2;
	}
	json_t *cases = json_object_get(doc, "cases"), *jc;
	size_t i;
	json_array_foreach(cases, i, jc) {
		const char *name = json_string_value(json_object_get(jc, "name"));
		for (size_t k = 0; name && k < r->ncases; k++) {
			if (strcmp(r->cases[k].c->name, name))
				continue;
			json_t *jr;
			size_t j;
			json_array_foreach(json_object_get(jc, "repetitions"), j, jr) {
				json_int_t n = json_integer_value(json_object_get(jr, "rep"));
				const char *st = json_string_value(json_object_get(jr, "status"));
				if (n < 1 || n > r->cases[k].c->repeat || !st || strcmp(st, "done"))
					continue;
				struct rep_state *rs = &r->cases[k].reps[n - 1];
				snprintf(rs->status, STATUS_LEN, "done");
				/* its facts stay with it */
				const char *ck = json_string_value(json_object_get(jr, "clock"));
				const char *cw = json_string_value(json_object_get(jr, "clock_why"));
				snprintf(rs->clock, sizeof(rs->clock), "%s", ck ? ck : "");
				snprintf(rs->clock_why, sizeof(rs->clock_why), "%s", cw ? cw : "");
				const char *ra = json_string_value(json_object_get(jr, "rt_applied"));
				snprintf(rs->rt, sizeof(rs->rt), "%s", ra ? ra : "");
				const char *sm = json_string_value(json_object_get(jr, "shared_memory"));
				snprintf(rs->shared_memory, sizeof(rs->shared_memory), "%s", sm ? sm : "");
			}
		}
	}
	vnl_pathf(path, sizeof(path), "%s/host.json", r->dir);
	json_t *host = vnl_json_load(path, "host.json", why, sizeof(why));
	const char *started = json_string_value(json_object_get(host, "started"));
	if (started)
		snprintf(r->started, sizeof(r->started), "%s", started);
	json_decref(host);
	json_decref(doc);
	return 0;
}

/* ------------------------------------------------------------ the study */

static int setup_cases(struct runner *r)
{
	r->ncases = vnl_job_case_count(r->job);
	r->cases = calloc(r->ncases ? r->ncases : 1, sizeof(*r->cases));
	if (!r->cases)
		return -1;
	for (size_t i = 0; i < r->ncases; i++) {
		struct case_state *cs = &r->cases[i];
		cs->c = vnl_job_case(r->job, i);
		case_id(cs->id, sizeof(cs->id), i, cs->c->name);
		cs->reps = calloc(cs->c->repeat, sizeof(*cs->reps));
		if (!cs->reps)
			return -1;
	}
	return 0;
}

static void free_cases(struct runner *r)
{
	for (size_t i = 0; r->cases && i < r->ncases; i++)
		free(r->cases[i].reps);
	free(r->cases);
}

static int dry_run(struct runner *r)
{
	for (size_t i = 0; i < r->ncases; i++) {
		const struct case_state *cs = &r->cases[i];
		char load[32], buf[REASON_LEN], lab[16];
		const char *why = skip_reason(r, cs->c, buf, sizeof(buf));
		printf("case %zu/%zu %s: topology %s, load %s, direction %s, %u x %.3gs%s%s\n",
		       i + 1, r->ncases, cs->c->name, vnl_job_topology_name(cs->c->topology),
		       vnl_job_load_name(cs->c, load, sizeof(load)),
		       vnl_job_direction_name(cs->c->direction), cs->c->repeat,
		       (double)cs->c->duration_ns / 1e9, why ? "; would be skipped: " : "",
		       why ? why : "");
		if (why)
			continue;
		fflush(stdout);
		struct child ch = { .argc = 0 };
		lab_name(lab, sizeof(lab), i, 1);
		lab_up_args(r, &ch, cs->c, lab, true);
		if (run_child(r, &ch, "-", "-", false) != 0)
			vnl_err("case %s: the lab's recipe could not be printed", cs->c->name);
	}
	return VNL_EXIT_OK;
}

static int64_t total_planned(const struct runner *r, unsigned *units)
{
	int64_t ns = 0;
	*units = 0;
	for (size_t i = 0; i < r->ncases; i++) {
		ns += planned_ns(r->cases[i].c) * r->cases[i].c->repeat;
		*units += r->cases[i].c->repeat;
	}
	return ns;
}

static void run_cases(struct runner *r)
{
	unsigned unit = 0;
	for (size_t i = 0; i < r->ncases && !stop_asked; i++) {
		struct case_state *cs = &r->cases[i];
		char buf[REASON_LEN];
		const char *why = skip_reason(r, cs->c, buf, sizeof(buf));
		if (why) {
			snprintf(cs->status, sizeof(cs->status), "skipped");
			snprintf(cs->reason, sizeof(cs->reason), "%s", why);
			vnl_progress_begin(r->progress, unit, cs->c->name, 0);
			unit += cs->c->repeat;
			vnl_progress_end(r->progress, "skipped", -1, -1, why);
			save_study(r);
			continue;
		}
		cs->status[0] = '\0';
		for (unsigned rep = 1; rep <= cs->c->repeat && !stop_asked; rep++, unit++) {
			if (!strcmp(cs->reps[rep - 1].status, "done"))
				continue; /* kept from the interrupted run (--resume) */
			char name[160];
			snprintf(name, sizeof(name), cs->c->repeat > 1 ? "%s #%u" : "%s",
				 cs->c->name, rep);
			vnl_progress_begin(r->progress, unit, name, planned_ns(cs->c));
			run_rep(r, cs, i, rep);
			save_study(r);
		}
	}
	save_study(r);
}

static int prepare_dir(struct runner *r)
{
	const struct vnl_studyrun_opts *o = r->o;
	if (o->resume_dir) {
		snprintf(r->dir, sizeof(r->dir), "%s", o->resume_dir);
		return merge_previous(r);
	}
	if (o->out_dir) {
		snprintf(r->dir, sizeof(r->dir), "%s", o->out_dir);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(r->dir, sizeof(r->dir), "vnetlat-study-%Y%m%d-%H%M%S", &tm);
	}
	char path[PATH_MAX + 16];
	vnl_pathf(path, sizeof(path), "%s/study.json", r->dir);
	if (access(path, F_OK) == 0) {
		vnl_err("%s already holds a study; complete it with --resume %s or choose "
			"another --out", r->dir, r->dir);
		return -2;
	}
	if (mkdir_p(r->dir)) { /* the --out given cannot be: a usage error */
		vnl_errno("cannot create the results directory %s; give --out a directory that can "
			  "be made", r->dir);
		return -2;
	}
	vnl_pathf(path, sizeof(path), "%s/job.ini", r->dir);
	if (copy_file(o->job_path, path)) {
		vnl_errno("cannot copy %s to %s", o->job_path, path);
		return -1;
	}
	return 0;
}

/* The report (studyreport.h) and the summary table on stdout. */
static void finish(struct runner *r)
{
	char err[512];
	struct vnl_study *s = vnl_study_open(r->dir, err, sizeof(err));
	if (!s) {
		vnl_err("the report could not be made: %s; retry with 'vnetlat report %s'", err,
			r->dir);
		return;
	}
	if (vnl_study_write_report(s, err, sizeof(err)))
		vnl_err("the report could not be written: %s; retry with 'vnetlat report %s'",
			err, r->dir);
	if (!r->o->json)
		vnl_study_summary_md(s, stdout);
	vnl_study_free(s);
}

static void print_json(const struct runner *r)
{
	json_t *doc = study_json(r);
	json_object_set_new(doc, "dir", json_string(r->dir));
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(doc);
}

/* FNV-1a over the job file's bytes: not for security, to notice an edit. */
static void job_fingerprint(const char *path, char *out, size_t len)
{
	char err[PATH_MAX + 200];
	size_t n = 0;
	char *text = vnl_file_read_input(path, "job file", VNL_JOB_MAX_BYTES, &n, err, sizeof(err));
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; text && i < n; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
	snprintf(out, len, "fnv1a64:%016llx", (unsigned long long)h);
	free(text);
}

static int load_job(struct runner *r)
{
	const char *path = r->o->job_path;
	char resumed[PATH_MAX + 16];
	if (r->o->resume_dir) {
		vnl_pathf(resumed, sizeof(resumed), "%s/job.ini", r->o->resume_dir);
		path = resumed;
		if (access(path, R_OK)) {
			vnl_errno("cannot resume: cannot read %s; give the directory of an "
				  "interrupted study", path);
			return -2;
		}
	}
	job_fingerprint(path, r->job_fingerprint, sizeof(r->job_fingerprint));
	r->job = vnl_job_load(path);
	if (!r->job) {
		vnl_errno("out of memory reading %s", path);
		return -1;
	}
	if (vnl_job_error_count(r->job)) {
		vnl_job_print_errors(r->job, stderr);
		vnl_err("%zu problem(s) in %s; nothing was run", vnl_job_error_count(r->job),
			path);
		return -2;
	}
	return 0;
}

static int run_study(struct runner *r)
{
	vnl_hostfacts_now(r->started, sizeof(r->started));
	int rc = prepare_dir(r);
	if (rc)
		return rc == -2 ? VNL_EXIT_USAGE : VNL_EXIT_FAIL;
	if (save_host(r, false) || save_study(r))
		return VNL_EXIT_FAIL;
	unsigned units;
	int64_t planned = total_planned(r, &units);
	r->progress = vnl_progress_new(stderr, units, planned, r->o->quiet);
	if (!r->progress)
		return VNL_EXIT_FAIL;
	struct sigaction sa = { .sa_handler = on_stop }, old_int, old_term;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	run_cases(r);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	vnl_progress_free(r->progress);
	r->progress = NULL;
	save_host(r, !stop_asked);
	if (stop_asked) {
		vnl_err("interrupted: finished cases and the partial one are in %s; complete the "
			"study with 'vnetlat study --resume %s'", r->dir, r->dir);
		return VNL_EXIT_FAIL;
	}
	finish(r);
	if (r->o->json)
		print_json(r);
	else if (!r->o->quiet)
		vnl_notice("results in %s (report: %s/report/index.html)", r->dir, r->dir);
	return r->any_failed ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

/*
 * A case pinning an end of this host (the remote end; the local one on veth) to a
 * CPU it does not have is refused with the whole job, before anything runs.
 */
static int check_host_cpus(const struct runner *r)
{
	long last = sysconf(_SC_NPROCESSORS_CONF) - 1;
	int bad = 0;
	for (size_t i = 0; i < vnl_job_case_count(r->job); i++) {
		const struct vnl_job_case *c = vnl_job_case(r->job, i);
		int remote = c->remote_cpu >= 0 ? c->remote_cpu : c->cpu;
		int local = c->topology == VNL_TOPO_VETH ? c->cpu : -1;
		int cpu = remote > local ? remote : local;
		if (last >= 0 && cpu > last) {
			vnl_err("case %s: CPU %d: this machine has CPUs 0..%ld; change cpu/remote_cpu "
				"in the job file (nothing was run)", c->name, cpu, last);
			bad = -1;
		}
		/* the guest's qemu threads and the uplink's IRQs are pinned to this host's CPUs */
		const char *const lists[][2] = { { "pin_vcpu", c->pin_vcpu },
						 { "emulator_cpus", c->emulator_cpus },
						 { "irq_cpus", c->irq_cpus },
						 { "pmd_cpus", c->pmd_cpus } };
		for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
			if (last >= 0 && vnl_cpulist_max(lists[k][1]) > last) {
				vnl_err("case %s: %s %s: this machine has CPUs 0..%ld; change it in the "
					"job file (nothing was run)", c->name, lists[k][0], lists[k][1], last);
				bad = -1;
			}
	}
	return bad;
}

int vnl_studyrun(const struct vnl_studyrun_opts *o)
{
	struct runner r = { .o = o };
	stop_asked = 0;
	int bad = load_job(&r);
	if (bad) {
		vnl_job_free(r.job);
		return bad == -2 ? VNL_EXIT_USAGE : VNL_EXIT_FAIL;
	}
	int rc = VNL_EXIT_FAIL;
	vnl_hostfacts_read(&r.host);
	if (check_host_cpus(&r)) {
		rc = VNL_EXIT_USAGE;
	} else if (setup_cases(&r)) {
		vnl_errno("out of memory");
	} else if (o->dry_run) {
		rc = dry_run(&r);
	} else if (geteuid() != 0) {
		vnl_err("a study builds labs of network namespaces and needs root; run it as "
			"root (sudo), or see the cases with --dry-run");
		rc = VNL_EXIT_USAGE;
	} else {
		rc = run_study(&r);
	}
	free_cases(&r);
	vnl_job_free(r.job);
	return rc;
}
