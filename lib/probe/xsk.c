/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "xsk.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

#define FRAME_SIZE 4096u  /* one page per frame: what copy mode and every driver accept */
#define RING_SIZE 1024u   /* each ring; power of two */
#define N_FRAMES (2 * RING_SIZE)
#define BUSY_POLL_BUDGET 16

/* One mmap'ed ring: the kernel and we each own one index. */
struct ring {
	uint32_t *producer, *consumer, *flags;
	void *desc;
	uint32_t mask;
	uint32_t local;   /* our index: producer for fill/TX, consumer for RX/completion */
	void *map;
	size_t map_len;
};

struct vnl_xsk {
	int fd;
	bool zero_copy;
	char mode_desc[48];
	uint8_t *umem;
	size_t umem_len;
	struct ring fill, comp, rx, tx;
	uint64_t free_frames[N_FRAMES]; /* TX frames not in flight (a stack) */
	uint32_t n_free;
	uint64_t tx_addr;               /* frame handed out by vnl_xsk_tx_frame */
	uint64_t rx_addr;               /* frame handed out by vnl_xsk_rx */
	bool rx_held;
};

int vnl_xsk_fd(const struct vnl_xsk *x) { return x->fd; }
bool vnl_xsk_zero_copy(const struct vnl_xsk *x) { return x->zero_copy; }
const char *vnl_xsk_mode_desc(const struct vnl_xsk *x) { return x->mode_desc; }
size_t vnl_xsk_frame_room(const struct vnl_xsk *x) { (void)x; return FRAME_SIZE; }

/* ---- rings ---- */

static uint32_t load_acquire(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void store_release(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

static int map_ring(struct vnl_xsk *x, struct ring *r, const struct xdp_ring_offset *off,
		    size_t desc_size, off_t pgoff)
{
	r->map_len = off->desc + RING_SIZE * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, x->fd,
		      pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		vnl_errno("cannot map an AF_XDP ring");
		return -1;
	}
	r->producer = (uint32_t *)((char *)r->map + off->producer);
	r->consumer = (uint32_t *)((char *)r->map + off->consumer);
	r->flags = (uint32_t *)((char *)r->map + off->flags);
	r->desc = (char *)r->map + off->desc;
	r->mask = RING_SIZE - 1;
	return 0;
}

static void unmap_ring(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
}

/* Producer rings start with our index where the kernel's is (0 after setup). */
static void ring_sync(struct ring *r, bool producer)
{
	r->local = load_acquire(producer ? r->producer : r->consumer);
}

static int set_ring_size(int fd, int opt, const char *what)
{
	unsigned size = RING_SIZE;
	if (setsockopt(fd, SOL_XDP, opt, &size, sizeof(size)) < 0) {
		vnl_errno("cannot size the AF_XDP %s ring", what);
		return -1;
	}
	return 0;
}

/* ---- setup ---- */

static int register_umem(struct vnl_xsk *x)
{
	x->umem_len = (size_t)N_FRAMES * FRAME_SIZE;
	x->umem = mmap(NULL, x->umem_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		vnl_errno("cannot allocate %zu bytes for the AF_XDP UMEM", x->umem_len);
		return -1;
	}
	struct xdp_umem_reg reg = { .addr = (uintptr_t)x->umem, .len = x->umem_len,
				    .chunk_size = FRAME_SIZE, .headroom = 0 };
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0) {
		vnl_errno("cannot register the AF_XDP UMEM (locked-memory limit? run as root)");
		return -1;
	}
	return 0;
}

static int setup_rings(struct vnl_xsk *x, const struct vnl_xsk_opts *o)
{
	if (set_ring_size(x->fd, XDP_UMEM_FILL_RING, "fill") < 0 ||
	    set_ring_size(x->fd, XDP_UMEM_COMPLETION_RING, "completion") < 0 ||
	    (o->rx && set_ring_size(x->fd, XDP_RX_RING, "RX") < 0) ||
	    (o->tx && set_ring_size(x->fd, XDP_TX_RING, "TX") < 0))
		return -1;
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);
	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len) < 0) {
		vnl_errno("cannot read the AF_XDP ring offsets");
		return -1;
	}
	if (map_ring(x, &x->fill, &off.fr, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING) < 0 ||
	    map_ring(x, &x->comp, &off.cr, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING) < 0 ||
	    (o->rx && map_ring(x, &x->rx, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING) < 0) ||
	    (o->tx && map_ring(x, &x->tx, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING) < 0))
		return -1;
	return 0;
}

