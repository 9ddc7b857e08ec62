/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tsinfo.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int vnl_tsinfo_read(const char *ifname, struct vnl_tsinfo *out, char *why, size_t why_len)
{
	struct ethtool_ts_info info = { .cmd = ETHTOOL_GET_TS_INFO };
	struct ifreq ifr;
	memset(out, 0, sizeof(*out));
	out->phc_index = -1;
	if (strlen(ifname) >= sizeof(ifr.ifr_name) || !if_nametoindex(ifname)) {
		snprintf(why, why_len, "no interface %s in this network namespace", ifname);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = (void *)&info;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		snprintf(why, why_len, "%s does not answer ETHTOOL_GET_TS_INFO: %s", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	out->so_timestamping = info.so_timestamping;
	out->phc_index = info.phc_index;
	out->tx_types = info.tx_types;
	out->rx_filters = info.rx_filters;
	return 0;
}

/* ethtool -T's names, bit by bit. */
static const char *const cap_names[] = {
	"hardware-transmit", "software-transmit", "hardware-receive", "software-receive",
	"software-system-clock", "hardware-legacy-clock", "hardware-raw-clock",
};
/* SOF_TIMESTAMPING_TX_HARDWARE is bit 0 ... SOF_TIMESTAMPING_RAW_HARDWARE bit 6 */
_Static_assert(SOF_TIMESTAMPING_RAW_HARDWARE == 1 << 6, "capability bits");
static const char *const tx_names[] = { "off", "on", "onestep-sync", "onestep-p2p" };
static const char *const rx_names[] = {
	"none", "all", "some", "ptpv1-l4-event", "ptpv1-l4-sync", "ptpv1-l4-delay-req",
	"ptpv2-l4-event", "ptpv2-l4-sync", "ptpv2-l4-delay-req", "ptpv2-l2-event",
	"ptpv2-l2-sync", "ptpv2-l2-delay-req", "ptpv2-event", "ptpv2-sync", "ptpv2-delay-req",
	"ntp-all",
};

size_t vnl_tsinfo_names(int which, uint32_t mask, const char *names[], size_t max)
{
	const char *const *table = which == 0 ? cap_names : which == 1 ? tx_names : rx_names;
	size_t n_table = which == 0 ? sizeof(cap_names) / sizeof(*cap_names)
		       : which == 1 ? sizeof(tx_names) / sizeof(*tx_names)
				    : sizeof(rx_names) / sizeof(*rx_names);
	size_t n = 0;
	for (size_t i = 0; i < n_table && n < max; i++)
		if (mask & (1u << i))
			names[n++] = table[i];
	return n;
}
