/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "runcmd.h"
#include "timeutil.h"

#define MAX_OPTS 16
#define MAX_ARGV (16 + 2 * MAX_OPTS)

struct vnl_ssh {
	struct vnl_ssh_url url;
	char dir[64];          /* private directory of the control socket */
	char ctl[96];
	char port[8];
	char name[330];
	char *opts[MAX_OPTS];
	size_t nopt;
	struct vnl_child *master;
};

int vnl_ssh_url_parse(const char *url, struct vnl_ssh_url *u, const char **why)
{
	memset(u, 0, sizeof(*u));
	if (strncmp(url, "ssh://", 6)) {
		*why = "expected ssh://[USER@]HOST[:PORT]";
		return -1;
	}
	const char *p = url + 6, *at = strchr(p, '@');
	if (at) {
		if (at == p || (size_t)(at - p) >= sizeof(u->user)) {
			*why = "the user before '@' is empty or too long";
			return -1;
		}
		memcpy(u->user, p, (size_t)(at - p));
		p = at + 1;
	}
	const char *end, *colon;
	if (*p == '[') { /* [IPv6]:PORT */
		end = strchr(p, ']');
		if (!end) {
			*why = "an IPv6 host needs its closing ']'";
			return -1;
		}
		p++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon) {
			*why = "only ':PORT' may follow ']'";
			return -1;
		}
	} else {
		colon = strchr(p, ':');
		end = colon ? colon : p + strlen(p);
	}
	if (end == p || (size_t)(end - p) >= sizeof(u->host)) {
		*why = "the host is empty or too long";
		return -1;
	}
	memcpy(u->host, p, (size_t)(end - p));
	for (const char *c = u->host; *c; c++)
		if (*c == '/' || *c == ' ' || (*c == '-' && c == u->host)) {
			*why = "the host may not hold '/' or spaces, nor start with '-'";
			return -1;
		}
	for (const char *c = u->user; *c; c++)
		if (*c == '/' || *c == ' ' || *c == ':' || (*c == '-' && c == u->user)) {
			*why = "the user may not hold '/', ':' or spaces, nor start with '-'";
			return -1;
		}
	if (colon) {
		char *e;
		errno = 0;
		unsigned long port = strtoul(colon + 1, &e, 10);
		if (!colon[1] || *e || errno || port < 1 || port > 65535) {
			*why = "the port must be a number from 1 to 65535";
			return -1;
		}
		u->port = (unsigned)port;
	}
	return 0;
}

