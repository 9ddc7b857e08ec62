/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Background load with iperf3. Each stream is a server (-s -1: one test,
 * then exit) in one namespace and a client (-t, --json) in the other. The
 * children enter their namespace after fork and before exec, sit in their
 * own process group (so a terminal's ^C reaches vnetlat, which stops them in
 * order, and never iperf3 directly), and get SIGKILL if vnetlat dies. A
 * client's JSON goes to a memfd read once it has exited.
 *
 * In a guest, each iperf3 is started in the background by a short shell
 * script run through the agent (the agent takes one connection at a time,
 * and `vnetlat run` needs it while the load runs): busybox timeout bounds
 * it, its pid and output go to files in the guest's /tmp, and stopping is
 * another script that signals it, waits, and prints its output.
 */
#include "load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "child.h"
#include "log.h"
#include "netns.h"
#include "timeutil.h"

#define LISTEN_TIMEOUT_NS (3 * 1000000000LL)
#define STOP_GRACE_NS (2 * 1000000000LL)
#define POLL_NS (10 * 1000000LL)
#define GUEST_POLL_NS (250 * 1000000LL)
#define AGENT_CONNECT_MS 5000
#define AGENT_SCRIPT_MS 10000
/* A guest's iperf3 is killed this long after its own time, whatever vnetlat does. */
#define GUEST_BOUND_S 30
#define GUEST_NO_IPERF 3  /* exit status of the start script when the guest has no iperf3 */

struct child {
	pid_t pid;         /* also its process group; 0: none. In a guest: its pid there */
	struct vnl_child *proc; /* a process here, until reaped */
	bool reaped;
	int status;        /* a wait status (WIFEXITED...) */
	const char *agent; /* the guest's agent socket, or NULL: a process here */
	const char *role;  /* "server" or "client" (names its files in the guest) */
	uint16_t port;
};

struct stream {
	uint16_t port;
	struct child server, client;
	int json_fd;       /* the client's stdout */
	char *guest_json;  /* a guest client's output, read when it was stopped */
};

struct vnl_load {
	struct vnl_load_spec spec;
	unsigned n;
	struct stream s[VNL_LOAD_MAX_STREAMS];
};

static int64_t now_ns(void)
{
	return vnl_now_ns(CLOCK_MONOTONIC);
}

static void nap(int64_t ns)
{
	struct timespec ts = vnl_ns_to_ts(ns);
	nanosleep(&ts, NULL);
}

bool vnl_load_addr_allowed(const char *addr)
{
	unsigned char a[16];

	if (!addr)
		return false;
	if (inet_pton(AF_INET, addr, a) == 1)
		return (a[0] == 192 && a[1] == 0 && a[2] == 2) ||
		       (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		       (a[0] == 203 && a[1] == 0 && a[2] == 113);
	if (inet_pton(AF_INET6, addr, a) == 1)
		return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8;
	return false;
}

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* Own group, dies with us, in NETNS, stdout to OUT_FD (-1: /dev/null), exit 124 when
 * NETNS cannot be entered, 127 when ARGV cannot be run. */
static int spawn(struct child *c, const char *netns, char *const argv[], int out_fd)
{
	struct vnl_child_opts o = {
		.netns = netns,
		.netns_status = 124,
		.out = { .how = out_fd >= 0 ? VNL_CHILD_FD : VNL_CHILD_NULL, .fd = out_fd },
		.own_group = true,
		.die_with_parent = true,
		.quiet = true,
	};
	if (vnl_child_spawn(&c->proc, (const char *const *)argv, &o)) {
		vnl_errno("cannot start %s", argv[0]);
		return -1;
	}
	c->pid = vnl_child_pid(c->proc);
	c->reaped = false;
	return 0;
}

/* C's process has ended: its status as a wait status, and it is forgotten. */
static void reaped(struct child *c)
{
	int sig = vnl_child_term_signal(c->proc);
	c->status = sig ? sig : (vnl_child_status(c->proc) & 0xff) << 8;
	vnl_child_free(c->proc);
	c->proc = NULL;
	c->reaped = true;
}

/* Has C exited? Reaps it once; a reaped child is never signalled again. */
static bool exited(struct child *c)
{
	if (!c->pid || c->reaped)
		return true;
	if (vnl_child_poll(c->proc))
		reaped(c);
	return c->reaped;
}

static void signal_group(struct child *c, int sig)
{
	if (c->pid && !c->reaped)
		vnl_child_signal(c->proc, sig);
}

/* Is someone listening on TCP PORT in the namespace of PID? (iperf3's control connection) */
static bool listening(pid_t pid, uint16_t port)
{
	static const char *const files[] = { "tcp", "tcp6" };
	char path[64], line[512];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, files[i]);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		bool found = false;
		while (!found && fgets(line, sizeof(line), f)) {
			unsigned lport, state;
			/* "  0: 020000C0:14B5 00000000:0000 0A ..." */
			if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &state) == 2)
				found = lport == port && state == 0x0A;
		}
		fclose(f);
		if (found)
			return true;
	}
	return false;
}

