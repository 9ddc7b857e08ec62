/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the record reader: any byte string, read as a record
 * file through fmemopen, must be read to its end or to a reported damage,
 * without crashing, over-reading, leaking or allocating by a count it holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (size == 0)
		return 0; /* fmemopen wants a non-empty buffer */
	/* fmemopen takes a non-const buffer: give it a private copy */
	void *copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	FILE *f = fmemopen(copy, size, "r");
	if (!f)
		abort();

	struct vnl_record_reader *r = vnl_record_open_fp(f, err, sizeof(err));
	if (r) {
		const struct vnl_pkt *p;
		size_t n;
		uint64_t total = 0, seq_mix = 0;
		const struct vnl_record_meta *m = vnl_record_reader_meta(r);
		/* the strings must be terminated inside their fields */
		if (strnlen(m->transport, sizeof(m->transport)) == sizeof(m->transport) ||
		    strnlen(m->local, sizeof(m->local)) == sizeof(m->local) ||
		    strnlen(m->peer, sizeof(m->peer)) == sizeof(m->peer) ||
		    strnlen(m->clock_sync, sizeof(m->clock_sync)) == sizeof(m->clock_sync))
			abort();
		while ((p = vnl_record_next(r, &n)) != NULL) {
			if (n == 0)
				abort();
			for (size_t i = 0; i < n; i++) /* touch every record returned */
				seq_mix ^= p[i].seq + (uint64_t)p[i].app_rx;
			total += n;
		}
		if (total != vnl_record_reader_packets(r))
			abort();
		struct vnl_record_summary s;
		/* a file either ends cleanly with its summary, or says why not */
		if (!vnl_record_reader_damage(r) && !vnl_record_reader_summary(r, &s))
			abort();
		(void)seq_mix;
		vnl_record_close(r);
	} else if (err[0] == '\0') {
		abort(); /* a refusal always explains itself */
	}
	fclose(f);
	free(copy);
	return 0;
}
