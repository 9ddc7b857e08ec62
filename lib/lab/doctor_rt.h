/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vnetlat lab doctor --rt`: is this host set up as the published study's was
 * (PREEMPT_RT kernel, isolated CPUs that are also tickless and free of RCU
 * callbacks, the performance governor, SMT off), are the CPUs a run will use
 * isolated, and, for a VM lab, where the guest's vCPU threads may run. Every
 * check prints "ok", "PROBLEM" with the change to make, or "info".
 */
#ifndef VNL_DOCTOR_RT_H
#define VNL_DOCTOR_RT_H

/*
 * LAB: a VM lab whose qemu threads are checked too (NULL: the host only).
 * CPUS: a CPU list the user will run on ("" or NULL: none). VNL_EXIT_OK when
 * no problem was found, VNL_EXIT_FAIL when one was (or LAB is not up),
 * VNL_EXIT_USAGE when CPUS is not a list of this host's CPUs.
 */
int vnl_doctor_rt(const char *lab, const char *cpus);

#endif
