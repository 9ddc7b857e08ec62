/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hostfacts.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "guestarch.h"
#include "guestimg.h"
#include "qemu.h"
#include "runcmd.h"
#include "hostcaps.h"

static void read_cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		/* x86: "model name"; arm64 has none, its "CPU part" is not a name */
		if (strncmp(line, "model name", 10))
			continue;
		const char *v = strchr(line, ':');
		if (v) {
			v += strspn(v + 1, " \t") + 1;
			snprintf(buf, len, "%.*s", (int)strcspn(v, "\n"), v);
		}
		break;
	}
	fclose(f);
}


void vnl_hostfacts_read_accel(struct vnl_hostfacts *f)
{
	/* /dev/kvm may answer and still not run a guest (it does not here): a trial says so */
	f->kvm = vnl_caps_kvm_usable() && vnl_qemu_kvm_verdict(VNL_CACHE_ROOT) != VNL_ACCEL_TCG;
}

void vnl_hostfacts_read(struct vnl_hostfacts *f)
{
	memset(f, 0, sizeof(*f));
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
		snprintf(f->kernel_version, sizeof(f->kernel_version), "%s", u.version);
		snprintf(f->arch, sizeof(f->arch), "%s", u.machine);
	}
	/* a study's labs boot guests of the host's own architecture (lab up's default) */
	const struct vnl_guestarch *ga = vnl_guestarch_host();
	snprintf(f->guest_arch, sizeof(f->guest_arch), "%s", ga ? ga->name : "");
	read_cpu_model(f->cpu, sizeof(f->cpu));
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	f->cores = n > 0 ? (unsigned)n : 0;
	vnl_hostfacts_read_accel(f);
	f->vhost = access("/dev/vhost-net", F_OK) == 0;
	f->iommu = vnl_caps_iommu();
	f->vlan = vnl_caps_vlan();
	f->taprio = vnl_caps_qdisc("taprio");
	f->etf = vnl_caps_qdisc("etf");
	f->btf = vnl_caps_btf();
	vnl_read_line("/sys/devices/system/cpu/isolated", f->isolcpus, sizeof(f->isolcpus));
	f->preempt_rt = vnl_caps_preempt_rt(f->kernel_version);
}

json_t *vnl_hostfacts_json(const struct vnl_hostfacts *f, const char *started,
			   const char *finished)
{
	/* what a guest's clock can be related by here; each run's JSON says what it used */
	const char *clock = f->kvm ? "ptp_kvm" : "agent";
	const char *clock_why = f->kvm ?
		"KVM answers here: a guest that really runs under KVM reads this host's clock "
		"through ptp_kvm; one that falls back to TCG uses exchanges over the control "
		"channel (each repetition's clock in study.json says which)" :
		"ptp_kvm: no KVM clock in a TCG guest (KVM cannot run a guest here): guest clocks are "
		"estimated by exchanges over the control channel";
	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:i, s:s, s:b, s:s, s:s, s:s, s:b, s:b, s:b, s:b, "
			 "s:b, s:b, s:s, s:s?, s:s?}",
			 "kernel", f->kernel, "kernel_version", f->kernel_version, "arch", f->arch,
			 "guest_arch", f->guest_arch[0] ? f->guest_arch : NULL,
			 "cpu", f->cpu, "cores", (int)f->cores,
			 "accel", f->kvm ? "kvm" : "tcg", "vhost", f->vhost,
			 "guest_clock", clock, "guest_clock_why", clock_why,
			 "isolcpus", f->isolcpus, "preempt_rt", f->preempt_rt,
			 "iommu", f->iommu, "vlan_8021q", f->vlan, "qdisc_taprio", f->taprio,
			 "qdisc_etf", f->etf, "btf", f->btf,
			 "vnetlat_version", VNL_VERSION, "started", started, "finished", finished);
}

void vnl_hostfacts_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
