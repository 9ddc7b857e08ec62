/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ovs lab: Open vSwitch bridge br0 in LAB-h with ports uplink0 and tap0,
 * the guest on tap0; with --vhost-user (and --ovs-afxdp) the guest on a
 * vhost-user port vhu0 instead, switched by Debian's DPDK build of
 * ovs-vswitchd (the study's back-end 5). vnetlat runs its own ovsdb-server and ovs-vswitchd
 * inside LAB-h, with a database, run directory, sockets and logs of the lab
 * (RUN_DIR/ovs), so no system OVS is needed or disturbed. Kernel datapath
 * when the openvswitch module is there, else the userspace one (netdev).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpulist.h"
#include "hugepages.h"
#include "lab.h"
#include "log.h"
#include "runcmd.h"
#include "topo.h"
#include "topo_guest.h"

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"
#define OVS_DPDK_VSWITCHD VNL_OVS_DPDK_VSWITCHD
#define VHU_PORT "vhu0"
/*
 * DPDK's own memory (its packet buffers): anonymous, not hugepages, so the
 * lab needs none reserved; --legacy-mem is what EAL takes with --no-huge.
 * No PCI device is probed (the lab has none to give DPDK), no shared config
 * and no telemetry socket are written; EAL still makes its runtime directory
 * DPDK_RUN/vnl-LAB (the file prefix), which the lab records and removes.
 */
#define DPDK_EXTRA "--no-huge --legacy-mem -m 512 --no-pci --no-shconf --no-telemetry"
#define DPDK_RUN "/var/run/dpdk"

/* The guest's vhost-user port: its socket and how the guest's memory is shared. */
struct vhost_user {
	char sock[256];
	char mem_path[256]; /* hugetlbfs mount, "" for a memfd */
	char mem_said[128];
	char pmd_cpus[64];  /* read back from ovs-appctl */
};

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
	const char *bin = b->opts->vhost_user ? OVS_DPDK_VSWITCHD : "ovs-vswitchd";
	const char *const argv[] = { bin, db, o_pid, o_ctl, o_log, NULL };
	const char *const env[] = { p->env[0], p->env[1], p->env[2], NULL };
	return vnl_vm_spawn(b, vm->host_ns, argv, out, env);
}

/* A CPU list as OVS's hex CPU mask ("1,3" -> "0xa"); -1 for a CPU past 63. */
static int cpu_mask(const char *list, char *buf, size_t len)
{
	unsigned long long m = 0;
	for (int i = 0, c; (c = vnl_cpulist_nth(list, i)) >= 0; i++) {
		if (c > 63)
			return -1;
		m |= 1ULL << c;
	}
	snprintf(buf, len, "0x%llx", m);
	return 0;
}

