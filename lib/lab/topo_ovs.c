/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ovs lab: Open vSwitch bridge br0 in LAB-h with ports uplink0 and tap0,
 * the guest on tap0. vnetlat runs its own ovsdb-server and ovs-vswitchd
 * inside LAB-h, with a database, run directory, sockets and logs of the lab
 * (RUN_DIR/ovs), so no system OVS is needed or disturbed. Kernel datapath
 * when the openvswitch module is there, else the userspace one (netdev).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "runcmd.h"
#include "topo.h"
#include "topo_guest.h"

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

struct ovs_paths {
	char dir[200], db[256], sock[256], db_unix[270];
	char env[3][280];
};

static void ovs_paths(const struct vnl_vm *vm, struct ovs_paths *p)
{
	vnl_vm_path(vm, "ovs", p->dir, sizeof(p->dir));
	vnl_pathf(p->db, sizeof(p->db), "%s/conf.db", p->dir);
	vnl_pathf(p->sock, sizeof(p->sock), "%s/db.sock", p->dir);
	vnl_pathf(p->db_unix, sizeof(p->db_unix), "--db=unix:%s", p->sock);
	/* Whatever the daemons put elsewhere by default goes to the lab's directory. */
	vnl_pathf(p->env[0], sizeof(p->env[0]), "OVS_RUNDIR=%s", p->dir);
	vnl_pathf(p->env[1], sizeof(p->env[1]), "OVS_DBDIR=%s", p->dir);
	vnl_pathf(p->env[2], sizeof(p->env[2]), "OVS_LOGDIR=%s", p->dir);
}

/* Record DIR/file (a file OVS makes) and put its path in buf. */
static int ovs_file(struct vnl_lab_builder *b, const struct ovs_paths *p, const char *file,
		    char *buf, size_t len)
{
	vnl_pathf(buf, len, "%s/%s", p->dir, file);
	return b->dry_run ? 0 : vnl_lab_record_path(b, buf);
}

static int ovs_dir(struct vnl_lab_builder *b, const struct ovs_paths *p)
{
	/* Recorded before the files in it, so removed after them. */
	if (b->dry_run) {
		printf("mkdir -p %s\n", p->dir);
		return 0;
	}
	if (vnl_lab_record_path(b, p->dir) < 0)
		return -1;
	if (mkdir(p->dir, 0755) < 0) {
		vnl_errno("cannot create %s", p->dir);
		return -1;
	}
	/* Files the daemons make beside their own: the db lock, the bridge's sockets. */
	static const char *const extra[] = { ".conf.db.~lock~", "br0.mgmt", "br0.snoop", NULL };
	char path[300];
	for (size_t i = 0; extra[i]; i++)
		if (ovs_file(b, p, extra[i], path, sizeof(path)) < 0)
			return -1;
	return 0;
}

static int start_ovsdb(struct vnl_lab_builder *b, const struct vnl_vm *vm, const struct ovs_paths *p)
{
	char pid[300], ctl[300], log[300], out[300], remote[300], o_pid[320], o_ctl[320], o_log[320];
	if (ovs_file(b, p, "conf.db", out, sizeof(out)) < 0)
		return -1;
	const char *const create[] = { "ovsdb-tool", "create", p->db, OVS_SCHEMA, NULL };
	if (vnl_vm_run(b, vm->host_ns, create) < 0)
		return -1;
	if (ovs_file(b, p, "db.sock", out, sizeof(out)) < 0 ||
	    ovs_file(b, p, "ovsdb-server.pid", pid, sizeof(pid)) < 0 ||
	    ovs_file(b, p, "ovsdb-server.ctl", ctl, sizeof(ctl)) < 0 ||
	    ovs_file(b, p, "ovsdb-server.log", log, sizeof(log)) < 0 ||
	    ovs_file(b, p, "ovsdb-server.out", out, sizeof(out)) < 0)
		return -1;
	vnl_pathf(remote, sizeof(remote), "--remote=punix:%s", p->sock);
	vnl_pathf(o_pid, sizeof(o_pid), "--pidfile=%s", pid);
	vnl_pathf(o_ctl, sizeof(o_ctl), "--unixctl=%s", ctl);
	vnl_pathf(o_log, sizeof(o_log), "--log-file=%s", log);
	const char *const argv[] = { "ovsdb-server", p->db, remote, o_pid, o_ctl, o_log, NULL };
	const char *const env[] = { p->env[0], p->env[1], p->env[2], NULL };
	if (vnl_vm_spawn(b, vm->host_ns, argv, out, env) < 0)
		return -1;
	/* --retry: wait for the server's socket */
	const char *const init[] = { "ovs-vsctl", p->db_unix, "--timeout=20", "--retry", "--no-wait",
				     "init", NULL };
	return vnl_vm_run(b, vm->host_ns, init);
}

static int start_vswitchd(struct vnl_lab_builder *b, const struct vnl_vm *vm,
			  const struct ovs_paths *p)
{
	char pid[300], ctl[300], log[300], out[300], db[300], o_pid[320], o_ctl[320], o_log[320];
	if (ovs_file(b, p, "ovs-vswitchd.pid", pid, sizeof(pid)) < 0 ||
	    ovs_file(b, p, "ovs-vswitchd.ctl", ctl, sizeof(ctl)) < 0 ||
	    ovs_file(b, p, "ovs-vswitchd.log", log, sizeof(log)) < 0 ||
	    ovs_file(b, p, "ovs-vswitchd.out", out, sizeof(out)) < 0)
		return -1;
	vnl_pathf(db, sizeof(db), "unix:%s", p->sock);
	vnl_pathf(o_pid, sizeof(o_pid), "--pidfile=%s", pid);
	vnl_pathf(o_ctl, sizeof(o_ctl), "--unixctl=%s", ctl);
	vnl_pathf(o_log, sizeof(o_log), "--log-file=%s", log);
	const char *const argv[] = { "ovs-vswitchd", db, o_pid, o_ctl, o_log, NULL };
	const char *const env[] = { p->env[0], p->env[1], p->env[2], NULL };
	return vnl_vm_spawn(b, vm->host_ns, argv, out, env);
}

