/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"

bool vnl_netns_name_ok(const char *name)
{
	return name && *name && strlen(name) < NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

static void netns_path(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", VNL_NETNS_DIR, name);
}

bool vnl_netns_exists(const char *name)
{
	char path[PATH_MAX];
	if (!vnl_netns_name_ok(name))
		return false;
	netns_path(name, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/*
 * Like iproute2: /run/netns is a shared mount point, so a namespace mounted
 * there is seen from every mount namespace, also ones made later.
 */
static int prepare_netns_dir(void)
{
	if (mkdir(VNL_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	bool bound = false;
	while (mount("", VNL_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* EINVAL: not a mount point yet; make it one by binding it onto itself. */
		if (errno != EINVAL || bound)
			return -1;
		if (mount(VNL_NETNS_DIR, VNL_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return -1;
		bound = true;
	}
	return 0;
}

/* unshare() a new namespace for this thread, pin it on path, and come back. */
static int pin_new_netns(const char *path)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -1;
	int ret = -1;
	if (unshare(CLONE_NEWNET) == 0) {
		ret = mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL);
		int saved = errno;
		if (setns(home, CLONE_NEWNET) < 0) {
			/* Never carry on in the wrong namespace. */
			perror("vnetlat: cannot return to the original network namespace");
			abort();
		}
		errno = saved;
	}
	close(home);
	return ret;
}

int vnl_netns_create(const char *name)
{
	char path[PATH_MAX];
	if (!vnl_netns_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	if (prepare_netns_dir() < 0)
		return -1;
	netns_path(name, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	close(fd);
	if (pin_new_netns(path) < 0) {
		int saved = errno;
		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

int vnl_netns_pin_current(const char *path)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	close(fd);
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		int saved = errno;
		unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

int vnl_netns_unpin(const char *path)
{
	/* EINVAL: the file is there but nothing is mounted on it (creation was cut short). */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int vnl_netns_remove(const char *name)
{
	char path[PATH_MAX];
	if (!vnl_netns_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	netns_path(name, path, sizeof(path));
	return vnl_netns_unpin(path);
}

int vnl_netns_open(const char *name)
{
	char path[PATH_MAX];
	if (!vnl_netns_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	netns_path(name, path, sizeof(path));
	return open(path, O_RDONLY | O_CLOEXEC);
}

int vnl_netns_ident(const char *name, dev_t *dev, ino_t *ino)
{
	char path[PATH_MAX];
	struct stat st;
	if (!vnl_netns_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	netns_path(name, path, sizeof(path));
	if (stat(path, &st) < 0)
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int vnl_netns_pids(const char *name, pid_t *pids, int n)
{
	dev_t dev;
	ino_t ino;
	if (vnl_netns_ident(name, &dev, &ino) < 0)
		return -1;
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	int found = 0;
	struct dirent *de;
	while (found < n && (de = readdir(proc))) {
		char path[64];
		struct stat st;
		if (!all_digits(de->d_name))
			continue;
		pid_t pid = (pid_t)atol(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		/* A process that exits meanwhile simply fails the stat. */
		if (pid == getpid() || stat(path, &st) < 0)
			continue;
		if (st.st_dev == dev && st.st_ino == ino)
			pids[found++] = pid;
	}
	closedir(proc);
	return found;
}

/*
 * A private view of /sys that lists the namespace's own interfaces. Unlike
 * `ip netns exec`, the BPF filesystem is carried over, so pinned programs and
 * maps stay reachable inside a lab node.
 */
static void remount_sys(const char *name)
{
	struct statvfs sv;
	unsigned long flags = 0;
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags = MS_RDONLY;
	if (unshare(CLONE_NEWNS) < 0 || mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0) {
		vnl_notice("/sys still shows the host's interfaces (%s); the network itself is %s's",
			   strerror(errno), name);
		return;
	}
	/* A detached copy of the bpffs mount (absent: -1, nothing to carry). */
	int bpffs = open_tree(AT_FDCWD, "/sys/fs/bpf", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (umount2("/sys", MNT_DETACH) < 0 || mount(name, "/sys", "sysfs", flags, NULL) < 0)
		vnl_notice("/sys still shows the host's interfaces (%s); the network itself is %s's",
			   strerror(errno), name);
	else if (bpffs >= 0 &&
		 move_mount(bpffs, "", AT_FDCWD, "/sys/fs/bpf", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		vnl_notice("pinned BPF objects are not reachable in %s (/sys/fs/bpf: %s)", name,
			   strerror(errno));
	if (bpffs >= 0)
		close(bpffs);
}

int vnl_netns_enter(const char *name)
{
	int fd = vnl_netns_open(name);
	if (fd < 0)
		return -1;
	int ret = setns(fd, CLONE_NEWNET);
	int saved = errno;
	close(fd);
	if (ret < 0) {
		errno = saved;
		return -1;
	}
	remount_sys(name);
	return 0;
}
