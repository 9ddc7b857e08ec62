/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A study's progress display with live figures: the plain lines a log gets
 * (a "running" line with the running case's loss and p99, then its end line;
 * none before the live interval; nothing once the case ended), and the
 * terminal line (on a pseudo-terminal) showing "now" figures, then "last".
 */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "progress.h"

#define SEC 1000000000LL

/* Everything written to F so far. */
static char *contents(FILE *f)
{
	static char buf[4096];
	fflush(f);
	rewind(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

static void plain_live_line_before_end(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct vnl_progress *p = vnl_progress_new(f, 2, 20 * SEC, false);
	vnl_progress_set_plain_every(p, 0);
	vnl_progress_begin(p, 0, "veth/load=none", 10 * SEC);
	vnl_progress_tick(p);
	assert_string_equal(contents(f), ""); /* no figures yet: nothing to say */
	vnl_progress_live(p, "in", 0.0125, 42100);
	vnl_progress_tick(p);
	vnl_progress_end(p, "done", 0.0, 43000, NULL);
	vnl_progress_tick(p); /* the case ended: its live figures are gone */
	assert_string_equal(contents(f),
			    "case 1/2 veth/load=none: running, in: loss 1.25% p99 42.1us [0:00]\n"
			    "case 1/2 veth/load=none: done, loss 0.00% p99 43.0us [0:00]\n");
	vnl_progress_free(p);
	fclose(f);
}

static void plain_unknown_and_unnamed(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct vnl_progress *p = vnl_progress_new(f, 1, SEC, false);
	vnl_progress_set_plain_every(p, 0);
	vnl_progress_begin(p, 0, "c", SEC);
	vnl_progress_live(p, NULL, -1, -1);
	vnl_progress_tick(p);
	assert_string_equal(contents(f), "case 1/1 c: running, loss - p99 - [0:00]\n");
	vnl_progress_free(p);
	fclose(f);
}

/* With the default interval a case just begun prints no live line yet. */
static void plain_not_every_tick(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct vnl_progress *p = vnl_progress_new(f, 1, 60 * SEC, false);
	vnl_progress_begin(p, 0, "c", 60 * SEC);
	vnl_progress_live(p, "out", 0, 1000);
	vnl_progress_tick(p);
	vnl_progress_tick(p);
	assert_string_equal(contents(f), "");
	vnl_progress_free(p);
	fclose(f);
}

static void quiet_prints_nothing(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct vnl_progress *p = vnl_progress_new(f, 1, SEC, true);
	vnl_progress_set_plain_every(p, 0);
	vnl_progress_begin(p, 0, "c", SEC);
	vnl_progress_live(p, "in", 0, 1000);
	vnl_progress_tick(p);
	vnl_progress_end(p, "done", 0, 1000, NULL);
	assert_string_equal(contents(f), "");
	vnl_progress_free(p);
	fclose(f);
}

static int fcntl_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * What the terminal received, read from the pseudo-terminal's master side until
 * UNTIL is in it (a loaded machine hands pty data over late: wait for it, up to
 * 10 s, rather than for a fixed time).
 */
static char *drain(int master, const char *until)
{
	static char buf[4096];
	size_t n = 0;
	buf[0] = '\0';
	for (int waited_ms = 0; !strstr(buf, until) && waited_ms < 10000 && n < sizeof(buf) - 1;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		if (poll(&pfd, 1, 100) <= 0) {
			waited_ms += 100;
			continue;
		}
		ssize_t r = read(master, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
	}
	return buf;
}

static void terminal_line_shows_live_then_last(void **state)
{
	(void)state;
	int master, slave;
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	FILE *tty = fdopen(slave, "w");
	assert_non_null(tty);
	struct vnl_progress *p = vnl_progress_new(tty, 2, 20 * SEC, false);
	vnl_progress_begin(p, 0, "vm/load=none", 10 * SEC);
	vnl_progress_live(p, "out", 0.5, 1500000);
	vnl_progress_tick(p);
	fflush(tty);
	assert_int_equal(fcntl_nonblock(master), 0);
	char *got = drain(master, "p99 1500.0us");
	assert_non_null(strstr(got, "\r\033[Kcase 1 of 2  vm/load=none  elapsed 0:00"));
	assert_non_null(strstr(got, "  now out: loss 50.00% p99 1500.0us"));
	vnl_progress_end(p, "done", 0.25, 2000000, NULL);
	vnl_progress_begin(p, 1, "vm/load=udp1", 10 * SEC);
	vnl_progress_tick(p);
	fflush(tty);
	got = drain(master, "last: loss 25.00% p99 2000.0us");
	/* the end line is a line of its own; the next case shows the last one's figures */
	assert_non_null(strstr(got, "case 1/2 vm/load=none: done, loss 25.00% p99 2000.0us"));
	char *line = strstr(got, "case 2 of 2  vm/load=udp1");
	assert_non_null(line);
	assert_non_null(strstr(line, "  last: loss 25.00% p99 2000.0us"));
	assert_null(strstr(line, "now"));
	vnl_progress_free(p);
	fclose(tty);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_live_line_before_end),
		cmocka_unit_test(plain_unknown_and_unnamed),
		cmocka_unit_test(plain_not_every_tick),
		cmocka_unit_test(quiet_prints_nothing),
		cmocka_unit_test(terminal_line_shows_live_then_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
