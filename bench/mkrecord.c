/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkrecord: write a synthetic record file of N received probes, as
 * `vnetlat recv --record` would on a software-stamped veth lab, for the report
 * benchmark and the report tests. Stamps follow a time-triggered 1 kHz (or
 * --interval) schedule with exponential jitter in every stage, rare spikes in
 * the wakeup and the path, and optional random loss; a seeded generator makes
 * every file reproducible.
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "parse.h"
#include "record.h"
#include "timeutil.h"

static const char usage_text[] =
	"Usage: mkrecord [--interval T] [--loss FRACTION] [--seed N] [--base NS]\n"
	"                [--clock-sync WORDS] [--foreign N] [--malformed N] [--scale F]\n"
	"                FILE PACKETS\n"
	"Writes a synthetic record of PACKETS probes received (minus --loss) on a\n"
	"software-stamped same-host lab. Defaults: --interval 1ms, --loss 0, --seed 1,\n"
	"--base now (CLOCK_REALTIME, whole second), --clock-sync same-host; --scale F\n"
	"multiplies every delay (default 1: a slower or faster set-up, same seed).\n";

struct gen_opts {
	const char *path;
	uint64_t packets, seed, foreign, malformed;
	int64_t interval_ns, base_ns;
	double loss, scale;
	const char *clock_sync;
};

/* xorshift64*: fast, seedable, good enough for jitter. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Uniform in (0, 1]. */
static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 1.0) / 9007199254740992.0;
}

/* A delay of at least floor_ns with an exponential tail of the given mean. */
static int64_t delay_ns(double floor_ns, double mean_ns)
{
	return (int64_t)(floor_ns - mean_ns * log(rng_unit()));
}

/* With probability p, a spike uniform in [lo, hi) ns; else 0. */
static int64_t spike_ns(double p, double lo, double hi)
{
	return rng_unit() < p ? (int64_t)(lo + (hi - lo) * rng_unit()) : 0;
}

static void make_packet(struct vnl_pkt *p, uint64_t seq, const struct gen_opts *o)
{
	double k = o->scale;
	*p = (struct vnl_pkt){ .seq = seq, .flags = VNL_PKT_F_TXSTAMPS };
	p->sched = o->base_ns + (int64_t)seq * o->interval_ns;
	p->app_tx_sched = p->sched + (int64_t)(k * (double)(delay_ns(2000, 3000) +
							    spike_ns(2e-4, 50e3, 200e3)));
	p->app_tx = p->app_tx_sched; /* schedule clock is CLOCK_REALTIME here */
	p->tx_sched = p->app_tx + (int64_t)(k * (double)delay_ns(1500, 500));
	p->tx_sw = p->tx_sched + (int64_t)(k * (double)delay_ns(800, 300));
	p->rx_sw = p->tx_sw + (int64_t)(k * (double)(delay_ns(12000, 2000) +
						      spike_ns(1e-4, 100e3, 400e3)));
	p->app_rx = p->rx_sw + (int64_t)(k * (double)delay_ns(4000, 3000));
}

static int parse_args(int argc, char **argv, struct gen_opts *o)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "loss", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ "base", required_argument, NULL, 'b' },
		{ "clock-sync", required_argument, NULL, 'c' },
		{ "foreign", required_argument, NULL, 'f' },
		{ "malformed", required_argument, NULL, 'm' },
		{ "scale", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *why = "";
	uint64_t base = 0;
	char *end;
	int c;

	*o = (struct gen_opts){ .seed = 1, .interval_ns = VNL_NSEC_PER_MSEC, .scale = 1.0,
				.clock_sync = "same-host" };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'i':
			bad = vnl_parse_duration(optarg, &o->interval_ns, &why) ||
			      o->interval_ns <= 0;
			break;
		case 'l':
			o->loss = strtod(optarg, &end);
			bad = *end || !(o->loss >= 0 && o->loss < 1);
			why = "expected a fraction in [0, 1)";
			break;
		case 's':
			bad = vnl_parse_u64(optarg, 1, UINT64_MAX, &o->seed, &why);
			break;
		case 'b':
			bad = vnl_parse_u64(optarg, 1, INT64_MAX / 2, &base, &why);
			o->base_ns = (int64_t)base;
			break;
		case 'c':
			o->clock_sync = optarg;
			break;
		case 'f':
			bad = vnl_parse_u64(optarg, 0, UINT32_MAX, &o->foreign, &why);
			break;
		case 'm':
			bad = vnl_parse_u64(optarg, 0, UINT32_MAX, &o->malformed, &why);
			break;
		case 'k':
			o->scale = strtod(optarg, &end);
			bad = *end || !(o->scale > 0 && o->scale <= 1000);
			why = "expected a factor in (0, 1000]";
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return -1;
		}
		if (bad) {
			vnl_err("bad value '%s' for %s: %s", optarg, argv[optind - 1], why);
			return -1;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return -1;
	}
	o->path = argv[optind];
	if (vnl_parse_u64(argv[optind + 1], 0, UINT64_MAX / 2, &o->packets, &why)) {
		vnl_err("PACKETS '%s': %s", argv[optind + 1], why);
		return -1;
	}
	if (!o->base_ns)
		o->base_ns = vnl_now_ns(CLOCK_REALTIME) / VNL_NSEC_PER_SEC * VNL_NSEC_PER_SEC;
	return 0;
}

static void fill_meta(struct vnl_record_meta *m, const struct gen_opts *o)
{
	*m = (struct vnl_record_meta){
		.role = VNL_ROLE_RECV,
		.clock_id = CLOCK_REALTIME,
		.stream_id = (uint32_t)o->seed,
		.payload_size = 128,
		.start_ns = o->base_ns - o->interval_ns,
		.interval_ns = o->interval_ns,
		.base_ns = o->base_ns,
	};
	snprintf(m->transport, sizeof(m->transport), "udp4");
	snprintf(m->local, sizeof(m->local), "192.0.2.2:4300");
	snprintf(m->peer, sizeof(m->peer), "192.0.2.1:4300");
	snprintf(m->clock_sync, sizeof(m->clock_sync), "%s", o->clock_sync);
}

int main(int argc, char **argv)
{
	struct gen_opts o;
	struct vnl_record_meta meta;
	char errbuf[256];

	vnl_log_set_verb("mkrecord");
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	rng_state = o.seed * 0x9E3779B97F4A7C15ULL | 1;
	fill_meta(&meta, &o);

	struct vnl_record_writer *w = vnl_record_create(o.path, &meta, errbuf, sizeof(errbuf));
	if (!w) {
		vnl_err("%s", errbuf);
		return 1;
	}
	struct vnl_pkt p;
	for (uint64_t seq = 0; seq < o.packets; seq++) {
		make_packet(&p, seq, &o);
		if (o.loss > 0 && rng_unit() <= o.loss)
			continue;
		vnl_record_append(w, &p);
	}
	struct vnl_record_summary sum = {
		.sent = o.packets,
		.foreign = o.foreign,
		.malformed = o.malformed,
		.end_ns = o.base_ns + (int64_t)o.packets * o.interval_ns,
	};
	rc = vnl_record_finish(w, &sum);
	if (rc < 0) {
		vnl_err("writing '%s' failed: %s", o.path, strerror(-rc));
		return 1;
	}
	return 0;
}
