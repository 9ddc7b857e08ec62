/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The N packets with the highest score (spikes are what users hunt). */
#ifndef VNL_WORST_H
#define VNL_WORST_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct vnl_worst;

struct vnl_worst *vnl_worst_new(size_t capacity);
void vnl_worst_free(struct vnl_worst *w);
/* Keep p if it is among the capacity highest scores so far. No allocation. */
void vnl_worst_offer(struct vnl_worst *w, int64_t score, const struct vnl_pkt *p);
/* Copy up to max kept packets, highest score first; returns how many. */
size_t vnl_worst_sorted(const struct vnl_worst *w, struct vnl_pkt *out, size_t max);

#endif
