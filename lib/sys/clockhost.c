/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "clockhost.h"

#include <ctype.h>
#include <inttypes.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "phcdev.h"
#include "rthost.h"
#include "runcmd.h"

/* The narrowest of a few readings of /dev/ptpN against CLOCK_REALTIME. */
static void read_phc(struct vnl_clockhost *h)
{
	char path[32];
	struct vnl_phc_sample s[VNL_CLOCKHOST_PHC_SAMPLES];
	snprintf(path, sizeof(path), "/dev/ptp%d", h->ts.phc_index);
	struct vnl_phcdev *d = vnl_phcdev_open(path, path, h->phc_why, sizeof(h->phc_why));
	if (!d)
		return;
	int n = vnl_phcdev_read(d, s, VNL_CLOCKHOST_PHC_SAMPLES, h->phc_why, sizeof(h->phc_why));
	if (n > 0) {
		int best = 0;
		for (int i = 1; i < n; i++)
			if (s[i].sys_after - s[i].sys_before < s[best].sys_after - s[best].sys_before)
				best = i;
		int64_t w = s[best].sys_after - s[best].sys_before;
		h->phc_offset_ns = s[best].phc - (s[best].sys_before + w / 2);
		h->phc_uncertainty_ns = w / 2 + w % 2;
		h->phc_samples = n;
		h->have_phc = true;
		snprintf(h->phc_device, sizeof(h->phc_device), "%s", path);
		snprintf(h->phc_ioctl, sizeof(h->phc_ioctl), "%s", vnl_phcdev_ioctl(d));
	}
	vnl_phcdev_close(d);
}

static void read_interface(struct vnl_clockhost *h)
{
	if (!h->interface) {
		snprintf(h->tsinfo_why, sizeof(h->tsinfo_why), "no --interface given");
		snprintf(h->phc_why, sizeof(h->phc_why), "no --interface given (the PHC is an interface's)");
		return;
	}
	h->have_tsinfo = !vnl_tsinfo_read(h->interface, &h->ts, h->tsinfo_why, sizeof(h->tsinfo_why));
	if (!h->have_tsinfo)
		snprintf(h->phc_why, sizeof(h->phc_why), "no timestamping information for %s", h->interface);
	else if (h->ts.phc_index < 0)
		snprintf(h->phc_why, sizeof(h->phc_why), "%s has no PTP hardware clock (PHC index -1: "
			 "software timestamping only)", h->interface);
	else
		read_phc(h);
}

#define PMC_OUTPUT_MAX 16384

