/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A writer for "newc" cpio archives, the format the Linux kernel unpacks as an
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
 * Output is gzip-compressed or plain. Entries are written in the order given:
 * add a directory before what it contains.
 */
#ifndef VNL_CPIO_H
#define VNL_CPIO_H

#include <stddef.h>
#include <sys/types.h>

struct vnl_cpio;

/* Create PATH; gzip_level 1..9 compresses, 0 writes a plain archive. NULL + errno on failure. */
struct vnl_cpio *vnl_cpio_create(const char *path, int gzip_level);
/* Each returns 0, or -1 with errno set (EINVAL for a bad name, EIO for a write error). */
int vnl_cpio_add_dir(struct vnl_cpio *c, const char *name, mode_t perm);
int vnl_cpio_add_data(struct vnl_cpio *c, const char *name, mode_t perm, const void *data, size_t len);
/* Copies the content of SRC (a regular file on the host) under NAME. */
int vnl_cpio_add_file(struct vnl_cpio *c, const char *name, mode_t perm, const char *src);
int vnl_cpio_add_symlink(struct vnl_cpio *c, const char *name, const char *target);
/* A character device node (e.g. dev/console, 5:1). */
int vnl_cpio_add_chardev(struct vnl_cpio *c, const char *name, mode_t perm,
			 unsigned major, unsigned minor);
/* Writes the trailer and closes; returns 0, or -1 if any write failed. Always frees C. */
int vnl_cpio_finish(struct vnl_cpio *c);
/* Closes and removes the partial file (after an error). */
void vnl_cpio_abort(struct vnl_cpio *c);

#endif
