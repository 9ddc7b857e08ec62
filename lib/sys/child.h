/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Child processes on the host: the one place vnetlat starts, signals, waits
 * for and stops a program. Set-up code only, never the per-packet path.
 *
 * In the child, before exec: signal dispositions back to their defaults and
 * an empty signal mask, stdin/stdout/stderr as asked, every other descriptor
 * closed, optionally its own process group (or session), its working
 * directory and a named network namespace. Exit status 127: the program could
 * not be run (not found); 126: the directory or the namespace could not be
 * entered (unless opts say otherwise).
 *
 * Functions returning int return 0 or -1 with errno set unless said otherwise.
 */
#ifndef VNL_CHILD_H
#define VNL_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vnl_child;

/* Where one of the child's standard descriptors comes from or goes to. */
enum vnl_child_io {
	VNL_CHILD_NULL = 0,    /* /dev/null */
	VNL_CHILD_INHERIT,     /* the caller's own */
	VNL_CHILD_TRUNCATE,    /* the file .path, created 0644 or emptied */
	VNL_CHILD_APPEND,      /* the file .path, created 0644 or appended to */
	VNL_CHILD_CAPTURE,     /* a pipe into a buffer (vnl_child_output); stdout, stderr */
	VNL_CHILD_FD,          /* the caller's descriptor .fd */
	VNL_CHILD_AS_STDOUT,   /* stderr only: wherever stdout goes */
};

struct vnl_child_stream {
	enum vnl_child_io how;
	const char *path;      /* TRUNCATE, APPEND */
	int fd;                /* FD */
};

struct vnl_child_opts {
	const char *exe;       /* the program to run, when not argv[0] (argv[0] is only its name) */
	const char *netns;     /* a named network namespace to run in (vnl_netns_enter), or NULL */
	const char *dir;       /* working directory, or NULL */
	struct vnl_child_stream in, out, err;
	bool own_group;        /* its own process group: signals go to the whole group */
	bool new_session;      /* its own session (a daemon outliving us and our terminal) */
	bool die_with_parent;  /* SIGKILL when the caller dies (PR_SET_PDEATHSIG) */
	/*
	 * Started held: it waits before doing anything until vnl_child_release
	 * (a caller that must record the pid first); released with go false, or
	 * when the caller dies, it exits 0 without running anything.
	 */
	bool hold;
	bool netns_net_only;   /* enter only its network namespace (setns): no private mount
				* namespace, /sys as it is */
	const int *keep_fds;   /* descriptors it inherits besides 0-2, ended by -1 (a tap) */
	const char *const *env;  /* "NAME=value" to add to its environment, NULL-terminated */
	size_t capture_max;    /* CAPTURE keeps the last this many bytes (0: 64 KiB) */
	int netns_status;      /* exit status when the namespace cannot be entered (0: 126) */
	bool quiet;            /* do not say on its stderr why it could not be run */
	const char *say_prefix; /* what starts such a line (NULL: "vnetlat: ") */
};

/* Starts ARGV (NULL-terminated, argv[0] looked up in PATH unless it has a '/'). */
int vnl_child_spawn(struct vnl_child **out, const char *const argv[],
		    const struct vnl_child_opts *o);
/*
 * Runs FN(ARG) in a child prepared as for a program (descriptors are kept: it is
 * our own code) and exits with its return value (0..255).
 */
int vnl_child_call(struct vnl_child **out, int (*fn)(void *), void *arg,
		   const struct vnl_child_opts *o);
/* Becomes ARGV (execvp, this process replaced); returns -1 (errno) when it cannot. */
int vnl_child_replace(const char *const argv[]);
/* Lets a held child go on (GO) or end without running anything (!GO). */
int vnl_child_release(struct vnl_child *c, bool go);
pid_t vnl_child_pid(const struct vnl_child *c);
/* Has it ended? Non-blocking; reaps it once (a reaped child is never signalled). */
bool vnl_child_poll(struct vnl_child *c);
/* Waits until it ends or TIMEOUT_NS (< 0: no limit) passes: 0, or -1 ETIMEDOUT. */
int vnl_child_wait(struct vnl_child *c, int64_t timeout_ns);
/* SIG to it, or to its group when it has its own; nothing once it has ended. */
int vnl_child_signal(struct vnl_child *c, int sig);
/*
 * Ends it: SIG (to the group when it has one), up to GRACE_NS for it to end,
 * then SIGKILL and a wait. Returns its status (vnl_child_status).
 */
int vnl_child_stop(struct vnl_child *c, int sig, int64_t grace_ns);
/* Its exit code, or 128+signal when a signal ended it; -1 while it runs. */
int vnl_child_status(const struct vnl_child *c);
/* The signal that ended it, or 0. */
int vnl_child_term_signal(const struct vnl_child *c);
/*
 * What it wrote to a CAPTURE stdout/stderr (NUL-terminated, the last
 * capture_max bytes); complete once it has ended. LEN may be NULL.
 */
const char *vnl_child_output(const struct vnl_child *c, size_t *len);
/*
 * Forgets C. A child still running is neither signalled nor waited for (a
 * daemon meant to outlive us); vnl_child_stop first to end it.
 */
void vnl_child_free(struct vnl_child *c);

/*
 * Runs ARGV to its end with options O (NULL: all /dev/null), at most
 * TIMEOUT_NS (< 0: no limit; then SIGTERM, 1 s, SIGKILL). Its status, or -1
 * when it could not be started.
 */
int vnl_child_run(const char *const argv[], const struct vnl_child_opts *o, int64_t timeout_ns);

/* This program's own path (/proc/self/exe, read once), or NULL (errno). */
const char *vnl_self_exe(void);

#endif
