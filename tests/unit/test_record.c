/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Record files: round trips through the background writer, damage of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "record.h"

#define HEADER_SIZE 256
#define BLOCK_HDR 16
#define RECORD 88
#define TRAILER (16 + 40)

static char tmpdir[] = "/tmp/vnl-test-record-XXXXXX";
static char path[sizeof(tmpdir) + 32];

static struct vnl_pkt make_pkt(uint64_t i)
{
	struct vnl_pkt p = {
		.seq = i,
		.sched = (int64_t)(1700000000000000000ull + i * 1000000),
		.app_tx_sched = (int64_t)(1700000000000000000ull + i * 1000000 + 3000 + i % 7),
		.app_tx = (int64_t)(1700000000000000000ull + i * 1000000 + 3100),
		.tx_sched = i % 11 ? (int64_t)(1700000000000000000ull + i * 1000000 + 5000) : 0,
		.tx_sw = (int64_t)(1700000000000000000ull + i * 1000000 + 6000),
		.tx_hw = i % 3 ? 0 : INT64_MAX - (int64_t)i,
		.rx_hw = i % 3 ? 0 : INT64_MIN + (int64_t)i,
		.rx_sw = (int64_t)(1700000000000000000ull + i * 1000000 + 20000 + i % 1000),
		.app_rx = (int64_t)(1700000000000000000ull + i * 1000000 + 30000),
		.flags = (uint32_t)(i % 16),
	};
	return p;
}

static struct vnl_record_meta make_meta(void)
{
	struct vnl_record_meta m = {
		.role = VNL_ROLE_RECV,
		.clock_id = CLOCK_TAI,
		.stream_id = 0xdeadbeef,
		.payload_size = 128,
		.start_ns = 1700000000123456789,
		.interval_ns = 1000000,
		.base_ns = -5,
		.transport = "udp6",
		.local = "[2001:db8::2]:4000",
		.peer = "[2001:db8::1]:39000",
		.clock_sync = "same-host",
	};
	return m;
}

static const struct vnl_record_summary summary_in = {
	.sent = 100005, .foreign = 3, .malformed = UINT64_MAX, .end_ns = 1700000100000000000, .interrupted = 1,
};

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/rec.vnl", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(tmpdir);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Write packets 0..n-1; a pause after `pause_after` packets forces a block boundary by time. */
static void write_file(uint64_t n, uint64_t pause_after)
{
	char err[256] = "";
	struct vnl_record_meta meta = make_meta();
	struct vnl_record_writer *w = vnl_record_create(path, &meta, err, sizeof(err));
	assert_non_null(w);
	for (uint64_t i = 0; i < n; i++) {
		struct vnl_pkt p = make_pkt(i);
		if (i == pause_after)
			sleep_ms(300);
		vnl_record_append(w, &p);
	}
	assert_int_equal(vnl_record_finish(w, &summary_in), 0);
}

