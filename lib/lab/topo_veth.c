/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The veth lab: two namespaces, LAB-a (remote) and LAB-b (local), joined by a veth pair. */
#include "topo.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "labinfo.h"
#include "log.h"
#include "paths.h"
#include "nl.h"

struct veth_spec {
	const char *ns, *ifname;
	uint8_t mac[6];
};

/* The veth lab's wire: same name in both namespaces, documentation addresses. */
#define VETH_IFNAME "wire0"
static const char *const veth_addrs[][2] = {
	{ "192.0.2.1/24", "2001:db8::1/64" },
	{ "192.0.2.2/24", "2001:db8::2/64" },
};

/* How `run` uses a veth lab (labinfo.h): node a is the remote end, node b the local one. */
static int veth_info(struct vnl_lab_builder *b, char ns[2][32], const struct veth_spec ends[2])
{
	const char *lab = b->lab;
	char tmp[128], path[128];
	/* vnl_labinfo_save writes LAB.tmp and renames it: a kill can leave either. */
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", VNL_LABINFO_DIR, lab);
	snprintf(path, sizeof(path), "%s/%s.info", VNL_LABINFO_DIR, lab);
	if (vnl_lab_record_path(b, tmp) < 0 || vnl_lab_record_path(b, path) < 0)
		return -1;
	struct vnl_lab_info info = { .has_guest = false };
	struct vnl_lab_endpoint *ep[2] = { &info.remote, &info.local };
	snprintf(info.name, sizeof(info.name), "%.15s", lab);
	snprintf(info.topology, sizeof(info.topology), "veth");
	for (unsigned i = 0; i < 2; i++) {
		snprintf(ep[i]->netns, sizeof(ep[i]->netns), "%.31s", ns[i]);
		snprintf(ep[i]->ifname, sizeof(ep[i]->ifname), VETH_IFNAME);
		vnl_nl_mac_format(ends[i].mac, 6, ep[i]->mac, sizeof(ep[i]->mac));
		snprintf(ep[i]->addr4, sizeof(ep[i]->addr4), "%.*s",
			 (int)strcspn(veth_addrs[i][0], "/"), veth_addrs[i][0]);
		snprintf(ep[i]->addr6, sizeof(ep[i]->addr6), "%.*s",
			 (int)strcspn(veth_addrs[i][1], "/"), veth_addrs[i][1]);
	}
	mkdir(VNL_RUN_ROOT, 0755);
	mkdir(VNL_LABINFO_DIR, 0755);
	int rc = vnl_labinfo_save(VNL_LABINFO_DIR, &info);
	if (rc < 0)
		vnl_err("cannot write %s/%s.info: %s", VNL_LABINFO_DIR, lab, strerror(-rc));
	return rc < 0 ? -1 : 0;
}

int vnl_topo_veth_build(struct vnl_lab_builder *b)
{
	char ns[2][32];
	struct veth_spec ends[2];
	for (unsigned i = 0; i < 2; i++) {
		snprintf(ns[i], sizeof(ns[i]), "%s-%c", b->lab, i ? 'b' : 'a');
		ends[i] = (struct veth_spec){ ns[i], VETH_IFNAME, { 0 } };
		vnl_lab_mac(b->lab, i + 1, ends[i].mac);
		if (vnl_lab_step_netns(b, ns[i]) < 0)
			return -1;
	}
	if (vnl_lab_step_veth(b, ends[0].ns, ends[0].ifname, ends[0].mac, ends[1].ns, ends[1].ifname, ends[1].mac) < 0)
		return -1;
	for (unsigned i = 0; i < 2; i++) {
		if (vnl_lab_step_addr(b, ns[i], VETH_IFNAME, veth_addrs[i][0]) < 0 ||
		    vnl_lab_step_addr(b, ns[i], VETH_IFNAME, veth_addrs[i][1]) < 0 ||
		    vnl_lab_step_up(b, ns[i], "lo") < 0 || vnl_lab_step_up(b, ns[i], VETH_IFNAME) < 0)
			return -1;
	}
	for (unsigned i = 0; i < 2; i++) {
		const char *peer[2] = { veth_addrs[1 - i][0], veth_addrs[1 - i][1] };
		if (vnl_lab_step_ready(b, ns[i], VETH_IFNAME, peer, 2) < 0)
			return -1;
	}
	return b->dry_run ? 0 : veth_info(b, ns, ends);
}

