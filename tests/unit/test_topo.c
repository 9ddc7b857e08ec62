/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VM labs: the names of a lab, reading dnsmasq's lease file, the pci_driver
 * state object, and the lab info of a lab with a VLAN (and without).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "labinfo.h"
#include "labstate.h"
#include "topo.h"
#include "vmlab.h"
#include "topo_guest.h"

static char lease_file[64];

static int make_leases(void **state)
{
	(void)state;
	snprintf(lease_file, sizeof(lease_file), "/tmp/vnl-leases-XXXXXX");
	int fd = mkstemp(lease_file);
	if (fd < 0)
		return -1;
	/* dnsmasq's format: expiry, MAC, address, hostname, client id */
	static const char text[] =
		"1795515346 02:0c:44:f3:22:07 192.0.2.7 other 01:02:0c:44:f3:22:07\n"
		"1795515346 02:0C:44:F3:22:03 192.0.2.2 t5-guest 01:02:0c:44:f3:22:03\n"
		"garbage\n";
	ssize_t n = write(fd, text, sizeof(text) - 1);
	close(fd);
	return n == (ssize_t)sizeof(text) - 1 ? 0 : -1;
}

static int remove_leases(void **state)
{
	(void)state;
	return unlink(lease_file);
}

static void lease_found_whatever_the_case(void **state)
{
	(void)state;
	char ip[64];
	assert_int_equal(vnl_lease_find(lease_file, "02:0c:44:f3:22:03", ip, sizeof(ip)), 0);
	assert_string_equal(ip, "192.0.2.2");
	assert_int_equal(vnl_lease_find(lease_file, "02:0C:44:F3:22:07", ip, sizeof(ip)), 0);
	assert_string_equal(ip, "192.0.2.7");
}

static void lease_missing(void **state)
{
	(void)state;
	char ip[64] = "unchanged";
	assert_int_equal(vnl_lease_find(lease_file, "02:00:00:00:00:09", ip, sizeof(ip)), -1);
	assert_string_equal(ip, "unchanged");
	assert_int_equal(vnl_lease_find("/nonexistent/leases", "02:0c:44:f3:22:03", ip, sizeof(ip)), -1);
}

static void names_of_a_lab(void **state)
{
	(void)state;
	struct vnl_vm a, b;
	vnl_vm_names(&a, "t5");
	vnl_vm_names(&b, "t6");
	assert_string_equal(a.remote_ns, "t5-r");
	assert_string_equal(a.host_ns, "t5-h");
	assert_string_equal(a.run_dir, VNL_VM_RUN_ROOT "/t5");
	/* locally administered unicast, guest is node 3, and two labs never share a MAC */
	assert_int_equal(a.guest_mac[0], 0x02);
	assert_int_equal(a.guest_mac[5], 3);
	assert_int_equal(strlen(a.guest_mac_text), 17);
	assert_string_not_equal(a.guest_mac_text, b.guest_mac_text);
	char path[300];
	vnl_vm_path(&a, "dnsmasq.leases", path, sizeof(path));
	assert_string_equal(path, VNL_VM_RUN_ROOT "/t5/dnsmasq.leases");
}

static void pci_driver_round_trip(void **state)
{
	(void)state;
	static const char text[] =
		"{\"vnetlat_lab_state\":1,\"lab\":\"t9\",\"topology\":\"passthrough\"}\n"
		"{\"type\":\"pci_driver\",\"path\":\"/sys/bus/pci/devices/0000:03:10.0\","
		"\"name\":\"ixgbevf\"}\n";
	struct vnl_labstate *st = vnl_labstate_parse("t9", text, sizeof(text) - 1);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_damaged(st), 0);
	assert_int_equal(vnl_labstate_count(st), 1);
	const struct vnl_obj *obj = vnl_labstate_obj(st, 0);
	assert_int_equal(obj->type, VNL_OBJ_PCI_DRIVER);
	assert_string_equal(obj->name, "ixgbevf");
	/* down by hand: unbind from vfio-pci, clear the override, bind the old driver */
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	FILE *saved = stdout;
	stdout = mem;
	vnl_pci_print_restore(obj);
	stdout = saved;
	fclose(mem);
	assert_non_null(strstr(out, "echo 0000:03:10.0 > /sys/bus/pci/devices/0000:03:10.0/driver/unbind\n"));
	assert_non_null(strstr(out, "echo > /sys/bus/pci/devices/0000:03:10.0/driver_override\n"));
	assert_non_null(strstr(out, "echo 0000:03:10.0 > /sys/bus/pci/drivers/ixgbevf/bind\n"));
	free(out);
	vnl_labstate_close(st);
}

