/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "phc.h"
#include "timeutil.h"

#define MAX_LINE (8u << 20)   /* a run reply carries up to 2 x 1 MiB, JSON-escaped */
#define MAX_JOBS 32
#define MAX_STASH 32
#define HUP_BACKOFF_MS 100    /* a port with no host connected polls as HUP: retry later */
#define PIPE_GRACE_NS (200 * VNL_NSEC_PER_MSEC) /* after exit, background children may hold pipes */

/* ------------------------------------------------------------------ */
/* Line buffer shared by both sides.                                    */

struct linebuf {
	char *data;
	size_t len, cap;
};

/* Append what one read() gives; 0, -1 on EOF (errno 0) or error. */
static int linebuf_fill(struct linebuf *lb, int fd)
{
	if (lb->cap - lb->len < 65536) {
		size_t cap = lb->cap ? lb->cap * 2 : 131072;
		if (cap > MAX_LINE + 65536)
			cap = MAX_LINE + 65536;
		if (cap - lb->len < 4096) {
			errno = EMSGSIZE;
			return -1;
		}
		char *d = realloc(lb->data, cap);
		if (!d)
			return -1;
		lb->data = d;
		lb->cap = cap;
	}
	ssize_t n = read(fd, lb->data + lb->len, lb->cap - lb->len);
	if (n == 0) {
		errno = 0;
		return -1;
	}
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	lb->len += (size_t)n;
	return 0;
}

/* Take one complete line out of the buffer (NUL-terminated, caller frees), or NULL. */
static char *linebuf_take(struct linebuf *lb)
{
	char *nl = lb->len ? memchr(lb->data, '\n', lb->len) : NULL;
	if (!nl)
		return NULL;
	size_t n = (size_t)(nl - lb->data);
	char *line = malloc(n + 1);
	if (!line)
		return NULL;
	memcpy(line, lb->data, n);
	line[n] = 0;
	memmove(lb->data, nl + 1, lb->len - n - 1);
	lb->len -= n + 1;
	return line;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One JSON object + newline; consumes MSG. */
static int send_json(int fd, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!s)
		return errno = ENOMEM, -1;
	size_t n = strlen(s);
	s[n] = '\n'; /* replaces the NUL: write exactly n+1 bytes below */
	int rc = write_all(fd, s, n + 1);
	free(s);
	return rc;
}

/* jansson strings must be UTF-8; program output may not be. Keep ASCII, mark the rest. */
static json_t *json_text(const char *p, size_t len)
{
	json_t *s = json_stringn(p, len);
	if (s)
		return s;
	char *copy = malloc(len + 1);
	if (!copy)
		return NULL;
	for (size_t i = 0; i < len; i++)
		copy[i] = (unsigned char)p[i] < 0x80 ? p[i] : '?';
	s = json_stringn(copy, len);
	free(copy);
	return s;
}

/* ------------------------------------------------------------------ */
/* Guest side: the agent.                                              */

struct outbuf {
	char *data;
	size_t len;
	int truncated;
};

struct job {
	uint64_t id;
	pid_t pid;
	int in_fd, out_fd, err_fd;
	char *stdin_data;
	size_t stdin_len, stdin_off;
	struct outbuf out, err;
	int64_t deadline_ns;   /* CLOCK_MONOTONIC; 0 = none */
	int64_t reaped_ns;     /* when waitpid collected it; 0 = still running */
	int wstatus;
	int timed_out;
};

