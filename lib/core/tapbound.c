/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tapbound.h"

#include <stdlib.h>
#include <string.h>

struct window {
	int64_t index;   /* (port - origin) / window_ns */
	int64_t min_hop;
	uint64_t n;
};

struct vnl_tapbound {
	enum vnl_tapbound_side side;
	int64_t u, window_ns, origin;
	struct window *w; /* sorted by index */
	size_t n, cap;
	uint64_t probes;
};

struct vnl_tapbound *vnl_tapbound_new(enum vnl_tapbound_side side, int64_t u_ns, int64_t window_ns)
{
	struct vnl_tapbound *tb = calloc(1, sizeof(*tb));
	if (!tb)
		return NULL;
	tb->side = side;
	tb->u = u_ns > 0 ? u_ns : 0;
	tb->window_ns = window_ns > 0 ? window_ns : VNL_TAPBOUND_WINDOW_NS;
	return tb;
}

void vnl_tapbound_free(struct vnl_tapbound *tb)
{
	if (tb)
		free(tb->w);
	free(tb);
}

static int64_t index_of(const struct vnl_tapbound *tb, int64_t port_ns)
{
	int64_t d = port_ns - tb->origin;
	return d >= 0 ? d / tb->window_ns : -((-d + tb->window_ns - 1) / tb->window_ns);
}

/* The window holding INDEX, or NULL; probes come in time order, so search from the end. */
static struct window *find(const struct vnl_tapbound *tb, int64_t index, size_t *insert_at)
{
	size_t i = tb->n;
	while (i > 0 && tb->w[i - 1].index > index)
		i--;
	if (insert_at)
		*insert_at = i;
	return i > 0 && tb->w[i - 1].index == index ? &tb->w[i - 1] : NULL;
}

bool vnl_tapbound_add(struct vnl_tapbound *tb, int64_t port_ns, int64_t hop_ns)
{
	if (!port_ns)
		return false;
	if (!tb->probes)
		tb->origin = port_ns;
	int64_t index = index_of(tb, port_ns);
	size_t at;
	struct window *w = find(tb, index, &at);
	if (!w) {
		if (tb->n == tb->cap) {
			size_t cap = tb->cap ? 2 * tb->cap : 64;
			struct window *nw = realloc(tb->w, cap * sizeof(*nw));
			if (!nw)
				return false;
			tb->w = nw;
			tb->cap = cap;
		}
		memmove(&tb->w[at + 1], &tb->w[at], (tb->n - at) * sizeof(*tb->w));
		tb->n++;
		w = &tb->w[at];
		*w = (struct window){ .index = index, .min_hop = hop_ns };
	}
	if (hop_ns < w->min_hop)
		w->min_hop = hop_ns;
	w->n++;
	tb->probes++;
	return true;
}

/* The window's interval [lo, hi] for r; false when it is empty (a contradiction). */
static bool interval(const struct vnl_tapbound *tb, const struct window *w, int64_t *lo,
		     int64_t *hi)
{
	*lo = -tb->u;
	*hi = tb->u;
	if (tb->side == VNL_TAPBOUND_UPPER) {
		if (w->min_hop < *hi)
			*hi = w->min_hop;
	} else if (-w->min_hop > *lo) {
		*lo = -w->min_hop;
	}
	return *lo <= *hi;
}

/* The causal edge: the residual that makes the window's fastest guest hop 0. */
static int64_t edge(const struct vnl_tapbound *tb, const struct window *w)
{
	return tb->side == VNL_TAPBOUND_UPPER ? w->min_hop : -w->min_hop;
}

/* A midpoint that rounds toward the causal side (never past the edge). */
static int64_t middle(int64_t lo, int64_t hi)
{
	return lo + (hi - lo) / 2;
}

int64_t vnl_tapbound_residual(const struct vnl_tapbound *tb, int64_t port_ns)
{
	const struct window *w = tb->probes ? find(tb, index_of(tb, port_ns), NULL) : NULL;
	if (!w)
		return 0;
	int64_t lo, hi;
	if (!interval(tb, w, &lo, &hi))
		return edge(tb, w);
	return middle(lo, hi);
}

int64_t vnl_tapbound_uncertainty(const struct vnl_tapbound *tb, int64_t port_ns)
{
	const struct window *w = tb->probes ? find(tb, index_of(tb, port_ns), NULL) : NULL;
	int64_t lo, hi;
	if (!w || !interval(tb, w, &lo, &hi))
		return tb->u;
	return hi - middle(lo, hi);
}

void vnl_tapbound_summary(const struct vnl_tapbound *tb, struct vnl_tapbound_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->probes = tb->probes;
	out->windows = tb->n;
	out->exchange_ns = tb->u;
	for (size_t i = 0; i < tb->n; i++) {
		const struct window *w = &tb->w[i];
		int64_t lo, hi, r;
		if (interval(tb, w, &lo, &hi)) {
			r = middle(lo, hi);
			if (hi - r > out->uncertainty_ns)
				out->uncertainty_ns = hi - r;
		} else {
			r = edge(tb, w);
			out->contradictions++;
			int64_t excess = -w->min_hop - tb->u;
			if (excess > out->worst_excess_ns)
				out->worst_excess_ns = excess;
		}
		if (i == 0 || r < out->min_residual_ns)
			out->min_residual_ns = r;
		if (i == 0 || r > out->max_residual_ns)
			out->max_residual_ns = r;
	}
	if (!tb->n || out->contradictions == tb->n)
		out->uncertainty_ns = tb->u;
}
