/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "probeopts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "parse.h"
#include "xsk.h"

const struct vnl_opt vnl_probe_opts[] = {
	{ "transport", VNL_PO_TRANSPORT, "T", "udp (default), l2 (same as --l2) or xdp (AF_XDP; needs root)" },
	{ "l2", VNL_PO_L2, NULL, "raw Ethernet frames (AF_PACKET) instead of UDP; needs root" },
	{ "ifname", VNL_PO_IFNAME, "IF", "interface for --l2 and --transport xdp" },
	{ "ethertype", VNL_PO_ETHERTYPE, "E", "EtherType for --l2 (default " VNL_STR(VNL_DEFAULT_ETHERTYPE) ")" },
	{ "queue", VNL_PO_QUEUE, "Q", "xdp: the interface queue to use (default 0)" },
	{ "zero-copy", VNL_PO_ZEROCOPY, NULL, "xdp: zero-copy or fail (default: zero-copy if the driver\n"
					      "has it, else copy mode)" },
	{ "copy", VNL_PO_COPY, NULL, "xdp: copy mode even where zero-copy is possible" },
	{ "busy-poll", VNL_PO_BUSY, "US", "SO_BUSY_POLL on the socket (xdp: also SO_PREFER_BUSY_POLL)" },
	{ "sched-fifo", VNL_PO_FIFO, "P", "run as SCHED_FIFO with priority P (1..99)" },
	{ "cpu", VNL_PO_CPU, "N", "pin to CPU N" },
	{ "mlock", VNL_PO_MLOCK, NULL, "lock memory (no page faults mid-run)" },
	{ "cpu-dma-latency", VNL_PO_DMALAT, "US", "hold the PM QoS CPU wake-up limit at US\n"
						  "microseconds (0: idle CPUs poll, as cyclictest does)" },
	{ "rt-report", VNL_PO_RTREPORT, "FILE", "write the scheduling policy, priority, CPUs and memory\n"
						"lock this process got, read back from the kernel" },
	VNL_OPT_END,
};

void vnl_probe_cli_init(struct vnl_probe_cli *cli, struct vnl_transport_opts *tr,
			struct vnl_rt_opts *rt)
{
	*cli = (struct vnl_probe_cli){ .tr = tr, .rt = rt };
	tr->port = VNL_DEFAULT_PORT;
	tr->ethertype = VNL_DEFAULT_ETHERTYPE;
	tr->priority = -1;
	rt->cpu = -1;
	rt->cpu_dma_latency_us = -1;
}

int vnl_opt_num(const char *opt, const char *val, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *why;
	if (vnl_parse_u64(val, 0, UINT64_MAX, out, &why) < 0)
		return vnl_err_invalid(opt, val, why);
	if (*out < min || *out > max) {
		char range[64];
		snprintf(range, sizeof(range), "expected %" PRIu64 "..%" PRIu64, min, max);
		return vnl_err_invalid(opt, val, range);
	}
	return 0;
}

int vnl_opt_duration(const char *opt, const char *val, int64_t *out)
{
	const char *why;
	return vnl_parse_duration(val, out, &why) < 0 ? vnl_err_invalid(opt, val, why) : 0;
}

int vnl_opt_positive_duration(const char *opt, const char *val, int64_t *out)
{
	if (vnl_opt_duration(opt, val, out) < 0)
		return -1;
	return *out > 0 ? 0 : vnl_err_invalid(opt, val, "it must be > 0");
}

static int transport_choice(struct vnl_transport_opts *tr, const char *v)
{
	tr->l2 = strcmp(v, "l2") == 0;
	tr->xdp = strcmp(v, "xdp") == 0;
	if (tr->l2 || tr->xdp || strcmp(v, "udp") == 0)
		return 0;
	return vnl_err_invalid("--transport", v, "expected udp, l2 or xdp");
}

static int xsk_mode(struct vnl_transport_opts *tr, int c)
{
	if (tr->xsk_mode != VNL_XSK_AUTO) {
		vnl_err("give --zero-copy or --copy, not both");
		return -1;
	}
	tr->xsk_mode = c == VNL_PO_COPY ? VNL_XSK_COPY : VNL_XSK_ZEROCOPY;
	return 0;
}

/* The shared options that take a number: where it goes and its range. */
static int numeric_option(struct vnl_probe_cli *cli, int c, const char *v)
{
	uint64_t u;
	switch (c) {
	case VNL_PO_QUEUE:
		if (vnl_opt_num("--queue", v, 0, 65535, &u) < 0)
			return -1;
		cli->tr->queue = (uint32_t)u;
		cli->queue_given = true;
		return 0;
	case VNL_PO_ETHERTYPE:
		if (vnl_opt_num("--ethertype", v, 0x600, 0xffff, &u) < 0)
			return -1;
		cli->tr->ethertype = (uint16_t)u;
		return 0;
	case VNL_PO_BUSY:
		if (vnl_opt_num("--busy-poll", v, 1, 1000000, &u) < 0)
			return -1;
		cli->tr->busy_poll_us = (int)u;
		return 0;
	case VNL_PO_FIFO:
		if (vnl_opt_num("--sched-fifo", v, 1, 99, &u) < 0)
			return -1;
		cli->rt->sched_fifo = (int)u;
		return 0;
	case VNL_PO_DMALAT:
		if (vnl_opt_num("--cpu-dma-latency", v, 0, 2000000000, &u) < 0)
			return -1;
		cli->rt->cpu_dma_latency_us = (int)u;
		return 0;
	default: /* VNL_PO_CPU */
		if (vnl_opt_num("--cpu", v, 0, 4095, &u) < 0)
			return -1;
		cli->rt->cpu = (int)u;
		return 0;
	}
}

int vnl_probe_cli_option(struct vnl_probe_cli *cli, int c, const char *v)
{
	int rc;
	switch (c) {
	case VNL_PO_L2:
		cli->tr->l2 = true;
		return 1;
	case VNL_PO_TRANSPORT:
		rc = transport_choice(cli->tr, v);
		break;
	case VNL_PO_ZEROCOPY:
	case VNL_PO_COPY:
		rc = xsk_mode(cli->tr, c);
		break;
	case VNL_PO_IFNAME:
		cli->tr->ifname = v;
		return 1;
	case VNL_PO_MLOCK:
		cli->rt->mlock = true;
		return 1;
	case VNL_PO_RTREPORT:
		cli->rt->report_path = v;
		return 1;
	case VNL_PO_QUEUE:
	case VNL_PO_ETHERTYPE:
	case VNL_PO_BUSY:
	case VNL_PO_FIFO:
	case VNL_PO_CPU:
	case VNL_PO_DMALAT:
		rc = numeric_option(cli, c, v);
		break;
	default:
		return 0;
	}
	return rc < 0 ? -1 : 1;
}
