/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One source for a verb's options: each table entry yields its getopt_long
 * entry, its short-option letter and its line in --help, so the three cannot
 * drift (as xdp-tools' option tables do). Sub-verbs (lab up, guest boot, ...)
 * are dispatched from one table type too.
 */
#ifndef VNL_OPTABLE_H
#define VNL_OPTABLE_H

#include <getopt.h>
#include <stdio.h>

/* Turn a numeric macro into help text: "default " VNL_STR(VNL_DEFAULT_PORT). */
#define VNL_STR_(x) #x
#define VNL_STR(x) VNL_STR_(x)

struct vnl_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	int key;          /* short-option letter, or a code >= 256 (long only) */
	const char *arg;  /* the value's name in --help ("P", "T"); NULL: a flag;
			   * "[=FORM]" (starting with '['): the value is optional and
			   * must be joined to the option (--opt=FORM) */
	const char *help; /* help text; each '\n' starts an indented continuation line */
};
#define VNL_OPT_END { NULL, 0, NULL, NULL }

/* Most options one verb takes, all its tables together. */
#define VNL_OPTS_MAX 64

/* The getopt_long arrays built from a verb's tables (NULL-terminated list). */
struct vnl_optset {
	struct option longs[VNL_OPTS_MAX + 1];
	char shorts[3 * VNL_OPTS_MAX + 2]; /* ":" first: missing values come back as ':' */
};

/* Fill SET from TABLES. Aborts on more than VNL_OPTS_MAX options (a build-time slip). */
void vnl_optset_build(struct vnl_optset *set, const struct vnl_opt *const tables[]);

/* The help lines of TABLES, in table order, options at column 2, text at column 23. */
void vnl_opts_print(FILE *out, const struct vnl_opt *const tables[]);

/*
 * getopt_long over SET with opterr off: returns the option's key, -1 at the
 * end, or '?' after printing one line naming a bad or value-less option
 * ("see 'vnetlat VERB --help'").
 */
int vnl_optset_next(const struct vnl_optset *set, int argc, char **argv, const char *verb);

/*
 * The same for a sub-verb (VERB "lab down"): a refused option that is one of
 * SIBLINGS (the tables of the verb's other sub-verbs) is named as such:
 * "'lab down' has no option --vlan; see 'vnetlat lab down --help'".
 */
int vnl_optset_next_sub(const struct vnl_optset *set, int argc, char **argv, const char *verb,
			const struct vnl_opt *const siblings[]);

/* Stop at the first non-option (what follows is a command with options of its own). */
void vnl_optset_in_order(struct vnl_optset *set);

struct vnl_subverb {
	const char *name;
	int (*run)(int argc, char **argv); /* argv starts at the sub-verb */
	const char *summary;               /* one line for the verb's --help */
};

/* The "Sub-verbs:" lines of a verb's --help. */
void vnl_subverbs_print(FILE *out, const struct vnl_subverb *subs, size_t n);

/*
 * Run argv[1] from SUBS (argv[0] is VERB). "--help", "-h" and "help" call
 * USAGE(stdout) and return 0; a missing or unknown sub-verb is one line
 * naming it and the list, exit 2.
 */
int vnl_subverb_dispatch(const char *verb, const struct vnl_subverb *subs, size_t n,
			 void (*usage)(FILE *out), int argc, char **argv);

#endif
