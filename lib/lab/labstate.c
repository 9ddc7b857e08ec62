/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "labstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpulist.h"

#define STATE_SUFFIX ".state"
/* How long down waits for an `up` that is still building the lab. */
#define LOCK_WAIT_MS 10000

struct vnl_labstate {
	int fd;               /* -1 for parsed text */
	char path[PATH_MAX];
	char lab[64];
	char topology[32];
	struct vnl_obj *objs;
	size_t count, cap;
	unsigned damaged;
	char damage[160];
	size_t whole_len; /* bytes up to the end of the last complete line */
};

static const char *const type_names[VNL_OBJ__COUNT] = {
	[VNL_OBJ_NETNS] = "netns",
	[VNL_OBJ_LINK] = "link",
	[VNL_OBJ_PROCESS] = "process",
	[VNL_OBJ_BPF_PIN] = "bpf_pin",
	[VNL_OBJ_FILE] = "file",
	[VNL_OBJ_PCI_DRIVER] = "pci_driver",
	[VNL_OBJ_UPLINK] = "uplink",
	[VNL_OBJ_IRQ_AFFINITY] = "irq_affinity",
};

const char *vnl_obj_type_name(enum vnl_obj_type type)
{
	return (unsigned)type < VNL_OBJ__COUNT ? type_names[type] : NULL;
}

static int type_from_name(const char *name)
{
	for (int t = 0; t < VNL_OBJ__COUNT; t++)
		if (!strcmp(type_names[t], name))
			return t;
	return -1;
}

void vnl_obj_describe(const struct vnl_obj *obj, char *buf, size_t size)
{
	switch (obj->type) {
	case VNL_OBJ_NETNS:
		snprintf(buf, size, "netns %s", obj->name);
		break;
	case VNL_OBJ_LINK:
		snprintf(buf, size, "link %s in %s", obj->name, obj->netns[0] ? obj->netns : "the host");
		break;
	case VNL_OBJ_PROCESS:
		snprintf(buf, size, "process %lld (%s)", (long long)obj->pid, obj->name);
		break;
	case VNL_OBJ_UPLINK:
		snprintf(buf, size, "uplink %s of %s (lent to %s as %s)", obj->name,
			 obj->netns[0] ? obj->netns : "the host", obj->into, obj->as);
		break;
	default:
		snprintf(buf, size, "%s %s", vnl_obj_type_name(obj->type), obj->path);
		break;
	}
}

static struct vnl_labstate *state_new(const char *lab)
{
	struct vnl_labstate *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->fd = -1;
	snprintf(st->lab, sizeof(st->lab), "%s", lab);
	return st;
}

void vnl_labstate_close(struct vnl_labstate *st)
{
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd); /* also drops the lock */
	free(st->objs);
	free(st);
}

static struct vnl_obj *push_obj(struct vnl_labstate *st)
{
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		struct vnl_obj *objs = realloc(st->objs, cap * sizeof(*objs));
		if (!objs)
			return NULL;
		st->objs = objs;
		st->cap = cap;
	}
	struct vnl_obj *obj = &st->objs[st->count++];
	memset(obj, 0, sizeof(*obj));
	return obj;
}

static void note_damage(struct vnl_labstate *st, unsigned line, const char *what)
{
	if (!st->damaged++)
		snprintf(st->damage, sizeof(st->damage), "line %u: %s", line, what);
}

/* ---- reading ---- */

