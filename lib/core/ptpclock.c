/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ptpclock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(json_t *o, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));
	snprintf(buf, len, "%s", s ? s : "");
}

int vnl_ptp_host_from_status(json_t *status, struct vnl_ptp_host *h)
{
	memset(h, 0, sizeof(*h));
	if (!json_is_object(status))
		return -1;
	json_t *p = json_object_get(status, "ptp4l"), *phc = json_object_get(status, "phc");
	if (json_is_object(phc) && json_is_integer(json_object_get(phc, "offset_ns"))) {
		h->have_phc = true;
		h->phc_minus_sys_ns = json_integer_value(json_object_get(phc, "offset_ns"));
		h->phc_uncertainty_ns = json_integer_value(json_object_get(phc, "uncertainty_ns"));
	}
	if (!json_is_object(p)) {
		copy_str(status, "ptp4l_why", h->why, sizeof(h->why));
		return 0;
	}
	h->present = true;
	copy_str(p, "port_state", h->port_state, sizeof(h->port_state));
	copy_str(p, "clock_identity", h->clock_identity, sizeof(h->clock_identity));
	copy_str(p, "grandmaster_identity", h->grandmaster, sizeof(h->grandmaster));
	json_t *off = json_object_get(p, "offset_from_master_ns");
	json_t *mpd = json_object_get(p, "mean_path_delay_ns");
	h->have_offset = json_is_integer(off) && json_is_integer(mpd);
	if (h->have_offset) {
		h->offset_from_master_ns = json_integer_value(off);
		h->mean_path_delay_ns = json_integer_value(mpd);
	}
	return 0;
}

static bool is_grandmaster(const struct vnl_ptp_host *h)
{
	return h->clock_identity[0] && !strcmp(h->clock_identity, h->grandmaster);
}

/* H's system clock minus the grandmaster, and its bound; false with WHY. */
static bool host_minus_gm(const struct vnl_ptp_host *h, const char *who, int64_t *off,
			  int64_t *unc, char *why, size_t len)
{
	/* the clock ptp4l measures: the PHC (then moved onto the system clock), else the system's */
	int64_t sys_minus_ptp = h->have_phc ? -h->phc_minus_sys_ns : 0;
	*unc = h->have_phc ? h->phc_uncertainty_ns : 0;
	if (is_grandmaster(h)) {
		*off = sys_minus_ptp;
		return true;
	}
	if (strcmp(h->port_state, "SLAVE") && strcmp(h->port_state, "UNCALIBRATED")) {
		snprintf(why, len, "%s's ptp4l is %s, neither the grandmaster nor following one",
			 who, h->port_state[0] ? h->port_state : "in no known state");
		return false;
	}
	if (!h->have_offset || h->mean_path_delay_ns <= 0) {
		snprintf(why, len, "%s's ptp4l has not measured its offset and path delay yet", who);
		return false;
	}
	*off = h->offset_from_master_ns + sys_minus_ptp;
	*unc += 2 * h->mean_path_delay_ns;
	return true;
}

void vnl_ptp_relate(const struct vnl_ptp_host *local, const struct vnl_ptp_host *remote,
		    struct vnl_ptp_relation *out)
{
	memset(out, 0, sizeof(*out));
	if (!local->present || !remote->present) {
		snprintf(out->why, sizeof(out->why), "ptp4l does not answer on %s (%s)",
			 local->present ? "the remote host" : "this host",
			 local->present ? remote->why : local->why);
		return;
	}
	if (!local->grandmaster[0] || strcmp(local->grandmaster, remote->grandmaster)) {
		snprintf(out->why, sizeof(out->why), "the two ptp4l follow different grandmasters "
			 "(this host %s, the remote %s): not one PTP domain",
			 local->grandmaster[0] ? local->grandmaster : "none",
			 remote->grandmaster[0] ? remote->grandmaster : "none");
		return;
	}
	int64_t lo, lu, ro, ru;
	if (!host_minus_gm(local, "this host", &lo, &lu, out->why, sizeof(out->why)) ||
	    !host_minus_gm(remote, "the remote host", &ro, &ru, out->why, sizeof(out->why)))
		return;
	out->ok = true;
	out->offset_ns = ro - lo;
	out->uncertainty_ns = lu + ru;
	snprintf(out->grandmaster, sizeof(out->grandmaster), "%s", local->grandmaster);
	snprintf(out->why, sizeof(out->why), "both hosts' ptp4l follow grandmaster %s (this host "
		 "%s, the remote %s); each slave's offsetFromMaster%s, bounded by twice its "
		 "meanPathDelay (a path asymmetry's largest error, and a Sync delayed by up to "
		 "twice the mean: the offset is one measurement's)", local->grandmaster,
		 local->port_state, remote->port_state,
		 local->have_phc || remote->have_phc ? " and PHC - system clock" : "");
}
