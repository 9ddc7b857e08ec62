/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pcapng writer (draft-ietf-opsawg-pcapng): the Section Header Block, one
 * Interface Description Block per interface (if_name, if_tsresol) and
 * Enhanced Packet Blocks with an opt_comment. Host byte order, as the format
 * allows (readers take the order from the SHB's byte-order magic). Each
 * block is built in a caller's buffer, so it is tested byte by byte and no
 * block allocates; the caller writes the bytes where it wants.
 */
#ifndef VNL_PCAPNG_H
#define VNL_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#define VNL_PCAPNG_SHB 0x0A0D0D0Au
#define VNL_PCAPNG_IDB 0x00000001u
#define VNL_PCAPNG_EPB 0x00000006u
#define VNL_PCAPNG_BOM 0x1A2B3C4Du

#define VNL_PCAPNG_LINKTYPE_ETHERNET 1
#define VNL_PCAPNG_LINKTYPE_RAW 101 /* an IPv4 or IPv6 packet, no link header */

/* Options' codes. */
#define VNL_PCAPNG_OPT_END 0
#define VNL_PCAPNG_OPT_COMMENT 1
#define VNL_PCAPNG_OPT_SHB_USERAPPL 4
#define VNL_PCAPNG_OPT_IF_NAME 2
#define VNL_PCAPNG_OPT_IF_TSRESOL 9

/* The largest EPB for this packet and comment length (what to give as CAP). */
size_t vnl_pcapng_epb_size(size_t caplen, size_t comment_len);

/* Each: the block's length written at BUF, or 0 if CAP is too small. APP may be NULL. */
size_t vnl_pcapng_shb(uint8_t *buf, size_t cap, const char *app);
/* tsresol 9: time stamps in nanoseconds. */
size_t vnl_pcapng_idb(uint8_t *buf, size_t cap, uint16_t linktype, uint32_t snaplen,
		      const char *if_name);
/* TS_NS: nanoseconds since the epoch (the IDB's tsresol 9); COMMENT may be NULL or "". */
size_t vnl_pcapng_epb(uint8_t *buf, size_t cap, uint32_t if_id, uint64_t ts_ns,
		      const uint8_t *data, uint32_t caplen, uint32_t origlen, const char *comment);

#endif