static int copy_str(json_t *rec, const char *key, char *dst, size_t size, bool required)
{
	json_t *v = json_object_get(rec, key);
	if (!v)
		return required ? -1 : 0;
	if (!json_is_string(v) || json_string_length(v) >= size)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int parse_header(struct vnl_labstate *st, json_t *rec)
{
	json_t *ver = json_object_get(rec, "vnetlat_lab_state");
	if (!json_is_integer(ver))
		return -1;
	if (json_integer_value(ver) != VNL_LABSTATE_VERSION)
		return -2;
	return copy_str(rec, "topology", st->topology, sizeof(st->topology), true);
}

/* {"failed":N} or {"made":N,"ident":X}: news about an object recorded earlier. */
static int parse_mark(struct vnl_labstate *st, json_t *rec, const char *key)
{
	json_t *n = json_object_get(rec, key);
	json_int_t index = json_integer_value(n);
	if (!json_is_integer(n) || index < 0 || (size_t)index >= st->count)
		return -1;
	struct vnl_obj *obj = &st->objs[index];
	if (!strcmp(key, "failed")) {
		obj->failed = true;
		return 0;
	}
	json_t *ident = json_object_get(rec, "ident");
	if (!json_is_integer(ident))
		return -1;
	obj->made = true;
	obj->ident = (uint64_t)json_integer_value(ident);
	return 0;
}

/* A borrowed uplink: everything needed to give it back as it was, or damage. */
static int parse_uplink(struct vnl_obj *obj, json_t *rec)
{
	json_t *mtu = json_object_get(rec, "mtu"), *up = json_object_get(rec, "up");
	json_t *addrs = json_object_get(rec, "addresses");
	if (!obj->name[0] || copy_str(rec, "into", obj->into, sizeof(obj->into), true) < 0 ||
	    copy_str(rec, "as", obj->as, sizeof(obj->as), true) < 0 ||
	    copy_str(rec, "mac", obj->mac, sizeof(obj->mac), true) < 0 || !json_is_integer(mtu) ||
	    json_integer_value(mtu) <= 0 || json_integer_value(mtu) > 65535 || !json_is_boolean(up) ||
	    !json_is_array(addrs) || json_array_size(addrs) > VNL_OBJ_ADDRS_MAX)
		return -1;
	obj->mtu = (unsigned)json_integer_value(mtu);
	obj->up = json_is_true(up);
	size_t i;
	json_t *a;
	json_array_foreach(addrs, i, a) {
		if (!json_is_string(a) || json_string_length(a) >= sizeof(obj->addrs[0]))
			return -1;
		snprintf(obj->addrs[i], sizeof(obj->addrs[i]), "%s", json_string_value(a));
	}
	obj->n_addrs = (unsigned)json_array_size(addrs);
	return 0;
}

/* The fields each type needs; anything less is damage, never guessed at. */
static int parse_obj(struct vnl_obj *obj, json_t *rec)
{
	const char *type = json_string_value(json_object_get(rec, "type"));
	int t = type ? type_from_name(type) : -1;
	if (t < 0)
		return -1;
	obj->type = (enum vnl_obj_type)t;
	if (copy_str(rec, "name", obj->name, sizeof(obj->name), false) < 0 ||
	    copy_str(rec, "netns", obj->netns, sizeof(obj->netns), false) < 0 ||
	    copy_str(rec, "path", obj->path, sizeof(obj->path), false) < 0)
		return -1;
	switch (obj->type) {
	case VNL_OBJ_NETNS:
	case VNL_OBJ_LINK:
		return obj->name[0] ? 0 : -1;
	case VNL_OBJ_PROCESS: {
		json_t *pid = json_object_get(rec, "pid"), *start = json_object_get(rec, "start_time");
		if (!json_is_integer(pid) || json_integer_value(pid) <= 0 || !json_is_integer(start) ||
		    json_integer_value(start) < 0)
			return -1;
		obj->pid = json_integer_value(pid);
		obj->start_time = (uint64_t)json_integer_value(start);
		return 0;
	}
	case VNL_OBJ_UPLINK:
		return parse_uplink(obj, rec);
	case VNL_OBJ_IRQ_AFFINITY: {
		/* only an IRQ's affinity file, and only a CPU list written back to it */
		unsigned irq;
		char tail[32];
		return sscanf(obj->path, "/proc/irq/%u/%31s", &irq, tail) == 2 &&
				       !strcmp(tail, "smp_affinity_list") &&
				       vnl_cpulist_count(obj->name) > 0
			       ? 0
			       : -1;
	}
	default:
		return obj->path[0] == '/' ? 0 : -1;
	}
}

static void parse_line(struct vnl_labstate *st, const char *line, size_t len, unsigned lineno)
{
	json_error_t jerr;
	json_t *rec = json_loadb(line, len, 0, &jerr);
	if (!json_is_object(rec)) {
		note_damage(st, lineno, "not a JSON object");
		json_decref(rec);
		return;
	}
	if (lineno == 1) {
		int ret = parse_header(st, rec);
		if (ret == -2)
			note_damage(st, lineno, "written by another version of vnetlat");
		else if (ret < 0)
			note_damage(st, lineno, "not a vnetlat lab state header");
	} else if (json_object_get(rec, "failed")) {
		if (parse_mark(st, rec, "failed") < 0)
			note_damage(st, lineno, "a 'failed' mark for no recorded object");
	} else if (json_object_get(rec, "made")) {
		if (parse_mark(st, rec, "made") < 0)
			note_damage(st, lineno, "a 'made' mark for no recorded object");
	} else {
		struct vnl_obj *obj = push_obj(st);
		if (!obj)
			note_damage(st, lineno, "out of memory");
		else if (parse_obj(obj, rec) < 0) {
			st->count--;
			note_damage(st, lineno, "not an object vnetlat knows how to remove");
		}
	}
	json_decref(rec);
}

struct vnl_labstate *vnl_labstate_parse(const char *lab, const char *text, size_t len)
{
	struct vnl_labstate *st = state_new(lab);
	if (!st)
		return NULL;
	unsigned lineno = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		lineno++;
		if (!nl)
			break; /* cut short by a kill while being written: never acted on */
		parse_line(st, text + pos, (size_t)(nl - (text + pos)), lineno);
		pos = (size_t)(nl - text) + 1;
	}
	st->whole_len = pos;
	return st;
}

