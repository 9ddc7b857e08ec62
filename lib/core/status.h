/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live status for long runs: packets, loss and the current p99 of one
 * stage, once a second.
 *  - On a terminal: one line rewritten in place on stderr; silent when
 *    stderr is not a terminal (logs and pipes stay clean).
 *  - With a status file: one JSON line for programs (a study's progress,
 *    `vnetlat run` reading its receiver), replaced atomically each second
 *    (written beside it, then renamed), so a reader always finds one whole,
 *    newest line:
 *      {"received":N,"sent":N,"lost":N,"stage":"one_way","p99_ns":N}
 *    sent is the span of sequence numbers so far (the FIN's count at the
 *    end), p99_ns is absent until the stage has a value; the stage is the
 *    headline one: one_way when it has values, else path. A writer may add
 *    "direction". Nothing is formatted or written between the seconds.
 *  - When the sender's clock is another one (a VM guest's), one_way and path
 *    are a difference of two clocks: the status file's figures then come
 *    from histograms of their own fed with the peer's clock offset taken
 *    out (the record and the report keep the stamps as taken). The offset
 *    must go in before the histogram: a percentile of raw values that carry
 *    an offset of a second keeps only about 1 % of a second of resolution.
 */
#ifndef VNL_STATUS_H
#define VNL_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct vnl_analysis;
struct vnl_status;

/* One status line's figures. */
struct vnl_status_line {
	uint64_t received, sent, lost;
	enum vnl_stage stage;
	bool has_p99;            /* the stage has a value yet */
	int64_t p99_ns;
	char direction[8];       /* "in", "out", or "" */
};

/* quiet turns the terminal line off (not the file). NULL only when out of memory. */
struct vnl_status *vnl_status_new(bool quiet);
void vnl_status_free(struct vnl_status *s);
/*
 * Also write the status to PATH each second (see above): PATH gets its first
 * (empty) line now, so an unwritable one fails before the run. 0, or -1
 * with a message.
 */
int vnl_status_set_file(struct vnl_status *s, const char *path);
/* That first line alone (for a program that passes a receiver's status on). 0 or -1 with a
 * message; refuses a PATH that is not a regular file (a rename would replace a device). */
int vnl_status_start_file(const char *path);
/*
 * The sender's clock minus ours is PEER_OFFSET_NS: the status file's
 * one_way and path are corrected by it (see above). 0, or -1 out of memory.
 */
int vnl_status_set_peer_offset(struct vnl_status *s, int64_t peer_offset_ns);
/* Each finished packet, for the corrected figures; does nothing without an offset. Hot path. */
void vnl_status_add(struct vnl_status *s, const struct vnl_pkt *p);

/* Call as often as you like; prints at most once a second (now: CLOCK_MONOTONIC ns). */
void vnl_status_tick(struct vnl_status *s, int64_t now_ns, const struct vnl_analysis *a,
		     enum vnl_stage stage);
/* The final figures to the status file, whatever the time (after the run's end). */
void vnl_status_final(struct vnl_status *s, const struct vnl_analysis *a);
/* Erase the line before the final report. */
void vnl_status_clear(struct vnl_status *s);

/* The figures of A as a status line of S (NULL: no peer offset) reports them. */
void vnl_status_of(const struct vnl_status *s, const struct vnl_analysis *a,
		   struct vnl_status_line *out);
/* Format / parse one status line (no newline in TEXT needed). Parse: 0, or -1 if malformed. */
int vnl_status_format(const struct vnl_status_line *l, char *buf, size_t len);
int vnl_status_parse(const char *text, struct vnl_status_line *out);
/* Replace PATH with L atomically; 0 or -1 (errno). */
int vnl_status_write(const char *path, const struct vnl_status_line *l);
/* The newest line of the status file PATH; 0, or -1 when there is none (yet) or it is bad. */
int vnl_status_read(const char *path, struct vnl_status_line *out);
/* Remove PATH and the temporary file beside it that a writer stopped mid-write leaves. */
void vnl_status_remove(const char *path);
/* Lost as a fraction of sent, -1 when nothing was sent. */
double vnl_status_loss(const struct vnl_status_line *l);

#endif
