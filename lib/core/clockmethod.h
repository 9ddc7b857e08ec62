/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How `vnetlat run` relates a guest's clock to the host's, and why: ptp_kvm
 * when the guest has a KVM PTP clock (its reading is the host's clock, read
 * as phc2sys would but without steering the guest clock), else NTP-style
 * exchanges over the control channel (agent "time"); no guest, one clock.
 */
#ifndef VNL_CLOCKMETHOD_H
#define VNL_CLOCKMETHOD_H

#include <stdbool.h>
#include <stddef.h>

enum vnl_clock_method { VNL_CLOCK_SAME_HOST, VNL_CLOCK_PTP_KVM, VNL_CLOCK_AGENT,
			VNL_CLOCK_EXCHANGES, /* two hosts: UDP exchanges (clock answer/ask) */
			VNL_CLOCK_PTP        /* two hosts: both ptp4l, through their grandmaster */ };

struct vnl_clock_choice {
	enum vnl_clock_method method;
	char why[640];   /* why this method, and why not the other */
};

/*
 * HAS_GUEST: one end is a VM guest. ACCEL: its accelerator ("kvm", "tcg",
 * "" unknown). PHC_OK: the guest answered a request for PTP samples;
 * PHC_WHY: the guest's reason when it did not (NULL/"" when unknown).
 */
void vnl_clock_choose(bool has_guest, const char *accel, bool phc_ok, const char *phc_why,
		      struct vnl_clock_choice *c);
/* "same-host", "ptp_kvm", "agent", "exchanges", "ptp" (the JSON's clock.method). */
const char *vnl_clock_method_name(enum vnl_clock_method m);

#endif
