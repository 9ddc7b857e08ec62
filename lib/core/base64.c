/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static int is_space(int c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

size_t vnl_base64_encode(const void *data, size_t len, char *out)
{
	const unsigned char *p = data;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = 0;
	return o;
}

ssize_t vnl_base64_decode(char *text, size_t len)
{
	size_t out = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len && text[i] != '='; i++) {
		int v = b64_value((unsigned char)text[i]);
		if (v < 0 && is_space((unsigned char)text[i]))
			continue;
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			text[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	/* 6 bits left over: a fourth character alone cannot end a group */
	return bits >= 6 ? -1 : (ssize_t)out;
}
