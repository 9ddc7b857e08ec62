/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hugepages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number after "KEY:" in /proc/meminfo's text, or -1. */
static long long meminfo_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ':')
			return strtoll(l + klen + 1, NULL, 10);
	return -1;
}

/* A mount's pagesize= option in kB (2M -> 2048); 0 without one (the default size). */
static long long pagesize_kb(const char *opts)
{
	const char *p = strstr(opts, "pagesize=");
	if (!p)
		return 0;
	char *end;
	long long n = strtoll(p + 9, &end, 10);
	switch (*end) {
	case 'G': case 'g': return n * 1024 * 1024;
	case 'M': case 'm': return n * 1024;
	case 'K': case 'k': return n;
	default: return n / 1024; /* bytes */
	}
}

/* The first hugetlbfs mount of pages of kb kB (its pagesize=, or none: the default) in mounts. */
static bool hugetlbfs_mount(const char *mounts, long long kb, char *dir, size_t len)
{
	char line[512];
	for (const char *l = mounts; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, l, n);
		line[n] = '\0';
		l = nl ? nl + 1 : NULL;
		char dev[64], path[256], type[32], opts[256];
		if (sscanf(line, "%63s %255s %31s %255s", dev, path, type, opts) == 4 &&
		    !strcmp(type, "hugetlbfs") && (pagesize_kb(opts) == 0 || pagesize_kb(opts) == kb)) {
			snprintf(dir, len, "%s", path);
			return true;
		}
	}
	return false;
}

bool vnl_hugepages_from(const char *meminfo, const char *mounts, unsigned mb, char *mount,
			size_t mount_len, char *said, size_t said_len)
{
	long long free_pages = meminfo_value(meminfo, "HugePages_Free");
	long long kb = meminfo_value(meminfo, "Hugepagesize");
	if (free_pages <= 0 || kb <= 0) {
		snprintf(said, said_len, "no free hugepages (HugePages_Free %lld)",
			 free_pages < 0 ? 0 : free_pages);
		return false;
	}
	long long need = ((long long)mb * 1024 + kb - 1) / kb;
	if (free_pages < need) {
		snprintf(said, said_len, "too few free hugepages (%lld of %lld kB free, %lld needed)",
			 free_pages, kb, need);
		return false;
	}
	if (!hugetlbfs_mount(mounts, kb, mount, mount_len)) {
		snprintf(said, said_len, "%lld hugepages free but no hugetlbfs mount of their size",
			 free_pages);
		return false;
	}
	snprintf(said, said_len, "hugepages (%s, %lld of %lld kB free)", mount, free_pages, kb);
	return true;
}

/* A whole small /proc file into a malloc'd string ("" when unreadable). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		if (f)
			fclose(f);
		return NULL;
	}
	while (f) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

bool vnl_hugepages_for(unsigned mb, char *mount, size_t mount_len, char *said, size_t said_len)
{
	char *meminfo = slurp("/proc/meminfo"), *mounts = slurp("/proc/mounts");
	bool ok = meminfo && mounts &&
		  vnl_hugepages_from(meminfo, mounts, mb, mount, mount_len, said, said_len);
	if (!meminfo || !mounts)
		snprintf(said, said_len, "no free hugepages (out of memory reading /proc)");
	free(meminfo);
	free(mounts);
	return ok;
}
