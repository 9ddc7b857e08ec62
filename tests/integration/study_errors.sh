#!/bin/bash
# vnetlat study refuses bad job files and bad usage before running anything:
# an unknown key, a bad value and an impossible combination are each reported
# as FILE:LINE: message; suggestion (vnetlat-study(5)), all of them in one go,
# with exit 2, and no results directory or lab is created. Also: no job file,
# an unreadable one, --resume with a job file, --resume of a directory that
# holds no study, and --dry-run listing the cases with a skipped one's reason.
# Usage: bash study_errors.sh /path/to/vnetlat
set -uo pipefail
VNL=$(realpath "${1:?usage: study_errors.sh /path/to/vnetlat}")
TMP=$(mktemp -d)
failed=0
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

# expect EXIT PATTERN... -- ARGS: run vnetlat study ARGS, check status and stderr lines.
expect() {
	local want=$1; shift
	local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	# exec: the subshell becomes the study, whose pid names the labs it would make
	(cd "$TMP" && exec "$VNL" study "$@") >"$TMP/out" 2>"$TMP/err" &
	local pid=$! rc=0
	wait $pid || rc=$?
	STUDY_PIDS+=("$pid")
	[ $rc = "$want" ] || { fail "study $*: exit $rc, expected $want"; cat "$TMP/err"; return; }
	local p
	for p in "${pats[@]}"; do
		grep -qF -- "$p" "$TMP/err" || { fail "study $*: no '$p' in:"; cat "$TMP/err"; return; }
	done
	ok "study $* -> exit $want, ${#pats[@]} expected message(s)"
}

# Every study run here; at the end none may have left a lab (its labs are named after its
# pid, so labs other programs make meanwhile are not counted).
STUDY_PIDS=()
studies_labs() {
	local p
	for p in "${STUDY_PIDS[@]}"; do # the prefix of lib/study/study.c lab_name
		ls /run/vnetlat/labs 2>/dev/null | grep "^$(printf 's%04x' $((p & 0xffff)))" || true
	done
}

cat >"$TMP/bad.ini" <<'INI'
[global]
intervall = 1ms
duration = 2s

[veth]
topology = brigde

[loaded]
topology = veth
load_rate = 10M
INI
expect 2 "bad.ini:2: unknown key 'intervall'; did you mean 'interval'?" \
	"bad.ini:6: topology: unknown value 'brigde'; did you mean 'bridge'?" \
	"bad.ini:10: [loaded] sets load_rate but has no load" \
	"nothing was run" -- bad.ini --out "$TMP/res"
[ ! -e "$TMP/res" ] && ok "no results directory for a bad job" || fail "results directory created"
ls "$TMP" | grep -q '^vnetlat-study-' && fail "default results directory created" || true
expect 2 "bad.ini:2: unknown key" -- bad.ini --dry-run

# an end pinned to a CPU it does not have is refused before anything runs (issue 14)
printf '[g]\ntopology = bridge\ncpu = 1\n' >"$TMP/gcpu.ini"
expect 2 "gcpu.ini:3: case g: cpu 1: the guest has CPUs 0..0 (guest_cpus = 1)" \
	"nothing was run" -- gcpu.ini --out "$TMP/res"
printf '[v]\ntopology = veth\nsched_fifo = 50\nremote_cpu = 4095\n' >"$TMP/hcpu.ini"
expect 2 "case v: CPU 4095: this machine has CPUs 0.." "nothing was run" -- hcpu.ini --out "$TMP/res"
[ ! -e "$TMP/res" ] && ok "no results directory for a CPU that does not exist" \
	|| fail "results directory created"

printf '[global]\nduration = 2s\n' >"$TMP/empty.ini"
expect 2 "empty.ini" -- empty.ini

expect 2 "no job file" --
expect 2 "cannot read the job file" -- "$TMP/missing.ini"
printf '[v]\ntopology = veth\n' >"$TMP/good.ini"
expect 2 "--resume DIR takes the job file" -- good.ini --resume "$TMP"
mkdir -p "$TMP/nostudy"
expect 2 "cannot resume" -- --resume "$TMP/nostudy"
expect 2 "one job file per study" -- good.ini good.ini
expect 2 "unknown option '--bogus'" -- good.ini --bogus

# --dry-run lists the cases with the lab's recipe, and says what would be skipped.
printf '[v]\ntopology = veth\n[pt]\ntopology = passthrough\npci_device = 03:00.0\n' >"$TMP/dry.ini"
(cd "$TMP" && exec "$VNL" study dry.ini --dry-run) >"$TMP/out" 2>"$TMP/err" &
STUDY_PIDS+=("$!"); wait $!
rc=$?
if [ $rc = 0 ] && grep -q '^case 1/2 v: topology veth' "$TMP/out" && grep -q '^ip netns add' "$TMP/out" \
	&& grep -q '^case 2/2 pt: .*would be skipped: \|^case 2/2 pt: topology passthrough' "$TMP/out"; then
	ok "--dry-run lists both cases and the veth lab's commands"
else
	fail "--dry-run (exit $rc)"; cat "$TMP/out" "$TMP/err"
fi
ls "$TMP" | grep -q '^vnetlat-study-' && fail "--dry-run created a results directory" \
	|| ok "--dry-run created nothing"
left=$(studies_labs)
[ -z "$left" ] && ok "no lab was made by the ${#STUDY_PIDS[@]} studies" || fail "a lab was made: $left"

[ $failed = 0 ] && echo "PASS: study_errors" || echo "FAIL: study_errors"
exit $failed
