/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The passthrough lab: a PCI device or SR-IOV VF (--pci BDF) bound to
 * vfio-pci and given to the guest. It needs an IOMMU the kernel uses, the
 * vfio-pci driver and the device; where one is missing, `up` refuses before
 * making anything and says how to get it.
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "topo.h"
#include "topo_guest.h"

#define IOMMU_GROUPS "/sys/kernel/iommu_groups"

/* An IOMMU the kernel uses has at least one group. */
bool vnl_topo_iommu_present(void)
{
	DIR *d = opendir(IOMMU_GROUPS);
	if (!d)
		return false;
	struct dirent *e;
	bool any = false;
	while (!any && (e = readdir(d)))
		any = e->d_name[0] != '.';
	closedir(d);
	return any;
}

bool vnl_topo_pci_bdf_ok(const char *bdf)
{
	unsigned dom, bus, dev, fn;
	char end;
	return sscanf(bdf, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) == 4 && strlen(bdf) == 12;
}

int vnl_topo_passthrough_check(const struct vnl_lab_opts *opts)
{
	char path[300];
	if (vnl_topo_vm_check(opts) < 0)
		return -1;
	if (!vnl_topo_iommu_present()) {
		vnl_err("passthrough needs an IOMMU, and this host has none in use (%s is empty); "
			"nothing was created. To get one: enable VT-d (Intel) or AMD-Vi/IOMMU in the "
			"firmware, boot with intel_iommu=on (or amd_iommu=on) iommu=pt, load vfio-pci "
			"('modprobe vfio-pci'), and use a NIC with SR-IOV (create a VF with 'echo 1 > "
			"/sys/class/net/IF/device/sriov_numvfs'). In a VM, the hypervisor must give it a "
			"virtual IOMMU (qemu: -device intel-iommu)", IOMMU_GROUPS);
		return -1;
	}
	if (!opts->pci) {
		vnl_err("passthrough needs --pci BDF, the device to give the guest (e.g. 0000:03:10.0; "
			"'lspci -D' lists them); nothing was created");
		return -1;
	}
	if (!vnl_topo_pci_bdf_ok(opts->pci)) {
		vnl_err("--pci %s is not a PCI address DDDD:BB:DD.F (e.g. 0000:03:10.0)", opts->pci);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", opts->pci);
	if (access(path, F_OK) < 0) {
		vnl_err("there is no PCI device %s (%s); 'lspci -D' lists the devices; for an SR-IOV VF "
			"create it first ('echo 1 > /sys/class/net/IF/device/sriov_numvfs')", opts->pci,
			path);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", opts->pci);
	if (access(path, F_OK) < 0) {
		vnl_err("PCI device %s is in no IOMMU group, so it cannot be handed to a guest; check "
			"the IOMMU settings (intel_iommu=on / amd_iommu=on)", opts->pci);
		return -1;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK) < 0) {
		vnl_err("the vfio-pci driver is not loaded; load it with 'modprobe vfio-pci' "
			"(CONFIG_VFIO_PCI)");
		return -1;
	}
	return 0;
}

/* ---- binding the device to vfio-pci, and back ---- */

static int write_sysfs(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	int ok = fputs(value, f) >= 0;
	/* sysfs reports a refused write when the file is closed */
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : -1;
}

/* The driver a device is bound to now ("" for none). */
static void current_driver(const char *dev_dir, char *buf, size_t len)
{
	char link[320], target[PATH_MAX];
	snprintf(link, sizeof(link), "%s/driver", dev_dir);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	buf[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(buf, len, "%s", strrchr(target, '/') + 1);
	}
}

int vnl_pci_restore(const struct vnl_obj *obj)
{
	const char *bdf = strrchr(obj->path, '/');
	char path[400], now[64];
	if (!bdf || access(obj->path, F_OK) < 0)
		return 0; /* the device is gone (a VF whose PF dropped it) */
	bdf++;
	current_driver(obj->path, now, sizeof(now));
	if (now[0] && strcmp(now, obj->name)) {
		snprintf(path, sizeof(path), "%s/driver/unbind", obj->path);
		if (write_sysfs(path, bdf) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/driver_override", obj->path);
	if (write_sysfs(path, "\n") < 0)
		return -1;
	if (!obj->name[0] || !strcmp(now, obj->name))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", obj->name);
	return write_sysfs(path, bdf);
}

void vnl_pci_print_restore(const struct vnl_obj *obj)
{
	const char *bdf = strrchr(obj->path, '/');
	bdf = bdf ? bdf + 1 : obj->path;
	printf("echo %s > %s/driver/unbind\n", bdf, obj->path);
	printf("echo > %s/driver_override\n", obj->path);
	if (obj->name[0])
		printf("echo %s > /sys/bus/pci/drivers/%s/bind\n", bdf, obj->name);
}

static int bind_vfio(struct vnl_lab_builder *b, const char *bdf)
{
	char dev_dir[200], path[400], driver[64];
	snprintf(dev_dir, sizeof(dev_dir), "/sys/bus/pci/devices/%s", bdf);
	if (b->dry_run) {
		printf("echo %s > %s/driver/unbind   # if it has a driver\n", bdf, dev_dir);
		printf("echo vfio-pci > %s/driver_override\n", dev_dir);
		printf("echo %s > /sys/bus/pci/drivers/vfio-pci/bind\n", bdf);
		return 0;
	}
	current_driver(dev_dir, driver, sizeof(driver));
	if (!strcmp(driver, "vfio-pci")) {
		vnl_err("%s is bound to vfio-pci already (another VM may use it); nothing was changed",
			bdf);
		return -1;
	}
	struct vnl_obj obj = { .type = VNL_OBJ_PCI_DRIVER };
	snprintf(obj.path, sizeof(obj.path), "%s", dev_dir);
	snprintf(obj.name, sizeof(obj.name), "%s", driver);
	if (vnl_lab_record(b, &obj) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/driver_override", dev_dir);
	if (write_sysfs(path, "vfio-pci") < 0) {
		vnl_errno("cannot write %s", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/driver/unbind", dev_dir);
	if (driver[0] && write_sysfs(path, bdf) < 0) {
		vnl_errno("cannot unbind %s from %s (%s)", bdf, driver, path);
		return -1;
	}
	if (write_sysfs("/sys/bus/pci/drivers/vfio-pci/bind", bdf) < 0) {
		vnl_errno("cannot bind %s to vfio-pci (are all devices of its IOMMU group unbound or "
			  "on vfio-pci? see %s/iommu_group/devices)", bdf, dev_dir);
		return -1;
	}
	return 0;
}

int vnl_topo_passthrough_build(struct vnl_lab_builder *b)
{
	struct vnl_vm vm;
	vnl_vm_names(&vm, b->lab);
	const char *bdf = b->opts->pci ? b->opts->pci : "DDDD:BB:DD.F";
	/* qemu runs in LAB-h like in the other labs; the guest's NIC is the device itself. */
	const struct vnl_vm_nic nic = { .backend_if = "", .tap_fd = -1, .pci = bdf };
	return vnl_vm_run_dir(b, &vm) < 0 || vnl_lab_step_netns(b, vm.host_ns) < 0 ||
			       vnl_lab_step_up(b, vm.host_ns, "lo") < 0 || bind_vfio(b, bdf) < 0 ||
			       vnl_vm_guest(b, &vm, &nic) < 0
		       ? -1
		       : 0;
}
