/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The model of a study's results directory: see studyreport.h and doc/study-results.md. */
#include "studyreport.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpulist.h"
#include "jsonfile.h"
#include "output.h"
#include "parse.h"
#include "record.h"
#include "safefile.h"

#define STAT_MAX_REPS 1000

struct case_priv {
	struct vnl_study_case pub;
	struct vnl_study_rep *reps;
	struct vnl_stats *merged[2][VNL_STAGE__COUNT]; /* [0] whole, [1] window */
	/* Per repetition [whole, window][path, one_way], for the tails' band; once the
	 * metric is known only its own are kept (a histogram each, ~60 KiB). */
	struct vnl_stats *(*rep_stats)[2][2];
	struct vnl_study_worst worst[VNL_STUDY_WORST];
	int64_t worst_key[VNL_STUDY_WORST];
	char damaged_reason[240];   /* the case's reason when a record is damaged */
	char rt_deviation[640];     /* real-time settings not as asked (check_rt, ...) */
	struct vnl_study_trace trace; /* read_trace; pub.trace points here when traced */
};

struct vnl_study {
	char dir[PATH_MAX];
	json_t *study, *host;
	bool has_window;
	int64_t from_ns, to_ns;
	size_t n;
	struct case_priv *cases;
};

/* ------------------------------------------------------------ small helpers */

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A string of study.json; control characters (a terminal escape, a newline
 * that would break a table) are replaced by '?' in the document itself, so
 * every page and table made from it gets the same, harmless text. */
static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return NULL;
	if (printable(json_string_value(v)))
		return json_string_value(v);
	char *copy = strdup(json_string_value(v));
	for (char *p = copy; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (!copy || json_string_set(v, copy)) {
		free(copy);
		return NULL;
	}
	free(copy);
	return json_string_value(v);
}

static bool file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

static int64_t metric_of(const struct vnl_pkt *p, enum vnl_stage metric, bool *ok)
{
	int64_t v = 0;
	*ok = vnl_pkt_stage(p, metric, &v);
	return v;
}

/* The worst packet's key as the analysis ranks it: one_way, else path. */
static int64_t worst_key(const struct vnl_pkt *p)
{
	int64_t v;
	if (vnl_pkt_stage(p, VNL_STAGE_ONE_WAY, &v) || vnl_pkt_stage(p, VNL_STAGE_PATH, &v))
		return v;
	return INT64_MIN;
}

/* ------------------------------------------------------------ re-analysis */

static void period_from(struct vnl_study_period *out, const struct vnl_analysis *a)
{
	out->measured = true;
	for (int st = 0; st < VNL_STAGE__COUNT; st++)
		vnl_stats_summarize(vnl_analysis_stage(a, st), &out->stage[st]);
	vnl_analysis_counts(a, &out->counts);
}

static void counts_add(struct vnl_counts *d, const struct vnl_counts *s)
{
	d->sent += s->sent;
	d->received += s->received;
	d->lost += s->lost;
	d->reordered += s->reordered;
	d->duplicated += s->duplicated;
	d->late += s->late;
	d->foreign += s->foreign;
	d->malformed += s->malformed;
	d->no_tx_stamps += s->no_tx_stamps;
}

static void merge_period(struct case_priv *c, int which, const struct vnl_analysis *a)
{
	struct vnl_counts cnt;
	for (int st = 0; st < VNL_STAGE__COUNT; st++)
		vnl_stats_merge(c->merged[which][st], vnl_analysis_stage(a, st));
	vnl_analysis_counts(a, &cnt);
	counts_add(which ? &c->pub.window.counts : &c->pub.whole.counts, &cnt);
	(which ? &c->pub.window : &c->pub.whole)->measured = true;
}

static void keep_worst(struct case_priv *c, unsigned rep, const struct vnl_analysis *a)
{
	struct vnl_pkt w[VNL_STUDY_WORST];
	size_t n = vnl_analysis_worst(a, w, VNL_STUDY_WORST);
	int64_t origin = vnl_analysis_origin(a);

	for (size_t i = 0; i < n; i++) {
		int64_t key = worst_key(&w[i]);
		size_t at = c->pub.nworst;
		/* insertion into a short list ordered worst first; ties keep rep order */
		while (at > 0 && c->worst_key[at - 1] < key)
			at--;
		if (at >= VNL_STUDY_WORST)
			continue;
		size_t last = c->pub.nworst < VNL_STUDY_WORST ? c->pub.nworst : VNL_STUDY_WORST - 1;
		memmove(&c->worst[at + 1], &c->worst[at], (last - at) * sizeof(c->worst[0]));
		memmove(&c->worst_key[at + 1], &c->worst_key[at], (last - at) * sizeof(int64_t));
		c->worst[at] = (struct vnl_study_worst){
			.rep = rep, .pkt = w[i],
			.t_ns = w[i].sched && origin ? w[i].sched - origin : 0,
		};
		c->worst_key[at] = key;
		if (c->pub.nworst < VNL_STUDY_WORST)
			c->pub.nworst++;
	}
}

static struct vnl_analysis *analysis_for(int64_t origin, int64_t from, int64_t to)
{
	struct vnl_analysis_opts o = { .worst_n = VNL_STUDY_WORST, .origin_ns = origin,
				       .from_ns = from, .to_ns = to };
	return vnl_analysis_new(&o);
}

/* The record's own counts (sent, foreign, malformed), when its summary was written. */
static void set_extra(struct vnl_analysis *a, const struct vnl_record_reader *r)
{
	struct vnl_record_summary sum;
	vnl_analysis_set_extra_from_record(a, vnl_record_reader_summary(r, &sum) ? &sum : NULL);
}

/*
 * One pass over a record into the whole-run analysis and (when the study has
 * one) the window's, exactly as `vnetlat report FILE [--from --to]` does:
 * the window's origin is the schedule origin the record names, else the
 * first packet's schedule time. 0, or -1 when the file cannot be opened.
 */
static int analyse_record(const struct vnl_study *s, struct vnl_study_rep *rep,
			  struct vnl_analysis **whole, struct vnl_analysis **win)
{
	char err[256] = "";
	struct vnl_record_reader *r = vnl_record_open(rep->record, err, sizeof(err));
	const struct vnl_pkt *batch;
	size_t n;

	*whole = *win = NULL;
	if (!r) {
		snprintf(rep->damage, sizeof(rep->damage), "%s", err[0] ? err : "unreadable");
		return -1;
	}
	int64_t origin = vnl_record_reader_meta(r)->base_ns;
	while ((batch = vnl_record_next(r, &n)) != NULL) {
		for (size_t i = 0; i < n; i++) {
			if (!origin)
				origin = batch[i].sched;
			if (!*whole) {
				*whole = analysis_for(origin, 0, 0);
				*win = s->has_window ? analysis_for(origin, s->from_ns, s->to_ns) : NULL;
				if (!*whole || (s->has_window && !*win))
					goto nomem;
			}
			vnl_analysis_add(*whole, &batch[i]);
			if (*win)
				vnl_analysis_add(*win, &batch[i]);
		}
	}
	if (!*whole) {
		*whole = analysis_for(origin, 0, 0);
		*win = s->has_window ? analysis_for(origin, s->from_ns, s->to_ns) : NULL;
		if (!*whole || (s->has_window && !*win))
			goto nomem;
	}
	set_extra(*whole, r);
	if (*win)
		set_extra(*win, r);
	const char *damage = vnl_record_reader_damage(r);
	snprintf(rep->damage, sizeof(rep->damage), "%s", damage ? damage : "");
	vnl_record_close(r);
	return 0;
nomem:
	vnl_analysis_free(*whole);
	vnl_analysis_free(*win);
	*whole = *win = NULL;
	snprintf(rep->damage, sizeof(rep->damage), "out of memory");
	vnl_record_close(r);
	return -1;
}

