/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running a helper program (apt-get, dpkg-deb, qemu --version) and capturing its output. */
#ifndef VNL_RUNCMD_H
#define VNL_RUNCMD_H

#include <stddef.h>

/*
 * Runs ARGV (NULL-terminated, looked up in PATH) in directory DIR (NULL: here), stdin
 * from /dev/null, stdout and stderr together into OUT (NUL-terminated, the last len-1
 * bytes kept when longer). Returns the exit status, 128+signal, or -1 (errno) if it
 * could not be started (127 when the program does not exist).
 */
int vnl_runcmd(const char *const argv[], const char *dir, char *out, size_t len);
/* snprintf for paths and messages that are cut at LEN when longer (never in practice:
 * PATH_MAX buffers); vsnprintf-based so the compiler does not flag every call. */
void vnl_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The first line of a small file (a /sys or /proc entry), without its newline; "" when
 * unreadable. */
void vnl_read_line(const char *path, char *buf, size_t len);
/* The last N lines of TEXT (a pointer into it). */
const char *vnl_tail_lines(const char *text, int n);

#endif
