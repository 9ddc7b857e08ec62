/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "phc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runcmd.h"

struct vnl_phc {
	struct vnl_phcdev *dev;
	char name[64];
};

/* The guest /init's note on ptp_kvm (its insmod message), "" when it loaded or was not tried. */
static void module_failure(const char *root, char *buf, size_t len)
{
	char path[256], line[256];
	buf[0] = '\0';
	vnl_pathf(path, sizeof(path), "%s" VNL_PHC_MODULE_FAILURES, root);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "ptp_kvm:", 8)) {
			const char *msg = line + 8 + strspn(line + 8, " ");
			snprintf(buf, len, "%.*s", (int)strcspn(msg, "\n"), msg);
			break;
		}
	fclose(f);
}

/* The ptpN of /sys/class/ptp whose clock_name is the KVM one; counts the others. */
static int find_kvm(const char *root, char *name, size_t len, int *others)
{
	char dir[256], path[512], clock_name[64];
	vnl_pathf(dir, sizeof(dir), "%s/sys/class/ptp", root);
	*others = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int found = -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "ptp", 3))
			continue;
		vnl_pathf(path, sizeof(path), "%s/%s/clock_name", dir, e->d_name);
		vnl_read_line(path, clock_name, sizeof(clock_name));
		if (found < 0 && !strcmp(clock_name, VNL_PHC_KVM_NAME)) {
			vnl_pathf(name, len, "%s", e->d_name);
			found = 0;
		} else {
			(*others)++;
		}
	}
	closedir(d);
	return found;
}

struct vnl_phc *vnl_phc_open(const char *root, char *why, size_t why_len)
{
	char name[32], failure[200], path[320], msg[200];
	int others;
	if (find_kvm(root, name, sizeof(name), &others)) {
		module_failure(root, failure, sizeof(failure));
		int n = snprintf(why, why_len, "no PTP clock named \"" VNL_PHC_KVM_NAME "\" in "
				 "/sys/class/ptp (%d other%s)", others, others == 1 ? "" : "s");
		if (failure[0] && n > 0 && (size_t)n < why_len)
			snprintf(why + n, why_len - (size_t)n, "; ptp_kvm did not load: %s", failure);
		return NULL;
	}
	struct vnl_phc *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	vnl_pathf(p->name, sizeof(p->name), "/dev/%s", name);
	vnl_pathf(path, sizeof(path), "%s%s", root, p->name);
	p->dev = vnl_phcdev_open(path, p->name, msg, sizeof(msg));
	if (!p->dev) {
		snprintf(why, why_len, "%s (the KVM PTP clock)", msg);
		free(p);
		return NULL;
	}
	return p;
}

void vnl_phc_close(struct vnl_phc *p)
{
	if (!p)
		return;
	vnl_phcdev_close(p->dev);
	free(p);
}

const char *vnl_phc_device(const struct vnl_phc *p)
{
	return p->name;
}

const char *vnl_phc_ioctl(const struct vnl_phc *p)
{
	return vnl_phcdev_ioctl(p->dev);
}

int vnl_phc_read(struct vnl_phc *p, struct vnl_phc_sample *s, int n, char *why, size_t why_len)
{
	return vnl_phcdev_read(p->dev, s, n, why, why_len);
}
