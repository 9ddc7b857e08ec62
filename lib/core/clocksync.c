/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clocksync.h"

#include <stdlib.h>
#include <string.h>

struct sample {
	int64_t guest_mid; /* (t2+t3)/2: where on the guest clock the sample applies */
	int64_t offset;    /* guest - host */
	int64_t delay;     /* round trip minus guest processing */
	int64_t host_t1;
};

struct vnl_clocksync {
	struct sample *all, *chosen;
	size_t n_all, cap, n_chosen;
	int64_t min_delay;
	int64_t min_delay_offset;  /* the offset of that fastest exchange */
};

struct vnl_clocksync *vnl_clocksync_new(void)
{
	return calloc(1, sizeof(struct vnl_clocksync));
}

void vnl_clocksync_free(struct vnl_clocksync *cs)
{
	if (!cs)
		return;
	free(cs->all);
	free(cs->chosen);
	free(cs);
}

bool vnl_clocksync_add(struct vnl_clocksync *cs, const int64_t t[4])
{
	int64_t delay = (t[3] - t[0]) - (t[2] - t[1]);
	if (t[3] < t[0] || t[2] < t[1] || delay < 0)
		return false;
	if (cs->n_all == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 256;
		struct sample *n = realloc(cs->all, cap * sizeof(*n));
		if (!n)
			return false;
		cs->all = n;
		cs->cap = cap;
	}
	cs->all[cs->n_all++] = (struct sample){
		.guest_mid = t[1] + (t[2] - t[1]) / 2,
		.offset = ((t[1] - t[0]) + (t[2] - t[3])) / 2,
		.delay = delay,
		.host_t1 = t[0],
	};
	if (cs->n_all == 1 || delay < cs->min_delay) {
		cs->min_delay = delay;
		cs->min_delay_offset = cs->all[cs->n_all - 1].offset;
	}
	return true;
}

bool vnl_clocksync_estimate(const struct vnl_clocksync *cs, int64_t *offset_ns)
{
	if (!cs->n_all)
		return false;
	*offset_ns = cs->min_delay_offset;
	return true;
}

/*
 * A PHC reading is an NTP exchange seen from the other side: there the host
 * brackets one guest reading, here the guest brackets one host reading.
 * Mirror it: pretend the host stamped t1/t4 half the width w before/after
 * its reading, and the guest answered instantly at the sandwich's midpoint
 * (t2 = t3). Then ((t2-t1)+(t3-t4))/2 = mid - phc, the offset, and the
 * "round trip" (t4-t1)-(t3-t2) = w, so the uncertainty (half the round trip)
 * is half the width and the minimum-delay choice keeps the narrowest sandwich
 * of each second. PTP_SYS_OFFSET_PRECISE gives w = 0: a cross-timestamp.
 */
bool vnl_clocksync_add_phc(struct vnl_clocksync *cs, int64_t sys_before, int64_t phc,
			   int64_t sys_after)
{
	int64_t w = sys_after - sys_before;
	if (w < 0)
		return false;
	int64_t mid = sys_before + w / 2;
	int64_t t[4] = { phc - (w - w / 2), mid, mid, phc + w / 2 }; /* t4 - t1 = w */
	return vnl_clocksync_add(cs, t);
}

static int by_host_time(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	return (x->host_t1 > y->host_t1) - (x->host_t1 < y->host_t1);
}

/*
 * A second whose best exchange was slow (the guest busy) would widen the
 * uncertainty of the whole run: drop it, interpolating over it instead.
 */
static void drop_slow(struct vnl_clocksync *cs)
{
	size_t kept = 0;
	for (size_t i = 0; i < cs->n_chosen; i++)
		if (cs->chosen[i].delay <= VNL_CLOCKSYNC_SLOW_FACTOR * cs->min_delay)
			cs->chosen[kept++] = cs->chosen[i];
	cs->n_chosen = kept; /* never 0: the fastest sample is always kept */
}

bool vnl_clocksync_finish(struct vnl_clocksync *cs)
{
	free(cs->chosen);
	cs->chosen = NULL;
	cs->n_chosen = 0;
	if (!cs->n_all)
		return false;
	qsort(cs->all, cs->n_all, sizeof(*cs->all), by_host_time);
	cs->chosen = malloc(cs->n_all * sizeof(*cs->chosen));
	if (!cs->chosen)
		return false;
	int64_t origin = cs->all[0].host_t1;
	for (size_t i = 0; i < cs->n_all; i++) {
		const struct sample *s = &cs->all[i];
		int64_t bucket = (s->host_t1 - origin) / VNL_CLOCKSYNC_BUCKET_NS;
		struct sample *last = cs->n_chosen ? &cs->chosen[cs->n_chosen - 1] : NULL;
		if (last && (last->host_t1 - origin) / VNL_CLOCKSYNC_BUCKET_NS == bucket) {
			if (s->delay < last->delay)
				*last = *s;
		} else {
			cs->chosen[cs->n_chosen++] = *s;
		}
	}
	drop_slow(cs);
	return true;
}

int64_t vnl_clocksync_to_host(const struct vnl_clocksync *cs, int64_t guest_ns)
{
	if (!guest_ns || !cs->n_chosen)
		return guest_ns;
	const struct sample *c = cs->chosen;
	size_t n = cs->n_chosen;
	if (n == 1 || guest_ns <= c[0].guest_mid)
		return guest_ns - c[0].offset;
	if (guest_ns >= c[n - 1].guest_mid)
		return guest_ns - c[n - 1].offset;
	size_t lo = 0, hi = n - 1; /* c[lo].guest_mid < guest_ns < c[hi].guest_mid */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (c[mid].guest_mid <= guest_ns)
			lo = mid;
		else
			hi = mid;
	}
	double span = (double)(c[hi].guest_mid - c[lo].guest_mid);
	double f = span > 0 ? (double)(guest_ns - c[lo].guest_mid) / span : 0.0;
	int64_t off = c[lo].offset + (int64_t)(f * (double)(c[hi].offset - c[lo].offset));
	return guest_ns - off;
}

void vnl_clocksync_summary(const struct vnl_clocksync *cs, struct vnl_clocksync_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->samples = cs->n_all;
	out->chosen = cs->n_chosen;
	out->min_delay_ns = cs->n_all ? cs->min_delay : 0;
	const struct sample *best = NULL;
	for (size_t i = 0; i < cs->n_chosen; i++) {
		const struct sample *s = &cs->chosen[i];
		if (!best || s->delay < best->delay)
			best = s;
		if (s->delay / 2 + s->delay % 2 > out->uncertainty_ns)
			out->uncertainty_ns = s->delay / 2 + s->delay % 2;
	}
	if (best)
		out->offset_ns = best->offset;
	if (cs->n_chosen > 1) {
		const struct sample *a = &cs->chosen[0], *b = &cs->chosen[cs->n_chosen - 1];
		int64_t dt = b->guest_mid - a->guest_mid;
		if (dt > 0)
			out->drift_ppb = (int64_t)((double)(b->offset - a->offset) * 1e9 / (double)dt);
	}
}
