/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "log.h"
#include "parse.h"
#include "safefile.h"
#include "stats.h"
#include "timeutil.h"

#define LINE_MAX_LEN 256

struct vnl_status {
	bool enabled;            /* the terminal line */
	bool shown;
	int64_t next_ns;
	char *path;              /* the status file, or NULL */
	int64_t file_next_ns;
	bool corrected;          /* a peer offset was given: live[] hold the figures */
	int64_t peer_offset_ns;
	struct vnl_stats *live_one_way, *live_path;
};

struct vnl_status *vnl_status_new(bool quiet)
{
	struct vnl_status *s = calloc(1, sizeof(*s));
	if (s)
		s->enabled = !quiet && isatty(STDERR_FILENO);
	return s;
}

void vnl_status_free(struct vnl_status *s)
{
	if (s) {
		free(s->path);
		vnl_stats_free(s->live_one_way);
		vnl_stats_free(s->live_path);
	}
	free(s);
}

int vnl_status_set_peer_offset(struct vnl_status *s, int64_t peer_offset_ns)
{
	if (!s->live_one_way)
		s->live_one_way = vnl_stats_new();
	if (!s->live_path)
		s->live_path = vnl_stats_new();
	if (!s->live_one_way || !s->live_path) {
		vnl_errno("out of memory");
		return -1;
	}
	s->peer_offset_ns = peer_offset_ns;
	s->corrected = true;
	return 0;
}

void vnl_status_add(struct vnl_status *s, const struct vnl_pkt *p)
{
	if (!s || !s->corrected || (p->flags & VNL_PKT_F_DUPLICATE))
		return;
	/* receive stamp (ours) - send stamp (the peer's) + (peer - ours) = on our clock */
	int64_t v;
	if (vnl_pkt_stage(p, VNL_STAGE_ONE_WAY, &v))
		vnl_stats_add(s->live_one_way, v + s->peer_offset_ns);
	if (vnl_pkt_stage(p, VNL_STAGE_PATH, &v))
		vnl_stats_add(s->live_path, v + s->peer_offset_ns);
}

int vnl_status_start_file(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		vnl_err("the status file '%s' exists and is not a regular file; status files are "
			"replaced by rename, so give the path of a new or a regular file", path);
		return -1;
	}
	struct vnl_status_line none = { .stage = VNL_STAGE_ONE_WAY };
	if (vnl_status_write(path, &none)) {
		vnl_errno("cannot write the status file '%s'", path);
		return -1;
	}
	return 0;
}

int vnl_status_set_file(struct vnl_status *s, const char *path)
{
	/* Fail before the run, not a second into it, when the file cannot be written. */
	if (vnl_status_start_file(path))
		return -1;
	free(s->path);
	s->path = strdup(path);
	if (!s->path) {
		vnl_errno("out of memory");
		return -1;
	}
	return 0;
}

void vnl_status_of(const struct vnl_status *s, const struct vnl_analysis *a,
		   struct vnl_status_line *out)
{
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	*out = (struct vnl_status_line){ .received = c.received, .sent = c.sent, .lost = c.lost,
					 .stage = VNL_STAGE_ONE_WAY };
	bool own = s && s->corrected;
	const struct vnl_stats *st = own ? s->live_one_way : vnl_analysis_stage(a, VNL_STAGE_ONE_WAY);
	if (!st || !vnl_stats_count(st)) { /* the headline stage, as a study takes it */
		const struct vnl_stats *path = own ? s->live_path : vnl_analysis_stage(a, VNL_STAGE_PATH);
		if (path && vnl_stats_count(path))
			st = path, out->stage = VNL_STAGE_PATH;
	}
	out->has_p99 = st && vnl_stats_count(st);
	if (out->has_p99)
		out->p99_ns = vnl_stats_percentile(st, 0.99);
}

static void tick_file(struct vnl_status *s, int64_t now_ns, const struct vnl_analysis *a)
{
	if (!s->path || now_ns < s->file_next_ns)
		return;
	s->file_next_ns = now_ns + VNL_NSEC_PER_SEC;
	struct vnl_status_line l;
	vnl_status_of(s, a, &l);
	vnl_status_write(s->path, &l); /* a failed second is retried the next one */
}

