/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *log_verb;
static int log_quiet;

void vnl_log_set_verb(const char *verb) { log_verb = verb; }
void vnl_log_set_quiet(int quiet) { log_quiet = quiet; }

static void vlog(const char *fmt, va_list ap, const char *suffix)
{
	if (log_verb)
		fprintf(stderr, "vnetlat %s: ", log_verb);
	else
		fputs("vnetlat: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

void vnl_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}

void vnl_errno(const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap, why);
	va_end(ap);
}

void vnl_notice(const char *fmt, ...)
{
	if (log_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}

int vnl_err_invalid(const char *what, const char *value, const char *why)
{
	vnl_err("invalid %s '%s': %s", what, value, why);
	return -1;
}
