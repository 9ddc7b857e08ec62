/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Does this host have hugepages free for a guest's memory: a hugetlbfs mount
 * and enough free pages of its size (/proc/meminfo, /proc/mounts). vnetlat
 * never reserves pages or mounts hugetlbfs itself: that is the host's
 * configuration (vm.nr_hugepages, hugepages= on the kernel command line).
 */
#ifndef VNL_HUGEPAGES_H
#define VNL_HUGEPAGES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when MB of the default page size are free on a hugetlbfs mount (its
 * directory into mount). Either way said gets the reason, e.g. "hugepages
 * (/dev/hugepages, 128 free of 2048 kB)" or "no free hugepages (HugePages_Free 0)".
 */
bool vnl_hugepages_for(unsigned mb, char *mount, size_t mount_len, char *said, size_t said_len);

/* The same from the text of /proc/meminfo and /proc/mounts (tests). */
bool vnl_hugepages_from(const char *meminfo, const char *mounts, unsigned mb, char *mount,
			size_t mount_len, char *said, size_t said_len);

#endif