struct agent {
	int fd;
	int flags;
	int sigfd;
	struct linebuf in;
	struct job *jobs[MAX_JOBS];
	int64_t hup_until_ns;
	int stop;
	int poweroff;
	struct vnl_phc *phc;   /* the KVM PTP clock, opened at the first "phc" request */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int reply_error(struct agent *ag, json_t *id, const char *why)
{
	return send_json(ag->fd, json_pack("{s:O,s:b,s:s}", "id", id, "ok", 0, "error", why));
}

static void kernel_release(char *buf, size_t len)
{
	struct utsname u;
	snprintf(buf, len, "%s", uname(&u) ? "unknown" : u.release);
}

static void machine_name(char *buf, size_t len)
{
	struct utsname u;
	snprintf(buf, len, "%s", uname(&u) ? "unknown" : u.machine);
}

static int64_t uptime_ms(void)
{
	return vnl_now_ns(CLOCK_BOOTTIME) / VNL_NSEC_PER_MSEC;
}

static int handle_hello(struct agent *ag, json_t *id)
{
	char kernel[128], machine[65];
	kernel_release(kernel, sizeof(kernel));
	machine_name(machine, sizeof(machine));
	return send_json(ag->fd, json_pack("{s:O,s:b,s:s,s:s,s:s,s:I}", "id", id, "ok", 1,
					   "kernel", kernel, "machine", machine, "vnetlat", VNL_VERSION,
					   "uptime_ms", (json_int_t)uptime_ms()));
}

/* Written with snprintf, not jansson: t3 is read as late as possible before the write. */
static int handle_time(struct agent *ag, json_int_t id, int64_t t2)
{
	char line[160];
	int64_t t3 = vnl_now_ns(CLOCK_REALTIME);
	int n = snprintf(line, sizeof(line), "{\"id\":%" JSON_INTEGER_FORMAT
			 ",\"ok\":true,\"t2\":%" PRId64 ",\"t3\":%" PRId64 "}\n", id, t2, t3);
	return write_all(ag->fd, line, (size_t)n);
}

/* Readings of the KVM PTP clock, or why there are none (the host then uses "time"). */
static int handle_phc(struct agent *ag, json_t *req, json_t *id)
{
	char why[320];
	struct vnl_phc_sample s[VNL_PHC_MAX_SAMPLES];
	json_int_t n = json_integer_value(json_object_get(req, "n"));
	if (n < 1 || n > VNL_PHC_MAX_SAMPLES)
		return reply_error(ag, id, "phc needs n, the number of samples, 1 to 25");
	if (!ag->phc && !(ag->phc = vnl_phc_open("", why, sizeof(why))))
		return reply_error(ag, id, why);
	if (vnl_phc_read(ag->phc, s, (int)n, why, sizeof(why)) < 0) {
		vnl_phc_close(ag->phc); /* reopened (looked up again) next time */
		ag->phc = NULL;
		return reply_error(ag, id, why);
	}
	json_t *arr = json_array();
	for (json_int_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("[I,I,I]", (json_int_t)s[i].sys_before,
						     (json_int_t)s[i].phc, (json_int_t)s[i].sys_after));
	return send_json(ag->fd, json_pack("{s:O,s:b,s:s,s:s,s:o}", "id", id, "ok", 1,
					   "device", vnl_phc_device(ag->phc),
					   "ioctl", vnl_phc_ioctl(ag->phc), "samples", arr));
}

static void child_exec(char **argv, int in[2], int out[2], int err[2])
{
	setpgid(0, 0);
	dup2(in[0], 0);
	dup2(out[1], 1);
	dup2(err[1], 2);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL); /* an ignored disposition would survive exec */
	execvp(argv[0], argv);
	dprintf(2, "vnetlat agent: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int free_slot(struct agent *ag)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (!ag->jobs[i])
			return i;
	return -1;
}

static void job_free(struct job *j)
{
	close_fd(&j->in_fd);
	close_fd(&j->out_fd);
	close_fd(&j->err_fd);
	free(j->stdin_data);
	free(j->out.data);
	free(j->err.data);
	free(j);
}

static struct job *job_spawn(char **argv, const char *stdin_data, int64_t timeout_ms)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->in_fd = j->out_fd = j->err_fd = -1;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		goto fail;
	j->pid = fork();
	if (j->pid < 0)
		goto fail;
	if (j->pid == 0)
		child_exec(argv, in, out, err);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	j->in_fd = in[1];
	j->out_fd = out[0];
	j->err_fd = err[0];
	fcntl(j->in_fd, F_SETFL, O_NONBLOCK);
	if (stdin_data && *stdin_data) {
		j->stdin_data = strdup(stdin_data);
		j->stdin_len = strlen(stdin_data);
	}
	if (!j->stdin_data)
		close_fd(&j->in_fd);
	if (timeout_ms > 0)
		j->deadline_ns = vnl_now_ns(CLOCK_MONOTONIC) + timeout_ms * VNL_NSEC_PER_MSEC;
	return j;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0) close(in[i]);
		if (out[i] >= 0) close(out[i]);
		if (err[i] >= 0) close(err[i]);
	}
	free(j);
	return NULL;
}

