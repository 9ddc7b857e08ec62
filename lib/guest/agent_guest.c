/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest side of the control channel (agent.h): the agent that runs in the VM. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_proto.h"
#include "child.h"
#include "phc.h"
#include "timeutil.h"

#define HUP_BACKOFF_MS 100    /* a port with no host connected polls as HUP: retry later */
#define PIPE_GRACE_NS (200 * VNL_NSEC_PER_MSEC) /* after exit, background children may hold pipes */

struct outbuf {
	char *data;
	size_t len;
	int truncated;
};

struct job {
	uint64_t id;
	struct vnl_child *child;
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
	struct vnl_agent_linebuf in;
	struct job *jobs[VNL_AGENT_MAX_JOBS];
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
	return vnl_agent_send_json(ag->fd, vnl_agent_msg_error(id, why));
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
	return vnl_agent_send_json(ag->fd, vnl_agent_msg_hello_reply(id, kernel, machine, uptime_ms()));
}

/* Written with snprintf, not jansson: t3 is read as late as possible before the write. */
static int handle_time(struct agent *ag, json_int_t id, int64_t t2)
{
	char line[160];
	int64_t t3 = vnl_now_ns(CLOCK_REALTIME);
	int n = vnl_agent_msg_time_reply(line, sizeof(line), id, t2, t3);
	return vnl_agent_write_all(ag->fd, line, (size_t)n);
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
	return vnl_agent_send_json(ag->fd, vnl_agent_msg_phc_reply(id, vnl_phc_device(ag->phc),
								    vnl_phc_ioctl(ag->phc), s, (int)n));
}

static int free_slot(struct agent *ag)
{
	for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++)
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
	vnl_child_free(j->child);
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
	/* its own process group, so a signal from the host reaches what it started too */
	const struct vnl_child_opts o = {
		.in = { VNL_CHILD_FD, NULL, in[0] }, .out = { VNL_CHILD_FD, NULL, out[1] },
		.err = { VNL_CHILD_FD, NULL, err[1] }, .own_group = true,
		.say_prefix = "vnetlat agent: ",
	};
	if (vnl_child_spawn(&j->child, (const char *const *)argv, &o))
		goto fail;
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
	struct vnl_agent_run_request rr;
	const char *why;
	if (vnl_agent_msg_run_request(req, &rr, &why))
		return reply_error(ag, id, why);
	int slot = free_slot(ag);
	if (slot < 0) {
		free(rr.argv);
		return reply_error(ag, id, "too many commands running in the guest");
	}
	struct job *j = job_spawn(rr.argv, rr.stdin_data, rr.timeout_ms);
	free(rr.argv);
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
	for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (j && j->id == job && !j->reaped_ns) {
			if (vnl_child_signal(j->child, sig))
				return reply_error(ag, id, strerror(errno));
			return vnl_agent_send_json(ag->fd, vnl_agent_msg_ok_reply(id));
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
	return vnl_agent_send_json(ag->fd, vnl_agent_msg_ok_reply(id));
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
	return vnl_agent_send_json(ag->fd, vnl_agent_msg_run_reply(j->id, j->wstatus, j->timed_out,
		j->out.truncated || j->err.truncated, j->out.data, j->out.len, j->err.data, j->err.len));
}

static void reap_children(struct agent *ag)
{
	struct signalfd_siginfo si;

	while (read(ag->sigfd, &si, sizeof(si)) > 0)
		;
	for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (!j || j->reaped_ns || !vnl_child_poll(j->child))
			continue;
		/* as waitpid(2) would have said it: the reply encodes a wait status */
		int sig = vnl_child_term_signal(j->child);
		j->wstatus = sig ? sig : (vnl_child_status(j->child) & 0xff) << 8;
		j->reaped_ns = vnl_now_ns(CLOCK_MONOTONIC);
	}
}

/* Enforce timeouts, finish jobs whose process and pipes are done. */
static int service_jobs(struct agent *ag)
{
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (!j)
			continue;
		if (!j->reaped_ns && j->deadline_ns && now >= j->deadline_ns && !j->timed_out) {
			j->timed_out = 1;
			vnl_child_signal(j->child, SIGKILL);
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
	for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++) {
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
		if (vnl_agent_linebuf_fill(&ag->in, ag->fd)) {
			if (errno || (ag->flags & VNL_AGENT_EXIT_ON_EOF))
				return errno == EMSGSIZE ? -1 : (ag->stop = 1, 0);
			/* virtio-serial: the host side closed; wait for the next connection */
			ag->in.len = 0;
			ag->hup_until_ns = vnl_now_ns(CLOCK_MONOTONIC) + HUP_BACKOFF_MS * VNL_NSEC_PER_MSEC;
			return 0;
		}
		int64_t t_read = vnl_now_ns(CLOCK_REALTIME);
		char *line;
		while ((line = vnl_agent_linebuf_take(&ag->in))) {
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
	struct pollfd pfd[2 + 3 * VNL_AGENT_MAX_JOBS];
	struct { struct job *j; int which; } map[3 * VNL_AGENT_MAX_JOBS];

	while (!ag->stop) {
		int n = 0, m = 0;
		if (ag->hup_until_ns && vnl_now_ns(CLOCK_MONOTONIC) >= ag->hup_until_ns)
			ag->hup_until_ns = 0;
		pfd[n++] = (struct pollfd){ .fd = ag->sigfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = ag->hup_until_ns ? -1 : ag->fd, .events = POLLIN };
		for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++) {
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
	for (int i = 0; i < VNL_AGENT_MAX_JOBS; i++) {
		struct job *j = ag->jobs[i];
		if (!j)
			continue;
		if (!j->reaped_ns)
			vnl_child_stop(j->child, SIGKILL, 0);
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
	vnl_agent_send_json(fd, vnl_agent_msg_ready(kernel));
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
