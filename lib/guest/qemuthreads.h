/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The threads of a running qemu, told apart by the names it gives them with
 * -name debug-threads=on ("CPU 0/TCG", "CPU 1/KVM" for the vCPUs; the main
 * loop, I/O and worker threads otherwise), and pinning them to host CPUs:
 * the vCPU threads one per CPU, the others elsewhere.
 */
#ifndef VNL_QEMUTHREADS_H
#define VNL_QEMUTHREADS_H

#include <stddef.h>
#include <sys/types.h>

struct vnl_qemu_thread {
	pid_t tid;
	char comm[16];  /* as /proc/PID/task/TID/comm has it */
	int vcpu;       /* the vCPU index, -1 for the other threads */
};

/* Up to MAX threads of process PID into OUT; the number found, -1 when PID is not running. */
int vnl_qemu_threads(pid_t pid, struct vnl_qemu_thread *out, size_t max);

/*
 * Pin qemu PID's threads. VCPUS is a CPU list: one CPU puts every thread there;
 * one CPU per vCPU (in the order written) puts vCPU i on its CPU and the other
 * threads on EMULATOR (a CPU list; NULL: the CPUs this process may use that VCPUS
 * does not list, or VCPUS itself when it lists all of them). What was done goes
 * to SAID ("vCPU 0 -> CPU 1, vCPU 1 -> CPU 0, 3 other threads -> CPUs 0"); 0, or
 * -1 with the reason in SAID when a thread could not be pinned or a vCPU thread
 * was not found.
 */
int vnl_qemu_pin(pid_t pid, const char *vcpus, const char *emulator, char *said, size_t len);

/*
 * The vhost-net workers of qemu PID to SCHED_FIFO PRIO: the "vhost-PID" threads
 * in its thread group (Linux 6.4 and later) or the kernel threads of that name
 * (before). What was done, read back from the kernel, goes to SAID; 0, or -1
 * with the reason in SAID when there is none or one could not be raised.
 */
int vnl_qemu_vhost_fifo(pid_t pid, int prio, char *said, size_t len);

#endif
