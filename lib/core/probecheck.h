/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a probe stream's parameters must satisfy, checked before anything
 * starts: by `send` on its own options, and by `run` before it starts a
 * `send` and a `recv` (so a value send would refuse is refused at once,
 * not after a receiver waited for a stream that never came).
 */
#ifndef VNL_PROBECHECK_H
#define VNL_PROBECHECK_H

#include <stddef.h>
#include <stdint.h>

/* Payload size: VNL_WIRE_MIN_SIZE..VNL_WIRE_MAX_SIZE. 0, or -1 with why. */
int vnl_probecheck_size(uint64_t size, char *why, size_t len);
/*
 * The schedule base + k * interval, for every slot the stream uses (count
 * probes, or duration / interval, or at least one when neither is given)
 * plus the FINs after them, must stay inside the 64-bit nanosecond clock
 * (which ends in 2262). base_ns 0 = a base in the next few seconds.
 * 0, or -1 with why.
 */
int vnl_probecheck_schedule(int64_t base_ns, int64_t interval_ns, uint64_t count,
			    int64_t duration_ns, char *why, size_t len);

#endif
