/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "agent_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Lines, both ways.                                                   */

int vnl_agent_linebuf_fill(struct vnl_agent_linebuf *lb, int fd)
{
	if (lb->cap - lb->len < 65536) {
		size_t cap = lb->cap ? lb->cap * 2 : 131072;
		if (cap > VNL_AGENT_MAX_LINE + 65536)
			cap = VNL_AGENT_MAX_LINE + 65536;
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

char *vnl_agent_linebuf_take(struct vnl_agent_linebuf *lb)
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

int vnl_agent_write_all(int fd, const char *p, size_t len)
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

int vnl_agent_send_json(int fd, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!s)
		return errno = ENOMEM, -1;
	size_t n = strlen(s);
	s[n] = '\n'; /* replaces the NUL: write exactly n+1 bytes below */
	int rc = vnl_agent_write_all(fd, s, n + 1);
	free(s);
	return rc;
}

/* jansson strings must be UTF-8; program output may not be. */
json_t *vnl_agent_json_text(const char *p, size_t len)
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
/* Requests the host encodes.                                          */

json_t *vnl_agent_msg_request(uint64_t id, const char *op, json_t *extra)
{
	json_t *msg = json_pack("{s:I,s:s}", "id", (json_int_t)id, "op", op);
	if (extra) {
		json_object_update(msg, extra);
		json_decref(extra);
	}
	return msg;
}

json_t *vnl_agent_msg_run_fields(const char *const argv[], const char *stdin_data, int timeout_ms)
{
	json_t *jargv = json_array();
	for (size_t i = 0; argv[i]; i++)
		json_array_append_new(jargv, vnl_agent_json_text(argv[i], strlen(argv[i])));
	json_t *extra = json_pack("{s:o,s:i}", "argv", jargv, "timeout_ms", timeout_ms);
	if (stdin_data)
		json_object_set_new(extra, "stdin", vnl_agent_json_text(stdin_data, strlen(stdin_data)));
	return extra;
}

json_t *vnl_agent_msg_signal_fields(uint64_t job, int sig)
{
	return json_pack("{s:I,s:i}", "job", (json_int_t)job, "sig", sig);
}

json_t *vnl_agent_msg_phc_fields(int n)
{
	return json_pack("{s:i}", "n", n);
}

/* ------------------------------------------------------------------ */
/* What the guest decodes.                                             */

int vnl_agent_msg_run_request(json_t *req, struct vnl_agent_run_request *out, const char **why)
{
	json_t *jargv = json_object_get(req, "argv");
	size_t n = json_array_size(jargv);
	out->stdin_data = json_string_value(json_object_get(req, "stdin"));
	out->timeout_ms = json_integer_value(json_object_get(req, "timeout_ms"));
	out->argv = NULL;
	if (!n || n > 4096)
		return *why = "run needs a non-empty argv array", -1;
	char **argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return *why = "out of memory", -1;
	for (size_t i = 0; i < n; i++) {
		argv[i] = (char *)json_string_value(json_array_get(jargv, i));
		if (!argv[i]) {
			free(argv);
			return *why = "argv must hold only strings", -1;
		}
	}
	out->argv = argv;
	return 0;
}

/* ------------------------------------------------------------------ */
/* What the guest encodes.                                             */

json_t *vnl_agent_msg_ready(const char *kernel)
{
	return json_pack("{s:s,s:s,s:s}", "event", "ready", "kernel", kernel, "vnetlat", VNL_VERSION);
}

json_t *vnl_agent_msg_ok_reply(json_t *id)
{
	return json_pack("{s:O,s:b}", "id", id, "ok", 1);
}

json_t *vnl_agent_msg_hello_reply(json_t *id, const char *kernel, const char *machine,
				  int64_t uptime_ms)
{
	return json_pack("{s:O,s:b,s:s,s:s,s:s,s:I}", "id", id, "ok", 1, "kernel", kernel,
			 "machine", machine, "vnetlat", VNL_VERSION, "uptime_ms", (json_int_t)uptime_ms);
}

json_t *vnl_agent_msg_error(json_t *id, const char *why)
{
	return json_pack("{s:O,s:b,s:s}", "id", id, "ok", 0, "error", why);
}

int vnl_agent_msg_time_reply(char *buf, size_t len, json_int_t id, int64_t t2, int64_t t3)
{
	return snprintf(buf, len, "{\"id\":%" JSON_INTEGER_FORMAT ",\"ok\":true,\"t2\":%" PRId64
			",\"t3\":%" PRId64 "}\n", id, t2, t3);
}

json_t *vnl_agent_msg_run_reply(uint64_t id, int wstatus, int timed_out, int truncated,
				const char *out, size_t out_len, const char *err, size_t err_len)
{
	int exited = WIFEXITED(wstatus);
	json_t *jout = vnl_agent_json_text(out ? out : "", out_len);
	json_t *jerr = vnl_agent_json_text(err ? err : "", err_len);
	return json_pack("{s:I,s:b,s:b,s:i,s:i,s:b,s:b,s:o,s:o}",
		"id", (json_int_t)id, "ok", 1, "exited", exited,
		"status", exited ? WEXITSTATUS(wstatus) : 0,
		"signal", WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0,
		"timed_out", timed_out, "truncated", truncated, "stdout", jout, "stderr", jerr);
}

json_t *vnl_agent_msg_phc_reply(json_t *id, const char *device, const char *ioctl,
				const struct vnl_phc_sample *s, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("[I,I,I]", (json_int_t)s[i].sys_before,
						     (json_int_t)s[i].phc, (json_int_t)s[i].sys_after));
	return json_pack("{s:O,s:b,s:s,s:s,s:o}", "id", id, "ok", 1, "device", device,
			 "ioctl", ioctl, "samples", arr);
}

