/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "phcdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ptp_clock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum { M_PRECISE, M_EXTENDED, M_BASIC, M__COUNT };
static const char *const ioctl_names[M__COUNT] = { "precise", "extended", "basic" };

struct vnl_phcdev {
	int fd;
	int method;        /* the first one to try */
	int used;          /* the one that last worked, -1 before */
	char name[64];
};

struct vnl_phcdev *vnl_phcdev_open(const char *path, const char *name, char *why, size_t why_len)
{
	struct vnl_phcdev *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	p->used = -1;
	snprintf(p->name, sizeof(p->name), "%s", name);
	/* read-only is enough: only reading ioctls, nothing is steered */
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		snprintf(why, why_len, "cannot open %s: %s", name, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

void vnl_phcdev_close(struct vnl_phcdev *p)
{
	if (!p)
		return;
	close(p->fd);
	free(p);
}

const char *vnl_phcdev_name(const struct vnl_phcdev *p)
{
	return p->name;
}

const char *vnl_phcdev_ioctl(const struct vnl_phcdev *p)
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

/* A cross-timestamp per call: device time and realtime at the same instant. */
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

int vnl_phcdev_read(struct vnl_phcdev *p, struct vnl_phc_sample *s, int n, char *why, size_t why_len)
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
		 "(last: %s)", p->name, strerror(err));
	return -1;
}