/* ---- an iperf3 in a guest ---- */

/* Run SCRIPT with sh in the guest behind AGENT. Its exit status (-1: killed), or -2 when the
 * agent could not be reached (after a message). *OUT (may be NULL) gets its stdout, to free. */
static int guest_sh(const char *agent, const char *script, char **out)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct vnl_agent_result r;
	const char *why = NULL;
	int status = -2;

	if (out)
		*out = NULL;
	struct vnl_agent *a = vnl_agent_connect(agent, AGENT_CONNECT_MS);
	if (!a || vnl_agent_wait_ready(a, AGENT_CONNECT_MS, NULL) ||
	    vnl_agent_run(a, argv, NULL, AGENT_SCRIPT_MS, &r, &why)) {
		vnl_err("background load: the guest's agent (%s) did not answer%s%s; is the guest "
			"still running ('vnetlat lab show')?", agent, why ? ": " : "", why ? why : "");
		vnl_agent_close(a);
		return -2;
	}
	vnl_agent_close(a);
	status = r.exited ? r.status : -1;
	if (out) {
		*out = r.out;
		r.out = NULL;
	}
	vnl_agent_result_free(&r);
	return status;
}

/* Start ARGV (iperf3 ...) in the guest in the background, bounded to BOUND_S seconds. */
static int guest_spawn(struct child *c, char *const argv[], long long bound_s)
{
	char script[1024], *out = NULL;
	int n = snprintf(script, sizeof(script),
			 "command -v iperf3 >/dev/null || exit %d; cd /tmp; f=/tmp/vnetlat-load-%u-%s; "
			 "timeout -s INT %lld", GUEST_NO_IPERF, c->port, c->role, bound_s);
	/* every argument is ours: numbers, options and addresses checked by inet_pton */
	for (int i = 0; argv[i] && n < (int)sizeof(script); i++)
		n += snprintf(script + n, sizeof(script) - (size_t)n, " '%s'", argv[i]);
	if (n < (int)sizeof(script))
		n += snprintf(script + n, sizeof(script) - (size_t)n,
			      " </dev/null >$f.out 2>$f.err & echo $! >$f.pid; echo $!");
	if (n >= (int)sizeof(script)) {
		vnl_err("background load: iperf3's command line for the guest is too long");
		return -1;
	}
	int rc = guest_sh(c->agent, script, &out);
	long pid = out ? strtol(out, NULL, 10) : 0;
	free(out);
	if (rc == GUEST_NO_IPERF) {
		vnl_err("the guest has no iperf3, so background load cannot go into it; rebuild the "
			"image with 'vnetlat guest build --force' (its manifest's no-tools line says "
			"why it lacks iperf3)");
		return -1;
	}
	if (rc != 0 || pid <= 0) {
		if (rc != -2)
			vnl_err("background load: could not start iperf3 in the guest (status %d)", rc);
		return -1;
	}
	c->pid = (pid_t)pid;
	c->reaped = false;
	return 0;
}