/* RX: half the frames wait in the fill ring; TX: the other half on the free stack. */
static void hand_out_frames(struct vnl_xsk *x, const struct vnl_xsk_opts *o)
{
	ring_sync(&x->fill, true);
	ring_sync(&x->comp, false);
	uint32_t next = 0;
	if (o->rx) {
		uint64_t *fq = x->fill.desc;
		for (uint32_t i = 0; i < RING_SIZE; i++)
			fq[(x->fill.local + i) & x->fill.mask] = (uint64_t)(next++) * FRAME_SIZE;
		x->fill.local += RING_SIZE;
		store_release(x->fill.producer, x->fill.local);
		ring_sync(&x->rx, false);
	}
	if (o->tx) {
		for (uint32_t i = 0; i < RING_SIZE; i++)
			x->free_frames[x->n_free++] = (uint64_t)(next++) * FRAME_SIZE;
		ring_sync(&x->tx, true);
	}
}

static int bind_queue(struct vnl_xsk *x, const struct vnl_xsk_opts *o, unsigned ifindex)
{
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP, .sxdp_ifindex = ifindex,
				     .sxdp_queue_id = o->queue };
	if (o->mode != VNL_XSK_COPY) {
		sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY;
		if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) == 0) {
			x->zero_copy = true;
			return 0;
		}
		if (o->mode == VNL_XSK_ZEROCOPY) {
			vnl_errno("%s queue %u has no AF_XDP zero-copy support; drop --zero-copy "
				  "(copy mode works everywhere)", o->ifname, o->queue);
			return -1;
		}
	}
	sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
	if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0) {
		if (errno == EINVAL)
			vnl_err("cannot bind an AF_XDP socket to %s queue %u: no such queue; check "
				"--queue (see ethtool -l %s)", o->ifname, o->queue, o->ifname);
		else
			vnl_errno("cannot bind an AF_XDP socket to %s queue %u", o->ifname, o->queue);
		return -1;
	}
	return 0;
}

/* SO_PREFER_BUSY_POLL needs a kernel >= 5.11; older ones only get SO_BUSY_POLL. */
static int setup_busy_poll(struct vnl_xsk *x, int us)
{
	int one = 1, budget = BUSY_POLL_BUDGET;
	bool prefer = setsockopt(x->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) == 0;
	if (setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) < 0) {
		vnl_errno("cannot set --busy-poll %d on the AF_XDP socket (needs CAP_NET_ADMIN)", us);
		return -1;
	}
	if (prefer)
		setsockopt(x->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget));
	size_t n = strlen(x->mode_desc);
	snprintf(x->mode_desc + n, sizeof(x->mode_desc) - n, ", busy poll %d us%s", us,
		 prefer ? " (preferred)" : "");
	return 0;
}

struct vnl_xsk *vnl_xsk_open(const struct vnl_xsk_opts *o)
{
	unsigned ifindex = if_nametoindex(o->ifname);
	if (!ifindex) {
		vnl_err("interface '%s' not found; check --ifname and the network namespace",
			o->ifname);
		return NULL;
	}
	struct vnl_xsk *x = calloc(1, sizeof(*x));
	if (!x) {
		vnl_err("out of memory");
		return NULL;
	}
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		if (errno == EPERM || errno == EACCES)
			vnl_err("--transport xdp needs root (CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF)");
		else
			vnl_errno("cannot open an AF_XDP socket (kernel without CONFIG_XDP_SOCKETS?)");
		goto fail;
	}
	if (register_umem(x) < 0 || setup_rings(x, o) < 0)
		goto fail;
	hand_out_frames(x, o);
	if (bind_queue(x, o, ifindex) < 0)
		goto fail;
	snprintf(x->mode_desc, sizeof(x->mode_desc), "%s", x->zero_copy ? "zero-copy" : "copy mode");
	if (o->busy_poll_us > 0 && setup_busy_poll(x, o->busy_poll_us) < 0)
		goto fail;
	return x;