static int handle_run(struct agent *ag, json_t *req, json_t *id)
{
	json_t *jargv = json_object_get(req, "argv");
	const char *stdin_data = json_string_value(json_object_get(req, "stdin"));
	json_int_t timeout_ms = json_integer_value(json_object_get(req, "timeout_ms"));
	size_t n = json_array_size(jargv);
	int slot = free_slot(ag);

	if (!n || n > 4096)
		return reply_error(ag, id, "run needs a non-empty argv array");
	if (slot < 0)
		return reply_error(ag, id, "too many commands running in the guest");
	char **argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return reply_error(ag, id, "out of memory");
	for (size_t i = 0; i < n; i++) {
		argv[i] = (char *)json_string_value(json_array_get(jargv, i));
		if (!argv[i]) {
			free(argv);
			return reply_error(ag, id, "argv must hold only strings");
		}
	}
	struct job *j = job_spawn(argv, stdin_data, timeout_ms);
	free(argv);
	if (!j)
		return reply_error(ag, id, strerror(errno));
	j->id = (uint64_t)json_integer_value(id);
	ag->jobs[slot] = j;
	return 0;
}

static int handle_signal(struct agent *ag, json_t *req, json_t *id)
{
	uint64_t job = (uint64_t)json_integer_value(json_object_get(req, "job"));
	int sig = (int)json_integer_value(json_object_get(req, "sig"));
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (j && j->id == job && !j->reaped_ns) {
			if (kill(-j->pid, sig) && kill(j->pid, sig))
				return reply_error(ag, id, strerror(errno));
			return send_json(ag->fd, json_pack("{s:O,s:b}", "id", id, "ok", 1));
		}
	}
	return reply_error(ag, id, "no such running command");
}

static int handle_poweroff(struct agent *ag, json_t *id)
{
	if (!(ag->flags & VNL_AGENT_ALLOW_POWEROFF))
		return reply_error(ag, id, "poweroff is only available to the agent of a guest");
	ag->poweroff = 1;
	ag->stop = 1;
	return send_json(ag->fd, json_pack("{s:O,s:b}", "id", id, "ok", 1));
}

static int handle_line(struct agent *ag, const char *line, int64_t t_read)
{
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr);
	int rc;

	if (!json_is_object(req)) {
		json_decref(req);
		json_t *null_id = json_null();
		rc = reply_error(ag, null_id, "request is not a JSON object");
		json_decref(null_id);
		return rc;
	}
	json_t *id = json_object_get(req, "id");
	const char *op = json_string_value(json_object_get(req, "op"));
	if (!json_is_integer(id) || !op)
		rc = reply_error(ag, json_is_integer(id) ? id : json_null(), "request needs an integer id and an op");
	else if (!strcmp(op, "time"))
		rc = handle_time(ag, json_integer_value(id), t_read);
	else if (!strcmp(op, "phc"))
		rc = handle_phc(ag, req, id);
	else if (!strcmp(op, "hello"))
		rc = handle_hello(ag, id);
	else if (!strcmp(op, "run"))
		rc = handle_run(ag, req, id);
	else if (!strcmp(op, "signal"))
		rc = handle_signal(ag, req, id);
	else if (!strcmp(op, "poweroff"))
		rc = handle_poweroff(ag, id);
	else
		rc = reply_error(ag, id, "unknown op");
	json_decref(req);
	return rc;
}

