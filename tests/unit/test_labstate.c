/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab state file: write/read round trip, damage handling, removal order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "labstate.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vnl-labstate-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct vnl_obj netns_obj(const char *name)
{
	struct vnl_obj o = { .type = VNL_OBJ_NETNS };
	snprintf(o.name, sizeof(o.name), "%s", name);
	return o;
}

static void record_all(struct vnl_labstate *st)
{
	struct vnl_obj a = netns_obj("t1-a"), b = netns_obj("t1-b");
	struct vnl_obj link = { .type = VNL_OBJ_LINK, .name = "wire0", .netns = "t1-a" };
	struct vnl_obj proc = { .type = VNL_OBJ_PROCESS, .name = "qemu", .pid = 4242,
				.start_time = 987654321ull };
	struct vnl_obj pin = { .type = VNL_OBJ_BPF_PIN, .path = "/sys/fs/bpf/t1/xdp" };
	struct vnl_obj file = { .type = VNL_OBJ_FILE, .path = "/run/vnetlat/t1/guest.sock" };
	assert_int_equal(vnl_labstate_record(st, &a), 0);
	assert_int_equal(vnl_labstate_record(st, &b), 1);
	assert_int_equal(vnl_labstate_record(st, &link), 2);
	assert_int_equal(vnl_labstate_record(st, &proc), 3);
	assert_int_equal(vnl_labstate_record(st, &pin), 4);
	assert_int_equal(vnl_labstate_record(st, &file), 5);
	/* Making the pin failed before it existed: down must not touch it. */
	assert_int_equal(vnl_labstate_mark_failed(st, 4), 0);
	/* The namespaces exist, identified (all 64 bits must survive JSON). */
	assert_int_equal(vnl_labstate_mark_made(st, 0, 4026532999ull), 0);
	assert_int_equal(vnl_labstate_mark_made(st, 1, 0xfedcba9876543210ull), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct vnl_labstate *st = vnl_labstate_create(dir, "t1", "veth");
	assert_non_null(st);
	record_all(st);
	vnl_labstate_close(st);

	st = vnl_labstate_open(dir, "t1", true);
	assert_non_null(st);
	assert_string_equal(vnl_labstate_lab(st), "t1");
	assert_string_equal(vnl_labstate_topology(st), "veth");
	assert_int_equal(vnl_labstate_damaged(st), 0);
	assert_int_equal(vnl_labstate_count(st), 6);
	const struct vnl_obj *o = vnl_labstate_obj(st, 0);
	assert_int_equal(o->type, VNL_OBJ_NETNS);
	assert_string_equal(o->name, "t1-a");
	assert_true(o->made);
	assert_true(o->ident == 4026532999ull);
	assert_true(vnl_labstate_obj(st, 1)->ident == 0xfedcba9876543210ull);
	o = vnl_labstate_obj(st, 2);
	assert_false(o->made);
	assert_int_equal(o->type, VNL_OBJ_LINK);
	assert_string_equal(o->name, "wire0");
	assert_string_equal(o->netns, "t1-a");
	o = vnl_labstate_obj(st, 3);
	assert_int_equal(o->type, VNL_OBJ_PROCESS);
	assert_int_equal(o->pid, 4242);
	assert_true(o->start_time == 987654321ull);
	assert_string_equal(o->name, "qemu");
	o = vnl_labstate_obj(st, 4);
	assert_int_equal(o->type, VNL_OBJ_BPF_PIN);
	assert_string_equal(o->path, "/sys/fs/bpf/t1/xdp");
	assert_true(o->failed);
	o = vnl_labstate_obj(st, 5);
	assert_int_equal(o->type, VNL_OBJ_FILE);
	assert_false(o->failed);
	assert_null(vnl_labstate_obj(st, 6));

	assert_int_equal(vnl_labstate_delete(st), 0);
	vnl_labstate_close(st);
	errno = 0;
	assert_null(vnl_labstate_open(dir, "t1", false));
	assert_int_equal(errno, ENOENT);
}

static void test_create_existing_fails(void **state)
{
	(void)state;
	struct vnl_labstate *st = vnl_labstate_create(dir, "t2", "veth");
	assert_non_null(st);
	struct vnl_obj a = netns_obj("t2-a");
	assert_int_equal(vnl_labstate_record(st, &a), 0);
	errno = 0;
	assert_null(vnl_labstate_create(dir, "t2", "veth"));
	assert_int_equal(errno, EEXIST);
	vnl_labstate_close(st);

	/* The first file is untouched by the failed create. */
	st = vnl_labstate_open(dir, "t2", false);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_count(st), 1);
	assert_int_equal(vnl_labstate_delete(st), 0);
	vnl_labstate_close(st);
}

