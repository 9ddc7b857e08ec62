/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "doctor_csum.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "child.h"
#include "netns.h"
#include "snmp.h"

#define DATAGRAMS 20
/* Nothing listens there: a datagram is checked, counted, and answered by ICMP. */
#define PORT 4399
#define PORT_TEXT "4399"

static bool guest_errors(struct vnl_agent *a, uint64_t *n)
{
	static const char *const argv[] = { "cat", "/proc/net/snmp", "/proc/net/snmp6", NULL };
	struct vnl_agent_result res;
	const char *why;
	if (vnl_agent_run(a, argv, NULL, 5000, &res, &why))
		return false;
	bool ok = res.exited && res.status == 0 && vnl_snmp_udp_csum_errors(res.out, n);
	vnl_agent_result_free(&res);
	return ok;
}

struct csum_send {
	const char *ns, *addr;
};

static int send_here(void *arg)
{
	const struct csum_send *cs = arg;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int fd = -1;
	if (vnl_netns_enter(cs->ns) < 0 || inet_pton(AF_INET, cs->addr, &to.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return 1;
	static const char payload[128] = "vnetlat doctor checksum check";
	for (int i = 0; i < DATAGRAMS; i++) {
		sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to));
		usleep(1000);
	}
	return 0;
}

/* DATAGRAMS small UDP datagrams from namespace NS to ADDR (IPv4), from a child there. */
static bool send_from_netns(const char *ns, const char *addr)
{
	struct csum_send cs = { ns, addr };
	struct vnl_child_opts o = {
		.in = { .how = VNL_CHILD_INHERIT },
		.out = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
	};
	struct vnl_child *c;
	if (vnl_child_call(&c, send_here, &cs, &o))
		return false;
	vnl_child_wait(c, -1);
	bool ok = vnl_child_status(c) == 0;
	vnl_child_free(c);
	return ok;
}

static bool send_from_guest(struct vnl_agent *a, const char *addr)
{
	const char *const argv[] = { "vnetlat", "send", addr, "--count", "20", "--interval", "1ms",
				     "--port", PORT_TEXT, NULL };
	struct vnl_agent_result res;
	const char *why;
	if (vnl_agent_run(a, argv, NULL, 10000, &res, &why))
		return false;
	bool ok = res.exited && res.status == 0;
	vnl_agent_result_free(&res);
	return ok;
}

static int verdict(const char *dir, bool measured, uint64_t errors, const char *fix)
{
	if (!measured) {
		printf("%-8s UDP checksums %s: could not be checked (the guest's agent or the "
		       "namespace did not answer)\n", "PROBLEM", dir);
		return 1;
	}
	if (!errors) {
		printf("%-8s UDP checksums %s: %d datagrams, none counted with a bad checksum\n", "ok",
		       dir, DATAGRAMS);
		return 0;
	}
	printf("%-8s UDP checksums %s: the receiver counted %" PRIu64 " checksum errors "
	       "(UdpInCsumErrors) for %d datagrams: their checksum was left to an offload that the "
	       "back-end did not complete, so every probe of this direction is dropped; %s\n",
	       "PROBLEM", dir, errors, DATAGRAMS, fix);
	return 1;
}

int vnl_doctor_csum(const struct vnl_lab_info *info)
{
	const char *ns = info->untagged_remote.netns;
	struct vnl_agent *a = vnl_agent_connect(info->agent_path, 2000);
	uint64_t b0 = 0, b1 = 0, g0 = 0, g1 = 0;
	bool to_guest = a && guest_errors(a, &g0) && send_from_netns(ns, info->untagged_local.addr4) &&
			guest_errors(a, &g1);
	bool to_remote = a && vnl_snmp_netns_udp_csum_errors(ns, &b0) &&
			 send_from_guest(a, info->untagged_remote.addr4) &&
			 vnl_snmp_netns_udp_csum_errors(ns, &b1);
	if (a)
		vnl_agent_close(a);
	char fix[256];
	snprintf(fix, sizeof(fix), "turn TX checksum offload off where the frames start: "
		 "'ip netns exec %s ethtool -K %s tx off'", ns, info->untagged_remote.ifname);
	int problems = verdict("remote -> guest", to_guest, g1 - g0, fix);
	problems += verdict("guest -> remote", to_remote, b1 - b0,
			    "give the guest a virtio-net without checksum offload (qemu -device "
			    "virtio-net-pci,...,csum=off, as vnetlat's ovs lab does) or run "
			    "'ethtool -K eth0 tx off' in the guest");
	return problems;
}