/* A copy of the repetition's path and one_way statistics; none (no band) when out of memory. */
static void keep_rep_stats(struct case_priv *c, size_t r, int which, const struct vnl_analysis *a)
{
	static const enum vnl_stage metrics[2] = { VNL_STAGE_PATH, VNL_STAGE_ONE_WAY };
	for (int k = 0; k < 2; k++) {
		struct vnl_stats *st = vnl_stats_new();
		if (st)
			vnl_stats_merge(st, vnl_analysis_stage(a, metrics[k]));
		if (st && !vnl_stats_count(st)) {
			vnl_stats_free(st);
			st = NULL;
		}
		c->rep_stats[r][which][k] = st;
	}
}

static void analyse_rep(const struct vnl_study *s, struct case_priv *c, size_t r)
{
	struct vnl_study_rep *rep = &c->reps[r];
	struct vnl_analysis *whole, *win;

	if (!rep->record[0] || analyse_record(s, rep, &whole, &win) < 0)
		return;
	period_from(&rep->whole, whole);
	merge_period(c, 0, whole);
	keep_rep_stats(c, r, 0, whole);
	keep_worst(c, rep->rep, whole);
	if (win) {
		period_from(&rep->window, win);
		merge_period(c, 1, win);
		keep_rep_stats(c, r, 1, win);
	}
	vnl_analysis_free(whole);
	vnl_analysis_free(win);
}

/* ------------------------------------------------------------ loading */

static void rep_path(const struct vnl_study *s, const char *repdir, const char *file,
		     char *out, size_t len)
{
	if (snprintf(out, len, "%s/%s/%s", s->dir, repdir, file) >= (int)len)
		out[0] = '\0'; /* too long to exist */
}

/* The direction analysed: the case's own when it names one, else in, else out. */
static const char *choose_dir(const struct vnl_study *s, json_t *reps, const char *direction)
{
	if (direction && (!strcmp(direction, "in") || !strcmp(direction, "out")))
		return direction;
	static const char *const dirs[] = { "in", "out" };
	for (int d = 0; d < 2; d++) {
		size_t i;
		json_t *r;
		json_array_foreach(reps, i, r) {
			char path[PATH_MAX + 64], file[16];
			const char *rd = jstr(r, "dir");
			snprintf(file, sizeof(file), "%s.vnlrec", dirs[d]);
			if (rd) {
				rep_path(s, rd, file, path, sizeof(path));
				if (file_exists(path))
					return dirs[d];
			}
		}
	}
	return NULL;
}

/* Stage breakdown from the run JSON's hops: wire, host, guest + application (rx_stack). */
static void read_hops(const struct vnl_study *s, struct case_priv *c, const char *repdir)
{
	char path[PATH_MAX + 64], file[16];
	snprintf(file, sizeof(file), "%s.json", c->pub.measured_dir);
	rep_path(s, repdir, file, path, sizeof(path));
	char why[PATH_MAX + 200];
	json_t *doc = vnl_json_load(path, "run JSON", why, sizeof(why));
	if (!doc)
		return;
	static const char *const hops[] = { "wire", "host", "guest" };
	json_t *h = json_object_get(doc, "hops");
	bool all = json_is_object(h);
	for (int i = 0; all && i < 3; i++) {
		json_t *st = json_object_get(h, hops[i]);
		json_t *p50 = json_object_get(st, "p50_ns");
		all = json_is_object(st) && json_is_number(p50);
		if (all)
			c->pub.hop_p50_ns[i] = json_number_value(p50);
	}
	json_t *clk = json_object_get(doc, "clock");
	const char *method = json_string_value(json_object_get(clk, "combined"));
	if (!method) /* a run JSON from before the back-end port's bound */
		method = json_string_value(json_object_get(clk, "method"));
	/* path and one_way cross the two clocks alike: one bound serves the metric (chosen later) */
	json_t *bound = json_object_get(json_object_get(json_object_get(doc, "latency"), "path"),
					"uncertainty_ns");
	snprintf(c->pub.clock, sizeof(c->pub.clock), "%s", method ? method : "");
	c->pub.clock_bound_ns = json_is_integer(bound) ? json_integer_value(bound) : 0;
	json_t *app = json_object_get(json_object_get(json_object_get(doc, "latency"), "rx_stack"),
				      "p50_ns");
	if (all && json_is_number(app)) {
		c->pub.hop_p50_ns[3] = json_number_value(app);
		c->pub.has_hops = true;
	}
	json_decref(doc);
}

/* ------------------------------------------------------------ --trace */

static void trace_add_cause(struct vnl_study_trace *t, const char *kind, const char *task,
			    uint64_t probes)
{
	for (size_t i = 0; i < t->ncauses; i++)
		if (!strcmp(t->cause[i].kind, kind) && !strcmp(t->cause[i].task, task)) {
			t->cause[i].probes += probes;
			return;
		}
	if (t->ncauses == VNL_STUDY_TRACE_CAUSES) {
		t->other += probes;
		return;
	}
	struct vnl_study_trace_cause *c = &t->cause[t->ncauses++];
	snprintf(c->kind, sizeof(c->kind), "%s", kind);
	snprintf(c->task, sizeof(c->task), "%s", task);
	c->probes = probes;
}

static uint64_t juint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

/* The worst probe of a repetition and its causes, as one line. */
static void trace_worst_line(struct vnl_study_trace *t, unsigned rep, json_t *w)
{
	json_t *ex = json_object_get(w, "explain");
	if (!json_is_object(w) || !json_is_array(ex) || t->nlines == VNL_STUDY_TRACE_LINES)
		return;
	char *line = t->line[t->nlines++];
	size_t len = sizeof(t->line[0]), at = 0;
	json_t *ow = json_object_get(w, "one_way_ns");
	at += (size_t)snprintf(line, len, "repetition %u, seq %" PRIu64 ", one_way %.1f us:", rep,
			       juint(w, "seq"), json_is_number(ow) ? json_number_value(ow) / 1e3 : 0);
	size_t i;
	json_t *e;
	json_array_foreach(ex, i, e) {
		if (at >= len)
			break;
		const char *kind = jstr(e, "kind"), *task = jstr(e, "task");
		at += (size_t)snprintf(line + at, len - at, "%s %s %s for %.1f us (%.0f %%)",
				       i ? ";" : "", kind ? kind : "?", task ? task : "?",
				       (double)juint(e, "duration_ns") / 1e3,
				       100.0 * json_number_value(json_object_get(e, "share")));
	}
	if (!json_array_size(ex) && at < len)
		snprintf(line + at, len - at, " nothing traced held its CPU");
}

static int by_probes(const void *a, const void *b)
{
	const struct vnl_study_trace_cause *x = a, *y = b;
	return x->probes > y->probes ? -1 : x->probes < y->probes;
}

