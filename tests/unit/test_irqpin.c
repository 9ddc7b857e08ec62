// SPDX-License-Identifier: GPL-2.0-or-later
/* --irq-cpus: a NIC's IRQs from a /sys tree of the test's own, and an affinity file set and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "irqpin.h"

static char root[64];

static void sh(const char *fmt, const char *arg)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), fmt, root, arg);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/vnl-irqpin-XXXXXX");
	assert_non_null(mkdtemp(root));
	/* nic0: MSI-X vectors 35, 33, 34; nic1: a legacy line 11; veth0: no device */
	sh("mkdir -p %s/sys/class/net/nic0/device/msi_irqs %s", "");
	sh("touch %s/sys/class/net/nic0/device/msi_irqs/35 %s", "");
	sh("touch %s/sys/class/net/nic0/device/msi_irqs/33 %s", "");
	sh("touch %s/sys/class/net/nic0/device/msi_irqs/34 %s", "");
	sh("mkdir -p %s/sys/class/net/nic1/device && echo 11 >%s", "/dev/null");
	sh("echo 11 >%s/sys/class/net/nic1/device/irq%s", "");
	sh("mkdir -p %s/sys/class/net/veth0 %s", "");
	sh("mkdir -p %s/proc/irq/33 && echo 0-3 >%s", "/dev/null");
	sh("echo 0-3 >%s/proc/irq/33/smp_affinity_list%s", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void irqs_of_devices(void **state)
{
	(void)state;
	char sys[96];
	int irqs[8];
	snprintf(sys, sizeof(sys), "%s/sys", root);
	assert_int_equal(vnl_irq_of(sys, "nic0", irqs, 8), 3);
	assert_int_equal(irqs[0], 33);
	assert_int_equal(irqs[1], 34);
	assert_int_equal(irqs[2], 35);
	assert_int_equal(vnl_irq_of(sys, "nic0", irqs, 2), 2); /* at most MAX */
	assert_int_equal(vnl_irq_of(sys, "nic1", irqs, 8), 1);
	assert_int_equal(irqs[0], 11);
	assert_int_equal(vnl_irq_of(sys, "veth0", irqs, 8), 0);
	assert_int_equal(vnl_irq_of(sys, "nosuch", irqs, 8), 0);
}

static void affinity_set_and_read_back(void **state)
{
	(void)state;
	char proc[96], was[64], now[64];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	assert_int_equal(vnl_irq_affinity_set(proc, 33, "2", was, now, sizeof(now)), 0);
	assert_string_equal(was, "0-3");
	assert_string_equal(now, "2");
	/* as lab down gives it back */
	struct vnl_obj obj = { .type = VNL_OBJ_IRQ_AFFINITY, .name = "0-3" };
	snprintf(obj.path, sizeof(obj.path), "%s/irq/33/smp_affinity_list", proc);
	assert_int_equal(vnl_irqpin_restore(&obj), 0);
	assert_int_equal(vnl_irq_affinity_set(proc, 33, "1", was, now, sizeof(now)), 0);
	assert_string_equal(was, "0-3");
	/* an IRQ that is gone: nothing to give back, not an error */
	snprintf(obj.path, sizeof(obj.path), "%s/irq/99/smp_affinity_list", proc);
	assert_int_equal(vnl_irqpin_restore(&obj), 0);
	assert_int_equal(vnl_irq_affinity_set(proc, 99, "1", was, now, sizeof(now)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(irqs_of_devices),
		cmocka_unit_test(affinity_set_and_read_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
