// SPDX-License-Identifier: GPL-2.0-or-later
#include "vmlab.h"

#include <stdio.h>
#include <strings.h>

int vnl_lease_find(const char *lease_file, const char *mac, char *buf, size_t len)
{
	FILE *f = fopen(lease_file, "re");
	if (!f)
		return -1;
	char line[512], lmac[64], ip[64];
	int found = -1;
	/* dnsmasq: "EXPIRY MAC IP HOSTNAME CLIENT-ID" per lease */
	while (found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %63s %63s", lmac, ip) == 2 && !strcasecmp(lmac, mac)) {
			snprintf(buf, len, "%s", ip);
			found = 0;
		}
	fclose(f);
	return found;
}
