/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a study (vnetlat-study(8)): every case of a job file (jobfile.h),
 * every repetition in a fresh lab of its own that is torn down after it
 * whatever happens, background load (load.h) around the probe stream, the
 * probe stream through `vnetlat run`, and the results directory of
 * doc/study-results.md (job.ini, host.json, study.json, cases/ID/repN/).
 *
 * Cases this host cannot run are decided before running and recorded as
 * "skipped" with the reason; a repetition that fails is "failed" with the
 * error; an interrupted one is "partial". study.json is rewritten after every
 * repetition, so an interrupted study can be completed with --resume.
 *
 * (The report side of a results directory is studyreport.h; its names are
 * vnl_study_*, so the runner's are vnl_studyrun_*.)
 */
#ifndef VNL_STUDY_H
#define VNL_STUDY_H

#include <stdbool.h>

struct vnl_studyrun_opts {
	const char *job_path;     /* the job file; NULL with resume_dir (DIR/job.ini) */
	const char *out_dir;      /* NULL: ./vnetlat-study-YYYYmmdd-HHMMSS */
	const char *resume_dir;   /* complete this interrupted study */
	const char *self;         /* this vnetlat binary, for lab and run */
	bool dry_run;             /* list the cases and their lab recipes, run nothing */
	bool json;                /* print study.json at the end instead of the table */
	bool quiet;
};

/* Returns an exit code (log.h): 0 all ran, 1 a case failed or interrupted, 2 bad usage. */
int vnl_studyrun(const struct vnl_studyrun_opts *o);

#endif
