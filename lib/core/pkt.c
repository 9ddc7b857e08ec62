/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pkt.h"

#include <string.h>

static const char *const stage_names[VNL_STAGE__COUNT] = {
	[VNL_STAGE_WAKEUP] = "wakeup",
	[VNL_STAGE_TX_STACK] = "tx_stack",
	[VNL_STAGE_PATH] = "path",
	[VNL_STAGE_RX_STACK] = "rx_stack",
	[VNL_STAGE_ONE_WAY] = "one_way",
};

const char *vnl_stage_name(enum vnl_stage st)
{
	return (unsigned)st < VNL_STAGE__COUNT ? stage_names[st] : "?";
}

int vnl_stage_from_name(const char *name)
{
	for (int i = 0; i < VNL_STAGE__COUNT; i++)
		if (strcmp(name, stage_names[i]) == 0)
			return i;
	return -1;
}

int64_t vnl_pkt_kernel_tx(const struct vnl_pkt *p)
{
	if (p->tx_hw)
		return p->tx_hw;
	if (p->tx_sw)
		return p->tx_sw;
	return p->tx_sched;
}

/*
 * Hardware stamps come from a PHC, software ones from CLOCK_REALTIME: the
 * path is only taken between stamps of one kind so clocks are never mixed.
 */
static bool path_stage(const struct vnl_pkt *p, int64_t *out)
{
	if (p->tx_hw && p->rx_hw) {
		*out = p->rx_hw - p->tx_hw;
		return true;
	}
	int64_t tx = p->tx_sw ? p->tx_sw : p->tx_sched;
	if (!tx || !p->rx_sw)
		return false;
	*out = p->rx_sw - tx;
	return true;
}

static bool diff(int64_t later, int64_t earlier, int64_t *out)
{
	if (!later || !earlier)
		return false;
	*out = later - earlier;
	return true;
}

bool vnl_pkt_stage(const struct vnl_pkt *p, enum vnl_stage st, int64_t *out)
{
	switch (st) {
	case VNL_STAGE_WAKEUP:
		return diff(p->app_tx_sched, p->sched, out);
	case VNL_STAGE_TX_STACK:
		/* app_tx is CLOCK_REALTIME: compare with software stamps only */
		return diff(p->tx_sw ? p->tx_sw : p->tx_sched, p->app_tx, out);
	case VNL_STAGE_PATH:
		return path_stage(p, out);
	case VNL_STAGE_RX_STACK:
		return diff(p->app_rx, p->rx_sw, out);
	case VNL_STAGE_ONE_WAY:
		return diff(p->app_rx, p->app_tx, out);
	default:
		return false;
	}
}
