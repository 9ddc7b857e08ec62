/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "netns.h"

#define TEST_NS "ch-utest"
#define SEC 1000000000LL

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static int sh(const char *script, const struct vnl_child_opts *o)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	return vnl_child_run(argv, o, 10 * SEC);
}

static void captures_stdout_and_stderr(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct vnl_child_opts o = { .out = { .how = VNL_CHILD_CAPTURE },
				    .err = { .how = VNL_CHILD_AS_STDOUT } };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	assert_int_equal(vnl_child_status(c), -1);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_string_equal(vnl_child_output(c, NULL), "out\nerr\n");
	assert_int_equal(vnl_child_status(c), 3);
	assert_int_equal(vnl_child_term_signal(c), 0);
	vnl_child_free(c);
}

static void capture_keeps_the_tail(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "i=0; while [ $i -lt 3000 ]; do printf x; i=$((i+1)); done; "
			       "printf END", NULL };
	struct vnl_child_opts o = { .out = { .how = VNL_CHILD_CAPTURE }, .capture_max = 8 };
	struct vnl_child *c;
	size_t n;
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_string_equal(vnl_child_output(c, &n), "xxxxxEND");
	assert_int_equal(n, 8);
	vnl_child_free(c);
}

static void exit_codes(void **state)
{
	(void)state;
	assert_int_equal(sh("exit 0", NULL), 0);
	assert_int_equal(sh("exit 42", NULL), 42);
	const char *missing[] = { "vnetlat-no-such-program", "x", NULL };
	struct vnl_child_opts quiet = { .quiet = true };
	assert_int_equal(vnl_child_run(missing, &quiet, 10 * SEC), 127);
	struct vnl_child_opts nodir = { .dir = "/nonexistent/dir", .quiet = true };
	assert_int_equal(sh("exit 0", &nodir), 126);
}

static void signal_status(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "kill -TERM $$; sleep 5", NULL };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, NULL), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 128 + SIGTERM);
	assert_int_equal(vnl_child_term_signal(c), SIGTERM);
	vnl_child_free(c);
}

static void signals_reset_in_child(void **state)
{
	(void)state;
	/* ignored and blocked here, default there: the TERM ends it */
	signal(SIGTERM, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	const char *argv[] = { "sleep", "30", NULL };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, NULL), 0);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	usleep(100000);
	vnl_child_signal(c, SIGINT);
	assert_int_equal(vnl_child_wait(c, 5 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 128 + SIGINT);
	vnl_child_free(c);
}

static void deadline_and_escalation(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "trap '' TERM; sleep 30", NULL };
	struct vnl_child_opts o = { .own_group = true };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	int64_t t0 = mono_ns();
	assert_int_equal(vnl_child_wait(c, 200 * 1000000LL), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(mono_ns() - t0 >= 200 * 1000000LL);
	assert_false(vnl_child_poll(c));
	t0 = mono_ns();
	assert_int_equal(vnl_child_stop(c, SIGTERM, 300 * 1000000LL), 128 + SIGKILL);
	int64_t took = mono_ns() - t0;
	assert_true(took >= 300 * 1000000LL);
	assert_true(took < 5 * SEC);
	assert_int_equal(vnl_child_signal(c, SIGTERM), 0); /* ended: nothing is signalled */
	vnl_child_free(c);
}

