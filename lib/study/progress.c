/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

struct vnl_progress {
	FILE *out;
	bool tty, quiet, drawn;
	unsigned total, index;
	int64_t start_ns, unit_start_ns;
	int64_t planned_left_ns;   /* planned time of the units not finished */
	int64_t planned_done_ns;   /* planned time of the units finished */
	int64_t unit_planned_ns;
	char name[96];
	char last[64];             /* "loss 0.00% p99 42.1us" of the last finished unit */
	char live[80];             /* "in: loss 0.00% p99 42.1us" of the running unit, or "" */
	int64_t plain_every_ns;    /* not a terminal: live lines at most this often */
	int64_t plain_next_ns;     /* ...the next one not before */
};

struct vnl_progress *vnl_progress_new(FILE *out, unsigned total, int64_t planned_ns, bool quiet)
{
	struct vnl_progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->out = out;
	p->tty = isatty(fileno(out));
	p->quiet = quiet;
	p->total = total;
	p->planned_left_ns = planned_ns;
	p->start_ns = vnl_now_ns(CLOCK_MONOTONIC);
	p->plain_every_ns = VNL_PROGRESS_PLAIN_EVERY_NS;
	return p;
}

void vnl_progress_set_plain_every(struct vnl_progress *p, int64_t every_ns)
{
	p->plain_every_ns = every_ns;
}

void vnl_progress_free(struct vnl_progress *p)
{
	if (p)
		vnl_progress_clear(p);
	free(p);
}

static void fmt_time(char *buf, size_t len, int64_t ns)
{
	long s = (long)(ns / 1000000000);
	if (s >= 3600)
		snprintf(buf, len, "%ldh%02ldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

/* Remaining: planned time left, scaled by actual/planned of what is finished. */
static int64_t remaining_ns(const struct vnl_progress *p, int64_t now)
{
	int64_t left = p->planned_left_ns;
	int64_t elapsed_done = p->unit_start_ns ? p->unit_start_ns - p->start_ns : 0;
	if (p->planned_done_ns > 0 && elapsed_done > 0)
		left = (int64_t)((double)left * ((double)elapsed_done / (double)p->planned_done_ns));
	left -= p->unit_start_ns ? now - p->unit_start_ns : 0;
	return left > 0 ? left : 0;
}

static void draw(struct vnl_progress *p)
{
	if (!p->tty || p->quiet)
		return;
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
	char el[16], rem[16];
	fmt_time(el, sizeof(el), now - p->start_ns);
	fmt_time(rem, sizeof(rem), remaining_ns(p, now));
	/* the running case's figures when there are some: they are what moves */
	const char *label = p->live[0] ? "  now " : p->last[0] ? "  last: " : "";
	fprintf(p->out, "\r\033[Kcase %u of %u  %s  elapsed %s  ~%s left%s%s", p->index + 1,
		p->total, p->name, el, rem, label, p->live[0] ? p->live : p->last);
	fflush(p->out);
	p->drawn = true;
}

void vnl_progress_begin(struct vnl_progress *p, unsigned index, const char *name,
			int64_t planned_ns)
{
	p->index = index;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->unit_start_ns = vnl_now_ns(CLOCK_MONOTONIC);
	p->unit_planned_ns = planned_ns;
	p->live[0] = '\0';
	p->plain_next_ns = p->unit_start_ns + p->plain_every_ns;
	draw(p);
}

static void fmt_result(char *buf, size_t len, double loss, int64_t p99_ns)
{
	char l[24] = "loss -", q[32] = "p99 -";
	if (loss >= 0)
		snprintf(l, sizeof(l), "loss %.2f%%", loss * 100.0);
	if (p99_ns >= 0)
		snprintf(q, sizeof(q), "p99 %.1fus", (double)p99_ns / 1000.0);
	snprintf(buf, len, "%s %s", l, q);
}

void vnl_progress_live(struct vnl_progress *p, const char *what, double loss, int64_t p99_ns)
{
	char res[64];
	fmt_result(res, sizeof(res), loss, p99_ns);
	snprintf(p->live, sizeof(p->live), "%s%s%s", what && what[0] ? what : "",
		 what && what[0] ? ": " : "", res);
}

/* Not a terminal: the running unit's live figures as a plain line, when one is due. */
static void plain_live(struct vnl_progress *p)
{
	if (p->tty || p->quiet || !p->live[0])
		return;
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
	if (now < p->plain_next_ns)
		return;
	p->plain_next_ns = now + p->plain_every_ns;
	char el[16];
	fmt_time(el, sizeof(el), now - p->start_ns);
	fprintf(p->out, "case %u/%u %s: running, %s [%s]\n", p->index + 1, p->total, p->name,
		p->live, el);
	fflush(p->out);
}

void vnl_progress_tick(struct vnl_progress *p)
{
	draw(p);
	plain_live(p);
}

void vnl_progress_end(struct vnl_progress *p, const char *status, double loss, int64_t p99_ns,
		      const char *detail)
{
	int64_t now = vnl_now_ns(CLOCK_MONOTONIC);
	p->planned_left_ns -= p->unit_planned_ns;
	p->planned_done_ns += p->unit_planned_ns;
	p->unit_start_ns = now;
	p->live[0] = '\0';
	fmt_result(p->last, sizeof(p->last), loss, p99_ns);
	if (p->quiet)
		return;
	char el[16];
	fmt_time(el, sizeof(el), now - p->start_ns);
	vnl_progress_clear(p);
	/* One line per unit, terminal or not: the record of what happened. */
	fprintf(p->out, "case %u/%u %s: %s", p->index + 1, p->total, p->name, status);
	if (!strcmp(status, "done") || !strcmp(status, "partial"))
		fprintf(p->out, ", %s", p->last);
	if (detail && detail[0])
		fprintf(p->out, " (%s)", detail);
	fprintf(p->out, " [%s]\n", el);
	fflush(p->out);
}

void vnl_progress_clear(struct vnl_progress *p)
{
	if (p->tty && p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
		p->drawn = false;
	}
}
