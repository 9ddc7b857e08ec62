/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct vnl_cpio {
	gzFile gz;        /* gzip output, or NULL */
	FILE *plain;      /* plain output, or NULL */
	char *path;
	unsigned long ino; /* the kernel only needs inode numbers unique per archive */
	unsigned long long offset;
	int failed;
};

static void emit(struct vnl_cpio *c, const void *buf, size_t len)
{
	if (c->failed || !len)
		return;
	int ok = c->gz ? gzwrite(c->gz, buf, (unsigned)len) == (int)len
		       : fwrite(buf, 1, len, c->plain) == len;
	if (!ok)
		c->failed = 1;
	c->offset += len;
}

/* newc pads the header+name and the data each to a multiple of 4 bytes. */
static void pad4(struct vnl_cpio *c)
{
	static const char zeros[4];
	emit(c, zeros, (4 - (c->offset & 3)) & 3);
}

static int valid_name(const char *name)
{
	return name && *name && *name != '/' && strlen(name) < 4096;
}

static int header(struct vnl_cpio *c, const char *name, mode_t mode, size_t size,
		  unsigned rmajor, unsigned rminor)
{
	char hdr[128];
	size_t namesize = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned)(c->ino++ & 0xffffffffu), (unsigned)mode, 0u, 0u,
		 S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned)size, 0u, 0u, rmajor & 0xffffffffu,
		 rminor & 0xffffffffu, (unsigned)namesize, 0u);
	emit(c, hdr, 110);
	emit(c, name, namesize);
	pad4(c);
	if (c->failed) {
		errno = EIO;
		return -1;
	}
	return 0;
}

struct vnl_cpio *vnl_cpio_create(const char *path, int gzip_level)
{
	struct vnl_cpio *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ino = 1;
	c->path = strdup(path);
	if (!c->path) {
		free(c);
		return NULL;
	}
	if (gzip_level > 0) {
		char mode[8];
		snprintf(mode, sizeof(mode), "wb%d", gzip_level > 9 ? 9 : gzip_level);
		c->gz = gzopen(path, mode);
	} else {
		c->plain = fopen(path, "wbe");
	}
	if (!c->gz && !c->plain) {
		int e = errno ? errno : EIO;
		free(c->path);
		free(c);
		errno = e;
		return NULL;
	}
	return c;
}

int vnl_cpio_add_dir(struct vnl_cpio *c, const char *name, mode_t perm)
{
	if (!valid_name(name))
		return errno = EINVAL, -1;
	return header(c, name, S_IFDIR | (perm & 07777), 0, 0, 0);
}

int vnl_cpio_add_data(struct vnl_cpio *c, const char *name, mode_t perm, const void *data, size_t len)
{
	if (!valid_name(name) || len > 0xffffffffu)
		return errno = EINVAL, -1;
	if (header(c, name, S_IFREG | (perm & 07777), len, 0, 0))
		return -1;
	emit(c, data, len);
	pad4(c);
	return c->failed ? (errno = EIO, -1) : 0;
}

int vnl_cpio_add_file(struct vnl_cpio *c, const char *name, mode_t perm, const char *src)
{
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char buf[65536];
	ssize_t n;
	size_t left;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 0xffffffffLL) {
		close(fd);
		return errno = EINVAL, -1;
	}
	if (!valid_name(name) || header(c, name, S_IFREG | (perm & 07777), (size_t)st.st_size, 0, 0)) {
		close(fd);
		return errno = EINVAL, -1;
	}
	/* Exactly the size announced in the header, even if the file changes meanwhile. */
	for (left = (size_t)st.st_size; left; left -= (size_t)n) {
		n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0) {
			close(fd);
			c->failed = 1;
			return errno = EIO, -1;
		}
		emit(c, buf, (size_t)n);
	}
	close(fd);
	pad4(c);
	return c->failed ? (errno = EIO, -1) : 0;
}

int vnl_cpio_add_symlink(struct vnl_cpio *c, const char *name, const char *target)
{
	if (!valid_name(name) || !target || !*target)
		return errno = EINVAL, -1;
	size_t len = strlen(target);
	if (header(c, name, S_IFLNK | 0777, len, 0, 0))
		return -1;
	emit(c, target, len);
	pad4(c);
	return c->failed ? (errno = EIO, -1) : 0;
}

int vnl_cpio_add_chardev(struct vnl_cpio *c, const char *name, mode_t perm,
			 unsigned major, unsigned minor)
{
	if (!valid_name(name))
		return errno = EINVAL, -1;
	return header(c, name, S_IFCHR | (perm & 07777), 0, major, minor);
}

static int close_output(struct vnl_cpio *c)
{
	int rc = 0;
	if (c->gz)
		rc = gzclose(c->gz) == Z_OK ? 0 : -1;
	else if (c->plain)
		rc = fclose(c->plain) ? -1 : 0;
	c->gz = NULL;
	c->plain = NULL;
	return rc;
}

int vnl_cpio_finish(struct vnl_cpio *c)
{
	header(c, "TRAILER!!!", 0, 0, 0, 0);
	int failed = c->failed;
	if (close_output(c))
		failed = 1;
	free(c->path);
	free(c);
	if (failed) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void vnl_cpio_abort(struct vnl_cpio *c)
{
	if (!c)
		return;
	close_output(c);
	unlink(c->path);
	free(c->path);
	free(c);
}