static void test_removal_plan_reverse(void **state)
{
	(void)state;
	struct vnl_labstate *st = vnl_labstate_parse("t3", "", 0);
	assert_non_null(st);
	record_all(st); /* in memory only: no file */
	size_t order[8];
	size_t n = vnl_labstate_removal_plan(st, order, 8);
	/* Newest first, the failed pin (4) left out. */
	assert_int_equal(n, 5);
	assert_int_equal(order[0], 5);
	assert_int_equal(order[1], 3);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 1);
	assert_int_equal(order[4], 0);
	/* Asking for the size only, then a short buffer. */
	assert_int_equal(vnl_labstate_removal_plan(st, NULL, 0), 5);
	assert_int_equal(vnl_labstate_removal_plan(st, order, 2), 5);
	assert_int_equal(order[0], 5);
	assert_int_equal(order[1], 3);
	vnl_labstate_close(st);
}

static void test_damaged_lines(void **state)
{
	(void)state;
	static const char text[] =
		"{\"vnetlat_lab_state\":1,\"lab\":\"t4\",\"topology\":\"veth\"}\n"
		"{\"type\":\"netns\",\"name\":\"t4-a\"}\n"
		"{\"type\":\"netns\",\"na\x01\x02garbage\n"                 /* 3: torn in the middle */
		"{\"type\":\"warp_drive\",\"name\":\"x\"}\n"                 /* 4: unknown type */
		"{\"type\":\"process\",\"name\":\"qemu\"}\n"                 /* 5: no pid */
		"{\"type\":\"file\",\"path\":\"relative/path\"}\n"           /* 6: not absolute */
		"{\"failed\":9}\n"                                          /* 7: no object 9 */
		"{\"made\":0}\n"                                            /* 8: no ident */
		"{\"type\":\"link\",\"name\":\"wire0\",\"netns\":\"t4-a\"}\n"
		"{\"type\":\"netns\",\"name\":\"t4-b\"";                    /* cut short: ignored */
	struct vnl_labstate *st = vnl_labstate_parse("t4", text, sizeof(text) - 1);
	assert_non_null(st);
	assert_string_equal(vnl_labstate_topology(st), "veth");
	assert_int_equal(vnl_labstate_count(st), 2);
	assert_int_equal(vnl_labstate_obj(st, 0)->type, VNL_OBJ_NETNS);
	assert_int_equal(vnl_labstate_obj(st, 1)->type, VNL_OBJ_LINK);
	assert_int_equal(vnl_labstate_damaged(st), 6);
	assert_non_null(strstr(vnl_labstate_damage(st), "line 3"));
	size_t order[4];
	assert_int_equal(vnl_labstate_removal_plan(st, order, 4), 2);
	assert_int_equal(order[0], 1);
	vnl_labstate_close(st);
}

/* A lent NIC: everything down needs to give it back survives the file; less is damage. */
static void test_uplink_object(void **state)
{
	(void)state;
	struct vnl_obj up = { .type = VNL_OBJ_UPLINK, .name = "enp3s0", .netns = "",
			      .path = "/run/vnetlat/labs/t9.home", .into = "t9-h", .as = "uplink0",
			      .mac = "52:54:00:12:34:56", .mtu = 1400, .up = true, .n_addrs = 2 };
	snprintf(up.addrs[0], sizeof(up.addrs[0]), "198.51.100.5/24");
	snprintf(up.addrs[1], sizeof(up.addrs[1]), "2001:db8::5/64");
	struct vnl_labstate *st = vnl_labstate_create(dir, "t9", "bridge");
	assert_non_null(st);
	assert_int_equal(vnl_labstate_record(st, &up), 0);
	vnl_labstate_close(st);
	st = vnl_labstate_open(dir, "t9", false);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_damaged(st), 0);
	const struct vnl_obj *o = vnl_labstate_obj(st, 0);
	assert_int_equal(o->type, VNL_OBJ_UPLINK);
	assert_string_equal(o->name, "enp3s0");
	assert_string_equal(o->netns, "");
	assert_string_equal(o->path, "/run/vnetlat/labs/t9.home");
	assert_string_equal(o->into, "t9-h");
	assert_string_equal(o->as, "uplink0");
	assert_string_equal(o->mac, "52:54:00:12:34:56");
	assert_int_equal(o->mtu, 1400);
	assert_true(o->up);
	assert_int_equal(o->n_addrs, 2);
	assert_string_equal(o->addrs[1], "2001:db8::5/64");
	char what[200];
	vnl_obj_describe(o, what, sizeof(what));
	assert_string_equal(what, "uplink enp3s0 of the host (lent to t9-h as uplink0)");
	assert_int_equal(vnl_labstate_delete(st), 0);
	vnl_labstate_close(st);

	static const char text[] =
		"{\"vnetlat_lab_state\":1,\"lab\":\"t9\",\"topology\":\"bridge\"}\n"
		/* no mtu */
		"{\"type\":\"uplink\",\"name\":\"e0\",\"netns\":\"\",\"path\":\"/h\",\"into\":\"t9-h\","
		"\"as\":\"uplink0\",\"mac\":\"02:00:00:00:00:01\",\"up\":true,\"addresses\":[]}\n"
		/* an address that is not a string */
		"{\"type\":\"uplink\",\"name\":\"e0\",\"netns\":\"\",\"path\":\"/h\",\"into\":\"t9-h\","
		"\"as\":\"uplink0\",\"mac\":\"02:00:00:00:00:01\",\"mtu\":1500,\"up\":true,"
		"\"addresses\":[5]}\n";
	st = vnl_labstate_parse("t9", text, sizeof(text) - 1);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_count(st), 0);
	assert_int_equal(vnl_labstate_damaged(st), 2);
	vnl_labstate_close(st);
}

