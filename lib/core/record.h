/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Record files (doc/record-format.md): every stamp of every packet, in a
 * versioned little-endian binary format of checksummed blocks, so a
 * truncated or damaged file still yields everything before the damage.
 * The writer copies packets into a ring; a background thread does the I/O,
 * keeping disk latency off the measurement path.
 */
#ifndef VNL_RECORD_H
#define VNL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pkt.h"

enum vnl_role { VNL_ROLE_SEND = 1, VNL_ROLE_RECV = 2 };

struct vnl_record_meta {
	uint32_t role;       /* enum vnl_role */
	uint32_t clock_id;   /* schedule clock */
	uint32_t stream_id;
	uint32_t payload_size;
	int64_t start_ns;    /* CLOCK_REALTIME when recording began */
	int64_t interval_ns;
	int64_t base_ns;     /* schedule origin (first sched), 0 if unknown */
	char transport[16];  /* "udp4", "udp6", "l2" ... */
	char local[64], peer[64];
	char clock_sync[32]; /* "same-host", "unknown" ... */
};

struct vnl_record_summary {
	uint64_t sent, foreign, malformed;
	int64_t end_ns;        /* CLOCK_REALTIME when recording ended */
	uint32_t interrupted;  /* 1 if the run was stopped by a signal */
	uint32_t reserved;
};

struct vnl_record_writer;

/* errbuf receives a user-facing message on failure (NULL returned). */
struct vnl_record_writer *vnl_record_create(const char *path, const struct vnl_record_meta *meta,
					    char *errbuf, size_t errlen);
/* Hot path: copies into the ring; blocks only if the disk is far behind. */
void vnl_record_append(struct vnl_record_writer *w, const struct vnl_pkt *p);
/* Flush everything, write the summary trailer, close. 0 or -errno. Frees w. */
int vnl_record_finish(struct vnl_record_writer *w, const struct vnl_record_summary *sum);

struct vnl_record_reader;

struct vnl_record_reader *vnl_record_open(const char *path, char *errbuf, size_t errlen);
/* Reads from fp (not closed by the reader); for tests and fuzzing (fmemopen). */
struct vnl_record_reader *vnl_record_open_fp(FILE *fp, char *errbuf, size_t errlen);
const struct vnl_record_meta *vnl_record_reader_meta(const struct vnl_record_reader *r);
/*
 * Next batch of packets (pointer valid until the next call); NULL at the end
 * of what could be read. Then vnl_record_reader_damage() says whether the
 * file ended cleanly.
 */
const struct vnl_pkt *vnl_record_next(struct vnl_record_reader *r, size_t *n);
/* NULL if the file was whole; else e.g. "truncated at byte 8192 (block 3)". */
const char *vnl_record_reader_damage(const struct vnl_record_reader *r);
/* True and fills *out when the trailer was read. */
bool vnl_record_reader_summary(const struct vnl_record_reader *r, struct vnl_record_summary *out);
uint64_t vnl_record_reader_packets(const struct vnl_record_reader *r); /* read so far */
void vnl_record_close(struct vnl_record_reader *r);

#endif
