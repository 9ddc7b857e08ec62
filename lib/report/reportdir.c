// SPDX-License-Identifier: GPL-2.0-or-later
#include "reportdir.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "html.h"
#include "output.h"
#include "plot.h"
#include "safefile.h"

/* ------------------------------------------------------------ the report directory */

static int make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0755) < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

typedef void (*writer_fn)(const struct vnl_study *s, FILE *out);

/* Replaced whole (temporary + rename), so a reader never sees half a file. */
static int write_file(const struct vnl_study *s, const char *report, const char *name,
		      writer_fn fn, json_t *doc, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", report, name);
	struct vnl_replace *r = vnl_replace_open(path);
	if (!r) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	FILE *f = vnl_replace_stream(r);
	if (fn)
		fn(s, f);
	else if (doc)
		vnl_output_json_dump(f, doc); /* as report FILE --json prints numbers */
	else
		vnl_html_study(f, s, report);
	if (vnl_replace_commit(r) < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_all_files(const struct vnl_study *s, const char *report, char *err, size_t errlen)
{
	json_t *doc = vnl_study_summary_json(s);
	int rc = doc ? write_file(s, report, "summary.json", NULL, doc, err, errlen) : -1;
	json_decref(doc);
	if (rc < 0 || write_file(s, report, "summary.csv", vnl_study_summary_csv, NULL, err,
				 errlen) < 0 ||
	    write_file(s, report, "summary.md", vnl_study_summary_md, NULL, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < vnl_study_ncases(s); i++)
		if (vnl_plot_case(s, i, report, err, errlen) < 0)
			return -1;
	if (vnl_plot_tails(s, report, err, errlen) < 0)
		return -1;
	if (vnl_plot_breakdown(s, report, err, errlen) < 0)
		return -1;
	return write_file(s, report, "index.html", NULL, NULL, err, errlen);
}

/*
 * The report is built in a directory of its own made by mkdtemp (nobody else
 * can have planted a symlink in it, for us or for gnuplot to write through),
 * then swapped in for PARENT/report; the old report is removed without
 * following anything in it.
 */
int vnl_report_dir_write(const char *parent, vnl_report_fill_fn fill, const void *arg,
			 char *err, size_t errlen)
{
	char report[PATH_MAX + 16], stage[PATH_MAX + 32], old[PATH_MAX + 32];
	snprintf(report, sizeof(report), "%s/report", parent);
	snprintf(stage, sizeof(stage), "%s/.report-new.XXXXXX", parent);
	snprintf(old, sizeof(old), "%s/.report-old.XXXXXX", parent);
	if (!mkdtemp(stage)) {
		snprintf(err, errlen, "cannot create a directory in '%s': %s", parent, strerror(errno));
		return -1;
	}
	char sub[PATH_MAX + 64];
	snprintf(sub, sizeof(sub), "%s/figures", stage);
	int rc = make_dir(sub, err, errlen);
	snprintf(sub, sizeof(sub), "%s/plot", stage);
	if (rc < 0 || make_dir(sub, err, errlen) < 0 || fill(stage, arg, err, errlen) < 0 ||
	    chmod(stage, 0755) < 0) {
		vnl_remove_tree(stage);
		return -1;
	}
	struct stat st;
	bool have_old = lstat(report, &st) == 0 && S_ISDIR(st.st_mode);
	/* A file or symlink where the report goes is removed, never followed. */
	if ((!have_old && unlink(report) < 0 && errno != ENOENT) ||
	    (have_old && (!mkdtemp(old) || rename(report, old) < 0))) {
		snprintf(err, errlen, "cannot replace '%s': %s", report, strerror(errno));
		vnl_remove_tree(stage);
		return -1;
	}
	if (rename(stage, report) < 0) {
		snprintf(err, errlen, "cannot move the new report to '%s': %s", report, strerror(errno));
		vnl_remove_tree(stage);
		return -1;
	}
	if (have_old)
		vnl_remove_tree(old);
	return 0;
}

static int fill_study(const char *stage, const void *arg, char *err, size_t errlen)
{
	return write_all_files(arg, stage, err, errlen);
}

int vnl_study_write_report(const struct vnl_study *s, char *err, size_t errlen)
{
	return vnl_report_dir_write(vnl_study_dir(s), fill_study, s, err, errlen);
}