/* A repetition's run JSON, when it was traced: its tally and its worst probe. */
static void read_trace(const struct vnl_study *s, struct case_priv *c, const char *repdir,
		       unsigned rep)
{
	char path[PATH_MAX + 64], file[16], why[PATH_MAX + 200];
	snprintf(file, sizeof(file), "%s.json", c->pub.measured_dir);
	rep_path(s, repdir, file, path, sizeof(path));
	if (!file_exists(path))
		return;
	json_t *doc = vnl_json_load(path, "run JSON", why, sizeof(why));
	json_t *tr = doc ? json_object_get(doc, "trace") : NULL;
	if (!json_is_object(tr)) {
		json_decref(doc);
		return;
	}
	struct vnl_study_trace *t = &c->trace;
	c->pub.trace = t;
	json_t *above = json_object_get(tr, "above_p999");
	t->probes += juint(above, "probes");
	t->unexplained += juint(above, "unexplained");
	t->other += juint(above, "other");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(above, "causes"), i, e) {
		const char *kind = jstr(e, "kind"), *task = jstr(e, "task");
		if (kind && task)
			trace_add_cause(t, kind, task, juint(e, "probes"));
	}
	qsort(t->cause, t->ncauses, sizeof(t->cause[0]), by_probes);
	trace_worst_line(t, rep, json_array_get(json_object_get(doc, "worst"), 0));
	json_decref(doc);
}

void vnl_study_trace_text(const struct vnl_study_trace *t, char *buf, size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "above p99.9: %" PRIu64 " probes", t->probes);
	for (size_t i = 0; i < t->ncauses && at < len; i++) {
		if (i)
			at += (size_t)snprintf(buf + at, len - at, "; %" PRIu64 ": %s %s",
					       t->cause[i].probes, t->cause[i].kind, t->cause[i].task);
		else
			at += (size_t)snprintf(buf + at, len - at, "; %" PRIu64 " of %" PRIu64 ": %s %s",
					       t->cause[i].probes, t->probes, t->cause[i].kind,
					       t->cause[i].task);
	}
	if (t->other && at < len)
		at += (size_t)snprintf(buf + at, len - at, "; %" PRIu64 ": other causes", t->other);
	if (t->unexplained && at < len)
		snprintf(buf + at, len - at, "; %" PRIu64 ": nothing traced", t->unexplained);
}

/* A case with a damaged or missing record is not "done", whatever study.json
 * says: its figures lack what the record lost. */
static void mark_damaged(struct case_priv *c)
{
	size_t bad = 0, first = 0;
	for (size_t i = 0; i < c->pub.nreps; i++)
		if (c->reps[i].damage[0] && !bad++)
			first = i;
	if (!bad)
		return;
	snprintf(c->damaged_reason, sizeof(c->damaged_reason),
		 "%zu of %zu records damaged (repetition %u: %s)", bad, c->pub.nreps,
		 c->reps[first].rep, c->reps[first].damage);
	c->pub.status = "damaged";
	c->pub.reason = c->damaged_reason;
}

/* ------------------------------------------------------------ real-time settings */

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}


/* One end's part of a repetition's rt_applied ("receiver fifo 90 CPUs 1 mlock"). */
struct rt_end {
	char policy[16], cpus[64];
	int priority;
	bool known;
};

static void parse_rt_end(const char *applied, const char *who, struct rt_end *e)
{
	memset(e, 0, sizeof(*e));
	const char *p = applied ? strstr(applied, who) : NULL;
	e->known = p && sscanf(p + strlen(who), " %15s %d CPUs %63[^ ;]", e->policy, &e->priority,
			       e->cpus) == 3;
}

static int settings_int(json_t *settings, const char *key)
{
	json_t *v = json_object_get(settings, key);
	return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

/* What END got against what was asked: "" when it matches. */
static void rt_mismatch(const char *who, const struct rt_end *e, int fifo, int cpu, char *buf,
			size_t len)
{
	char want_cpu[16];
	snprintf(want_cpu, sizeof(want_cpu), "%d", cpu);
	buf[0] = '\0';
	if (!e->known)
		snprintf(buf, len, "the %s did not report what it got", who);
	else if ((fifo > 0 && (strcmp(e->policy, "fifo") || e->priority != fifo)) ||
		 (cpu >= 0 && strcmp(e->cpus, want_cpu)))
		snprintf(buf, len, "the %s got %s %d on CPUs %s", who, e->policy, e->priority,
			 e->cpus);
}

/*
 * The job's sched_fifo, cpu and remote_cpu against what each end of each measured
 * repetition read back (rt_applied): the first difference, named, is the case's
 * rt_deviation. rt_applied comes from the first direction measured ("in" unless
 * the case is "out" only), whose local end is the receiver.
 */
static void check_rt(struct case_priv *c, json_t *jc)
{
	json_t *settings = json_object_get(jc, "settings");
	int fifo = settings_int(settings, "sched_fifo"), cpu = settings_int(settings, "cpu");
	int remote_asked = settings_int(settings, "remote_cpu");
	int remote_cpu = remote_asked >= 0 ? remote_asked : cpu; /* none: as cpu */
	if (fifo <= 0 && cpu < 0 && remote_cpu < 0)
		return;
	bool out_only = same(c->pub.direction, "out");
	int tx_cpu = out_only ? cpu : remote_cpu, rx_cpu = out_only ? remote_cpu : cpu;
	char asked[96] = "", what[128];
	size_t n = 0;
	if (fifo > 0)
		n += (size_t)snprintf(asked + n, sizeof(asked) - n, "sched_fifo %d", fifo);
	if (cpu >= 0 && n < sizeof(asked))
		n += (size_t)snprintf(asked + n, sizeof(asked) - n, "%scpu %d", n ? ", " : "", cpu);
	if (remote_asked >= 0 && n < sizeof(asked))
		snprintf(asked + n, sizeof(asked) - n, "%sremote_cpu %d", n ? ", " : "", remote_asked);
	size_t i;
	json_t *jr;
	json_array_foreach(json_object_get(jc, "repetitions"), i, jr) {
		if (!same(jstr(jr, "status"), "done"))
			continue;
		const char *applied = jstr(jr, "rt_applied");
		struct rt_end e;
		parse_rt_end(applied, "sender", &e);
		rt_mismatch("sender", &e, fifo, tx_cpu, what, sizeof(what));
		if (!what[0]) {
			parse_rt_end(applied, "receiver", &e);
			rt_mismatch("receiver", &e, fifo, rx_cpu, what, sizeof(what));
		}
		if (what[0]) {
			snprintf(c->rt_deviation, sizeof(c->rt_deviation),
				 "asked %s; repetition %zu: %s (as it read itself back)", asked, i + 1,
				 what);
			c->pub.rt_deviation = c->rt_deviation;
			return;
		}
	}
}

/* Append "; what" (or "what") to the case's deviation. */
static void add_deviation(struct case_priv *c, const char *what)
{
	size_t n = strlen(c->rt_deviation);
	snprintf(c->rt_deviation + n, sizeof(c->rt_deviation) - n, "%s%s", n ? "; " : "", what);
	c->pub.rt_deviation = c->rt_deviation;
}

/*
 * Back-end 5 as published had the guest's memory on hugepages: a repetition
 * whose vhost-user guest got a memfd (the host had none free) says so, after
 * any real-time deviation.
 */
static void check_shared_memory(struct case_priv *c, json_t *jc)
{
	size_t i;
	json_t *jr;
	json_array_foreach(json_object_get(jc, "repetitions"), i, jr) {
		const char *mem = jstr(jr, "shared_memory");
		if (!mem || strncmp(mem, "memfd", 5))
			continue;
		char what[200];
		snprintf(what, sizeof(what), "asked hugepages for the vhost-user guest's memory (as "
			 "published); repetition %zu got %s", i + 1, mem);
		add_deviation(c, what);
		return;
	}
}

/*
 * The published study had the guest's vCPUs and OVS's PMD threads on isolated
 * CPUs: a case pinning them (pin_vcpu, pmd_cpus) to CPUs host.json's isolcpus
 * does not list says so, naming the first such CPU.
 */
static void check_isolated(const struct vnl_study *s, struct case_priv *c, json_t *jc)
{
	json_t *settings = json_object_get(jc, "settings");
	const char *iso = json_string_value(json_object_get(s->host, "isolcpus"));
	static const char *const keys[] = { "pin_vcpu", "pmd_cpus" };
	if (!iso)
		return; /* no host facts: nothing to compare with */
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *list = json_string_value(json_object_get(settings, keys[k]));
		for (int i = 0, cpu; list && (cpu = vnl_cpulist_nth(list, i)) >= 0; i++) {
			if (vnl_cpulist_has(iso, cpu) == 1)
				continue;
			char what[200];
			snprintf(what, sizeof(what), "asked %s %s on isolated CPUs (as published); CPU %d "
				 "is not isolated on this host (isolcpus %s)", keys[k], list, cpu,
				 iso[0] ? iso : "none");
			add_deviation(c, what);
			break;
		}
	}
}