/* Shell test: is the guest process $p alive (a zombie is not)? */
#define GUEST_ALIVE "alive() { s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); [ -n \"$s\" ] && [ \"$s\" != Z ]; }; "

/* Has the guest child exited? (one agent exchange) */
static bool guest_exited(struct child *c)
{
	char script[256];
	if (!c->pid || c->reaped)
		return true;
	snprintf(script, sizeof(script), "p=%d; " GUEST_ALIVE "alive", (int)c->pid);
	int rc = guest_sh(c->agent, script, NULL);
	if (rc == 1 || rc == -2) { /* gone, or the guest with it */
		c->reaped = true;
		c->status = 0;
	}
	return c->reaped;
}

/* Signal the guest child with SIG, wait up to 2 s, SIGKILL it; *OUT gets its output. */
static void guest_end(struct child *c, int sig, char **out)
{
	char script[768];
	char *text = NULL;
	if (out)
		*out = NULL;
	if (!c->pid)
		return;
	snprintf(script, sizeof(script),
		 "p=%d; f=/tmp/vnetlat-load-%u-%s; " GUEST_ALIVE
		 "if alive; then echo running; kill -%d $p; i=0; "
		 "while alive && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; kill -9 $p 2>/dev/null; "
		 "else echo ended; fi; cat $f.out 2>/dev/null; rm -f $f.out $f.err $f.pid",
		 (int)c->pid, c->port, c->role, sig);
	int rc = guest_sh(c->agent, script, &text);
	bool ended = rc == 0 && text && !strncmp(text, "ended\n", 6);
	if (!c->reaped) {
		c->reaped = true;
		/* what the host sees of a local child: a clean exit, or the signal it was sent */
		c->status = ended ? 0 : sig;
	}
	if (out && text && rc == 0) {
		char *nl = strchr(text, '\n');
		*out = strdup(nl ? nl + 1 : "");
	}
	free(text);
}

