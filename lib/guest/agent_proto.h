/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control channel's wire format (agent.h describes the messages), shared
 * by the guest's agent (agent_guest.c) and the host's client (agent_host.c):
 * one JSON object per line, read into a line buffer and written whole; each
 * reply encoded on one side and decoded on the other here, so the two cannot
 * drift apart.
 */
#ifndef VNL_AGENT_PROTO_H
#define VNL_AGENT_PROTO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "phc.h"

#define VNL_AGENT_MAX_LINE (8u << 20) /* a run reply carries up to 2 x 1 MiB, JSON-escaped */
#define VNL_AGENT_MAX_JOBS 32         /* "run"s at once: the guest's slots, the host's pending */

/* ---- lines ---- */
struct vnl_agent_linebuf {
	char *data;
	size_t len, cap;
};
/* Append what one read() gives; 0, -1 on EOF (errno 0) or error (EMSGSIZE: line too long). */
int vnl_agent_linebuf_fill(struct vnl_agent_linebuf *lb, int fd);
/* Take one complete line out of the buffer (NUL-terminated, caller frees), or NULL. */
char *vnl_agent_linebuf_take(struct vnl_agent_linebuf *lb);
int vnl_agent_write_all(int fd, const char *p, size_t len);
/* One JSON object + newline; consumes MSG. 0 or -1. */
int vnl_agent_send_json(int fd, json_t *msg);
/* A JSON string of P, LEN bytes; bytes that are not ASCII become '?' when P is not UTF-8. */
json_t *vnl_agent_json_text(const char *p, size_t len);

/* ---- encoded by the host ---- */
/* A request: {"id":ID,"op":OP} with the fields of EXTRA (consumed; NULL: none). */
json_t *vnl_agent_msg_request(uint64_t id, const char *op, json_t *extra);
/* The fields of a "run" request: argv (NULL-terminated), stdin (may be NULL), timeout_ms. */
json_t *vnl_agent_msg_run_fields(const char *const argv[], const char *stdin_data, int timeout_ms);

json_t *vnl_agent_msg_signal_fields(uint64_t job, int sig);
json_t *vnl_agent_msg_phc_fields(int n);

/* ---- decoded by the guest ---- */
struct vnl_agent_run_request {
	char **argv;             /* NULL-terminated, into the request's strings; free() the array */
	const char *stdin_data;  /* NULL: none */
	int64_t timeout_ms;      /* 0: none */
};
/* A "run" request: 0, or -1 with *why (the reply's error). */
int vnl_agent_msg_run_request(json_t *req, struct vnl_agent_run_request *out, const char **why);

/* ---- encoded by the guest ---- */
/* The event sent once at the start: {"event":"ready",...}. */
json_t *vnl_agent_msg_ready(const char *kernel);
json_t *vnl_agent_msg_ok_reply(json_t *id);
json_t *vnl_agent_msg_hello_reply(json_t *id, const char *kernel, const char *machine,
				  int64_t uptime_ms);
json_t *vnl_agent_msg_error(json_t *id, const char *why);
/* The "time" reply, written by hand so t3 is read as late as possible: its length. */
int vnl_agent_msg_time_reply(char *buf, size_t len, json_int_t id, int64_t t2, int64_t t3);
/* A finished "run": WSTATUS as waitpid gave it; OUT/ERR its output (NULL when none). */
json_t *vnl_agent_msg_run_reply(uint64_t id, int wstatus, int timed_out, int truncated,
				const char *out, size_t out_len, const char *err, size_t err_len);
json_t *vnl_agent_msg_phc_reply(json_t *id, const char *device, const char *ioctl,
				const struct vnl_phc_sample *s, int n);

/* ---- decoded by the host ---- */
/* The "time" request line (the host stamps t1 just before writing it): its length. */
int vnl_agent_msg_time_request(char *buf, size_t len, uint64_t id);
/* 1 when R says ok; else 0, errno EPROTO and *why (when not NULL) the agent's reason. */
int vnl_agent_msg_ok(json_t *r, const char **why);
void vnl_agent_msg_hello(json_t *r, struct vnl_agent_info *info);
/* A "run" reply into RES (its texts allocated: vnl_agent_result_free). */
void vnl_agent_msg_run_result(json_t *r, struct vnl_agent_result *res);
/* A "phc" reply into OUT: 0, or -1 (errno EPROTO, *why) when malformed. */
int vnl_agent_msg_phc_result(json_t *r, struct vnl_agent_phc *out, const char **why);

#endif
