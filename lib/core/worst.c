/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A min-heap on score: the root is the least bad packet kept, the first to
 * be replaced. The heap orders small (score, slot) keys; the packets stay
 * put in their slots, so a replacement copies one packet, not one per level
 * (a drifting clock makes every packet a new worst, and then this is hot).
 */
#include "worst.h"

#include <stdlib.h>

struct key {
	int64_t score;
	uint64_t seq;  /* the packet's, to order ties */
	uint32_t slot; /* index into pkt[] */
};

struct vnl_worst {
	size_t cap, len;
	struct key *heap;    /* len keys, heap-ordered */
	struct key *scratch; /* cap keys for sorting, so extraction allocates nothing */
	struct vnl_pkt *pkt; /* cap packets */
};

struct vnl_worst *vnl_worst_new(size_t capacity)
{
	if (capacity > UINT32_MAX)
		return NULL;
	struct vnl_worst *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cap = capacity;
	/* calloc(0, ...) may return NULL: allocate at least one of each */
	size_t n = capacity ? capacity : 1;
	w->heap = calloc(n, sizeof(*w->heap));
	w->scratch = calloc(n, sizeof(*w->scratch));
	w->pkt = calloc(n, sizeof(*w->pkt));
	if (!w->heap || !w->scratch || !w->pkt) {
		vnl_worst_free(w);
		return NULL;
	}
	return w;
}

void vnl_worst_free(struct vnl_worst *w)
{
	if (!w)
		return;
	free(w->heap);
	free(w->scratch);
	free(w->pkt);
	free(w);
}

static void sift_up(struct key *h, size_t i)
{
	struct key k = h[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h[parent].score <= k.score)
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = k;
}

static void sift_down(struct key *h, size_t len, size_t i)
{
	struct key k = h[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= len)
			break;
		if (child + 1 < len && h[child + 1].score < h[child].score)
			child++;
		if (k.score <= h[child].score)
			break;
		h[i] = h[child];
		i = child;
	}
	h[i] = k;
}

void vnl_worst_offer(struct vnl_worst *w, int64_t score, const struct vnl_pkt *p)
{
	if (w->len < w->cap) {
		uint32_t slot = (uint32_t)w->len;
		w->pkt[slot] = *p;
		w->heap[w->len] = (struct key){ score, p->seq, slot };
		sift_up(w->heap, w->len++);
		return;
	}
	/* full (or capacity 0): only a strictly worse packet gets in; ties keep the earlier */
	if (!w->len || score <= w->heap[0].score)
		return;
	w->pkt[w->heap[0].slot] = *p;
	w->heap[0].score = score;
	w->heap[0].seq = p->seq;
	sift_down(w->heap, w->len, 0);
}

/* Worst first; equal scores by sequence number, so the order is reproducible. */
static int worst_first(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

size_t vnl_worst_sorted(const struct vnl_worst *w, struct vnl_pkt *out, size_t max)
{
	for (size_t i = 0; i < w->len; i++)
		w->scratch[i] = w->heap[i];
	qsort(w->scratch, w->len, sizeof(*w->scratch), worst_first);
	size_t n = w->len < max ? w->len : max;
	for (size_t i = 0; i < n; i++)
		out[i] = w->pkt[w->scratch[i].slot];
	return n;
}
