/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hostid.h"

#include <stdio.h>

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* FNV-1a: tiny, stable across builds and architectures. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s && *s != '\n'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

uint32_t vnl_hostid(void)
{
	char buf[64] = "";
	FILE *f = fopen(BOOT_ID_PATH, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	if (!buf[0])
		return 0;
	uint32_t h = fnv1a(buf);
	return h ? h : 1; /* 0 is reserved for "unknown" */
}

const char *vnl_hostid_clock_sync(uint32_t local, uint32_t remote)
{
	if (local && local == remote)
		return "same-host";
	return "unknown (one-way figures need PTP-synchronised clocks)";
}
