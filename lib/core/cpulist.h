/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel CPU lists ("0-3,6", "2-7:2", "1,0"), as /sys prints them and as
 * options and job keys take them (pure: parsed from untrusted text, fuzzed
 * through the job file).
 */
#ifndef VNL_CPULIST_H
#define VNL_CPULIST_H

/*
 * Whether CPU is in LIST, a kernel CPU list ("0-3,6", "1", "" none, "2-7:2" with a
 * stride). -1 when LIST is not a CPU list.
 */
int vnl_cpulist_has(const char *list, int cpu);
/* The number of CPUs in LIST, or -1 when it is not a CPU list. */
int vnl_cpulist_count(const char *list);
/* The highest CPU in LIST: -1 when LIST is empty or not a CPU list. */
int vnl_cpulist_max(const char *list);
/* The Nth CPU (from 0) of LIST in the order written ("1,0": 1 then 0); -1 past its end. */
int vnl_cpulist_nth(const char *list, int n);

#endif