bool vnl_ssh_quote(char *buf, size_t len, const char *arg)
{
	size_t start = strlen(buf), n = start;
	if (n)
		buf[n++] = ' ';
	if (n + 3 > len)
		goto too_long;
	buf[n++] = '\'';
	for (const char *c = arg; *c; c++) {
		bool quote = *c == '\''; /* closed, an escaped quote, reopened */
		size_t k = quote ? 4 : 1;
		if (n + k + 2 > len)
			goto too_long;
		memcpy(buf + n, quote ? "'\\''" : c, k);
		n += k;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return true;
too_long:
	buf[start] = '\0'; /* left as it was */
	return false;
}

/* ssh [MASTER] -S CTL -o BatchMode=yes [-p PORT] [-l USER] [-o OPT...] -- HOST: into ARGV. */
static int base_argv(const struct vnl_ssh *s, const char **argv, bool master, int connect_s)
{
	static char timeout[32];
	int n = 0;
	argv[n++] = "ssh";
	if (master) {
		snprintf(timeout, sizeof(timeout), "ConnectTimeout=%d", connect_s);
		argv[n++] = "-M";
		argv[n++] = "-N";
		argv[n++] = "-o";
		argv[n++] = "ControlPersist=no";
		argv[n++] = "-o";
		argv[n++] = timeout;
		/* a dropped link is noticed within about 6 s, not at TCP's leisure */
		argv[n++] = "-o";
		argv[n++] = "ServerAliveInterval=2";
		argv[n++] = "-o";
		argv[n++] = "ServerAliveCountMax=3";
	}
	argv[n++] = "-S";
	argv[n++] = s->ctl;
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (s->url.port) {
		argv[n++] = "-p";
		argv[n++] = s->port;
	}
	if (s->url.user[0]) {
		argv[n++] = "-l";
		argv[n++] = s->url.user;
	}
	for (size_t i = 0; i < s->nopt; i++) {
		argv[n++] = "-o";
		argv[n++] = s->opts[i];
	}
	argv[n++] = "--";
	argv[n++] = s->url.host;
	argv[n] = NULL;
	return n;
}

bool vnl_ssh_alive(const struct vnl_ssh *s)
{
	if (!s->master || vnl_child_poll(s->master))
		return false;
	const char *argv[MAX_ARGV];
	int n = base_argv(s, argv, false, 0);
	argv[n - 2] = "-O"; /* ssh -S CTL ... -O check HOST */
	argv[n - 1] = "check";
	argv[n] = s->url.host;
	argv[n + 1] = NULL;
	return vnl_child_run(argv, NULL, 5 * VNL_NSEC_PER_SEC) == 0;
}

/* The master's last words, one line. */
static void master_said(const struct vnl_ssh *s, char *why, size_t len)
{
	const char *out = vnl_child_output(s->master, NULL);
	char line[400];
	snprintf(line, sizeof(line), "%s", out && *out ? vnl_tail_lines(out, 2) : "no message");
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = *(c + 1) ? ' ' : '\0';
	snprintf(why, len, "ssh to %s failed: %s (check that 'ssh -o BatchMode=yes %s%s%s true' "
		 "works: keys in ssh-agent or ~/.ssh, the host key known, sshd running; pass ssh "
		 "options with --ssh-option)", s->name, line, s->url.user[0] ? s->url.user : "",
		 s->url.user[0] ? "@" : "", s->url.host);
}

struct vnl_ssh *vnl_ssh_open(const char *url, const char *const *options, size_t nopt,
			     int connect_s, char *why, size_t why_len)
{
	const char *bad;
	struct vnl_ssh *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	if (vnl_ssh_url_parse(url, &s->url, &bad)) {
		snprintf(why, why_len, "'%s': %s", url, bad);
		free(s);
		return NULL;
	}
	if (nopt > MAX_OPTS) {
		snprintf(why, why_len, "at most %d --ssh-option", MAX_OPTS);
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < nopt; i++)
		s->opts[s->nopt++] = (char *)options[i];
	snprintf(s->port, sizeof(s->port), "%u", s->url.port);
	snprintf(s->name, sizeof(s->name), "%s%s%s", s->url.user, s->url.user[0] ? "@" : "",
		 s->url.host);
	snprintf(s->dir, sizeof(s->dir), "/tmp/vnetlat-ssh.XXXXXX");
	if (!mkdtemp(s->dir)) {
		snprintf(why, why_len, "cannot make a directory for the ssh control socket: %s",
			 strerror(errno));
		free(s);
		return NULL;
	}
	snprintf(s->ctl, sizeof(s->ctl), "%s/ctl", s->dir);
	const char *argv[MAX_ARGV];
	base_argv(s, argv, true, connect_s);
	struct vnl_child_opts o = { .err = { .how = VNL_CHILD_CAPTURE }, .die_with_parent = true,
				    .capture_max = 4096 };
	if (vnl_child_spawn(&s->master, argv, &o)) {
		snprintf(why, why_len, "cannot run ssh: %s (install openssh-client)", strerror(errno));
		vnl_ssh_close(s);
		return NULL;
	}
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + (int64_t)(connect_s + 5) * VNL_NSEC_PER_SEC;
	while (vnl_now_ns(CLOCK_MONOTONIC) < until) {
		if (vnl_child_poll(s->master)) {
			int st = vnl_child_status(s->master);
			if (st == 127)
				snprintf(why, why_len, "ssh is not installed (install openssh-client)");
			else
				master_said(s, why, why_len);
			vnl_ssh_close(s);
			return NULL;
		}
		if (access(s->ctl, F_OK) == 0 && vnl_ssh_alive(s))
			return s;
		usleep(50000);
	}
	snprintf(why, why_len, "ssh to %s did not connect within %d s (is the host reachable? "
		 "--ssh-option ConnectTimeout=N)", s->name, connect_s + 5);
	vnl_ssh_close(s);
	return NULL;
}

void vnl_ssh_close(struct vnl_ssh *s)
{
	if (!s)
		return;
	if (s->master && !vnl_child_poll(s->master)) {
		const char *argv[MAX_ARGV];
		int n = base_argv(s, argv, false, 0);
		argv[n - 2] = "-O";
		argv[n - 1] = "exit";
		argv[n] = s->url.host;
		argv[n + 1] = NULL;
		vnl_child_run(argv, NULL, 5 * VNL_NSEC_PER_SEC);
		vnl_child_stop(s->master, SIGTERM, 2 * VNL_NSEC_PER_SEC);
	}
	vnl_child_free(s->master);
	if (s->ctl[0])
		unlink(s->ctl);
	if (s->dir[0])
		rmdir(s->dir);
	free(s);
}

const char *vnl_ssh_name(const struct vnl_ssh *s)
{
	return s->name;
}

/* ssh ... HOST CMD with the standard descriptors of O. */
static int run_with(struct vnl_ssh *s, const char *cmd, struct vnl_child_opts *o,
		    struct vnl_child **c)
{
	const char *argv[MAX_ARGV];
	int n = base_argv(s, argv, false, 0);
	argv[n++] = cmd;
	argv[n] = NULL;
	return vnl_child_spawn(c, argv, o);
}

static int finish(struct vnl_child *c, int timeout_s, char *out, size_t len)
{
	if (vnl_child_wait(c, (int64_t)timeout_s * VNL_NSEC_PER_SEC))
		vnl_child_stop(c, SIGTERM, VNL_NSEC_PER_SEC);
	int st = vnl_child_status(c);
	if (out && len) {
		const char *o = vnl_child_output(c, NULL);
		snprintf(out, len, "%s", o ? o : "");
	}
	vnl_child_free(c);
	return st;
}

int vnl_ssh_run(struct vnl_ssh *s, const char *cmd, const char *in_path, char *out, size_t len,
		int timeout_s)
{
	int in = in_path ? open(in_path, O_RDONLY | O_CLOEXEC) : -1;
	if (in_path && in < 0)
		return -1;
	struct vnl_child_opts o = {
		.in = in >= 0 ? (struct vnl_child_stream){ .how = VNL_CHILD_FD, .fd = in }
			      : (struct vnl_child_stream){ .how = VNL_CHILD_NULL },
		.out = { .how = out ? VNL_CHILD_CAPTURE : VNL_CHILD_NULL },
		.err = { .how = out ? VNL_CHILD_AS_STDOUT : VNL_CHILD_NULL },
		.capture_max = len > 1 ? len - 1 : 0,
		.die_with_parent = true,
	};
	struct vnl_child *c;
	int rc = run_with(s, cmd, &o, &c);
	if (in >= 0)
		close(in);
	return rc ? -1 : finish(c, timeout_s, out, len);
}

int vnl_ssh_fetch(struct vnl_ssh *s, const char *cmd, const char *out_path, int timeout_s)
{
	struct vnl_child_opts o = {
		.out = { .how = VNL_CHILD_TRUNCATE, .path = out_path },
		.err = { .how = VNL_CHILD_INHERIT },
		.die_with_parent = true,
	};
	struct vnl_child *c;
	return run_with(s, cmd, &o, &c) ? -1 : finish(c, timeout_s, NULL, 0);
}

/*
 * The watcher: "$0" "$@" in the background (its stdin /dev/null, as sh gives
 * any background job), and beside it a reader of our pipe (kept on fd 3) that
 * sends SIGINT when the pipe ends. The program's exit status is the command's.
 */
static const char watcher[] =
	"exec 3<&0; \"$0\" \"$@\" %s& p=$!; "
	"{ cat <&3 >/dev/null 2>&1; kill -INT $p 2>/dev/null; } >/dev/null 2>&1 & w=$!; "
	"exec 3<&-; wait $p; s=$?; kill $w 2>/dev/null; %s%s exit $s";

int vnl_ssh_spawn(struct vnl_ssh *s, const char *const argv[], enum vnl_ssh_quiet quiet,
		  const char *after, struct vnl_child **child, int *stdin_fd)
{
	char cmd[4096] = "sh -c", w[sizeof(watcher) + 512];
	if (after && strlen(after) > 500) {
		errno = E2BIG;
		return -1;
	}
	snprintf(w, sizeof(w), watcher, quiet == VNL_SSH_QUIET_ALL ? ">/dev/null 2>&1 " :
		 quiet == VNL_SSH_QUIET_STDOUT ? ">/dev/null " : "", after ? after : "",
		 after ? ";" : "");
	if (!vnl_ssh_quote(cmd, sizeof(cmd), w)) {
		errno = E2BIG;
		return -1;
	}
	for (int i = 0; argv[i]; i++)
		if (!vnl_ssh_quote(cmd, sizeof(cmd), argv[i])) {
			errno = E2BIG;
			return -1;
		}
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return -1;
	struct vnl_child_opts o = {
		.in = { .how = VNL_CHILD_FD, .fd = p[0] },
		.out = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
		.die_with_parent = true,
	};
	int rc = run_with(s, cmd, &o, child);
	close(p[0]);
	if (rc) {
		close(p[1]);
		return -1;
	}
	*stdin_fd = p[1];
	return 0;
}