static void outbuf_read(struct outbuf *b, int *fd)
{
	char tmp[16384];
	ssize_t n = read(*fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	size_t keep = (size_t)n;
	if (b->len + keep > VNL_AGENT_MAX_OUTPUT) {
		keep = VNL_AGENT_MAX_OUTPUT - b->len;
		b->truncated = 1;
	}
	if (!keep)
		return;
	char *d = realloc(b->data, b->len + keep);
	if (!d) {
		b->truncated = 1;
		return;
	}
	memcpy(d + b->len, tmp, keep);
	b->data = d;
	b->len += keep;
}

static void job_feed_stdin(struct job *j)
{
	ssize_t n = write(j->in_fd, j->stdin_data + j->stdin_off, j->stdin_len - j->stdin_off);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		close_fd(&j->in_fd);
		return;
	}
	j->stdin_off += (size_t)n;
	if (j->stdin_off == j->stdin_len)
		close_fd(&j->in_fd);
}

static int job_reply(struct agent *ag, struct job *j)
{
	int exited = WIFEXITED(j->wstatus);
	json_t *out = json_text(j->out.data ? j->out.data : "", j->out.len);
	json_t *err = json_text(j->err.data ? j->err.data : "", j->err.len);
	return send_json(ag->fd, json_pack("{s:I,s:b,s:b,s:i,s:i,s:b,s:b,s:o,s:o}",
		"id", (json_int_t)j->id, "ok", 1, "exited", exited,
		"status", exited ? WEXITSTATUS(j->wstatus) : 0,
		"signal", WIFSIGNALED(j->wstatus) ? WTERMSIG(j->wstatus) : 0,
		"timed_out", j->timed_out, "truncated", j->out.truncated || j->err.truncated,
		"stdout", out, "stderr", err));
}

static void reap_children(struct agent *ag)
{
	int wstatus;
	pid_t pid;
	struct signalfd_siginfo si;

	while (read(ag->sigfd, &si, sizeof(si)) > 0)
		;
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_JOBS; i++) {
			struct job *j = ag->jobs[i];
			if (j && j->pid == pid) {
				j->wstatus = wstatus;
				j->reaped_ns = vnl_now_ns(CLOCK_MONOTONIC);
			}
		}
	}
}

/* Enforce timeouts, finish jobs whose process and pipes are done. */
static int service_jobs(struct agent *ag)
{
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (!j)
			continue;
		if (!j->reaped_ns && j->deadline_ns && now >= j->deadline_ns && !j->timed_out) {
			j->timed_out = 1;
			kill(-j->pid, SIGKILL);
			kill(j->pid, SIGKILL);
		}
		if (!j->reaped_ns)
			continue;
		if (j->out_fd >= 0 || j->err_fd >= 0) {
			if (now - j->reaped_ns < PIPE_GRACE_NS)
				continue;
			close_fd(&j->out_fd);
			close_fd(&j->err_fd);
		}
		int rc = job_reply(ag, j);
		job_free(j);
		ag->jobs[i] = NULL;
		if (rc)
			return -1;
	}
	return 0;
}

static int poll_timeout_ms(struct agent *ag)
{
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC), next = -1;
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		int64_t at = 0;
		if (!j)
			continue;
		if (j->reaped_ns)
			at = j->reaped_ns + PIPE_GRACE_NS;
		else if (j->deadline_ns)
			at = j->deadline_ns;
		if (at && (next < 0 || at < next))
			next = at;
	}
	if (ag->hup_until_ns && (next < 0 || ag->hup_until_ns < next))
		next = ag->hup_until_ns;
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)((next - now) / VNL_NSEC_PER_MSEC + 1);
}

/* Data from the host: read, then handle every complete line. */
static int service_port(struct agent *ag, short revents)
{
	if (revents & POLLIN) {
		if (linebuf_fill(&ag->in, ag->fd)) {
			if (errno || (ag->flags & VNL_AGENT_EXIT_ON_EOF))
				return errno == EMSGSIZE ? -1 : (ag->stop = 1, 0);
			/* virtio-serial: the host side closed; wait for the next connection */
			ag->in.len = 0;
			ag->hup_until_ns = vnl_now_ns(CLOCK_MONOTONIC) + HUP_BACKOFF_MS * VNL_NSEC_PER_MSEC;
			return 0;
		}
		int64_t t_read = vnl_now_ns(CLOCK_REALTIME);
		char *line;
		while ((line = linebuf_take(&ag->in))) {
			int rc = handle_line(ag, line, t_read);
			free(line);
			if (rc)
				return -1;
		}
	} else if (revents & (POLLHUP | POLLERR)) {
		if (ag->flags & VNL_AGENT_EXIT_ON_EOF) {
			ag->stop = 1;
			return 0;
		}
		ag->in.len = 0;
		ag->hup_until_ns = vnl_now_ns(CLOCK_MONOTONIC) + HUP_BACKOFF_MS * VNL_NSEC_PER_MSEC;
	}
	return 0;
}

