/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON documents vnetlat reads back (study.json, host.json, a run's JSON):
 * only from a regular file, only up to a size no document of ours reaches,
 * so a FIFO or /dev/zero put in a results directory is refused at once.
 */
#ifndef VNL_JSONFILE_H
#define VNL_JSONFILE_H

#include <jansson.h>
#include <stddef.h>

#define VNL_JSON_MAX_BYTES (256 << 20)

/* The document in PATH, or NULL with a message in ERR (file, line and what
 * is wrong). WHAT names the file in the message ("study.json"). */
json_t *vnl_json_load(const char *path, const char *what, char *err, size_t errlen);

#endif