/* pmc's answers in OUT, or 0 after writing why not into H. */
static int ask_pmc(struct vnl_clockhost *h, char *out)
{
	const char *argv[] = { "pmc", "-u", "-b", "0", "-s", h->uds, "GET PORT_DATA_SET",
			       "GET CURRENT_DATA_SET", "GET TIME_STATUS_NP", "GET PARENT_DATA_SET", NULL };
	int rc = vnl_runcmd(argv, NULL, out, PMC_OUTPUT_MAX);
	if (rc == 127 || rc < 0) {
		snprintf(h->ptp4l_why, sizeof(h->ptp4l_why), "cannot run pmc (install linuxptp) to ask "
			 "ptp4l at %s", h->uds);
		return 0;
	}
	if (vnl_pmc_parse(out, &h->pmc) == 0 || !h->pmc.have_port) {
		snprintf(h->ptp4l_why, sizeof(h->ptp4l_why), "ptp4l at %s did not answer pmc (exit %d: %.160s)",
			 h->uds, rc, vnl_tail_lines(out, 2));
		for (char *p = h->ptp4l_why; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		return 0;
	}
	return 1;
}

/* ptp4l through pmc on its UDS: the four data sets, or why not. */
static void read_ptp4l(struct vnl_clockhost *h)
{
	struct stat st;
	if (stat(h->uds, &st) || !S_ISSOCK(st.st_mode)) {
		snprintf(h->ptp4l_why, sizeof(h->ptp4l_why), "no ptp4l: %s is %s (ptp4l is not running, or "
			 "its uds_address is another one: --uds)", h->uds,
			 access(h->uds, F_OK) ? "missing" : "not a socket");
		return;
	}
	char *out = malloc(PMC_OUTPUT_MAX);
	if (!out) {
		snprintf(h->ptp4l_why, sizeof(h->ptp4l_why), "out of memory");
		return;
	}
	h->have_ptp4l = ask_pmc(h, out);
	free(out);
}

static int find_process(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], name[64];
	int pid = 0;
	while (d && !pid && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		vnl_pathf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		vnl_read_line(path, name, sizeof(name));
		if (!strcmp(name, comm))
			pid = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return pid;
}

void vnl_clockhost_read(struct vnl_clockhost *h, const char *interface, const char *uds)
{
	memset(h, 0, sizeof(*h));
	struct utsname u;
	if (!uname(&u)) {
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
		snprintf(h->kernel_version, sizeof(h->kernel_version), "%s", u.version);
	}
	struct vnl_rthost rt; /* the same facts as lab doctor --rt and host.json */
	vnl_rthost_read(&rt, NULL, h->kernel_version);
	h->preempt_rt = rt.preempt_rt;
	snprintf(h->isolcpus, sizeof(h->isolcpus), "%s", rt.isolcpus);
	h->interface = interface;
	read_interface(h);
	h->uds = uds ? uds : VNL_PTP4L_DEFAULT_UDS;
	read_ptp4l(h);
	h->phc2sys_pid = find_process("phc2sys");
}

static json_t *names_json(int which, uint32_t mask)
{
	const char *names[32];
	size_t n = vnl_tsinfo_names(which, mask, names, 32);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *interface_json(const struct vnl_clockhost *h)
{
	if (!h->have_tsinfo)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", h->interface,
			 "timestamping", names_json(0, h->ts.so_timestamping),
			 "tx_types", names_json(1, h->ts.tx_types),
			 "rx_filters", names_json(2, h->ts.rx_filters),
			 "phc_index", h->ts.phc_index >= 0 ? json_integer(h->ts.phc_index) : json_null());
}

static json_t *phc_json(const struct vnl_clockhost *h)
{
	if (!h->have_phc)
		return json_null();
	return json_pack("{s:s, s:s, s:I, s:I, s:i}", "device", h->phc_device, "ioctl", h->phc_ioctl,
			 "offset_ns", (json_int_t)h->phc_offset_ns,
			 "uncertainty_ns", (json_int_t)h->phc_uncertainty_ns, "samples", h->phc_samples);
}

/* A string field, or null when pmc did not give it. */
static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *ptp4l_json(const struct vnl_clockhost *h)
{
	const struct vnl_pmc *p = &h->pmc;
	if (!h->have_ptp4l)
		return json_null();
	char clock_id[24] = "";
	if (p->port_identity[0])
		snprintf(clock_id, sizeof(clock_id), "%.*s", (int)strcspn(p->port_identity, "-"),
			 p->port_identity);
	json_t *j = json_pack("{s:s, s:o, s:o, s:o}", "uds", h->uds, "port_state", str_or_null(p->port_state),
			      "port_identity", str_or_null(p->port_identity),
			      "clock_identity", str_or_null(clock_id));
	json_object_set_new(j, "offset_from_master_ns",
			    p->have_current ? json_integer(p->offset_from_master_ns) : json_null());
	json_object_set_new(j, "mean_path_delay_ns",
			    p->have_current ? json_integer(p->mean_path_delay_ns) : json_null());
	json_object_set_new(j, "steps_removed", p->have_current ? json_integer(p->steps_removed) : json_null());
	json_object_set_new(j, "master_offset_ns",
			    p->have_time_status ? json_integer(p->master_offset_ns) : json_null());
	json_object_set_new(j, "gm_present", p->have_time_status ? json_boolean(p->gm_present) : json_null());
	json_object_set_new(j, "grandmaster_identity", str_or_null(p->grandmaster_identity[0] ?
						p->grandmaster_identity : p->gm_identity));
	json_object_set_new(j, "parent_port_identity", str_or_null(p->parent_port_identity));
	return j;
}

json_t *vnl_clockhost_json(const struct vnl_clockhost *h)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s}", "vnetlat_version", VNL_VERSION,
			      "kernel", h->kernel, "kernel_version", h->kernel_version,
			      "preempt_rt", h->preempt_rt, "isolcpus", h->isolcpus);
	json_object_set_new(j, "interface", interface_json(h));
	json_object_set_new(j, "interface_why", h->have_tsinfo ? json_null() : json_string(h->tsinfo_why));
	json_object_set_new(j, "phc", phc_json(h));
	json_object_set_new(j, "phc_why", h->have_phc ? json_null() : json_string(h->phc_why));
	json_object_set_new(j, "ptp4l", ptp4l_json(h));
	json_object_set_new(j, "ptp4l_why", h->have_ptp4l ? json_null() : json_string(h->ptp4l_why));
	json_object_set_new(j, "phc2sys", json_pack("{s:b, s:o}", "running", h->phc2sys_pid > 0, "pid",
					h->phc2sys_pid > 0 ? json_integer(h->phc2sys_pid) : json_null()));
	return j;
}

