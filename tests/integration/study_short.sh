#!/bin/bash
# vnetlat study end to end (root): a short job on two topologies (veth, and
# bridge with a TCG guest) x load none/udp1, 2000 probes per case, plus a passthrough
# case this host cannot run. Checks the statuses in study.json, that every
# done case has records and JSON (and load.json when loaded), host.json's
# fields, the skipped case's reason, that no lab is left, and that the HTML
# report opens in headless Chromium with a row per case and every figure;
# then a (veth-only) study interrupted with SIGINT after its first case
# exits 1 keeping that case, and --resume completes it without re-running it.
# Usage: bash study_short.sh /path/to/vnetlat
set -uo pipefail
VNL=$(realpath "${1:?usage: study_short.sh /path/to/vnetlat}")
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
PIDS=()
failed=0

source "$(dirname "$0")/lib.sh"
lab_prefix() { vnl_study_lab_prefix "$1"; }

cleanup() {
	local rc=$?
	vnl_keep_logs "$rc" "$TMP" "$VNL_TMP"; VNL_LOGS_KEPT=1
	vnl_study_labs_down "${PIDS[@]}"
	rm -rf "$TMP"
	vnl_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces)"
	exit 77
fi
command -v iperf3 >/dev/null || { echo "FAIL: iperf3 is not installed"; exit 1; }

cat >"$TMP/job.ini" <<'INI'
[global]
interval = 1ms
# By count, not duration: a TCG guest's sender skips the slots it is late for
# (counted as missed slots), so probes sent in 2 s measure the machine's speed.
count = 2000
warmup = 300ms
window = 500ms..1500ms
reference = veth

[veth]
topology = veth
load = none,udp1
load_rate = 20M
# the study's real-time settings reach both ends (issue 14)
sched_fifo = 50
deadline = 5ms

[vm]
topology = bridge
load = none,udp1
load_rate = 20M

[pt]
topology = passthrough
pci_device = 0000:03:00.0
INI
# The interrupted/resumed study: the same without the guests, to keep it short.
python3 - "$TMP/job.ini" "$TMP/job2.ini" <<'PY'
import sys
src = open(sys.argv[1]).read().split("\n[vm]\n")
rest = src[1].split("\n[pt]\n")
open(sys.argv[2], "w").write(src[0] + "\n[pt]\n" + rest[1])
PY

labs_left() { # labs (state files) or namespaces a study with pid $1 left behind
	local pre; pre=$(lab_prefix "$1")
	ls /run/vnetlat/labs/ 2>/dev/null | grep "^$pre"; ip netns list | grep "^$pre"
}

# 1. The whole study.
OUT=$TMP/r1
"$VNL" study "$TMP/job.ini" --out "$OUT" >"$TMP/out1" 2>"$TMP/err1" &
PIDS+=($!)
wait $!
rc=$?
[ $rc = 0 ] && ok "study exit 0" || { fail "study exit $rc"; cat "$TMP/err1"; }
grep -q '^| veth/load=none ' "$TMP/out1" && ok "summary table printed" || fail "no summary table"
[ -z "$(labs_left "${PIDS[0]}")" ] && ok "no lab left" || fail "labs left: $(labs_left "${PIDS[0]}")"
st=$(jq_ "$OUT/study.json" "' '.join(c['name']+'='+c['status'] for c in d['cases'])")
[ "$st" = "veth/load=none=done veth/load=udp1=done vm/load=none=done vm/load=udp1=done pt=skipped" ] \
	&& ok "statuses: $st" || fail "statuses: $st"
reason=$(jq_ "$OUT/study.json" "d['cases'][4].get('reason') or ''")
case "$reason" in *passthrough*|*IOMMU*|*PCI*) ok "skipped with its reason: $reason";;
	*) fail "skipped case's reason: '$reason'";; esac
[ "$(jq_ "$OUT/study.json" "d['window']['from_ns'], d['window']['to_ns'], d['reference']")" = \
	"500000000 1500000000 veth" ] && ok "window and reference recorded" || fail "window/reference"
for c in 0 1 2 3; do
	dir=$OUT/$(jq_ "$OUT/study.json" "d['cases'][$c]['repetitions'][0]['dir']")
	for f in in.vnlrec in.json; do
		[ -s "$dir/$f" ] || fail "case $c: no $f in $dir"
	done
	# in.json is the window's: received + lost = sent, every stage for every probe
	if acc=$(vnl_accounting_py "$dir/in.json"); then ok "case $c: record and JSON present; $acc"
	else fail "case $c ($dir): $acc"; fi
	# the whole record: --count's 2000 probes, all accounted for
	if "$VNL" report "$dir/in.vnlrec" --json >"$TMP/whole$c.json" 2>"$TMP/whole$c.err" &&
		acc=$(vnl_accounting_py "$TMP/whole$c.json" 2000); then ok "case $c, whole record: $acc"
	else fail "case $c, whole record ($dir/in.vnlrec): ${acc:-$(cat "$TMP/whole$c.err")}"; fi
	acc=
