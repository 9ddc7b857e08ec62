/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A min-heap on score: the root is the least bad packet kept, replaced first. */
#include "worst.h"

#include <stdlib.h>

struct entry {
	int64_t score;
	struct vnl_pkt pkt;
};

struct vnl_worst {
	size_t cap, len;
	struct entry e[];
};

struct vnl_worst *vnl_worst_new(size_t capacity)
{
	struct vnl_worst *w = calloc(1, sizeof(*w) + capacity * sizeof(struct entry));
	if (w)
		w->cap = capacity;
	return w;
}

void vnl_worst_free(struct vnl_worst *w)
{
	free(w);
}

static void swap(struct entry *a, struct entry *b)
{
	struct entry t = *a;
	*a = *b;
	*b = t;
}

static void sift_up(struct vnl_worst *w, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (w->e[parent].score <= w->e[i].score)
			return;
		swap(&w->e[parent], &w->e[i]);
		i = parent;
	}
}

static void sift_down(struct vnl_worst *w, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->len && w->e[l].score < w->e[m].score)
			m = l;
		if (r < w->len && w->e[r].score < w->e[m].score)
			m = r;
		if (m == i)
			return;
		swap(&w->e[m], &w->e[i]);
		i = m;
	}
}

void vnl_worst_offer(struct vnl_worst *w, int64_t score, const struct vnl_pkt *p)
{
	if (!w->cap)
		return;
	if (w->len < w->cap) {
		w->e[w->len] = (struct entry){ score, *p };
		sift_up(w, w->len++);
		return;
	}
	if (score <= w->e[0].score)
		return;
	w->e[0] = (struct entry){ score, *p };
	sift_down(w, 0);
}

static int by_score_desc(const void *a, const void *b)
{
	int64_t x = ((const struct entry *)a)->score, y = ((const struct entry *)b)->score;
	return (x < y) - (x > y);
}

size_t vnl_worst_sorted(const struct vnl_worst *w, struct vnl_pkt *out, size_t max)
{
	if (!w->len)
		return 0;
	struct entry *tmp = malloc(w->len * sizeof(*tmp));
	if (!tmp)
		return 0;
	for (size_t i = 0; i < w->len; i++)
		tmp[i] = w->e[i];
	qsort(tmp, w->len, sizeof(*tmp), by_score_desc);
	size_t n = w->len < max ? w->len : max;
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[i].pkt;
	free(tmp);
	return n;
}