/* --vlan: the stream's ends and the untagged ones survive a save and load; without, copies. */
static void labinfo_vlan_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/vnl-labinfo-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct vnl_lab_info in = { .has_guest = true, .vlan = 42 }, out;
	snprintf(in.name, sizeof(in.name), "t7");
	snprintf(in.remote.ifname, sizeof(in.remote.ifname), "vlan0");
	snprintf(in.remote.addr4, sizeof(in.remote.addr4), "198.51.100.1");
	snprintf(in.local.ifname, sizeof(in.local.ifname), "eth0.42");
	snprintf(in.local.addr6, sizeof(in.local.addr6), "2001:db8:1::2");
	snprintf(in.untagged_remote.netns, sizeof(in.untagged_remote.netns), "t7-r");
	snprintf(in.untagged_local.ifname, sizeof(in.untagged_local.ifname), "eth0");
	snprintf(in.untagged_local.addr4, sizeof(in.untagged_local.addr4), "192.0.2.2");
	assert_int_equal(vnl_labinfo_save(dir, &in), 0);
	assert_int_equal(vnl_labinfo_load(dir, "t7", &out), 0);
	assert_int_equal(out.vlan, 42);
	assert_string_equal(out.remote.ifname, "vlan0");
	assert_string_equal(out.remote.addr4, "198.51.100.1");
	assert_string_equal(out.local.ifname, "eth0.42");
	assert_string_equal(out.local.addr6, "2001:db8:1::2");
	assert_string_equal(out.untagged_remote.netns, "t7-r");
	assert_string_equal(out.untagged_local.ifname, "eth0");
	assert_string_equal(out.untagged_local.addr4, "192.0.2.2");
	in.vlan = 0;
	assert_int_equal(vnl_labinfo_save(dir, &in), 0);
	assert_int_equal(vnl_labinfo_load(dir, "t7", &out), 0);
	assert_int_equal(out.vlan, 0);
	assert_string_equal(out.untagged_local.ifname, "eth0.42"); /* the stream's own ends */
	assert_string_equal(out.untagged_remote.addr4, "198.51.100.1");
	assert_int_equal(vnl_labinfo_remove(dir, "t7"), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A remote end given by the user (run --remote-*, study remote_netns) is where load goes too,
 * unless a VLAN lab keeps its own untagged remote end. */
static void labinfo_given_remote_is_the_load_end(void **state)
{
	(void)state;
	struct vnl_lab_info li = { .has_guest = true };
	assert_int_equal(vnl_labinfo_set_remote(&li, "net", "192.0.2.1"), 0);
	assert_string_equal(li.remote.netns, "net");
	assert_string_equal(li.untagged_remote.netns, "net");
	assert_string_equal(li.untagged_remote.addr4, "192.0.2.1");
	assert_int_equal(vnl_labinfo_set_remote(&li, "net", "not-an-address"), -1);

	struct vnl_lab_info vl = { .has_guest = true, .vlan = 42 };
	snprintf(vl.untagged_remote.netns, sizeof(vl.untagged_remote.netns), "lab-r");
	snprintf(vl.untagged_remote.addr4, sizeof(vl.untagged_remote.addr4), "192.0.2.1");
	assert_int_equal(vnl_labinfo_set_remote(&vl, "board", "198.51.100.1"), 0);
	assert_string_equal(vl.remote.addr4, "198.51.100.1");
	assert_string_equal(vl.untagged_remote.netns, "lab-r");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lease_found_whatever_the_case, make_leases, remove_leases),
		cmocka_unit_test_setup_teardown(lease_missing, make_leases, remove_leases),
		cmocka_unit_test(names_of_a_lab),
		cmocka_unit_test(pci_driver_round_trip),
		cmocka_unit_test(labinfo_vlan_round_trip),
		cmocka_unit_test(labinfo_given_remote_is_the_load_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
