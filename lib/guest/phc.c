/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "phc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ptp_clock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "runcmd.h"

enum { M_PRECISE, M_EXTENDED, M_BASIC, M__COUNT };
static const char *const ioctl_names[M__COUNT] = { "precise", "extended", "basic" };

struct vnl_phc {
	int fd;
	int method;        /* the first one to try */
	int used;          /* the one that last worked, -1 before */
	char dev[64];
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
	char name[32], failure[200];
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
	p->used = -1;
	vnl_pathf(p->dev, sizeof(p->dev), "/dev/%s", name);
	char path[320];
	vnl_pathf(path, sizeof(path), "%s%s", root, p->dev);
	/* read-only is enough: only reading ioctls, nothing is steered */
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		snprintf(why, why_len, "cannot open %s (the KVM PTP clock): %s", p->dev, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

void vnl_phc_close(struct vnl_phc *p)
{
	if (!p)
		return;
	close(p->fd);
	free(p);
}

const char *vnl_phc_device(const struct vnl_phc *p)
{
	return p->dev;
}

const char *vnl_phc_ioctl(const struct vnl_phc *p)
{
	return p->used >= 0 ? ioctl_names[p->used] : "";
}

static int64_t pct_ns(const struct ptp_clock_time *t)
{
	return (int64_t)t->sec * 1000000000LL + t->nsec;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int rc;
	do
		rc = ioctl(fd, req, arg);
	while (rc < 0 && errno == EINTR);
	return rc;
}

/* A cross-timestamp per call: device time and guest realtime at the same instant. */
static int read_precise(int fd, struct vnl_phc_sample *s, int n)
{
	for (int i = 0; i < n; i++) {
		struct ptp_sys_offset_precise x;
		memset(&x, 0, sizeof(x));
		if (xioctl(fd, PTP_SYS_OFFSET_PRECISE, &x))
			return -1;
		s[i].sys_before = s[i].sys_after = pct_ns(&x.sys_realtime);
		s[i].phc = pct_ns(&x.device);
	}
	return n;
}

/* ts[i] = { system before, PHC, system after }, each sandwich taken by the driver. */
static int read_extended(int fd, struct vnl_phc_sample *s, int n)
{
	struct ptp_sys_offset_extended x;
	memset(&x, 0, sizeof(x));
	x.n_samples = (unsigned)n;
	if (xioctl(fd, PTP_SYS_OFFSET_EXTENDED, &x))
		return -1;
	for (int i = 0; i < n; i++)
		s[i] = (struct vnl_phc_sample){ pct_ns(&x.ts[i][0]), pct_ns(&x.ts[i][1]),
						pct_ns(&x.ts[i][2]) };
	return n;
}

/* ts = system, PHC, system, PHC, ..., system: consecutive system reads bracket each PHC read. */
static int read_basic(int fd, struct vnl_phc_sample *s, int n)
{
	struct ptp_sys_offset x;
	memset(&x, 0, sizeof(x));
	x.n_samples = (unsigned)n;
	if (xioctl(fd, PTP_SYS_OFFSET, &x))
		return -1;
	for (int i = 0; i < n; i++)
		s[i] = (struct vnl_phc_sample){ pct_ns(&x.ts[2 * i]), pct_ns(&x.ts[2 * i + 1]),
						pct_ns(&x.ts[2 * i + 2]) };
	return n;
}

int vnl_phc_read(struct vnl_phc *p, struct vnl_phc_sample *s, int n, char *why, size_t why_len)
{
	static int (*const readers[M__COUNT])(int, struct vnl_phc_sample *, int) = {
		read_precise, read_extended, read_basic
	};
	if (n < 1 || n > VNL_PHC_MAX_SAMPLES) {
		snprintf(why, why_len, "asked for %d samples; 1 to %d at a time", n, VNL_PHC_MAX_SAMPLES);
		return -1;
	}
	int err = 0;
	for (int m = p->method; m < M__COUNT; m++) {
		if (readers[m](p->fd, s, n) == n) {
			p->method = p->used = m; /* a driver without the better ioctls: stay here */
			return n;
		}
		err = errno;
	}
	p->method = 0; /* next time, start again from the best */
	snprintf(why, why_len, "%s refused PTP_SYS_OFFSET_PRECISE, _EXTENDED and PTP_SYS_OFFSET "
		 "(last: %s)", p->dev, strerror(err));
	return -1;
}
