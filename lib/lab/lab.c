/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "irqpin.h"
#include "labbuild.h"
#include "labinfo.h"
#include "labstate.h"
#include "linkready.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "paths.h"
#include "cpulist.h"
#include "safefile.h"
#include "topo.h"
#include "uplink.h"

/* ---- names ---- */

bool vnl_lab_name_ok(const char *name, const char **why)
{
	static const char rule[] = "a lab name is 1 to 10 characters of a-z, 0-9 and '-', "
				   "starting with a letter or digit";
	size_t len = strlen(name);
	bool ok = len >= 1 && len <= VNL_LAB_NAME_MAX && name[0] != '-';
	for (size_t i = 0; ok && i < len; i++)
		ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		     name[i] == '-';
	if (!ok && why)
		*why = rule;
	return ok;
}

/* ---- topologies ---- */

struct lab_node {
	const char *id;   /* short name for exec; the namespace is LAB-id */
	const char *role; /* what the node stands for in the study */
};

struct topology {
	const char *name;
	const char *summary;
	const struct lab_node *nodes;
	size_t n_nodes;
	int (*build)(struct vnl_lab_builder *b);
	/* What must hold before anything is made (NULL: nothing); prints why not. */
	int (*check)(const struct vnl_lab_opts *opts);
};

static void node_netns(const char *lab, const struct lab_node *node, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s", lab, node->id);
}

static const struct lab_node veth_nodes[] = {
	{ "a", "remote" },
	{ "b", "local" },
};


/* The VM labs (topo_*.c): the peer board and the VM host; the guest is not a namespace. */
static const struct lab_node vm_nodes[] = {
	{ "r", "remote" },
	{ "h", "host" },
};

/* Passthrough: the guest's NIC is the device, its wire the device's own. */
static const struct lab_node passthrough_nodes[] = {
	{ "h", "host" },
};

static const struct topology topologies[] = {
	{ "veth", "two namespaces, LAB-a (remote) and LAB-b (local), joined by a veth pair",
	  veth_nodes, sizeof(veth_nodes) / sizeof(veth_nodes[0]), vnl_topo_veth_build, NULL },
	{ "bridge", "a guest on a tap in a Linux bridge with the uplink (LAB-r remote, LAB-h host)",
	  vm_nodes, 2, vnl_topo_bridge_build, vnl_topo_vm_check },
	{ "macvtap", "a guest on a macvtap (bridge mode) on the uplink",
	  vm_nodes, 2, vnl_topo_macvtap_build, vnl_topo_vm_check },
	{ "ovs", "a guest on a tap port of an Open vSwitch bridge (private ovsdb/vswitchd)",
	  vm_nodes, 2, vnl_topo_ovs_build, vnl_topo_ovs_check },
	{ "passthrough", "a PCI device / SR-IOV VF handed to the guest with vfio-pci (--pci BDF)",
	  passthrough_nodes, 1, vnl_topo_passthrough_build,
	  vnl_topo_passthrough_check },
	{ "xdp", "the bridge lab with an XDP fast path (xdp_uplink, xdp_guest) in front of br0",
	  vm_nodes, 2, vnl_topo_xdp_build, vnl_topo_xdp_check },
};

static const struct topology *find_topology(const char *name)
{
	for (size_t i = 0; i < sizeof(topologies) / sizeof(topologies[0]); i++)
		if (!strcmp(topologies[i].name, name))
			return &topologies[i];
	return NULL;
}

bool vnl_lab_topology_known(const char *topology)
{
	return find_topology(topology) != NULL;
}

const char *vnl_lab_topology_name(size_t i)
{
	return i < sizeof(topologies) / sizeof(topologies[0]) ? topologies[i].name : NULL;
}

void vnl_lab_topologies_help(FILE *out)
{
	for (size_t i = 0; i < sizeof(topologies) / sizeof(topologies[0]); i++)
		fprintf(out, "  %-11s %s\n", topologies[i].name, topologies[i].summary);
}

/* ---- removal: one remover per object type ---- */

