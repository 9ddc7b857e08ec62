/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "labinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"

static void info_path(const char *dir, const char *lab, const char *suffix, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.info%s", dir, lab, suffix);
}

static json_t *endpoint_json(const struct vnl_lab_endpoint *e)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "netns", e->netns, "ifname", e->ifname,
			 "mac", e->mac, "addr4", e->addr4, "addr6", e->addr6);
}

int vnl_labinfo_save(const char *dir, const struct vnl_lab_info *in)
{
	char path[512];
	json_t *doc = json_pack("{s:i, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s}",
				"vnetlat_lab_info", 1, "name", in->name, "topology", in->topology,
				"remote", endpoint_json(&in->remote), "local", endpoint_json(&in->local),
				"host_netns", in->host_netns, "uplink_if", in->uplink_if,
				"backend_if", in->backend_if, "has_guest", in->has_guest,
				"agent_path", in->agent_path, "console_log", in->console_log,
				"guest_arch", in->guest_arch, "accel", in->accel, "vhost", in->vhost);
	if (doc && in->vlan)
		json_object_set_new(doc, "vlan", json_pack("{s:i, s:o, s:o}", "id", (int)in->vlan,
							   "untagged_remote",
							   endpoint_json(&in->untagged_remote),
							   "untagged_local",
							   endpoint_json(&in->untagged_local)));
	if (doc && in->vhost_user.socket[0])
		json_object_set_new(doc, "vhost_user", json_pack(
			"{s:s, s:s, s:s}", "socket", in->vhost_user.socket, "memory",
			in->vhost_user.memory, "pmd_cpus", in->vhost_user.pmd_cpus));
	if (doc && in->qbv.cycle_ns)
		json_object_set_new(doc, "qbv", json_pack(
			"{s:I, s:I, s:I, s:I, s:i, s:s, s:s}", "cycle_ns", (json_int_t)in->qbv.cycle_ns,
			"open_ns", (json_int_t)in->qbv.open_ns, "length_ns", (json_int_t)in->qbv.length_ns,
			"base_time_ns", (json_int_t)in->qbv.base_time_ns, "priority", in->qbv.priority,
			"offload", in->qbv.offload, "in_refused", in->qbv_in_refused));
	if (!doc)
		return -ENOMEM;
	info_path(dir, in->name, "", path, sizeof(path));
	struct vnl_replace *r = vnl_replace_open(path);
	int rc = r ? json_dumpf(doc, vnl_replace_stream(r), JSON_INDENT(2) | JSON_SORT_KEYS) : -1;
	json_decref(doc);
	if (!r)
		return -errno;
	if (rc) {
		vnl_replace_abort(r);
		return -EIO;
	}
	return vnl_replace_commit(r) ? -errno : 0;
}

/* Copy a string member into a fixed buffer; missing members read as "". */
static void get_str(json_t *obj, const char *key, char *dst, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));
	snprintf(dst, size, "%s", s ? s : "");
}

static void endpoint_from(json_t *obj, struct vnl_lab_endpoint *e)
{
	get_str(obj, "netns", e->netns, sizeof(e->netns));
	get_str(obj, "ifname", e->ifname, sizeof(e->ifname));
	get_str(obj, "mac", e->mac, sizeof(e->mac));
	get_str(obj, "addr4", e->addr4, sizeof(e->addr4));
	get_str(obj, "addr6", e->addr6, sizeof(e->addr6));
}

