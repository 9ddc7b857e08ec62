/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "child.h"

#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAPTURE_DEFAULT (64 * 1024)
#define NAP_MS 10

struct vnl_child {
	pid_t pid;
	bool group;        /* signals go to -pid */
	bool reaped;
	int wstatus;
	int go;            /* write end of a held child's go pipe, or -1 */
	int pidfd;         /* readable once it has ended; -1 where the kernel has none */
	int cap;           /* read end of the capture pipe, or -1 */
	char *buf;         /* capture: the last max bytes, NUL-terminated */
	size_t used, max;
};

/* ------------------------------------------------------------ in the child */

static void say(const struct vnl_child_opts *o, const char *what, const char *arg)
{
	if (!o->quiet)
		dprintf(STDERR_FILENO, "%s%s %s: %s\n", o->say_prefix ? o->say_prefix : "vnetlat: ",
			what, arg, strerror(errno));
}

static void reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL); /* glibc's own signals refuse: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Puts stream S on descriptor FD. A file that cannot be opened leaves FD as it was. */
static void place(const struct vnl_child_stream *s, int fd, int cap_fd)
{
	int f = -1;
	switch (s->how) {
	case VNL_CHILD_INHERIT:
		return;
	case VNL_CHILD_NULL:
		f = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
		break;
	case VNL_CHILD_TRUNCATE:
	case VNL_CHILD_APPEND:
		f = open(s->path, O_WRONLY | O_CREAT | O_NOCTTY |
			 (s->how == VNL_CHILD_APPEND ? O_APPEND : O_TRUNC), 0644);
		break;
	case VNL_CHILD_CAPTURE:
		dup2(cap_fd, fd);
		return;
	case VNL_CHILD_FD:
		if (s->fd != fd)
			dup2(s->fd, fd);
		return;
	case VNL_CHILD_AS_STDOUT:
		dup2(STDOUT_FILENO, fd);
		return;
	}
	if (f >= 0 && f != fd) {
		dup2(f, fd);
		close(f);
	}
}

/* The smallest descriptor in KEEP at or above LO, or -1. */
static int next_kept(const int *keep, int lo)
{
	int best = -1;
	for (size_t i = 0; keep && keep[i] >= 0; i++)
		if (keep[i] >= lo && (best < 0 || keep[i] < best))
			best = keep[i];
	return best;
}

/*
 * Daemons outlive us: none of our descriptors may stay open in them (a flock(1)
 * lock, a pipe someone waits on for EOF), except those KEEP names, which lose
 * close-on-exec.
 */
static void close_others(const int *keep)
{
	unsigned lo = 3;
	for (int k; (k = next_kept(keep, (int)lo)) >= 0; lo = (unsigned)k + 1) {
		if ((unsigned)k > lo)
			close_range(lo, (unsigned)k - 1, 0);
		fcntl(k, F_SETFD, 0);
	}
	close_range(lo, ~0U, 0);
}

