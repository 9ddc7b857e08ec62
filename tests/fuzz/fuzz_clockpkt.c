/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the clock exchanges' packet parser ('vnetlat clock
 * answer' reads it from the network): arbitrary bytes must never crash it or
 * make it read past the length; whatever it accepts must encode to the very
 * same bytes and parse again to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clockpkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const struct vnl_clockpkt *a, const struct vnl_clockpkt *b)
{
	return a->type == b->type && a->flags == b->flags && a->seq == b->seq &&
	       a->resolution_ns == b->resolution_ns && a->session == b->session && a->t1 == b->t1 &&
	       a->t2 == b->t2 && a->t3 == b->t3;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnl_clockpkt first, again;
	unsigned char buf[VNL_CLOCKPKT_SIZE];

	/* a copy of exactly SIZE bytes, so ASan catches a read past the length */
	unsigned char *in = malloc(size ? size : 1);
	if (!in)
		abort();
	memcpy(in, data, size);
	enum vnl_clockpkt_err e = vnl_clockpkt_parse(in, size, &first);
	if (!vnl_clockpkt_strerror(e))
		abort();
	if (e == VNL_CLOCKPKT_OK) {
		if (size != VNL_CLOCKPKT_SIZE)
			abort();
		if (vnl_clockpkt_encode(&first, buf, sizeof(buf)) != VNL_CLOCKPKT_SIZE)
			abort();
		if (memcmp(buf, in, size)) /* every byte is a field the parser checked */
			abort();
		if (vnl_clockpkt_parse(buf, sizeof(buf), &again) != VNL_CLOCKPKT_OK || !same(&first, &again))
			abort();
	}
	free(in);
	return 0;
}
