/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User-facing messages: "vnetlat VERB: what went wrong; what to do". */
#ifndef VNL_LOG_H
#define VNL_LOG_H

/* Exit codes shared by every verb. */
enum { VNL_EXIT_OK = 0, VNL_EXIT_FAIL = 1, VNL_EXIT_USAGE = 2 };

void vnl_log_set_verb(const char *verb);
void vnl_log_set_quiet(int quiet);
/* Error: always printed, to stderr. */
void vnl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Error with ": strerror(errno)" appended. */
void vnl_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A value the user gave that cannot be used: "invalid WHAT 'VALUE': WHY" (WHAT: "--port",
 * "lab name"...). Returns -1, so a parser can end with it. */
int vnl_err_invalid(const char *what, const char *value, const char *why);
/* Notice (fallbacks, hints): stderr, suppressed by --quiet. */
void vnl_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
