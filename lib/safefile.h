/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files vnetlat writes and reads on a user's word, made safe to do as root.
 *  - Output: a symlink at the path is refused (never written through), so is
 *    anything but a regular file, and the mode is 0644 whatever the umask.
 *  - Whole-file replacement (status lines, reports, lab info): written to an
 *    unpredictable temporary beside the target (mkstemp), renamed over it
 *    only when every byte is out; the target is never seen half-written.
 *  - Input: only a regular file is read, and only up to a limit, so a FIFO,
 *    /dev/zero or a directory is refused at once instead of hanging, growing
 *    without bound or reading as "empty".
 */
#ifndef VNL_SAFEFILE_H
#define VNL_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The mode of every file vnetlat creates (not the caller's umask). */
#define VNL_FILE_MODE 0644

/* Open PATH to write: created 0644, or an existing regular file (emptied when
 * TRUNCATE). A symlink or non-regular file is refused with errno ELOOP or
 * EINVAL; the message helper below words them. Returns an fd or -1. */
int vnl_file_create(const char *path, bool truncate);

/* The same as a stream ("w"); NULL with errno set. */
FILE *vnl_file_create_stream(const char *path, bool truncate);

/* Why vnl_file_create or vnl_file_open_input failed, for a message:
 * "is a symbolic link (refused: ...)", or strerror(errno). */
const char *vnl_file_why(int err);

/* Whole-file replacement. */
struct vnl_replace;
/* Start replacing PATH (its directory must exist). NULL with errno set. */
struct vnl_replace *vnl_replace_open(const char *path);
/* The stream to write to. */
FILE *vnl_replace_stream(struct vnl_replace *r);
/* Flush, close and rename over the target; frees R. 0, or -1 with errno set
 * (the temporary is removed and the target left as it was). */
int vnl_replace_commit(struct vnl_replace *r);
/* Give up: remove the temporary, leave the target, free R. */
void vnl_replace_abort(struct vnl_replace *r);
/* Replace PATH with LEN bytes of DATA in one go. */
int vnl_replace_write(const char *path, const void *data, size_t len);

/* Open PATH to read if it is a regular file of at most MAX bytes (0: any
 * size). WHAT names it in the message ("job file"). NULL with a message in
 * ERR: what was wrong and what to do. */
FILE *vnl_file_open_input(const char *path, const char *what, off_t max, char *err, size_t errlen);
/* The whole of such a file, NUL-terminated, in malloc'd memory; *LEN its size. */
char *vnl_file_read_input(const char *path, const char *what, off_t max, size_t *len, char *err,
			  size_t errlen);

/* Remove PATH and all below it; symlinks in it are removed, never followed. */
void vnl_remove_tree(const char *path);

#endif
