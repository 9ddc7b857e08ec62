/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clockmethod.h"

#include <stdio.h>
#include <string.h>

const char *vnl_clock_method_name(enum vnl_clock_method m)
{
	switch (m) {
	case VNL_CLOCK_SAME_HOST:
		return "same-host";
	case VNL_CLOCK_PTP_KVM:
		return "ptp_kvm";
	case VNL_CLOCK_AGENT:
		return "agent";
	case VNL_CLOCK_EXCHANGES:
		return "exchanges";
	case VNL_CLOCK_PTP:
		return "ptp";
	}
	return "unknown";
}

void vnl_clock_choose(bool has_guest, const char *accel, bool phc_ok, const char *phc_why,
		      struct vnl_clock_choice *c)
{
	memset(c, 0, sizeof(*c));
	if (!has_guest) {
		c->method = VNL_CLOCK_SAME_HOST;
		snprintf(c->why, sizeof(c->why), "both ends read this host's clock: nothing to relate");
		return;
	}
	if (phc_ok) {
		c->method = VNL_CLOCK_PTP_KVM;
		snprintf(c->why, sizeof(c->why), "the guest's KVM PTP clock reads the host's clock "
			 "directly, so no exchanges over the control channel (which carry its delays)");
		return;
	}
	c->method = VNL_CLOCK_AGENT;
	const char *guest = phc_why && *phc_why ? phc_why : "no answer";
	/* Under TCG there is no KVM to answer ptp_kvm's hypercall: say so first. */
	if (accel && !strcmp(accel, "tcg"))
		snprintf(c->why, sizeof(c->why), "ptp_kvm: no KVM clock in a TCG guest (guest: %s)",
			 guest);
	else
		snprintf(c->why, sizeof(c->why), "ptp_kvm: not available in this %s guest (guest: %s)",
			 accel && *accel ? accel : "VM", guest);
}