fail:
	vnl_xsk_close(x);
	return NULL;
}

void vnl_xsk_close(struct vnl_xsk *x)
{
	if (!x)
		return;
	unmap_ring(&x->fill);
	unmap_ring(&x->comp);
	unmap_ring(&x->rx);
	unmap_ring(&x->tx);
	if (x->fd >= 0)
		close(x->fd);
	if (x->umem)
		munmap(x->umem, x->umem_len);
	free(x);
}

/* ---- TX ---- */

/* Frames the kernel has finished sending go back on the free stack. */
static void reap_completions(struct vnl_xsk *x)
{
	uint32_t avail = load_acquire(x->comp.producer) - x->comp.local;
	const uint64_t *cq = x->comp.desc;
	for (uint32_t i = 0; i < avail; i++)
		x->free_frames[x->n_free++] = cq[(x->comp.local + i) & x->comp.mask];
	x->comp.local += avail;
	if (avail)
		store_release(x->comp.consumer, x->comp.local);
}

uint8_t *vnl_xsk_tx_frame(struct vnl_xsk *x)
{
	reap_completions(x);
	if (!x->n_free)
		return NULL;
	x->tx_addr = x->free_frames[x->n_free - 1];
	return x->umem + x->tx_addr;
}

int vnl_xsk_tx_submit(struct vnl_xsk *x, size_t len)
{
	if (len > FRAME_SIZE) {
		errno = EMSGSIZE;
		return -1;
	}
	/* The free stack never holds more frames than the TX ring has room for. */
	struct xdp_desc *d = &((struct xdp_desc *)x->tx.desc)[x->tx.local & x->tx.mask];
	d->addr = x->tx_addr;
	d->len = (uint32_t)len;
	d->options = 0;
	x->n_free--;
	store_release(x->tx.producer, ++x->tx.local);
	if (!(load_acquire(x->tx.flags) & XDP_RING_NEED_WAKEUP))
		return 0;
	/* In copy mode this call is the transmission: the frame leaves before it returns. */
	if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENOBUFS)
		return -1;
	return 0;
}

/* ---- RX ---- */

static void wake_fill(struct vnl_xsk *x)
{
	if (load_acquire(x->fill.flags) & XDP_RING_NEED_WAKEUP)
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

ssize_t vnl_xsk_rx(struct vnl_xsk *x, uint8_t **frame, int timeout_ms)
{
	if (load_acquire(x->rx.producer) == x->rx.local) {
		wake_fill(x);
		struct pollfd pfd = { .fd = x->fd, .events = POLLIN };
		int n = poll(&pfd, 1, timeout_ms);
		if (n < 0)
			return errno == EINTR ? 0 : -1;
		if (load_acquire(x->rx.producer) == x->rx.local)
			return 0;
	}
	const struct xdp_desc *d = &((struct xdp_desc *)x->rx.desc)[x->rx.local & x->rx.mask];
	x->rx_addr = d->addr;
	x->rx_held = true;
	uint32_t len = d->len;
	store_release(x->rx.consumer, ++x->rx.local);
	*frame = x->umem + x->rx_addr;
	return len;
}

size_t vnl_xsk_frame_headroom(const struct vnl_xsk *x, const uint8_t *frame)
{
	return (size_t)(frame - x->umem) % FRAME_SIZE;
}

void vnl_xsk_rx_release(struct vnl_xsk *x)
{
	if (!x->rx_held)
		return;
	x->rx_held = false;
	/* Back to the start of its chunk: descriptors point past the headroom. */
	((uint64_t *)x->fill.desc)[x->fill.local & x->fill.mask] = x->rx_addr & ~(uint64_t)(FRAME_SIZE - 1);
	store_release(x->fill.producer, ++x->fill.local);
}
