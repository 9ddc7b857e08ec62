/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A precise CPU hog for recv_trace.sh: after DELAY_MS, pinned to CPU and at
 * SCHED_FIFO PRIO, spin for exactly MS milliseconds of CLOCK_MONOTONIC,
 * then exit. Bounded by alarm() whatever happens.
 * Usage: vnl_busy_fifo CPU PRIO MS DELAY_MS
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fputs("usage: vnl_busy_fifo CPU PRIO MS DELAY_MS\n", stderr);
		return 2;
	}
	int cpu = atoi(argv[1]), prio = atoi(argv[2]);
	long long ms = atoll(argv[3]), delay_ms = atoll(argv[4]);
	alarm((unsigned)((ms + delay_ms) / 1000 + 5));
	struct timespec d = { (time_t)(delay_ms / 1000), (long)(delay_ms % 1000) * 1000000L };
	nanosleep(&d, NULL);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	struct sched_param sp = { .sched_priority = prio };
	if (sched_setaffinity(0, sizeof(set), &set) < 0 || sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		perror("vnl_busy_fifo");
		return 1;
	}
	long long start = now_ns(), end = start + ms * 1000000LL;
	while (now_ns() < end)
		;
	printf("%lld %lld\n", start, now_ns());
	return 0;
}
