// SPDX-License-Identifier: GPL-2.0-or-later
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

/* errno for "exists but is not a regular file" (a FIFO, device, directory). */
#define ENOTREGULAR EINVAL

/* O_NONBLOCK so that opening a FIFO cannot wait for its other end; it is
 * cleared once the file is known to be regular. */
static int open_regular(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == ENXIO ? (errno = ENOTREGULAR, -1) : -1; /* a FIFO without reader */
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENOTREGULAR;
		return -1;
	}
	if (fcntl(fd, F_SETFL, flags & O_APPEND) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int vnl_file_create(const char *path, bool truncate)
{
	int fd = open_regular(path, O_WRONLY | O_CREAT, VNL_FILE_MODE);
	if (fd < 0)
		return -1;
	/* O_TRUNC only after the checks: a FIFO or device is never touched. */
	if ((truncate && ftruncate(fd, 0)) || fchmod(fd, VNL_FILE_MODE)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

FILE *vnl_file_create_stream(const char *path, bool truncate)
{
	int fd = vnl_file_create(path, truncate);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (fd >= 0 && !f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

const char *vnl_file_why(int err)
{
	if (err == ELOOP)
		return "it is a symbolic link, which vnetlat does not follow (name the file itself)";
	if (err == ENOTREGULAR)
		return "it is not a regular file (a FIFO, device or directory; name a regular file)";
	return strerror(err);
}

struct vnl_replace {
	FILE *f;
	char tmp[PATH_MAX];
	char path[PATH_MAX];
};

struct vnl_replace *vnl_replace_open(const char *path)
{
	struct vnl_replace *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	size_t n = strlen(path);
	if (n + sizeof(".XXXXXX") > sizeof(r->tmp)) {
		free(r);
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(r->path, path, n + 1);
	memcpy(r->tmp, path, n);
	memcpy(r->tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	int fd = mkostemp(r->tmp, O_CLOEXEC); /* O_EXCL, unpredictable name: nothing planted */
	if (fd < 0 || fchmod(fd, VNL_FILE_MODE) || !(r->f = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(r->tmp);
		}
		free(r);
		errno = e;
		return NULL;
	}
	return r;
}

FILE *vnl_replace_stream(struct vnl_replace *r)
{
	return r->f;
}

int vnl_replace_commit(struct vnl_replace *r)
{
	bool bad = ferror(r->f) != 0;
	int e = bad ? EIO : 0;
	if (fclose(r->f) == EOF && !e)
		e = errno;
	if (!e && rename(r->tmp, r->path))
		e = errno;
	if (e)
		unlink(r->tmp);
	free(r);
	errno = e;
	return e ? -1 : 0;
}

void vnl_replace_abort(struct vnl_replace *r)
{
	if (!r)
		return;
	fclose(r->f);
	unlink(r->tmp);
	free(r);
}

int vnl_replace_write(const char *path, const void *data, size_t len)
{
	struct vnl_replace *r = vnl_replace_open(path);
	if (!r)
		return -1;
	if (len && fwrite(data, 1, len, r->f) != len) {
		int e = errno ? errno : EIO;
		vnl_replace_abort(r);
		errno = e;
		return -1;
	}
	return vnl_replace_commit(r);
}

static void human_size(off_t n, char *out, size_t len)
{
	if (n >= 1 << 20)
		snprintf(out, len, "%.1f MiB", (double)n / (1 << 20));
	else if (n >= 1 << 10)
		snprintf(out, len, "%.1f KiB", (double)n / (1 << 10));
	else
		snprintf(out, len, "%lld bytes", (long long)n);
}

static int open_input(const char *path, const char *what, off_t max, off_t *size, char *err,
		      size_t errlen)
{
	/* Symlinks are followed here: reading through one hurts nobody. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "cannot read the %s '%s': %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the %s '%s' is %s, not a regular file: name a regular file", what,
			 path, S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
			 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a socket");
		close(fd);
		return -1;
	}
	if (max && st.st_size > max) {
		char have[32], limit[32];
		human_size(st.st_size, have, sizeof(have));
		human_size(max, limit, sizeof(limit));
		snprintf(err, errlen, "the %s '%s' is %s; a %s is at most %s: is it the right file?", what,
			 path, have, what, limit);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	*size = st.st_size;
	return fd;
}

FILE *vnl_file_open_input(const char *path, const char *what, off_t max, char *err, size_t errlen)
{
	off_t size;
	int fd = open_input(path, what, max, &size, err, errlen);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read the %s '%s': %s", what, path, strerror(errno));
		close(fd);
	}
	return f;
}

char *vnl_file_read_input(const char *path, const char *what, off_t max, size_t *len, char *err,
			  size_t errlen)
{
	off_t size;
	int fd = open_input(path, what, max, &size, err, errlen);
	if (fd < 0)
		return NULL;
	char *buf = malloc((size_t)size + 1);
	size_t got = 0;
	while (buf && got < (size_t)size) {
		/* Reads at most the size seen: a file growing meanwhile stays bounded. */
		ssize_t n = read(fd, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int e = errno;
	close(fd);
	if (!buf || got < (size_t)size) {
		snprintf(err, errlen, "cannot read the %s '%s': %s", what, path,
			 buf ? (e ? strerror(e) : "it shrank while being read") : "out of memory");
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void vnl_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
