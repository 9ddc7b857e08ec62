/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topo_guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "child.h"
#include "paths.h"
#include "doctor.h"
#include "guestimg.h"
#include "hostcaps.h"
#include "irqpin.h"
#include "vmlab.h"
#include "labinfo.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "qemu.h"
#include "qemuthreads.h"
#include "runcmd.h"
#include "timeutil.h"
#include "topo_qbv.h"
#include "topo.h"
#include "topo_links.h"
#include "vlantag.h"
#include "uplink.h"

/* MAC numbers of the lab's nodes (vnl_lab_mac): the wire's two ends, the guest. */
enum { MAC_WIRE = 1, MAC_UPLINK = 2, MAC_GUEST = 3, MAC_VLAN_PEER = 4 };

void vnl_vm_names(struct vnl_vm *vm, const char *lab)
{
	memset(vm, 0, sizeof(*vm));
	vm->lab = lab;
	snprintf(vm->remote_ns, sizeof(vm->remote_ns), "%s-r", lab);
	snprintf(vm->host_ns, sizeof(vm->host_ns), "%s-h", lab);
	snprintf(vm->run_dir, sizeof(vm->run_dir), "%s/%s", VNL_VM_RUN_ROOT, lab);
	vnl_lab_mac(lab, MAC_GUEST, vm->guest_mac);
	vnl_nl_mac_format(vm->guest_mac, 6, vm->guest_mac_text, sizeof(vm->guest_mac_text));
}

void vnl_vm_path(const struct vnl_vm *vm, const char *file, char *buf, size_t len)
{
	vnl_pathf(buf, len, "%s/%s", vm->run_dir, file);
}

int vnl_vm_record_file(struct vnl_lab_builder *b, const struct vnl_vm *vm, const char *file,
		       char *buf, size_t len)
{
	vnl_vm_path(vm, file, buf, len);
	return b->dry_run ? 0 : vnl_lab_record_path(b, buf);
}

/* ---- commands in a namespace ---- */

static size_t argv_len(const char *const argv[])
{
	size_t n = 0;
	while (argv[n])
		n++;
	return n;
}

