/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The packet of 'vnetlat clock' exchanges (NTP-style, over UDP): the asker
 * sends a request stamped t1, the answerer returns it with t2 (its receive
 * stamp) and t3 (its transmit stamp), the asker stamps t4 on arrival. All
 * stamps are CLOCK_REALTIME ns of the host that took them. 48 bytes, big
 * endian (doc/man/vnetlat-clock.8):
 *
 *   0 magic "VNLC"   4 version (1)   5 type (1 request, 2 answer)
 *   6 flags (u16: answer bit 0 = t2 is a kernel RX stamp)
 *   8 seq (u32)     12 resolution_ns (u32: the answerer's clock_getres; 0 in a request)
 *  16 session (u64: the asker's, echoed)   24 t1   32 t2   40 t3 (i64; 0 in a request)
 *
 * Bytes from the network: the parser checks the length, magic, version,
 * type, flags and the fields a request must leave zero, and reads nothing
 * past the length it was handed. Allocates nothing, formats nothing.
 */
#ifndef VNL_CLOCKPKT_H
#define VNL_CLOCKPKT_H

#include <stddef.h>
#include <stdint.h>

#define VNL_CLOCKPKT_MAGIC 0x564e4c43u /* "VNLC" */
#define VNL_CLOCKPKT_VERSION 1
#define VNL_CLOCKPKT_SIZE 48
#define VNL_CLOCKPKT_REQUEST 1
#define VNL_CLOCKPKT_ANSWER 2
#define VNL_CLOCKPKT_F_KERNEL_RX 0x0001u /* t2 is the kernel's SO_TIMESTAMPNS stamp */
/* A resolution beyond this (1 ms) is not a clock fit for exchanges: refused. */
#define VNL_CLOCKPKT_MAX_RES_NS 1000000u

struct vnl_clockpkt {
	uint8_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t resolution_ns;
	uint64_t session;
	int64_t t1, t2, t3;
};

enum vnl_clockpkt_err {
	VNL_CLOCKPKT_OK = 0,
	VNL_CLOCKPKT_E_LENGTH,  /* not exactly VNL_CLOCKPKT_SIZE bytes */
	VNL_CLOCKPKT_E_MAGIC,
	VNL_CLOCKPKT_E_VERSION,
	VNL_CLOCKPKT_E_TYPE,
	VNL_CLOCKPKT_E_FIELDS,  /* unknown flags, a request's answer fields set, absurd stamps */
};

/* Write P into BUF (LEN >= VNL_CLOCKPKT_SIZE): the length, or 0 when BUF is too short. */
size_t vnl_clockpkt_encode(const struct vnl_clockpkt *p, void *buf, size_t len);
/* Overwrite t3 of an encoded packet (stamped as late as possible, just before sending). */
void vnl_clockpkt_set_t3(void *buf, int64_t t3);
/* Parse LEN bytes of BUF into OUT: VNL_CLOCKPKT_OK or why not (OUT is then undefined). */
enum vnl_clockpkt_err vnl_clockpkt_parse(const void *buf, size_t len, struct vnl_clockpkt *out);
/* A short English reason for an error code ("wrong magic"). */
const char *vnl_clockpkt_strerror(enum vnl_clockpkt_err e);

#endif
