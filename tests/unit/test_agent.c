/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control protocol end to end: the real agent serving one end of a socketpair
 * (as it serves the virtio-serial port in a guest), the host client on the other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "agent_proto.h"
#include "child.h"

static struct vnl_child *g_agent;
static int g_sv[2];

static int serve(void *arg)
{
	(void)arg;
	close(g_sv[0]);
	return vnl_agent_serve_fd(g_sv[1], VNL_AGENT_EXIT_ON_EOF) ? 1 : 0;
}

static int start_agent(void **state)
{
	int *sv = g_sv;
	struct vnl_child_opts o = {
		.in = { .how = VNL_CHILD_INHERIT },
		.out = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
	};
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(vnl_child_call(&g_agent, serve, NULL, &o), 0);
	close(sv[1]);
	*state = vnl_agent_from_fd(sv[0]);
	return *state ? 0 : -1;
}

static int stop_agent(void **state)
{
	vnl_agent_close(*state);
	/* the agent ends by itself when the host closes */
	vnl_child_wait(g_agent, -1);
	int status = vnl_child_status(g_agent);
	vnl_child_free(g_agent);
	return status == 0 ? 0 : -1;
}

static void test_ready(void **state)
{
	struct vnl_agent_info info;
	struct utsname u;
	assert_int_equal(vnl_agent_wait_ready(*state, 2000, &info), 0);
	uname(&u);
	assert_string_equal(info.kernel, u.release);
	assert_string_equal(info.vnetlat, VNL_VERSION);
}

static void test_run(void **state)
{
	struct vnl_agent_result r;
	const char *why = NULL;
	const char *echo[] = { "echo", "hello", "guest", NULL };
	assert_int_equal(vnl_agent_run(*state, echo, NULL, 5000, &r, &why), 0);
	assert_true(r.exited);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello guest\n");
	assert_int_equal(r.err_len, 0);
	vnl_agent_result_free(&r);

	const char *fail[] = { "sh", "-c", "echo oops >&2; printf 'a\\nb'; exit 3", NULL };
	assert_int_equal(vnl_agent_run(*state, fail, NULL, 5000, &r, &why), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.err, "oops\n");
	assert_string_equal(r.out, "a\nb");
	vnl_agent_result_free(&r);

	const char *cat[] = { "cat", NULL };
	assert_int_equal(vnl_agent_run(*state, cat, "line 1\nline \"2\"\n", 5000, &r, &why), 0);
	assert_string_equal(r.out, "line 1\nline \"2\"\n");
	vnl_agent_result_free(&r);

	const char *missing[] = { "/nonexistent/vnl-program", NULL };
	assert_int_equal(vnl_agent_run(*state, missing, NULL, 5000, &r, &why), 0);
	assert_int_equal(r.status, 127);
	assert_non_null(strstr(r.err, "cannot run"));
	vnl_agent_result_free(&r);

	/* bytes that are not UTF-8 still arrive (as '?') */
	const char *bin[] = { "printf", "a\\377b", NULL };
	assert_int_equal(vnl_agent_run(*state, bin, NULL, 5000, &r, &why), 0);
	assert_string_equal(r.out, "a?b");
	vnl_agent_result_free(&r);
}

static void test_timeout(void **state)
{
	struct vnl_agent_result r;
	const char *sleeper[] = { "sleep", "10", NULL };
	assert_int_equal(vnl_agent_run(*state, sleeper, NULL, 200, &r, NULL), 0);
	assert_true(r.timed_out);
	assert_false(r.exited);
	assert_int_equal(r.signal, SIGKILL);
	vnl_agent_result_free(&r);
}

/* Time exchanges and signals are answered while a command runs. */
static void test_concurrent(void **state)
{
	struct vnl_agent_result r;
	uint64_t job;
	int64_t t[4];
	const char *sleeper[] = { "sleep", "10", NULL };
	assert_int_equal(vnl_agent_start(*state, sleeper, NULL, 20000, &job), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(vnl_agent_time(*state, 1000, t), 0);
		assert_true(t[0] <= t[1] && t[1] <= t[2] && t[2] <= t[3]); /* one clock here */
		assert_true(t[3] - t[0] < 1000000000LL);
	}
	assert_int_equal(vnl_agent_signal(*state, job, SIGTERM), 0);
	assert_int_equal(vnl_agent_wait(*state, job, 5000, &r, NULL), 0);
	assert_false(r.exited);
	assert_int_equal(r.signal, SIGTERM);
	assert_false(r.timed_out);
	vnl_agent_result_free(&r);
	assert_int_equal(vnl_agent_signal(*state, job, SIGTERM), -1); /* no longer running */
}

static void test_refusals(void **state)
{
	struct vnl_agent_result r;
	const char *why = NULL;
	const char *empty[] = { NULL };
	assert_int_equal(vnl_agent_run(*state, empty, NULL, 1000, &r, &why), -1);
	assert_non_null(strstr(why, "argv"));
	/* only the agent of a real guest powers off */
	assert_int_equal(vnl_agent_poweroff(*state, 2000), -1);
}

/* "phc" end to end; this host has no KVM PTP clock, so the answer is the reason why. */
static void test_phc(void **state)
{
	struct vnl_agent_phc ph;
	const char *why = NULL;
	if (vnl_agent_phc(*state, 4, 2000, &ph, &why) == 0) { /* a host that is itself a KVM guest */
		assert_int_equal(ph.n, 4);
		assert_non_null(strstr(ph.device, "/dev/ptp"));
		for (int i = 0; i < ph.n; i++)
			assert_true(ph.s[i].sys_before <= ph.s[i].sys_after);
		return;
	}
	assert_non_null(why);
	assert_non_null(strstr(why, "KVM virtual PTP"));
	/* a bad sample count is refused with the range */
	assert_int_equal(vnl_agent_phc(*state, 26, 2000, &ph, &why), -1);
	assert_non_null(strstr(why, "1 to 25"));
}

