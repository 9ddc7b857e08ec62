// SPDX-License-Identifier: GPL-2.0-or-later
#include "irqpin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labstate.h"
#include "log.h"
#include "runcmd.h"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int vnl_irq_of(const char *sysfs, const char *ifname, int *irqs, int max)
{
	char path[512];
	int n = 0;
	vnl_pathf(path, sizeof(path), "%s/class/net/%s/device/msi_irqs", sysfs, ifname);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)) && n < max)
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			irqs[n++] = atoi(e->d_name);
	if (d)
		closedir(d);
	if (n == 0) { /* no MSI: the legacy line, 0 when there is none */
		char line[32];
		vnl_pathf(path, sizeof(path), "%s/class/net/%s/device/irq", sysfs, ifname);
		vnl_read_line(path, line, sizeof(line));
		if (atoi(line) > 0 && max > 0)
			irqs[n++] = atoi(line);
	}
	qsort(irqs, (size_t)n, sizeof(*irqs), cmp_int);
	return n;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, len - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return w == (ssize_t)strlen(text) ? 0 : -1;
}

int vnl_irq_affinity_set(const char *proc, int irq, const char *cpus, char *was, char *now,
			 size_t len)
{
	char path[512];
	vnl_pathf(path, sizeof(path), "%s/irq/%d/smp_affinity_list", proc, irq);
	if (was && read_file(path, was, len) < 0)
		return -1;
	if (write_file(path, cpus) < 0)
		return -1;
	return read_file(path, now, len);
}

int vnl_irqpin_check(const char *ifname, const char *cpus)
{
	int irqs[VNL_IRQPIN_MAX];
	if (!ifname) {
		vnl_err("--irq-cpus %s: the lab's own wire is a veth, which has no IRQs; --irq-cpus "
			"steers the interrupts of a NIC lent with --uplink; nothing was created", cpus);
		return -1;
	}
	if (vnl_irq_of("/sys", ifname, irqs, VNL_IRQPIN_MAX) == 0) {
		vnl_err("--irq-cpus %s: %s has no IRQs of its own (no /sys/class/net/%s/device/msi_irqs "
			"or irq: a virtual device); give a NIC, or leave --irq-cpus out; nothing was "
			"created", cpus, ifname, ifname);
		return -1;
	}
	return 0;
}

int vnl_irqpin_apply(struct vnl_lab_builder *b, const char *ifname, const char *cpus)
{
	int irqs[VNL_IRQPIN_MAX];
	int n = vnl_irq_of("/sys", ifname, irqs, VNL_IRQPIN_MAX);
	for (int i = 0; i < n; i++) {
		struct vnl_obj obj = { .type = VNL_OBJ_IRQ_AFFINITY };
		vnl_pathf(obj.path, sizeof(obj.path), "/proc/irq/%d/smp_affinity_list", irqs[i]);
		if (read_file(obj.path, obj.name, sizeof(obj.name)) < 0) {
			vnl_errno("cannot read %s (IRQ %d of %s)", obj.path, irqs[i], ifname);
			return -1;
		}
		if (b->dry_run) {
			printf("echo %s > %s  # IRQ %d of %s; 'lab down': echo %s > %s\n", cpus, obj.path,
			       irqs[i], ifname, obj.name, obj.path);
			continue;
		}
		if (vnl_lab_record(b, &obj) < 0)
			return -1;
		char now[64];
		if (vnl_irq_affinity_set("/proc", irqs[i], cpus, NULL, now, sizeof(now)) < 0) {
			vnl_errno("cannot steer IRQ %d of %s to CPUs %s (%s)%s", irqs[i], ifname, cpus,
				  obj.path, errno == EIO ? ": the kernel manages this IRQ's affinity itself"
							 : "");
			return -1;
		}
		printf("uplink %s: IRQ %d -> CPUs %s (was %s)\n", ifname, irqs[i], now, obj.name);
	}
	return 0;
}

int vnl_irqpin_restore(const struct vnl_obj *obj)
{
	if (access(obj->path, F_OK) < 0)
		return 0; /* the device went away, and its IRQ with it */
	return write_file(obj->path, obj->name);
}

void vnl_irqpin_print_restore(const struct vnl_obj *obj)
{
	printf("echo %s > %s\n", obj->name, obj->path);
}