static void group_signal_reaches_grandchildren(void **state)
{
	(void)state;
	char file[] = "/tmp/ch-child-XXXXXX", script[256];
	int fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	/* the grandchild is ours to reap when its parent is gone */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; wait", file);
	const char *argv[] = { "sh", "-c", script, NULL };
	struct vnl_child_opts o = { .own_group = true };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	long gpid = 0;
	for (int i = 0; i < 500 && gpid <= 0; i++) {
		FILE *f = fopen(file, "r");
		if (f) {
			if (fscanf(f, "%ld", &gpid) != 1)
				gpid = 0;
			fclose(f);
		}
		if (gpid <= 0)
			usleep(10000);
	}
	unlink(file);
	assert_true(gpid > 0);
	assert_int_equal(vnl_child_signal(c, SIGTERM), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 128 + SIGTERM);
	int st;
	assert_int_equal(waitpid((pid_t)gpid, &st, 0), (pid_t)gpid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	vnl_child_free(c);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void files_and_directory(void **state)
{
	(void)state;
	char file[] = "/tmp/ch-child-XXXXXX", buf[256];
	int fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	struct vnl_child_opts o = { .dir = "/", .out = { .how = VNL_CHILD_TRUNCATE, .path = file } };
	assert_int_equal(sh("pwd", &o), 0);
	o.out.how = VNL_CHILD_APPEND;
	o.dir = NULL;
	o.err = (struct vnl_child_stream){ .how = VNL_CHILD_APPEND, .path = file };
	assert_int_equal(sh("echo two >&2", &o), 0);
	FILE *f = fopen(file, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	unlink(file);
	buf[n] = 0;
	assert_string_equal(buf, "/\ntwo\n");
}

static void held_until_released(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "exit 5", NULL };
	struct vnl_child_opts o = { .hold = true };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	usleep(50000);
	assert_false(vnl_child_poll(c));
	assert_int_equal(vnl_child_release(c, true), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 5);
	vnl_child_free(c);
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	assert_int_equal(vnl_child_release(c, false), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 0); /* ended without running */
	vnl_child_free(c);
}

static int answer(void *arg)
{
	printf("%s", (const char *)arg);
	return 7;
}

static void calls_a_function(void **state)
{
	(void)state;
	struct vnl_child_opts o = { .out = { .how = VNL_CHILD_CAPTURE } };
	struct vnl_child *c;
	assert_int_equal(vnl_child_call(&c, answer, "from the child", &o), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 7);
	assert_string_equal(vnl_child_output(c, NULL), "from the child");
	vnl_child_free(c);
}

static void descriptors_closed_but_kept(void **state)
{
	(void)state;
	int a[2], b[2];
	char script[128];
	assert_int_equal(pipe(a), 0);          /* not close-on-exec, still closed */
	assert_int_equal(pipe2(b, O_CLOEXEC), 0); /* close-on-exec, still kept */
	snprintf(script, sizeof(script), "[ -e /proc/self/fd/%d ] && exit 1; echo kept >&%d",
		 a[1], b[1]);
	const int keep[] = { b[1], -1 };
	struct vnl_child_opts o = { .keep_fds = keep };
	assert_int_equal(sh(script, &o), 0);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	char buf[16] = "";
	assert_int_equal(read(b[0], buf, sizeof(buf) - 1), 5);
	assert_string_equal(buf, "kept\n");
	close(b[0]);
}

static void self_exe(void **state)
{
	(void)state;
	const char *p = vnl_self_exe();
	assert_non_null(p);
	const char *base = strrchr(p, '/');
	assert_non_null(base);
	assert_string_equal(base + 1, "test_child");
	assert_ptr_equal(vnl_self_exe(), p);
}

static int remove_ns(void **state)
{
	(void)state;
	if (geteuid() == 0)
		vnl_netns_remove(TEST_NS);
	return 0;
}

static void in_network_namespace(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	char own[64] = "";
	ssize_t n = readlink("/proc/self/ns/net", own, sizeof(own) - 1);
	assert_true(n > 0);
	own[n] = 0;
	vnl_netns_remove(TEST_NS);
	assert_int_equal(vnl_netns_create(TEST_NS), 0);
	const char *argv[] = { "readlink", "/proc/self/ns/net", NULL };
	struct vnl_child_opts o = { .netns = TEST_NS, .out = { .how = VNL_CHILD_CAPTURE } };
	struct vnl_child *c;
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 0);
	const char *there = vnl_child_output(c, NULL);
	assert_non_null(strstr(there, "net:["));
	assert_null(strstr(there, own));
	vnl_child_free(c);
	o.netns_net_only = true; /* setns alone: the same namespace */
	assert_int_equal(vnl_child_spawn(&c, argv, &o), 0);
	assert_int_equal(vnl_child_wait(c, 10 * SEC), 0);
	assert_int_equal(vnl_child_status(c), 0);
	assert_null(strstr(vnl_child_output(c, NULL), own));
	vnl_child_free(c);
	assert_int_equal(vnl_netns_remove(TEST_NS), 0);
	struct vnl_child_opts gone = { .netns = TEST_NS, .quiet = true, .netns_status = 124 };
	assert_int_equal(vnl_child_run(argv, &gone, 10 * SEC), 124);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(captures_stdout_and_stderr),
		cmocka_unit_test(capture_keeps_the_tail),
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(signal_status),
		cmocka_unit_test(signals_reset_in_child),
		cmocka_unit_test(deadline_and_escalation),
		cmocka_unit_test(group_signal_reaches_grandchildren),
		cmocka_unit_test(files_and_directory),
		cmocka_unit_test(held_until_released),
		cmocka_unit_test(calls_a_function),
		cmocka_unit_test(descriptors_closed_but_kept),
		cmocka_unit_test(self_exe),
		cmocka_unit_test_teardown(in_network_namespace, remove_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
