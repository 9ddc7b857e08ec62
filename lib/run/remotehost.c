/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remotehost.h"

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "guestarch.h"
#include "guestimg.h"
#include "log.h"
#include "runcmd.h"
#include "ssh.h"
#include "timeutil.h"

#define CONNECT_S 10
#define CMD_S 30          /* a remote command; copying the binary included */
#define LISTEN_WAIT_MS 10000

struct vnl_remotehost {
	struct vnl_ssh *ssh;
	char url[300];
	char dir[128];            /* mktemp -d there; "" before it exists */
	char exe[160];            /* the vnetlat run there */
	char version[64];         /* its first --version line */
	char arch[32], kernel[128];
	bool copied;
	struct vnl_child *clock;  /* the clock answerer, while it runs */
	int clock_in;
};

/* The first line of TEXT into BUF, without its newline. */
static void first_line(const char *text, char *buf, size_t len)
{
	size_t n = strcspn(text, "\r\n");
	snprintf(buf, len, "%.*s", (int)n, text);
}

/* CMD there; its first output line into LINE. The exit status (vnl_ssh_run). */
static int remote_line(struct vnl_remotehost *h, const char *cmd, char *line, size_t len)
{
	char out[1024];
	int st = vnl_ssh_run(h->ssh, cmd, NULL, out, sizeof(out), CMD_S);
	first_line(st >= 0 ? out : "", line, len);
	return st;
}

/* Our own "vnetlat X.Y.Z". */
static const char *own_version(void)
{
	return "vnetlat " VNL_VERSION;
}