/* ------------------------------------------------------------------ */
/* What the host decodes.                                              */

int vnl_agent_msg_time_request(char *buf, size_t len, uint64_t id)
{
	return snprintf(buf, len, "{\"id\":%" PRIu64 ",\"op\":\"time\"}\n", id);
}

int vnl_agent_msg_ok(json_t *r, const char **why)
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

void vnl_agent_msg_hello(json_t *r, struct vnl_agent_info *info)
{
	const char *k = json_string_value(json_object_get(r, "kernel"));
	const char *v = json_string_value(json_object_get(r, "vnetlat"));
	const char *m = json_string_value(json_object_get(r, "machine"));
	snprintf(info->kernel, sizeof(info->kernel), "%s", k ? k : "");
	snprintf(info->machine, sizeof(info->machine), "%s", m ? m : "");
	snprintf(info->vnetlat, sizeof(info->vnetlat), "%s", v ? v : "");
	info->uptime_ms = json_integer_value(json_object_get(r, "uptime_ms"));
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

void vnl_agent_msg_run_result(json_t *r, struct vnl_agent_result *res)
{
	res->exited = json_is_true(json_object_get(r, "exited"));
	res->status = (int)json_integer_value(json_object_get(r, "status"));
	res->signal = (int)json_integer_value(json_object_get(r, "signal"));
	res->timed_out = json_is_true(json_object_get(r, "timed_out"));
	res->truncated = json_is_true(json_object_get(r, "truncated"));
	res->out = dup_field(r, "stdout", &res->out_len);
	res->err = dup_field(r, "stderr", &res->err_len);
}

int vnl_agent_msg_phc_result(json_t *r, struct vnl_agent_phc *out, const char **why)
{
	json_t *arr = json_object_get(r, "samples");
	if (!json_is_array(arr) || json_array_size(arr) > VNL_PHC_MAX_SAMPLES) {
		if (why)
			*why = "malformed phc reply";
		errno = EPROTO;
		return -1;
	}
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
	return 0;
}
