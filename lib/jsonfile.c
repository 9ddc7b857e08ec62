// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsonfile.h"

#include <stdio.h>
#include <stdlib.h>

#include "safefile.h"

json_t *vnl_json_load(const char *path, const char *what, char *err, size_t errlen)
{
	size_t len;
	char *text = vnl_file_read_input(path, what, VNL_JSON_MAX_BYTES, &len, err, errlen);
	if (!text)
		return NULL;
	json_error_t je;
	json_t *doc = json_loadb(text, len, 0, &je);
	free(text);
	if (!doc)
		snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
	return doc;
}
