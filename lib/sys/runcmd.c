/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(const char *const argv[], const char *dir, int out)
{
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0)
		dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (dir && chdir(dir)) {
		dprintf(2, "cannot enter %s: %s\n", dir, strerror(errno));
		_exit(126);
	}
	execvp(argv[0], (char *const *)argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Keep the last len-1 bytes of everything read. */
static void collect(int fd, char *out, size_t len)
{
	size_t used = 0;
	char buf[8192];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!len)
			continue;
		size_t cap = len - 1, take = (size_t)n;
		const char *src = buf;
		if (take > cap) {
			src += take - cap;
			take = cap;
		}
		if (used + take > cap) {
			size_t drop = used + take - cap;
			memmove(out, out + drop, used - drop);
			used -= drop;
		}
		memcpy(out + used, src, take);
		used += take;
	}
	if (len)
		out[used] = 0;
}

int vnl_runcmd(const char *const argv[], const char *dir, char *out, size_t len)
{
	int p[2], status;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0)
		child(argv, dir, p[1]);
	close(p[1]);
	collect(p[0], out, len);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
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
