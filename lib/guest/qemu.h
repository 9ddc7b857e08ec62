/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a guest with qemu-system-ARCH (x86_64: q35; aarch64: virt): the exact
 * command line (also printed as a recipe), starting and stopping the process, and
 * booting to "agent ready" with the accelerator chosen by trying (KVM, else TCG;
 * the verdict is cached per host kernel and qemu version; a guest of another
 * architecture than the host's always runs under TCG) and vhost-net when
 * /dev/vhost-net is usable.
 */
#ifndef VNL_QEMU_H
#define VNL_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent.h"
#include "guestarch.h"

/* How long a KVM boot may take before KVM is judged unable to run a guest here. */
#define VNL_KVM_TRIAL_MS 15000

enum vnl_accel { VNL_ACCEL_AUTO, VNL_ACCEL_KVM, VNL_ACCEL_TCG };
enum vnl_vhost { VNL_VHOST_AUTO, VNL_VHOST_ON, VNL_VHOST_OFF };

int vnl_parse_accel(const char *s, enum vnl_accel *out, const char **why);
int vnl_parse_vhost(const char *s, enum vnl_vhost *out, const char **why);
const char *vnl_accel_name(enum vnl_accel a);

struct vnl_qemu_cfg {
	const struct vnl_guestarch *arch; /* the guest's architecture; NULL: the host's */
	const char *qemu;       /* binary; NULL: the architecture's qemu-system-ARCH from PATH */
	const char *kernel;
	const char *initrd;
	const char *append;     /* extra kernel arguments (vnl.ip=..., vnl.dhcp), or NULL */
	enum vnl_accel accel;   /* AUTO only for vnl_qemu_boot() */
	enum vnl_vhost vhost;
	unsigned cpus;          /* 0: 1 */
	unsigned mem_mb;        /* 0: 256 */
	const char *tap;        /* tap interface name (qemu opens or creates it), or NULL */
	int tap_fd;             /* an open tap/macvtap fd to pass as fd=N, or -1 */
	const char *mac;        /* guest MAC; NULL: 52:54:00:12:34:56 */
	const char *pci_host;   /* a PCI device (BDF) bound to vfio-pci to hand over, or NULL */
	const char *run_dir;    /* agent.sock, qemu.pid, qemu.log (and console.log) live here */
	const char *console;    /* console log; NULL: RUN_DIR/console.log */
	const char *netns;      /* run qemu inside this named namespace (/run/netns), or NULL */
	bool no_csum_offload;   /* virtio-net csum=off: the guest sends complete checksums */
	unsigned queues;        /* >1: a multi-queue tap and virtio-net (mq=on) with as many */
	/* A vhost-user netdev instead of a tap: qemu serves this unix socket (the switch connects
	 * as the client) and the guest's memory is shared: hugetlbfs files in mem_path, or a
	 * memfd when mem_path is NULL. */
	const char *vhost_user_sock;
	const char *mem_path;
};

/* A NULL-terminated, owned argument vector. */
struct vnl_argv {
	char **v;
	size_t n, cap;
};
void vnl_argv_free(struct vnl_argv *a);
/* The vector as one shell command line, every word quoted where needed (malloc'd). */
char *vnl_argv_shell(const struct vnl_argv *a);

/* The guest architecture of CFG (resolving NULL to the host's, else x86_64). */
const struct vnl_guestarch *vnl_qemu_arch(const struct vnl_qemu_cfg *cfg);
/* The qemu binary CFG runs. */
const char *vnl_qemu_bin(const struct vnl_qemu_cfg *cfg);
/* The full qemu command line for CFG (accel must be KVM or TCG). 0, or -1 (ENOMEM). */
int vnl_qemu_argv(const struct vnl_qemu_cfg *cfg, struct vnl_argv *out);
/* Paths inside run_dir. */
void vnl_qemu_path(const struct vnl_qemu_cfg *cfg, const char *file, char *buf, size_t len);
/* Is vhost-net to be used for this cfg (resolving AUTO)? */
int vnl_qemu_vhost_on(const struct vnl_qemu_cfg *cfg);
/* 1 when /dev/kvm can be opened (which does not prove a guest can run). */
/* What a trial boot of a host-architecture guest found (cached under CACHE_ROOT/accel/):
 * VNL_ACCEL_KVM or VNL_ACCEL_TCG, or VNL_ACCEL_AUTO when KVM was never tried here. */
enum vnl_accel vnl_qemu_kvm_verdict(const char *cache_root);

struct vnl_qemu;
/* Fork/exec qemu (own session, stdout/stderr to RUN_DIR/qemu.log). NULL + message on failure. */
struct vnl_qemu *vnl_qemu_start(const struct vnl_qemu_cfg *cfg);
pid_t vnl_qemu_pid(const struct vnl_qemu *q);
/* Non-blocking: 1 if qemu has exited (status in *wstatus when not NULL), else 0. */
int vnl_qemu_exited(struct vnl_qemu *q, int *wstatus);
/* Wait up to grace_ms for qemu to exit by itself, then SIGTERM, then SIGKILL. Reaps it. */
void vnl_qemu_stop(struct vnl_qemu *q, int grace_ms);
void vnl_qemu_free(struct vnl_qemu *q);
/* Stop a qemu started by another process, given its pid file; only if that pid is a qemu
 * whose command line names RUN_DIR. 0 when none remains, -1 otherwise. */
int vnl_qemu_stop_pidfile(const char *pidfile, const char *run_dir, int grace_ms);

/* The last N lines of a console log, for error messages (into BUF). */
void vnl_console_tail(const char *path, int n, char *buf, size_t len);

struct vnl_booted {
	struct vnl_qemu *qemu;
	struct vnl_agent *agent;
	struct vnl_agent_info info;
	enum vnl_accel accel;   /* what it runs on */
	const struct vnl_guestarch *arch;
	int vhost;
	int64_t boot_ns;        /* qemu start to agent ready (the successful attempt) */
};
/*
 * Start the guest and wait (up to ready_ms) until its agent answers. With accel AUTO:
 * KVM when /dev/kvm opens and the cached verdict (under CACHE_ROOT/accel/) does not say
 * otherwise; if that boot is not ready within VNL_KVM_TRIAL_MS, kill it, record the verdict,
 * say so, and boot under TCG. A guest of a foreign architecture gets TCG (KVM cannot run
 * it). On failure prints what went wrong with the console tail.
 */
int vnl_qemu_boot(const struct vnl_qemu_cfg *cfg, const char *cache_root, int ready_ms,
		  struct vnl_booted *out);
/* Power the guest off through its agent (then stop qemu), close everything. */
void vnl_booted_shutdown(struct vnl_booted *b, int grace_ms);

#endif