done
# The load ran and was accounted for; its rate is the machine's (not checked): it never
# exceeds the 20M asked, and total_bps is the sum of its streams'.
dir=$OUT/$(jq_ "$OUT/study.json" "d['cases'][1]['repetitions'][0]['dir']")
lj=$(jq_ "$dir/load.json" "int(d['total_bps']), all(s['complete'] and 0 < s['received_bps'] <= 1.1 * 20e6 for s in d['streams']), abs(d['total_bps'] - sum(s['received_bps'] for s in d['streams'])) < 1")
[ "${lj#* }" = "True True" ] && ok "load.json: ${lj%% *} bit/s, complete, <= 20M asked, total = sum of streams" \
	|| fail "load.json ($dir/load.json): saw total, streams complete <= 22M, total = sum: $lj; expected <bps> True True"
[ ! -e "$OUT/$(jq_ "$OUT/study.json" "d['cases'][0]['repetitions'][0]['dir']")/load.json" ] \
	&& ok "no load.json without load" || fail "load.json without load"
for k in kernel cpu cores accel vhost guest_clock guest_clock_why isolcpus preempt_rt \
	nohz_full rcu_nocbs cpu_governor smt smt_control vnetlat_version started finished; do
	jq_ "$OUT/host.json" "d['$k']" >/dev/null 2>&1 || fail "host.json has no $k"
done
[ "$(jq_ "$OUT/host.json" "d['isolcpus']")" = "$(cat /sys/devices/system/cpu/isolated)" ] \
	&& ok "host.json: isolcpus as /sys says" || fail "host.json isolcpus: $(jq_ "$OUT/host.json" "d['isolcpus']"), /sys: $(cat /sys/devices/system/cpu/isolated)"
[ "$(jq_ "$OUT/host.json" "d['kernel']")" = "$(uname -r)" ] && ok "host.json: kernel, cpu, ..." \
	|| fail "host.json kernel"
[ "$(jq_ "$OUT/host.json" "d['guest_clock'] == ('ptp_kvm' if d['accel'] == 'kvm' else 'agent')")" = True ] \
	&& ok "host.json: guest_clock $(jq_ "$OUT/host.json" "d['guest_clock']")" || fail "host.json guest_clock"
# host.json's accel, written again at the end, is what the guest case's run really used
gdir=$OUT/$(jq_ "$OUT/study.json" "d['cases'][2]['repetitions'][0]['dir']")
ga=$(jq_ "$gdir/run.json" "d['lab']['accel']")
[ "$(jq_ "$OUT/host.json" "d['accel']")" = "$ga" ] && ok "host.json: accel $ga, as the guest ran" \
	|| fail "host.json accel $(jq_ "$OUT/host.json" "d['accel']") but the guest ran under $ga"
# the veth cases' ends ran as the job said, read back by each; the vm cases asked for nothing
rt=$(jq_ "$OUT/study.json" "' | '.join(c['repetitions'][0].get('rt_applied') or '-' for c in d['cases'][:4])")
case "$rt" in "sender fifo 50 CPUs "*"; receiver fifo 50 CPUs "*" | sender fifo 50 CPUs "*"; receiver fifo 50 CPUs "*" | sender other 0 CPUs "*"; receiver other 0 CPUs "*" | sender other 0 CPUs "*)
	ok "repetitions' rt_applied: $rt";;
*) fail "repetitions' rt_applied: $rt";;
esac
d0=$OUT/$(jq_ "$OUT/study.json" "d['cases'][0]['repetitions'][0]['dir']")
[ "$(jq_ "$d0/in.json" "d['run']['deadline_ns']")" = 5000000 ] && ok "veth case: deadline 5ms applied" \
	|| fail "veth case deadline: $(jq_ "$d0/in.json" "d['run']['deadline_ns']")"
