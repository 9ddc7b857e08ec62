/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The other machine, reached with OpenSSH's client (the user's keys and
 * ~/.ssh/config): one master connection per run (ControlMaster, BatchMode),
 * every command multiplexed over it. vnetlat writes no daemon of its own: the
 * remote needs sshd and a POSIX shell.
 *
 * A long-running remote program is started under a small shell watcher that
 * sends it SIGINT when its standard input ends: closing our end of the pipe,
 * losing the connection and killing the master all end it, and it still
 * writes what it measured (sshd sends no SIGHUP without a terminal).
 */
#ifndef VNL_SSH_H
#define VNL_SSH_H

#include <stdbool.h>
#include <stddef.h>

struct vnl_child;

/* ssh://[USER@]HOST[:PORT] (HOST may be [IPv6]). */
struct vnl_ssh_url {
	char user[64];    /* "" : ssh's default (~/.ssh/config, the local user) */
	char host[256];
	unsigned port;    /* 0: ssh's default */
};

/* 0, or -1 with WHY (a static string). */
int vnl_ssh_url_parse(const char *url, struct vnl_ssh_url *u, const char **why);

struct vnl_ssh;

/*
 * Opens the master connection to URL with OPTIONS (NOPT "-o" values) and
 * waits until it is up (at most CONNECT_S seconds). NULL with WHY: ssh's own
 * words (authentication, name resolution, refused, timed out) and what to do.
 */
struct vnl_ssh *vnl_ssh_open(const char *url, const char *const *options, size_t nopt,
			     int connect_s, char *why, size_t why_len);
/* Closes the master (every multiplexed session with it) and forgets S. */
void vnl_ssh_close(struct vnl_ssh *s);
/* "USER@HOST" or "HOST", as reports name the remote end. */
const char *vnl_ssh_name(const struct vnl_ssh *s);
/* Is the master still connected? */
bool vnl_ssh_alive(const struct vnl_ssh *s);

/*
 * Runs the shell command CMD on the remote (already quoted: vnl_ssh_quote),
 * its standard input from the local file IN_PATH (NULL: none), stdout and
 * stderr together into OUT (may be NULL). Its exit status, 255 when ssh
 * failed, -1 when ssh could not be started.
 */
int vnl_ssh_run(struct vnl_ssh *s, const char *cmd, const char *in_path, char *out, size_t len,
		int timeout_s);
/* Like vnl_ssh_run, stdout to the local file OUT_PATH (created or emptied). */
int vnl_ssh_fetch(struct vnl_ssh *s, const char *cmd, const char *out_path, int timeout_s);

/*
 * Starts ARGV (NULL-terminated; argv[0] a path on the remote) under the
 * watcher. *STDIN_FD is our end of its standard input: close it to stop the
 * program (SIGINT there). Its stdout and stderr are ours unless QUIET says
 * otherwise. AFTER (a shell command, NULL: none) runs there once it has ended,
 * also when the connection dropped. 0, or -1 (errno).
 */
enum vnl_ssh_quiet { VNL_SSH_QUIET_NONE, VNL_SSH_QUIET_STDOUT, VNL_SSH_QUIET_ALL };
int vnl_ssh_spawn(struct vnl_ssh *s, const char *const argv[], enum vnl_ssh_quiet quiet,
		  const char *after, struct vnl_child **child, int *stdin_fd);

/* Appends ARG to BUF quoted for a POSIX shell ('...'); false when it does not fit. */
bool vnl_ssh_quote(char *buf, size_t len, const char *arg);

#endif
