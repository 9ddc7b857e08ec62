/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Study job files: inheritance, matrices, references, and every error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jobfile.h"

#define MS 1000000LL
#define SEC 1000000000LL

static struct vnl_job *parse(const char *text)
{
	struct vnl_job *job = vnl_job_parse("t.ini", text, strlen(text));
	assert_non_null(job);
	return job;
}

/* A file that must be accepted; prints the errors if not. */
static struct vnl_job *parse_ok(const char *text)
{
	struct vnl_job *job = parse(text);
	if (vnl_job_error_count(job))
		vnl_job_print_errors(job, stdout);
	assert_int_equal(vnl_job_error_count(job), 0);
	return job;
}

/* TEXT has an error on LINE whose message contains MSG and suggestion HINT (NULL: any). */
static void expect_error(const char *text, unsigned line, const char *msg, const char *hint)
{
	struct vnl_job *job = parse(text);
	bool found = false;

	for (size_t i = 0; i < vnl_job_error_count(job); i++) {
		const struct vnl_job_error *e = vnl_job_error(job, i);
		if (e->line == line && strstr(e->message, msg) &&
		    (!hint || (e->suggestion && strstr(e->suggestion, hint))))
			found = true;
	}
	if (!found) {
		printf("wanted line %u: '%s' / '%s'; got:\n", line, msg, hint ? hint : "");
		vnl_job_print_errors(job, stdout);
	}
	assert_true(found);
	assert_int_equal(vnl_job_case_count(job), 0);
	vnl_job_free(job);
}

static void test_inherit_and_override(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[global]\n"
				       "topology = bridge\n"
				       "interval = 500us\n"
				       "duration = 20s\n"
				       "\n"
				       "[a]\n"
				       "[b]\n"
				       "interval = 2ms ; inline comment\n"
				       "# comment\n"
				       "count = 100\n");
	assert_int_equal(vnl_job_case_count(job), 2);
	const struct vnl_job_case *a = vnl_job_case(job, 0), *b = vnl_job_case(job, 1);
	assert_string_equal(a->name, "a");
	assert_int_equal(a->topology, VNL_TOPO_BRIDGE);
	assert_int_equal(a->interval_ns, 500000);
	assert_int_equal(a->duration_ns, 20 * SEC);
	assert_int_equal(a->count, 0);
	assert_int_equal(a->line[VNL_JK_INTERVAL], 3);
	assert_int_equal(a->section_line, 6);
	assert_string_equal(b->name, "b");
	assert_int_equal(b->interval_ns, 2 * MS);
	assert_int_equal(b->line[VNL_JK_INTERVAL], 8);
	/* a case's count replaces [global]'s duration: the run is 100 x 2ms */
	assert_int_equal(b->count, 100);
	assert_int_equal(b->duration_ns, 200 * MS);
	assert_int_equal(b->line[VNL_JK_DURATION], 0);
	assert_int_equal(b->line[VNL_JK_COUNT], 10);
	vnl_job_free(job);
}

static void test_defaults(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[only]\ntopology = veth\n");
	const struct vnl_job_case *c = vnl_job_case(job, 0);
	char buf[16];
	assert_int_equal(c->interval_ns, 1 * MS);
	assert_int_equal(c->size, 128);
	assert_int_equal(c->duration_ns, 10 * SEC);
	assert_int_equal(c->transport, VNL_JOB_UDP4);
	assert_int_equal(c->direction, VNL_DIR_IN);
	assert_int_equal(c->priority, -1);
	assert_string_equal(c->pin_vcpu, "");
	assert_string_equal(c->emulator_cpus, "");
	assert_string_equal(c->irq_cpus, "");
	assert_int_equal(c->vhost_fifo, 0);
	assert_int_equal(c->vlan, 0);
	assert_int_equal(c->repeat, 1);
	assert_int_equal(c->reference, -1);
	assert_false(c->has_window);
	assert_string_equal(vnl_job_load_name(c, buf, sizeof(buf)), "none");
	assert_int_equal(c->line[VNL_JK_SIZE], 0);
	vnl_job_free(job);
}