static uint64_t process_start_time(pid_t pid)
{
	return vnl_process_start_time(pid);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Processes still inside a lab namespace keep it (and its links) alive: stop them. */
static void stop_netns_processes(const char *ns)
{
	pid_t pids[256];
	int n = vnl_netns_pids(ns, pids, 256);
	if (n <= 0)
		return;
	vnl_notice("stopping %d process%s still running in %s (first: pid %d)", n,
		   n > 1 ? "es" : "", ns, (int)pids[0]);
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (int waited = 0; waited < 2000 && n > 0; waited += 50) {
		sleep_ms(50);
		n = vnl_netns_pids(ns, pids, 256);
	}
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int waited = 0; waited < 1000 && n > 0; waited += 20) {
		sleep_ms(20);
		n = vnl_netns_pids(ns, pids, 256);
	}
}

static int remove_netns(const struct vnl_obj *obj)
{
	dev_t dev;
	ino_t ino;
	/* Replaced since (ours is gone, someone made a namesake): not ours to touch. */
	if (obj->made && vnl_netns_ident(obj->name, &dev, &ino) == 0 && (uint64_t)ino != obj->ident) {
		vnl_notice("%s is not the namespace this lab made (that one is gone); left alone",
			   obj->name);
		return 0;
	}
	stop_netns_processes(obj->name);
	return vnl_netns_remove(obj->name);
}

static int remove_link(const struct vnl_obj *obj)
{
	/* A namespace that is gone took its links with it. */
	if (obj->netns[0] && !vnl_netns_exists(obj->netns))
		return 0;
	struct vnl_nl *nl = obj->netns[0] ? vnl_lab_nl_in(obj->netns) : vnl_nl_open(-1);
	int ret = nl ? vnl_nl_link_del(nl, obj->name) : -1;
	int saved = errno;
	vnl_nl_close(nl);
	errno = saved;
	return ret;
}

