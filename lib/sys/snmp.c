/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "snmp.h"

#include <stdlib.h>
#include <string.h>

#include "runcmd.h"

/* The value in column COL (0: the "Udp:" tag) of the line starting at P, or -1. */
static int64_t column(const char *p, int col)
{
	for (int c = 0; c < col; c++) {
		p += strcspn(p, " \n");
		if (*p != ' ')
			return -1;
		p += strspn(p, " ");
	}
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	return end == p || v > INT64_MAX ? -1 : (int64_t)v;
}

/* /proc/net/snmp: a "Udp:" line of names, then a "Udp:" line of values. */
static bool snmp4(const char *text, uint64_t *n)
{
	const char *names = strstr(text, "\nUdp: ");
	names = names ? names + 1 : (strncmp(text, "Udp: ", 5) ? NULL : text);
	if (!names)
		return false;
	const char *values = strchr(names, '\n');
	if (!values || strncmp(values + 1, "Udp: ", 5))
		return false;
	const char *eol = values;
	int col = 0;
	for (const char *p = names; p < eol;) {
		size_t len = strcspn(p, " \n");
		if (len == strlen("InCsumErrors") && !strncmp(p, "InCsumErrors", len)) {
			int64_t v = column(values + 1, col);
			if (v < 0)
				return false;
			*n += (uint64_t)v;
			return true;
		}
		p += len;
		p += strspn(p, " ");
		col++;
	}
	return false;
}

/* /proc/net/snmp6: one "Udp6InCsumErrors   N" line. */
static bool snmp6(const char *text, uint64_t *n)
{
	for (const char *p = strstr(text, "Udp6InCsumErrors"); p; p = strstr(p + 1, "Udp6InCsumErrors")) {
		if (p != text && p[-1] != '\n')
			continue;
		p += strlen("Udp6InCsumErrors");
		if (*p != ' ' && *p != '\t')
			continue;
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p || v > INT64_MAX)
			return false;
		*n += v;
		return true;
	}
	return false;
}

bool vnl_snmp_udp_csum_errors(const char *text, uint64_t *errors)
{
	*errors = 0;
	bool four = snmp4(text, errors);
	bool six = snmp6(text, errors);
	return four || six;
}

bool vnl_snmp_netns_udp_csum_errors(const char *netns, uint64_t *errors)
{
	char buf[8192];
	const char *const argv[] = { "ip", "netns", "exec", netns, "cat", "/proc/net/snmp",
				     "/proc/net/snmp6", NULL };
	return vnl_runcmd(argv, NULL, buf, sizeof(buf)) == 0 && vnl_snmp_udp_csum_errors(buf, errors);
}