# each repetition records how run related the clocks: one clock on veth; the TCG guest: agent, with why
ck=$(jq_ "$OUT/study.json" "' '.join(c['repetitions'][0].get('clock') or '-' for c in d['cases'][:4])")
[ "$ck" = "same-host same-host agent agent" ] && ok "repetitions' clock: $ck" || fail "repetitions' clock: $ck"
why=$(jq_ "$OUT/study.json" "d['cases'][2]['repetitions'][0].get('clock_why') or ''")
case "$why" in "ptp_kvm: no KVM clock in a TCG guest"*) ok "clock_why: $why";;
	*) fail "clock_why of the guest case: '$why'";; esac
cmp -s "$TMP/job.ini" "$OUT/job.ini" && ok "job.ini kept as run" || fail "job.ini differs"
[ -s "$OUT/report/index.html" ] && ok "report written" || fail "no report/index.html"
# with and without load, the guest cases show no negative minimum: the tap bounds the clock
for k in 2 3; do
	d=$OUT/$(jq_ "$OUT/study.json" "d['cases'][$k]['repetitions'][0]['dir']")
	v=$(jq_ "$d/in.json" "'%s %d %s' % (d['clock']['combined'], len(d['negative_minima']), \
		min(d['latency'][s]['min_ns'] for s in ('path', 'one_way')) >= 0 <= d['hops']['guest']['min_ns'])")
	[ "$v" = "agent+tap 0 True" ] && ok "case $k: agent+tap, no negative minimum" \
		|| fail "case $k: clock, negative minima, all minima >= 0: $v"
done
# the guest cases' metric carries its clock bound, narrowed by the back-end port (issue 19)
n=$(grep -c "^| vm[^|]* |.*| one_way ± [0-9.]*[mun]*s (agent+tap) |" "$OUT/report/summary.md")
[ "$n" = 2 ] && ok "summary.md: both vm cases give one_way ± bound (agent+tap)" \
	|| fail "summary.md: $n vm rows with a clock bound: $(grep '^| vm' "$OUT/report/summary.md")"
# The HTML report in headless Chromium: not blank, a row per case (the skipped
# one too), the tails (in one_way: window and whole run), the breakdown + two
# figures per done case inline, no wider than 1280 px.
python3 "$SRC/tests/integration/html_check.py" "$OUT/report/index.html" 11 5 "$TMP" || failed=1

# 2. Interrupted after the first case, then resumed.
OUT=$TMP/r2
"$VNL" study "$TMP/job2.ini" --out "$OUT" >"$TMP/out2" 2>"$TMP/err2" &
pid=$!
PIDS+=($pid)
for _ in $(seq 1 300); do # until the first case is done and the second has its lab
	[ -f "$OUT/study.json" ] && [ "$(jq_ "$OUT/study.json" "d['cases'][0]['status']")" = done ] \
		&& [ -n "$(labs_left "$pid")" ] && break
	sleep 0.1
done
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
[ $rc = 1 ] && ok "interrupted study exit 1" || { fail "interrupted study exit $rc"; cat "$TMP/err2"; }
[ -z "$(labs_left "$pid")" ] && ok "interrupted: lab torn down" || fail "labs left: $(labs_left "$pid")"
st=$(jq_ "$OUT/study.json" "' '.join(c['status'] for c in d['cases'])")
case "$st" in "done partial "*|"done failed "*) ok "after the interrupt: $st";;
	*) fail "after the interrupt: $st";; esac
first=$OUT/$(jq_ "$OUT/study.json" "d['cases'][0]['repetitions'][0]['dir']")
before=$(stat -c %Y.%N "$first/in.vnlrec" "$first/in.json" | tr '\n' ' ')
"$VNL" study --resume "$OUT" >"$TMP/out3" 2>"$TMP/err3" &
PIDS+=($!)
wait $!
rc=$?
[ $rc = 0 ] && ok "resume exit 0" || { fail "resume exit $rc"; cat "$TMP/err3"; }
st=$(jq_ "$OUT/study.json" "' '.join(c['status'] for c in d['cases'])")
[ "$st" = "done done skipped" ] && ok "after --resume: $st" || fail "after --resume: $st"
after=$(stat -c %Y.%N "$first/in.vnlrec" "$first/in.json" | tr '\n' ' ')
[ "$before" = "$after" ] && ok "first case not re-run" || fail "first case re-run"
grep -q '^case 1/' "$TMP/err3" && fail "resume ran case 1 again" || ok "resume started at case 2"
second=$OUT/$(jq_ "$OUT/study.json" "d['cases'][1]['repetitions'][0]['dir']")
[ -s "$second/in.vnlrec" ] && [ -s "$second/load.json" ] && ok "second case completed" \
	|| fail "second case has no record/load"

[ $failed = 0 ] && echo "PASS: study_short" || echo "FAIL: study_short"
exit $failed