static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				break;
			buf = bigger;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		if (got == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)got;
	}
	free(buf);
	return NULL;
}

static void state_path(const char *dir, const char *lab, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s", dir, lab, STATE_SUFFIX);
}

/* Wait for the lock; then make sure the file was not deleted by whoever held it. */
static int lock_current(int fd, const char *path)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 50) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (waited >= LOCK_WAIT_MS) {
			errno = EBUSY;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	struct stat held, now;
	if (fstat(fd, &held) < 0)
		return -1;
	if (stat(path, &now) < 0 || held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

struct vnl_labstate *vnl_labstate_open(const char *dir, const char *lab, bool lock)
{
	char path[PATH_MAX];
	state_path(dir, lab, path, sizeof(path));
	int fd = open(path, (lock ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len = 0;
	char *text = NULL;
	if ((!lock || lock_current(fd, path) == 0) && (text = read_all(fd, &len))) {
		struct vnl_labstate *st = vnl_labstate_parse(lab, text, len);
		free(text);
		/*
		 * Holding the lock, we may append: first drop a record cut short
		 * by a kill (its object was never started), so it cannot glue
		 * onto the next one.
		 */
		if (st && lock && st->whole_len < len &&
		    (ftruncate(fd, (off_t)st->whole_len) < 0 || lseek(fd, 0, SEEK_END) < 0)) {
			vnl_labstate_close(st);
			st = NULL;
		}
		if (st) {
			st->fd = fd;
			snprintf(st->path, sizeof(st->path), "%s", path);
			return st;
		}
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

/* ---- writing ---- */

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int ret = fsync(fd);
	close(fd);
	return ret;
}

/* One whole line per write(), then fsync: a record is on disk before its object exists. */
static int append_json(int fd, json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	if (!text)
		return -1;
	size_t len = strlen(text);
	text[len] = '\n'; /* replaces the NUL: the line is written by length */
	ssize_t n = write(fd, text, len + 1);
	int saved = errno;
	free(text);
	if (n != (ssize_t)(len + 1)) {
		errno = n < 0 ? saved : EIO;
		return -1;
	}
	return fsync(fd);
}

struct vnl_labstate *vnl_labstate_create(const char *dir, const char *lab, const char *topology)
{
	struct vnl_labstate *st = state_new(lab);
	if (!st)
		return NULL;
	snprintf(st->topology, sizeof(st->topology), "%s", topology);
	state_path(dir, lab, st->path, sizeof(st->path));
	char fdpath[64];
	/* Built as an unnamed file and linked in place: it never exists without its header. */
	if (mkdir_p(dir) < 0 || (st->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644)) < 0 ||
	    flock(st->fd, LOCK_EX) < 0 ||
	    append_json(st->fd, json_pack("{s:i, s:s, s:s}", "vnetlat_lab_state", VNL_LABSTATE_VERSION,
					  "lab", lab, "topology", topology)) < 0)
		goto fail;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", st->fd);
	if (linkat(AT_FDCWD, fdpath, AT_FDCWD, st->path, AT_SYMLINK_FOLLOW) < 0 || sync_dir(dir) < 0)
		goto fail;
	return st;
fail:;
	int saved = errno;
	vnl_labstate_close(st);
	errno = saved;
	return NULL;
}

static json_t *obj_to_json(const struct vnl_obj *obj)
{
	json_t *rec = json_pack("{s:s}", "type", vnl_obj_type_name(obj->type));
	if (!rec)
		return NULL;
	if (obj->name[0])
		json_object_set_new(rec, "name", json_string(obj->name));
	if (obj->netns[0])
		json_object_set_new(rec, "netns", json_string(obj->netns));
	if (obj->path[0])
		json_object_set_new(rec, "path", json_string(obj->path));
	if (obj->type == VNL_OBJ_PROCESS) {
		json_object_set_new(rec, "pid", json_integer(obj->pid));
		json_object_set_new(rec, "start_time", json_integer((json_int_t)obj->start_time));
	}
	if (obj->type == VNL_OBJ_UPLINK) {
		json_t *addrs = json_array();
		for (unsigned i = 0; i < obj->n_addrs; i++)
			json_array_append_new(addrs, json_string(obj->addrs[i]));
		/* "netns" may be "" (the root namespace): always written */
		json_object_set_new(rec, "netns", json_string(obj->netns));
		json_object_set_new(rec, "into", json_string(obj->into));
		json_object_set_new(rec, "as", json_string(obj->as));
		json_object_set_new(rec, "mac", json_string(obj->mac));
		json_object_set_new(rec, "mtu", json_integer(obj->mtu));
		json_object_set_new(rec, "up", json_boolean(obj->up));
		json_object_set_new(rec, "addresses", addrs);
	}
	return rec;
}

int vnl_labstate_record(struct vnl_labstate *st, const struct vnl_obj *obj)
{
	if (!vnl_obj_type_name(obj->type)) {
		errno = EINVAL;
		return -1;
	}
	struct vnl_obj *slot = push_obj(st);
	if (!slot)
		return -1;
	*slot = *obj;
	slot->failed = slot->made = false;
	slot->ident = 0;
	if (st->fd >= 0 && append_json(st->fd, obj_to_json(obj)) < 0) {
		st->count--;
		return -1;
	}
	return (int)(st->count - 1);
}

int vnl_labstate_mark_failed(struct vnl_labstate *st, size_t index)
{
	if (index >= st->count) {
		errno = EINVAL;
		return -1;
	}
	st->objs[index].failed = true;
	if (st->fd >= 0)
		return append_json(st->fd, json_pack("{s:I}", "failed", (json_int_t)index));
	return 0;
}

int vnl_labstate_mark_made(struct vnl_labstate *st, size_t index, uint64_t ident)
{
	if (index >= st->count) {
		errno = EINVAL;
		return -1;
	}
	st->objs[index].made = true;
	st->objs[index].ident = ident;
	/* JSON integers are signed 64-bit: the bits go through unchanged. */
	if (st->fd >= 0)
		return append_json(st->fd, json_pack("{s:I, s:I}", "made", (json_int_t)index, "ident",
						     (json_int_t)ident));
	return 0;
}

int vnl_labstate_delete(struct vnl_labstate *st)
{
	if (!st->path[0]) {
		errno = EINVAL;
		return -1;
	}
	if (unlink(st->path) < 0 && errno != ENOENT)
		return -1;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", st->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return sync_dir(slash ? dir : ".");
}

/* ---- accessors ---- */

const char *vnl_labstate_lab(const struct vnl_labstate *st) { return st->lab; }
const char *vnl_labstate_topology(const struct vnl_labstate *st) { return st->topology; }
size_t vnl_labstate_count(const struct vnl_labstate *st) { return st->count; }
unsigned vnl_labstate_damaged(const struct vnl_labstate *st) { return st->damaged; }
const char *vnl_labstate_damage(const struct vnl_labstate *st) { return st->damage; }

const struct vnl_obj *vnl_labstate_obj(const struct vnl_labstate *st, size_t index)
{
	return index < st->count ? &st->objs[index] : NULL;
}

size_t vnl_labstate_removal_plan(const struct vnl_labstate *st, size_t *order, size_t max)
{
	size_t n = 0;
	for (size_t i = st->count; i-- > 0;) {
		if (st->objs[i].failed)
			continue;
		if (n < max)
			order[n] = i;
		n++;
	}
	return n;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vnl_labstate_list(const char *dir, void (*cb)(const char *lab, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int ret = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), slen = strlen(STATE_SUFFIX);
		if (len <= slen || strcmp(de->d_name + len - slen, STATE_SUFFIX))
			continue;
		if (n == cap) {
			char **bigger = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));
			if (!bigger) {
				ret = -1;
				break;
			}
			names = bigger;
		}
		if (!(names[n] = strndup(de->d_name, len - slen))) {
			ret = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (ret == 0 && n) {
		qsort(names, n, sizeof(*names), cmp_names);
		for (size_t i = 0; i < n; i++)
			cb(names[i], arg);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}
