// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test driver for the XDP bridge (tests/integration/xdp_bridge_veth.sh):
 * a thin command line over lib/xdpbridge, not a vnetlat verb. Run it in
 * the lab's host network namespace (nsenter --net=...), not with
 * `ip netns exec`, whose private /sys would hide the pins.
 *
 *   xdp_bridge_ctl up LAB UPLINK [LOCAL_IF] [auto|native|generic]
 *   xdp_bridge_ctl guest LAB TAP MAC [VLAN]
 *   xdp_bridge_ctl counters LAB
 *   xdp_bridge_ctl ports LAB
 *   xdp_bridge_ctl down LAB
 *   xdp_bridge_ctl recipe LAB UPLINK LOCAL_IF TAP MAC OBJECT
 */
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xdpbridge.h"

static int usage(void)
{
	fputs("usage: xdp_bridge_ctl up LAB UPLINK [LOCAL_IF] [auto|native|generic]\n"
	      "       xdp_bridge_ctl guest LAB TAP MAC [VLAN]\n"
	      "       xdp_bridge_ctl counters|ports|down LAB\n"
	      "       xdp_bridge_ctl recipe LAB UPLINK LOCAL_IF TAP MAC OBJECT\n", stderr);
	return VNL_EXIT_USAGE;
}

static int ifindex_of(const char *name)
{
	int idx = (int)if_nametoindex(name);

	if (idx <= 0)
		vnl_errno("no interface '%s' in this network namespace", name);
	return idx;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6) {
		vnl_err("'%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", s);
		return -1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* By ioctl: under nsenter --net, /sys/class/net still shows the old namespace. */
static int read_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		rc = 0;
	} else {
		vnl_errno("cannot read the MAC address of %s", ifname);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int cmd_up(int argc, char **argv)
{
	enum vnl_xdp_mode want = VNL_XDP_MODE_AUTO, used;
	struct vnl_xdpbridge *b;
	uint8_t local[6];
	int uplink, rc = VNL_EXIT_FAIL;

	if (argc > 3 && strcmp(argv[3], "-") != 0 && read_mac(argv[3], local) < 0)
		return VNL_EXIT_FAIL;
	if (argc > 4)
		want = !strcmp(argv[4], "native") ? VNL_XDP_MODE_NATIVE
		       : !strcmp(argv[4], "generic") ? VNL_XDP_MODE_GENERIC : VNL_XDP_MODE_AUTO;
	if ((uplink = ifindex_of(argv[2])) <= 0 || !(b = vnl_xdpbridge_create(argv[1])))
		return VNL_EXIT_FAIL;
	if (vnl_xdpbridge_attach_uplink(b, uplink, want, &used) == 0 &&
	    (argc <= 3 || !strcmp(argv[3], "-") || vnl_xdpbridge_add_local_mac(b, local) == 0)) {
		printf("uplink %s: %s XDP\n", argv[2], vnl_xdp_mode_name(used));
		rc = VNL_EXIT_OK;
	}
	vnl_xdpbridge_close(b);
	return rc;
}

static int cmd_guest(int argc, char **argv)
{
	struct vnl_xdpbridge *b;
	enum vnl_xdp_mode used;
	uint8_t mac[6];
	int tap, rc = VNL_EXIT_FAIL;
	uint16_t vlan = argc > 4 ? (uint16_t)atoi(argv[4]) : 0;

	if (argc < 4)
		return usage();
	if ((tap = ifindex_of(argv[2])) <= 0 || parse_mac(argv[3], mac) < 0 ||
	    !(b = vnl_xdpbridge_open(argv[1])))
		return VNL_EXIT_FAIL;
	if (vnl_xdpbridge_attach_tap(b, tap, VNL_XDP_MODE_AUTO, &used) == 0 &&
	    vnl_xdpbridge_add_guest(b, mac, tap, vlan) == 0) {
		printf("tap %s: %s XDP, guest %s\n", argv[2], vnl_xdp_mode_name(used), argv[3]);
		rc = VNL_EXIT_OK;
	}
	vnl_xdpbridge_close(b);
	return rc;
}

static int cmd_counters(const char *lab)
{
	struct vnl_xdpbridge *b = vnl_xdpbridge_open(lab);
	struct vnl_xdp_counters c;
	int rc = VNL_EXIT_FAIL;

	if (!b)
		return VNL_EXIT_FAIL;
	if (vnl_xdpbridge_read_counters(b, &c) == 0) {
		for (int i = 0; i < VNL_XDP_STAT_COUNT; i++)
			printf("%s %llu\n", vnl_xdp_stat_name((enum vnl_xdp_stat)i),
			       (unsigned long long)c.v[i]);
		rc = VNL_EXIT_OK;
	}
	vnl_xdpbridge_close(b);
	return rc;
}

static int cmd_ports(const char *lab)
{
	struct vnl_xdpbridge *b = vnl_xdpbridge_open(lab);
	struct vnl_xdp_port ports[VNL_XDP_MAX_PORTS];
	int n;

	if (!b)
		return VNL_EXIT_FAIL;
	n = vnl_xdpbridge_ports(b, ports, VNL_XDP_MAX_PORTS);
	for (int i = 0; i < n; i++) {
		char name[IF_NAMESIZE + 1] = "?";

		if_indextoname((unsigned)ports[i].ifindex, name);
		printf("%s %s %s\n", name, ports[i].prog == VNL_XDP_PROG_UPLINK ? "xdp_uplink" : "xdp_guest",
		       vnl_xdp_mode_name(ports[i].mode));
	}
	vnl_xdpbridge_close(b);
	return n < 0 ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

static int cmd_recipe(char **argv)
{
	struct vnl_xdp_recipe_guest g = { .tap = argv[4] };
	struct vnl_xdp_recipe r = { .lab = argv[1], .uplink = argv[2], .local_if = argv[3],
				    .object = argv[6], .guests = &g, .n_guests = 1 };

	if (parse_mac(argv[5], g.mac) < 0)
		return VNL_EXIT_USAGE;
	vnl_xdpbridge_print_recipe(stdout, &r);
	return VNL_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc < 3)
		return usage();
	argc--, argv++;
	if (!strcmp(cmd, "up"))
		return argc >= 3 ? cmd_up(argc, argv) : usage();
	if (!strcmp(cmd, "guest"))
		return cmd_guest(argc, argv);
	if (!strcmp(cmd, "counters"))
		return cmd_counters(argv[1]);
	if (!strcmp(cmd, "ports"))
		return cmd_ports(argv[1]);
	if (!strcmp(cmd, "down"))
		return vnl_xdpbridge_remove(argv[1]) == 0 ? VNL_EXIT_OK : VNL_EXIT_FAIL;
	if (!strcmp(cmd, "recipe"))
		return argc >= 7 ? cmd_recipe(argv) : usage();
	return usage();
}
