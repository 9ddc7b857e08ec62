/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "parse.h"

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
	if (end == s || *end || errno) {
		*why = "expected a non-negative whole number";
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