static void test_typed_values(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[global]\n"
				       "topology = bridge\n"
				       "[x]\n"
				       "vhost = off\n"
				       "accel = tcg\n"
				       "guest_cpus = 2\n"
				       "guest_mem = 1G\n"
				       "pin_vcpu = 1,0\n"
				       "emulator_cpus = 2-3\n"
				       "vhost_fifo = 50\n"
				       "irq_cpus = 3\n"
				       "vlan = 100\n"
				       "uplink = enp3s0\n"
				       "remote_netns = lan\n"
				       "remote_addr = 2001:db8::1\n"
				       "size = 256\n"
				       "priority = 6\n"
				       "transport = udp6\n"
				       "direction = both\n"
				       "deadline = 200us\n"
				       "sched_fifo = 80\n"
				       "cpu = 1\n"
				       "remote_cpu = 0\n"
				       "trace = on\n"
				       "load = tcp2\n"
				       "load_rate = 1.5G\n"
				       "warmup = 2s\n"
				       "repeat = 3\n"
				       "duration = 10m\n"
				       "window = 2m..\n");
	const struct vnl_job_case *c = vnl_job_case(job, 0);
	char buf[16];
	assert_int_equal(c->vhost, VNL_SWITCH_OFF);
	assert_int_equal(c->accel, VNL_ACCEL_TCG);
	assert_int_equal(c->guest_cpus, 2);
	assert_int_equal(c->guest_mem_mib, 1024);
	assert_string_equal(c->pin_vcpu, "1,0"); /* order kept: vCPU 0 on CPU 1 */
	assert_string_equal(c->emulator_cpus, "2-3");
	assert_int_equal(c->vhost_fifo, 50);
	assert_string_equal(c->irq_cpus, "3");
	assert_int_equal(c->vlan, 100);
	assert_string_equal(c->uplink, "enp3s0");
	assert_string_equal(c->remote_netns, "lan");
	assert_string_equal(c->remote_addr, "2001:db8::1");
	assert_int_equal(c->size, 256);
	assert_int_equal(c->priority, 6);
	assert_int_equal(c->transport, VNL_JOB_UDP6);
	assert_int_equal(c->direction, VNL_DIR_BOTH);
	assert_int_equal(c->deadline_ns, 200000);
	assert_int_equal(c->sched_fifo, 80);
	assert_int_equal(c->cpu, 1);
	assert_int_equal(c->remote_cpu, 0);
	assert_true(c->trace);
	assert_int_equal(c->load, VNL_LOAD_TCP);
	assert_int_equal(c->load_streams, 2);
	assert_string_equal(vnl_job_load_name(c, buf, sizeof(buf)), "tcp2");
	assert_int_equal(c->load_rate_bps, 1500000000ULL);
	assert_int_equal(c->warmup_ns, 2 * SEC);
	assert_int_equal(c->repeat, 3);
	assert_true(c->has_window);
	assert_int_equal(c->window_from_ns, 120 * SEC);
	assert_int_equal(c->window_to_ns, 600 * SEC); /* open end: the end of the run */
	vnl_job_free(job);
}

static void test_matrix_order_and_names(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[global]\n"
				       "load = none, udp3\n"
				       "topology = veth,bridge\n"
				       "[m]\n"
				       "size = 128,512\n"
				       "[single]\n"
				       "topology = veth\n"
				       "load = udp1\n");
	static const char *const want[] = {
		"m/topology=veth,size=128,load=none", "m/topology=veth,size=128,load=udp3",
		"m/topology=veth,size=512,load=none", "m/topology=veth,size=512,load=udp3",
		"m/topology=bridge,size=128,load=none", "m/topology=bridge,size=128,load=udp3",
		"m/topology=bridge,size=512,load=none", "m/topology=bridge,size=512,load=udp3",
		"single",
	};
	assert_int_equal(vnl_job_case_count(job), 9);
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(vnl_job_case(job, i)->name, want[i]);
	const struct vnl_job_case *c = vnl_job_case(job, 5);
	assert_int_equal(c->topology, VNL_TOPO_BRIDGE);
	assert_int_equal(c->size, 128);
	assert_int_equal(c->load, VNL_LOAD_UDP);
	assert_int_equal(c->load_streams, 3);
	assert_int_equal(c->line[VNL_JK_LOAD], 2);
	assert_int_equal(c->line[VNL_JK_SIZE], 5);
	/* the same file gives the same cases in the same order */
	struct vnl_job *again = parse_ok("[global]\nload = none, udp3\ntopology = veth,bridge\n[m]\n"
					 "size = 128,512\n[single]\ntopology = veth\nload = udp1\n");
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(vnl_job_case(again, i)->name, vnl_job_case(job, i)->name);
	vnl_job_free(again);
	vnl_job_free(job);
}