static void tick_line(struct vnl_status *s, int64_t now_ns, const struct vnl_analysis *a,
		      enum vnl_stage stage)
{
	if (!s->enabled || now_ns < s->next_ns)
		return;
	s->next_ns = now_ns + VNL_NSEC_PER_SEC;
	struct vnl_counts c;
	vnl_analysis_counts(a, &c);
	const struct vnl_stats *st = vnl_analysis_stage(a, stage);
	char p99[32] = "-";
	if (st && vnl_stats_count(st))
		vnl_fmt_ns(vnl_stats_percentile(st, 0.99), p99, sizeof(p99));
	double loss = c.sent ? 100.0 * (double)c.lost / (double)c.sent : 0.0;
	/* \r + erase-to-end: one line, rewritten in place. */
	fprintf(stderr, "\r\033[K%llu packets, %llu lost (%.3f%%), %s p99 %s",
		(unsigned long long)c.received, (unsigned long long)c.lost, loss,
		vnl_stage_name(stage), p99);
	fflush(stderr);
	s->shown = true;
}

void vnl_status_tick(struct vnl_status *s, int64_t now_ns, const struct vnl_analysis *a,
		     enum vnl_stage stage)
{
	if (!s)
		return;
	tick_line(s, now_ns, a, stage);
	tick_file(s, now_ns, a);
}

void vnl_status_final(struct vnl_status *s, const struct vnl_analysis *a)
{
	if (!s || !s->path)
		return;
	s->file_next_ns = 0;
	tick_file(s, 0, a);
}

void vnl_status_clear(struct vnl_status *s)
{
	if (s && s->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		s->shown = false;
	}
}

int vnl_status_format(const struct vnl_status_line *l, char *buf, size_t len)
{
	char p99[40] = "", dir[24] = "";
	if (l->has_p99)
		snprintf(p99, sizeof(p99), ",\"p99_ns\":%lld", (long long)l->p99_ns);
	if (l->direction[0])
		snprintf(dir, sizeof(dir), ",\"direction\":\"%s\"", l->direction);
	int n = snprintf(buf, len, "{\"received\":%llu,\"sent\":%llu,\"lost\":%llu,\"stage\":\"%s\"%s%s}\n",
			 (unsigned long long)l->received, (unsigned long long)l->sent,
			 (unsigned long long)l->lost, vnl_stage_name(l->stage), p99, dir);
	return n > 0 && (size_t)n < len ? n : -1;
}

static bool get_count(json_t *doc, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(doc, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

int vnl_status_parse(const char *text, struct vnl_status_line *out)
{
	json_t *doc = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
	*out = (struct vnl_status_line){ .stage = VNL_STAGE_ONE_WAY };
	const char *stage = json_string_value(json_object_get(doc, "stage"));
	int st = stage ? vnl_stage_from_name(stage) : -1;
	json_t *p99 = json_object_get(doc, "p99_ns");
	const char *dir = json_string_value(json_object_get(doc, "direction"));
	bool ok = json_is_object(doc) && st >= 0 && get_count(doc, "received", &out->received) &&
		  get_count(doc, "sent", &out->sent) && get_count(doc, "lost", &out->lost) &&
		  (!p99 || json_is_integer(p99));
	if (ok) {
		out->stage = (enum vnl_stage)st;
		out->has_p99 = p99 != NULL;
		out->p99_ns = p99 ? json_integer_value(p99) : 0;
		snprintf(out->direction, sizeof(out->direction), "%s", dir ? dir : "");
	}
	json_decref(doc);
	return ok ? 0 : -1;
}

int vnl_status_write(const char *path, const struct vnl_status_line *l)
{
	char line[LINE_MAX_LEN];
	int n = vnl_status_format(l, line, sizeof(line));
	if (n < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return vnl_replace_write(path, line, (size_t)n);
}

void vnl_status_remove(const char *path)
{
	unlink(path);
}

int vnl_status_read(const char *path, struct vnl_status_line *out)
{
	char line[LINE_MAX_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	return vnl_status_parse(line, out);
}

double vnl_status_loss(const struct vnl_status_line *l)
{
	return l->sent ? (double)l->lost / (double)l->sent : -1.0;
}
