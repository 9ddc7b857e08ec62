/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base64 (RFC 4648, standard alphabet), as coreutils' base64 writes it: how a
 * guest's files come back over the control channel, whose output is text.
 */
#ifndef VNL_BASE64_H
#define VNL_BASE64_H

#include <stddef.h>
#include <sys/types.h>

/* Room vnl_base64_encode needs for LEN bytes: the text, unwrapped, and its NUL. */
#define VNL_BASE64_ENCODED_LEN(len) (((len) + 2) / 3 * 4 + 1)

/* Encode LEN bytes into OUT (VNL_BASE64_ENCODED_LEN(len) bytes), '='-padded, no line
 * breaks, NUL-terminated; returns the text's length. */
size_t vnl_base64_encode(const void *data, size_t len, char *out);
/*
 * Decode base64 TEXT of LEN bytes in place; whitespace (line breaks) is
 * skipped, '=' ends the data. Returns the decoded byte count, or -1 when TEXT
 * holds a character that is neither base64 nor whitespace, or ends in the
 * middle of a byte (a lone sixth of one).
 */
ssize_t vnl_base64_decode(char *text, size_t len);

#endif
