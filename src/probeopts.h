/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `send` and `recv` share on their command lines: the transport choice,
 * the real-time knobs, and option values parsed with one-line errors.
 */
#ifndef VNL_PROBEOPTS_H
#define VNL_PROBEOPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "optable.h"
#include "rt.h"
#include "transport.h"

/* getopt codes of the shared options; a verb's own codes stay below 512. */
enum {
	VNL_PO_L2 = 512, VNL_PO_TRANSPORT, VNL_PO_QUEUE, VNL_PO_ZEROCOPY, VNL_PO_COPY, VNL_PO_IFNAME,
	VNL_PO_ETHERTYPE, VNL_PO_BUSY, VNL_PO_FIFO, VNL_PO_CPU, VNL_PO_MLOCK, VNL_PO_DMALAT,
	VNL_PO_RTREPORT,
};

/* The shared options' table, joined after each verb's own (optable.h). */
extern const struct vnl_opt vnl_probe_opts[];

struct vnl_probe_cli {
	struct vnl_transport_opts *tr;
	struct vnl_rt_opts *rt;
	bool queue_given;
};

/* Point cli at the verb's option structs and set the shared defaults. */
void vnl_probe_cli_init(struct vnl_probe_cli *cli, struct vnl_transport_opts *tr,
			struct vnl_rt_opts *rt);
/* 1: c was a shared option and is applied; 0: not one of them; -1: bad value (said). */
int vnl_probe_cli_option(struct vnl_probe_cli *cli, int c, const char *v);

/* Value parsers: 0, or -1 after printing "invalid OPT 'VAL': why" (vnl_err_invalid, log.h). */
int vnl_opt_num(const char *opt, const char *val, uint64_t min, uint64_t max, uint64_t *out);
int vnl_opt_duration(const char *opt, const char *val, int64_t *out);
int vnl_opt_positive_duration(const char *opt, const char *val, int64_t *out);

#endif