static int agent_loop(struct agent *ag)
{
	struct pollfd pfd[2 + 3 * MAX_JOBS];
	struct { struct job *j; int which; } map[3 * MAX_JOBS];

	while (!ag->stop) {
		int n = 0, m = 0;
		if (ag->hup_until_ns && vnl_now_ns(CLOCK_MONOTONIC) >= ag->hup_until_ns)
			ag->hup_until_ns = 0;
		pfd[n++] = (struct pollfd){ .fd = ag->sigfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = ag->hup_until_ns ? -1 : ag->fd, .events = POLLIN };
		for (int i = 0; i < MAX_JOBS; i++) {
			struct job *j = ag->jobs[i];
			if (!j)
				continue;
			int fds[3] = { j->in_fd, j->out_fd, j->err_fd };
			for (int w = 0; w < 3; w++) {
				if (fds[w] < 0)
					continue;
				pfd[n++] = (struct pollfd){ .fd = fds[w], .events = w ? POLLIN : POLLOUT };
				map[m].j = j;
				map[m++].which = w;
			}
		}
		if (poll(pfd, (nfds_t)n, poll_timeout_ms(ag)) < 0 && errno != EINTR)
			return -1;
		if (pfd[0].revents)
			reap_children(ag);
		if (pfd[1].revents && service_port(ag, pfd[1].revents))
			return -1;
		for (int k = 0; k < m; k++) {
			short re = pfd[k + 2].revents;
			struct job *j = map[k].j;
			if (!re)
				continue;
			if (map[k].which == 0)
				job_feed_stdin(j);
			else if (map[k].which == 1)
				outbuf_read(&j->out, &j->out_fd);
			else
				outbuf_read(&j->err, &j->err_fd);
		}
		if (service_jobs(ag))
			return -1;
	}
	return 0;
}

static void agent_cleanup(struct agent *ag)
{
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (!j)
			continue;
		if (!j->reaped_ns) {
			kill(-j->pid, SIGKILL);
			kill(j->pid, SIGKILL);
			waitpid(j->pid, NULL, 0);
		}
		job_free(j);
		ag->jobs[i] = NULL;
	}
	free(ag->in.data);
	close_fd(&ag->sigfd);
	vnl_phc_close(ag->phc);
}

int vnl_agent_serve_fd(int fd, int flags)
{
	struct agent ag = { .fd = fd, .flags = flags, .sigfd = -1 };
	sigset_t chld, old;
	char kernel[128];

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	signal(SIGPIPE, SIG_IGN);
	ag.sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ag.sigfd < 0)
		return -1;
	kernel_release(kernel, sizeof(kernel));
	/* Lost if no host is connected yet; hosts ask with "hello" anyway. */
	send_json(fd, json_pack("{s:s,s:s,s:s}", "event", "ready", "kernel", kernel,
				"vnetlat", VNL_VERSION));
	int rc = agent_loop(&ag);
	int e = errno;
	agent_cleanup(&ag);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (ag.poweroff) {
		sync();
		reboot(RB_POWER_OFF);
	}
	errno = e;
	return rc;
}

