/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the AF_XDP frame parser (lib/core/frame.c) and the probe
 * decoder behind it, as the receiver chains them: arbitrary frames must
 * never make either read outside the buffer (the input is copied to an
 * exact-size heap block so ASan sees any overread). Whatever parses must
 * point inside the frame, and rebuilding a frame from the parsed flow and
 * payload must parse back to the same payload.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "frame.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rebuild(const struct vnl_frame_view *v)
{
	struct vnl_frame_flow f = { .family = v->family, .sport = v->sport, .dport = v->dport,
				    .ttl = 64 };
	memcpy(f.src_ip, v->src_ip, v->family == AF_INET6 ? 16 : 4);
	size_t hdr = vnl_frame_hdr_len(f.family);
	uint8_t *out = malloc(hdr + v->payload_len);
	if (!out)
		abort();
	memcpy(out + hdr, v->payload, v->payload_len);
	size_t len = vnl_frame_build(&f, out, v->payload_len);
	struct vnl_frame_view again;
	if (len && (vnl_frame_parse(out, len, &again) != 0 || again.payload_len != v->payload_len ||
		    memcmp(again.payload, v->payload, v->payload_len) != 0 ||
		    again.sport != v->sport || again.dport != v->dport))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame = malloc(size ? size : 1);
	if (!frame)
		abort();
	memcpy(frame, data, size);
	struct vnl_frame_view v;
	if (vnl_frame_parse(frame, size, &v) == 0) {
		if (v.payload < frame || v.payload + v.payload_len > frame + size)
			abort();
		struct vnl_probe pr;
		vnl_wire_decode(v.payload, v.payload_len, &pr);
		rebuild(&v);
	}
	free(frame);
	return 0;
}
