/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "probecheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "timeutil.h"
#include "wire.h"

/* The sender ends a stream with FINs an interval (or a gap, wire.h) apart: room for both. */
#define FIN_SLOTS VNL_WIRE_FIN_COPIES
/* Room for the base the sender picks (next whole second + 100 ms) and for a clock ahead of now. */
#define BASE_SLACK_NS (10 * VNL_NSEC_PER_SEC)

int vnl_probecheck_size(uint64_t size, char *why, size_t len)
{
	if (size >= VNL_WIRE_MIN_SIZE && size <= VNL_WIRE_MAX_SIZE)
		return 0;
	snprintf(why, len, "expected %d..%d (%d: header and one follow-up, %d: a jumbo frame's "
		 "payload)", VNL_WIRE_MIN_SIZE, VNL_WIRE_MAX_SIZE, VNL_WIRE_MIN_SIZE,
		 VNL_WIRE_MAX_SIZE);
	return -1;
}

int vnl_probecheck_schedule(int64_t base_ns, int64_t interval_ns, uint64_t count,
			    int64_t duration_ns, char *why, size_t len)
{
	if (interval_ns <= 0) {
		snprintf(why, len, "the interval must be more than zero");
		return -1;
	}
	if (!base_ns)
		base_ns = vnl_now_ns(CLOCK_REALTIME) + BASE_SLACK_NS;
	uint64_t slots = count ? count : duration_ns ? (uint64_t)(duration_ns / interval_ns) + 1 : 1;
	int64_t span, last;
	if (slots > (uint64_t)INT64_MAX - FIN_SLOTS ||
	    __builtin_mul_overflow((int64_t)(slots + FIN_SLOTS), interval_ns, &span) ||
	    __builtin_add_overflow(span, (int64_t)VNL_WIRE_FIN_SPREAD_NS, &span) ||
	    __builtin_add_overflow(base_ns, span, &last)) {
		snprintf(why, len, "the schedule (%" PRIu64 " slots of %" PRId64 " ns, plus %d for the "
			 "end of the stream) would run past the end of the 64-bit nanosecond clock "
			 "(the year 2262); choose a shorter interval, or fewer probes or a shorter "
			 "duration", slots, interval_ns, FIN_SLOTS);
		return -1;
	}
	return 0;
}
