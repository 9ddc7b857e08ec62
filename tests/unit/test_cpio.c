/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The newc writer, checked by an independent reader of the format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cpio.h"

struct entry {
	char name[256];
	unsigned mode, nlink, rmajor, rminor;
	size_t size;
	const unsigned char *data;
};

static unsigned hex8(const unsigned char *p)
{
	char buf[9];
	memcpy(buf, p, 8);
	buf[8] = 0;
	return (unsigned)strtoul(buf, NULL, 16);
}

/* Parse one entry at *off; returns 0 at the trailer, 1 for an entry. */
static int next_entry(const unsigned char *a, size_t len, size_t *off, struct entry *e)
{
	assert_true(*off + 110 <= len);
	assert_memory_equal(a + *off, "070701", 6);
	const unsigned char *h = a + *off;
	e->mode = hex8(h + 14);
	e->nlink = hex8(h + 38);
	e->size = hex8(h + 54);
	e->rmajor = hex8(h + 78);
	e->rminor = hex8(h + 86);
	size_t namesize = hex8(h + 94);
	assert_true(namesize > 0 && namesize <= sizeof(e->name));
	memcpy(e->name, h + 110, namesize);
	assert_int_equal(e->name[namesize - 1], 0);
	*off += 110 + namesize;
	*off = (*off + 3) & ~(size_t)3;
	e->data = a + *off;
	*off += e->size;
	*off = (*off + 3) & ~(size_t)3;
	assert_true(*off <= len);
	return strcmp(e->name, "TRAILER!!!") != 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void write_sample(const char *path, int level, const char *src)
{
	struct vnl_cpio *c = vnl_cpio_create(path, level);
	assert_non_null(c);
	assert_int_equal(vnl_cpio_add_dir(c, "bin", 0755), 0);
	assert_int_equal(vnl_cpio_add_data(c, "init", 0755, "#!/bin/sh\n", 10), 0);
	assert_int_equal(vnl_cpio_add_symlink(c, "bin/sh", "/bin/busybox"), 0);
	assert_int_equal(vnl_cpio_add_chardev(c, "dev/console", 0600, 5, 1), 0);
	assert_int_equal(vnl_cpio_add_file(c, "etc/copy", 0644, src), 0);
	assert_int_equal(vnl_cpio_add_data(c, "empty", 0644, "", 0), 0);
	assert_int_equal(vnl_cpio_finish(c), 0);
}

static void test_layout(void **state)
{
	(void)state;
	char src[] = "/tmp/vnl-cpio-srcXXXXXX", out[] = "/tmp/vnl-cpioXXXXXX";
	int fd = mkstemp(src);
	assert_true(write(fd, "hello, guest", 12) == 12);
	close(fd);
	close(mkstemp(out));
	write_sample(out, 0, src);

	size_t len, off = 0;
	unsigned char *a = slurp(out, &len);
	struct entry e;
	assert_int_equal(len % 4, 0);
	assert_int_equal(next_entry(a, len, &off, &e), 1);
	assert_string_equal(e.name, "bin");
	assert_int_equal(e.mode, S_IFDIR | 0755);
	assert_int_equal(e.nlink, 2);
	assert_int_equal(next_entry(a, len, &off, &e), 1);
	assert_string_equal(e.name, "init");
	assert_int_equal(e.mode, S_IFREG | 0755);
	assert_int_equal(e.size, 10);
	assert_memory_equal(e.data, "#!/bin/sh\n", 10);
	assert_int_equal(next_entry(a, len, &off, &e), 1);
	assert_int_equal(e.mode, S_IFLNK | 0777);
	assert_int_equal(e.size, 12);
	assert_memory_equal(e.data, "/bin/busybox", 12);
	assert_int_equal(next_entry(a, len, &off, &e), 1);
	assert_int_equal(e.mode, S_IFCHR | 0600);
	assert_int_equal(e.rmajor, 5);
	assert_int_equal(e.rminor, 1);
	assert_int_equal(next_entry(a, len, &off, &e), 1);
	assert_string_equal(e.name, "etc/copy");
	assert_int_equal(e.size, 12);
	assert_memory_equal(e.data, "hello, guest", 12);
	assert_int_equal(next_entry(a, len, &off, &e), 1);
	assert_int_equal(e.size, 0);
	assert_int_equal(next_entry(a, len, &off, &e), 0);
	assert_int_equal(off, len);
	free(a);

	/* the gzip output decompresses to exactly the plain archive */
	char gz[] = "/tmp/vnl-cpio-gzXXXXXX";
	close(mkstemp(gz));
	write_sample(gz, 6, src);
	size_t plain_len;
	unsigned char *plain = slurp(out, &plain_len);
	unsigned char *inflated = malloc(1 << 20);
	gzFile g = gzopen(gz, "rb");
	assert_non_null(g);
	int n = gzread(g, inflated, 1 << 20);
	gzclose(g);
	assert_int_equal((size_t)n, plain_len);
	assert_memory_equal(inflated, plain, plain_len);
	free(plain);
	free(inflated);
	unlink(src);
	unlink(out);
	unlink(gz);
}

static void test_bad_input(void **state)
{
	(void)state;
	char out[] = "/tmp/vnl-cpioXXXXXX";
	close(mkstemp(out));
	struct vnl_cpio *c = vnl_cpio_create(out, 0);
	assert_non_null(c);
	assert_int_equal(vnl_cpio_add_dir(c, "/abs", 0755), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(vnl_cpio_add_dir(c, "", 0755), -1);
	assert_int_equal(vnl_cpio_add_file(c, "x", 0644, "/nonexistent/vnl"), -1);
	assert_int_equal(vnl_cpio_add_file(c, "x", 0644, "/tmp"), -1); /* not a regular file */
	vnl_cpio_abort(c);
	assert_int_equal(access(out, F_OK), -1);
	assert_null(vnl_cpio_create("/nonexistent/dir/out.cpio", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
