/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qbv.h"

#include "parse.h"

#include <stdio.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000LL

static int part(const char *s, size_t n, int64_t *ns, const char **why)
{
	char buf[32];
	if (!n || n >= sizeof(buf)) {
		*why = "OPEN+LENGTH/CYCLE with durations, e.g. 500us+250us/1ms";
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = 0;
	return vnl_parse_duration(buf, ns, why);
}

int vnl_qbv_parse(const char *spec, struct vnl_qbv *q, const char **why)
{
	memset(q, 0, sizeof(*q));
	const char *plus = strchr(spec, '+'), *slash = plus ? strchr(plus, '/') : NULL;
	*why = "OPEN+LENGTH/CYCLE with durations, e.g. 500us+250us/1ms";
	if (!plus || !slash || part(spec, (size_t)(plus - spec), &q->open_ns, why) ||
	    part(plus + 1, (size_t)(slash - plus - 1), &q->length_ns, why) ||
	    part(slash + 1, strlen(slash + 1), &q->cycle_ns, why))
		return -1;
	if (q->length_ns < 1000 || q->open_ns < 0 || q->cycle_ns < q->open_ns + q->length_ns) {
		*why = "a window of at least 1us inside the cycle (OPEN + LENGTH <= CYCLE)";
		return -1;
	}
	if (NSEC_PER_SEC % q->cycle_ns) {
		*why = "a cycle that divides 1 s (1ms, 500us, 250us, ...)";
		return -1;
	}
	q->priority = VNL_QBV_PRIORITY;
	snprintf(q->offload, sizeof(q->offload), "software");
	return 0;
}

/* "sched-entry S MASK NS " into BUF at *USED; gate mask bit 0 is the stream's class. */
static void entry(char *buf, size_t len, size_t *used, int mask, int64_t ns)
{
	if (ns <= 0 || *used >= len)
		return;
	int n = snprintf(buf + *used, len - *used, " sched-entry S %02x %lld", mask, (long long)ns);
	*used += n > 0 ? (size_t)n : 0;
}

int vnl_qbv_tc_command(const struct vnl_qbv *q, const char *dev, char *buf, size_t len)
{
	/* priorities 0..15 to classes: the stream's to 0, the rest to 1; a queue each */
	char map[64];
	size_t m = 0;
	for (int p = 0; p < 16; p++)
		m += (size_t)snprintf(map + m, sizeof(map) - m, " %d", p == q->priority ? 0 : 1);
	int n = snprintf(buf, len, "tc qdisc replace dev %s parent root handle 100 taprio num_tc 2 "
			 "map%s queues 1@0 1@1 base-time %lld", dev, map, (long long)q->base_time_ns);
	if (n < 0 || (size_t)n >= len)
		return -1;
	size_t used = (size_t)n;
	entry(buf, len, &used, 0x2, q->open_ns);
	entry(buf, len, &used, 0x1, q->length_ns);
	entry(buf, len, &used, 0x2, q->cycle_ns - q->open_ns - q->length_ns);
	n = used < len ? snprintf(buf + used, len - used, " %sclockid CLOCK_TAI",
				  strcmp(q->offload, "full") ? "" : "flags 0x2 ") : -1;
	return n < 0 || used + (size_t)n >= len ? -1 : 0;
}

int64_t vnl_qbv_phase(const struct vnl_qbv *q, int64_t t)
{
	int64_t p = (t - q->base_time_ns) % q->cycle_ns;
	return p < 0 ? p + q->cycle_ns : p;
}

int vnl_qbv_in_window(const struct vnl_qbv *q, int64_t t)
{
	int64_t p = vnl_qbv_phase(q, t);
	return p >= q->open_ns && p < q->open_ns + q->length_ns;
}

void vnl_qbv_count(const struct vnl_qbv *q, struct vnl_qbv_counts *c, int64_t tx_sched,
		   int64_t tx_sw)
{
	c->probes++;
	if (tx_sw <= 0) {
		c->no_stamp++;
		return;
	}
	c->sent++;
	if (vnl_qbv_in_window(q, tx_sw))
		c->sent_in_window++;
	else
		c->sent_outside++;
	if (tx_sched > 0 && !vnl_qbv_in_window(q, tx_sched))
		c->queued_outside++;
	if (tx_sched > 0 && tx_sw - tx_sched > q->cycle_ns)
		c->missed_window++;
}
