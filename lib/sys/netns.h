/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Named network namespaces, the iproute2 way: a namespace NAME is kept alive
 * by a bind mount of its nsfs file on /run/netns/NAME, so `ip netns list`,
 * `ip netns exec` and `ip -n` see ours and we see theirs.
 *
 * Functions return 0 or -1 with errno set unless said otherwise.
 */
#ifndef VNL_NETNS_H
#define VNL_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

#define VNL_NETNS_DIR "/run/netns"

/* A name usable as a file name in /run/netns (no '/', not "." or ".."). */
bool vnl_netns_name_ok(const char *name);
bool vnl_netns_exists(const char *name);
/* Create NAME (EEXIST if a namespace or file of that name is there already). */
int vnl_netns_create(const char *name);
/*
 * Remove NAME: detach its mount and unlink it. A name that is not there
 * counts as removed. The namespace itself lives on while a process is in it.
 */
int vnl_netns_remove(const char *name);
/*
 * Pin the caller's network namespace on path (a new file), as named ones are
 * pinned: a way back to it that outlives this process. vnl_netns_unpin
 * undoes it (a path that is not there counts as done).
 */
int vnl_netns_pin_current(const char *path);
int vnl_netns_unpin(const char *path);
/* An fd on the namespace (O_CLOEXEC), or -1. */
int vnl_netns_open(const char *name);
/* Device and inode that identify a namespace. */
int vnl_netns_ident(const char *name, dev_t *dev, ino_t *ino);
/* Pids of processes inside NAME, except the caller; returns how many were put in pids (max n). */
int vnl_netns_pids(const char *name, pid_t *pids, int n);
/*
 * Move the calling process into NAME for good, as `ip netns exec` does:
 * network namespace, plus a private mount namespace with /sys remounted so
 * it shows the namespace's interfaces. A failing /sys remount is only a notice.
 */
int vnl_netns_enter(const char *name);

#endif