static int load_case(struct vnl_study *s, struct case_priv *c, json_t *jc)
{
	c->pub.name = jstr(jc, "name");
	c->pub.topology = jstr(jc, "topology");
	c->pub.load = jstr(jc, "load");
	c->pub.direction = jstr(jc, "direction");
	c->pub.status = jstr(jc, "status");
	c->pub.reason = jstr(jc, "reason");
	c->pub.reference = -1;
	if (!c->pub.name || !c->pub.status)
		return -1;
	for (int w = 0; w < 2; w++)
		for (int st = 0; st < VNL_STAGE__COUNT; st++)
			if (!(c->merged[w][st] = vnl_stats_new()))
				return -1;
	json_t *reps = json_object_get(jc, "repetitions");
	size_t nreps = json_is_array(reps) ? json_array_size(reps) : 0;
	if (nreps > STAT_MAX_REPS)
		return -1;
	c->reps = calloc(nreps ? nreps : 1, sizeof(*c->reps));
	c->rep_stats = calloc(nreps ? nreps : 1, sizeof(*c->rep_stats));
	if (!c->reps || !c->rep_stats)
		return -1;
	c->pub.reps = c->reps;
	c->pub.nreps = nreps;
	c->pub.measured_dir = choose_dir(s, reps, c->pub.direction);
	size_t i;
	json_t *jr;
	bool hops_read = false;
	json_array_foreach(reps, i, jr) {
		struct vnl_study_rep *rep = &c->reps[i];
		const char *rd = jstr(jr, "dir");
		json_t *n = json_object_get(jr, "rep");
		rep->rep = json_is_integer(n) ? (unsigned)json_integer_value(n) : (unsigned)i + 1;
		rep->status = jstr(jr, "status");
		if (rd && c->pub.measured_dir) {
			char file[16];
			snprintf(file, sizeof(file), "%s.vnlrec", c->pub.measured_dir);
			rep_path(s, rd, file, rep->record, sizeof(rep->record));
			if (!file_exists(rep->record)) {
				if (rep->status && !strcmp(rep->status, "done"))
					snprintf(rep->damage, sizeof(rep->damage),
						 "the record is missing");
				else
					rep->record[0] = '\0';
			}
		}
		analyse_rep(s, c, i);
		if (rd && c->pub.measured_dir)
			read_trace(s, c, rd, rep->rep);
		if (rep->whole.measured && !hops_read) {
			read_hops(s, c, rd);
			hops_read = true;
		}
	}
	mark_damaged(c);
	check_rt(c, jc);
	check_shared_memory(c, jc);
	check_isolated(s, c, jc);
	for (int w = 0; w < 2; w++) {
		struct vnl_study_period *p = w ? &c->pub.window : &c->pub.whole;
		for (int st = 0; st < VNL_STAGE__COUNT; st++)
			vnl_stats_summarize(c->merged[w][st], &p->stage[st]);
	}
	c->pub.metric = c->pub.whole.stage[VNL_STAGE_ONE_WAY].count ? VNL_STAGE_ONE_WAY
								       : VNL_STAGE_PATH;
	int other = c->pub.metric == VNL_STAGE_ONE_WAY ? 0 : 1;
	for (size_t r = 0; r < nreps; r++)
		for (int w = 0; w < 2; w++) {
			vnl_stats_free(c->rep_stats[r][w][other]);
			c->rep_stats[r][w][other] = NULL;
		}
	c->pub.worst = c->worst;
	return 0;
}

static int find_by(const struct vnl_study *s, const char *topology, const char *load,
		   const char *dir)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct vnl_study_case *c = &s->cases[i].pub;
		if (same(c->topology, topology) && same(c->load, load) &&
		    same(c->measured_dir, dir) && c->whole.measured)
			return (int)i;
	}
	return -1;
}

/*
 * A case's reference: the study's reference topology (the named case's
 * topology, or the name itself as a topology), else passthrough, else veth;
 * with the same load and direction as the case, so loaded cases are held
 * against the loaded reference. A named case is the fallback.
 */
static void resolve_references(struct vnl_study *s)
{
	const char *ref = jstr(s->study, "reference");
	int named = ref ? vnl_study_find(s, ref) : -1;
	const char *topo = named >= 0 ? s->cases[named].pub.topology : ref;

	for (size_t i = 0; i < s->n; i++) {
		struct vnl_study_case *c = &s->cases[i].pub;
		int r = -1;
		if (!c->whole.measured)
			continue;
		if (topo)
			r = find_by(s, topo, c->load, c->measured_dir);
		if (r < 0 && named >= 0 && s->cases[named].pub.whole.measured)
			r = named;
		if (r < 0 && !ref)
			r = find_by(s, "passthrough", c->load, c->measured_dir);
		if (r < 0 && !ref)
			r = find_by(s, "veth", c->load, c->measured_dir);
		c->reference = r == (int)i ? -1 : r;
	}
}

