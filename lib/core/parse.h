/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsing of option values. Each returns 0 on success or -1 and leaves a
 * user-facing explanation in *why (a static string: what was expected).
 */
#ifndef VNL_PARSE_H
#define VNL_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* "1ms", "250us", "500ns", "10s", "2m", "1h", "1.5ms"; a bare number is seconds. */
int vnl_parse_duration(const char *s, int64_t *out_ns, const char **why);
/* Unsigned integer in [min, max], decimal or 0x hex. */
int vnl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char **why);
/* "realtime", "tai", "monotonic". */
/* An address with a prefix length ("192.0.2.2/24", "2001:db8::2/64") of FAMILY
 * (AF_INET or AF_INET6); WITH_LEN false: a bare address. */
int vnl_parse_addr(const char *s, int family, bool with_len, const char **why);
int vnl_parse_clock(const char *s, clockid_t *out, const char **why);
const char *vnl_clock_name(clockid_t clk);
/* Format a duration in the most readable unit ("12.3us"); returns buf. */
char *vnl_fmt_ns(int64_t ns, char *buf, unsigned len);

#endif
