/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VNL_SNMP_H
#define VNL_SNMP_H
/*
 * The kernel's UDP counters (/proc/net/snmp, /proc/net/snmp6) of one network
 * namespace or guest: the checksum errors a receiver counts tell a probe that
 * arrived damaged (a checksum left to an offload nobody completed) from one
 * that never arrived.
 */
#include <stdbool.h>
#include <stdint.h>

/* UdpInCsumErrors + Udp6InCsumErrors found in TEXT (the two files, concatenated);
 * false when TEXT holds neither counter. */
bool vnl_snmp_udp_csum_errors(const char *text, uint64_t *errors);
/* The same counters of network namespace NETNS (read with 'ip netns exec'). */
bool vnl_snmp_netns_udp_csum_errors(const char *netns, uint64_t *errors);

#endif
