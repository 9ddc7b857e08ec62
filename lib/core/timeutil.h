/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VNL_TIMEUTIL_H
#define VNL_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

#define VNL_NSEC_PER_SEC 1000000000LL
#define VNL_NSEC_PER_MSEC 1000000LL
#define VNL_NSEC_PER_USEC 1000LL

static inline int64_t vnl_ts_to_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * VNL_NSEC_PER_SEC + ts->tv_nsec;
}

static inline struct timespec vnl_ns_to_ts(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / VNL_NSEC_PER_SEC, .tv_nsec = ns % VNL_NSEC_PER_SEC };
	if (ts.tv_nsec < 0) {
		ts.tv_nsec += VNL_NSEC_PER_SEC;
		ts.tv_sec--;
	}
	return ts;
}

static inline int64_t vnl_now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return vnl_ts_to_ns(&ts);
}

#endif
