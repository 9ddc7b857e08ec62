/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runcmd.h"

#include "child.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vnl_runcmd(const char *const argv[], const char *dir, char *out, size_t len)
{
	struct vnl_child_opts o = {
		.dir = dir,
		.out = { .how = VNL_CHILD_CAPTURE },
		.err = { .how = VNL_CHILD_AS_STDOUT },
		.capture_max = len > 1 ? len - 1 : 1,
		.say_prefix = "", /* "cannot run X: why" in what is captured */
	};
	struct vnl_child *c;
	if (vnl_child_spawn(&c, argv, &o) < 0)
		return -1;
	vnl_child_wait(c, -1);
	if (len) {
		size_t n;
		const char *text = vnl_child_output(c, &n);
		memcpy(out, text, n < len ? n : len - 1);
		out[n < len ? n : len - 1] = 0;
	}
	int status = vnl_child_status(c);
	vnl_child_free(c);
	return status;
}

const char *vnl_tail_lines(const char *text, int n)
{
	const char *p = text + strlen(text);
	/* a trailing newline does not start a line */
	if (p > text && p[-1] == '\n')
		p--;
	while (p > text) {
		if (p[-1] == '\n' && --n == 0)
			break;
		p--;
	}
	return p;
}

void vnl_read_line(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

void vnl_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}
