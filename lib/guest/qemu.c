/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "hostcaps.h"
#include "log.h"
#include "runcmd.h"
#include "timeutil.h"

int vnl_parse_accel(const char *s, enum vnl_accel *out, const char **why)
{
	static const char *const names[] = { "auto", "kvm", "tcg" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum vnl_accel)i;
			return 0;
		}
	*why = "expected kvm, tcg or auto";
	return -1;
}

int vnl_parse_vhost(const char *s, enum vnl_vhost *out, const char **why)
{
	static const char *const names[] = { "auto", "on", "off" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum vnl_vhost)i;
			return 0;
		}
	*why = "expected on, off or auto";
	return -1;
}

const char *vnl_accel_name(enum vnl_accel a)
{
	return a == VNL_ACCEL_KVM ? "kvm" : a == VNL_ACCEL_TCG ? "tcg" : "auto";
}

/* ------------------------------------------------------------------ */
/* Argument vectors.                                                    */

void vnl_argv_free(struct vnl_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int argv_add(struct vnl_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int argv_add(struct vnl_argv *a, const char *fmt, ...)
{
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	int rc = vasprintf(&a->v[a->n], fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	a->v[++a->n] = NULL;
	return 0;
}

static int needs_quotes(const char *w)
{
	if (!*w)
		return 1;
	for (; *w; w++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *w))
			return 1;
	return 0;
}

char *vnl_argv_shell(const struct vnl_argv *a)
{
	size_t len = 1;
	for (size_t i = 0; i < a->n; i++)
		len += 4 * strlen(a->v[i]) + 3;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < a->n; i++) {
		const char *w = a->v[i];
		if (i)
			*p++ = ' ';
		if (!needs_quotes(w)) {
			p = stpcpy(p, w);
			continue;
		}
		*p++ = '\'';
		for (; *w; w++) {
			if (*w == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *w;
		}
		*p++ = '\'';
	}
	*p = 0;
	return s;
}

/* ------------------------------------------------------------------ */
/* The command line.                                                    */

void vnl_qemu_path(const struct vnl_qemu_cfg *cfg, const char *file, char *buf, size_t len)
{
	if (!strcmp(file, "console.log") && cfg->console)
		snprintf(buf, len, "%s", cfg->console);
	else
		snprintf(buf, len, "%s/%s", cfg->run_dir, file);
}


const struct vnl_guestarch *vnl_qemu_arch(const struct vnl_qemu_cfg *cfg)
{
	const struct vnl_guestarch *host = vnl_guestarch_host();
	return cfg->arch ? cfg->arch : host ? host : vnl_guestarch_find("x86_64");
}

const char *vnl_qemu_bin(const struct vnl_qemu_cfg *cfg)
{
	return cfg->qemu ? cfg->qemu : vnl_qemu_arch(cfg)->qemu;
}

int vnl_qemu_vhost_on(const struct vnl_qemu_cfg *cfg)
{
	if (cfg->vhost == VNL_VHOST_AUTO)
		return access("/dev/vhost-net", R_OK | W_OK) == 0;
	return cfg->vhost == VNL_VHOST_ON;
}

/* qemu's option syntax doubles a comma inside a value. */
static char *qemu_escape(const char *s)
{
	char *r = malloc(2 * strlen(s) + 1), *p = r;
	if (!r)
		return NULL;
	for (; *s; s++) {
		*p++ = *s;
		if (*s == ',')
			*p++ = ',';
	}
	*p = 0;
	return r;
}

/*
 * A vhost-user back-end reads and writes the guest's memory itself, so the
 * memory is a shareable object: hugetlbfs files, or a memfd. The guest's
 * virtio-net gets no MSI-X vectors (vectors=0, legacy interrupts): qemu 7.2
 * under TCG crashes when a vhost-user device's vectors are masked.
 */
static int add_vhost_user(const struct vnl_qemu_cfg *cfg, struct vnl_argv *a)
{
	unsigned mem = cfg->mem_mb ? cfg->mem_mb : 256;
	char *esock = qemu_escape(cfg->vhost_user_sock);
	char *epath = cfg->mem_path ? qemu_escape(cfg->mem_path) : NULL;
	int rc = !esock || (cfg->mem_path && !epath);
	rc = rc || argv_add(a, "-object") ||
	     (epath ? argv_add(a, "memory-backend-file,id=mem0,size=%uM,mem-path=%s,share=on,"
			      "prealloc=on", mem, epath)
		    : argv_add(a, "memory-backend-memfd,id=mem0,size=%uM,share=on", mem)) ||
	     argv_add(a, "-machine") || argv_add(a, "memory-backend=mem0") ||
	     argv_add(a, "-chardev") || argv_add(a, "socket,id=vhu0,path=%s,server=on,wait=off", esock) ||
	     argv_add(a, "-netdev") || argv_add(a, "vhost-user,id=net0,chardev=vhu0") ||
	     argv_add(a, "-device") ||
	     argv_add(a, "virtio-net-pci,netdev=net0,mac=%s%s,vectors=0",
		      cfg->mac ? cfg->mac : "52:54:00:12:34:56", cfg->no_csum_offload ? ",csum=off" : "");
	free(esock);
	free(epath);
	return rc;
}

static int add_network(const struct vnl_qemu_cfg *cfg, struct vnl_argv *a)
{
	const char *vhost = vnl_qemu_vhost_on(cfg) ? "on" : "off";
	int rc;
	if (cfg->vhost_user_sock)
		return add_vhost_user(cfg, a);
	if (cfg->tap_fd >= 0)
		rc = argv_add(a, "-netdev") ||
		     argv_add(a, "tap,id=net0,fd=%d,vhost=%s", cfg->tap_fd, vhost);
	else if (cfg->tap)
		rc = argv_add(a, "-netdev") ||
		     argv_add(a, "tap,id=net0,ifname=%s,script=no,downscript=no,vhost=%s%s%.0u", cfg->tap,
			      vhost, cfg->queues > 1 ? ",queues=" : "", cfg->queues > 1 ? cfg->queues : 0);
	else
		return 0;
	/* multi-queue: a vector per queue each way, one for config, one for control */
	char mq[48] = "";
	if (cfg->queues > 1 && cfg->tap_fd < 0)
		snprintf(mq, sizeof(mq), ",mq=on,vectors=%u", 2 * cfg->queues + 2);
	return rc || argv_add(a, "-device") ||
	       argv_add(a, "virtio-net-pci,netdev=net0,mac=%s%s%s", cfg->mac ? cfg->mac : "52:54:00:12:34:56",
			cfg->no_csum_offload ? ",csum=off" : "", mq);
}

int vnl_qemu_argv(const struct vnl_qemu_cfg *cfg, struct vnl_argv *a)
{
	char sock[4096], pid[4096], console[4096];
	vnl_qemu_path(cfg, "agent.sock", sock, sizeof(sock));
	vnl_qemu_path(cfg, "qemu.pid", pid, sizeof(pid));
	vnl_qemu_path(cfg, "console.log", console, sizeof(console));
	char *esock = qemu_escape(sock), *epid = qemu_escape(pid), *econ = qemu_escape(console);
	const struct vnl_guestarch *arch = vnl_qemu_arch(cfg);
	int kvm = cfg->accel == VNL_ACCEL_KVM;
	const char *cpu = kvm ? "host" : arch->tcg_cpu;
	int rc = !esock || !epid || !econ;

	memset(a, 0, sizeof(*a));
	rc = rc || argv_add(a, "%s", vnl_qemu_bin(cfg)) ||
	     /* thread names ("CPU 0/TCG") tell the vCPU threads apart for pinning */
	     argv_add(a, "-name") || argv_add(a, "vnetlat-guest,debug-threads=on") ||
	     argv_add(a, "-machine") || argv_add(a, "%s", arch->machine) ||
	     argv_add(a, "-accel") || argv_add(a, "%s", kvm ? "kvm" : "tcg") ||
	     (cpu && (argv_add(a, "-cpu") || argv_add(a, "%s", cpu))) ||
	     argv_add(a, "-m") || argv_add(a, "%u", cfg->mem_mb ? cfg->mem_mb : 256) ||
	     argv_add(a, "-smp") || argv_add(a, "%u", cfg->cpus ? cfg->cpus : 1) ||
	     argv_add(a, "-nodefaults") || argv_add(a, "-no-user-config") ||
	     argv_add(a, "-display") || argv_add(a, "none") ||
	     /* a kernel panic (panic=-1) ends qemu instead of rebooting the guest */
	     argv_add(a, "-no-reboot") ||
	     argv_add(a, "-serial") || argv_add(a, "file:%s", console) ||
	     argv_add(a, "-kernel") || argv_add(a, "%s", cfg->kernel) ||
	     argv_add(a, "-initrd") || argv_add(a, "%s", cfg->initrd) ||
	     argv_add(a, "-append") ||
	     argv_add(a, "console=%s panic=-1 rdinit=/init%s%s", arch->console, cfg->append ? " " : "",
		      cfg->append ? cfg->append : "") ||
	     add_network(cfg, a) ||
	     (cfg->pci_host && (argv_add(a, "-device") || argv_add(a, "vfio-pci,host=%s", cfg->pci_host))) ||
	     argv_add(a, "-device") || argv_add(a, "virtio-serial-pci,id=vser0") ||
	     argv_add(a, "-chardev") || argv_add(a, "socket,id=agent,path=%s,server=on,wait=off", esock) ||
	     argv_add(a, "-device") ||
	     argv_add(a, "virtserialport,bus=vser0.0,chardev=agent,name=%s", VNL_AGENT_PORT_NAME) ||
	     argv_add(a, "-pidfile") || argv_add(a, "%s", epid);
	free(esock);
	free(epid);
	free(econ);
	if (rc) {
		vnl_argv_free(a);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The process.                                                         */

struct vnl_qemu {
	struct vnl_child *proc;
	pid_t pid;
	int reaped;
	int wstatus;
};

/*
 * qemu outlives us (its own session): it gets no descriptor of ours but stdio
 * (/dev/null, then its log) and the tap fd. An inherited one would stay open as
 * long as the guest runs, e.g. the lock of whoever ran `lab up` under flock(1),
 * held then until `lab down`. Only its network namespace is entered.
 */
static int spawn_qemu(struct vnl_qemu *q, const struct vnl_qemu_cfg *cfg, char **argv,
		      const char *log)
{
	const int keep[] = { cfg->tap_fd, -1 };
	struct vnl_child_opts o = {
		.netns = cfg->netns,
		.netns_net_only = true,
		.out = { .how = VNL_CHILD_TRUNCATE, .path = log },
		.err = { .how = VNL_CHILD_AS_STDOUT },
		.new_session = true,
		.keep_fds = keep,
	};
	if (vnl_child_spawn(&q->proc, (const char *const *)argv, &o))
		return -1;
	q->pid = vnl_child_pid(q->proc);
	return 0;
}

struct vnl_qemu *vnl_qemu_start(const struct vnl_qemu_cfg *cfg)
{
	struct vnl_argv a;
	char log[4096], sock[4096], console[4096];
	struct vnl_qemu *q;

	if (mkdir(cfg->run_dir, 0755) && errno != EEXIST) {
		vnl_errno("cannot create the guest's run directory %s", cfg->run_dir);
		return NULL;
	}
	vnl_qemu_path(cfg, "qemu.log", log, sizeof(log));
	vnl_qemu_path(cfg, "agent.sock", sock, sizeof(sock));
	vnl_qemu_path(cfg, "console.log", console, sizeof(console));
	unlink(sock);      /* a stale socket would be connected to before qemu listens */
	unlink(console);   /* so an error never shows the tail of an earlier boot */
	if (vnl_qemu_argv(cfg, &a)) {
		vnl_errno("cannot build the qemu command line");
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		vnl_argv_free(&a);
		return NULL;
	}
	int rc = spawn_qemu(q, cfg, a.v, log);
	vnl_argv_free(&a);
	if (rc) {
		vnl_errno("cannot start qemu");
		free(q);
		return NULL;
	}
	return q;
}

pid_t vnl_qemu_pid(const struct vnl_qemu *q)
{
	return q->pid;
}

int vnl_qemu_exited(struct vnl_qemu *q, int *wstatus)
{
	if (!q->reaped && vnl_child_poll(q->proc)) {
		int sig = vnl_child_term_signal(q->proc);
		q->wstatus = sig ? sig : (vnl_child_status(q->proc) & 0xff) << 8;
		q->reaped = 1;
	}
	if (q->reaped && wstatus)
		*wstatus = q->wstatus;
	return q->reaped;
}

void vnl_qemu_stop(struct vnl_qemu *q, int grace_ms)
{
	if (!q || vnl_child_wait(q->proc, (int64_t)grace_ms * VNL_NSEC_PER_MSEC) == 0) {
		if (q)
			vnl_qemu_exited(q, NULL);
		return;
	}
	vnl_child_stop(q->proc, SIGTERM, 3000 * VNL_NSEC_PER_MSEC);
	vnl_qemu_exited(q, NULL);
}

void vnl_qemu_free(struct vnl_qemu *q)
{
	if (q)
		vnl_child_free(q->proc); /* a qemu still running runs on */
	free(q);
}

/* Is PID a process whose command line mentions RUN_DIR (so not a recycled pid)? */
static int pid_is_ours(pid_t pid, const char *run_dir)
{
	char path[64], buf[16384];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = 0;
	return strstr(buf, run_dir) != NULL;
}

static int foreign_gone(pid_t pid, const char *run_dir, int ms)
{
	int64_t until = vnl_now_ns(CLOCK_MONOTONIC) + (int64_t)ms * VNL_NSEC_PER_MSEC;
	for (;;) {
		if (!pid_is_ours(pid, run_dir))
			return 1;
		if (vnl_now_ns(CLOCK_MONOTONIC) >= until)
			return 0;
		usleep(20000);
	}
}

int vnl_qemu_stop_pidfile(const char *pidfile, const char *run_dir, int grace_ms)
{
	FILE *f = fopen(pidfile, "re");
	int pid = 0;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0 || foreign_gone(pid, run_dir, grace_ms))
		return 0;
	kill(pid, SIGTERM);
	if (foreign_gone(pid, run_dir, 3000))
		return 0;
	kill(pid, SIGKILL);
	return foreign_gone(pid, run_dir, 3000) ? 0 : -1;
}

void vnl_console_tail(const char *path, int n, char *buf, size_t len)
{
	char *all = malloc(65536);
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	buf[0] = 0;
	if (!all || fd < 0) {
		snprintf(buf, len, "(no console output in %s)", path);
		free(all);
		if (fd >= 0)
			close(fd);
		return;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > 65535 ? size - 65535 : 0, SEEK_SET);
	ssize_t r;
	while (got < 65535 && (r = read(fd, all + got, 65535 - got)) > 0)
		got += (size_t)r;
	close(fd);
	all[got] = 0;
	/* serial consoles end lines with \r\n */
	for (size_t i = 0; i < got; i++)
		if (all[i] == '\r')
			all[i] = ' ';
	snprintf(buf, len, "%s", got ? vnl_tail_lines(all, n) : "(the log is empty)");
	free(all);
}

/* ------------------------------------------------------------------ */
/* Booting to ready, with the accelerator found by trying.              */

/* CACHE_ROOT/accel/<host kernel>_<qemu version>: "kvm" or "tcg". */
static void verdict_path(const struct vnl_qemu_cfg *cfg, const char *cache_root, char *buf, size_t len)
{
	struct utsname u;
	char out[512] = "", ver[64] = "unknown";
	const char *argv[] = { vnl_qemu_bin(cfg), "--version", NULL };
	if (vnl_runcmd(argv, NULL, out, sizeof(out)) == 0) {
		const char *v = strstr(out, "version ");
		if (v)
			sscanf(v + 8, "%63[^ \n]", ver);
	}
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	snprintf(buf, len, "%s/accel/%s_qemu-%s", cache_root, u.release, ver);
}

static enum vnl_accel verdict_read(const char *path)
{
	char word[8] = "";
	FILE *f = fopen(path, "re");
	if (!f)
		return VNL_ACCEL_AUTO;
	if (fscanf(f, "%7s", word) != 1)
		word[0] = 0;
	fclose(f);
	return !strcmp(word, "kvm") ? VNL_ACCEL_KVM : !strcmp(word, "tcg") ? VNL_ACCEL_TCG : VNL_ACCEL_AUTO;
}

enum vnl_accel vnl_qemu_kvm_verdict(const char *cache_root)
{
	const struct vnl_qemu_cfg cfg = { .accel = VNL_ACCEL_AUTO };
	char path[4096];
	verdict_path(&cfg, cache_root, path, sizeof(path));
	return verdict_read(path);
}

static void verdict_write(const char *path, enum vnl_accel a)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		char *parent = strrchr(dir, '/');
		if (parent) {
			*parent = 0;
			mkdir(dir, 0755);
			*parent = '/';
		}
		mkdir(dir, 0755);
	}
	FILE *f = fopen(path, "we");
	if (!f) {
		vnl_notice("cannot record the accelerator verdict in %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", vnl_accel_name(a));
	fclose(f);
}

enum attempt { BOOT_READY, BOOT_TIMEOUT, BOOT_DIED, BOOT_ERROR };

static enum attempt try_boot(const struct vnl_qemu_cfg *cfg, int ready_ms, struct vnl_booted *b)
{
	char sock[4096];
	int64_t start = vnl_now_ns(CLOCK_MONOTONIC);
	int64_t until = start + (int64_t)ready_ms * VNL_NSEC_PER_MSEC;

	b->qemu = vnl_qemu_start(cfg);
	if (!b->qemu)
		return BOOT_ERROR;
	vnl_qemu_path(cfg, "agent.sock", sock, sizeof(sock));
	/* Short slices, so a qemu that died is noticed at once. */
	while (vnl_now_ns(CLOCK_MONOTONIC) < until) {
		if (vnl_qemu_exited(b->qemu, NULL))
			return BOOT_DIED;
		if (!b->agent) {
			b->agent = vnl_agent_connect(sock, 200);
			continue;
		}
		if (!vnl_agent_wait_ready(b->agent, 500, &b->info)) {
			b->boot_ns = vnl_now_ns(CLOCK_MONOTONIC) - start;
			return BOOT_READY;
		}
		if (errno != ETIMEDOUT) { /* qemu closed the socket: it is going away */
			vnl_agent_close(b->agent);
			b->agent = NULL;
			usleep(100000);
		}
	}
	return vnl_qemu_exited(b->qemu, NULL) ? BOOT_DIED : BOOT_TIMEOUT;
}

static void abandon(struct vnl_booted *b)
{
	vnl_agent_close(b->agent);
	b->agent = NULL;
	if (b->qemu) {
		vnl_qemu_stop(b->qemu, 0);
		vnl_qemu_free(b->qemu);
		b->qemu = NULL;
	}
}

static void report_failure(const struct vnl_qemu_cfg *cfg, enum attempt how, int ready_ms)
{
	char console[4096], log[4096], tail[4096], qlog[2048];
	vnl_qemu_path(cfg, "console.log", console, sizeof(console));
	vnl_qemu_path(cfg, "qemu.log", log, sizeof(log));
	vnl_console_tail(console, 25, tail, sizeof(tail));
	vnl_console_tail(log, 5, qlog, sizeof(qlog));
	if (how == BOOT_DIED && strcmp(qlog, "(the log is empty)") && strncmp(qlog, "(no ", 4))
		vnl_err("qemu stopped before the guest's agent was ready; qemu said:\n%s\n"
			"last console lines (%s):\n%s", qlog, console, tail);
	else if (how == BOOT_DIED)
		vnl_err("the guest stopped before its agent was ready; last console lines (%s):\n%s",
			console, tail);
	else
		vnl_err("the guest's agent was not ready within %d ms under %s; last console lines "
			"(%s):\n%s", ready_ms, vnl_accel_name(cfg->accel), console, tail);
}

static enum vnl_accel choose_accel(const struct vnl_qemu_cfg *cfg, const char *verdict)
{
	if (cfg->accel != VNL_ACCEL_AUTO)
		return cfg->accel;
	if (!vnl_guestarch_native(vnl_qemu_arch(cfg))) {
		vnl_notice("an %s guest on an %s host: running it under TCG (emulation, slower)",
			   vnl_qemu_arch(cfg)->name, vnl_guestarch_host() ? vnl_guestarch_host()->name : "other");
		return VNL_ACCEL_TCG;
	}
	if (!vnl_caps_kvm_usable()) {
		vnl_notice("no usable /dev/kvm: running the guest under TCG (emulation, slower)");
		return VNL_ACCEL_TCG;
	}
	enum vnl_accel cached = verdict_read(verdict);
	if (cached == VNL_ACCEL_TCG)
		vnl_notice("KVM could not run a guest on this host before (%s): using TCG", verdict);
	return cached == VNL_ACCEL_TCG ? VNL_ACCEL_TCG : VNL_ACCEL_KVM;
}

int vnl_qemu_boot(const struct vnl_qemu_cfg *cfg_in, const char *cache_root, int ready_ms,
		  struct vnl_booted *b)
{
	struct vnl_qemu_cfg cfg = *cfg_in;
	char verdict[4096];
	enum attempt how;

	memset(b, 0, sizeof(*b));
	if (cfg.accel == VNL_ACCEL_KVM && !vnl_guestarch_native(vnl_qemu_arch(&cfg))) {
		vnl_err("KVM cannot run an %s guest on this host (its CPUs are not %s); use --accel "
			"tcg or auto", vnl_qemu_arch(&cfg)->name, vnl_qemu_arch(&cfg)->name);
		return -1;
	}
	verdict_path(&cfg, cache_root, verdict, sizeof(verdict));
	cfg.accel = choose_accel(cfg_in, verdict);
	int trial = cfg_in->accel == VNL_ACCEL_AUTO && cfg.accel == VNL_ACCEL_KVM &&
		    verdict_read(verdict) != VNL_ACCEL_KVM;
	how = try_boot(&cfg, trial && ready_ms > VNL_KVM_TRIAL_MS ? VNL_KVM_TRIAL_MS : ready_ms, b);
	if (trial) {
		if (how == BOOT_READY) {
			verdict_write(verdict, VNL_ACCEL_KVM);
		} else if (how != BOOT_ERROR) {
			char log[4096], said[1024];
			vnl_qemu_path(&cfg, "qemu.log", log, sizeof(log));
			vnl_console_tail(log, 1, said, sizeof(said));
			abandon(b);
			verdict_write(verdict, VNL_ACCEL_TCG);
			if (how == BOOT_DIED)
				vnl_notice("/dev/kvm is present but qemu stopped under KVM (%s): falling "
					   "back to TCG (verdict cached in %s)", said, verdict);
			else
				vnl_notice("/dev/kvm is present but the guest did not come up under KVM "
					   "within %d s: falling back to TCG (verdict cached in %s)",
					   VNL_KVM_TRIAL_MS / 1000, verdict);
			cfg.accel = VNL_ACCEL_TCG;
			how = try_boot(&cfg, ready_ms, b);
		}
	}
	if (how != BOOT_READY) {
		if (how != BOOT_ERROR)
			report_failure(&cfg, how, ready_ms);
		abandon(b);
		return -1;
	}
	b->accel = cfg.accel;
	b->arch = vnl_qemu_arch(&cfg);
	b->vhost = (cfg.tap || cfg.tap_fd >= 0) && vnl_qemu_vhost_on(&cfg);
	return 0;
}

void vnl_booted_shutdown(struct vnl_booted *b, int grace_ms)
{
	if (b->agent && vnl_agent_poweroff(b->agent, 2000))
		grace_ms = 0; /* the agent did not answer: no clean power-off will come */
	vnl_agent_close(b->agent);
	b->agent = NULL;
	if (b->qemu) {
		vnl_qemu_stop(b->qemu, grace_ms);
		vnl_qemu_free(b->qemu);
		b->qemu = NULL;
	}
}
