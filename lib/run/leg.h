/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One direction of a run ("leg") once measured: its receiver's record read
 * back with the guest's stamps moved onto the host clock and the hop stages
 * (hopobs.h) added, then presented as vnetlat-run(8)'s JSON and text. No
 * programs are started here: run.c measures, this analyses and presents.
 *
 * Hops, for "in": remote kernel TX -> uplink (in) = wire, uplink -> back-end
 * port (out) = host, back-end -> guest kernel RX = guest; "out" passes the
 * same points in reverse (guest, host, wire).
 */
#ifndef VNL_LEG_H
#define VNL_LEG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "clockmethod.h"
#include "clocksync.h"
#include "hopobs.h"
#include "labinfo.h"
#include "output.h"
#include "pkt.h"
#include "rt.h"
#include "tapbound.h"

/* The topology run gives a measurement between two hosts with no lab (run --remote ssh://). */
#define VNL_LEG_TWO_HOSTS "two-hosts"

enum vnl_leg_hop { VNL_LEG_HOP_WIRE, VNL_LEG_HOP_HOST, VNL_LEG_HOP_GUEST, VNL_LEG_HOP__COUNT };

/* "wire", "host", "guest". */
const char *vnl_leg_hop_name(enum vnl_leg_hop h);

/* One end of a leg: a namespace, or the guest. */
struct vnl_leg_end {
	const char *role;                     /* "remote" / "local" */
	bool guest;
	bool other_host;                      /* another machine (run --remote ssh://): its own clock */
	const char *host;                     /* ... its USER@HOST */
	const struct vnl_lab_endpoint *ep;
};

struct vnl_leg {
	const char *name;                     /* "in", "out" */
	const char *transport;                /* the run's ("udp4", "udp6"), not the record's */
	struct vnl_leg_end tx, rx;
	const struct vnl_clocksync *cs;       /* the guest's clock; NULL: one clock */
	bool cs_ok;                           /* cs finished: guest stamps can be moved */
	bool interrupted;                     /* the stream was stopped before its end */
	int64_t clock_error_ns;               /* test aid: added to the estimate (see run.h) */
	int64_t deadline_ns;                  /* late if wakeup + one_way exceeds it; 0: none */
	const struct vnl_rt_applied *rt_tx, *rt_rx; /* what each end ran with; NULL: not known */
	const struct vnl_qbv *qbv;            /* the sender's Qbv window (lab up --qbv); NULL: none */
	const char *qbv_refused;              /* with a lab window but none this way: why */
};

/* The lab and the guest clock's method, as a leg's JSON and text name them. */
struct vnl_leg_ctx {
	const struct vnl_lab_info *li;
	const struct vnl_clock_choice *clock;
	const char *phc_device, *phc_ioctl;   /* ptp_kvm's, when it is the method */
	uint64_t phc_failures;                /* ptp_kvm requests that failed after it was chosen */
};

/* The results of one leg, ready to present. */
struct vnl_leg_result {
	struct vnl_analysis *a;
	struct vnl_stats *hop[VNL_LEG_HOP__COUNT];
	struct vnl_run_info info;
	struct vnl_clocksync_summary cs;
	bool estimated;                       /* a guest's clock corrected by an estimate */
	struct vnl_tapbound *tb;              /* the back-end port's bound; NULL: none applies */
	struct vnl_tapbound_summary tap;
	char tap_why[200];                    /* why the port's bound applies, or not */
	int64_t uncertainty_ns;               /* stated: the estimate's, narrowed by the port */
	uint64_t frames_seen;                 /* by the hop observer */
	struct vnl_qbv_counts qbv;            /* with l->qbv: where the probes fell in its cycle */
	char local[160], peer[160], stamping[64], damage[160];
};

/* The analysis and the hop statistics, empty. 0, or -1 out of memory. */
int vnl_leg_result_init(struct vnl_leg_result *res, unsigned worst_n, int64_t deadline_ns);
void vnl_leg_result_free(struct vnl_leg_result *res);

/* "NETNS (ADDR)", "guest (ADDR)", "USER@HOST (ADDR)" or "this host (ADDR)". */
void vnl_leg_end_text(const struct vnl_leg_end *e, bool ipv6, char *buf, size_t len);

/* Stamps the program in the guest took, moved onto the host clock (nothing without cs_ok). */
void vnl_leg_correct(const struct vnl_leg *l, struct vnl_pkt *p);
/*
 * The guest's kernel stamp where P crosses the guest boundary (rx_sw for
 * "in", tx_sw or tx_sched for "out"), the back-end port's stamp of it (from
 * H), and the guest hop between them; false when either is missing.
 */
bool vnl_leg_crossing(const struct vnl_leg *l, const struct vnl_pkt *p,
		      const struct vnl_hop_stamps *h, int64_t *guest_ns, int64_t *hop_ns);
/* Subtract the port bound's residual at P's crossing from its guest stamps (tapbound.h). */
void vnl_leg_apply_witness(const struct vnl_leg *l, const struct vnl_tapbound *tb,
			   struct vnl_pkt *p);
/* Add P's hop stages from what the observer saw of it (H) to res->hop. */
void vnl_leg_add_hops(const struct vnl_leg *l, struct vnl_leg_result *res, const struct vnl_pkt *p,
		      const struct vnl_hop_stamps *h);
/*
 * Read the receiver's record REC into RES (initialised here): each probe
 * corrected, its hops added (from OBS, NULL = none), analysed. When a guest's
 * stamps were moved, REC becomes the corrected record and the guest's own is
 * kept beside it as NAME.raw.rec (so `report FILE` shows what run showed).
 * 0, or -1 with a message.
 */
int vnl_leg_analyse(const struct vnl_leg *l, const char *rec, const struct vnl_hopobs *obs,
		    unsigned worst_n, struct vnl_leg_result *res);

/* The direction's object of run's JSON ("directions".NAME): new reference. */
json_t *vnl_leg_json(const struct vnl_leg_ctx *c, const struct vnl_leg *l,
		     const struct vnl_leg_result *res);
/* The direction's text report. */
void vnl_leg_text(FILE *out, const struct vnl_leg_ctx *c, const struct vnl_leg *l,
		  const struct vnl_leg_result *res);

#endif