static int read_window(struct vnl_study *s, char *err, size_t errlen)
{
	json_t *w = json_object_get(s->study, "window");
	if (!w || json_is_null(w))
		return 0;
	json_t *from = json_object_get(w, "from_ns"), *to = json_object_get(w, "to_ns");
	if (!json_is_integer(from) || !(json_is_integer(to) || json_is_null(to) || !to)) {
		snprintf(err, errlen, "%s/study.json: \"window\" needs integer \"from_ns\" and "
			 "\"to_ns\" (or null for the end of the run)", s->dir);
		return -1;
	}
	s->from_ns = json_integer_value(from);
	s->to_ns = json_is_integer(to) ? json_integer_value(to) : 0;
	if (s->from_ns < 0 || s->to_ns < 0 || (s->to_ns && s->to_ns <= s->from_ns)) {
		snprintf(err, errlen, "%s/study.json: the window [%lld, %lld) ns is empty or "
			 "negative", s->dir, (long long)s->from_ns, (long long)s->to_ns);
		return -1;
	}
	s->has_window = true;
	return 0;
}

static int read_study_json(struct vnl_study *s, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/study.json", s->dir);
	if (!file_exists(path)) {
		snprintf(err, errlen, "'%s' has no study.json: give a results directory "
			 "written by 'vnetlat study'", s->dir);
		return -1;
	}
	if (!(s->study = vnl_json_load(path, "study.json", err, errlen)))
		return -1;
	json_t *ver = json_object_get(s->study, "vnetlat_study");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		snprintf(err, errlen, "%s: not a version 1 study (\"vnetlat_study\": 1 expected)",
			 path);
		return -1;
	}
	if (!json_is_array(json_object_get(s->study, "cases"))) {
		snprintf(err, errlen, "%s: \"cases\" must be an array", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/host.json", s->dir);
	char why[PATH_MAX + 200];
	s->host = vnl_json_load(path, "host.json", why, sizeof(why)); /* optional */
	return read_window(s, err, errlen);
}

struct vnl_study *vnl_study_open(const char *dir, char *err, size_t errlen)
{
	struct vnl_study *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	if (read_study_json(s, err, errlen) < 0)
		goto fail;
	json_t *cases = json_object_get(s->study, "cases");
	s->cases = calloc(json_array_size(cases) + 1, sizeof(*s->cases));
	if (!s->cases) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	size_t i;
	json_t *jc;
	json_array_foreach(cases, i, jc) {
		s->n = i + 1;
		if (load_case(s, &s->cases[i], jc) < 0) {
			snprintf(err, errlen, "%s/study.json: case %zu needs a \"name\" and a "
				 "\"status\" (and at most %d repetitions)", dir, i + 1,
				 STAT_MAX_REPS);
			goto fail;
		}
	}
	resolve_references(s);
	return s;
fail:
	vnl_study_free(s);
	return NULL;
}

void vnl_study_free(struct vnl_study *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		for (int w = 0; w < 2; w++)
			for (int st = 0; st < VNL_STAGE__COUNT; st++)
				vnl_stats_free(s->cases[i].merged[w][st]);
		for (size_t r = 0; s->cases[i].rep_stats && r < s->cases[i].pub.nreps; r++)
			for (int w = 0; w < 2; w++)
				for (int k = 0; k < 2; k++)
					vnl_stats_free(s->cases[i].rep_stats[r][w][k]);
		free(s->cases[i].rep_stats);
		free(s->cases[i].reps);
	}
	free(s->cases);
	json_decref(s->study);
	json_decref(s->host);
	free(s);
}

/* ------------------------------------------------------------ accessors */

const char *vnl_study_dir(const struct vnl_study *s)
{
	return s->dir;
}

size_t vnl_study_ncases(const struct vnl_study *s)
{
	return s->n;
}

const struct vnl_study_case *vnl_study_case(const struct vnl_study *s, size_t i)
{
	return i < s->n ? &s->cases[i].pub : NULL;
}

int vnl_study_find(const struct vnl_study *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (same(s->cases[i].pub.name, name))
			return (int)i;
	return -1;
}

bool vnl_study_has_window(const struct vnl_study *s)
{
	return s->has_window;
}

void vnl_study_window(const struct vnl_study *s, int64_t *from_ns, int64_t *to_ns)
{
	*from_ns = s->from_ns;
	*to_ns = s->to_ns;
}

json_t *vnl_study_host(const struct vnl_study *s)
{
	return s->host;
}

const struct vnl_study_period *vnl_study_headline(const struct vnl_study *s,
						  const struct vnl_study_case *c)
{
	return s->has_window ? &c->window : &c->whole;
}

const struct vnl_stats *vnl_study_metric_stats(const struct vnl_study *s, size_t i)
{
	return i < s->n ? s->cases[i].merged[0][s->cases[i].pub.metric] : NULL;
}

const struct vnl_stats *vnl_study_stage_stats(const struct vnl_study *s, size_t i, bool window,
					      enum vnl_stage st)
{
	if (i >= s->n || (int)st < 0 || st >= VNL_STAGE__COUNT)
		return NULL;
	return s->cases[i].merged[window ? 1 : 0][st];
}

size_t vnl_study_rep_hists(const struct vnl_study *s, size_t i, bool window,
			   const struct vnl_hist **out, size_t max)
{
	if (i >= s->n)
		return 0;
	const struct case_priv *c = &s->cases[i];
	int k = c->pub.metric == VNL_STAGE_ONE_WAY ? 1 : 0;
	size_t n = 0;
	for (size_t r = 0; r < c->pub.nreps && n < max; r++) {
		const struct vnl_stats *st = c->rep_stats[r][window ? 1 : 0][k];
		if (st && vnl_stats_count(st))
			out[n++] = vnl_stats_hist(st);
	}
	return n;
}

int64_t vnl_study_stat_of(const struct vnl_summary *sum, enum vnl_study_stat which)
{
	if (which == VNL_STUDY_MEAN)
		return (int64_t)llround(sum->mean_ns);
	return which == VNL_STUDY_P99 ? sum->p99_ns : sum->p50_ns;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

size_t vnl_study_rep_spread(const struct vnl_study *s, const struct vnl_study_case *c,
			    enum vnl_stage st, enum vnl_study_stat which,
			    int64_t *median_ns, int64_t *range_ns)
{
	int64_t v[STAT_MAX_REPS];
	size_t n = 0;
	for (size_t i = 0; i < c->nreps; i++) {
		const struct vnl_study_period *p = s->has_window ? &c->reps[i].window
								 : &c->reps[i].whole;
		if (p->measured && p->stage[st].count)
			v[n++] = vnl_study_stat_of(&p->stage[st], which);
	}
	if (!n)
		return 0;
	qsort(v, n, sizeof(v[0]), cmp_i64);
	*median_ns = n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
	*range_ns = v[n - 1] - v[0];
	return n;
}

/* ------------------------------------------------------------ notes (the caveat) */

static void us(char *buf, size_t len, double ns)
{
	snprintf(buf, len, "%.1f us", ns / 1000.0);
}

/* Notes for the cases of one load and direction (a group the table compares). */
static size_t group_notes(const struct vnl_study *s, const size_t *idx, size_t n,
			  vnl_study_note_fn fn, void *arg)
{
	size_t lines = 0, once = 0;
	char line[768], a[32], b[32];

	for (size_t i = 0; i < n; i++) {
		int64_t med, range;
		const struct vnl_study_case *c = &s->cases[idx[i]].pub;
		if (vnl_study_rep_spread(s, c, c->metric, VNL_STUDY_P50, &med, &range) < 2)
			once++;
	}
	const struct vnl_study_case *first = &s->cases[idx[0]].pub;
	if (once && n >= 2) {
		snprintf(line, sizeof(line),
			 "Load '%s' (%s): %zu of %zu cases were measured in a single run. A single "
			 "run does not rank back-ends: runs of the same set-up differ by as much as "
			 "back-ends do. Repeat the cases (repetitions >= 3) before ranking them.",
			 first->load ? first->load : "none", first->measured_dir, once, n);
		fn(line, arg);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			const struct vnl_study_case *x = &s->cases[idx[i]].pub;
			const struct vnl_study_case *y = &s->cases[idx[j]].pub;
			int64_t mx, rx, my, ry;
			if (x->metric != y->metric ||
			    !vnl_study_rep_spread(s, x, x->metric, VNL_STUDY_P50, &mx, &rx) ||
			    !vnl_study_rep_spread(s, y, y->metric, VNL_STUDY_P50, &my, &ry))
				continue;
			int64_t diff = mx > my ? mx - my : my - mx;
			int64_t spread = rx > ry ? rx : ry;
			if (diff > spread)
				continue;
			us(a, sizeof(a), (double)diff);
			us(b, sizeof(b), (double)spread);
			snprintf(line, sizeof(line),
				 "'%s' and '%s' differ by %s in median %s, less than the spread "
				 "between their repetitions (%s): this study does not rank them.",
				 x->name, y->name, a, vnl_stage_name(x->metric), b);
			fn(line, arg);
			lines++;
		}
	}
	return lines;
}