static void test_reference_follows_matrix(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[global]\n"
				       "load = none,udp3\n"
				       "reference = pt\n"
				       "[br]\n"
				       "topology = bridge\n"
				       "[pt]\n"
				       "topology = passthrough\n"
				       "pci_device = 0000:03:00.0\n"
				       "[solo]\n"
				       "topology = veth\n"
				       "load = none\n"
				       "reference = br/load=none\n");
	assert_int_equal(vnl_job_case_count(job), 5);
	assert_string_equal(vnl_job_case(job, 1)->name, "br/load=udp3");
	assert_int_equal(vnl_job_case(job, 0)->reference, 2); /* br/load=none -> pt/load=none */
	assert_int_equal(vnl_job_case(job, 1)->reference, 3); /* br/load=udp3 -> pt/load=udp3 */
	assert_int_equal(vnl_job_case(job, 2)->reference, -1); /* the reference itself */
	assert_int_equal(vnl_job_case(job, 4)->reference, 0); /* by expanded name */
	assert_string_equal(vnl_job_case(job, 2)->pci_device, "0000:03:00.0");
	vnl_job_free(job);
}

/* In a topology matrix, options for some topologies are dropped from the others. */
static void test_topology_matrix_drops_options(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[global]\n"
				       "topology = veth,passthrough\n"
				       "pci_device = 03:00.1\n"
				       "guest_cpus = 2\n"
				       "[a]\n");
	const struct vnl_job_case *v = vnl_job_case(job, 0), *p = vnl_job_case(job, 1);
	assert_string_equal(v->pci_device, "");
	assert_int_equal(v->line[VNL_JK_PCI_DEVICE], 0);
	assert_string_equal(p->pci_device, "0000:03:00.1");
	vnl_job_free(job);
}

static void test_unknown_key_suggests(void **state)
{
	(void)state;
	expect_error("[global]\ntopology = veth\n[a]\nintervall = 1ms\n", 4, "unknown key 'intervall'",
		     "did you mean 'interval'?");
	expect_error("[a]\ntopology = veth\nwarm_up = 1s\n", 3, "unknown key", "'warmup'");
	expect_error("[a]\ntopology = veth\nfrobnicate = 1\n", 3, "unknown key", "vnetlat-study(5)");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("[a]\ntopology = brigde\n", 2, "unknown value 'brigde'", "did you mean 'bridge'?");
	expect_error("[a]\ntopology = veth\ninterval = 1 ms\n", 3, "interval", "duration");
	expect_error("[a]\ntopology = veth\ninterval = 1us\n", 3, "out of range", "10.0us");
	expect_error("[a]\ntopology = veth\nsize = 10\n", 3, "size", "from 96");
	expect_error("[a]\ntopology = veth\nload = udp\n", 3, "load", "udp3");
	expect_error("[a]\ntopology = veth\nload = udp99\n", 3, "streams", NULL);
	expect_error("[a]\ntopology = veth\nload = udp1\nload_rate = fast\n", 4, "not a rate", "100M");
	expect_error("[a]\ntopology = bridge\nguest_mem = 512\n", 3, "memory size", "512M");
	expect_error("[a]\ntopology = bridge\nvlan = 4095\n", 3, "vlan", "4094");
	expect_error("[a]\ntopology = bridge\nuplink = a/b\n", 3, "interface name", NULL);
	expect_error("[a]\ntopology = passthrough\npci_device = 3:0\n", 3, "PCI address", "lspci");
	expect_error("[a]\ntopology = veth\nwindow = 5m-10m\n", 3, "not a window", "5m..10m");
	expect_error("[a]\ntopology = veth\nduration = 1h\nwindow = 10m..5m\n", 4, "ends before", NULL);
	expect_error("[a]\ntopology = veth\nrepeat = 0\n", 3, "repeat", "from 1 to 100");
	expect_error("[a]\ntopology = veth\nsched_fifo = 100\n", 3, "sched_fifo", "or off");
	expect_error("[a]\ntopology = veth\ntrace = yes\n", 3, "trace", "off, on");
	expect_error("[a]\ntopology = bridge\nguest_cpus = 2\ncpu = 2\n", 4, "the guest has CPUs 0..1",
		     "below guest_cpus");
	expect_error("[a]\ntopology = veth\nremote_cpu = 4096\n", 3, "remote_cpu", "or none");
	expect_error("[a]\ntopology = veth\ncount = -5\n", 3, "count", NULL);
}

