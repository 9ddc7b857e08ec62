/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The passthrough lab: a PCI device or SR-IOV VF (--pci BDF) bound to
 * vfio-pci and given to the guest. It needs an IOMMU the kernel uses, the
 * vfio-pci driver and the device; where one is missing, `up` refuses before
 * making anything and says how to get it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "topo.h"
#include "topo_guest.h"

#define IOMMU_GROUPS "/sys/kernel/iommu_groups"

static bool dir_has_entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool any = false;
	while (!any && (e = readdir(d)))
		any = e->d_name[0] != '.';
	closedir(d);
	return any;
}

static bool bdf_ok(const char *bdf)
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
	if (!dir_has_entries(IOMMU_GROUPS)) {
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
	if (!bdf_ok(opts->pci)) {
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

int vnl_topo_passthrough_build(struct vnl_lab_builder *b)
{
	/* TODO(h9): bind to vfio-pci (driver_override), boot with -device vfio-pci,host=BDF,
	 * and undo the binding on down. */
	vnl_err("passthrough of %s: binding to vfio-pci is not done by this version of vnetlat",
		b->opts->pci ? b->opts->pci : "(no --pci)");
	return -1;
}
