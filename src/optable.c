/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "optable.h"

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

int vnl_optset_next(const struct vnl_optset *set, int argc, char **argv, const char *verb)
{
	opterr = 0;
	int c = getopt_long(argc, argv, set->shorts, set->longs, NULL);
	if (c == '?' || c == ':') {
		const char *arg = argv[optind - 1];
		vnl_err(c == ':' ? "option '%s' needs a value; see 'vnetlat %s --help'"
				 : "unknown option '%s'; see 'vnetlat %s --help'",
			arg, verb);
		return '?';
	}
	return c;
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