static int remove_process(const struct vnl_obj *obj)
{
	pid_t pid = (pid_t)obj->pid;
	/* Only the process we started: same pid and same start time, never a pid reused since. */
	if (process_start_time(pid) != obj->start_time)
		return 0;
	kill(pid, SIGTERM);
	for (int waited = 0; waited < 3000; waited += 50) {
		if (process_start_time(pid) != obj->start_time)
			return 0;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	return 0;
}

static int remove_path(const struct vnl_obj *obj)
{
	/* A directory the lab made (a run directory) goes when its files have gone. */
	if (unlink(obj->path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -1;
	if (rmdir(obj->path) == 0 || errno == ENOENT)
		return 0;
	/*
	 * A guest's run directory holding files nobody recorded: a `lab up`
	 * killed between starting qemu and recording its files. They are the
	 * lab's (console, logs), so they go with it; nothing outside vnetlat's
	 * run directory is ever removed this way, and no link is followed.
	 */
	size_t n = strlen(VNL_GUEST_RUN_DIR "/");
	if (errno != ENOTEMPTY || strncmp(obj->path, VNL_GUEST_RUN_DIR "/", n) ||
	    strstr(obj->path, "/..") || !obj->path[n])
		return -1; /* rmdir's errno, for the message */
	vnl_remove_tree(obj->path);
	if (access(obj->path, F_OK) == 0) {
		errno = ENOTEMPTY;
		return -1;
	}
	return 0;
}

static void print_remove_netns(const struct vnl_obj *obj)
{
	printf("ip netns del %s\n", obj->name);
}

static void print_remove_link(const struct vnl_obj *obj)
{
	if (obj->netns[0])
		printf("ip -n %s link del %s\n", obj->netns, obj->name);
	else
		printf("ip link del %s\n", obj->name);
}

static void print_remove_process(const struct vnl_obj *obj)
{
	printf("kill %lld  # %s\n", (long long)obj->pid, obj->name);
}

static void print_remove_path(const struct vnl_obj *obj)
{
	printf("rm -f %s\n", obj->path);
}

/* An XDP bridge is a directory of pins, links among them: detached and removed by lab name. */
static int remove_bpf_pin(const struct vnl_obj *obj)
{
	return vnl_topo_xdp_is_bridge_pin(obj) ? vnl_topo_xdp_remove_pin(obj) : remove_path(obj);
}

static const struct remover {
	int (*remove)(const struct vnl_obj *obj);
	void (*print)(const struct vnl_obj *obj);
} removers[VNL_OBJ__COUNT] = {
	[VNL_OBJ_NETNS] = { remove_netns, print_remove_netns },
	[VNL_OBJ_LINK] = { remove_link, print_remove_link },
	[VNL_OBJ_PROCESS] = { remove_process, print_remove_process },
	[VNL_OBJ_BPF_PIN] = { remove_bpf_pin, print_remove_path },
	[VNL_OBJ_FILE] = { remove_path, print_remove_path },
	[VNL_OBJ_PCI_DRIVER] = { vnl_pci_restore, vnl_pci_print_restore },
	/* recorded after LAB-h is made: given back before it is deleted */
	[VNL_OBJ_UPLINK] = { vnl_uplink_restore, vnl_uplink_print_restore },
	[VNL_OBJ_IRQ_AFFINITY] = { vnl_irqpin_restore, vnl_irqpin_print_restore },
};

/* Remove every object of the state, newest first. Returns how many could not be removed. */
static unsigned remove_all(const struct vnl_labstate *st)
{
	size_t n = vnl_labstate_removal_plan(st, NULL, 0);
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	if (!order) {
		vnl_errno("cannot plan the removal");
		return 1;
	}
	vnl_labstate_removal_plan(st, order, n);
	unsigned failed = 0;
	for (size_t i = 0; i < n; i++) {
		const struct vnl_obj *obj = vnl_labstate_obj(st, order[i]);
		if (removers[obj->type].remove(obj) < 0) {
			char what[400];
			vnl_obj_describe(obj, what, sizeof(what));
			vnl_errno("cannot remove %s", what);
			failed++;
		}
	}
	free(order);
	return failed;
}

/* ---- up ---- */

static void print_up_summary(const struct topology *topo, const char *lab,
			     const struct vnl_lab_opts *opts)
{
	printf("lab %s is up (%s):", lab, topo->name);
	bool first = true;
	for (size_t i = 0; i < topo->n_nodes; i++) {
		char ns[32];
		/* on a lent uplink the remote end is the user's network */
		if (opts->uplink && !strcmp(topo->nodes[i].role, "remote"))
			continue;
		node_netns(lab, &topo->nodes[i], ns, sizeof(ns));
		printf("%s %s (%s)", first ? "" : ",", ns, topo->nodes[i].role);
		first = false;
	}
	if (opts->uplink)
		printf(", uplink %s lent as uplink0", opts->uplink);
	printf("\n");
}

/*
 * What the options say, checked with and without --dry-run (a recipe must
 * not move eth0 either); what the host lacks (programs, an IOMMU) is checked
 * by the topology, only when it is to be built.
 */
/* A CPU list of LIST's option NAME: every CPU one this process may run on. */
static int cpus_allowed(const char *name, const char *list)
{
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return 0; /* the pinning itself will say */
	for (int i = 0, c; (c = vnl_cpulist_nth(list, i)) >= 0; i++)
		if (c >= CPU_SETSIZE || !CPU_ISSET(c, &cpus)) {
			vnl_err("%s %s: this process may run on %d CPUs only, and CPU %d is not one of "
				"them ('nproc', 'taskset -p $$' show them); nothing was created", name,
				list, CPU_COUNT(&cpus), c);
			return -1;
		}
	return 0;
}

/* --pin-vcpu: one CPU, or one per vCPU; --emulator-cpus only with the latter's split. */
static int pin_check(const struct vnl_lab_opts *o)
{
	unsigned vcpus = o->guest_cpus ? o->guest_cpus : 1;
	if (!o->pin_vcpu) {
		vnl_err("--emulator-cpus %s goes with --pin-vcpu (the vCPU threads' CPUs); nothing "
			"was created", o->emulator_cpus);
		return -1;
	}
	int n = vnl_cpulist_count(o->pin_vcpu);
	if (n != 1 && (unsigned)n != vcpus) {
		vnl_err("--pin-vcpu %s lists %d CPUs for a guest of %u vCPU%s (--guest-cpus): give one "
			"CPU for all of qemu's threads, or exactly one per vCPU; nothing was created",
			o->pin_vcpu, n, vcpus, vcpus > 1 ? "s" : "");
		return -1;
	}
	return cpus_allowed("--pin-vcpu", o->pin_vcpu) < 0 ||
	       (o->emulator_cpus && cpus_allowed("--emulator-cpus", o->emulator_cpus) < 0) ? -1 : 0;
}

/* --vhost-fifo needs vhost-net workers to raise: refused before anything is made. */
static int vhost_fifo_check(const struct vnl_lab_opts *o)
{
	if (o->vhost == VNL_VHOST_OFF) {
		vnl_err("--vhost-fifo %d: with --vhost off the guest has no vhost-net worker to raise; "
			"nothing was created", o->vhost_fifo);
		return -1;
	}
	if (access("/dev/vhost-net", R_OK | W_OK) < 0) {
		vnl_err("--vhost-fifo %d: this host has no vhost-net (/dev/vhost-net: %s), so the guest "
			"gets no vhost worker to raise; 'modprobe vhost_net' where the kernel has it, or "
			"leave --vhost-fifo out (the packets then move in qemu's own threads: "
			"--pin-vcpu places them); nothing was created", o->vhost_fifo, strerror(errno));
		return -1;
	}
	return 0;
}

static int opts_check(const struct vnl_lab_opts *o)
{
	if (o->uplink && vnl_uplink_check(o->uplink) < 0)
		return -1;
	if (o->pci && !vnl_topo_pci_bdf_ok(o->pci)) {
		vnl_err("--pci %s is not a PCI address DDDD:BB:DD.F (e.g. 0000:03:10.0; 'lspci -D' "
			"lists them); nothing was created", o->pci);
		return -1;
	}
	if ((o->pin_vcpu || o->emulator_cpus) && pin_check(o) < 0)
		return -1;
	if (o->vhost_fifo && vhost_fifo_check(o) < 0)
		return -1;
	if (o->vhost_user && !o->ovs_afxdp) {
		vnl_err("--vhost-user is the guest's port of an ovs lab with --ovs-afxdp (OVS's "
			"userspace datapath with DPDK); add --ovs-afxdp; nothing was created");
		return -1;
	}
	if (o->pmd_cpus && !o->vhost_user) {
		vnl_err("--pmd-cpus %s places the PMD threads of --vhost-user's DPDK switch; add "
			"--vhost-user, or leave --pmd-cpus out; nothing was created", o->pmd_cpus);
		return -1;
	}
	if (o->pmd_cpus && cpus_allowed("--pmd-cpus", o->pmd_cpus) < 0)
		return -1;
	if (o->irq_cpus && (cpus_allowed("--irq-cpus", o->irq_cpus) < 0 ||
			    vnl_irqpin_check(o->uplink, o->irq_cpus) < 0))
		return -1;
	return 0;
}

int vnl_lab_up(const char *topology, const char *name, const struct vnl_lab_opts *opts,
	       bool dry_run)
{
	struct vnl_lab_opts defaults;
	vnl_lab_opts_init(&defaults);
	const struct topology *topo = find_topology(topology);
	if (!topo) {
		vnl_err("unknown topology '%s'; 'vnetlat lab --help' lists them", topology);
		return VNL_EXIT_USAGE;
	}
	struct vnl_lab_builder b = { .lab = name, .dry_run = dry_run, .opts = opts ? opts : &defaults };
	if (opts_check(b.opts) < 0)
		return VNL_EXIT_FAIL; /* nothing was made */
	if ((b.opts->ovs_afxdp || b.opts->vhost_user) && strcmp(topo->name, "ovs")) {
		vnl_err("--%s is an option of the ovs topology, not %s; nothing was created",
			b.opts->vhost_user ? "vhost-user" : "ovs-afxdp", topo->name);
		return VNL_EXIT_FAIL;
	}
	if (!dry_run && topo->check && topo->check(b.opts) < 0)
		return VNL_EXIT_FAIL; /* nothing was made */
	if (dry_run) {
		printf("# vnetlat lab up %s --name %s, by hand:\n", topo->name, name);
		return topo->build(&b) < 0 ? VNL_EXIT_FAIL : VNL_EXIT_OK;
	}
	b.st = vnl_labstate_create(VNL_LABSTATE_DIR, name, topo->name);
	if (!b.st) {
		if (errno == EEXIST)
			vnl_err("lab %s exists already (%s/%s.state); nothing was changed. Remove it "
				"with 'vnetlat lab down --name %s' or choose another --name",
				name, VNL_LABSTATE_DIR, name, name);
		else
			vnl_errno("cannot create the state file of lab %s in %s", name, VNL_LABSTATE_DIR);
		return VNL_EXIT_FAIL;
	}
	/*
	 * Ctrl-C or a TERM during the few milliseconds of building waits for a
	 * step boundary and then undoes the lab, rather than leaving half of one.
	 * (SIGKILL cannot wait: that is what the state file is for.)
	 */
	sigset_t stop, old, pending;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	bool built = topo->build(&b) == 0;
	sigpending(&pending);
	bool interrupted = sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
			   sigismember(&pending, SIGHUP);
	if (built && interrupted)
		vnl_err("interrupted: lab %s is removed again", name);
	if (!built || interrupted) {
		unsigned left = remove_all(b.st);
		if (left == 0 && vnl_labstate_delete(b.st) == 0) {
			if (!built)
				vnl_err("lab %s was not built; what had been made is removed again", name);
		} else {
			vnl_err("lab %s was not built and could not be removed completely; "
				"run 'vnetlat lab down --name %s'", name, name);
		}
	}
	vnl_labstate_close(b.st);
	sigprocmask(SIG_SETMASK, &old, NULL); /* a pending signal acts now, as usual */
	if (!built || interrupted)
		return VNL_EXIT_FAIL;
	print_up_summary(topo, name, b.opts);
	return VNL_EXIT_OK;
}

/* ---- down ---- */

static struct vnl_labstate *open_existing(const char *name, bool lock)
{
	struct vnl_labstate *st = vnl_labstate_open(VNL_LABSTATE_DIR, name, lock);
	if (st)
		return st;
	if (errno == ENOENT)
		vnl_err("there is no lab %s (no %s/%s.state); 'vnetlat lab show' lists the labs",
			name, VNL_LABSTATE_DIR, name);
	else if (errno == EBUSY)
		vnl_err("lab %s is busy: another vnetlat is building or removing it; try again", name);
	else
		vnl_errno("cannot read the state file of lab %s", name);
	return NULL;
}

static void warn_damage(const struct vnl_labstate *st)
{
	if (vnl_labstate_damaged(st))
		vnl_err("the state file of lab %s has %u damaged line%s (%s); objects on those "
			"lines are not removed: check 'ip netns list' and 'ip link' by hand",
			vnl_labstate_lab(st), vnl_labstate_damaged(st),
			vnl_labstate_damaged(st) > 1 ? "s" : "", vnl_labstate_damage(st));
}

static int down_dry_run(const char *name)
{
	struct vnl_labstate *st = open_existing(name, false);
	if (!st)
		return VNL_EXIT_FAIL;
	warn_damage(st);
	size_t n = vnl_labstate_removal_plan(st, NULL, 0);
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	if (!order) {
		vnl_labstate_close(st);
		return VNL_EXIT_FAIL;
	}
	vnl_labstate_removal_plan(st, order, n);
	printf("# vnetlat lab down --name %s, by hand:\n", name);
	for (size_t i = 0; i < n; i++) {
		const struct vnl_obj *obj = vnl_labstate_obj(st, order[i]);
		removers[obj->type].print(obj);
	}
	printf("rm -f %s/%s.state\n", VNL_LABSTATE_DIR, name);
	free(order);
	vnl_labstate_close(st);
	return VNL_EXIT_OK;
}

int vnl_lab_down(const char *name, bool dry_run)
{
	if (dry_run)
		return down_dry_run(name);
	struct vnl_labstate *st = open_existing(name, true);
	if (!st)
		return VNL_EXIT_FAIL;
	warn_damage(st);
	vnl_labinfo_remove(VNL_LABINFO_DIR, name); /* -ENOENT is fine: not written yet */
	unsigned left = remove_all(st);
	if (left) {
		vnl_err("%u object%s of lab %s could not be removed; the state file is kept so "
			"'vnetlat lab down --name %s' can try again", left, left > 1 ? "s" : "", name,
			name);
		vnl_labstate_close(st);
		return VNL_EXIT_FAIL;
	}
	int ret = vnl_labstate_delete(st);
	if (ret < 0)
		vnl_errno("cannot delete the state file of lab %s", name);
	bool damaged = vnl_labstate_damaged(st) > 0;
	vnl_labstate_close(st);
	if (ret < 0 || damaged)
		return VNL_EXIT_FAIL;
	printf("lab %s is down\n", name);
	return VNL_EXIT_OK;
}

/* ---- show ---- */

#define SHOW_MAX_LINKS 64
#define SHOW_MAX_ADDRS 256

struct netns_view {
	struct vnl_nl_link links[SHOW_MAX_LINKS];
	size_t n_links;
	struct vnl_nl_addr addrs[SHOW_MAX_ADDRS];
	size_t n_addrs;
};

static void keep_link(const struct vnl_nl_link *link, void *arg)
{
	struct netns_view *v = arg;
	if (v->n_links < SHOW_MAX_LINKS)
		v->links[v->n_links++] = *link;
}

static void keep_addr(const struct vnl_nl_addr *addr, void *arg)
{
	struct netns_view *v = arg;
	if (v->n_addrs < SHOW_MAX_ADDRS)
		v->addrs[v->n_addrs++] = *addr;
}

static int view_netns(const char *ns, struct netns_view *v)
{
	memset(v, 0, sizeof(*v));
	struct vnl_nl *nl = vnl_lab_nl_in(ns);
	int ret = nl && vnl_nl_dump_links(nl, keep_link, v) == 0 &&
				  vnl_nl_dump_addrs(nl, keep_addr, v) == 0 ? 0 : -1;
	vnl_nl_close(nl);
	return ret;
}

static void addr_text(const struct vnl_nl_addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	inet_ntop(a->family, a->addr, host, sizeof(host));
	snprintf(buf, size, "%s/%u", host, a->prefixlen);
}

/* A node as the lab knows it: id, role and namespace. */
struct node_ref {
	char id[64];
	const char *role;
	char ns[64];
};

/* The NIC a lab borrowed (--uplink), or NULL. */
static const struct vnl_obj *lab_uplink(const struct vnl_labstate *st)
{
	for (size_t i = 0; i < vnl_labstate_count(st); i++) {
		const struct vnl_obj *obj = vnl_labstate_obj(st, i);
		if (obj->type == VNL_OBJ_UPLINK && !obj->failed)
			return obj;
	}
	return NULL;
}

/* The topology's nodes; for a lab whose header was lost, its recorded namespaces. */
static size_t lab_nodes(const struct vnl_labstate *st, struct node_ref *nodes, size_t max)
{
	const struct topology *topo = find_topology(vnl_labstate_topology(st));
	size_t n = 0;
	if (topo) {
		/* On a borrowed uplink the remote end is the user's network, not a node of ours. */
		bool no_remote = lab_uplink(st) != NULL;
		for (size_t i = 0; i < topo->n_nodes && n < max; i++) {
			if (no_remote && !strcmp(topo->nodes[i].role, "remote"))
				continue;
			snprintf(nodes[n].id, sizeof(nodes[n].id), "%s", topo->nodes[i].id);
			nodes[n].role = topo->nodes[i].role;
			node_netns(vnl_labstate_lab(st), &topo->nodes[i], nodes[n].ns, sizeof(nodes[n].ns));
			n++;
		}
		return n;
	}
	for (size_t i = 0; i < vnl_labstate_count(st) && n < max; i++) {
		const struct vnl_obj *obj = vnl_labstate_obj(st, i);
		if (obj->type != VNL_OBJ_NETNS || obj->failed)
			continue;
		snprintf(nodes[n].id, sizeof(nodes[n].id), "%s", obj->name);
		nodes[n].role = "";
		snprintf(nodes[n].ns, sizeof(nodes[n].ns), "%s", obj->name);
		n++;
	}
	return n;
}

static void show_text_netns(const struct netns_view *v)
{
	for (size_t i = 0; i < v->n_links; i++) {
		const struct vnl_nl_link *l = &v->links[i];
		char mac[100];
		vnl_nl_mac_format(l->mac, l->mac_len, mac, sizeof(mac));
		printf("    %-8s %-4s %-17s", l->name, (l->flags & IFF_UP) ? "up" : "down", mac);
		for (size_t j = 0; j < v->n_addrs; j++) {
			char a[INET6_ADDRSTRLEN + 8];
			if (v->addrs[j].ifindex != l->ifindex)
				continue;
			addr_text(&v->addrs[j], a, sizeof(a));
			printf(" %s", a);
		}
		printf("\n");
	}
}

static json_t *json_netns(const struct netns_view *v)
{
	json_t *ifaces = json_array();
	for (size_t i = 0; i < v->n_links; i++) {
		const struct vnl_nl_link *l = &v->links[i];
		char mac[100];
		vnl_nl_mac_format(l->mac, l->mac_len, mac, sizeof(mac));
		json_t *addrs = json_array();
		for (size_t j = 0; j < v->n_addrs; j++) {
			char a[INET6_ADDRSTRLEN + 8];
			if (v->addrs[j].ifindex != l->ifindex)
				continue;
			addr_text(&v->addrs[j], a, sizeof(a));
			json_array_append_new(addrs, json_string(a));
		}
		json_array_append_new(ifaces, json_pack("{s:s, s:i, s:s, s:s, s:b, s:o}", "name", l->name,
							"ifindex", l->ifindex, "kind", l->kind,
							"mac", mac, "up", (l->flags & IFF_UP) != 0,
							"addresses", addrs));
	}
	return ifaces;
}

/* One lab, as text on stdout or appended to labs (JSON). Returns 0 when every node is there. */
static int show_lab(const char *name, json_t *labs)
{
	struct vnl_labstate *st = open_existing(name, false);
	if (!st)
		return -1;
	struct node_ref nodes[16];
	size_t n = lab_nodes(st, nodes, 16);
	const char *topo = vnl_labstate_topology(st);
	bool complete = vnl_labstate_damaged(st) == 0 && find_topology(topo);
	json_t *jnodes = json_array();
	static struct netns_view view; /* large; show is not reentrant */
	for (size_t i = 0; i < n; i++) {
		bool present = view_netns(nodes[i].ns, &view) == 0;
		complete = complete && present;
		json_t *ifaces = present ? json_netns(&view) : json_array();
		json_array_append_new(jnodes, json_pack("{s:s, s:s, s:s, s:b, s:o}", "node", nodes[i].id,
							"role", nodes[i].role, "netns", nodes[i].ns,
							"present", present, "interfaces", ifaces));
		if (!labs) {
			if (i == 0)
				printf("lab %s: %s\n", name, topo[0] ? topo : "(topology unknown)");
			printf("  node %s%s%s%s: netns %s%s\n", nodes[i].id, nodes[i].role[0] ? " (" : "",
			       nodes[i].role, nodes[i].role[0] ? ")" : "", nodes[i].ns,
			       present ? "" : " (missing)");
			if (present)
				show_text_netns(&view);
		}
	}
	if (!labs && n == 0)
		printf("lab %s: %s, no nodes\n", name, topo[0] ? topo : "(topology unknown)");
	/* The guest of a VM lab, from its info file (no output for a veth lab). */
	if (!labs)
		vnl_topo_guest_show(name, NULL);
	else
		vnl_topo_guest_show(name, jnodes);
	const struct vnl_obj *up = lab_uplink(st);
	if (!labs && up)
		printf("  uplink: %s of %s, lent to %s as %s (given back by 'lab down')\n", up->name,
		       up->netns[0] ? up->netns : "the host", up->into, up->as);
	if (!labs && !complete)
		printf("  incomplete: remove it with 'vnetlat lab down --name %s'\n", name);
	char state_file[128];
	snprintf(state_file, sizeof(state_file), "%s/%s.state", VNL_LABSTATE_DIR, name);
	json_t *jlab = labs ? json_pack("{s:s, s:s, s:s, s:b, s:o}", "name", name, "topology",
					topo, "state_file", state_file, "complete", complete, "nodes",
					jnodes)
			    : NULL;
	if (jlab && up)
		json_object_set_new(jlab, "uplink", json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "name",
							      up->name, "netns", up->netns, "into",
							      up->into, "as", up->as, "mtu", up->mtu,
							      "up", up->up));
	if (!strcmp(topo, "xdp"))
		vnl_topo_xdp_show(name, jlab);
	if (labs)
		json_array_append_new(labs, jlab);
	else
		json_decref(jnodes);
	vnl_labstate_close(st);
	return 0;
}

struct show_all {
	json_t *labs;
	unsigned shown;
	int failed;
};

static void show_one_of_all(const char *name, void *arg)
{
	struct show_all *all = arg;
	if (!all->labs && all->shown)
		printf("\n");
	if (show_lab(name, all->labs) < 0)
		all->failed = 1;
	all->shown++;
}

int vnl_lab_show(const char *name, bool json)
{
	struct show_all all = { json ? json_array() : NULL, 0, 0 };
	if (name)
		all.failed = show_lab(name, all.labs) < 0;
	else if (vnl_labstate_list(VNL_LABSTATE_DIR, show_one_of_all, &all) < 0) {
		vnl_errno("cannot list the labs in %s", VNL_LABSTATE_DIR);
		all.failed = 1;
	} else if (!json && all.shown == 0)
		printf("no labs (create one with 'vnetlat lab up veth')\n");
	if (json) {
		json_t *doc = json_pack("{s:o}", "labs", all.labs);
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(doc);
	}
	return all.failed ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

/* ---- exec ---- */

/* The namespace of a node: by id or role in the lab's topology, else a namespace name. */
static int resolve_node(const char *lab, const char *node, char *ns, size_t size)
{
	struct vnl_labstate *st = vnl_labstate_open(VNL_LABSTATE_DIR, lab, false);
	/* A lab built by hand from --dry-run has no state file: it is a veth lab. */
	const struct topology *topo = find_topology(st ? vnl_labstate_topology(st) : "veth");
	/* On a lent uplink the remote end is the user's network, not a node of the lab. */
	bool no_remote = st && lab_uplink(st);
	vnl_labstate_close(st);
	for (size_t i = 0; topo && i < topo->n_nodes; i++) {
		if (no_remote && !strcmp(topo->nodes[i].role, "remote"))
			continue;
		if (!strcmp(node, topo->nodes[i].id) || !strcmp(node, topo->nodes[i].role)) {
			node_netns(lab, &topo->nodes[i], ns, size);
			return 0;
		}
	}
	if (vnl_netns_exists(node)) {
		snprintf(ns, size, "%s", node);
		return 0;
	}
	return -1;
}

int vnl_lab_exec(const char *name, const char *node, char **argv)
{
	char ns[64];
	if (resolve_node(name, node, ns, sizeof(ns)) < 0) {
		vnl_err("'%s' is neither a node of lab %s nor a network namespace; "
			"'vnetlat lab show' lists the nodes", node, name);
		return VNL_EXIT_USAGE;
	}
	if (!vnl_netns_exists(ns)) {
		vnl_err("node %s of lab %s is not there (no namespace %s); create the lab with "
			"'vnetlat lab up veth --name %s'", node, name, ns, name);
		return VNL_EXIT_FAIL;
	}
	if (vnl_netns_enter(ns) < 0) {
		vnl_errno("cannot enter network namespace %s", ns);
		return VNL_EXIT_FAIL;
	}
	vnl_child_replace((const char *const *)argv);
	int saved = errno;
	vnl_errno("cannot run '%s' in %s", argv[0], ns);
	/* As shells do: 127 when the command is not found, 126 when it cannot run. */
	return saved == ENOENT ? 127 : 126;
}