static void test_matrix_errors(void **state)
{
	(void)state;
	expect_error("[a]\ntopology = veth\nrepeat = 1,2\n", 3, "'repeat' takes one value", "expand");
	expect_error("[a]\ntopology = veth,,bridge\n", 2, "empty value", NULL);
	expect_error("[a]\ntopology = veth,bridge,veth\n", 2, "lists 'veth' twice", NULL);
	expect_error("[a]\ntopology = veth,bridgee\n", 2, "unknown value 'bridgee'", "'bridge'");
}

static void test_combinations(void **state)
{
	(void)state;
	expect_error("[a]\ntopology = veth\ncount = 10\nduration = 1s\n", 4, "both count (line 3)",
		     "keep one");
	expect_error("[a]\ntopology = veth\nduration = 10s\nwindow = 5s..20s\n", 4,
		     "the window reaches 20", "inside the run");
	expect_error("[global]\ncount = 1000\nwindow = 2s..\n[a]\ntopology = veth\n", 3,
		     "the run measures for 1", NULL);
	expect_error("[a]\ntopology = passthrough\npci_device = 0000:01:00.0\nvlan = 5\n", 4,
		     "cannot tag", "remove vlan");
	expect_error("[a]\ntopology = veth\nvlan = 5\n", 3, "vlan is a guest option", "guest topology");
	expect_error("[a]\ntopology = passthrough\n", 2, "needs a pci_device", NULL);
	expect_error("[a]\ntopology = bridge\npci_device = 0000:01:00.0\n", 3, "passthrough only", NULL);
	expect_error("[a]\ntopology = bridge\nuplink = enp3s0\n", 3, "needs remote_netns and remote_addr",
		     "remote_addr = its address");
	expect_error("[a]\ntopology = bridge\nremote_netns = lan\nremote_addr = 192.0.2.1\n", 3,
		     "for a lab with uplink", "own");
	expect_error("[a]\ntopology = bridge\nuplink = e0\nremote_netns = lan\nremote_addr = x\n", 5,
		     "not an IP address", NULL);
	expect_error("[a]\ntopology = veth\nguest_cpus = 2\n", 3, "veth has no guest", NULL);
	expect_error("[a]\ntopology = ovs-afxdp\nvhost = on\n", 3, "vhost-user", NULL);
	expect_error("[a]\ntopology = veth\nuplink = eth1\n", 3, "no host uplink", NULL);
	expect_error("[a]\ntopology = veth\nsize = 1473\n", 3, "does not fit", "size <= 1472");
	expect_error("[a]\ntopology = veth\nsize = 1460\ntransport = udp6\n", 3, "does not fit", "1452");
	expect_error("[a]\ntopology = veth\nload_rate = 10M\n", 3, "no load", "udpN");
	expect_error("[a]\ntopology = veth\nreference = brige\n[bridge]\ntopology = bridge\n", 3,
		     "reference 'brige'", "did you mean 'bridge'?");
	expect_error("[global]\nreference = p\n[a]\ntopology = veth\nload = udp1\n"
		     "[p]\ntopology = veth\nload = none,udp2\n", 2, "no counterpart in [p]", NULL);
	/* a reference section with errors of its own: only those are reported */
	struct vnl_job *job = parse("[global]\nreference = p\n[a]\ntopology = veth\n"
				    "[p]\ntopology = vth\n");
	assert_int_equal(vnl_job_error_count(job), 1);
	assert_int_equal(vnl_job_error(job, 0)->line, 6);
	vnl_job_free(job);
}