/* /sys/class/virtio-ports/vportNpM/name holds the name qemu gave the port. */
static int find_port(const char *name, char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[512], buf[128] = "";
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			if (!strcmp(buf, name)) {
				snprintf(dev, len, "/dev/%s", e->d_name);
				found = 1;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

int vnl_agent_serve_port(const char *port_name, int wait_ms)
{
	char dev[300];
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + (int64_t)wait_ms * VNL_NSEC_PER_MSEC;
	int fd = -1;

	for (;;) {
		if (find_port(port_name, dev, sizeof(dev)) && (fd = open(dev, O_RDWR | O_CLOEXEC)) >= 0)
			break;
		if (vnl_now_ns(CLOCK_MONOTONIC) >= until) {
			errno = ENODEV;
			return -1;
		}
		usleep(50000);
	}
	int rc = vnl_agent_serve_fd(fd, VNL_AGENT_ALLOW_POWEROFF);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Host side.                                                          */

struct vnl_agent {
	int fd;
	uint64_t next_id;
	struct linebuf in;
	uint64_t pending[MAX_STASH];  /* jobs started and not yet collected */
	int npending;
	json_t *stash[MAX_STASH];     /* their replies, when they came while waiting for others */
	int nstash;
};

struct vnl_agent *vnl_agent_from_fd(int fd)
{
	struct vnl_agent *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->fd = fd;
	a->next_id = 1;
	return a;
}

struct vnl_agent *vnl_agent_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * VNL_NSEC_PER_MSEC;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return NULL;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			struct vnl_agent *a = vnl_agent_from_fd(fd);
			if (!a)
				close(fd);
			return a;
		}
		int e = errno;
		close(fd);
		if (vnl_now_ns(CLOCK_MONOTONIC) >= until) {
			errno = e;
			return NULL;
		}
		usleep(20000);
	}
}

void vnl_agent_close(struct vnl_agent *a)
{
	if (!a)
		return;
	close(a->fd);
	for (int i = 0; i < a->nstash; i++)
		json_decref(a->stash[i]);
	free(a->in.data);
	free(a);
}

static int is_pending(struct vnl_agent *a, uint64_t id)
{
	for (int i = 0; i < a->npending; i++)
		if (a->pending[i] == id)
			return 1;
	return 0;
}

static void drop_pending(struct vnl_agent *a, uint64_t id)
{
	for (int i = 0; i < a->npending; i++)
		if (a->pending[i] == id) {
			a->pending[i] = a->pending[--a->npending];
			return;
		}
}

static json_t *take_stashed(struct vnl_agent *a, uint64_t id)
{
	for (int i = 0; i < a->nstash; i++) {
		json_int_t got = json_integer_value(json_object_get(a->stash[i], "id"));
		if ((uint64_t)got == id) {
			json_t *r = a->stash[i];
			a->stash[i] = a->stash[--a->nstash];
			return r;
		}
	}
	return NULL;
}

/* Read messages until the reply to ID arrives (or the deadline). Other jobs' replies are
 * kept; events and stale replies are dropped. *t_recv: CLOCK_REALTIME when its line was read. */
static json_t *await_reply(struct vnl_agent *a, uint64_t id, int64_t deadline, int64_t *t_recv)
{
	json_t *r = take_stashed(a, id);
	if (r)
		return r;
	for (;;) {
		char *line;
		int64_t t = vnl_now_ns(CLOCK_REALTIME);
		while ((line = linebuf_take(&a->in))) {
			json_t *msg = json_loads(line, 0, NULL);
			free(line);
			json_int_t got = json_integer_value(json_object_get(msg, "id"));
			if (msg && got > 0 && (uint64_t)got == id) {
				if (t_recv)
					*t_recv = t;
				return msg;
			}
			if (msg && got > 0 && is_pending(a, (uint64_t)got) && a->nstash < MAX_STASH)
				a->stash[a->nstash++] = msg;
			else
				json_decref(msg);
		}
		int64_t left = deadline - vnl_now_ns(CLOCK_MONOTONIC);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return NULL;
		}
		struct pollfd p = { .fd = a->fd, .events = POLLIN };
		int n = poll(&p, 1, (int)(left / VNL_NSEC_PER_MSEC) + 1);
		if (n < 0 && errno != EINTR)
			return NULL;
		if (n > 0 && linebuf_fill(&a->in, a->fd)) {
			if (!errno)
				errno = EPIPE;
			return NULL;
		}
	}
}