static unsigned char *slurp(size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	unsigned char *b = malloc(*len + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

/* Read everything; every packet must be the one written at its position. */
struct readout {
	uint64_t packets;
	size_t batches;
	size_t batch_sizes[64];
};

static void read_all(struct vnl_record_reader *r, struct readout *o)
{
	const struct vnl_pkt *p;
	size_t n;
	memset(o, 0, sizeof(*o));
	while ((p = vnl_record_next(r, &n)) != NULL) {
		assert_true(n > 0 && n <= 4096);
		assert_int_equal((uintptr_t)p % _Alignof(struct vnl_pkt), 0);
		for (size_t i = 0; i < n; i++) {
			struct vnl_pkt want = make_pkt(o->packets + i);
			assert_memory_equal(&p[i], &want, sizeof(want));
		}
		if (o->batches < 64)
			o->batch_sizes[o->batches] = n;
		o->batches++;
		o->packets += n;
	}
	assert_null(vnl_record_next(r, &n)); /* stays at the end */
	assert_int_equal(n, 0);
	assert_int_equal(vnl_record_reader_packets(r), o->packets);
}

static void test_round_trip_100k(void **state)
{
	(void)state;
	const uint64_t n = 100005;
	write_file(n, UINT64_MAX);

	char err[256] = "";
	struct vnl_record_reader *r = vnl_record_open(path, err, sizeof(err));
	assert_non_null(r);
	struct vnl_record_meta want = make_meta();
	const struct vnl_record_meta *got = vnl_record_reader_meta(r);
	assert_int_equal(got->role, want.role);
	assert_int_equal(got->clock_id, want.clock_id);
	assert_int_equal(got->stream_id, want.stream_id);
	assert_int_equal(got->payload_size, want.payload_size);
	assert_int_equal(got->start_ns, want.start_ns);
	assert_int_equal(got->interval_ns, want.interval_ns);
	assert_int_equal(got->base_ns, want.base_ns);
	assert_string_equal(got->transport, want.transport);
	assert_string_equal(got->local, want.local);
	assert_string_equal(got->peer, want.peer);
	assert_string_equal(got->clock_sync, want.clock_sync);

	struct readout o;
	read_all(r, &o);
	assert_int_equal(o.packets, n);
	assert_true(o.batches >= (n + 4095) / 4096); /* several blocks */
	assert_null(vnl_record_reader_damage(r));
	struct vnl_record_summary s;
	assert_true(vnl_record_reader_summary(r, &s));
	assert_memory_equal(&s, &summary_in, sizeof(s));
	vnl_record_close(r);
}

/* Over-long strings in the metadata are cut, and always read back terminated. */
static void test_meta_strings_terminated(void **state)
{
	(void)state;
	char err[256] = "";
	struct vnl_record_meta meta = make_meta();
	memset(meta.peer, 'x', sizeof(meta.peer)); /* no terminator at all */
	struct vnl_record_writer *w = vnl_record_create(path, &meta, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(vnl_record_finish(w, &summary_in), 0);
	struct vnl_record_reader *r = vnl_record_open(path, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(strlen(vnl_record_reader_meta(r)->peer), sizeof(meta.peer) - 1);
	struct readout o;
	read_all(r, &o);
	assert_int_equal(o.packets, 0);
	assert_null(vnl_record_reader_damage(r));
	vnl_record_close(r);
}

/* Issue 9 item 9: a recorder's strings reach terminals; control bytes never do. */
static void test_meta_strings_printable(void **state)
{
	(void)state;
	char err[256] = "";
	struct vnl_record_meta meta = make_meta();
	snprintf(meta.transport, sizeof(meta.transport), "\x1b[2J");
	snprintf(meta.peer, sizeof(meta.peer), "\x1b]0;owned\a\n\xc2\x9b");
	struct vnl_record_writer *w = vnl_record_create(path, &meta, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(vnl_record_finish(w, &summary_in), 0);
	struct vnl_record_reader *r = vnl_record_open(path, err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(vnl_record_reader_meta(r)->transport, "?[2J");
	assert_string_equal(vnl_record_reader_meta(r)->peer, "?]0;owned????");
	vnl_record_close(r);
}

/* Issue 9 items 6 and 7: a symlink is not written through; a FIFO is not read. */
static void test_refuses_symlink_and_fifo(void **state)
{
	(void)state;
	char err[512] = "", target[600], link[600], fifo[600];
	struct vnl_record_meta meta = make_meta();
	snprintf(target, sizeof(target), "%s.target", path);
	snprintf(link, sizeof(link), "%s.link", path);
	snprintf(fifo, sizeof(fifo), "%s.fifo", path);
	FILE *t = fopen(target, "w");
	assert_non_null(t);
	fputs("keep", t);
	fclose(t);
	unlink(link);
	assert_int_equal(symlink(target, link), 0);
	assert_null(vnl_record_create(link, &meta, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	struct stat st;
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 4);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(vnl_record_open(fifo, err, sizeof(err)));
	assert_non_null(strstr(err, "FIFO"));
	unlink(link);
	unlink(target);
	unlink(fifo);
}

static FILE *open_prefix(unsigned char *b, size_t len)
{
	/* fmemopen refuses an empty buffer on some libcs */
	FILE *f = len ? fmemopen(b, len, "r") : fopen("/dev/null", "r");
	assert_non_null(f);
	return f;
}

/* The small file used by the damage tests: blocks of 5 and 3 packets, then the trailer. */
static unsigned char *small_file(size_t *len, struct readout *o)
{
	write_file(8, 5);
	unsigned char *b = slurp(len);
	char err[256];
	FILE *f = open_prefix(b, *len);
	struct vnl_record_reader *r = vnl_record_open_fp(f, err, sizeof(err));
	assert_non_null(r);
	read_all(r, o);
	assert_null(vnl_record_reader_damage(r));
	vnl_record_close(r);
	fclose(f);
	assert_int_equal(o->packets, 8);
	assert_true(o->batches >= 2);
	return b;
}

static void test_truncation_every_offset(void **state)
{
	(void)state;
	size_t len;
	struct readout whole;
	unsigned char *b = small_file(&len, &whole);

	for (size_t cut = 0; cut <= len; cut++) {
		char err[256] = "";
		FILE *f = open_prefix(b, cut);
		struct vnl_record_reader *r = vnl_record_open_fp(f, err, sizeof(err));
		if (cut < HEADER_SIZE) {
			assert_null(r);
			assert_true(strlen(err) > 10);
			fclose(f);
			continue;
		}
		assert_non_null(r);
		struct readout o;
		read_all(r, &o);

		/* exactly the whole blocks before the cut are returned */
		uint64_t expect = 0;
		size_t end = HEADER_SIZE;
		for (size_t i = 0; i < whole.batches; i++) {
			end += BLOCK_HDR + whole.batch_sizes[i] * RECORD;
			if (end <= cut)
				expect += whole.batch_sizes[i];
		}
		assert_int_equal(o.packets, expect);

		const char *damage = vnl_record_reader_damage(r);
		if (cut == len) {
			assert_null(damage);
			assert_true(vnl_record_reader_summary(r, NULL));
		} else {
			assert_non_null(damage);
			assert_non_null(strstr(damage, "byte"));
			assert_false(vnl_record_reader_summary(r, NULL));
			if (cut == len - TRAILER)
				assert_non_null(strstr(damage, "cut short"));
		}
		vnl_record_close(r);
		fclose(f);
	}
	free(b);
}

/* Any one damaged byte after the header stops the reader at the damaged block, never later. */
static void test_every_corrupt_byte(void **state)
{
	(void)state;
	size_t len;
	struct readout whole;
	unsigned char *b = small_file(&len, &whole);
	size_t first_block_end = HEADER_SIZE + BLOCK_HDR + whole.batch_sizes[0] * RECORD;

	for (size_t at = 0; at < len; at++) {
		char err[256] = "";
		b[at] ^= 0x55;
		FILE *f = open_prefix(b, len);
		struct vnl_record_reader *r = vnl_record_open_fp(f, err, sizeof(err));
		if (at < HEADER_SIZE) {
			assert_null(r);
			assert_true(strlen(err) > 10);
		} else {
			assert_non_null(r);
			struct readout o;
			read_all(r, &o); /* checks every returned packet is intact */
			assert_non_null(vnl_record_reader_damage(r));
			if (at < first_block_end)
				assert_int_equal(o.packets, 0);
			else if (at < len - TRAILER)
				assert_int_equal(o.packets, whole.batch_sizes[0]);
			else
				assert_int_equal(o.packets, 8);
			vnl_record_close(r);
		}
		fclose(f);
		b[at] ^= 0x55;
	}
	free(b);
}

static const char *damage_of(unsigned char *b, size_t len, uint64_t *packets)
{
	static char msg[256];
	char err[256];
	FILE *f = open_prefix(b, len);
	struct vnl_record_reader *r = vnl_record_open_fp(f, err, sizeof(err));
	assert_non_null(r);
	struct readout o;
	read_all(r, &o);
	*packets = o.packets;
	const char *d = vnl_record_reader_damage(r);
	snprintf(msg, sizeof(msg), "%s", d ? d : "");
	vnl_record_close(r);
	fclose(f);
	return msg;
}

static void test_damage_messages(void **state)
{
	(void)state;
	size_t len;
	struct readout whole;
	unsigned char *b = small_file(&len, &whole);
	size_t second = HEADER_SIZE + BLOCK_HDR + whole.batch_sizes[0] * RECORD;
	uint64_t n;
	const char *d;

	/* checksum: a record byte of the second block */
	b[second + BLOCK_HDR + 10] ^= 1;
	d = damage_of(b, len, &n);
	assert_int_equal(n, 5);
	assert_non_null(strstr(d, "checksum mismatch in block 2"));
	b[second + BLOCK_HDR + 10] ^= 1;

	/* absurd count: must not allocate or read 4 G records */
	unsigned char saved[4];
	memcpy(saved, b + second + 4, 4);
	memset(b + second + 4, 0xff, 4);
	d = damage_of(b, len, &n);
	assert_int_equal(n, 5);
	assert_non_null(strstr(d, "impossible packet count 4294967295 in block 2"));
	memcpy(b + second + 4, saved, 4);

	/* bad signature */
	b[second] = 'X';
	d = damage_of(b, len, &n);
	assert_int_equal(n, 5);
	assert_non_null(strstr(d, "bad block signature"));
	b[second] = 'V';

	/* missing trailer: the kill -9 case */
	d = damage_of(b, len - TRAILER, &n);
	assert_int_equal(n, 8);
	assert_non_null(strstr(d, "cut short"));
	assert_non_null(strstr(d, "8 packets"));

	/* junk after the trailer: every packet and the summary are still there */
	unsigned char *longer = malloc(len + 3);
	memcpy(longer, b, len);
	memcpy(longer + len, "abc", 3);
	d = damage_of(longer, len + 3, &n);
	assert_int_equal(n, 8);
	assert_non_null(strstr(d, "after the trailer"));
	free(longer);

	/* unsupported version and a foreign file */
	char err[256];
	b[6] = 9;
	FILE *f = open_prefix(b, len);
	assert_null(vnl_record_open_fp(f, err, sizeof(err)));
	assert_non_null(strstr(err, "version 9"));
	fclose(f);
	b[6] = 1;
	f = open_prefix((unsigned char *)"GIF89a and more bytes", 21);
	assert_null(vnl_record_open_fp(f, err, sizeof(err)));
	assert_non_null(strstr(err, "not a vnetlat record file"));
	fclose(f);
	free(b);
}

static void test_create_errors(void **state)
{
	(void)state;
	char err[256] = "";
	struct vnl_record_meta meta = make_meta();
	assert_null(vnl_record_create("/nonexistent-dir/x.vnl", &meta, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x.vnl"));
	assert_null(vnl_record_open("/nonexistent-dir/x.vnl", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x.vnl"));
}

static int g_ready_fd;

/* The child: records 1000 probes, says so once they are flushed, waits to be killed. */
static int record_then_wait(void *arg)
{
	(void)arg;
	char err[256];
	struct vnl_record_meta meta = make_meta();
	struct vnl_record_writer *w = vnl_record_create(path, &meta, err, sizeof(err));
	if (!w)
		return 1;
	for (uint64_t i = 0; i < 1000; i++) {
		struct vnl_pkt p = make_pkt(i);
		vnl_record_append(w, &p);
	}
	sleep_ms(500); /* past the 200 ms flush period */
	if (write(g_ready_fd, "x", 1) != 1)
		return 1;
	pause();
	return 0;
}

/* kill -9 of the recorder keeps everything written more than ~200 ms before. */
static void test_kill9_keeps_blocks(void **state)
{
	(void)state;
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	g_ready_fd = ready[1];
	struct vnl_child_opts co = {
		.in = { .how = VNL_CHILD_INHERIT },
		.out = { .how = VNL_CHILD_INHERIT },
		.err = { .how = VNL_CHILD_INHERIT },
	};
	struct vnl_child *ch;
	assert_int_equal(vnl_child_call(&ch, record_then_wait, NULL, &co), 0);
	char c;
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(vnl_child_stop(ch, SIGKILL, -1), 128 + SIGKILL);
	vnl_child_free(ch);

	char err[256];
	struct vnl_record_reader *r = vnl_record_open(path, err, sizeof(err));
	assert_non_null(r);
	struct readout o;
	read_all(r, &o);
	assert_int_equal(o.packets, 1000);
	assert_non_null(strstr(vnl_record_reader_damage(r), "cut short"));
	vnl_record_close(r);
}

/* A producer thread appends flat out (filling the ring) while the drain thread writes. */
struct producer {
	struct vnl_record_writer *w;
	uint64_t n;
};

static void *produce(void *arg)
{
	struct producer *pr = arg;
	for (uint64_t i = 0; i < pr->n; i++) {
		struct vnl_pkt p = make_pkt(i);
		vnl_record_append(pr->w, &p);
	}
	return NULL;
}

static void test_threaded_append(void **state)
{
	(void)state;
	char err[256];
	struct vnl_record_meta meta = make_meta();
	struct producer pr = { vnl_record_create(path, &meta, err, sizeof(err)), 300000 };
	assert_non_null(pr.w);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, produce, &pr), 0);
	pthread_join(t, NULL);
	assert_int_equal(vnl_record_finish(pr.w, &summary_in), 0);

	struct vnl_record_reader *r = vnl_record_open(path, err, sizeof(err));
	assert_non_null(r);
	struct readout o;
	read_all(r, &o);
	assert_int_equal(o.packets, pr.n);
	assert_null(vnl_record_reader_damage(r));
	vnl_record_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_100k),
		cmocka_unit_test(test_meta_strings_terminated),
		cmocka_unit_test(test_meta_strings_printable),
		cmocka_unit_test(test_refuses_symlink_and_fifo),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_every_corrupt_byte),
		cmocka_unit_test(test_damage_messages),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_kill9_keeps_blocks),
		cmocka_unit_test(test_threaded_append),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
