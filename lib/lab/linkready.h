/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When a lab's link can carry a probe. A veth that was just brought up
 * drops what is sent before the kernel's link watch has activated it
 * (operstate UP): the first ARP request or IPv6 neighbour solicitation is
 * lost and the next one only comes a retransmit time (1 s) later, so a
 * stream started at once sees its first probes a second late, some lost,
 * some without TX stamps. Ready means: the link is running and the
 * neighbour entries of the peer's addresses (both families) are resolved.
 */
#ifndef VNL_LINKREADY_H
#define VNL_LINKREADY_H

/*
 * In namespace ns: wait until ifname is running, then resolve each of the
 * n peer addresses (IPv4 or IPv6 text, without prefix) on it. Waits up to
 * timeout_ms in all. 0, or -1 with a message saying which part timed out.
 */
int vnl_link_ready(const char *ns, const char *ifname, const char *const peers[], unsigned n,
		   int timeout_ms);

#endif
