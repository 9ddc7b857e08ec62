/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Record files: see doc/record-format.md for the layout.
 *
 * Writer: the measurement loop copies each packet into a single-producer /
 * single-consumer ring (no syscall, no allocation); a background thread
 * drains it into checksummed blocks with write(2), at 4096 packets or every
 * ~200 ms, so a kill -9 of the recorder loses at most ~200 ms of packets.
 *
 * Reader: large reads into one fixed buffer; records are handed out in
 * place (on little-endian hosts a record's bytes are a struct vnl_pkt).
 * Whatever the file holds, the reader stops at the first damage and says
 * precisely where, and allocates nothing that depends on the file.
 */
#include "record.h"
#include "fuzzing.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"
#include "timeutil.h"

#define REC_VERSION 1
#define REC_HEADER_SIZE 256
#define REC_HEADER_SUM_OFF 248 /* the header's own checksum, over bytes [0, 248) */
#define REC_RECORD_SIZE 88
#define REC_BLOCK_HDR_SIZE 16
#define REC_BLOCK_MAX 4096 /* packets per block, also the reader's cap */
#define REC_TRAILER_SIZE 40
#define REC_FLUSH_NS (200 * VNL_NSEC_PER_MSEC)
#define REC_POLL_NS (2 * VNL_NSEC_PER_MSEC)
#define REC_RING_SLOTS 32768 /* ~2.9 MB: 30 ms at 1 M packets/s before append waits */
#define REC_READ_BUF (2u << 20) /* >= one whole block plus a large read */

static const char rec_magic[6] = { 'V', 'N', 'L', 'R', 'E', 'C' };
static const char block_magic[4] = { 'V', 'N', 'L', 'B' };
static const char trailer_magic[4] = { 'V', 'N', 'L', 'T' };

/* A record is struct vnl_pkt's memory image on little-endian hosts. */
_Static_assert(sizeof(struct vnl_pkt) == REC_RECORD_SIZE, "record = struct vnl_pkt");
_Static_assert(offsetof(struct vnl_pkt, seq) == 0 && offsetof(struct vnl_pkt, sched) == 8 &&
		       offsetof(struct vnl_pkt, app_tx_sched) == 16 &&
		       offsetof(struct vnl_pkt, app_tx) == 24 && offsetof(struct vnl_pkt, tx_sched) == 32 &&
		       offsetof(struct vnl_pkt, tx_sw) == 40 && offsetof(struct vnl_pkt, tx_hw) == 48 &&
		       offsetof(struct vnl_pkt, rx_hw) == 56 && offsetof(struct vnl_pkt, rx_sw) == 64 &&
		       offsetof(struct vnl_pkt, app_rx) == 72 && offsetof(struct vnl_pkt, flags) == 80 &&
		       offsetof(struct vnl_pkt, reserved) == 84,
	       "record field order");
_Static_assert(REC_READ_BUF >= 2 * (REC_BLOCK_HDR_SIZE + REC_BLOCK_MAX * REC_RECORD_SIZE),
	       "read buffer holds a whole block");

#define HOST_IS_LE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/* ------------------------------------------------------------------------ */
/* Checksum                                                                  */

/*
 * Fletcher-like sums over little-endian 64-bit words, in four independent
 * lanes so the compiler can vectorise it: per lane a += w, b += a. Each lane
 * contributes (2b - a) * K, which weighs every word by an odd factor, so any
 * change confined to one word is always detected, and moved, swapped or
 * zeroed words almost always are. The seed binds the sum to the block's
 * number and count, so a block repeated or misplaced in the file is caught.
 */
static void lanes_add_scalar(const unsigned char *p, size_t nwords, uint64_t a[4], uint64_t b[4])
{
	for (size_t i = 0; i < nwords; i++) {
		uint64_t w;
		memcpy(&w, p + 8 * i, 8);
		a[i % 4] += le64toh(w);
		b[i % 4] += a[i % 4];
	}
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The same sums, two lanes per 16-byte vector: whole groups of 4 words. */
static size_t lanes_add_vector(const unsigned char *p, size_t nwords, uint64_t a[4], uint64_t b[4])
{
	typedef uint64_t v2 __attribute__((vector_size(16)));
	v2 a01 = { 0, 0 }, a23 = { 0, 0 }, b01 = { 0, 0 }, b23 = { 0, 0 };
	size_t i = 0;

	for (; i + 4 <= nwords; i += 4) {
		v2 w01, w23;
		memcpy(&w01, p + 8 * i, 16);
		memcpy(&w23, p + 8 * i + 16, 16);
		a01 += w01;
		b01 += a01;
		a23 += w23;
		b23 += a23;
	}
	a[0] = a01[0], a[1] = a01[1], a[2] = a23[0], a[3] = a23[1];
	b[0] = b01[0], b[1] = b01[1], b[2] = b23[0], b[3] = b23[1];
	return i;
}
#else
static size_t lanes_add_vector(const unsigned char *p, size_t nwords, uint64_t a[4], uint64_t b[4])
{
	(void)p, (void)nwords, (void)a, (void)b;
	return 0;
}
#endif

static uint64_t checksum(const void *data, size_t nwords, uint64_t seed)
{
	static const uint64_t k[4] = { 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full,
				       0x165667b19e3779f9ull, 0xd6e8feb86659fd93ull };
	uint64_t a[4] = { 0 }, b[4] = { 0 };
	size_t done = lanes_add_vector(data, nwords, a, b);

	/* the tail (< 4 words) continues in lanes 0, 1, 2 as i % 4 says */
	lanes_add_scalar((const unsigned char *)data + 8 * done, nwords - done, a, b);
	uint64_t sum = seed * 0xff51afd7ed558ccdull;
	for (unsigned l = 0; l < 4; l++)
		sum += (2 * b[l] - a[l]) * k[l];
	return sum;
}

static uint64_t block_seed(uint64_t block_no, uint32_t count)
{
	return (block_no << 32) ^ count;
}

/* Trailer blocks are numbered after the last data block, tagged as such. */
#define TRAILER_SEED_TAG 0x54ull

/* ------------------------------------------------------------------------ */
/* Little-endian field helpers (header and trailer; records are bulk)       */

static void put_le32(unsigned char *b, uint32_t v)
{
	v = htole32(v);
	memcpy(b, &v, 4);
}

static void put_le64(unsigned char *b, uint64_t v)
{
	v = htole64(v);
	memcpy(b, &v, 8);
}

static uint32_t get_le32(const unsigned char *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return le32toh(v);
}

static uint64_t get_le64(const unsigned char *b)
{
	uint64_t v;
	memcpy(&v, b, 8);
	return le64toh(v);
}

/* In-place conversion of records between host order and file order. */
static void pkts_swap_if_big_endian(struct vnl_pkt *p, size_t n)
{
	if (HOST_IS_LE)
		return;
	for (size_t i = 0; i < n; i++) {
		p[i].seq = htole64(p[i].seq);
		int64_t *t[] = { &p[i].sched, &p[i].app_tx_sched, &p[i].app_tx, &p[i].tx_sched,
				 &p[i].tx_sw,  &p[i].tx_hw,	   &p[i].rx_hw,	 &p[i].rx_sw,
				 &p[i].app_rx };
		for (size_t j = 0; j < sizeof(t) / sizeof(t[0]); j++)
			*t[j] = (int64_t)htole64((uint64_t)*t[j]);
		p[i].flags = htole32(p[i].flags);
		p[i].reserved = htole32(p[i].reserved);
	}
}

/* ------------------------------------------------------------------------ */
/* Header and trailer layout                                                 */

enum {
	H_MAGIC = 0,
	H_VERSION = 6,
	H_HEADER_SIZE = 8,
	H_RECORD_SIZE = 12,
	H_ROLE = 16,
	H_CLOCK = 20,
	H_STREAM = 24,
	H_PAYLOAD = 28,
	H_START = 32,
	H_INTERVAL = 40,
	H_BASE = 48,
	H_TRANSPORT = 56,
	H_LOCAL = 72,
	H_PEER = 136,
	H_CLOCK_SYNC = 200,
	H_RESERVED = 232,
};
_Static_assert(H_LOCAL - H_TRANSPORT == sizeof(((struct vnl_record_meta *)0)->transport), "transport");
_Static_assert(H_PEER - H_LOCAL == sizeof(((struct vnl_record_meta *)0)->local), "local");
_Static_assert(H_CLOCK_SYNC - H_PEER == sizeof(((struct vnl_record_meta *)0)->peer), "peer");
_Static_assert(H_RESERVED - H_CLOCK_SYNC == sizeof(((struct vnl_record_meta *)0)->clock_sync), "sync");

enum { T_SENT = 0, T_FOREIGN = 8, T_MALFORMED = 16, T_END = 24, T_INTERRUPTED = 32, T_RESERVED = 36 };

/* Copy a string field, always leaving it NUL-terminated. */
static void put_str(unsigned char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	memset(dst + n, 0, size - n);
}

/* The header's strings are the recorder's word only: anything but printable
 * ASCII becomes '?', so no reader can be made to print terminal escapes. */
static void get_str(char *dst, const unsigned char *src, size_t size)
{
	memcpy(dst, src, size);
	dst[size - 1] = '\0';
	for (char *p = dst; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
}

static void header_encode(unsigned char *h, const struct vnl_record_meta *m)
{
	memset(h, 0, REC_HEADER_SIZE);
	memcpy(h + H_MAGIC, rec_magic, sizeof(rec_magic));
	h[H_VERSION] = REC_VERSION & 0xff;
	h[H_VERSION + 1] = REC_VERSION >> 8;
	put_le32(h + H_HEADER_SIZE, REC_HEADER_SIZE);
	put_le32(h + H_RECORD_SIZE, REC_RECORD_SIZE);
	put_le32(h + H_ROLE, m->role);
	put_le32(h + H_CLOCK, m->clock_id);
	put_le32(h + H_STREAM, m->stream_id);
	put_le32(h + H_PAYLOAD, m->payload_size);
	put_le64(h + H_START, (uint64_t)m->start_ns);
	put_le64(h + H_INTERVAL, (uint64_t)m->interval_ns);
	put_le64(h + H_BASE, (uint64_t)m->base_ns);
	put_str(h + H_TRANSPORT, m->transport, sizeof(m->transport));
	put_str(h + H_LOCAL, m->local, sizeof(m->local));
	put_str(h + H_PEER, m->peer, sizeof(m->peer));
	put_str(h + H_CLOCK_SYNC, m->clock_sync, sizeof(m->clock_sync));
	put_le64(h + REC_HEADER_SUM_OFF, checksum(h, REC_HEADER_SUM_OFF / 8, 0));
}

static void header_decode(const unsigned char *h, struct vnl_record_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->role = get_le32(h + H_ROLE);
	m->clock_id = get_le32(h + H_CLOCK);
	m->stream_id = get_le32(h + H_STREAM);
	m->payload_size = get_le32(h + H_PAYLOAD);
	m->start_ns = (int64_t)get_le64(h + H_START);
	m->interval_ns = (int64_t)get_le64(h + H_INTERVAL);
	m->base_ns = (int64_t)get_le64(h + H_BASE);
	get_str(m->transport, h + H_TRANSPORT, sizeof(m->transport));
	get_str(m->local, h + H_LOCAL, sizeof(m->local));
	get_str(m->peer, h + H_PEER, sizeof(m->peer));
	get_str(m->clock_sync, h + H_CLOCK_SYNC, sizeof(m->clock_sync));
}

static void block_header_encode(unsigned char *b, const char magic[4], uint32_t count, uint64_t sum)
{
	memcpy(b, magic, 4);
	put_le32(b + 4, count);
	put_le64(b + 8, sum);
}

static void trailer_encode(unsigned char *t, const struct vnl_record_summary *s)
{
	memset(t, 0, REC_TRAILER_SIZE);
	put_le64(t + T_SENT, s->sent);
	put_le64(t + T_FOREIGN, s->foreign);
	put_le64(t + T_MALFORMED, s->malformed);
	put_le64(t + T_END, (uint64_t)s->end_ns);
	put_le32(t + T_INTERRUPTED, s->interrupted);
	put_le32(t + T_RESERVED, s->reserved);
}

static void trailer_decode(const unsigned char *t, struct vnl_record_summary *s)
{
	s->sent = get_le64(t + T_SENT);
	s->foreign = get_le64(t + T_FOREIGN);
	s->malformed = get_le64(t + T_MALFORMED);
	s->end_ns = (int64_t)get_le64(t + T_END);
	s->interrupted = get_le32(t + T_INTERRUPTED);
	s->reserved = get_le32(t + T_RESERVED);
}

/* ------------------------------------------------------------------------ */
/* Writer                                                                    */

struct vnl_record_writer {
	/* producer side (measurement thread) */
	_Alignas(64) _Atomic uint64_t head; /* next slot to fill */
	uint64_t tail_cache;                /* last tail seen: avoids a shared read per packet */
	/* consumer side (drain thread) */
	_Alignas(64) _Atomic uint64_t tail; /* next slot to drain */
	_Atomic int stop;
	int fd;
	int error; /* first write error (errno), owned by the drain thread until joined */
	uint64_t blocks;
	int64_t last_write_ns;
	unsigned char *block; /* block header + up to REC_BLOCK_MAX records */
	struct vnl_pkt *ring; /* REC_RING_SLOTS slots */
	pthread_t thread;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = vnl_ns_to_ts(ns);
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* Move n packets from the ring into one block on disk. */
static void drain_block(struct vnl_record_writer *w, uint32_t n)
{
	uint64_t tail = atomic_load_explicit(&w->tail, memory_order_relaxed);
	struct vnl_pkt *recs = (struct vnl_pkt *)(w->block + REC_BLOCK_HDR_SIZE);
	size_t first = tail % REC_RING_SLOTS;
	size_t part = REC_RING_SLOTS - first < n ? REC_RING_SLOTS - first : n;

	memcpy(recs, w->ring + first, part * sizeof(*recs));
	memcpy(recs + part, w->ring, (n - part) * sizeof(*recs));
	/* the slots are free again as soon as they are copied */
	atomic_store_explicit(&w->tail, tail + n, memory_order_release);

	pkts_swap_if_big_endian(recs, n);
	uint64_t sum = checksum(recs, (size_t)n * REC_RECORD_SIZE / 8, block_seed(w->blocks, n));
	block_header_encode(w->block, block_magic, n, sum);
	w->blocks++;
	w->last_write_ns = vnl_now_ns(CLOCK_MONOTONIC);
	if (!w->error)
		w->error = -write_all(w->fd, w->block, REC_BLOCK_HDR_SIZE + (size_t)n * REC_RECORD_SIZE);
}

static void *drain_thread(void *arg)
{
	struct vnl_record_writer *w = arg;

	for (;;) {
		/* stop is read before head: every append made before stop was set is seen */
		int stop = atomic_load_explicit(&w->stop, memory_order_acquire);
		uint64_t head = atomic_load_explicit(&w->head, memory_order_acquire);
		uint64_t avail = head - atomic_load_explicit(&w->tail, memory_order_relaxed);

		if (avail >= REC_BLOCK_MAX) {
			drain_block(w, REC_BLOCK_MAX);
		} else if (avail > 0 && (stop || vnl_now_ns(CLOCK_MONOTONIC) - w->last_write_ns >=
							 REC_FLUSH_NS)) {
			drain_block(w, (uint32_t)avail);
		} else if (stop) {
			return NULL;
		} else {
			sleep_ns(REC_POLL_NS);
		}
	}
}

/* aligned_alloc wants a size that is a multiple of the alignment */
static void *alloc_lines(size_t size)
{
	return aligned_alloc(64, (size + 63) / 64 * 64);
}

static void writer_free(struct vnl_record_writer *w)
{
	free(w->ring);
	free(w->block);
	free(w);
}

static struct vnl_record_writer *writer_alloc(void)
{
	struct vnl_record_writer *w = alloc_lines(sizeof(*w));
	if (!w)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->ring = alloc_lines(REC_RING_SLOTS * sizeof(struct vnl_pkt));
	w->block = alloc_lines(REC_BLOCK_HDR_SIZE + REC_BLOCK_MAX * REC_RECORD_SIZE);
	if (!w->ring || !w->block) {
		writer_free(w);
		return NULL;
	}
	return w;
}

/* The drain thread blocks every signal, so SIGINT/SIGTERM reach the measurement thread. */
static int start_drain_thread(struct vnl_record_writer *w)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, drain_thread, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct vnl_record_writer *vnl_record_create(const char *path, const struct vnl_record_meta *meta,
					    char *errbuf, size_t errlen)
{
	struct vnl_record_writer *w = writer_alloc();
	if (!w) {
		snprintf(errbuf, errlen, "cannot record to %s: out of memory", path);
		return NULL;
	}
	w->fd = vnl_file_create(path, true);
	if (w->fd < 0) {
		snprintf(errbuf, errlen, "cannot create record file %s: %s%s", path, vnl_file_why(errno),
			 errno == ENOENT || errno == EACCES ? "; check the directory exists and is writable" : "");
		writer_free(w);
		return NULL;
	}
	unsigned char header[REC_HEADER_SIZE];
	header_encode(header, meta);
	int rc = write_all(w->fd, header, sizeof(header));
	if (rc == 0) {
		w->last_write_ns = vnl_now_ns(CLOCK_MONOTONIC);
		rc = -start_drain_thread(w);
	}
	if (rc) {
		snprintf(errbuf, errlen, "cannot write record file %s: %s", path, strerror(-rc));
		close(w->fd);
		unlink(path);
		writer_free(w);
		return NULL;
	}
	return w;
}

void vnl_record_append(struct vnl_record_writer *w, const struct vnl_pkt *p)
{
	uint64_t head = atomic_load_explicit(&w->head, memory_order_relaxed);

	if (head - w->tail_cache >= REC_RING_SLOTS) {
		w->tail_cache = atomic_load_explicit(&w->tail, memory_order_acquire);
		/* the disk is far behind: wait rather than lose a packet (sleeping, so a
		 * SCHED_FIFO caller cannot starve the drain thread on a shared CPU) */
		while (head - w->tail_cache >= REC_RING_SLOTS) {
			sleep_ns(50 * VNL_NSEC_PER_USEC);
			w->tail_cache = atomic_load_explicit(&w->tail, memory_order_acquire);
		}
	}
	w->ring[head % REC_RING_SLOTS] = *p;
	atomic_store_explicit(&w->head, head + 1, memory_order_release);
}

int vnl_record_finish(struct vnl_record_writer *w, const struct vnl_record_summary *sum)
{
	atomic_store_explicit(&w->stop, 1, memory_order_release);
	pthread_join(w->thread, NULL);

	int rc = -w->error;
	if (rc == 0) {
		unsigned char t[REC_BLOCK_HDR_SIZE + REC_TRAILER_SIZE];
		trailer_encode(t + REC_BLOCK_HDR_SIZE, sum);
		uint64_t seed = block_seed(w->blocks, REC_TRAILER_SIZE) ^ TRAILER_SEED_TAG;
		block_header_encode(t, trailer_magic, REC_TRAILER_SIZE,
				    checksum(t + REC_BLOCK_HDR_SIZE, REC_TRAILER_SIZE / 8, seed));
		rc = write_all(w->fd, t, sizeof(t));
	}
	if (rc == 0 && fsync(w->fd) < 0 && errno != EINVAL)
		rc = -errno;
	if (close(w->fd) < 0 && rc == 0)
		rc = -errno;
	writer_free(w);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Reader                                                                    */

struct vnl_record_reader {
	FILE *fp;
	bool own_fp;
	bool done;
	bool have_summary;
	unsigned char *buf; /* REC_READ_BUF bytes; [pos, end) not yet consumed */
	size_t pos, end;
	uint64_t buf_offset; /* file offset of buf[0] */
	uint64_t blocks;
	uint64_t packets;
	struct vnl_record_meta meta;
	struct vnl_record_summary summary;
	char damage[256];
};

static uint64_t file_offset(const struct vnl_record_reader *r)
{
	return r->buf_offset + r->pos;
}

/*
 * Make at least need bytes available at buf + pos (need <= half the buffer).
 * Returns how many are available, fewer only at the end of the input.
 */
static size_t fill(struct vnl_record_reader *r, size_t need)
{
	while (r->end - r->pos < need) {
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->buf_offset += r->pos;
			r->end -= r->pos;
			r->pos = 0;
		}
		size_t got = fread(r->buf + r->end, 1, REC_READ_BUF - r->end, r->fp);
		r->end += got;
		if (got == 0)
			break;
	}
	return r->end - r->pos;
}

/* Stop reading for good and say where and why (printf-style message). */
static void __attribute__((format(printf, 2, 3))) set_damage(struct vnl_record_reader *r,
							       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->damage, sizeof(r->damage), fmt, ap);
	va_end(ap);
	r->done = true;
}

static void short_read_damage(struct vnl_record_reader *r, const char *what, size_t have, size_t want)
{
	if (ferror(r->fp))
		set_damage(r, "read error at byte %llu (block %llu) after %llu packets: %s",
			   (unsigned long long)(file_offset(r) + have),
			   (unsigned long long)r->blocks + 1, (unsigned long long)r->packets,
			   strerror(errno ? errno : EIO));
	else
		set_damage(r, "truncated %s at byte %llu (block %llu): %zu of %zu bytes present; "
			      "%llu packets read before it",
			   what, (unsigned long long)file_offset(r), (unsigned long long)r->blocks + 1,
			   have, want, (unsigned long long)r->packets);
}

static struct vnl_record_reader *reader_alloc(FILE *fp, bool own)
{
	struct vnl_record_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->buf = aligned_alloc(64, REC_READ_BUF);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->fp = fp;
	r->own_fp = own;
	return r;
}

static bool read_header(struct vnl_record_reader *r, char *errbuf, size_t errlen)
{
	size_t have = fill(r, REC_HEADER_SIZE);
	const unsigned char *h = r->buf;
	size_t sig = have < sizeof(rec_magic) ? have : sizeof(rec_magic);

	if (ferror(r->fp)) {
		snprintf(errbuf, errlen, "read error in the record file header: %s", strerror(errno ? errno : EIO));
		return false;
	}
	if (have == 0) {
		snprintf(errbuf, errlen, "record file is empty");
		return false;
	}
	if (memcmp(h, rec_magic, sig) != 0) {
		snprintf(errbuf, errlen, "not a vnetlat record file (no \"VNLREC\" signature)");
		return false;
	}
	if (have < REC_HEADER_SIZE) {
		snprintf(errbuf, errlen, "record file truncated inside its header: %zu of %d bytes", have,
			 REC_HEADER_SIZE);
		return false;
	}
	unsigned version = h[H_VERSION] | (unsigned)h[H_VERSION + 1] << 8;
	if (version != REC_VERSION) {
		snprintf(errbuf, errlen,
			 "record file format version %u is not supported (this vnetlat reads version %d); "
			 "use the vnetlat that wrote it",
			 version, REC_VERSION);
		return false;
	}
	if (get_le32(h + H_HEADER_SIZE) != REC_HEADER_SIZE ||
	    get_le32(h + H_RECORD_SIZE) != REC_RECORD_SIZE ||
	    (get_le64(h + REC_HEADER_SUM_OFF) != checksum(h, REC_HEADER_SUM_OFF / 8, 0) && !VNL_FUZZING)) {
		snprintf(errbuf, errlen, "record file header is corrupted (bad sizes or checksum)");
		return false;
	}
	header_decode(h, &r->meta);
	r->pos = REC_HEADER_SIZE;
	return true;
}

struct vnl_record_reader *vnl_record_open_fp(FILE *fp, char *errbuf, size_t errlen)
{
	struct vnl_record_reader *r = reader_alloc(fp, false);
	if (!r) {
		snprintf(errbuf, errlen, "cannot read record file: out of memory");
		return NULL;
	}
	if (!read_header(r, errbuf, errlen)) {
		vnl_record_close(r);
		return NULL;
	}
	return r;
}

struct vnl_record_reader *vnl_record_open(const char *path, char *errbuf, size_t errlen)
{
	/* Only a regular file: a FIFO would hang the reader, a device never end. */
	FILE *fp = vnl_file_open_input(path, "record file", 0, errbuf, errlen);
	if (!fp)
		return NULL;
	/* our own buffer is large: let fread go straight to read(2) into it */
	setvbuf(fp, NULL, _IONBF, 0);
	char why[200];
	struct vnl_record_reader *r = vnl_record_open_fp(fp, why, sizeof(why));
	if (!r) {
		snprintf(errbuf, errlen, "%s: %s", path, why);
		fclose(fp);
		return NULL;
	}
	r->own_fp = true;
	return r;
}

const struct vnl_record_meta *vnl_record_reader_meta(const struct vnl_record_reader *r)
{
	return &r->meta;
}

static void read_trailer(struct vnl_record_reader *r, uint32_t size, uint64_t sum)
{
	const size_t want = REC_BLOCK_HDR_SIZE + REC_TRAILER_SIZE;
	size_t have = fill(r, want);
	uint64_t seed = block_seed(r->blocks, REC_TRAILER_SIZE) ^ TRAILER_SEED_TAG;

	if (size != REC_TRAILER_SIZE) {
		set_damage(r, "bad trailer size %u at byte %llu (after block %llu); all %llu packets were read",
			   size, (unsigned long long)file_offset(r), (unsigned long long)r->blocks,
			   (unsigned long long)r->packets);
	} else if (have < want) {
		short_read_damage(r, "trailer", have, want);
	} else if (checksum(r->buf + r->pos + REC_BLOCK_HDR_SIZE, REC_TRAILER_SIZE / 8, seed) != sum &&
		   !VNL_FUZZING) {
		set_damage(r, "trailer checksum mismatch at byte %llu (after block %llu); all %llu packets were read",
			   (unsigned long long)file_offset(r), (unsigned long long)r->blocks,
			   (unsigned long long)r->packets);
	} else {
		trailer_decode(r->buf + r->pos + REC_BLOCK_HDR_SIZE, &r->summary);
		r->have_summary = true;
		r->pos += want;
		r->done = true;
		size_t extra = fill(r, 1);
		if (extra)
			set_damage(r, "unexpected data after the trailer at byte %llu; all %llu packets were read",
				   (unsigned long long)file_offset(r), (unsigned long long)r->packets);
	}
}

/* A block's records, verified and in host order; NULL when reading stops. */
static const struct vnl_pkt *read_block(struct vnl_record_reader *r, uint32_t count, uint64_t sum,
					size_t *n)
{
	const unsigned long long off = file_offset(r), blk = r->blocks + 1;

	if (count == 0 || count > REC_BLOCK_MAX) {
		set_damage(r, "impossible packet count %u in block %llu at byte %llu (at most %d); "
			      "%llu packets read before it",
			   count, blk, off, REC_BLOCK_MAX, (unsigned long long)r->packets);
		return NULL;
	}
	size_t want = REC_BLOCK_HDR_SIZE + (size_t)count * REC_RECORD_SIZE;
	size_t have = fill(r, want);
	if (have < want) {
		short_read_damage(r, "block", have, want);
		return NULL;
	}
	struct vnl_pkt *recs = (struct vnl_pkt *)(r->buf + r->pos + REC_BLOCK_HDR_SIZE);
	if (checksum(recs, (size_t)count * REC_RECORD_SIZE / 8, block_seed(r->blocks, count)) != sum &&
	    !VNL_FUZZING) {
		set_damage(r, "checksum mismatch in block %llu at byte %llu (%u packets dropped); "
			      "%llu packets read before it",
			   blk, off, count, (unsigned long long)r->packets);
		return NULL;
	}
	pkts_swap_if_big_endian(recs, count);
	r->pos += want;
	r->blocks++;
	r->packets += count;
	*n = count;
	return recs;
}

const struct vnl_pkt *vnl_record_next(struct vnl_record_reader *r, size_t *n)
{
	*n = 0;
	if (r->done)
		return NULL;

	size_t have = fill(r, REC_BLOCK_HDR_SIZE);
	const unsigned char *b = r->buf + r->pos;
	if (have == 0 && !ferror(r->fp)) {
		set_damage(r, "no trailer at byte %llu: the recording was cut short (e.g. the recorder "
			      "was killed with kill -9 or the disk filled up); %llu packets in %llu blocks were read",
			   (unsigned long long)file_offset(r), (unsigned long long)r->packets,
			   (unsigned long long)r->blocks);
		return NULL;
	}
	if (have < REC_BLOCK_HDR_SIZE) {
		short_read_damage(r, "block header", have, REC_BLOCK_HDR_SIZE);
		return NULL;
	}
	uint32_t count = get_le32(b + 4);
	uint64_t sum = get_le64(b + 8);
	if (memcmp(b, block_magic, 4) == 0)
		return read_block(r, count, sum, n);
	if (memcmp(b, trailer_magic, 4) == 0) {
		read_trailer(r, count, sum);
		return NULL;
	}
	set_damage(r, "bad block signature at byte %llu (block %llu); %llu packets read before it",
		   (unsigned long long)file_offset(r), (unsigned long long)r->blocks + 1,
		   (unsigned long long)r->packets);
	return NULL;
}

const char *vnl_record_reader_damage(const struct vnl_record_reader *r)
{
	return r->damage[0] ? r->damage : NULL;
}

bool vnl_record_reader_summary(const struct vnl_record_reader *r, struct vnl_record_summary *out)
{
	if (r->have_summary && out)
		*out = r->summary;
	return r->have_summary;
}

uint64_t vnl_record_reader_packets(const struct vnl_record_reader *r)
{
	return r->packets;
}

void vnl_record_close(struct vnl_record_reader *r)
{
	if (!r)
		return;
	if (r->own_fp)
		fclose(r->fp);
	free(r->buf);
	free(r);
}
