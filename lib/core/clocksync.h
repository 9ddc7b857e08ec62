/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest-host clock offset from NTP-style exchanges over the control channel
 * (t1 host send, t2 guest receive, t3 guest send, t4 host receive). A sample's
 * offset guest - host is ((t2-t1)+(t3-t4))/2 and is wrong by at most half its
 * round trip (t4-t1)-(t3-t2), so the fastest exchange of each second is kept
 * (unless it is much slower than the fastest of the run) and guest stamps are
 * moved onto the host clock by interpolating between those; the residual
 * uncertainty is the largest half round trip among them.
 */
#ifndef VNL_CLOCKSYNC_H
#define VNL_CLOCKSYNC_H

#include <stdbool.h>
#include <stdint.h>

/* Exchanges kept per second of the run: the one with the smallest round trip wins. */
#define VNL_CLOCKSYNC_BUCKET_NS 1000000000LL
/* A second's best exchange slower than this many times the fastest one is not used. */
#define VNL_CLOCKSYNC_SLOW_FACTOR 3

struct vnl_clocksync;

struct vnl_clocksync_summary {
	uint64_t samples;        /* exchanges fed */
	uint64_t chosen;         /* minimum-delay samples kept (one per second) */
	int64_t offset_ns;       /* guest - host, of the fastest chosen sample */
	int64_t uncertainty_ns;  /* largest half round trip among the chosen samples */
	int64_t min_delay_ns;    /* fastest round trip seen */
	int64_t drift_ppb;       /* offset change between first and last chosen sample, per second */
};

struct vnl_clocksync *vnl_clocksync_new(void);
void vnl_clocksync_free(struct vnl_clocksync *cs);
/* Feed one exchange (CLOCK_REALTIME ns on each side). False if it is absurd (t4 < t1 etc.). */
bool vnl_clocksync_add(struct vnl_clocksync *cs, const int64_t t[4]);
/*
 * Feed one ptp_kvm reading (phc.h): guest CLOCK_REALTIME before and after a
 * read of the PHC, which is the host's CLOCK_REALTIME. Its offset guest - host
 * is the sandwich's midpoint minus phc, wrong by at most half the width.
 * False if absurd (after < before).
 */
bool vnl_clocksync_add_phc(struct vnl_clocksync *cs, int64_t sys_before, int64_t phc,
			   int64_t sys_after);
/*
 * While exchanges are still fed: guest - host of the fastest exchange so far,
 * good enough for live figures (drift is not followed). False before any.
 */
bool vnl_clocksync_estimate(const struct vnl_clocksync *cs, int64_t *offset_ns);
/* Choose the per-second minimum-delay samples; call after the last add. False if none. */
bool vnl_clocksync_finish(struct vnl_clocksync *cs);
/* A guest CLOCK_REALTIME stamp on the host clock (0 stays 0 = absent). After finish. */
int64_t vnl_clocksync_to_host(const struct vnl_clocksync *cs, int64_t guest_ns);
void vnl_clocksync_summary(const struct vnl_clocksync *cs, struct vnl_clocksync_summary *out);

#endif