/* Is someone listening on TCP PORT in the guest? */
static bool guest_listening(const char *agent, uint16_t port)
{
	char *text = NULL, *save = NULL;
	bool found = false;
	if (guest_sh(agent, "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null", &text) != 0 || !text) {
		free(text);
		return false;
	}
	for (char *l = strtok_r(text, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
		unsigned lport, state;
		if (sscanf(l, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &state) == 2)
			found = lport == port && state == 0x0A;
	}
	free(text);
	return found;
}

/* ---- either kind of child ---- */

static bool child_exited(struct child *c)
{
	return c->agent ? guest_exited(c) : exited(c);
}

static bool child_listening(struct child *c, uint16_t port)
{
	return c->agent ? guest_listening(c->agent, port) : listening(c->pid, port);
}

static long long seconds_of(int64_t ns)
{
	return (long long)((ns + 999999999LL) / 1000000000LL);
}

static int start_server(struct vnl_load *l, struct stream *s)
{
	char port[8];
	snprintf(port, sizeof(port), "%u", s->port);
	char *argv[] = { "iperf3", "-s", "-1", "-B", (char *)l->spec.server_addr, "-p", port, NULL };
	int rc = s->server.agent
		? guest_spawn(&s->server, argv, seconds_of(l->spec.duration_ns) + GUEST_BOUND_S)
		: spawn(&s->server, l->spec.server_netns, argv, -1);

	if (rc != 0)
		return -1;
	/* a guest under TCG starts slowly: give it the bound's time, not the host's 3 s */
	int64_t deadline = now_ns() + (s->server.agent ? GUEST_BOUND_S * 1000000000LL
						       : LISTEN_TIMEOUT_NS);
	while (!child_listening(&s->server, s->port)) {
		if (child_exited(&s->server)) {
			vnl_err("iperf3 server on %s port %u exited at once (status %d); is the port in "
				"use, or the address not on an interface of %s?", l->spec.server_addr,
				s->port, s->server.status, s->server.agent ? "the guest"
				: l->spec.server_netns ? l->spec.server_netns : "this namespace");
			return -1;
		}
		if (now_ns() > deadline) {
			vnl_err("iperf3 server on %s port %u is not listening after %lld s",
				l->spec.server_addr, s->port,
				(long long)((s->server.agent ? GUEST_BOUND_S * 1000000000LL
							     : LISTEN_TIMEOUT_NS) / 1000000000LL));
			return -1;
		}
		nap(s->server.agent ? GUEST_POLL_NS : POLL_NS);
	}
	return 0;
}

static int start_client(struct vnl_load *l, struct stream *s)
{
	const struct vnl_load_spec *sp = &l->spec;
	char port[8], secs[24], rate[24];
	char *argv[20];
	int n = 0;

	snprintf(port, sizeof(port), "%u", s->port);
	snprintf(secs, sizeof(secs), "%lld", seconds_of(sp->duration_ns));
	snprintf(rate, sizeof(rate), "%llu", (unsigned long long)sp->rate_bps);
	argv[n++] = "iperf3";
	argv[n++] = "-c";
	argv[n++] = (char *)sp->server_addr;
	argv[n++] = "-p";
	argv[n++] = port;
	argv[n++] = "-t";
	argv[n++] = secs;
	argv[n++] = "--json";
	/*
	 * One summary, no per-second intervals: only the end sums are read, a guest's
	 * report comes back through the agent (which keeps at most VNL_AGENT_MAX_OUTPUT),
	 * and iperf3's SIGINT handler longjmps out of the signal: a stop that lands while
	 * it builds an interval's JSON (malloc) can abort it, losing what it sent.
	 */
	argv[n++] = "-i";
	argv[n++] = "0";
	if (sp->proto == VNL_LOAD_UDP)
		argv[n++] = "-u";
	if (sp->proto == VNL_LOAD_UDP || sp->rate_bps) {
		argv[n++] = "-b";
		argv[n++] = rate; /* 0: unlimited (UDP's default would be 1 Mbit/s) */
	}
	if (sp->client_addr) {
		argv[n++] = "-B";
		argv[n++] = (char *)sp->client_addr;
	}
	argv[n] = NULL;
	if (s->client.agent)
		return guest_spawn(&s->client, argv, seconds_of(sp->duration_ns) + GUEST_BOUND_S);
	s->json_fd = memfd_create("vnetlat-iperf3", MFD_CLOEXEC);
	if (s->json_fd < 0) {
		vnl_errno("cannot make a buffer for iperf3's report");
		return -1;
	}
	return spawn(&s->client, sp->client_netns, argv, s->json_fd);
}

static bool spec_ok(const struct vnl_load_spec *sp)
{
	if (sp->proto != VNL_LOAD_UDP && sp->proto != VNL_LOAD_TCP) {
		vnl_err("background load needs udp or tcp streams");
		return false;
	}
	if (sp->streams < 1 || sp->streams > VNL_LOAD_MAX_STREAMS) {
		vnl_err("background load of %u streams; use 1 to %d", sp->streams, VNL_LOAD_MAX_STREAMS);
		return false;
	}
	if (sp->duration_ns <= 0) {
		vnl_err("background load needs a duration");
		return false;
	}
	const char *bad = !vnl_load_addr_allowed(sp->server_addr) ? sp->server_addr
			: sp->client_addr && !vnl_load_addr_allowed(sp->client_addr) ? sp->client_addr
			: NULL;
	if (bad || !sp->server_addr) {
		vnl_err("background load to '%s' refused: load stays inside the lab, on the documentation "
			"ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32",
			bad ? bad : "(none)");
		return false;
	}
	unsigned base = sp->base_port ? sp->base_port : VNL_LOAD_BASE_PORT;
	if (base + sp->streams - 1 > 65535) {
		vnl_err("background load ports %u.. do not fit; use a lower base port", base);
		return false;
	}
	if ((!sp->server_agent || !sp->client_agent) && !in_path("iperf3")) {
		vnl_err("iperf3 is not installed; background load needs it (apt-get install iperf3)");
		return false;
	}
	return true;
}

struct vnl_load *vnl_load_start(const struct vnl_load_spec *spec)
{
	if (!spec_ok(spec))
		return NULL;
	struct vnl_load *l = calloc(1, sizeof(*l));
	if (!l) {
		vnl_errno("background load");
		return NULL;
	}
	l->spec = *spec;
	unsigned base = spec->base_port ? spec->base_port : VNL_LOAD_BASE_PORT;
	for (unsigned i = 0; i < spec->streams; i++) {
		struct stream *s = &l->s[i];
		s->port = (uint16_t)(base + i);
		s->json_fd = -1;
		s->server = (struct child){ .agent = spec->server_agent, .role = "server", .port = s->port };
		s->client = (struct child){ .agent = spec->client_agent, .role = "client", .port = s->port };
	}
	/* every server listens before any client starts, so the clients start together */
	for (l->n = 0; l->n < spec->streams; l->n++)
		if (start_server(l, &l->s[l->n]) != 0) {
			l->n++;
			goto fail;
		}
	for (unsigned i = 0; i < l->n; i++)
		if (start_client(l, &l->s[i]) != 0)
			goto fail;
	return l;
fail:
	{
		struct vnl_load_result ignored;
		vnl_load_stop(l, &ignored);
	}
	return NULL;
}

int vnl_load_wait(struct vnl_load *l, int64_t timeout_ns)
{
	int64_t deadline = now_ns() + timeout_ns;

	for (;;) {
		bool all = true;
		bool guest = false;
		for (unsigned i = 0; i < l->n && all; i++) {
			all &= child_exited(&l->s[i].client);
			guest |= l->s[i].client.agent != NULL;
		}
		if (all)
			return 0;
		if (now_ns() >= deadline)
			return 1;
		nap(guest ? GUEST_POLL_NS : POLL_NS);
	}
}

/* Ask (SIG), wait for the grace time, then SIGKILL and reap whatever is left. */
static void end_children(struct vnl_load *l, bool clients, int sig)
{
	for (unsigned i = 0; i < l->n; i++) {
		struct child *c = clients ? &l->s[i].client : &l->s[i].server;
		if (c->agent) /* one script each: signal, wait, SIGKILL, output */
			guest_end(c, sig, clients ? &l->s[i].guest_json : NULL);
	}
	for (unsigned i = 0; i < l->n; i++)
		signal_group(clients ? &l->s[i].client : &l->s[i].server, sig);
	int64_t deadline = now_ns() + STOP_GRACE_NS;
	for (;;) {
		bool all = true;
		for (unsigned i = 0; i < l->n; i++)
			all &= exited(clients ? &l->s[i].client : &l->s[i].server);
		if (all || now_ns() >= deadline)
			break;
		nap(POLL_NS);
	}
	for (unsigned i = 0; i < l->n; i++) {
		struct child *c = clients ? &l->s[i].client : &l->s[i].server;
		if (c->pid && !c->reaped) {
			vnl_child_stop(c->proc, SIGKILL, -1);
			reaped(c);
		}
	}
}

static double num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

static void describe_exit(const struct child *c, char *buf, size_t len)
{
	if (!c->pid)
		snprintf(buf, len, "iperf3 client was not started");
	else if (WIFSIGNALED(c->status))
		snprintf(buf, len, "iperf3 client was killed by signal %d", WTERMSIG(c->status));
	else if (WEXITSTATUS(c->status) == 127)
		snprintf(buf, len, "iperf3 could not be run");
	else if (WEXITSTATUS(c->status) == 124)
		snprintf(buf, len, "could not enter the client's namespace");
	else
		snprintf(buf, len, "iperf3 client exited with status %d and no report",
			 WEXITSTATUS(c->status));
}

/* Read a finished client's --json report into R. */
static void read_report(const struct stream *s, struct vnl_load_stream *r)
{
	memset(r, 0, sizeof(*r));
	r->port = s->port;
	json_t *root = NULL;
	if (s->guest_json) {
		root = json_loads(s->guest_json, 0, NULL);
	} else if (s->json_fd >= 0) {
		off_t size = lseek(s->json_fd, 0, SEEK_END);
		char *text = size > 0 ? malloc((size_t)size + 1) : NULL;
		if (text && pread(s->json_fd, text, (size_t)size, 0) == size) {
			text[size] = '\0';
			root = json_loads(text, 0, NULL);
		}
		free(text);
	}
	if (!root) {
		describe_exit(&s->client, r->error, sizeof(r->error));
		return;
	}
	json_t *end = json_object_get(root, "end");
	json_t *sent = json_object_get(end, "sum_sent");
	json_t *recv = json_object_get(end, "sum_received");
	json_t *sum = json_object_get(end, "sum"); /* UDP: loss and jitter */
	json_t *err = json_object_get(root, "error");
	if (!sent)
		sent = sum;
	r->sent_bps = num(sent, "bits_per_second");
	r->bytes = (uint64_t)num(sent, "bytes");
	r->seconds = num(sent, "seconds");
	r->lost_percent = num(sum, "lost_percent");
	r->jitter_ms = num(sum, "jitter_ms");
	/* an interrupted client never hears the receiver's side: 0 there */
	r->received_bps = num(recv, "bits_per_second");
	bool clean = s->client.reaped && WIFEXITED(s->client.status) && !WEXITSTATUS(s->client.status);
	r->complete = !err && clean && r->received_bps > 0;
	r->ok = sent && (!err || r->sent_bps > 0);
	if (err)
		snprintf(r->error, sizeof(r->error), "iperf3: %s",
			 json_is_string(err) ? json_string_value(err) : "error");
	else if (!sent)
		snprintf(r->error, sizeof(r->error), "iperf3's report has no totals");
	json_decref(root);
}

int vnl_load_stop(struct vnl_load *l, struct vnl_load_result *out)
{
	int ret = 0;

	if (!l)
		return -1;
	memset(out, 0, sizeof(*out));
	/* clients first: on SIGINT they still print what they sent; servers then exit by themselves */
	end_children(l, true, SIGINT);
	end_children(l, false, SIGTERM);
	out->streams = l->n;
	for (unsigned i = 0; i < l->n; i++) {
		struct vnl_load_stream *r = &out->stream[i];
		read_report(&l->s[i], r);
		out->total_bps += r->complete ? r->received_bps : r->sent_bps;
		if (!r->ok)
			ret = -1;
		if (l->s[i].json_fd >= 0)
			close(l->s[i].json_fd);
		free(l->s[i].guest_json);
	}
	free(l);
	return ret;
}

json_t *vnl_load_result_json(const struct vnl_load_result *r)
{
	json_t *streams = json_array();
	for (unsigned i = 0; i < r->streams; i++) {
		const struct vnl_load_stream *s = &r->stream[i];
		json_t *o = json_pack("{s:i, s:b, s:b, s:f, s:f, s:I, s:f, s:f, s:f}",
				      "port", s->port, "ok", s->ok, "complete", s->complete,
				      "sent_bps", s->sent_bps, "received_bps", s->received_bps,
				      "bytes", (json_int_t)s->bytes, "seconds", s->seconds,
				      "lost_percent", s->lost_percent, "jitter_ms", s->jitter_ms);
		if (o && s->error[0])
			json_object_set_new(o, "error", json_string(s->error));
		json_array_append_new(streams, o);
	}
	return json_pack("{s:f, s:o}", "total_bps", r->total_bps, "streams", streams);
}