/* Before vswitchd starts: DPDK on, its EAL arguments, the PMD threads' CPUs. */
static int dpdk_config(struct vnl_lab_builder *b, const struct vnl_vm *vm, const struct ovs_paths *p)
{
	char pmd[96] = "other_config:pmd-cpu-mask=", mask[24];
	if (b->opts->pmd_cpus) {
		if (cpu_mask(b->opts->pmd_cpus, mask, sizeof(mask)) < 0) {
			vnl_err("--pmd-cpus %s: OVS takes CPUs 0 to 63 only", b->opts->pmd_cpus);
			return -1;
		}
		strcat(pmd, mask);
	}
	char extra[160], run_dir[80];
	vnl_pathf(extra, sizeof(extra), "other_config:dpdk-extra=" DPDK_EXTRA " --file-prefix=vnl-%s",
		  vm->lab);
	vnl_pathf(run_dir, sizeof(run_dir), DPDK_RUN "/vnl-%s", vm->lab);
	/* Recorded before EAL makes them, so removed after what it puts inside. */
	if (!b->dry_run && ((access(DPDK_RUN, F_OK) < 0 && vnl_lab_record_path(b, DPDK_RUN) < 0) ||
			    vnl_lab_record_path(b, run_dir) < 0))
		return -1;
	const char *const argv[] = { "ovs-vsctl", p->db_unix, "--no-wait", "set", "Open_vSwitch", ".",
				     "other_config:dpdk-init=true", extra,
				     b->opts->pmd_cpus ? pmd : NULL, NULL };
	return vnl_vm_run(b, vm->host_ns, argv);
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
 * The DPDK switch: uplink0 an AF_XDP port, vhu0 a dpdkvhostuserclient port
 * that connects to the socket qemu serves (and reconnects when it appears).
 */
static int make_vhost_user_bridge(struct vnl_lab_builder *b, const struct vnl_vm *vm,
				  const struct ovs_paths *p, const struct vhost_user *vu)
{
	char server[300];
	vnl_pathf(server, sizeof(server), "options:vhost-server-path=%s", vu->sock);
	const char *const argv[] = {
		"ovs-vsctl", p->db_unix, "--timeout=60", "add-br", VNL_VM_BRIDGE, "--", "set", "bridge",
		VNL_VM_BRIDGE, "datapath_type=netdev", "--", "add-port", VNL_VM_BRIDGE, VNL_VM_UPLINK,
		"--", "set", "interface", VNL_VM_UPLINK, "type=afxdp", "--", "add-port", VNL_VM_BRIDGE,
		VHU_PORT, "--", "set", "interface", VHU_PORT, "type=dpdkvhostuserclient", server, NULL,
	};
	if (!b->dry_run)
		vnl_notice("ovs: userspace datapath with DPDK (%s), uplink0 an AF_XDP port, the guest "
			   "on vhost-user port " VHU_PORT, OVS_DPDK_VSWITCHD);
	return vnl_vm_run(b, vm->host_ns, argv);
}

/* Where the guest's memory lives: hugepages when the host has them free, else a memfd. */
static void vhost_user_paths(struct vnl_lab_builder *b, const struct vnl_vm *vm, struct vhost_user *vu)
{
	unsigned mb = b->opts->guest_mem_mb ? b->opts->guest_mem_mb : 256;
	char why[128];
	vnl_vm_path(vm, VHU_PORT ".sock", vu->sock, sizeof(vu->sock));
	if (vnl_hugepages_for(mb, vu->mem_path, sizeof(vu->mem_path), why, sizeof(why))) {
		snprintf(vu->mem_said, sizeof(vu->mem_said), "%s", why);
	} else {
		vu->mem_path[0] = '\0';
		vnl_pathf(vu->mem_said, sizeof(vu->mem_said), "memfd (%s)", why);
	}
	if (!b->dry_run)
		vnl_notice("ovs: the guest's memory shared by %s", vu->mem_said);
}

/* The PMD threads' CPUs as OVS reports them ("pmd thread numa_id 0 core_id 1:"). */
static void read_pmd_cpus(const struct ovs_paths *p, char *buf, size_t len)
{
	char ctl[300], out[4096];
	vnl_pathf(ctl, sizeof(ctl), "%s/ovs-vswitchd.ctl", p->dir);
	const char *const argv[] = { "ovs-appctl", "-t", ctl, "dpif-netdev/pmd-rxq-show", NULL };
	buf[0] = '\0';
	if (vnl_runcmd(argv, NULL, out, sizeof(out)) != 0)
		return;
	size_t n = 0;
	for (const char *at = out; (at = strstr(at, "core_id ")) != NULL; at += 8) {
		int core = atoi(at + 8);
		int w = snprintf(buf + n, len - n, "%s%d", n ? "," : "", core);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
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

/*
 * Back-end 5: no tap, the guest's virtio-net served by the switch's vhost-user
 * port. The guest completes its own checksums (csum=off), as on the tap of
 * the userspace datapath: nothing on the way fills in a partial one.
 */
static int build_vhost_user(struct vnl_lab_builder *b, struct vnl_vm *vm, const struct ovs_paths *p)
{
	struct vhost_user vu;
	vhost_user_paths(b, vm, &vu);
	if (vnl_vm_base(b, vm) < 0 || no_tx_offload(b, vm) < 0 || ovs_dir(b, p) < 0 ||
	    (!b->dry_run && vnl_lab_record_path(b, vu.sock) < 0) || start_ovsdb(b, vm, p) < 0 ||
	    dpdk_config(b, vm, p) < 0 || start_vswitchd(b, vm, p) < 0 ||
	    make_vhost_user_bridge(b, vm, p, &vu) < 0)
		return -1;
	if (!b->dry_run)
		read_pmd_cpus(p, vu.pmd_cpus, sizeof(vu.pmd_cpus));
	const struct vnl_vm_nic nic = { .backend_if = "", .tap_fd = -1, .no_csum_offload = true,
					.vhost_user_sock = vu.sock,
					.mem_path = vu.mem_path[0] ? vu.mem_path : NULL,
					.mem_said = vu.mem_said, .pmd_cpus = vu.pmd_cpus };
	return vnl_vm_guest(b, vm, &nic);
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
	if (b->opts->vhost_user)
		return build_vhost_user(b, &vm, &p);
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
	if (opts->vhost_user && access(OVS_DPDK_VSWITCHD, X_OK) < 0) {
		vnl_err("--vhost-user needs Open vSwitch built with DPDK (%s is missing); install it "
			"with 'apt-get install openvswitch-switch-dpdk' (nothing was created)",
			OVS_DPDK_VSWITCHD);
		return -1;
	}
	if (opts->ovs_afxdp && !strcmp(datapath_type(), "system")) {
		vnl_err("--ovs-afxdp needs the userspace datapath, but the openvswitch kernel module "
			"is loaded; unload it ('modprobe -r openvswitch') or leave out --ovs-afxdp");
		return -1;
	}
	return 0;
}
