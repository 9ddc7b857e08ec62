/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for study job files: arbitrary bytes must never crash the
 * reader (libinih plus our line reader), the checks or the matrix expansion;
 * the result is always either cases or errors, and every error points at a
 * line of the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	size_t lines = 1;

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	struct vnl_job *job = vnl_job_parse("fuzz.ini", (const char *)data, size);
	if (!job)
		abort(); /* only when out of memory */
	size_t ncases = vnl_job_case_count(job), nerr = vnl_job_error_count(job);
	if ((ncases > 0) == (nerr > 0))
		abort();
	for (size_t i = 0; i < nerr; i++) {
		const struct vnl_job_error *e = vnl_job_error(job, i);
		if (!e->message || !*e->message || e->line > lines)
			abort();
		if (i && e->line < vnl_job_error(job, i - 1)->line)
			abort(); /* errors come in line order */
	}
	for (size_t i = 0; i < ncases; i++) {
		const struct vnl_job_case *c = vnl_job_case(job, i);
		if (!c->name || strncmp(c->name, c->section, strlen(c->section)) ||
		    c->duration_ns <= 0 || c->interval_ns <= 0 ||
		    c->reference >= (long)ncases || c->section_line > lines)
			abort();
		if (c->has_window && (c->window_from_ns >= c->window_to_ns ||
				      c->window_to_ns > c->duration_ns))
			abort();
	}
	vnl_job_print_errors(job, sink);
	vnl_job_free(job);
	return 0;
}
