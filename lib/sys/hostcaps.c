// SPDX-License-Identifier: GPL-2.0-or-later
#include "hostcaps.h"
#include "runcmd.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

bool vnl_caps_kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	return ok;
}

bool vnl_caps_iommu(void)
{
	DIR *d = opendir("/sys/kernel/iommu_groups");
	if (!d)
		return false;
	struct dirent *e;
	bool any = false;
	while (!any && (e = readdir(d)))
		any = e->d_name[0] != '.';
	closedir(d);
	return any;
}

bool vnl_caps_vlan(void)
{
	/* /proc/net/vlan appears when 802.1Q is built in or its module is loaded */
	return access("/proc/net/vlan", F_OK) == 0 || access("/sys/module/8021q", F_OK) == 0;
}

/* Whether modules.builtin or modules.dep of the running kernel names MODULE.ko. */
static bool module_listed(const char *list, const char *module)
{
	struct utsname u;
	char path[300], line[512], want[80];
	if (uname(&u) < 0)
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/%s", u.release, list);
	snprintf(want, sizeof(want), "/%s.ko", module);
	FILE *f = fopen(path, "re");
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (colon)
			*colon = '\0';
		line[strcspn(line, "\n")] = '\0';
		char *ko = strstr(line, want);
		found = ko && (ko[strlen(want)] == '\0' || ko[strlen(want)] == '.');
	}
	if (f)
		fclose(f);
	return found;
}

bool vnl_caps_qdisc(const char *kind)
{
	char module[64], path[96];
	snprintf(module, sizeof(module), "sch_%s", kind);
	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return access(path, F_OK) == 0 || module_listed("modules.builtin", module) ||
	       module_listed("modules.dep", module);
}

bool vnl_caps_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

bool vnl_caps_wireless(const char *ifname)
{
	char path[300], path2[300];
	snprintf(path, sizeof(path), "/sys/class/net/%s/wireless", ifname);
	snprintf(path2, sizeof(path2), "/sys/class/net/%s/phy80211", ifname);
	return access(path, F_OK) == 0 || access(path2, F_OK) == 0;
}

bool vnl_caps_preempt_rt(const char *uname_v)
{
	char rt[8];
	vnl_read_line("/sys/kernel/realtime", rt, sizeof(rt));
	return !strcmp(rt, "1") || strstr(uname_v, "PREEMPT_RT") != NULL;
}