/* An IRQ steered by --irq-cpus: its affinity file and the list before; anything else is damage. */
static void test_irq_object(void **state)
{
	(void)state;
	static const char text[] =
		"{\"vnetlat_lab_state\":1,\"lab\":\"t8\",\"topology\":\"bridge\"}\n"
		"{\"type\":\"irq_affinity\",\"name\":\"0-3\",\"path\":\"/proc/irq/35/smp_affinity_list\"}\n"
		/* not an IRQ's affinity file: down would write there */
		"{\"type\":\"irq_affinity\",\"name\":\"1\",\"path\":\"/etc/passwd\"}\n"
		"{\"type\":\"irq_affinity\",\"name\":\"1\",\"path\":\"/proc/irq/35/../../etc/x\"}\n"
		"{\"type\":\"irq_affinity\",\"name\":\"1\",\"path\":\"/proc/irq/35/smp_affinity_list/x\"}\n"
		/* not a CPU list */
		"{\"type\":\"irq_affinity\",\"name\":\"1;rm\",\"path\":\"/proc/irq/35/smp_affinity_list\"}\n";
	struct vnl_labstate *st = vnl_labstate_parse("t8", text, sizeof(text) - 1);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_count(st), 1);
	assert_int_equal(vnl_labstate_damaged(st), 4);
	const struct vnl_obj *o = vnl_labstate_obj(st, 0);
	assert_int_equal(o->type, VNL_OBJ_IRQ_AFFINITY);
	assert_string_equal(o->name, "0-3");
	char what[200];
	vnl_obj_describe(o, what, sizeof(what));
	assert_string_equal(what, "irq_affinity /proc/irq/35/smp_affinity_list");
	vnl_labstate_close(st);
}

static void test_cut_short_and_foreign_files(void **state)
{
	(void)state;
	/* Killed before anything was written: no objects, no damage, topology unknown. */
	struct vnl_labstate *st = vnl_labstate_parse("t5", "", 0);
	assert_int_equal(vnl_labstate_count(st), 0);
	assert_int_equal(vnl_labstate_damaged(st), 0);
	assert_string_equal(vnl_labstate_topology(st), "");
	vnl_labstate_close(st);

	/* Only the header, cut short. */
	static const char torn[] = "{\"vnetlat_lab_state\":1,\"lab\":\"t5\",\"top";
	st = vnl_labstate_parse("t5", torn, sizeof(torn) - 1);
	assert_int_equal(vnl_labstate_count(st), 0);
	assert_int_equal(vnl_labstate_damaged(st), 0);
	vnl_labstate_close(st);

	/* A newer format is not guessed at. */
	static const char newer[] = "{\"vnetlat_lab_state\":99,\"lab\":\"t5\",\"topology\":\"veth\"}\n";
	st = vnl_labstate_parse("t5", newer, sizeof(newer) - 1);
	assert_int_equal(vnl_labstate_damaged(st), 1);
	assert_non_null(strstr(vnl_labstate_damage(st), "another version"));
	vnl_labstate_close(st);

	/* Not a state file at all. */
	static const char junk[] = "\x7f" "ELF\x02\x01\x01\n\n";
	st = vnl_labstate_parse("t5", junk, sizeof(junk) - 1);
	assert_int_equal(vnl_labstate_count(st), 0);
	assert_int_equal(vnl_labstate_damaged(st), 2);
	vnl_labstate_close(st);
}