/* The wire format alone (agent_proto.c): what the guest encodes, the host decodes back. */
static json_t *through_line(json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	assert_non_null(s);
	json_t *back = json_loads(s, 0, NULL);
	free(s);
	assert_non_null(back);
	return back;
}

static void test_proto_run_reply(void **state)
{
	(void)state;
	struct vnl_agent_result res;
	const char out[] = "caf\xc3\xa9\n", bad[] = "a\xff" "b"; /* UTF-8 kept; not UTF-8: '?' */
	json_t *r = through_line(vnl_agent_msg_run_reply(7, 3 << 8, 0, 1, out, sizeof(out) - 1,
							 bad, sizeof(bad) - 1));
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 7);
	assert_int_equal(vnl_agent_msg_ok(r, NULL), 1);
	vnl_agent_msg_run_result(r, &res);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.status, 3);
	assert_int_equal(res.truncated, 1);
	assert_string_equal(res.out, out);
	assert_int_equal(res.out_len, sizeof(out) - 1);
	assert_string_equal(res.err, "a?b");
	vnl_agent_result_free(&res);
	json_decref(r);
	r = through_line(vnl_agent_msg_run_reply(8, SIGKILL, 1, 0, NULL, 0, NULL, 0));
	vnl_agent_msg_run_result(r, &res);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.signal, SIGKILL);
	assert_int_equal(res.timed_out, 1);
	assert_string_equal(res.out, "");
	vnl_agent_result_free(&res);
	json_decref(r);
}

/* What the host asks, as the guest reads it; an argv the guest cannot run is refused. */
static void test_proto_run_request(void **state)
{
	(void)state;
	const char *const argv[] = { "echo", "a b", "\"q\"", NULL };
	json_t *req = through_line(vnl_agent_msg_request(3, "run",
							 vnl_agent_msg_run_fields(argv, "in\n", 250)));
	assert_string_equal(json_string_value(json_object_get(req, "op")), "run");
	struct vnl_agent_run_request rr;
	const char *why = NULL;
	assert_int_equal(vnl_agent_msg_run_request(req, &rr, &why), 0);
	for (int i = 0; i < 3; i++)
		assert_string_equal(rr.argv[i], argv[i]);
	assert_null(rr.argv[3]);
	assert_string_equal(rr.stdin_data, "in\n");
	assert_int_equal(rr.timeout_ms, 250);
	free(rr.argv);
	json_decref(req);
	req = json_loads("{\"id\":4,\"op\":\"run\",\"argv\":[\"ls\",5]}", 0, NULL);
	assert_int_equal(vnl_agent_msg_run_request(req, &rr, &why), -1);
	assert_string_equal(why, "argv must hold only strings");
	json_decref(req);
	req = json_loads("{\"id\":5,\"op\":\"run\",\"argv\":[]}", 0, NULL);
	assert_int_equal(vnl_agent_msg_run_request(req, &rr, &why), -1);
	assert_string_equal(why, "run needs a non-empty argv array");
	json_decref(req);
}

static void test_proto_phc_and_errors(void **state)
{
	(void)state;
	struct vnl_phc_sample s[2] = { { 100, 150, 210 }, { 300, 349, 400 } };
	json_t *id = json_integer(5);
	json_t *r = through_line(vnl_agent_msg_phc_reply(id, "/dev/ptp0", "precise", s, 2));
	struct vnl_agent_phc ph = { .n = 0 };
	const char *why = NULL;
	assert_int_equal(vnl_agent_msg_phc_result(r, &ph, &why), 0);
	assert_string_equal(ph.device, "/dev/ptp0");
	assert_string_equal(ph.ioctl, "precise");
	assert_int_equal(ph.n, 2);
	assert_int_equal(ph.s[1].phc, 349);
	assert_int_equal(ph.s[1].sys_after, 400);
	json_decref(r);
	/* a reply without samples is malformed, not an empty reading */
	r = through_line(vnl_agent_msg_ok_reply(id));
	memset(&ph, 0, sizeof(ph));
	assert_int_equal(vnl_agent_msg_phc_result(r, &ph, &why), -1);
	assert_int_equal(errno, EPROTO);
	assert_string_equal(why, "malformed phc reply");
	json_decref(r);
	/* a refusal carries its reason */
	r = through_line(vnl_agent_msg_error(id, "no such running command"));
	errno = 0;
	assert_int_equal(vnl_agent_msg_ok(r, &why), 0);
	assert_int_equal(errno, EPROTO);
	assert_string_equal(why, "no such running command");
	json_decref(r);
	json_decref(id);
	/* the hand-written "time" lines are JSON too */
	char line[160];
	int n = vnl_agent_msg_time_reply(line, sizeof(line), 9, -5, 1700000000123456789LL);
	assert_int_equal(line[n - 1], '\n');
	r = json_loads(line, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(r, "t2")), -5);
	assert_int_equal(json_integer_value(json_object_get(r, "t3")), 1700000000123456789LL);
	json_decref(r);
	n = vnl_agent_msg_time_request(line, sizeof(line), 10);
	assert_int_equal(line[n - 1], '\n');
	r = json_loads(line, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(r, "op")), "time");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 10);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_phc),
		cmocka_unit_test(test_proto_run_reply),
		cmocka_unit_test(test_proto_run_request),
		cmocka_unit_test(test_proto_phc_and_errors),
	};
	return cmocka_run_group_tests(tests, start_agent, stop_agent);
}
