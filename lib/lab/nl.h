/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink requests with libmnl: create and delete links, add addresses,
 * bring links up, and list links and addresses. A socket works in the network
 * namespace it was opened in, so one vnl_nl per namespace.
 *
 * Every function returns 0 on success or -1 with errno set; when the kernel
 * explained the failure (extended ack), vnl_nl_why() returns its text.
 */
#ifndef VNL_NL_H
#define VNL_NL_H

#include <net/if.h>
#include <stdint.h>

struct vnl_nl;

/* A socket in the namespace open at nsfd, or in the caller's when nsfd < 0. */
struct vnl_nl *vnl_nl_open(int nsfd);
void vnl_nl_close(struct vnl_nl *nl);
/* The kernel's explanation of the last failure, or "" when it gave none. */
const char *vnl_nl_why(const struct vnl_nl *nl);

/* One end of a veth pair: its name, MAC and the namespace it goes to (fd). */
struct vnl_nl_veth_end {
	const char *ifname;
	uint8_t mac[6];
	int nsfd;
};
/* Create a veth pair in one request (fails with EEXIST if a name is taken). */
int vnl_nl_veth_add(struct vnl_nl *nl, const struct vnl_nl_veth_end *end,
		    const struct vnl_nl_veth_end *peer);
/* Delete a link by name; a link that is already gone counts as success. */
int vnl_nl_link_del(struct vnl_nl *nl, const char *ifname);
int vnl_nl_link_up(struct vnl_nl *nl, const char *ifname);
/* Move link ifindex into the namespace open at nsfd, named newname there (one request). */
int vnl_nl_link_move(struct vnl_nl *nl, int ifindex, int nsfd, const char *newname);
/* Rename link ifindex (it must be down). */
int vnl_nl_link_rename(struct vnl_nl *nl, int ifindex, const char *newname);
/* Set a link's MTU (0: leave it) and its up/down state. */
int vnl_nl_link_set(struct vnl_nl *nl, const char *ifname, unsigned mtu, int up);
/* ifindex of a link, or -1 (errno ENODEV when there is none). */
int vnl_nl_ifindex(struct vnl_nl *nl, const char *ifname);

/* An address: family AF_INET or AF_INET6, in network byte order. */
struct vnl_nl_addr {
	int ifindex;
	int family;
	uint8_t addr[16];
	unsigned prefixlen;
};
/* Add an address; nodad skips IPv6 duplicate address detection. */
int vnl_nl_addr_add(struct vnl_nl *nl, const struct vnl_nl_addr *a, int nodad);

struct vnl_nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[32];
	unsigned mac_len;
	unsigned flags;      /* IFF_* */
	char kind[16];       /* "veth", "bridge"... or "" */
	unsigned mtu;
	int master;          /* ifindex of its bridge/bond, 0: none */
};
typedef void (*vnl_nl_link_cb)(const struct vnl_nl_link *link, void *arg);
typedef void (*vnl_nl_addr_cb)(const struct vnl_nl_addr *addr, void *arg);
int vnl_nl_dump_links(struct vnl_nl *nl, vnl_nl_link_cb cb, void *arg);
int vnl_nl_dump_addrs(struct vnl_nl *nl, vnl_nl_addr_cb cb, void *arg);

/* "192.0.2.1/24" -> struct; 0 or -1 (not an address with a prefix). */
int vnl_nl_addr_parse(const char *text, struct vnl_nl_addr *out);
/* "02:00:5e:10:00:01" style text of a MAC of len bytes into buf (3 * len). */
void vnl_nl_mac_format(const uint8_t *mac, unsigned len, char *buf, unsigned size);

#endif