static int64_t deadline_in(int timeout_ms)
{
	return vnl_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * VNL_NSEC_PER_MSEC;
}

/* Send OP with fields from EXTRA (consumed, may be NULL); returns its id or 0. */
static uint64_t request(struct vnl_agent *a, const char *op, json_t *extra)
{
	uint64_t id = a->next_id++;
	json_t *msg = json_pack("{s:I,s:s}", "id", (json_int_t)id, "op", op);
	if (extra) {
		json_object_update(msg, extra);
		json_decref(extra);
	}
	return send_json(a->fd, msg) ? 0 : id;
}

static int reply_ok(json_t *r, const char **why)
{
	if (json_is_true(json_object_get(r, "ok")))
		return 1;
	if (why) {
		static __thread char msg[256];
		snprintf(msg, sizeof(msg), "%s", json_string_value(json_object_get(r, "error"))
			 ? json_string_value(json_object_get(r, "error")) : "malformed reply");
		*why = msg;
	}
	errno = EPROTO;
	return 0;
}

int vnl_agent_wait_ready(struct vnl_agent *a, int timeout_ms, struct vnl_agent_info *info)
{
	int64_t until = deadline_in(timeout_ms);
	/* Re-ask now and then: a hello can be lost if the agent restarted meanwhile. */
	while (vnl_now_ns(CLOCK_MONOTONIC) < until) {
		uint64_t id = request(a, "hello", NULL);
		if (!id)
			return -1;
		int64_t slice = deadline_in(2000);
		json_t *r = await_reply(a, id, slice < until ? slice : until, NULL);
		if (!r && errno != ETIMEDOUT)
			return -1;
		if (!r)
			continue;
		int ok = reply_ok(r, NULL);
		if (ok && info) {
			const char *k = json_string_value(json_object_get(r, "kernel"));
			const char *v = json_string_value(json_object_get(r, "vnetlat"));
			const char *m = json_string_value(json_object_get(r, "machine"));
			snprintf(info->kernel, sizeof(info->kernel), "%s", k ? k : "");
			snprintf(info->machine, sizeof(info->machine), "%s", m ? m : "");
			snprintf(info->vnetlat, sizeof(info->vnetlat), "%s", v ? v : "");
			info->uptime_ms = json_integer_value(json_object_get(r, "uptime_ms"));
		}
		json_decref(r);
		return ok ? 0 : -1;
	}
	errno = ETIMEDOUT;
	return -1;
}

int vnl_agent_start(struct vnl_agent *a, const char *const argv[], const char *stdin_data,
		    int timeout_ms, uint64_t *job)
{
	if (a->npending >= MAX_STASH)
		return errno = EBUSY, -1;
	json_t *jargv = json_array();
	for (size_t i = 0; argv[i]; i++)
		json_array_append_new(jargv, json_text(argv[i], strlen(argv[i])));
	json_t *extra = json_pack("{s:o,s:i}", "argv", jargv, "timeout_ms", timeout_ms);
	if (stdin_data)
		json_object_set_new(extra, "stdin", json_text(stdin_data, strlen(stdin_data)));
	uint64_t id = request(a, "run", extra);
	if (!id)
		return -1;
	a->pending[a->npending++] = id;
	*job = id;
	return 0;
}

static char *dup_field(json_t *r, const char *key, size_t *len)
{
	json_t *s = json_object_get(r, key);
	size_t n = json_string_length(s);
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, n ? json_string_value(s) : "", n);
		p[n] = 0;
	}
	*len = p ? n : 0;
	return p;
}

int vnl_agent_wait(struct vnl_agent *a, uint64_t job, int timeout_ms,
		   struct vnl_agent_result *res, const char **why)
{
	memset(res, 0, sizeof(*res));
	json_t *r = await_reply(a, job, deadline_in(timeout_ms), NULL);
	if (!r)
		return -1;
	drop_pending(a, job);
	if (!reply_ok(r, why)) {
		json_decref(r);
		return -1;
	}
	res->exited = json_is_true(json_object_get(r, "exited"));
	res->status = (int)json_integer_value(json_object_get(r, "status"));
	res->signal = (int)json_integer_value(json_object_get(r, "signal"));
	res->timed_out = json_is_true(json_object_get(r, "timed_out"));
	res->truncated = json_is_true(json_object_get(r, "truncated"));
	res->out = dup_field(r, "stdout", &res->out_len);
	res->err = dup_field(r, "stderr", &res->err_len);
	json_decref(r);
	return 0;
}