static void test_structure_errors(void **state)
{
	(void)state;
	expect_error("", 0, "empty", "vnetlat-study(5)");
	expect_error("; only a comment\n\n", 0, "empty", NULL);
	expect_error("[global]\ntopology = veth\n", 1, "no cases", "add a [name]");
	expect_error("topology = veth\n[a]\n", 1, "outside any section", "[global]");
	expect_error("[a]\ntopology = veth\n[b]\ntopology = veth\n[a]\nsize = 100\n", 5,
		     "section [a] appears twice", "line 1");
	expect_error("[a]\ntopology = veth\nsize = 100\nsize = 200\n", 4, "'size' is set twice",
		     "line 3");
	expect_error("[a]\ntopology = veth\n  size = 100\n", 3, "indented line", "one line");
	expect_error("[a\ntopology = veth\n", 1, "closing ']'", NULL);
	expect_error("[a]\ntopology = veth\njust words\n", 3, "cannot read 'just words'", "key = value");
	expect_error("[a b]\ntopology = veth\n", 1, "not usable as a case name", NULL);
	expect_error("[global]\n[]\n", 2, "not usable", NULL);
}

/* Several problems: all reported, in line order. */
static void test_all_errors_in_line_order(void **state)
{
	(void)state;
	struct vnl_job *job = parse("[a]\n"
				    "topology = veth\n"
				    "size = 1473\n"        /* combination: found last */
				    "intreval = 1ms\n"     /* unknown key */
				    "repeat = none\n");    /* bad value */
	assert_int_equal(vnl_job_error_count(job), 2);
	assert_int_equal(vnl_job_error(job, 0)->line, 4);
	assert_int_equal(vnl_job_error(job, 1)->line, 5);
	vnl_job_free(job);

	job = parse("[a]\ntopology = veth\nsize = 1473\n");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	vnl_job_print_errors(job, f);
	fclose(f);
	assert_string_equal(out, "t.ini:3: case a: a 1473-byte probe does not fit one 1500-byte frame; "
				 "use size <= 1472 with udp4\n");
	free(out);
	vnl_job_free(job);
}

/* The guest's real-time keys (issue 14): as lab up takes them, refused with FILE:LINE. */
static void test_guest_rt_keys(void **state)
{
	(void)state;
	expect_error("[a]\ntopology = bridge\npin_vcpu = 1,0\n", 3, "lists 2 CPUs for a guest of 1 vCPUs",
		     "one per vCPU");
	expect_error("[a]\ntopology = bridge\nemulator_cpus = 0\n", 3, "goes with pin_vcpu", NULL);
	expect_error("[a]\ntopology = bridge\nirq_cpus = 1\n", 3, "IRQs of a NIC lent with uplink",
		     "uplink = NIC");
	expect_error("[a]\ntopology = bridge\npin_vcpu = 1-x\n", 3, "'1-x' is not a CPU list", "1,0");
	expect_error("[a]\ntopology = bridge\npin_vcpu = 5000\n", 3, "not a CPU list", NULL);
	expect_error("[a]\ntopology = bridge\nvhost_fifo = 100\n", 3, "'100'", "1 to 99, or off");
	expect_error("[a]\ntopology = veth\nvhost_fifo = 50\n", 3, "vhost_fifo is a guest option", NULL);
	expect_error("[a]\ntopology = ovs\npmd_cpus = 1\n", 3, "pmd_cpus places the PMD threads",
		     "topology = ovs-afxdp");
	expect_error("[a]\ntopology = macvtap\nqbv = 0us+229us/500us\n", 3, "topology macvtap has no such window",
		     "bridge, ovs or xdp");
	expect_error("[a]\ntopology = bridge\nqbv = 0us+229us/700us\n", 3, "'0us+229us/700us'", NULL);
	expect_error("[a]\ntopology = bridge\nqbv = 0us+229us/500us\npriority = 6\n", 4,
		     "qbv's window is for the stream's priority 3", "priority = 3");
	struct vnl_job *job = parse("[a]\ntopology = bridge\nguest_cpus = 2\npin_vcpu = 1,0\n"
				    "emulator_cpus = none\nvhost_fifo = off\nirq_cpus = none\n");
	assert_int_equal(vnl_job_error_count(job), 0);
	const struct vnl_job_case *c = vnl_job_case(job, 0);
	assert_string_equal(c->pin_vcpu, "1,0");
	assert_string_equal(c->emulator_cpus, "");
	assert_int_equal(c->vhost_fifo, 0);
	vnl_job_free(job);
}