/* "ip netns exec NS CMD..." as one shell line (malloc'd), or NULL. */
static char *shell_line(const char *ns, const char *const argv[])
{
	size_t n = argv_len(argv);
	const char **v = calloc(n + 5, sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0;
	if (ns) {
		v[k++] = "ip";
		v[k++] = "netns";
		v[k++] = "exec";
		v[k++] = ns;
	}
	for (size_t i = 0; i < n; i++)
		v[k++] = argv[i];
	struct vnl_argv a = { (char **)v, k, k + 1 };
	char *line = vnl_argv_shell(&a);
	free(v);
	return line;
}

static void print_cmd(const char *ns, const char *const argv[], const char *suffix)
{
	char *line = shell_line(ns, argv);
	printf("%s%s\n", line ? line : argv[0], suffix ? suffix : "");
	free(line);
}

/* A helper in NS: stdin from /dev/null, stdout and stderr to OUT (a daemon's log, a
 * temporary file), none of our descriptors; 126 when NS cannot be entered. */
static struct vnl_child_opts in_netns(const char *ns, struct vnl_child_stream out)
{
	return (struct vnl_child_opts){
		.netns = ns,
		.out = out,
		.err = { .how = VNL_CHILD_AS_STDOUT },
	};
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void log_tail(const char *log, char *buf, size_t len)
{
	vnl_console_tail(log, 8, buf, len);
}

int vnl_vm_spawn(struct vnl_lab_builder *b, const char *ns, const char *const argv[],
		 const char *log, const char *const env[])
{
	if (b->dry_run) {
		char suffix[300];
		snprintf(suffix, sizeof(suffix), " >%s 2>&1 &", log);
		for (size_t i = 0; env && env[i]; i++)
			printf("%s ", env[i]);
		print_cmd(ns, argv, suffix);
		return 0;
	}
	struct vnl_child_opts o = in_netns(ns, (struct vnl_child_stream){
		.how = VNL_CHILD_TRUNCATE, .path = log });
	o.env = env;
	o.new_session = true; /* outlives `lab up`, and a Ctrl-C meant for it */
	o.hold = true;        /* runs once it is recorded; if we die first, it does nothing */
	struct vnl_child *c;
	if (vnl_child_spawn(&c, argv, &o) < 0) {
		vnl_errno("cannot start %s", argv[0]);
		return -1;
	}
	pid_t pid = vnl_child_pid(c);
	struct vnl_obj obj = { .type = VNL_OBJ_PROCESS, .pid = pid };
	const char *base = strrchr(argv[0], '/');
	snprintf(obj.name, sizeof(obj.name), "%s", base ? base + 1 : argv[0]);
	obj.start_time = vnl_process_start_time(pid);
	if (vnl_lab_record(b, &obj) < 0) {
		vnl_child_release(c, false); /* the child ends without running anything */
		vnl_child_wait(c, -1);
		vnl_child_free(c);
		return -1;
	}
	bool went = vnl_child_release(c, true) == 0;
	/* A daemon that cannot start usually says so at once. */
	for (int waited = 0; went && waited < 300; waited += 50) {
		sleep_ms(50);
		if (vnl_child_poll(c)) {
			char tail[1024];
			log_tail(log, tail, sizeof(tail));
			vnl_err("%s stopped at once in %s (exit %d); its log %s says:\n%s", obj.name, ns,
				vnl_child_status(c), log, tail);
			vnl_child_free(c);
			return -1;
		}
	}
	vnl_child_free(c); /* it runs on: `lab down` ends it */
	return went ? 0 : -1;
}

int vnl_vm_run(struct vnl_lab_builder *b, const char *ns, const char *const argv[])
{
	if (b->dry_run) {
		print_cmd(ns, argv, NULL);
		return 0;
	}
	char out[2048];
	FILE *tmp = tmpfile();
	if (!tmp) {
		vnl_errno("cannot run %s", argv[0]);
		return -1;
	}
	struct vnl_child_opts o = in_netns(ns, (struct vnl_child_stream){
		.how = VNL_CHILD_FD, .fd = fileno(tmp) });
	int status = vnl_child_run(argv, &o, -1);
	if (status < 0) {
		vnl_errno("cannot run %s", argv[0]);
		fclose(tmp);
		return -1;
	}
	if (status == 0) {
		fclose(tmp);
		return 0;
	}
	rewind(tmp);
	size_t n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	char *line = shell_line(ns, argv);
	vnl_err("'%s' failed (exit %d): %s", line ? line : argv[0], status,
		n ? vnl_tail_lines(out, 4) : "(no output)");
	free(line);
	return -1;
}

/* ---- the remote namespace, the wire and the host namespace ---- */

int vnl_vm_run_dir(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	if (b->dry_run) {
		printf("mkdir -p %s\n", vm->run_dir);
		return 0;
	}
	mkdir(VNL_RUN_ROOT, 0755);
	mkdir(VNL_VM_RUN_ROOT, 0755);
	struct vnl_obj obj = { .type = VNL_OBJ_FILE };
	snprintf(obj.path, sizeof(obj.path), "%s", vm->run_dir);
	int index = vnl_lab_record(b, &obj);
	if (index < 0)
		return -1;
	if (mkdir(vm->run_dir, 0755) < 0) {
		int saved = errno;
		vnl_labstate_mark_failed(b->st, (size_t)index);
		if (saved == EEXIST)
			vnl_err("%s exists already: a guest named %s runs ('vnetlat guest stop --name "
				"%s') or was left behind (remove the directory)", vm->run_dir, vm->lab,
				vm->lab);
		else
			vnl_err("cannot create %s: %s", vm->run_dir, strerror(saved));
		return -1;
	}
	return 0;
}

static int start_dnsmasq(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	char leases[256], pidf[256], log[256], out[256];
	char lease_opt[300], pid_opt[300], log_opt[300], host_opt[64];
	if (vnl_vm_record_file(b, vm, "dnsmasq.leases", leases, sizeof(leases)) < 0 ||
	    vnl_vm_record_file(b, vm, "dnsmasq.pid", pidf, sizeof(pidf)) < 0 ||
	    vnl_vm_record_file(b, vm, "dnsmasq.log", log, sizeof(log)) < 0 ||
	    vnl_vm_record_file(b, vm, "dnsmasq.out", out, sizeof(out)) < 0)
		return -1;
	snprintf(lease_opt, sizeof(lease_opt), "--dhcp-leasefile=%s", leases);
	snprintf(pid_opt, sizeof(pid_opt), "--pid-file=%s", pidf);
	snprintf(log_opt, sizeof(log_opt), "--log-facility=%s", log);
	/* The guest's MAC always gets 192.0.2.2, so the lab's addresses are known in advance. */
	snprintf(host_opt, sizeof(host_opt), "--dhcp-host=%s," VNL_VM_GUEST4, vm->guest_mac_text);
	const char *const argv[] = {
		"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-hosts", "--no-resolv",
		"--port=0", /* DHCP only, no DNS */
		"--interface=" VNL_VM_WIRE, "--bind-interfaces", "--dhcp-authoritative",
		"--dhcp-range=192.0.2.2,192.0.2.99,255.255.255.0,1h", host_opt, lease_opt, pid_opt,
		log_opt, "--log-dhcp", "--user=root", "--group=root", NULL,
	};
	return vnl_vm_spawn(b, vm->remote_ns, argv, out, NULL);
}

/* vlan0: a VLAN device on wire0 (egress-qos-map: SO_PRIORITY 0..7 is the PCP). */
static int remote_dot1q(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	char id[8];
	snprintf(id, sizeof(id), "%u", b->opts->vlan);
	const char *const argv[] = { "ip", "link", "add", "link", VNL_VM_WIRE, "name",
				     VNL_VM_VLAN_PORT, "type", "vlan", "id", id, "egress-qos-map",
				     "0:0", "1:1", "2:2", "3:3", "4:4", "5:5", "6:6", "7:7", NULL };
	return vnl_vm_run(b, vm->remote_ns, argv);
}

/* vlan0 as one end of a veth pair, tagged and untagged by tc programs (vlantag.h). */
static int remote_tagger(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	uint8_t port_mac[6], peer_mac[6];
	/* wire0's MAC, as a VLAN device on wire0 would have */
	vnl_lab_mac(vm->lab, MAC_WIRE, port_mac);
	vnl_lab_mac(vm->lab, MAC_VLAN_PEER, peer_mac);
	if (vnl_lab_step_veth(b, vm->remote_ns, VNL_VM_VLAN_PORT, port_mac, vm->remote_ns,
			      VNL_VM_VLAN_PEER, peer_mac) < 0 ||
	    vnl_lab_step_up(b, vm->remote_ns, VNL_VM_VLAN_PEER) < 0)
		return -1;
	return vnl_vlantag_attach(vm->remote_ns, VNL_VM_WIRE, VNL_VM_VLAN_PORT, b->opts->vlan);
}

/*
 * The remote end of the test stream's VLAN. Where this kernel has no 802.1Q
 * a BPF tagger stands in; --dry-run prints the 802.1Q command a user with a
 * normal kernel runs, and says which path `up` takes here.
 */
static int remote_vlan(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	if (!b->opts->vlan)
		return 0;
	bool dot1q = vnl_caps_vlan();
	if (b->dry_run && !dot1q)
		printf("# this kernel has no 802.1Q: 'lab up' makes %s a veth (peer %s) and attaches "
		       "the tc programs vlan_tag_out (%s egress: tag, PCP from SO_PRIORITY) and "
		       "vlan_tag_in (%s ingress: untag id %u) of vlan_tag.bpf.o instead of:\n",
		       VNL_VM_VLAN_PORT, VNL_VM_VLAN_PEER, VNL_VM_VLAN_PORT, VNL_VM_WIRE,
		       b->opts->vlan);
	return (dot1q || b->dry_run ? remote_dot1q(b, vm) : remote_tagger(b, vm)) < 0 ||
			       vnl_lab_step_addr(b, vm->remote_ns, VNL_VM_VLAN_PORT,
						 VNL_VM_VLAN_REMOTE4 "/24") < 0 ||
			       vnl_lab_step_addr(b, vm->remote_ns, VNL_VM_VLAN_PORT,
						 VNL_VM_VLAN_REMOTE6 "/64") < 0 ||
			       vnl_lab_step_up(b, vm->remote_ns, VNL_VM_VLAN_PORT) < 0
		       ? -1
		       : 0;
}

/* --uplink: the user's NIC lent to LAB-h as uplink0; the remote side is the user's network. */
static int base_on_uplink(struct vnl_lab_builder *b, const struct vnl_vm *vm)
{
	/* its IRQs are found through its sysfs device here, before it moves */
	if (b->opts->irq_cpus && vnl_irqpin_apply(b, b->opts->uplink, b->opts->irq_cpus) < 0)
		return -1;
	return vnl_vm_run_dir(b, vm) < 0 || vnl_lab_step_netns(b, vm->host_ns) < 0 ||
			       vnl_uplink_borrow(b, b->opts->uplink, vm->host_ns, VNL_VM_UPLINK) < 0 ||
			       vnl_lab_step_up(b, vm->host_ns, "lo") < 0 ||
			       vnl_lab_step_up(b, vm->host_ns, VNL_VM_UPLINK) < 0
		       ? -1
		       : 0;
}

int vnl_vm_base(struct vnl_lab_builder *b, struct vnl_vm *vm)
{
	if (b->opts->uplink)
		return base_on_uplink(b, vm);
	uint8_t wire_mac[6], uplink_mac[6];
	vnl_lab_mac(vm->lab, MAC_WIRE, wire_mac);
	vnl_lab_mac(vm->lab, MAC_UPLINK, uplink_mac);
	return vnl_vm_run_dir(b, vm) < 0 || vnl_lab_step_netns(b, vm->remote_ns) < 0 ||
			       vnl_lab_step_netns(b, vm->host_ns) < 0 ||
			       vnl_lab_step_veth(b, vm->remote_ns, VNL_VM_WIRE, wire_mac, vm->host_ns,
						 VNL_VM_UPLINK, uplink_mac) < 0 ||
			       vnl_lab_step_addr(b, vm->remote_ns, VNL_VM_WIRE, VNL_VM_REMOTE4 "/24") < 0 ||
			       vnl_lab_step_addr(b, vm->remote_ns, VNL_VM_WIRE, VNL_VM_REMOTE6 "/64") < 0 ||
			       vnl_lab_step_up(b, vm->remote_ns, "lo") < 0 ||
			       vnl_lab_step_up(b, vm->remote_ns, VNL_VM_WIRE) < 0 ||
			       remote_vlan(b, vm) < 0 ||
			       vnl_lab_step_up(b, vm->host_ns, "lo") < 0 ||
			       vnl_lab_step_up(b, vm->host_ns, VNL_VM_UPLINK) < 0 ||
			       start_dnsmasq(b, vm) < 0
		       ? -1
		       : 0;
}

int vnl_vm_tap(struct vnl_lab_builder *b, const struct vnl_vm *vm, const char *ifname)
{
	if (b->dry_run) {
		printf("ip -n %s tuntap add dev %s mode tap%s\n", vm->host_ns, ifname,
		       b->opts->qbv.cycle_ns ? " multi_queue" : "");
		return vnl_lab_step_up(b, vm->host_ns, ifname);
	}
	struct vnl_obj obj = { .type = VNL_OBJ_LINK };
	snprintf(obj.name, sizeof(obj.name), "%s", ifname);
	snprintf(obj.netns, sizeof(obj.netns), "%s", vm->host_ns);
	int index = vnl_lab_record(b, &obj);
	if (index < 0)
		return -1;
	if (vnl_link_tap_add(vm->host_ns, ifname, b->opts->qbv.cycle_ns > 0) < 0) {
		vnl_errno("cannot create the tap %s in %s", ifname, vm->host_ns);
		vnl_labstate_mark_failed(b->st, (size_t)index);
		return -1;
	}
	return vnl_lab_step_up(b, vm->host_ns, ifname);
}

/* ---- the guest ---- */

/* --pin-vcpu (and --emulator-cpus): qemu's threads on their CPUs, said on stdout. */
static int pin_qemu(pid_t pid, const struct vnl_lab_opts *o)
{
	char said[1200];
	if (vnl_qemu_pin(pid, o->pin_vcpu, o->emulator_cpus, said, sizeof(said)) < 0) {
		vnl_err("--pin-vcpu %s: %s", o->pin_vcpu, said);
		return -1;
	}
	printf("guest: pinned %s\n", said);
	return 0;
}

/* --vhost-fifo: the vhost-net workers to SCHED_FIFO, said on stdout as read back. */
static int raise_vhost(pid_t pid, int prio)
{
	char said[1200];
	if (vnl_qemu_vhost_fifo(pid, prio, said, sizeof(said)) < 0) {
		vnl_err("--vhost-fifo %d: %s", prio, said);
		return -1;
	}
	printf("guest: %s\n", said);
	return 0;
}

static int guest_image(const struct vnl_lab_opts *lo, struct vnl_guest_image *img)
{
	char vnetlat[4096];
	if (vnl_guestimg_find_static(lo->guest_arch, vnetlat, sizeof(vnetlat)) < 0) {
		if (lo->guest_arch && !vnl_guestarch_native(lo->guest_arch))
			vnl_err("no static vnetlat for an %s guest (vnetlat-static-%s next to this program "
				"or installed, or $VNL_GUEST_STATIC_<ARCH>); cross-build it with "
				"'scripts/build-guest-static %s'", lo->guest_arch->name,
				lo->guest_arch->name, lo->guest_arch->name);
		else
			vnl_err("no static vnetlat (vnetlat-static) next to this program to put in the "
				"guest; build it (ninja vnetlat-static; not possible with sanitizers)");
		return -1;
	}
	struct vnl_guestimg_opts o = { .arch = lo->guest_arch, .vnetlat = vnetlat };
	return vnl_guestimg_build(&o, img);
}

static void guest_cfg(const struct vnl_lab_builder *b, const struct vnl_vm *vm,
		      const struct vnl_vm_nic *nic, const struct vnl_guest_image *img,
		      char *append, size_t len, struct vnl_qemu_cfg *cfg)
{
	const struct vnl_lab_opts *o = b->opts;
	/* The guest's init asks for DHCP; its IPv6 address is fixed, and so is its VLAN's. */
	int n = snprintf(append, len, "vnl.dhcp vnl.ip6=" VNL_VM_GUEST6 "/64 vnl.hostname=%s-guest",
			 vm->lab);
	if (o->vlan && n > 0 && (size_t)n < len)
		snprintf(append + n, len - (size_t)n,
			 " vnl.vlan=%u vnl.vlan.ip=" VNL_VM_VLAN_GUEST4 "/24 vnl.vlan.ip6="
			 VNL_VM_VLAN_GUEST6 "/64", o->vlan);
	*cfg = (struct vnl_qemu_cfg){
		.arch = img->arch, .kernel = img->kernel, .initrd = img->initrd, .append = append,
		.accel = o->accel,
		.vhost = o->vhost, .cpus = o->guest_cpus, .mem_mb = o->guest_mem_mb,
		.tap = nic->tap, .tap_fd = nic->tap_fd, .mac = vm->guest_mac_text,
		.run_dir = vm->run_dir, .netns = vm->host_ns, .pci_host = nic->pci,
		.no_csum_offload = nic->no_csum_offload,
		.queues = o->qbv.cycle_ns ? VNL_QBV_QUEUES : 0,
		.vhost_user_sock = nic->vhost_user_sock, .mem_path = nic->mem_path,
	};
}

static int print_guest(const struct vnl_lab_builder *b, const struct vnl_vm *vm, const struct vnl_vm_nic *nic,
		       struct vnl_qemu_cfg *cfg)
{
	struct vnl_argv a;
	if (cfg->accel == VNL_ACCEL_AUTO && !vnl_guestarch_native(vnl_qemu_arch(cfg))) {
		printf("# an %s guest: emulated (tcg), as KVM runs only the host's own architecture\n",
		       vnl_qemu_arch(cfg)->name);
		cfg->accel = VNL_ACCEL_TCG;
	} else if (cfg->accel == VNL_ACCEL_AUTO) {
		/* /dev/kvm may be there and still unable to run a guest: TCG always works. */
		printf("# --accel auto: tcg here; use '-accel kvm -cpu host' where KVM runs guests\n");
		cfg->accel = VNL_ACCEL_TCG;
	}
	if (nic->tap_fd >= 0 && nic->tap_dev)
		printf("tapdev=%s\n", nic->tap_dev);
	if (vnl_qemu_argv(cfg, &a) < 0) {
		vnl_errno("cannot build the qemu command line");
		return -1;
	}
	char *line = vnl_argv_shell(&a);
	vnl_argv_free(&a);
	char log[300];
	vnl_vm_path(vm, "qemu.log", log, sizeof(log));
	printf("ip netns exec %s %s%s >%s 2>&1 &\n", vm->host_ns, line ? line : "",
	       nic->tap_fd >= 0 ? " 3<>\"$tapdev\"" : "", log);
	if (nic->pci || b->opts->uplink)
		printf("# the guest takes its address by DHCP on the network of %s\n",
		       nic->pci ? nic->pci : b->opts->uplink);
	else
		printf("# the guest takes its address by DHCP (%s gets " VNL_VM_GUEST4 "): see "
		       "%s/dnsmasq.leases\n", vm->guest_mac_text, vm->run_dir);
	if (cfg->append && strstr(cfg->append, "vnl.vlan="))
		printf("# its init makes eth0.ID (vnl.vlan=ID) with the vnl.vlan.ip/ip6 addresses "
		       "and egress-qos-map 0:0 .. 7:7\n");
	free(line);
	return 0;
}

/*
 * Wait for the guest's lease; *lease_ns is when dnsmasq wrote it, counted
 * from qemu's start (qemu_start: CLOCK_REALTIME ns). The guest asks for it
 * during boot, so it is often there before the agent is ready.
 */
static int wait_lease(const struct vnl_lab_builder *b, const struct vnl_vm *vm,
		      const struct vnl_vm_nic *nic, int64_t qemu_start, char *ip, size_t len,
		      int64_t *lease_ns)
{
	char leases[256];
	struct stat st;
	vnl_vm_path(vm, "dnsmasq.leases", leases, sizeof(leases));
	int64_t start = vnl_now_ns(CLOCK_MONOTONIC);
	while (vnl_now_ns(CLOCK_MONOTONIC) - start < (int64_t)VNL_VM_LEASE_MS * VNL_NSEC_PER_MSEC) {
		if (vnl_lease_find(leases, vm->guest_mac_text, ip, len) == 0 && stat(leases, &st) == 0) {
			*lease_ns = (int64_t)st.st_mtim.tv_sec * VNL_NSEC_PER_SEC + st.st_mtim.tv_nsec -
				    qemu_start;
			return 0;
		}
		sleep_ms(50);
	}
	char console[300], tail[2048];
	vnl_vm_path(vm, "console.log", console, sizeof(console));
	vnl_console_tail(console, 10, tail, sizeof(tail));
	vnl_err("the guest (MAC %s) got no DHCP lease from dnsmasq in %s within %d s; last "
		"console lines (%s):\n%s\nWhat 'vnetlat lab doctor' finds, before the lab is removed:",
		vm->guest_mac_text, vm->remote_ns, VNL_VM_LEASE_MS / 1000, console, tail);
	vnl_doctor_vm(vm->host_ns, vnl_labstate_topology(b->st), VNL_VM_UPLINK, nic->backend_if,
		      vm->guest_mac_text, vm->run_dir);
	return -1;
}

/* The guest's IPv4 address on eth0, asked through the agent (no lease file of ours). */
static int wait_guest_addr(struct vnl_agent *agent, const char *network, int64_t qemu_start,
			   char *ip, size_t len, int64_t *addr_ns)
{
	static const char *const argv[] = { "ip", "-4", "-o", "addr", "show", "dev", "eth0", NULL };
	int64_t start = vnl_now_ns(CLOCK_MONOTONIC);
	while (vnl_now_ns(CLOCK_MONOTONIC) - start < (int64_t)VNL_VM_LEASE_MS * VNL_NSEC_PER_MSEC) {
		struct vnl_agent_result r;
		const char *why;
		char *inet, addr[64];
		if (vnl_agent_run(agent, argv, NULL, 5000, &r, &why) < 0)
			break;
		inet = strstr(r.out, " inet ");
		if (inet && sscanf(inet, " inet %63[0-9.]", addr) == 1) {
			snprintf(ip, len, "%s", addr);
			vnl_agent_result_free(&r);
			*addr_ns = vnl_now_ns(CLOCK_REALTIME) - qemu_start;
			return 0;
		}
		vnl_agent_result_free(&r);
		sleep_ms(500);
	}
	vnl_err("the guest got no IPv4 address on eth0 by DHCP within %d s (%s): is there a DHCP "
		"server on that network%s?", VNL_VM_LEASE_MS / 1000, network,
		strstr(network, "passed-through") ? ", and is the device's driver in the guest image"
						  : "");
	return -1;
}

/* The stream's ends move to the VLAN (vlan0, eth0.ID); the untagged ones are kept beside. */
static void vlan_ends(struct vnl_lab_info *info, unsigned vid)
{
	info->vlan = vid;
	info->untagged_remote = info->remote;
	info->untagged_local = info->local;
	/* With --uplink the VLAN's remote end is on the user's network (run --remote-*). */
	if (info->remote.netns[0]) {
		snprintf(info->remote.ifname, sizeof(info->remote.ifname), VNL_VM_VLAN_PORT);
		snprintf(info->remote.addr4, sizeof(info->remote.addr4), VNL_VM_VLAN_REMOTE4);
		snprintf(info->remote.addr6, sizeof(info->remote.addr6), VNL_VM_VLAN_REMOTE6);
	}
	snprintf(info->local.ifname, sizeof(info->local.ifname), "eth0.%u", vid);
	snprintf(info->local.addr4, sizeof(info->local.addr4), VNL_VM_VLAN_GUEST4);
	snprintf(info->local.addr6, sizeof(info->local.addr6), VNL_VM_VLAN_GUEST6);
}

static int save_info(struct vnl_lab_builder *b, const struct vnl_vm *vm,
		     const struct vnl_vm_nic *nic, const struct vnl_booted *g, const char *ip,
		     const struct vnl_qbv *qbv, const char *qbv_in)
{
	char tmp[128], path[128];
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", VNL_LABINFO_DIR, vm->lab);
	snprintf(path, sizeof(path), "%s/%s.info", VNL_LABINFO_DIR, vm->lab);
	if (vnl_lab_record_path(b, tmp) < 0 || vnl_lab_record_path(b, path) < 0)
		return -1;
	struct vnl_lab_info info = { .has_guest = true };
	uint8_t wire_mac[6];
	vnl_lab_mac(vm->lab, MAC_WIRE, wire_mac);
	snprintf(info.name, sizeof(info.name), "%.15s", vm->lab);
	snprintf(info.topology, sizeof(info.topology), "%.15s", vnl_labstate_topology(b->st));
	/* On a passed-through device or a lent NIC, the remote end is on the user's network:
	 * not ours to know (`run` asks for it). */
	if (!nic->pci && !b->opts->uplink) {
		snprintf(info.remote.netns, sizeof(info.remote.netns), "%.31s", vm->remote_ns);
		snprintf(info.remote.ifname, sizeof(info.remote.ifname), VNL_VM_WIRE);
		vnl_nl_mac_format(wire_mac, 6, info.remote.mac, sizeof(info.remote.mac));
		snprintf(info.remote.addr4, sizeof(info.remote.addr4), VNL_VM_REMOTE4);
		snprintf(info.remote.addr6, sizeof(info.remote.addr6), VNL_VM_REMOTE6);
	}
	snprintf(info.local.ifname, sizeof(info.local.ifname), "eth0");
	snprintf(info.local.mac, sizeof(info.local.mac), "%s", vm->guest_mac_text);
	snprintf(info.local.addr4, sizeof(info.local.addr4), "%.47s", ip);
	snprintf(info.local.addr6, sizeof(info.local.addr6), VNL_VM_GUEST6);
	if (b->opts->vlan && !nic->pci)
		vlan_ends(&info, b->opts->vlan);
	snprintf(info.host_netns, sizeof(info.host_netns), "%.31s", vm->host_ns);
	snprintf(info.uplink_if, sizeof(info.uplink_if), "%s", nic->pci ? "" : VNL_VM_UPLINK);
	snprintf(info.backend_if, sizeof(info.backend_if), "%.15s", nic->backend_if);
	vnl_vm_path(vm, "agent.sock", info.agent_path, sizeof(info.agent_path));
	vnl_vm_path(vm, "console.log", info.console_log, sizeof(info.console_log));
	snprintf(info.accel, sizeof(info.accel), "%s", vnl_accel_name(g->accel));
	/* what the guest's kernel says it runs on, else what was asked for */
	snprintf(info.guest_arch, sizeof(info.guest_arch), "%.15s",
		 g->info.machine[0] ? g->info.machine : g->arch->name);
	snprintf(info.vhost, sizeof(info.vhost), "%s", g->vhost ? "on" : "off");
	if (nic->vhost_user_sock) {
		snprintf(info.vhost_user.socket, sizeof(info.vhost_user.socket), "%s", nic->vhost_user_sock);
		snprintf(info.vhost_user.memory, sizeof(info.vhost_user.memory), "%s",
			 nic->mem_said ? nic->mem_said : "");
		snprintf(info.vhost_user.pmd_cpus, sizeof(info.vhost_user.pmd_cpus), "%s",
			 nic->pmd_cpus ? nic->pmd_cpus : "");
	}
	info.qbv = *qbv;
	snprintf(info.qbv_in_refused, sizeof(info.qbv_in_refused), "%s", qbv_in);
	mkdir(VNL_LABINFO_DIR, 0755);
	int rc = vnl_labinfo_save(VNL_LABINFO_DIR, &info);
	if (rc < 0)
		vnl_err("cannot write %s: %s", path, strerror(-rc));
	return rc < 0 ? -1 : 0;
}

/* The guest's init made eth0.ID from its kernel arguments: is it there, with its address? */
static int check_guest_vlan(const struct vnl_vm *vm, struct vnl_agent *agent, unsigned vid)
{
	char dev[16], want[32];
	snprintf(dev, sizeof(dev), "eth0.%u", vid);
	snprintf(want, sizeof(want), " inet " VNL_VM_VLAN_GUEST4 "/");
	const char *const argv[] = { "ip", "-o", "addr", "show", "dev", dev, NULL };
	struct vnl_agent_result r;
	const char *why = "the agent did not answer";
	if (vnl_agent_run(agent, argv, NULL, 5000, &r, &why) < 0) {
		vnl_err("cannot ask the guest about %s: %s", dev, errno == EPROTO ? why : strerror(errno));
		return -1;
	}
	bool ok = r.exited && r.status == 0 && r.out && strstr(r.out, want);
	vnl_agent_result_free(&r);
	if (ok)
		return 0;
	char console[300], tail[2048];
	vnl_vm_path(vm, "console.log", console, sizeof(console));
	vnl_console_tail(console, 10, tail, sizeof(tail));
	vnl_err("the guest has no %s with " VNL_VM_VLAN_GUEST4 " (its init makes it from vnl.vlan=%u: "
		"is 8021q in the guest image? 'vnetlat guest build --force' rebuilds it); last "
		"console lines (%s):\n%s", dev, vid, console, tail);
	return -1;
}

/* qemu.c forks qemu itself, so it is recorded once it runs; until then it sits in LAB-h,
 * whose removal stops every process inside. */
static int record_qemu(struct vnl_lab_builder *b, const struct vnl_booted *g)
{
	struct vnl_obj obj = { .type = VNL_OBJ_PROCESS, .pid = vnl_qemu_pid(g->qemu) };
	snprintf(obj.name, sizeof(obj.name), "qemu");
	obj.start_time = vnl_process_start_time((pid_t)obj.pid);
	return vnl_lab_record(b, &obj) < 0 ? -1 : 0;
}

int vnl_vm_guest(struct vnl_lab_builder *b, const struct vnl_vm *vm, const struct vnl_vm_nic *nic)
{
	struct vnl_guest_image img;
	struct vnl_qemu_cfg cfg;
	char append[256], file[256], ip[64];
	if (guest_image(b->opts, &img) < 0)
		return -1;
	guest_cfg(b, vm, nic, &img, append, sizeof(append), &cfg);
	if (b->dry_run) {
		struct vnl_qbv q = b->opts->qbv;
		vnl_qbv_base_now(&q);
		if (q.cycle_ns)
			vnl_qbv_print(&q, vm->lab, vm->remote_ns, VNL_VM_WIRE);
		return print_guest(b, vm, nic, &cfg);
	}
	static const char *const files[] = { "qemu.log", "console.log", "agent.sock", "qemu.pid" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (vnl_vm_record_file(b, vm, files[i], file, sizeof(file)) < 0)
			return -1;
	struct vnl_booted g;
	if (vnl_qemu_boot(&cfg, VNL_CACHE_ROOT, VNL_VM_READY_MS, &g) < 0)
		return -1;
	int64_t lease_ns = 0, qemu_start = vnl_now_ns(CLOCK_REALTIME) - g.boot_ns;
	int ret = record_qemu(b, &g);
	if (ret == 0 && b->opts->pin_vcpu)
		ret = pin_qemu(vnl_qemu_pid(g.qemu), b->opts);
	if (ret == 0 && b->opts->vhost_fifo)
		ret = raise_vhost(vnl_qemu_pid(g.qemu), b->opts->vhost_fifo);
	char network[96];
	snprintf(network, sizeof(network), nic->pci ? "the passed-through device %s" : "the network of %s",
		 nic->pci ? nic->pci : b->opts->uplink ? b->opts->uplink : "");
	/* No dnsmasq of ours on the user's network: the guest says which address it got. */
	if (ret == 0 && (nic->pci || b->opts->uplink))
		ret = wait_guest_addr(g.agent, network, qemu_start, ip, sizeof(ip), &lease_ns);
	else if (ret == 0)
		ret = wait_lease(b, vm, nic, qemu_start, ip, sizeof(ip), &lease_ns);
	if (ret == 0 && b->opts->vlan && !nic->pci)
		ret = check_guest_vlan(vm, g.agent, b->opts->vlan);
	struct vnl_qbv qbv = b->opts->qbv;
	char qbv_in[320] = "";
	if (ret == 0 && qbv.cycle_ns) {
		vnl_qbv_base_now(&qbv);
		ret = vnl_qbv_guest(g.agent, &qbv);
		if (ret == 0 && !b->opts->uplink)
			vnl_qbv_remote(&qbv, vm->remote_ns, VNL_VM_WIRE, qbv_in, sizeof(qbv_in));
		else if (ret == 0)
			vnl_pathf(qbv_in, sizeof(qbv_in), "the remote end is on %s's network, not "
				  "vnetlat's to set up", b->opts->uplink);
	}
	/*
	 * Ready only when both families can carry a probe at once: the guest's
	 * IPv6 address past duplicate detection and both neighbour caches warm,
	 * or a first udp6 probe waits a second behind neighbour discovery.
	 */
	static const char *const guest_addrs[] = { VNL_VM_GUEST4, VNL_VM_GUEST6 };
	if (ret == 0 && !nic->pci && !b->opts->uplink)
		ret = vnl_lab_step_ready(b, vm->remote_ns, VNL_VM_WIRE, guest_addrs, 2);
	/* The guest lives on after `lab up`: close the channel, leave qemu running. */
	vnl_agent_close(g.agent);
	g.agent = NULL;
	if (ret == 0)
		ret = save_info(b, vm, nic, &g, ip, &qbv, qbv_in);
	if (ret == 0 && qbv.cycle_ns)
		printf("qbv: taprio on the guest's eth0 (%s mode, CLOCK_TAI base %lld): priority %d "
		       "(traffic class 0) open %lld ns + %lld ns in every %lld ns cycle, the rest "
		       "(class 1) the remainder\n", qbv.offload, (long long)qbv.base_time_ns,
		       qbv.priority, (long long)qbv.open_ns, (long long)qbv.length_ns,
		       (long long)qbv.cycle_ns);
	if (ret == 0)
		printf("guest: ready %.1f s after qemu started (%s, %s, vhost %s); DHCP lease %s at "
		       "%.1f s; console %s/console.log\n",
		       (double)g.boot_ns / VNL_NSEC_PER_SEC, g.arch->name, vnl_accel_name(g.accel),
		       g.vhost ? "on" : "off", ip, (double)lease_ns / VNL_NSEC_PER_SEC, vm->run_dir);
	vnl_qemu_free(g.qemu);
	return ret;
}

/* ---- show and exec ---- */

static pid_t guest_pid(const struct vnl_lab_info *info)
{
	char pidfile[300], text[32] = "";
	const char *slash = strrchr(info->agent_path, '/');
	if (!slash)
		return 0;
	snprintf(pidfile, sizeof(pidfile), "%.*s/qemu.pid", (int)(slash - info->agent_path),
		 info->agent_path);
	FILE *f = fopen(pidfile, "re");
	if (!f)
		return 0;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	pid_t pid = (pid_t)atoi(text);
	return pid > 0 && kill(pid, 0) == 0 ? pid : 0;
}

void vnl_topo_guest_show(const char *lab, json_t *jnodes)
{
	struct vnl_lab_info info;
	if (vnl_labinfo_load(VNL_LABINFO_DIR, lab, &info) < 0 || !info.has_guest)
		return;
	pid_t pid = guest_pid(&info);
	/* eth0 with its lease; with a VLAN, eth0.ID (the stream's end) too */
	const struct vnl_lab_endpoint *eth0 = &info.untagged_local;
	if (jnodes) {
		json_t *addrs = json_pack("[s, s]", eth0->addr4, eth0->addr6);
		json_t *ifaces = json_pack("[{s:s, s:s, s:o}]", "name", eth0->ifname, "mac", eth0->mac,
					   "addresses", addrs);
		if (info.vlan)
			json_array_append_new(ifaces, json_pack(
				"{s:s, s:s, s:[s, s], s:i}", "name", info.local.ifname, "mac",
				info.local.mac, "addresses", info.local.addr4, info.local.addr6, "vlan",
				(int)info.vlan));
		json_array_append_new(jnodes, json_pack(
			"{s:s, s:s, s:s, s:b, s:o, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "node", "guest",
			"role", "local", "netns", "", "present", pid > 0, "interfaces", ifaces,
			"qemu_pid", (json_int_t)pid, "lease", eth0->addr4, "backend_if",
			info.backend_if, "arch", info.guest_arch, "accel", info.accel, "vhost", info.vhost, "console_log",
			info.console_log, "agent", info.agent_path));
		json_t *node = json_array_get(jnodes, json_array_size(jnodes) - 1);
		json_object_set_new(node, "vhost_user", info.vhost_user.socket[0] ? json_pack(
			"{s:s, s:s, s:s}", "socket", info.vhost_user.socket, "memory",
			info.vhost_user.memory, "pmd_cpus", info.vhost_user.pmd_cpus) : json_null());
		return;
	}
	/* an info file from before the architecture was recorded has none */
	printf("  node guest (local): qemu pid %d%s, %s%saccel %s, vhost %s, on %s in %s\n", (int)pid,
	       pid ? "" : " (not running)", info.guest_arch, info.guest_arch[0] ? ", " : "",
	       info.accel, info.vhost, info.vhost_user.socket[0] ? "vhost-user" : info.backend_if,
	       info.host_netns);
	if (info.vhost_user.socket[0])
		printf("    vhost-user %s, memory %s, PMD threads on CPUs %s\n", info.vhost_user.socket,
		       info.vhost_user.memory, info.vhost_user.pmd_cpus[0] ? info.vhost_user.pmd_cpus : "?");
	printf("    %-8s %-4s %-17s %s (DHCP lease) %s\n", eth0->ifname, "up", eth0->mac,
	       eth0->addr4, eth0->addr6);
	if (info.vlan)
		printf("    %-8s %-4s %-17s %s %s (VLAN %u: the test stream)\n", info.local.ifname,
		       "up", info.local.mac, info.local.addr4, info.local.addr6, info.vlan);
	printf("    console  %s\n    agent    %s ('vnetlat lab exec guest --name %s -- CMD')\n",
	       info.console_log, info.agent_path, lab);
}

int vnl_topo_guest_exec(const char *lab, char **argv)
{
	struct vnl_lab_info info;
	if (vnl_labinfo_load(VNL_LABINFO_DIR, lab, &info) < 0 || !info.has_guest) {
		vnl_err("lab %s has no guest (or is not up); 'vnetlat lab show' lists the labs", lab);
		return VNL_EXIT_FAIL;
	}
	struct vnl_agent *a = vnl_agent_connect(info.agent_path, 2000);
	if (!a || vnl_agent_wait_ready(a, 5000, NULL) < 0) {
		vnl_errno("the guest of lab %s does not answer on %s (console: %s)", lab,
			  info.agent_path, info.console_log);
		vnl_agent_close(a);
		return VNL_EXIT_FAIL;
	}
	struct vnl_agent_result r;
	const char *why = "the agent did not answer";
	int rc = vnl_agent_run(a, (const char *const *)argv, NULL, 60000, &r, &why);
	vnl_agent_close(a);
	if (rc < 0) {
		vnl_err("running '%s' in the guest of lab %s failed: %s", argv[0], lab,
			errno == EPROTO ? why : strerror(errno));
		return VNL_EXIT_FAIL;
	}
	fwrite(r.out, 1, r.out_len, stdout);
	fwrite(r.err, 1, r.err_len, stderr);
	rc = r.timed_out ? VNL_EXIT_FAIL : r.exited ? r.status : 128 + r.signal;
	if (r.timed_out)
		vnl_err("'%s' did not finish within 60 s; it was killed in the guest", argv[0]);
	vnl_agent_result_free(&r);
	return rc;
}

/* ---- what must be installed ---- */

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		vnl_pathf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (access(buf, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

int vnl_topo_need_programs(const char *const progs[], const char *package)
{
	for (size_t i = 0; progs[i]; i++)
		if (!in_path(progs[i])) {
			vnl_err("%s is not installed (not in PATH); install it with 'apt-get install "
				"%s' (nothing was changed)", progs[i], package);
			return -1;
		}
	return 0;
}

int vnl_topo_vm_check(const struct vnl_lab_opts *opts)
{
	static const char *const dnsmasq[] = { "dnsmasq", NULL };
	static const char *const iproute[] = { "ip", NULL };
	const struct vnl_qemu_cfg cfg = { .arch = opts->guest_arch };
	const char *const qemu[] = { vnl_qemu_bin(&cfg), NULL };
	if (opts->uplink)
		return vnl_uplink_check(opts->uplink) < 0 ||
				       vnl_topo_need_programs(qemu, vnl_qemu_arch(&cfg)->qemu_pkg) < 0 ||
				       vnl_topo_need_programs(iproute, "iproute2") < 0
			       ? -1
			       : 0;
	return vnl_topo_need_programs(dnsmasq, "dnsmasq") < 0 ||
			       vnl_topo_need_programs(qemu, vnl_qemu_arch(&cfg)->qemu_pkg) < 0 ||
			       vnl_topo_need_programs(iproute, "iproute2") < 0
		       ? -1
		       : 0;
}
