/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run --remote's URL and the quoting of remote command lines (sys/ssh.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ssh.h"

static void url_forms(void **state)
{
	(void)state;
	struct vnl_ssh_url u;
	const char *why;
	assert_int_equal(vnl_ssh_url_parse("ssh://root@192.0.2.2", &u, &why), 0);
	assert_string_equal(u.user, "root");
	assert_string_equal(u.host, "192.0.2.2");
	assert_int_equal(u.port, 0);
	assert_int_equal(vnl_ssh_url_parse("ssh://board:2222", &u, &why), 0);
	assert_string_equal(u.user, "");
	assert_string_equal(u.host, "board");
	assert_int_equal(u.port, 2222);
	assert_int_equal(vnl_ssh_url_parse("ssh://me@[2001:db8::2]:22", &u, &why), 0);
	assert_string_equal(u.user, "me");
	assert_string_equal(u.host, "2001:db8::2");
	assert_int_equal(u.port, 22);
	assert_int_equal(vnl_ssh_url_parse("ssh://[2001:db8::2]", &u, &why), 0);
	assert_string_equal(u.host, "2001:db8::2");
}

static void url_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"192.0.2.2", "http://x", "ssh://", "ssh://@h", "ssh://u@", "ssh://h:", "ssh://h:0",
		"ssh://h:65536", "ssh://h:22x", "ssh://[2001:db8::2", "ssh://[2001:db8::2]x",
		"ssh://-oProxyCommand=x", "ssh://-l@h", "ssh://h/path", "ssh://a b",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vnl_ssh_url u;
		const char *why = NULL;
		if (vnl_ssh_url_parse(bad[i], &u, &why) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(why);
	}
}

static void quoting(void **state)
{
	(void)state;
	char buf[64] = "cat";
	assert_true(vnl_ssh_quote(buf, sizeof(buf), "/tmp/a b"));
	assert_string_equal(buf, "cat '/tmp/a b'");
	assert_true(vnl_ssh_quote(buf, sizeof(buf), "it's"));
	assert_string_equal(buf, "cat '/tmp/a b' 'it'\\''s'");
	char small[8] = "";
	assert_true(vnl_ssh_quote(small, sizeof(small), "abcd"));
	assert_string_equal(small, "'abcd'");
	assert_false(vnl_ssh_quote(small, sizeof(small), "x")); /* would not fit: left whole */
	assert_string_equal(small, "'abcd'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_forms),
		cmocka_unit_test(url_refused),
		cmocka_unit_test(quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