int vnl_labinfo_load(const char *dir, const char *lab, struct vnl_lab_info *out)
{
	char path[512];
	json_error_t jerr;

	if (!*lab || strchr(lab, '/') || lab[0] == '.')
		return -EINVAL; /* a lab's name, never a path */
	info_path(dir, lab, "", path, sizeof(path));
	json_t *doc = json_load_file(path, 0, &jerr);
	if (!doc)
		return access(path, F_OK) ? -ENOENT : -EINVAL;
	if (json_integer_value(json_object_get(doc, "vnetlat_lab_info")) != 1) {
		json_decref(doc);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	get_str(doc, "name", out->name, sizeof(out->name));
	get_str(doc, "topology", out->topology, sizeof(out->topology));
	endpoint_from(json_object_get(doc, "remote"), &out->remote);
	endpoint_from(json_object_get(doc, "local"), &out->local);
	get_str(doc, "host_netns", out->host_netns, sizeof(out->host_netns));
	get_str(doc, "uplink_if", out->uplink_if, sizeof(out->uplink_if));
	get_str(doc, "backend_if", out->backend_if, sizeof(out->backend_if));
	out->has_guest = json_is_true(json_object_get(doc, "has_guest"));
	get_str(doc, "agent_path", out->agent_path, sizeof(out->agent_path));
	get_str(doc, "console_log", out->console_log, sizeof(out->console_log));
	get_str(doc, "guest_arch", out->guest_arch, sizeof(out->guest_arch));
	get_str(doc, "accel", out->accel, sizeof(out->accel));
	get_str(doc, "vhost", out->vhost, sizeof(out->vhost));
	json_t *vu = json_object_get(doc, "vhost_user");
	get_str(vu, "socket", out->vhost_user.socket, sizeof(out->vhost_user.socket));
	get_str(vu, "memory", out->vhost_user.memory, sizeof(out->vhost_user.memory));
	get_str(vu, "pmd_cpus", out->vhost_user.pmd_cpus, sizeof(out->vhost_user.pmd_cpus));
	json_t *qbv = json_object_get(doc, "qbv");
	memset(&out->qbv, 0, sizeof(out->qbv));
	out->qbv.cycle_ns = json_integer_value(json_object_get(qbv, "cycle_ns"));
	out->qbv.open_ns = json_integer_value(json_object_get(qbv, "open_ns"));
	out->qbv.length_ns = json_integer_value(json_object_get(qbv, "length_ns"));
	out->qbv.base_time_ns = json_integer_value(json_object_get(qbv, "base_time_ns"));
	out->qbv.priority = (int)json_integer_value(json_object_get(qbv, "priority"));
	get_str(qbv, "offload", out->qbv.offload, sizeof(out->qbv.offload));
	get_str(qbv, "in_refused", out->qbv_in_refused, sizeof(out->qbv_in_refused));
	if (out->qbv.cycle_ns <= 0 || out->qbv.length_ns <= 0 || out->qbv.open_ns < 0 ||
	    out->qbv.open_ns + out->qbv.length_ns > out->qbv.cycle_ns)
		out->qbv.cycle_ns = 0; /* none, or not one to trust */
	json_t *vlan = json_object_get(doc, "vlan");
	json_int_t id = json_integer_value(json_object_get(vlan, "id"));
	out->vlan = id > 0 && id < 4095 ? (unsigned)id : 0;
	if (out->vlan) {
		endpoint_from(json_object_get(vlan, "untagged_remote"), &out->untagged_remote);
		endpoint_from(json_object_get(vlan, "untagged_local"), &out->untagged_local);
	} else {
		out->untagged_remote = out->remote;
		out->untagged_local = out->local;
	}
	json_decref(doc);
	return 0;
}

int vnl_labinfo_remove(const char *dir, const char *lab)
{
	char path[512];
	info_path(dir, lab, "", path, sizeof(path));
	return unlink(path) ? -errno : 0;
}

int vnl_labinfo_set_remote(struct vnl_lab_info *info, const char *netns, const char *addr)
{
	struct vnl_lab_endpoint *ep = &info->remote;
	uint8_t bin[16];
	bool v6 = inet_pton(AF_INET6, addr, bin) == 1;
	if (!v6 && inet_pton(AF_INET, addr, bin) != 1)
		return -1;
	memset(ep, 0, sizeof(*ep));
	snprintf(ep->netns, sizeof(ep->netns), "%.31s", netns);
	snprintf(v6 ? ep->addr6 : ep->addr4, v6 ? sizeof(ep->addr6) : sizeof(ep->addr4), "%.47s",
		 addr);
	/* Background load goes to the untagged end: the given one, unless a VLAN lab has its
	 * own untagged remote (on a lent uplink it has none: the given end is all we know). */
	if (!info->vlan || !info->untagged_remote.netns[0])
		info->untagged_remote = *ep;
	return 0;
}