size_t vnl_study_notes(const struct vnl_study *s, vnl_study_note_fn fn, void *arg)
{
	size_t *idx = calloc(s->n + 1, sizeof(*idx));
	bool *done = calloc(s->n + 1, sizeof(*done));
	size_t lines = 0;

	if (!idx || !done)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		const struct vnl_study_case *c = &s->cases[i].pub;
		if (done[i] || !vnl_study_headline(s, c)->measured)
			continue;
		size_t n = 0;
		for (size_t j = i; j < s->n; j++) {
			const struct vnl_study_case *d = &s->cases[j].pub;
			if (!done[j] && vnl_study_headline(s, d)->measured &&
			    (same(c->load, d->load) || (!c->load && !d->load)) &&
			    same(c->measured_dir, d->measured_dir)) {
				idx[n++] = j;
				done[j] = true;
			}
		}
		if (n >= 2)
			lines += group_notes(s, idx, n, fn, arg);
	}
out:
	free(idx);
	free(done);
	return lines;
}

/* ------------------------------------------------------------ points for the scatter */

int vnl_study_points(const struct vnl_study *s, const struct vnl_study_case *c,
		     vnl_study_point_fn fn, void *arg)
{
	(void)s;
	const struct vnl_study_rep *rep = NULL;
	for (size_t i = 0; i < c->nreps && !rep; i++)
		if (c->reps[i].whole.measured && c->reps[i].record[0])
			rep = &c->reps[i];
	if (!rep)
		return -1;
	char err[256];
	struct vnl_record_reader *r = vnl_record_open(rep->record, err, sizeof(err));
	if (!r)
		return -1;
	int64_t origin = vnl_record_reader_meta(r)->base_ns;
	const struct vnl_pkt *batch;
	size_t n;
	while ((batch = vnl_record_next(r, &n)) != NULL) {
		for (size_t i = 0; i < n; i++) {
			const struct vnl_pkt *p = &batch[i];
			bool ok;
			if (!origin)
				origin = p->sched;
			if (p->flags & VNL_PKT_F_DUPLICATE || !p->sched)
				continue;
			int64_t v = metric_of(p, c->metric, &ok);
			if (ok)
				fn(p->sched - origin, v, arg);
		}
	}
	vnl_record_close(r);
	return 0;
}

/* ------------------------------------------------------------ summary table */

static json_t *jint_or_null(bool any, int64_t v)
{
	return any ? json_integer((json_int_t)v) : json_null();
}

/* The same keys as doc/json-schema.json's stage objects (vnl_output_json_stats). */
static json_t *summary_json(const struct vnl_summary *m)
{
	bool any = m->count > 0;
	json_t *o = json_object();
	json_object_set_new(o, "count", json_integer((json_int_t)m->count));
	json_object_set_new(o, "min_ns", jint_or_null(any, m->min_ns));
	json_object_set_new(o, "mean_ns", any ? json_real(m->mean_ns) : json_null());
	json_object_set_new(o, "stddev_ns", any ? json_real(m->stddev_ns) : json_null());
	json_object_set_new(o, "p50_ns", jint_or_null(any, m->p50_ns));
	json_object_set_new(o, "p90_ns", jint_or_null(any, m->p90_ns));
	json_object_set_new(o, "p99_ns", jint_or_null(any, m->p99_ns));
	json_object_set_new(o, "p999_ns", jint_or_null(any, m->p999_ns));
	json_object_set_new(o, "p9999_ns", jint_or_null(any, m->p9999_ns));
	json_object_set_new(o, "max_ns", jint_or_null(any, m->max_ns));
	return o;
}

static json_t *counts_json(const struct vnl_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "sent", (json_int_t)c->sent, "received", (json_int_t)c->received,
			 "lost", (json_int_t)c->lost, "reordered", (json_int_t)c->reordered,
			 "duplicated", (json_int_t)c->duplicated, "late", (json_int_t)c->late,
			 "foreign", (json_int_t)c->foreign, "malformed", (json_int_t)c->malformed,
			 "no_tx_stamps", (json_int_t)c->no_tx_stamps);
}

double vnl_study_loss(const struct vnl_counts *c)
{
	return c->sent ? (double)c->lost / (double)c->sent : 0.0;
}

/* A period: the metric's row (flat), every stage, and the stream counts. */
static json_t *period_json(const struct vnl_study_period *p, enum vnl_stage metric)
{
	if (!p->measured)
		return json_null();
	json_t *o = summary_json(&p->stage[metric]);
	json_t *stages = json_object();
	for (int st = 0; st < VNL_STAGE__COUNT; st++)
		json_object_set_new(stages, vnl_stage_name(st), summary_json(&p->stage[st]));
	json_object_set_new(o, "latency", stages);
	json_object_set_new(o, "counts", counts_json(&p->counts));
	json_object_set_new(o, "loss", json_real(vnl_study_loss(&p->counts)));
	return o;
}

bool vnl_study_vs_reference(const struct vnl_study *s, const struct vnl_study_case *c,
			    struct vnl_study_delta *d)
{
	if (c->reference < 0)
		return false;
	const struct vnl_study_case *r = &s->cases[c->reference].pub;
	const struct vnl_summary *a = &vnl_study_headline(s, c)->stage[c->metric];
	const struct vnl_summary *b = &vnl_study_headline(s, r)->stage[c->metric];
	if (!a->count || !b->count)
		return false;
	d->mean_ns = a->mean_ns - b->mean_ns;
	d->p50_ns = a->p50_ns - b->p50_ns;
	d->p99_ns = a->p99_ns - b->p99_ns;
	double diff[3] = { (double)d->p50_ns, (double)d->p99_ns, d->mean_ns };
	for (int w = 0; w < 3; w++) {
		int64_t med, rc, rr;
		d->spread_ns[w] = -1;
		d->within[w] = false;
		enum vnl_study_stat which = (enum vnl_study_stat)w;
		if (vnl_study_rep_spread(s, c, c->metric, which, &med, &rc) < 2 ||
		    vnl_study_rep_spread(s, r, c->metric, which, &med, &rr) < 2)
			continue;
		d->spread_ns[w] = rc > rr ? rc : rr;
		d->within[w] = fabs(diff[w]) <= (double)d->spread_ns[w];
	}
	return true;
}

