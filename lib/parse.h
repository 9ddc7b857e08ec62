/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing of option values. Each returns 0 on success or -1 and leaves a
 * user-facing explanation in *why (a static string: what was expected).
 */
#ifndef VNL_PARSE_H
#define VNL_PARSE_H

#include <stdint.h>
#include <time.h>

/* "1ms", "250us", "500ns", "10s", "2m", "1h", "1.5ms"; a bare number is seconds. */
int vnl_parse_duration(const char *s, int64_t *out_ns, const char **why);
/* Unsigned integer in [min, max], decimal or 0x hex. */
int vnl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char **why);
/* "realtime", "tai", "monotonic". */
int vnl_parse_clock(const char *s, clockid_t *out, const char **why);
const char *vnl_clock_name(clockid_t clk);
/* Format a duration in the most readable unit ("12.3us"); returns buf. */
char *vnl_fmt_ns(int64_t ns, char *buf, unsigned len);

#endif
