// SPDX-License-Identifier: GPL-2.0-or-later
#include "vlantag.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "log.h"
#include "netns.h"
#include "vlan_tag.h"
#include "vlan_tag.skel.h"

/* One program on one hook (clsact made when missing); 0 or -1 with a message. */
static int attach_one(int ifindex, const char *ifname, enum bpf_tc_attach_point where,
		      const struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	int err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		errno = -err;
		vnl_errno("cannot add a clsact qdisc to %s", ifname);
		return -1;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		errno = -err;
		vnl_errno("cannot attach %s to the %s of %s", bpf_program__name(prog),
			  where == BPF_TC_INGRESS ? "ingress" : "egress", ifname);
		return -1;
	}
	return 0;
}

/* In the lab's namespace: interface indexes, load with them, attach. */
static int load_and_attach(struct vlan_tag *skel, const char *ns, const char *wire,
			   const char *port, unsigned vid)
{
	int wire_idx = (int)if_nametoindex(wire), port_idx = (int)if_nametoindex(port);
	if (!wire_idx || !port_idx) {
		vnl_errno("VLAN tagger: no %s or %s in %s", wire, port, ns);
		return -1;
	}
	skel->rodata->cfg.vid = vid;
	skel->rodata->cfg.wire_ifindex = (__u32)wire_idx;
	skel->rodata->cfg.port_ifindex = (__u32)port_idx;
	int err = vlan_tag__load(skel);
	if (err) {
		errno = -err;
		vnl_errno("cannot load the VLAN tagger (bpf/vlan_tag.bpf.c; VNL_BPF_DEBUG=1 shows "
			  "the verifier's log)");
		return -1;
	}
	return attach_one(port_idx, port, BPF_TC_EGRESS, skel->progs.vlan_tag_out) < 0 ||
			       attach_one(wire_idx, wire, BPF_TC_INGRESS, skel->progs.vlan_tag_in) < 0
		       ? -1
		       : 0;
}

int vnl_vlantag_attach(const char *ns, const char *wire, const char *port, unsigned vid)
{
	if (vid < 1 || vid > 4094) {
		vnl_err("VLAN id %u: use 1 to 4094", vid);
		return -1;
	}
	struct vlan_tag *skel = vlan_tag__open();
	if (!skel) {
		vnl_errno("cannot open the VLAN tagger's BPF object");
		return -1;
	}
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int there = vnl_netns_open(ns);
	int ret = -1;
	if (home < 0 || there < 0 || setns(there, CLONE_NEWNET) < 0) {
		vnl_errno("VLAN tagger: cannot enter network namespace %s", ns);
	} else {
		ret = load_and_attach(skel, ns, wire, port, vid);
		if (setns(home, CLONE_NEWNET) < 0) {
			perror("vnetlat: cannot return to the original network namespace");
			abort();
		}
	}
	if (home >= 0)
		close(home);
	if (there >= 0)
		close(there);
	/* The filters hold the programs now; our references can go. */
	vlan_tag__destroy(skel);
	return ret;
}
