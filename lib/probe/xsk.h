/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An AF_XDP socket on one queue of an interface, on the raw kernel uapi
 * (<linux/if_xdp.h>): a UMEM of fixed-size frames, its fill and completion
 * rings, and an RX and/or a TX ring. Zero-copy is tried first when allowed
 * and copy mode is the fallback; need-wakeup is always asked for, so the
 * kernel is only entered when it says it must be. Nothing here allocates
 * after open; the XDP program that steers frames to the socket is
 * lib/xskprog's business.
 */
#ifndef VNL_XSK_H
#define VNL_XSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum vnl_xsk_mode {
	VNL_XSK_AUTO,      /* zero-copy if the driver has it, else copy */
	VNL_XSK_COPY,      /* --copy */
	VNL_XSK_ZEROCOPY,  /* --zero-copy: fail if the driver cannot */
};

struct vnl_xsk_opts {
	const char *ifname;
	uint32_t queue;
	enum vnl_xsk_mode mode;
	bool rx, tx;       /* which rings: a sender needs TX only, a receiver RX only */
	int busy_poll_us;  /* 0 = no busy polling */
};

struct vnl_xsk;

/* NULL after printing one message saying what was wrong. */
struct vnl_xsk *vnl_xsk_open(const struct vnl_xsk_opts *o);
void vnl_xsk_close(struct vnl_xsk *x);

int vnl_xsk_fd(const struct vnl_xsk *x);
bool vnl_xsk_zero_copy(const struct vnl_xsk *x);
/* "copy mode" or "zero-copy", plus ", busy poll N us" when on. */
const char *vnl_xsk_mode_desc(const struct vnl_xsk *x);
/* Largest frame a TX buffer holds. */
size_t vnl_xsk_frame_room(const struct vnl_xsk *x);

/* TX: a free frame to fill (completions are reaped first), or NULL if all are in flight. */
uint8_t *vnl_xsk_tx_frame(struct vnl_xsk *x);
/* Queue the frame from vnl_xsk_tx_frame with len bytes and kick the kernel. 0 or -1 (errno). */
int vnl_xsk_tx_submit(struct vnl_xsk *x, size_t len);

/*
 * RX: the next received frame, waiting up to timeout_ms. Returns its
 * length with *frame pointing at it (valid until vnl_xsk_rx_release),
 * 0 on timeout or signal, -1 on error (errno). The headroom in front of the
 * frame holds what the XDP program put in the metadata area.
 */
ssize_t vnl_xsk_rx(struct vnl_xsk *x, uint8_t **frame, int timeout_ms);
/* Bytes in front of a received frame inside its UMEM chunk (where metadata may sit). */
size_t vnl_xsk_frame_headroom(const struct vnl_xsk *x, const uint8_t *frame);
/* Give the frame from vnl_xsk_rx back to the kernel (fill ring). */
void vnl_xsk_rx_release(struct vnl_xsk *x);

#endif