/* The differences, their spread and whether each is within it (null: fewer than 2 repetitions). */
static json_t *vs_reference_json(const struct vnl_study *s, const struct vnl_study_case *c)
{
	struct vnl_study_delta d;
	if (!vnl_study_vs_reference(s, c, &d))
		return json_null();
	static const char *const names[3] = { "p50", "p99", "mean" };
	json_t *spread = json_object(), *within = json_object();
	for (int w = 0; w < 3; w++) {
		bool known = d.spread_ns[w] >= 0;
		json_object_set_new(spread, names[w], known ? json_integer(d.spread_ns[w])
							    : json_null());
		json_object_set_new(within, names[w], known ? json_boolean(d.within[w])
							    : json_null());
	}
	return json_pack("{s:f, s:I, s:I, s:o, s:o}", "mean_ns", d.mean_ns, "p50_ns",
			 (json_int_t)d.p50_ns, "p99_ns", (json_int_t)d.p99_ns, "spread_ns", spread,
			 "within_spread", within);
}

static json_t *rep_json(const struct vnl_study_rep *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "rep", json_integer(r->rep));
	json_object_set_new(o, "status", r->status ? json_string(r->status) : json_null());
	json_object_set_new(o, "record", r->record[0] ? json_string(r->record) : json_null());
	json_object_set_new(o, "damage", r->damage[0] ? json_string(r->damage) : json_null());
	json_object_set_new(o, "whole", period_json(&r->whole, VNL_STAGE_ONE_WAY));
	json_object_set_new(o, "window", period_json(&r->window, VNL_STAGE_ONE_WAY));
	return o;
}

static json_t *worst_json(const struct vnl_study_case *c)
{
	json_t *a = json_array();
	for (size_t i = 0; i < c->nworst; i++) {
		const struct vnl_study_worst *w = &c->worst[i];
		int64_t v;
		json_t *o = json_pack("{s:i, s:I, s:I}", "rep", (int)w->rep, "seq",
				      (json_int_t)w->pkt.seq, "t_ns", (json_int_t)w->t_ns);
		for (int st = 0; st < VNL_STAGE__COUNT; st++) {
			char key[32];
			snprintf(key, sizeof(key), "%s_ns", vnl_stage_name(st));
			json_object_set_new(o, key, vnl_pkt_stage(&w->pkt, st, &v)
							    ? json_integer((json_int_t)v)
							    : json_null());
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *trace_json(const struct vnl_study_trace *t)
{
	json_t *causes = json_array(), *worst = json_array();
	for (size_t i = 0; i < t->ncauses; i++)
		json_array_append_new(causes, json_pack("{s:s, s:s, s:I}", "kind", t->cause[i].kind,
							"task", t->cause[i].task, "probes",
							(json_int_t)t->cause[i].probes));
	for (size_t i = 0; i < t->nlines; i++)
		json_array_append_new(worst, json_string(t->line[i]));
	return json_pack("{s:{s:I, s:I, s:I, s:o}, s:o}", "above_p999", "probes",
			 (json_int_t)t->probes, "unexplained", (json_int_t)t->unexplained, "other",
			 (json_int_t)t->other, "causes", causes, "worst", worst);
}

static json_t *nullable_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *case_json(const struct vnl_study *s, const struct vnl_study_case *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "topology", nullable_str(c->topology));
	json_object_set_new(o, "load", nullable_str(c->load));
	json_object_set_new(o, "direction", nullable_str(c->direction));
	json_object_set_new(o, "measured_direction", nullable_str(c->measured_dir));
	json_object_set_new(o, "status", json_string(c->status));
	json_object_set_new(o, "reason", nullable_str(c->reason));
	json_object_set_new(o, "rt_deviation", nullable_str(c->rt_deviation));
	json_object_set_new(o, "metric", json_string(vnl_stage_name(c->metric)));
	json_object_set_new(o, "repetitions", json_integer((json_int_t)c->nreps));
	json_object_set_new(o, "whole", period_json(&c->whole, c->metric));
	json_object_set_new(o, "window", s->has_window ? period_json(&c->window, c->metric)
						       : json_null());
	json_object_set_new(o, "reference",
			    c->reference >= 0 ? json_string(s->cases[c->reference].pub.name)
					      : json_null());
	json_object_set_new(o, "vs_reference", vs_reference_json(s, c));
	json_t *reps = json_array();
	for (size_t i = 0; i < c->nreps; i++)
		json_array_append_new(reps, rep_json(&c->reps[i]));
	json_object_set_new(o, "reps", reps);
	json_object_set_new(o, "worst", worst_json(c));
	json_object_set_new(o, "trace", c->trace ? trace_json(c->trace) : json_null());
	return o;
}

static void collect_note(const char *line, void *arg)
{
	json_array_append_new(arg, json_string(line));
}

json_t *vnl_study_summary_json(const struct vnl_study *s)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "vnetlat_study_summary", json_integer(1));
	json_object_set_new(doc, "window", s->has_window
		? json_pack("{s:I, s:o}", "from_ns", (json_int_t)s->from_ns, "to_ns",
			    s->to_ns ? json_integer((json_int_t)s->to_ns) : json_null())
		: json_null());
	json_object_set_new(doc, "headline", json_string(s->has_window ? "window" : "whole"));
	json_t *cases = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(cases, case_json(s, &s->cases[i].pub));
	json_object_set_new(doc, "cases", cases);
	json_t *notes = json_array();
	vnl_study_notes(s, collect_note, notes);
	json_object_set_new(doc, "notes", notes);
	return doc;
}

/* The table's numeric columns of one period. */
enum col { COL_MIN, COL_MEAN, COL_STDDEV, COL_P50, COL_P99, COL_P999, COL_MAX, COL__COUNT };
static const char *const col_names[COL__COUNT] = { "min", "mean", "stddev", "p50", "p99",
						   "p99.9", "max" };

static double col_value(const struct vnl_summary *m, enum col c)
{
	switch (c) {
	case COL_MIN: return (double)m->min_ns;
	case COL_MEAN: return m->mean_ns;
	case COL_STDDEV: return m->stddev_ns;
	case COL_P50: return (double)m->p50_ns;
	case COL_P99: return (double)m->p99_ns;
	case COL_P999: return (double)m->p999_ns;
	default: return (double)m->max_ns;
	}
}

