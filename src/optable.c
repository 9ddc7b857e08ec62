/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "optable.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define HELP_COLUMN 23

void vnl_optset_build(struct vnl_optset *set, const struct vnl_opt *const tables[])
{
	size_t n = 0, s = 0;
	memset(set, 0, sizeof(*set));
	set->shorts[s++] = ':';
	for (size_t t = 0; tables[t]; t++) {
		for (const struct vnl_opt *o = tables[t]; o->name; o++) {
			if (n == VNL_OPTS_MAX) {
				fprintf(stderr, "vnetlat: more than %d options in one verb\n",
					VNL_OPTS_MAX);
				abort();
			}
			set->longs[n++] = (struct option){ o->name,
				!o->arg ? no_argument
				: o->arg[0] == '[' ? optional_argument : required_argument,
				NULL, o->key };
			if (o->key > 0 && o->key < 256) {
				set->shorts[s++] = (char)o->key;
				if (o->arg)
					set->shorts[s++] = ':';
				if (o->arg && o->arg[0] == '[')
					set->shorts[s++] = ':'; /* "x::": optional */
			}
		}
	}
}

static void print_one(FILE *out, const struct vnl_opt *o)
{
	char left[64];
	/* an optional value ("[=FORM]") is written against the name */
	const char *sep = o->arg && o->arg[0] != '[' ? " " : "";
	if (o->key > 0 && o->key < 256)
		snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->key, o->name, sep,
			 o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "      --%s%s%s", o->name, sep, o->arg ? o->arg : "");
	int pad = HELP_COLUMN - (int)strlen(left);
	fprintf(out, "%s%*s", left, pad > 1 ? pad : 2, "");
	for (const char *h = o->help; *h;) {
		size_t len = strcspn(h, "\n");
		fprintf(out, "%.*s\n", (int)len, h);
		h += len;
		if (*h == '\n' && *++h)
			fprintf(out, "%*s", HELP_COLUMN, "");
	}
}

void vnl_opts_print(FILE *out, const struct vnl_opt *const tables[])
{
	for (size_t t = 0; tables[t]; t++)
		for (const struct vnl_opt *o = tables[t]; o->name; o++)
			print_one(out, o);
}

/* The option getopt_long just refused: "--long" (without "=VALUE") or "-c". */
static void bad_option(char **argv, char *buf, size_t len)
{
	const char *arg = argv[optind - 1];
	if (!strncmp(arg, "--", 2))
		snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
	else if (optopt > 0 && optopt < 256)
		snprintf(buf, len, "-%c", optopt);
	else
		snprintf(buf, len, "%s", arg);
}

/* Is OPT ("--name" or "-n") in one of TABLES? */
static bool in_tables(const struct vnl_opt *const tables[], const char *opt)
{
	if (strlen(opt) < 2)
		return false;
	for (size_t t = 0; tables && tables[t]; t++)
		for (const struct vnl_opt *o = tables[t]; o->name; o++)
			if ((opt[1] == '-' && !strcmp(opt + 2, o->name)) ||
			    (opt[1] != '-' && opt[2] == '\0' && o->key == (unsigned char)opt[1]))
				return true;
	return false;
}

int vnl_optset_next_sub(const struct vnl_optset *set, int argc, char **argv, const char *verb,
			const struct vnl_opt *const siblings[])
{
	opterr = 0;
	int c = getopt_long(argc, argv, set->shorts, set->longs, NULL);
	if (c == '?' || c == ':') {
		char opt[64];
		bad_option(argv, opt, sizeof(opt));
		bool own = false; /* "--flag=VALUE" */
		for (size_t i = 0; set->longs[i].name && !own; i++)
			own = !strncmp(opt, "--", 2) && !strcmp(opt + 2, set->longs[i].name);
		if (c == ':')
			vnl_err("option '%s' needs a value; see 'vnetlat %s --help'", opt, verb);
		else if (own)
			vnl_err("option '%s' takes no value; see 'vnetlat %s --help'", opt, verb);
		else if (in_tables(siblings, opt))
			vnl_err("'%s' has no option %s; see 'vnetlat %s --help'", verb, opt, verb);
		else
			vnl_err("unknown option '%s'; see 'vnetlat %s --help'", opt, verb);
		return '?';
	}
	return c;
}

int vnl_optset_next(const struct vnl_optset *set, int argc, char **argv, const char *verb)
{
	return vnl_optset_next_sub(set, argc, argv, verb, NULL);
}

void vnl_optset_in_order(struct vnl_optset *set)
{
	size_t len = strlen(set->shorts);
	if (len + 2 > sizeof(set->shorts)) {
		fprintf(stderr, "vnetlat: too many short options for in-order parsing\n");
		abort();
	}
	memmove(set->shorts + 1, set->shorts, len + 1);
	set->shorts[0] = '+';
}

void vnl_subverbs_print(FILE *out, const struct vnl_subverb *subs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-8s %s\n", subs[i].name, subs[i].summary);
}

int vnl_subverb_dispatch(const char *verb, const struct vnl_subverb *subs, size_t n,
			 void (*usage)(FILE *out), int argc, char **argv)
{
	if (argc < 2) {
		vnl_err("missing what to do; see 'vnetlat %s --help'", verb);
		return VNL_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return VNL_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(sub, subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	char list[256] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 subs[i].name);
	vnl_err("unknown '%s %s'; expected one of %s (see 'vnetlat %s --help')", verb, sub, list,
		verb);
	return VNL_EXIT_USAGE;
}
