/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's back-end port (tap, macvtap) as a witness for a guest clock
 * estimate. Guest stamps reach the host clock through an estimate of the
 * offset guest - host; its error r (true offset minus estimate) is bounded
 * by the estimate's own uncertainty u: |r| <= u. Each probe the port saw
 * adds a hard, causal bound, because a frame reaches the guest after the
 * port sent it and leaves the guest before the port received it:
 *  - guest receives ("in"): the guest hop h = rx (estimated) - port >= r,
 *    so r <= min h: an upper bound;
 *  - guest sends ("out"):   h = port - tx (estimated) >= -r, so r >= -min h.
 * Per window of host time the error lies in the intersection of [-u, u] and
 * that bound; its midpoint is the residual subtracted from the window's
 * guest stamps, its half width the stated uncertainty. An empty
 * intersection (min h < -u) means the estimate is wrong by more than it
 * says: a contradiction, counted and reported, and that window is corrected
 * to the causal edge (its fastest guest hop becomes 0). Pure arithmetic.
 */
#ifndef VNL_TAPBOUND_H
#define VNL_TAPBOUND_H

#include <stdbool.h>
#include <stdint.h>

/* The window over which the estimate's error is taken as one value. */
#define VNL_TAPBOUND_WINDOW_NS 1000000000LL

enum vnl_tapbound_side {
	VNL_TAPBOUND_UPPER, /* the guest receives: r <= min hop */
	VNL_TAPBOUND_LOWER, /* the guest sends:    r >= -min hop */
};

struct vnl_tapbound;

struct vnl_tapbound_summary {
	uint64_t probes;            /* probes seen at the port with their guest stamp */
	uint64_t windows;           /* windows with at least one */
	uint64_t contradictions;    /* windows whose bound falls outside [-u, u] */
	int64_t exchange_ns;        /* u: the estimate's own uncertainty */
	int64_t uncertainty_ns;     /* the largest half width over the consistent windows */
	int64_t worst_excess_ns;    /* how far beyond u the worst contradiction lies (0: none) */
	int64_t min_residual_ns, max_residual_ns; /* residuals applied over the windows */
};

/* U: the estimate's stated uncertainty (>= 0). NULL when out of memory. */
struct vnl_tapbound *vnl_tapbound_new(enum vnl_tapbound_side side, int64_t u_ns,
				      int64_t window_ns);
void vnl_tapbound_free(struct vnl_tapbound *tb);
/* One probe: the port's host stamp and its guest hop measured with the estimate. */
bool vnl_tapbound_add(struct vnl_tapbound *tb, int64_t port_ns, int64_t hop_ns);
/* The residual to subtract from guest stamps (already on the host clock) at PORT_NS;
 * 0 in a window the port saw nothing of. */
int64_t vnl_tapbound_residual(const struct vnl_tapbound *tb, int64_t port_ns);
/* The half width at PORT_NS: u where the port saw nothing or it contradicts. */
int64_t vnl_tapbound_uncertainty(const struct vnl_tapbound *tb, int64_t port_ns);
void vnl_tapbound_summary(const struct vnl_tapbound *tb, struct vnl_tapbound_summary *out);

#endif