static void test_line_limits(void **state)
{
	(void)state;
	char text[1024];
	memset(text, 'x', sizeof(text));
	memcpy(text, "[a]\ntopology = veth\nsize = ", 27);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	expect_error(text, 3, "longer than 196 characters", NULL);

	/* issue 9 item 15: exactly the man page's 196 characters fit, with or without
	 * a line ending; 197 do not */
	char line[256];
	for (int n = 196; n <= 197; n++)
		for (int nl = 0; nl < 2; nl++) {
			int head = snprintf(line, sizeof(line), "[a]\ntopology = veth\n# ");
			memset(line + head, 'x', (size_t)n - 2);
			snprintf(line + head + n - 2, sizeof(line) - (size_t)(head + n - 2), "%s",
				 nl ? "\n" : "");
			struct vnl_job *j = vnl_job_parse("t.ini", line, strlen(line));
			assert_non_null(j);
			assert_int_equal(vnl_job_error_count(j), n == 196 ? 0 : 1);
			vnl_job_free(j);
		}

	static const char nul[] = "[a]\ntopology = veth\nsize\0 = 1\n";
	struct vnl_job *job = vnl_job_parse("t.ini", nul, sizeof(nul) - 1);
	assert_non_null(job);
	assert_int_equal(vnl_job_error_count(job), 1);
	assert_int_equal(vnl_job_error(job, 0)->line, 3);
	vnl_job_free(job);

	/* no newline at the end, CRLF, and a UTF-8 byte order mark are fine */
	job = parse_ok("\xEF\xBB\xBF[a]\r\ntopology = veth\r\nsize = 200");
	assert_int_equal(vnl_job_case(job, 0)->size, 200);
	vnl_job_free(job);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct vnl_job *job = vnl_job_load("/nonexistent/study.ini");
	char *out = NULL;
	size_t len = 0;
	assert_non_null(job);
	assert_int_equal(vnl_job_error_count(job), 1);
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	vnl_job_print_errors(job, f);
	fclose(f);
	assert_string_equal(out, "/nonexistent/study.ini: cannot read the job file: No such file or "
				 "directory\n");
	free(out);
	vnl_job_free(job);
}

