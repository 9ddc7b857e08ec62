/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes seed corpora for the fuzz targets: DIR/wire/ (valid probes of
 * several sizes, with and without follow-ups, a FIN) and DIR/record/ (a small
 * record file, whole and cut short) and DIR/clockpkt/ (a clock exchange's
 * request and answer). Usage: mkseeds DIR
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clockpkt.h"
#include "record.h"
#include "wire.h"

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int wire_seeds(const char *dir)
{
	static const size_t sizes[] = { 64, 96, 128, 200, 1500 };
	unsigned char buf[1500];
	char path[512];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vnl_probe p = {
			.type = i == 4 ? VNL_WIRE_FIN : VNL_WIRE_DATA, .stream_id = 0x1234, .host_id = 7,
			.seq = 1000 + i, .sched = 1700000000000000000LL, .app_tx_sched = 1700000000000002000LL,
			.app_tx = 1700000000000002000LL, .sent_total = i == 4 ? 1000 + i : 0,
			.interval_ns = i == 4 ? 0 : 1000000,
		};
		p.n_followups = (uint8_t)vnl_wire_followup_capacity(sizes[i]);
		if (p.n_followups > 2)
			p.n_followups = 2;
		for (unsigned k = 0; k < p.n_followups; k++)
			p.fu[k] = (struct vnl_followup){ .seq = p.seq - 1 - k, .tx_sched = p.sched + 3000,
							 .tx_sw = p.sched + 5000 };
		if (vnl_wire_encode(&p, buf, sizes[i]))
			return -1;
		snprintf(path, sizeof(path), "%s/wire/probe-%zu", dir, sizes[i]);
		if (write_file(path, buf, sizes[i]))
			return -1;
	}
	return 0;
}

static int record_seeds(const char *dir)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/record/small", dir);
	struct vnl_record_meta meta = { .role = VNL_ROLE_RECV, .stream_id = 0x1234, .payload_size = 128,
					.start_ns = 1700000000000000000LL, .interval_ns = 1000000 };
	strcpy(meta.transport, "udp4");
	struct vnl_record_writer *w = vnl_record_create(path, &meta, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "mkseeds: %s\n", err);
		return -1;
	}
	for (uint64_t k = 0; k < 3; k++) {
		int64_t s = 1700000000000000000LL + (int64_t)k * 1000000;
		struct vnl_pkt p = { .seq = k, .sched = s, .app_tx = s + 2000, .tx_sw = s + 5000,
				     .rx_sw = s + 40000, .app_rx = s + 50000, .flags = VNL_PKT_F_TXSTAMPS };
		vnl_record_append(w, &p);
	}
	struct vnl_record_summary sum = { .sent = 3 };
	if (vnl_record_finish(w, &sum))
		return -1;
	/* the same file cut inside its first block */
	FILE *f = fopen(path, "rb");
	unsigned char buf[400];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/record/cut", dir);
	return write_file(path, buf, n);
}

static int clockpkt_seeds(const char *dir)
{
	const struct vnl_clockpkt req = { .type = VNL_CLOCKPKT_REQUEST, .seq = 3, .session = 0x5eed,
					  .t1 = 1700000000000000000LL };
	struct vnl_clockpkt ans = req;
	unsigned char buf[VNL_CLOCKPKT_SIZE];
	char path[512];
	ans.type = VNL_CLOCKPKT_ANSWER;
	ans.flags = VNL_CLOCKPKT_F_KERNEL_RX;
	ans.resolution_ns = 1;
	ans.t2 = req.t1 + 20000;
	ans.t3 = req.t1 + 25000;
	vnl_clockpkt_encode(&req, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/clockpkt/request", dir);
	if (write_file(path, buf, sizeof(buf)))
		return -1;
	vnl_clockpkt_encode(&ans, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/clockpkt/answer", dir);
	return write_file(path, buf, sizeof(buf));
}

int main(int argc, char **argv)
{
	char path[512];
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	snprintf(path, sizeof(path), "%s/wire", argv[1]);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/record", argv[1]);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/clockpkt", argv[1]);
	mkdir(path, 0755);
	return wire_seeds(argv[1]) || record_seeds(argv[1]) || clockpkt_seeds(argv[1]) ? 1 : 0;
}