/* A damaged file on disk reads back with its good records. */
static void test_damaged_file_on_disk(void **state)
{
	(void)state;
	struct vnl_labstate *st = vnl_labstate_create(dir, "t6", "veth");
	assert_non_null(st);
	struct vnl_obj a = netns_obj("t6-a");
	assert_int_equal(vnl_labstate_record(st, &a), 0);
	vnl_labstate_close(st);
	char path[128];
	snprintf(path, sizeof(path), "%s/t6.state", dir);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("{not json}\n{\"type\":\"netns\",\"name\":\"t6-b\"}\n{\"type\":\"link\",\"name\":\"wi", f);
	fclose(f);
	st = vnl_labstate_open(dir, "t6", true);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_count(st), 2);
	assert_string_equal(vnl_labstate_obj(st, 1)->name, "t6-b");
	assert_int_equal(vnl_labstate_damaged(st), 1);
	assert_non_null(strstr(vnl_labstate_damage(st), "line 3"));
	assert_int_equal(vnl_labstate_delete(st), 0);
	vnl_labstate_close(st);
}

/* Growing a lab after a kill: the cut-short record is dropped, not glued to the next. */
static void test_append_after_cut_short(void **state)
{
	(void)state;
	struct vnl_labstate *st = vnl_labstate_create(dir, "t7", "veth");
	assert_non_null(st);
	struct vnl_obj a = netns_obj("t7-a");
	assert_int_equal(vnl_labstate_record(st, &a), 0);
	vnl_labstate_close(st);
	char path[128];
	snprintf(path, sizeof(path), "%s/t7.state", dir);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"type\":\"netns\",\"na", f);
	fclose(f);

	st = vnl_labstate_open(dir, "t7", true);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_count(st), 1);
	struct vnl_obj pin = { .type = VNL_OBJ_BPF_PIN, .path = "/sys/fs/bpf/t7" };
	assert_int_equal(vnl_labstate_record(st, &pin), 1);
	vnl_labstate_close(st);

	st = vnl_labstate_open(dir, "t7", false);
	assert_non_null(st);
	assert_int_equal(vnl_labstate_damaged(st), 0);
	assert_int_equal(vnl_labstate_count(st), 2);
	assert_string_equal(vnl_labstate_obj(st, 1)->path, "/sys/fs/bpf/t7");
	assert_int_equal(vnl_labstate_delete(st), 0);
	vnl_labstate_close(st);
}

static void collect(const char *lab, void *arg)
{
	char *names = arg;
	strcat(names, lab);
	strcat(names, ",");
}

static void test_list(void **state)
{
	(void)state;
	char names[128] = "";
	assert_int_equal(vnl_labstate_list(dir, collect, names), 0);
	assert_string_equal(names, "");
	struct vnl_labstate *b = vnl_labstate_create(dir, "zz", "veth");
	struct vnl_labstate *a = vnl_labstate_create(dir, "aa", "veth");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(vnl_labstate_list(dir, collect, names), 0);
	assert_string_equal(names, "aa,zz,");
	vnl_labstate_delete(a);
	vnl_labstate_delete(b);
	vnl_labstate_close(a);
	vnl_labstate_close(b);
	/* A directory that does not exist yet holds no labs. */
	names[0] = '\0';
	assert_int_equal(vnl_labstate_list("/nonexistent/vnetlat/labs", collect, names), 0);
	assert_string_equal(names, "");
}

static void test_describe(void **state)
{
	(void)state;
	char buf[128];
	struct vnl_obj link = { .type = VNL_OBJ_LINK, .name = "wire0", .netns = "x-a" };
	vnl_obj_describe(&link, buf, sizeof(buf));
	assert_string_equal(buf, "link wire0 in x-a");
	struct vnl_obj proc = { .type = VNL_OBJ_PROCESS, .name = "qemu", .pid = 7 };
	vnl_obj_describe(&proc, buf, sizeof(buf));
	assert_string_equal(buf, "process 7 (qemu)");
	assert_null(vnl_obj_type_name(VNL_OBJ__COUNT));
	assert_string_equal(vnl_obj_type_name(VNL_OBJ_BPF_PIN), "bpf_pin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_create_existing_fails),
		cmocka_unit_test(test_removal_plan_reverse),
		cmocka_unit_test(test_damaged_lines),
		cmocka_unit_test(test_irq_object),
		cmocka_unit_test(test_uplink_object),
		cmocka_unit_test(test_cut_short_and_foreign_files),
		cmocka_unit_test(test_damaged_file_on_disk),
		cmocka_unit_test(test_append_after_cut_short),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
