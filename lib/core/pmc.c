/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pmc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DS_NONE, DS_PORT, DS_CURRENT, DS_TIME, DS_PARENT, DS_OTHER };

/* A clock identity "xxxxxx.xxxx.xxxxxx" (hex), with "-PORT" when PORT is set. */
static bool identity_ok(const char *v, bool port)
{
	static const int dots[] = { 6, 11 };
	if (strlen(v) < 18)
		return false;
	for (int i = 0; i < 18; i++) {
		bool dot = i == dots[0] || i == dots[1];
		if (dot ? v[i] != '.' : !strchr("0123456789abcdefABCDEF", v[i]) || !v[i])
			return false;
	}
	if (!port)
		return v[18] == '\0';
	if (v[18] != '-' || !v[19])
		return false;
	for (const char *p = v + 19; *p; p++)
		if (*p < '0' || *p > '9' || p - v > 24)
			return false;
	return true;
}

static bool copy_identity(char *dst, size_t len, const char *v, bool port)
{
	if (!identity_ok(v, port) || strlen(v) >= len)
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

/* An integer, or pmc's "%.1f" of a TimeInterval: rounded to ns. */
static bool number(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(d) || fabs(d) > 9.2e18)
		return false;
	*out = (int64_t)llround(d);
	return true;
}

static bool state_ok(const char *v)
{
	size_t n = strlen(v);
	if (!n || n >= sizeof(((struct vnl_pmc *)0)->port_state))
		return false;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == n;
}

static void field(struct vnl_pmc *p, int ds, const char *k, const char *v)
{
	switch (ds) {
	case DS_PORT:
		if (!strcmp(k, "portIdentity"))
			copy_identity(p->port_identity, sizeof(p->port_identity), v, true);
		else if (!strcmp(k, "portState") && state_ok(v))
			memcpy(p->port_state, v, strlen(v) + 1);
		break;
	case DS_CURRENT:
		if (!strcmp(k, "stepsRemoved"))
			number(v, &p->steps_removed);
		else if (!strcmp(k, "offsetFromMaster"))
			number(v, &p->offset_from_master_ns);
		else if (!strcmp(k, "meanPathDelay"))
			number(v, &p->mean_path_delay_ns);
		break;
	case DS_TIME:
		if (!strcmp(k, "master_offset"))
			number(v, &p->master_offset_ns);
		else if (!strcmp(k, "gmPresent"))
			p->gm_present = !strcmp(v, "true");
		else if (!strcmp(k, "gmIdentity"))
			copy_identity(p->gm_identity, sizeof(p->gm_identity), v, false);
		break;
	case DS_PARENT:
		if (!strcmp(k, "parentPortIdentity"))
			copy_identity(p->parent_port_identity, sizeof(p->parent_port_identity), v, true);
		else if (!strcmp(k, "grandmasterIdentity"))
			copy_identity(p->grandmaster_identity, sizeof(p->grandmaster_identity), v, false);
		else if (!strcmp(k, "grandmasterPriority1"))
			number(v, &p->grandmaster_priority1);
		else if (!strcmp(k, "grandmasterPriority2"))
			number(v, &p->grandmaster_priority2);
		break;
	}
}

/* "\tID seq N RESPONSE MANAGEMENT TLV": which data set follows (DS_OTHER: not ours,
 * or one already read). */
static int header(struct vnl_pmc *p, const char *line)
{
	const char *m = strstr(line, " RESPONSE MANAGEMENT ");
	if (!m)
		return DS_OTHER;
	m += strlen(" RESPONSE MANAGEMENT ");
	size_t n = strcspn(m, " \t");
	static const struct { const char *name; int ds; } sets[] = {
		{ "PORT_DATA_SET", DS_PORT }, { "CURRENT_DATA_SET", DS_CURRENT },
		{ "TIME_STATUS_NP", DS_TIME }, { "PARENT_DATA_SET", DS_PARENT },
	};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (strlen(sets[i].name) != n || strncmp(m, sets[i].name, n))
			continue;
		bool *have[] = { &p->have_port, &p->have_current, &p->have_time_status, &p->have_parent };
		if (*have[i])
			return DS_OTHER;
		*have[i] = true;
		return sets[i].ds;
	}
	return DS_OTHER;
}

int vnl_pmc_parse(const char *text, struct vnl_pmc *out)
{
	memset(out, 0, sizeof(*out));
	int ds = DS_NONE;
	char line[256], key[64], val[128];
	while (*text) {
		size_t n = strcspn(text, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), text);
		text += n + (text[n] == '\n');
		if (line[0] == '\t' && line[1] == '\t') {
			if (ds != DS_NONE && ds != DS_OTHER && sscanf(line, " %63s %127s", key, val) == 2)
				field(out, ds, key, val);
		} else if (line[0] == '\t') {
			ds = header(out, line);
		} else {
			ds = DS_NONE; /* "sending: ..." and anything else ends a block */
		}
	}
	return out->have_port + out->have_current + out->have_time_status + out->have_parent;
}