/* The shipped examples pass, and are the matrices they claim to be. */
static void test_shipped_examples(void **state)
{
	(void)state;
	const char *src = getenv("VNL_SRCDIR");
	char path[4096];

	if (!src)
		fail_msg("VNL_SRCDIR (the source tree) is not set; run it with meson test");
	snprintf(path, sizeof(path), "%s/examples/study-published.ini", src);
	struct vnl_job *job = vnl_job_load(path);
	assert_non_null(job);
	vnl_job_print_errors(job, stdout);
	assert_int_equal(vnl_job_error_count(job), 0);
	assert_int_equal(vnl_job_case_count(job), 12);
	size_t with_load = 0;
	for (size_t i = 0; i < 12; i++) {
		const struct vnl_job_case *c = vnl_job_case(job, i);
		assert_int_equal(c->interval_ns, 1 * MS);
		assert_int_equal(c->duration_ns, 15 * 60 * SEC);
		assert_int_equal(c->window_to_ns - c->window_from_ns, 5 * 60 * SEC);
		with_load += c->load == VNL_LOAD_UDP && c->load_streams == 3;
		/* the published real-time settings, applied by run (issue 14) */
		assert_int_equal(c->sched_fifo, 90);
		assert_int_equal(c->cpu, 1);
		assert_int_equal(c->remote_cpu, 1);
		assert_int_equal(c->deadline_ns, 1 * MS);
		assert_int_equal(c->vlan, c->topology == VNL_TOPO_PASSTHROUGH ? 0 : 100);
		/* the guest's real-time set-up as published */
		assert_string_equal(c->pin_vcpu, "2,3");
		assert_string_equal(c->emulator_cpus, "1");
		bool vhost_net = c->topology != VNL_TOPO_PASSTHROUGH && c->topology != VNL_TOPO_OVS_AFXDP;
		assert_int_equal(c->vhost_fifo, vhost_net ? 90 : 0);
		assert_string_equal(c->pmd_cpus, c->topology == VNL_TOPO_OVS_AFXDP ? "4" : "");
		bool window = c->topology == VNL_TOPO_BRIDGE || c->topology == VNL_TOPO_OVS ||
			      c->topology == VNL_TOPO_XDP;
		assert_string_equal(c->qbv, window ? "0us+229us/500us" : "");
		assert_int_equal(c->priority, 3);
		if (c->topology != VNL_TOPO_PASSTHROUGH) {
			assert_true(c->reference >= 0);
			assert_int_equal(vnl_job_case(job, (size_t)c->reference)->topology,
					 VNL_TOPO_PASSTHROUGH);
			assert_int_equal(vnl_job_case(job, (size_t)c->reference)->load, c->load);
		}
	}
	assert_int_equal(with_load, 6);
	vnl_job_free(job);

	snprintf(path, sizeof(path), "%s/examples/study-quick.ini", src);
	job = vnl_job_load(path);
	assert_non_null(job);
	vnl_job_print_errors(job, stdout);
	assert_int_equal(vnl_job_error_count(job), 0);
	assert_int_equal(vnl_job_case_count(job), 4);
	int64_t total = 0;
	for (size_t i = 0; i < 4; i++) {
		const struct vnl_job_case *c = vnl_job_case(job, i);
		total += (c->duration_ns + c->warmup_ns) * c->repeat;
	}
	assert_true(total <= 120 * SEC);
	vnl_job_free(job);
}

/* The matrix example of vnetlat-study(5). */
static void test_man_page_example(void **state)
{
	(void)state;
	struct vnl_job *job = parse_ok("[sizes]\n"
				       "topology = veth,bridge\n"
				       "size = 128,1024\n"
				       "direction = in,out\n"
				       "count = 5000\n"
				       "interval = 500us\n");
	assert_int_equal(vnl_job_case_count(job), 8);
	assert_string_equal(vnl_job_case(job, 0)->name, "sizes/topology=veth,direction=in,size=128");
	assert_string_equal(vnl_job_case(job, 7)->name,
			    "sizes/topology=bridge,direction=out,size=1024");
	assert_int_equal(vnl_job_case(job, 7)->duration_ns, 5000 * 500000LL);
	vnl_job_free(job);
}

/* Inputs the fuzzer found worth keeping (tests/fuzz/fuzz_jobfile.c). */
static void test_fuzz_found(void **state)
{
	(void)state;
	static const char *const inputs[] = {
		"[",
		"]",
		"[a]\n=",
		"[a]\n:x",
		"[a]\n\t=\n",
		"[a]\ntopology=veth\nwindow=..\n",
		"[a]\ntopology=veth\nwindow=1s..\nduration=1s\n",
		"[a]\ntopology=veth\nload=udp0x3\n",
		"[a]\ntopology=veth\nreference=a\n",
		"[a];x\ntopology=veth\n",
		"[a]\ntopology=veth,veth\n",
		"[a]\ninterval=\n",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct vnl_job *job = vnl_job_parse("f.ini", inputs[i], strlen(inputs[i]));
		assert_non_null(job);
		/* either cases or errors, never both, never neither */
		assert_true((vnl_job_case_count(job) > 0) != (vnl_job_error_count(job) > 0));
		vnl_job_free(job);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inherit_and_override),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_typed_values),
		cmocka_unit_test(test_matrix_order_and_names),
		cmocka_unit_test(test_reference_follows_matrix),
		cmocka_unit_test(test_topology_matrix_drops_options),
		cmocka_unit_test(test_unknown_key_suggests),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_matrix_errors),
		cmocka_unit_test(test_combinations),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_all_errors_in_line_order),
		cmocka_unit_test(test_guest_rt_keys),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_shipped_examples),
		cmocka_unit_test(test_man_page_example),
		cmocka_unit_test(test_fuzz_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