/* The kernel datapath needs the openvswitch module; without it, the userspace one. */
static const char *datapath_type(void)
{
	return access("/sys/module/openvswitch", F_OK) == 0 ? "system" : "netdev";
}

static int make_bridge(struct vnl_lab_builder *b, const struct vnl_vm *vm, const struct ovs_paths *p)
{
	char dp[64];
	const char *type = datapath_type();
	snprintf(dp, sizeof(dp), "datapath_type=%s", type);
	if (!b->dry_run)
		vnl_notice("ovs: %s datapath%s", type,
			   strcmp(type, "netdev") ? "" : " (userspace: no openvswitch kernel module)");
	const char *const argv[] = {
		/* without --no-wait: returns once ovs-vswitchd has set the bridge up */
		"ovs-vsctl", p->db_unix, "--timeout=30", "add-br", VNL_VM_BRIDGE, "--", "set", "bridge",
		VNL_VM_BRIDGE, dp, "--", "add-port", VNL_VM_BRIDGE, VNL_VM_UPLINK, "--", "add-port",
		VNL_VM_BRIDGE, VNL_VM_TAP, NULL,
	};
	const char *const afxdp[] = {
		"ovs-vsctl", p->db_unix, "--timeout=30", "add-br", VNL_VM_BRIDGE, "--", "set", "bridge",
		VNL_VM_BRIDGE, dp, "--", "add-port", VNL_VM_BRIDGE, VNL_VM_UPLINK, "--", "set",
		"interface", VNL_VM_UPLINK, "type=afxdp", "--", "add-port", VNL_VM_BRIDGE, VNL_VM_TAP,
		NULL,
	};
	return vnl_vm_run(b, vm->host_ns, b->opts->ovs_afxdp ? afxdp : argv);
}

/*
 * The userspace datapath moves frames with packet sockets, without the
 * kernel's checksum-offload metadata: a veth's frame whose checksum was left
 * to "hardware" would reach the guest with a wrong one and be dropped (DHCP
 * offers first of all). So the remote end computes its checksums itself.
 */
static int no_tx_offload(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	/* With --uplink the remote end is the user's (a NIC sends complete checksums). */
	if (strcmp(datapath_type(), "netdev") || b->opts->uplink)
		return 0;
	const char *const argv[] = { "ethtool", "-K", VNL_VM_WIRE, "tx", "off", NULL };
	return vnl_vm_run(b, vm->remote_ns, argv);
}

int vnl_topo_ovs_build(struct vnl_lab_builder *b)
{
	struct vnl_vm vm;
	struct ovs_paths p;
	vnl_vm_names(&vm, b->lab);
	ovs_paths(&vm, &p);
	/*
	 * The userspace datapath reads tap0 with a packet socket and forwards the
	 * guest's frame as it is: a UDP checksum the guest left to its virtio-net
	 * device (CHECKSUM_PARTIAL) reaches the remote end unfinished and is
	 * dropped there (UdpInCsumErrors). A virtio-net without checksum offload
	 * (csum=off) makes the guest complete every checksum itself.
	 */
	const struct vnl_vm_nic nic = { .backend_if = VNL_VM_TAP, .tap = VNL_VM_TAP, .tap_fd = -1,
					.no_csum_offload = !strcmp(datapath_type(), "netdev") };
	return vnl_vm_base(b, &vm) < 0 || no_tx_offload(b, &vm) < 0 ||
			       vnl_vm_tap(b, &vm, VNL_VM_TAP) < 0 || ovs_dir(b, &p) < 0 ||
			       start_ovsdb(b, &vm, &p) < 0 || start_vswitchd(b, &vm, &p) < 0 ||
			       make_bridge(b, &vm, &p) < 0 || vnl_vm_guest(b, &vm, &nic) < 0
		       ? -1
		       : 0;
}

int vnl_topo_ovs_check(const struct vnl_lab_opts *opts)
{
	static const char *const ovs[] = { "ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl",
					   "ovs-appctl", NULL };
	static const char *const ethtool[] = { "ethtool", NULL };
	if (vnl_topo_vm_check(opts) < 0 || vnl_topo_need_programs(ovs, "openvswitch-switch") < 0 ||
	    vnl_topo_need_programs(ethtool, "ethtool") < 0)
		return -1;
	if (access(OVS_SCHEMA, R_OK) < 0) {
		vnl_err("the Open vSwitch schema %s is missing; install it with 'apt-get install "
			"openvswitch-switch' (nothing was changed)", OVS_SCHEMA);
		return -1;
	}
	if (opts->ovs_afxdp && !strcmp(datapath_type(), "system")) {
		vnl_err("--ovs-afxdp needs the userspace datapath, but the openvswitch kernel module "
			"is loaded; unload it ('modprobe -r openvswitch') or leave out --ovs-afxdp");
		return -1;
	}
	return 0;
}
