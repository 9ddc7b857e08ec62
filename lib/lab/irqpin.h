/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `lab up --uplink NIC --irq-cpus LIST`: the NIC's interrupts steered to CPUs
 * (as the published study put the NIC's queues' IRQs on chosen CPUs), each
 * IRQ's affinity before recorded write-ahead in the lab state so `lab down`
 * gives it back. A virtual device (veth, dummy) has no IRQs of its own: that
 * is refused before anything is made.
 */
#ifndef VNL_IRQPIN_H
#define VNL_IRQPIN_H

#include <stddef.h>

#include "labbuild.h"

#define VNL_IRQPIN_MAX 64

/*
 * The IRQs of interface IFNAME in this network namespace: its device's MSI/MSI-X
 * vectors (SYSFS/class/net/IFNAME/device/msi_irqs) or its legacy line
 * (.../device/irq). SYSFS: "/sys" (tests give a tree of their own). The number
 * found (0: none, a virtual device), at most MAX.
 */
int vnl_irq_of(const char *sysfs, const char *ifname, int *irqs, int max);

/*
 * PROC/irq/IRQ/smp_affinity_list: read into WAS (when not NULL), then write CPUS and
 * read back into NOW. 0, or -1 with errno (the kernel refuses managed IRQs: EIO).
 */
int vnl_irq_affinity_set(const char *proc, int irq, const char *cpus, char *was, char *now,
			 size_t len);

/* Check --irq-cpus for IFNAME before anything is made: -1 with a message when it cannot be. */
int vnl_irqpin_check(const char *ifname, const char *cpus);
/* Steer IFNAME's IRQs to CPUS, each recorded first (dry run: the commands). */
int vnl_irqpin_apply(struct vnl_lab_builder *b, const char *ifname, const char *cpus);
/* lab down: the IRQ's affinity as it was (obj->path the affinity file, obj->name the list). */
int vnl_irqpin_restore(const struct vnl_obj *obj);
void vnl_irqpin_print_restore(const struct vnl_obj *obj);

#endif