int vnl_agent_run(struct vnl_agent *a, const char *const argv[], const char *stdin_data,
		  int timeout_ms, struct vnl_agent_result *r, const char **why)
{
	uint64_t job;
	if (vnl_agent_start(a, argv, stdin_data, timeout_ms, &job))
		return -1;
	/* The guest kills it at timeout_ms; allow for the reply's way back. */
	return vnl_agent_wait(a, job, timeout_ms + 5000, r, why);
}

static int simple_request(struct vnl_agent *a, const char *op, json_t *extra, int timeout_ms)
{
	uint64_t id = request(a, op, extra);
	if (!id)
		return -1;
	json_t *r = await_reply(a, id, deadline_in(timeout_ms), NULL);
	if (!r)
		return -1;
	int ok = reply_ok(r, NULL);
	json_decref(r);
	return ok ? 0 : -1;
}

int vnl_agent_signal(struct vnl_agent *a, uint64_t job, int sig)
{
	return simple_request(a, "signal", json_pack("{s:I,s:i}", "job", (json_int_t)job, "sig", sig),
			      5000);
}

int vnl_agent_poweroff(struct vnl_agent *a, int timeout_ms)
{
	return simple_request(a, "poweroff", NULL, timeout_ms);
}

int vnl_agent_time(struct vnl_agent *a, int timeout_ms, int64_t t[4])
{
	uint64_t id = a->next_id++;
	char line[96];
	int n = snprintf(line, sizeof(line), "{\"id\":%" PRIu64 ",\"op\":\"time\"}\n", id);
	t[0] = vnl_now_ns(CLOCK_REALTIME);
	if (write_all(a->fd, line, (size_t)n))
		return -1;
	json_t *r = await_reply(a, id, deadline_in(timeout_ms), &t[3]);
	if (!r)
		return -1;
	int ok = reply_ok(r, NULL);
	t[1] = json_integer_value(json_object_get(r, "t2"));
	t[2] = json_integer_value(json_object_get(r, "t3"));
	json_decref(r);
	return ok ? 0 : -1;
}

int vnl_agent_phc(struct vnl_agent *a, int n, int timeout_ms, struct vnl_agent_phc *out,
		  const char **why)
{
	memset(out, 0, sizeof(*out));
	uint64_t id = request(a, "phc", json_pack("{s:i}", "n", n));
	if (!id)
		return -1;
	json_t *r = await_reply(a, id, deadline_in(timeout_ms), NULL);
	if (!r)
		return -1;
	int rc = -1;
	json_t *arr = json_object_get(r, "samples");
	if (!reply_ok(r, why)) {
		rc = -1;
	} else if (!json_is_array(arr) || json_array_size(arr) > VNL_PHC_MAX_SAMPLES) {
		if (why)
			*why = "malformed phc reply";
		errno = EPROTO;
	} else {
		const char *dev = json_string_value(json_object_get(r, "device"));
		const char *io = json_string_value(json_object_get(r, "ioctl"));
		snprintf(out->device, sizeof(out->device), "%s", dev ? dev : "");
		snprintf(out->ioctl, sizeof(out->ioctl), "%s", io ? io : "");
		size_t i;
		json_t *v;
		json_array_foreach(arr, i, v) {
			struct vnl_phc_sample *s = &out->s[out->n++];
			s->sys_before = json_integer_value(json_array_get(v, 0));
			s->phc = json_integer_value(json_array_get(v, 1));
			s->sys_after = json_integer_value(json_array_get(v, 2));
		}
		rc = 0;
	}
	json_decref(r);
	return rc;
}

void vnl_agent_result_free(struct vnl_agent_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
