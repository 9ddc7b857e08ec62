/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host side of the control channel (agent.h): the client of a guest's agent. */
#include "agent.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent_proto.h"
#include "timeutil.h"

#define MAX_STASH VNL_AGENT_MAX_JOBS /* replies of started jobs kept while waiting for another */

struct vnl_agent {
	int fd;
	uint64_t next_id;
	struct vnl_agent_linebuf in;
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
		while ((line = vnl_agent_linebuf_take(&a->in))) {
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
		if (n > 0 && vnl_agent_linebuf_fill(&a->in, a->fd)) {
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
	return vnl_agent_send_json(a->fd, vnl_agent_msg_request(id, op, extra)) ? 0 : id;
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
		int ok = vnl_agent_msg_ok(r, NULL);
		if (ok && info)
			vnl_agent_msg_hello(r, info);
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
	uint64_t id = request(a, "run", vnl_agent_msg_run_fields(argv, stdin_data, timeout_ms));
	if (!id)
		return -1;
	a->pending[a->npending++] = id;
	*job = id;
	return 0;
}

int vnl_agent_wait(struct vnl_agent *a, uint64_t job, int timeout_ms,
		   struct vnl_agent_result *res, const char **why)
{
	memset(res, 0, sizeof(*res));
	json_t *r = await_reply(a, job, deadline_in(timeout_ms), NULL);
	if (!r)
		return -1;
	drop_pending(a, job);
	if (!vnl_agent_msg_ok(r, why)) {
		json_decref(r);
		return -1;
	}
	vnl_agent_msg_run_result(r, res);
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
	int ok = vnl_agent_msg_ok(r, NULL);
	json_decref(r);
	return ok ? 0 : -1;
}

int vnl_agent_signal(struct vnl_agent *a, uint64_t job, int sig)
{
	return simple_request(a, "signal", vnl_agent_msg_signal_fields(job, sig),
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
	int n = vnl_agent_msg_time_request(line, sizeof(line), id);
	t[0] = vnl_now_ns(CLOCK_REALTIME);
	if (vnl_agent_write_all(a->fd, line, (size_t)n))
		return -1;
	json_t *r = await_reply(a, id, deadline_in(timeout_ms), &t[3]);
	if (!r)
		return -1;
	int ok = vnl_agent_msg_ok(r, NULL);
	t[1] = json_integer_value(json_object_get(r, "t2"));
	t[2] = json_integer_value(json_object_get(r, "t3"));
	json_decref(r);
	return ok ? 0 : -1;
}

int vnl_agent_phc(struct vnl_agent *a, int n, int timeout_ms, struct vnl_agent_phc *out,
		  const char **why)
{
	memset(out, 0, sizeof(*out));
	uint64_t id = request(a, "phc", vnl_agent_msg_phc_fields(n));
	if (!id)
		return -1;
	json_t *r = await_reply(a, id, deadline_in(timeout_ms), NULL);
	if (!r)
		return -1;
	int rc = vnl_agent_msg_ok(r, why) ? vnl_agent_msg_phc_result(r, out, why) : -1;
	json_decref(r);
	return rc;
}

void vnl_agent_result_free(struct vnl_agent_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
