/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Labs: throwaway network topologies of named namespaces and links, built
 * with netlink and recorded write-ahead in a state file (labstate.h) so they
 * can always be removed exactly. A topology is an entry in a table: its nodes
 * and the steps that build it; the same steps print the equivalent `ip`
 * commands for --dry-run.
 *
 * The functions print their own messages (log.h) and return an exit code.
 */
#ifndef VNL_LAB_H
#define VNL_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define VNL_LAB_DEFAULT_NAME "vnl"
/* Keeps every name derived from a lab (NAME-a, NAME-tap0...) within IFNAMSIZ. */
#define VNL_LAB_NAME_MAX 10
/* ovs --vhost-user's switch: openvswitch-switch-dpdk's vswitchd (not the system's alternative). */
#define VNL_OVS_DPDK_VSWITCHD "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"

/* [a-z0-9-], starting with a letter or digit, at most VNL_LAB_NAME_MAX long. */
bool vnl_lab_name_ok(const char *name, const char **why);
bool vnl_lab_topology_known(const char *topology);
/* Name of topology i (0, 1, ...), NULL past the last one. */
const char *vnl_lab_topology_name(size_t i);
/* "  veth   two namespaces..." lines for --help. */
void vnl_lab_topologies_help(FILE *out);

struct vnl_lab_opts; /* labbuild.h */
/* Build a lab (opts NULL: defaults); with dry_run print the commands and change nothing. */
int vnl_lab_up(const char *topology, const char *name, const struct vnl_lab_opts *opts,
	       bool dry_run);
/* Remove exactly what the lab's state file lists; dry_run prints the commands. */
int vnl_lab_down(const char *name, bool dry_run);
/* Nodes, interfaces, MACs and addresses of one lab, or of all when name is NULL. */
int vnl_lab_show(const char *name, bool json);
/*
 * Run argv inside a node of a lab: node is a node id ("a", "b"), its role
 * ("remote", "local") or a namespace name. Returns only on failure.
 */
int vnl_lab_exec(const char *name, const char *node, char **argv);

#endif