static void csv_str(FILE *out, const char *v)
{
	fputc('"', out);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static void csv_period(FILE *out, const struct vnl_study_period *p, enum vnl_stage metric)
{
	const struct vnl_summary *m = &p->stage[metric];
	for (int c = 0; c < COL__COUNT; c++) {
		if (!p->measured || !m->count)
			fputs(",", out);
		else if (c == COL_MEAN || c == COL_STDDEV)
			fprintf(out, ",%.1f", col_value(m, c));
		else
			fprintf(out, ",%.0f", col_value(m, c));
	}
	if (p->measured)
		fprintf(out, ",%llu,%.6f", (unsigned long long)p->counts.lost,
			vnl_study_loss(&p->counts));
	else
		fputs(",,", out);
}

void vnl_study_summary_csv(const struct vnl_study *s, FILE *out)
{
	fputs("case,topology,load,direction,status,reason,metric,repetitions", out);
	for (int w = 0; w < 2; w++) {
		for (int c = 0; c < COL__COUNT; c++)
			fprintf(out, ",%s_%s_ns", w ? "window" : "whole", col_names[c]);
		fprintf(out, ",%s_lost,%s_loss", w ? "window" : "whole", w ? "window" : "whole");
	}
	fputs(",reference,vs_reference_mean_ns,vs_reference_p99_ns\n", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct vnl_study_case *c = &s->cases[i].pub;
		struct vnl_study_delta d;
		csv_str(out, c->name);
		fputc(',', out);
		csv_str(out, c->topology);
		fputc(',', out);
		csv_str(out, c->load);
		fputc(',', out);
		csv_str(out, c->measured_dir ? c->measured_dir : c->direction);
		fputc(',', out);
		csv_str(out, c->status);
		fputc(',', out);
		csv_str(out, c->reason);
		fprintf(out, ",%s,%zu", vnl_stage_name(c->metric), c->nreps);
		csv_period(out, &c->whole, c->metric);
		csv_period(out, &c->window, c->metric);
		fputc(',', out);
		csv_str(out, c->reference >= 0 ? s->cases[c->reference].pub.name : "");
		if (vnl_study_vs_reference(s, c, &d))
			fprintf(out, ",%.1f,%lld\n", d.mean_ns, (long long)d.p99_ns);
		else
			fputs(",,\n", out);
	}
}

void vnl_study_fmt_us(char *buf, size_t len, double ns)
{
	snprintf(buf, len, "%.1f", ns / 1000.0);
}

void vnl_study_fmt_col(char *buf, size_t len, const struct vnl_study_period *p,
		       enum vnl_stage metric, unsigned col)
{
	if (col == VNL_STUDY_COL_LOSS) {
		if (p->measured)
			snprintf(buf, len, "%.3f%%", 100.0 * vnl_study_loss(&p->counts));
		else
			snprintf(buf, len, "-");
		return;
	}
	if (!p->measured || !p->stage[metric].count || col >= COL__COUNT)
		snprintf(buf, len, "-");
	else
		vnl_study_fmt_us(buf, len, col_value(&p->stage[metric], col));
}

double vnl_study_col_ns(const struct vnl_study_period *p, enum vnl_stage metric, unsigned col)
{
	return col < COL__COUNT ? col_value(&p->stage[metric], col) : vnl_study_loss(&p->counts);
}

void vnl_study_metric_text(const struct vnl_study_case *c, char *buf, size_t len)
{
	char b[32];
	if (c->clock_bound_ns > 0)
		snprintf(buf, len, "%s ± %s (%s)", vnl_stage_name(c->metric),
			 vnl_fmt_ns(c->clock_bound_ns, b, sizeof(b)), c->clock);
	else
		snprintf(buf, len, "%s", vnl_stage_name(c->metric));
}

const char *vnl_study_col_name(unsigned col)
{
	return col < COL__COUNT ? col_names[col] : "loss";
}

static void md_note(const char *line, void *arg)
{
	fprintf(arg, "- %s\n", line);
}

void vnl_study_summary_md(const struct vnl_study *s, FILE *out)
{
	char buf[64];
	fprintf(out, "# Study summary\n\nLatency in microseconds (%s of the measured direction; "
		"one_way when both ends' stamps are known, else path). ", "statistics");
	if (s->has_window) {
		char a[32], b[32];
		vnl_fmt_ns(s->from_ns, a, sizeof(a));
		vnl_fmt_ns(s->to_ns, b, sizeof(b));
		fprintf(out, "Window: %s to %s into each run (headline).\n\n", a,
			s->to_ns ? b : "the end");
	} else {
		fputs("No window: whole runs only.\n\n", out);
	}
	fputs("| case | topology | load | dir | status | reps | metric (clock bound) |", out);
	for (int w = 0; w < (s->has_window ? 2 : 1); w++)
		for (unsigned c = 0; c < VNL_STUDY_COLS; c++)
			fprintf(out, " %s %s |", w ? "window" : "whole", vnl_study_col_name(c));
	fputs(" reference | vs ref mean | vs ref p99 |\n|", out);
	for (unsigned c = 0; c < 10 + VNL_STUDY_COLS * (s->has_window ? 2 : 1); c++)
		fputs("---|", out);
	fputc('\n', out);
	for (size_t i = 0; i < s->n; i++) {
		const struct vnl_study_case *c = &s->cases[i].pub;
		struct vnl_study_delta d;
		fprintf(out, "| %s | %s | %s | %s | %s%s%s%s%s%s | %zu |", c->name,
			c->topology ? c->topology : "", c->load ? c->load : "",
			c->measured_dir ? c->measured_dir : c->direction ? c->direction : "",
			c->status, c->reason ? ": " : "", c->reason ? c->reason : "",
			c->rt_deviation ? " (NOT AS ASKED: " : "",
			c->rt_deviation ? c->rt_deviation : "", c->rt_deviation ? ")" : "", c->nreps);
		char metric[96];
		vnl_study_metric_text(c, metric, sizeof(metric));
		fprintf(out, " %s |", metric);
		for (int w = 0; w < (s->has_window ? 2 : 1); w++) {
			for (unsigned col = 0; col < VNL_STUDY_COLS; col++) {
				vnl_study_fmt_col(buf, sizeof(buf), w ? &c->window : &c->whole,
						  c->metric, col);
				fprintf(out, " %s |", buf);
			}
		}
		if (vnl_study_vs_reference(s, c, &d)) {
			char m[32], p[32];
			vnl_study_fmt_us(m, sizeof(m), d.mean_ns);
			vnl_study_fmt_us(p, sizeof(p), (double)d.p99_ns);
			fprintf(out, " %s | %s%s | %s%s |\n", s->cases[c->reference].pub.name, m,
				d.within[VNL_STUDY_MEAN] ? " (within spread)" : "", p,
				d.within[VNL_STUDY_P99] ? " (within spread)" : "");
		} else {
			fputs(" - | - | - |\n", out);
		}
	}
	bool traced = false;
	for (size_t i = 0; i < s->n; i++)
		traced |= s->cases[i].pub.trace != NULL;
	if (traced) {
		fputs("\n## Why the worst probes were slow\n\n(trace = on: run --trace on the "
		      "receiver on the host; each probe above its repetition's one_way p99.9 "
		      "counted under its longest cause)\n\n", out);
		char line[1024];
		for (size_t i = 0; i < s->n; i++) {
			const struct vnl_study_trace *t = s->cases[i].pub.trace;
			if (!t)
				continue;
			vnl_study_trace_text(t, line, sizeof(line));
			fprintf(out, "- %s: %s\n", s->cases[i].pub.name, line);
			for (size_t j = 0; j < t->nlines; j++)
				fprintf(out, "  - %s\n", t->line[j]);
		}
	}
	fputs("\n## Notes\n\n", out);
	if (!vnl_study_notes(s, md_note, out))
		fputs("- Every difference between cases of the same load is larger than the "
		      "spread between their repetitions.\n", out);
}
