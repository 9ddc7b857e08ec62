/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"

static const struct unit {
	const char *name;
	double ns;
} duration_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
};

int vnl_parse_duration(const char *s, int64_t *out_ns, const char **why)
{
	static const char expect[] = "expected a non-negative duration such as 1ms, 250us, 10s, 2m";
	char *end;

	/* strtod alone would take leading blanks, signs, "inf" and hex floats */
	bool hex = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (!s || !(isdigit((unsigned char)*s) || *s == '.') || hex) {
		*why = expect;
		return -1;
	}
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0) {
		*why = expect;
		return -1;
	}
	double scale = 1e9; /* a bare number is seconds, as for sleep(1) */
	if (*end) {
		size_t i;
		for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
			if (!strcmp(end, duration_units[i].name))
				break;
		if (i == sizeof(duration_units) / sizeof(duration_units[0])) {
			*why = "unknown unit; use ns, us, ms, s, m or h";
			return -1;
		}
		scale = duration_units[i].ns;
	}
	double ns = v * scale;
	if (ns >= 0x1p63) { /* INT64_MAX + 1 */
		*why = "duration too large";
		return -1;
	}
	*out_ns = (int64_t)llround(ns);
	return 0;
}

int vnl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, const char **why)
{
	char *end;

	/* strtoull alone would take blanks and signs, and read "010" as octal */
	if (!s || !isdigit((unsigned char)*s)) {
		*why = "expected a non-negative whole number";
		return -1;
	}
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex && !isxdigit((unsigned char)s[2])) {
		*why = "expected a non-negative whole number";
		return -1;
	}
	errno = 0;
	unsigned long long v = strtoull(s, &end, hex ? 16 : 10);
	if (end == s || *end) {
		*why = "expected a non-negative whole number";
		return -1;
	}
	if (errno == ERANGE) {
		*why = "number too large";
		return -1;
	}
	if (v < min || v > max) {
		*why = "number out of range";
		return -1;
	}
	*out = v;
	return 0;
}

static const struct clock_name {
	const char *name;
	clockid_t id;
} clock_names[] = {
	{ "realtime", CLOCK_REALTIME }, { "tai", CLOCK_TAI }, { "monotonic", CLOCK_MONOTONIC },
};

int vnl_parse_addr(const char *s, int family, bool with_len, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned char bin[sizeof(struct in6_addr)];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max_len = family == AF_INET ? 32 : 128;
	const char *what = family == AF_INET
		? (with_len ? "expected an IPv4 address and prefix length, e.g. 192.0.2.2/24"
			    : "expected an IPv4 address, e.g. 192.0.2.1")
		: (with_len ? "expected an IPv6 address and prefix length, e.g. 2001:db8::2/64"
			    : "expected an IPv6 address, e.g. 2001:db8::1");
	uint64_t len;
	const char *len_why;
	if (n >= sizeof(buf) || (with_len != (slash != NULL)) ||
	    (slash && vnl_parse_u64(slash + 1, 1, (uint64_t)max_len, &len, &len_why))) {
		*why = what;
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(family, buf, bin) != 1) {
		*why = what;
		return -1;
	}
	return 0;
}

int vnl_parse_clock(const char *s, clockid_t *out, const char **why)
{
	for (size_t i = 0; s && i < sizeof(clock_names) / sizeof(clock_names[0]); i++) {
		if (!strcasecmp(s, clock_names[i].name)) {
			*out = clock_names[i].id;
			return 0;
		}
	}
	*why = "expected realtime, tai or monotonic";
	return -1;
}

const char *vnl_clock_name(clockid_t clk)
{
	for (size_t i = 0; i < sizeof(clock_names) / sizeof(clock_names[0]); i++)
		if (clock_names[i].id == clk)
			return clock_names[i].name;
	return "unknown";
}

char *vnl_fmt_ns(int64_t ns, char *buf, unsigned len)
{
	double a = fabs((double)ns);

	/* thresholds sit where the rounding of the smaller unit would print 1000 */
	if (a < 1e3)
		snprintf(buf, len, "%lldns", (long long)ns);
	else if (a < 999.95e3)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (a < 999.995e6)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.3fs", ns / 1e9);
	return buf;
}