/* The mktemp -d directory: its name is checked, as everything rm -rf later removes is. */
static int make_dir(struct vnl_remotehost *h)
{
	char line[160];
	int st = remote_line(h, "mktemp -d /tmp/vnetlat.XXXXXXXX", line, sizeof(line));
	if (st || strncmp(line, "/tmp/vnetlat.", 13) || strspn(line + 13,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(line + 13)) {
		vnl_err("cannot make a private directory on %s with 'mktemp -d' (%s%s)",
			vnl_ssh_name(h->ssh), st ? "exit status " : "it said: ", st ? "" : line);
		return -1;
	}
	vnl_pathf(h->dir, sizeof(h->dir), "%s", line);
	return 0;
}

/* The static vnetlat for the remote's architecture, copied into the directory. */
static int copy_static(struct vnl_remotehost *h)
{
	const struct vnl_guestarch *arch = vnl_guestarch_find(h->arch);
	char local[PATH_MAX], cmd[512], line[160];
	if (!arch) {
		vnl_err("%s runs on %s, for which vnetlat has no static build (it has: %s); install "
			"vnetlat %s there", vnl_ssh_name(h->ssh), h->arch[0] ? h->arch : "an unknown "
			"architecture", vnl_guestarch_names(), VNL_VERSION);
		return -1;
	}
	if (vnl_guestimg_find_static(arch, local, sizeof(local))) {
		vnl_err("%s has no vnetlat %s and this host has no static vnetlat for %s to copy "
			"there (vnetlat-static%s%s next to this program; scripts/build-guest-static "
			"%s); or install vnetlat there", vnl_ssh_name(h->ssh), VNL_VERSION, arch->name,
			vnl_guestarch_native(arch) ? "" : "-", vnl_guestarch_native(arch) ? "" :
			arch->name, arch->name);
		return -1;
	}
	snprintf(h->exe, sizeof(h->exe), "%s/vnetlat", h->dir);
	snprintf(cmd, sizeof(cmd), "cat > %s/vnetlat && chmod 700 %s/vnetlat && %s/vnetlat "
		 "--version", h->dir, h->dir, h->dir);
	char out[1024];
	int st = vnl_ssh_run(h->ssh, cmd, local, out, sizeof(out), CMD_S);
	first_line(st >= 0 ? out : "", line, sizeof(line));
	if (st || strcmp(line, own_version())) {
		vnl_err("copying %s to %s:%s failed (exit status %d: %s)", local,
			vnl_ssh_name(h->ssh), h->exe, st, line[0] ? line : "no output");
		return -1;
	}
	vnl_pathf(h->version, sizeof(h->version), "%s", line);
	h->copied = true;
	return 0;
}

/* Its own vnetlat when it is ours, else the static build copied. */
static int prepare_vnetlat(struct vnl_remotehost *h)
{
	char line[160];
	remote_line(h, "uname -m", h->arch, sizeof(h->arch));
	remote_line(h, "uname -r", h->kernel, sizeof(h->kernel));
	if (make_dir(h))
		return -1;
	int st = remote_line(h, "command -v vnetlat >/dev/null 2>&1 && vnetlat --version", line,
			     sizeof(line));
	if (st == 0 && !strcmp(line, own_version())) {
		snprintf(h->exe, sizeof(h->exe), "vnetlat");
		vnl_pathf(h->version, sizeof(h->version), "%s", line);
		return 0;
	}
	vnl_notice("%s has %s%s%s: copying the static vnetlat for %s into %s (removed at the end)",
		   vnl_ssh_name(h->ssh), st ? "no vnetlat" : "'", st ? "" : line, st ? "" : "'",
		   h->arch, h->dir);
	return copy_static(h);
}

struct vnl_remotehost *vnl_remotehost_open(const char *url, const char *const *options,
					   size_t nopt)
{
	struct vnl_remotehost *h = calloc(1, sizeof(*h));
	char why[700];
	if (!h) {
		vnl_errno("out of memory");
		return NULL;
	}
	h->clock_in = -1;
	snprintf(h->url, sizeof(h->url), "%s", url);
	h->ssh = vnl_ssh_open(url, options, nopt, CONNECT_S, why, sizeof(why));
	if (!h->ssh) {
		vnl_err("--remote %s: %s", url, why);
		free(h);
		return NULL;
	}
	if (prepare_vnetlat(h)) {
		vnl_remotehost_close(h);
		return NULL;
	}
	return h;
}

void vnl_remotehost_close(struct vnl_remotehost *h)
{
	if (!h)
		return;
	if (h->clock) {
		close(h->clock_in);
		if (vnl_child_wait(h->clock, 5 * VNL_NSEC_PER_SEC))
			vnl_child_stop(h->clock, SIGTERM, VNL_NSEC_PER_SEC);
		vnl_child_free(h->clock);
	}
	if (h->dir[0]) {
		char cmd[192];
		snprintf(cmd, sizeof(cmd), "rm -rf -- %s", h->dir);
		if (vnl_ssh_run(h->ssh, cmd, NULL, NULL, 0, CMD_S))
			vnl_err("could not remove %s on %s (the connection is gone?): remove it by "
				"hand", h->dir, vnl_ssh_name(h->ssh));
	}
	vnl_ssh_close(h->ssh);
	free(h);
}

const char *vnl_remotehost_name(const struct vnl_remotehost *h)
{
	return vnl_ssh_name(h->ssh);
}

const char *vnl_remotehost_dir(const struct vnl_remotehost *h)
{
	return h->dir;
}

bool vnl_remotehost_alive(const struct vnl_remotehost *h)
{
	return vnl_ssh_alive(h->ssh);
}

static int spawn(struct vnl_remotehost *h, const char *const argv[], enum vnl_ssh_quiet quiet,
		 const char *after, struct vnl_child **child, int *stdin_fd)
{
	const char *v[64];
	int n = 0;
	v[n++] = h->exe;
	for (int i = 1; argv[i] && n < 63; i++)
		v[n++] = argv[i];
	v[n] = NULL;
	return vnl_ssh_spawn(h->ssh, v, quiet, after, child, stdin_fd);
}

int vnl_remotehost_spawn(struct vnl_remotehost *h, const char *const argv[],
			 struct vnl_child **child, int *stdin_fd)
{
	/* stdout as run's other children: none; stderr: its errors are the user's */
	return spawn(h, argv, VNL_SSH_QUIET_STDOUT, NULL, child, stdin_fd);
}

int vnl_remotehost_vnetlat(struct vnl_remotehost *h, const char *const argv[], char *out,
			   size_t len)
{
	char cmd[2048] = "";
	bool fits = vnl_ssh_quote(cmd, sizeof(cmd), h->exe);
	for (int i = 1; fits && argv[i]; i++)
		fits = vnl_ssh_quote(cmd, sizeof(cmd), argv[i]);
	if (!fits || strlen(cmd) + 16 > sizeof(cmd))
		return -1;
	strcat(cmd, " 2>/dev/null");
	return vnl_ssh_run(h->ssh, cmd, NULL, out, len, CMD_S);
}

void vnl_remotehost_ifname(struct vnl_remotehost *h, const char *addr, char *buf, size_t len)
{
	char cmd[160] = "ip -o addr show to", out[512];
	buf[0] = '\0';
	if (!vnl_ssh_quote(cmd, sizeof(cmd), addr) ||
	    vnl_ssh_run(h->ssh, cmd, NULL, out, sizeof(out), CMD_S))
		return;
	/* "2: wire0    inet 192.0.2.1/24 ...": the second field */
	char name[32];
	if (sscanf(out, "%*d: %31[^ :@]", name) == 1)
		vnl_pathf(buf, len, "%s", name);
}

bool vnl_remotehost_listening(struct vnl_remotehost *h, uint16_t port)
{
	char out[65536], pat[16];
	if (vnl_ssh_run(h->ssh, "cat /proc/net/udp /proc/net/udp6", NULL, out, sizeof(out), CMD_S))
		return false;
	snprintf(pat, sizeof(pat), ":%04X ", port);
	return strstr(out, pat) != NULL;
}

int vnl_remotehost_fetch(struct vnl_remotehost *h, const char *path, const char *local)
{
	char cmd[PATH_MAX + 16] = "cat";
	if (!vnl_ssh_quote(cmd, sizeof(cmd), path))
		return -1;
	int st = vnl_ssh_fetch(h->ssh, cmd, local, CMD_S);
	if (st) {
		vnl_err("cannot copy %s from %s (exit status %d%s)", path, vnl_ssh_name(h->ssh), st,
			st == 255 ? ": the ssh connection failed" : "");
		return -1;
	}
	return 0;
}

int vnl_remotehost_read(struct vnl_remotehost *h, const char *path, char *buf, size_t len)
{
	char cmd[PATH_MAX + 16] = "cat";
	if (!vnl_ssh_quote(cmd, sizeof(cmd), path))
		return -1;
	return vnl_ssh_run(h->ssh, cmd, NULL, buf, len, CMD_S) ? -1 : 0;
}

int vnl_remotehost_clock_start(struct vnl_remotehost *h, const char *addr, uint16_t port)
{
	char p[8];
	snprintf(p, sizeof(p), "%u", port);
	const char *const argv[] = { "vnetlat", "clock", "answer", "--bind", addr, "--port", p,
				     NULL };
	/* it lives as long as the run: when it ends, the connection dropped included, the
	 * directory goes with it (nothing of the run stays there) */
	char after[160];
	snprintf(after, sizeof(after), "rm -rf -- %s", h->dir);
	/* its tally at the end is noise here; a failure shows as no listener */
	if (spawn(h, argv, VNL_SSH_QUIET_ALL, after, &h->clock, &h->clock_in)) {
		vnl_errno("cannot start 'vnetlat clock answer' on %s", vnl_ssh_name(h->ssh));
		return -1;
	}
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + LISTEN_WAIT_MS * VNL_NSEC_PER_MSEC;
	while (vnl_now_ns(CLOCK_MONOTONIC) < until) {
		if (vnl_child_poll(h->clock))
			break;
		if (vnl_remotehost_listening(h, port))
			return 0;
		usleep(50000);
	}
	vnl_err("'vnetlat clock answer --bind %s --port %s' on %s %s; its clock cannot be "
		"related to this host's (is %s its address, and UDP port %s free there?)", addr, p,
		vnl_ssh_name(h->ssh), vnl_child_poll(h->clock) ? "ended at once" :
		"never listened", addr, p);
	return -1;
}

json_t *vnl_remotehost_json(const struct vnl_remotehost *h)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "name", vnl_ssh_name(h->ssh),
			 "url", h->url, "arch", h->arch, "kernel", h->kernel, "vnetlat",
			 "version", h->version, "how", h->copied ? "copied" : "found", "path",
			 h->exe);
}