static int enter_netns(const struct vnl_child_opts *o)
{
	if (!o->netns_net_only)
		return vnl_netns_enter(o->netns);
	int fd = vnl_netns_open(o->netns);
	if (fd < 0)
		return -1;
	int rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

static void wait_go(int go_rd)
{
	char c;
	ssize_t n;
	while ((n = read(go_rd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1 || c != 'g')
		_exit(0);
}

/* Everything before the program or function: group, stdio, signals, namespace, directory. */
static void prepare(const struct vnl_child_opts *o, pid_t parent, int go_rd, int cap_fd,
		    bool close_fds)
{
	if (o->new_session)
		setsid();
	else if (o->own_group)
		setpgid(0, 0);
	if (o->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(125); /* the parent died before PDEATHSIG was set */
	}
	if (go_rd >= 0) {
		wait_go(go_rd);
		close(go_rd);
	}
	reset_signals();
	place(&o->in, STDIN_FILENO, cap_fd);
	place(&o->out, STDOUT_FILENO, cap_fd);
	place(&o->err, STDERR_FILENO, cap_fd);
	if (cap_fd > STDERR_FILENO)
		close(cap_fd);
	if (close_fds)
		close_others(o->keep_fds);
	for (size_t i = 0; o->env && o->env[i]; i++)
		putenv((char *)o->env[i]);
	if (o->netns && enter_netns(o) < 0) {
		say(o, "cannot enter network namespace", o->netns);
		_exit(o->netns_status ? o->netns_status : 126);
	}
	if (o->dir && chdir(o->dir) < 0) {
		say(o, "cannot enter", o->dir);
		_exit(126);
	}
}

/* What the child does once prepared: a program, or a function of ours. */
struct job {
	const char *const *argv;
	int (*fn)(void *);
	void *arg;
};

static void in_child(const struct job *j, const struct vnl_child_opts *o, pid_t parent,
		     int go_rd, int cap_fd)
{
	prepare(o, parent, go_rd, cap_fd, !j->fn);
	if (j->fn) {
		int rc = j->fn(j->arg);
		fflush(NULL);
		_exit(rc & 0xff);
	}
	const char *exe = o->exe ? o->exe : j->argv[0];
	execvp(exe, (char *const *)j->argv);
	say(o, "cannot run", exe);
	_exit(127);
}

/* ------------------------------------------------------------ in the parent */

static bool captures(const struct vnl_child_opts *o)
{
	return o->out.how == VNL_CHILD_CAPTURE || o->err.how == VNL_CHILD_CAPTURE;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

static void child_close(struct vnl_child *c)
{
	if (c->go >= 0)
		close(c->go);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->cap >= 0)
		close(c->cap);
	free(c->buf);
	free(c);
}

static struct vnl_child *child_new(const struct vnl_child_opts *o)
{
	struct vnl_child *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->go = c->pidfd = c->cap = -1;
	if (captures(o)) {
		c->max = o->capture_max ? o->capture_max : CAPTURE_DEFAULT;
		c->buf = malloc(c->max + 1);
		if (!c->buf) {
			free(c);
			return NULL;
		}
		c->buf[0] = 0;
	}
	return c;
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

static int start(struct vnl_child **out, const struct job *j, const struct vnl_child_opts *o)
{
	static const struct vnl_child_opts none = { 0 };
	if (!o)
		o = &none;
	struct vnl_child *c = child_new(o);
	int go[2] = { -1, -1 }, cap[2] = { -1, -1 };
	if (!c)
		return -1;
	if ((o->hold && pipe2(go, O_CLOEXEC)) || (c->buf && pipe2(cap, O_CLOEXEC))) {
		int e = errno;
		close_pair(go);
		close_pair(cap);
		child_close(c);
		errno = e;
		return -1;
	}
	pid_t parent = getpid();
	fflush(NULL); /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid == 0) {
		if (go[1] >= 0)
			close(go[1]);
		if (cap[0] >= 0)
			close(cap[0]);
		in_child(j, o, parent, go[0], cap[1]);
	}
	int e = errno;
	if (go[0] >= 0)
		close(go[0]);
	if (cap[1] >= 0)
		close(cap[1]);
	c->go = go[1];
	c->cap = cap[0];
	if (pid < 0) {
		child_close(c);
		errno = e;
		return -1;
	}
	c->pid = pid;
	c->group = o->own_group || o->new_session;
	if (o->own_group && !o->new_session)
		setpgid(pid, pid); /* also here: no window where a signal to the group misses it */
	if (c->cap >= 0)
		fcntl(c->cap, F_SETFL, O_NONBLOCK);
	c->pidfd = open_pidfd(pid);
	*out = c;
	return 0;
}

int vnl_child_spawn(struct vnl_child **out, const char *const argv[],
		    const struct vnl_child_opts *o)
{
	struct job j = { .argv = argv };
	return start(out, &j, o);
}

int vnl_child_call(struct vnl_child **out, int (*fn)(void *), void *arg,
		   const struct vnl_child_opts *o)
{
	struct job j = { .fn = fn, .arg = arg };
	return start(out, &j, o);
}

int vnl_child_replace(const char *const argv[])
{
	execvp(argv[0], (char *const *)argv);
	return -1;
}

int vnl_child_release(struct vnl_child *c, bool go)
{
	if (c->go < 0) {
		errno = EINVAL;
		return -1;
	}
	ssize_t w = go ? write(c->go, "g", 1) : 1;
	close(c->go);
	c->go = -1;
	return w == 1 ? 0 : -1;
}

pid_t vnl_child_pid(const struct vnl_child *c)
{
	return c->pid;
}

/* Keep the last max bytes of what is there to read; false at EOF or an error. */
static bool drain(struct vnl_child *c)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(c->cap, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		size_t take = (size_t)n;
		const char *src = buf;
		if (take > c->max) {
			src += take - c->max;
			take = c->max;
		}
		if (c->used + take > c->max) {
			size_t drop = c->used + take - c->max;
			memmove(c->buf, c->buf + drop, c->used - drop);
			c->used -= drop;
		}
		memcpy(c->buf + c->used, src, take);
		c->used += take;
		c->buf[c->used] = 0;
	}
}

bool vnl_child_poll(struct vnl_child *c)
{
	if (c->reaped)
		return true;
	if (c->cap >= 0 && !drain(c)) {
		close(c->cap);
		c->cap = -1;
	}
	pid_t r = waitpid(c->pid, &c->wstatus, WNOHANG);
	if (r == c->pid || (r < 0 && errno == ECHILD)) {
		if (r < 0)
			c->wstatus = 0;
		c->reaped = true;
		/* what it wrote is in the pipe now; a grandchild holding it is not waited for */
		if (c->cap >= 0) {
			drain(c);
			close(c->cap);
			c->cap = -1;
		}
	}
	return c->reaped;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleep until it may have ended or written, at most MS. */
static void nap(struct vnl_child *c, int ms)
{
	struct pollfd p[2];
	nfds_t n = 0;
	if (c->pidfd >= 0)
		p[n++] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
	if (c->cap >= 0)
		p[n++] = (struct pollfd){ .fd = c->cap, .events = POLLIN };
	if (c->pidfd < 0 && ms > NAP_MS)
		ms = NAP_MS; /* no pidfd: look again soon */
	poll(p, n, ms);
}

int vnl_child_wait(struct vnl_child *c, int64_t timeout_ns)
{
	int64_t until = timeout_ns < 0 ? INT64_MAX : mono_ns() + timeout_ns;
	while (!vnl_child_poll(c)) {
		int64_t left = until - mono_ns();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		int64_t ms = left / 1000000 + 1;
		nap(c, ms > 1000 ? 1000 : (int)ms);
	}
	return 0;
}

int vnl_child_signal(struct vnl_child *c, int sig)
{
	if (c->reaped)
		return 0;
	if (c->group && kill(-c->pid, sig) == 0)
		return 0;
	return kill(c->pid, sig); /* a session leader not yet set up has no group yet */
}

int vnl_child_stop(struct vnl_child *c, int sig, int64_t grace_ns)
{
	if (!vnl_child_poll(c)) {
		vnl_child_signal(c, sig);
		if (vnl_child_wait(c, grace_ns) < 0) {
			vnl_child_signal(c, SIGKILL);
			vnl_child_wait(c, -1);
		}
	}
	return vnl_child_status(c);
}

int vnl_child_status(const struct vnl_child *c)
{
	if (!c->reaped)
		return -1;
	if (WIFSIGNALED(c->wstatus))
		return 128 + WTERMSIG(c->wstatus);
	return WEXITSTATUS(c->wstatus);
}

int vnl_child_term_signal(const struct vnl_child *c)
{
	return c->reaped && WIFSIGNALED(c->wstatus) ? WTERMSIG(c->wstatus) : 0;
}

const char *vnl_child_output(const struct vnl_child *c, size_t *len)
{
	if (len)
		*len = c->used;
	return c->buf ? c->buf : "";
}

void vnl_child_free(struct vnl_child *c)
{
	if (c)
		child_close(c);
}

int vnl_child_run(const char *const argv[], const struct vnl_child_opts *o, int64_t timeout_ns)
{
	struct vnl_child *c;
	if (vnl_child_spawn(&c, argv, o) < 0)
		return -1;
	if (vnl_child_wait(c, timeout_ns) < 0)
		vnl_child_stop(c, SIGTERM, 1000000000LL);
	int status = vnl_child_status(c);
	vnl_child_free(c);
	return status;
}

/* ------------------------------------------------------------ this program */

static char self_path[PATH_MAX];
static int self_errno;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void read_self(void)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self_path) - 1) {
		self_errno = n < 0 ? errno : ENAMETOOLONG;
		self_path[0] = 0;
		return;
	}
	self_path[n] = 0;
}

const char *vnl_self_exe(void)
{
	pthread_once(&self_once, read_self);
	if (!self_path[0]) {
		errno = self_errno;
		return NULL;
	}
	return self_path;
}