static void print_names(FILE *out, int which, uint32_t mask)
{
	const char *names[32];
	size_t n = vnl_tsinfo_names(which, mask, names, 32);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", names[i]);
	if (!n)
		fputs("(none)", out);
}

static void print_ptp4l(FILE *out, const struct vnl_clockhost *h)
{
	const struct vnl_pmc *p = &h->pmc;
	if (!h->have_ptp4l) {
		fprintf(out, "ptp4l         absent: %s\n", h->ptp4l_why);
		return;
	}
	fprintf(out, "ptp4l         %s, port %s (%s)\n", p->port_state[0] ? p->port_state : "state unknown",
		p->port_identity[0] ? p->port_identity : "?", h->uds);
	const char *gm = p->grandmaster_identity[0] ? p->grandmaster_identity : p->gm_identity;
	fprintf(out, "  grandmaster %s%s\n", gm[0] ? gm : "unknown",
		p->have_time_status ? (p->gm_present ? " (present)" : " (this clock: no other master)") : "");
	if (p->have_current)
		fprintf(out, "  offset from master %" PRId64 " ns, mean path delay %" PRId64 " ns, "
			"%" PRId64 " step%s removed\n", p->offset_from_master_ns, p->mean_path_delay_ns,
			p->steps_removed, p->steps_removed == 1 ? "" : "s");
	else
		fputs("  offset from master: absent (no CURRENT_DATA_SET answer)\n", out);
}

void vnl_clockhost_print(FILE *out, const struct vnl_clockhost *h)
{
	fprintf(out, "vnetlat       %s\n", VNL_VERSION);
	fprintf(out, "kernel        %s (%s)\n", h->kernel, h->kernel_version);
	fprintf(out, "PREEMPT_RT    %s\n", h->preempt_rt ? "yes" : "no");
	fprintf(out, "isolcpus      %s\n", h->isolcpus[0] ? h->isolcpus : "none");
	if (h->have_tsinfo) {
		fprintf(out, "interface     %s: ", h->interface);
		print_names(out, 0, h->ts.so_timestamping);
		fputs("\n  tx types    ", out);
		print_names(out, 1, h->ts.tx_types);
		fputs("\n  rx filters  ", out);
		print_names(out, 2, h->ts.rx_filters);
		fputc('\n', out);
	} else {
		fprintf(out, "interface     absent: %s\n", h->tsinfo_why);
	}
	if (h->have_phc)
		fprintf(out, "PHC           %s - system clock: %" PRId64 " ns +- %" PRId64 " ns (%s ioctl, "
			"narrowest of %d)\n", h->phc_device, h->phc_offset_ns, h->phc_uncertainty_ns,
			h->phc_ioctl, h->phc_samples);
	else
		fprintf(out, "PHC           absent: %s\n", h->phc_why);
	print_ptp4l(out, h);
	if (h->phc2sys_pid > 0)
		fprintf(out, "phc2sys       running (pid %d)\n", h->phc2sys_pid);
	else
		fputs("phc2sys       not running\n", out);
}
