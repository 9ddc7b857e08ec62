/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetlat study FILE: run every case of a job file; the runner is lib/study/study.c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "cmd.h"
#include "log.h"
#include "optable.h"
#include "study.h"

enum { O_RESUME = 256, O_JSON };

static const struct vnl_opt study_opts[] = {
	{ "out", 'o', "DIR", "results directory (default ./vnetlat-study-YYYYmmdd-HHMMSS)" },
	{ "resume", O_RESUME, "DIR", "complete an interrupted study: keep its finished\n"
				     "repetitions, run the partial, failed and missing ones" },
	{ "dry-run", 'n', NULL, "list the cases and each lab's recipe; run nothing" },
	{ "json", O_JSON, NULL, "print study.json (with \"dir\") at the end instead of the table" },
	{ "quiet", 'q', NULL, "no progress and no notices" },
	{ "help", 'h', NULL, "this help" },
	VNL_OPT_END,
};
static const struct vnl_opt *const study_tables[] = { study_opts, NULL };

static void usage(FILE *out)
{
	fputs("Usage: vnetlat study FILE [--out DIR] [--dry-run] [--json] [--quiet]\n"
	      "       vnetlat study --resume DIR [--json] [--quiet]\n"
	      "\n"
	      "Run the study a job file describes (vnetlat-study(5)): every case, every\n"
	      "repetition, in a fresh lab torn down after it, with its background load; then\n"
	      "write the report and print the summary table. The job file is checked first:\n"
	      "any problem is reported as FILE:LINE and nothing runs.\n"
	      "\n",
	      out);
	vnl_opts_print(out, study_tables);
	fputs("\nNeeds root (except --dry-run). A case this host cannot run is skipped with the\n"
	      "reason. ^C tears the current lab down, saves what was measured and exits 1.\n"
	      "Exit status: 0 every case ran or was skipped; 1 a case failed or the study was\n"
	      "interrupted; 2 bad usage or a bad job file. See vnetlat-study(8).\n",
	      out);
}

static int check_args(const struct vnl_studyrun_opts *o, int rest)
{
	if (o->resume_dir && (o->job_path || o->out_dir || o->dry_run)) {
		vnl_err("--resume DIR takes the job file and the directory from DIR; "
			"give no FILE, --out or --dry-run with it");
		return -1;
	}
	if (!o->resume_dir && !o->job_path) {
		vnl_err("no job file; usage: vnetlat study FILE (see vnetlat-study(5))");
		return -1;
	}
	if (rest > 1) {
		vnl_err("one job file per study; run 'vnetlat study --help'");
		return -1;
	}
	if (o->job_path && access(o->job_path, R_OK)) {
		vnl_errno("cannot read the job file %s", o->job_path);
		return -1;
	}
	return 0;
}

int cmd_study(int argc, char **argv)
{
	struct vnl_studyrun_opts o = { .job_path = NULL };
	struct vnl_optset set;
	vnl_optset_build(&set, study_tables);
	int c;
	while ((c = vnl_optset_next(&set, argc, argv, "study")) != -1) {
		switch (c) {
		case 'o': o.out_dir = optarg; break;
		case O_RESUME: o.resume_dir = optarg; break;
		case 'n': o.dry_run = true; break;
		case O_JSON: o.json = true; break;
		case 'q': o.quiet = true; break;
		case 'h': usage(stdout); return VNL_EXIT_OK;
		default: return VNL_EXIT_USAGE; /* '?': vnl_optset_next said what was wrong */
		}
	}
	if (optind < argc)
		o.job_path = argv[optind];
	if (check_args(&o, argc - optind))
		return VNL_EXIT_USAGE;
	vnl_log_set_quiet(o.quiet);
	/* this vnetlat, for the lab and run children (argv[0] may be relative or absent from PATH) */
	o.self = vnl_self_exe();
	if (!o.self) {
		vnl_errno("cannot find this program's path (/proc/self/exe)");
		return VNL_EXIT_FAIL;
	}
	return vnl_studyrun(&o);
}
