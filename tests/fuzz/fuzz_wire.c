/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the probe decoder: arbitrary bytes must never crash
 * it or make it read past the length; whatever it accepts must survive
 * encode -> decode unchanged at the same length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnl_probe first, again;

	if (vnl_wire_decode(data, size, &first) != VNL_WIRE_OK)
		return 0;

	unsigned char *buf = malloc(size);
	if (!buf)
		abort();
	if (vnl_wire_encode(&first, buf, size) != 0)
		abort(); /* decode accepted what encode cannot produce */
	if (vnl_wire_decode(buf, size, &again) != VNL_WIRE_OK)
		abort();
	if (memcmp(&first, &again, sizeof(first)) != 0)
		abort();
	free(buf);
	return 0;
}
