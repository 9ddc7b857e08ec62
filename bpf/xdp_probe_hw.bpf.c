// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The AF_XDP steering program with the driver's hardware RX stamp
 * (bpf_xdp_metadata_rx_timestamp): loadable only device-bound to one
 * interface. lib/xskprog tries it first and falls back to xdp_probe.
 */
#define VNL_XDP_PROBE_HW 1
#include "xdp_probe.bpf.c"
