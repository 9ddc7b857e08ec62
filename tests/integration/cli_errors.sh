#!/bin/bash
# Bad usage of send, recv, lab up --vlan/--uplink and run --remote-*: each case must exit 2 with exactly one line on
# stderr, "vnetlat VERB: ...", saying what was wrong (checked by a pattern).
# Usage: bash cli_errors.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: cli_errors.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
LAB=ecl$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
A=(ip netns exec "$LAB-a")
B=(ip netns exec "$LAB-b")

# expect VERB PATTERN CMD...: exit 2, one stderr line "vnetlat VERB: ..." matching PATTERN.
expect() {
	local verb=$1 pattern=$2; shift 2
	local err rc lines
	err=$("$@" 2>&1 >/dev/null); rc=$?
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [[ "$err" == "vnetlat $verb: "* ]] &&
		grep -qiE -- "$pattern" <<<"$err"; then
		echo "PASS: ${*: -3}: $err"
	else
		echo "FAIL: $*: exit $rc, $lines line(s): $err (wanted exit 2, one line matching '$pattern')"
		vnl_failed=1
	fi
}

expect send "missing DEST" "$VNL" send
expect send "invalid --interval '-1ms'" "$VNL" send 192.0.2.2 --interval -1ms
expect send "invalid --interval '5parsecs'" "$VNL" send 192.0.2.2 --interval 5parsecs
expect send "invalid --interval '0'.*> 0" "$VNL" send 192.0.2.2 --interval 0
expect send "invalid --size .10.: expected 96..9000" "$VNL" send 192.0.2.2 --size 10
expect send "invalid --clock 'sundial'" "$VNL" send 192.0.2.2 --clock sundial
expect send "--count or --duration, not both" "$VNL" send 192.0.2.2 --count 5 --duration 1s
expect send "unknown option '--bogus'" "$VNL" send 192.0.2.2 --bogus
expect send "cannot resolve 'no-such-host.invalid'" "${A[@]}" "$VNL" send no-such-host.invalid
expect send "cannot reach 203.0.113.9" "${A[@]}" "$VNL" send 203.0.113.9
expect send "--base-time is .* in the past" "${A[@]}" "$VNL" send 192.0.2.2 --base-time 1s
expect send "is not a MAC address" "${A[@]}" "$VNL" send 192.0.2.2 --l2 --ifname wire0
expect send "interface 'nosuch0' not found" "${A[@]}" "$VNL" send 02:00:00:00:00:01 --l2 --ifname nosuch0
expect send "--l2 needs --ifname" "${A[@]}" "$VNL" send 02:00:00:00:00:01 --l2
expect send "--l2 needs root" "${A[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VNL" send 02:00:00:00:00:01 --l2 --ifname wire0
expect send "--sched-fifo" "${A[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VNL" send 192.0.2.2 --sched-fifo 50 --count 1

expect recv "invalid --port '70000'" "$VNL" recv --port 70000
expect recv "unexpected argument" "$VNL" recv 192.0.2.2
expect recv "invalid --duration '-3s'" "$VNL" recv --duration -3s
expect recv "not an address of this host" "${B[@]}" "$VNL" recv --bind 198.51.100.7
expect recv "interface 'nosuch0' not found" "${B[@]}" "$VNL" recv --l2 --ifname nosuch0
expect recv "cannot write the record file" "${B[@]}" "$VNL" recv --record /nonexistent-dir/x.rec
expect recv "cannot write the status file" "${B[@]}" "$VNL" recv --status-file /nonexistent-dir/live
expect recv "--peer-offset corrects the figures of --status-file" "$VNL" recv --peer-offset -850ms
expect recv "invalid --peer-offset '--5ms'" "$VNL" recv --status-file "$VNL_TMP/st" --peer-offset --5ms
mkfifo "$VNL_TMP/fifo" # status files are renamed over: anything but a regular file is refused
expect recv "status file '.*fifo' exists and is not a regular file" "${B[@]}" "$VNL" recv --status-file "$VNL_TMP/fifo"
[ -p "$VNL_TMP/fifo" ] || { echo "FAIL: the fifo was replaced"; vnl_failed=1; }

# lab up --vlan: an 802.1Q id, and only for the guest topologies (nothing is made: usage errors).
expect lab "invalid --vlan '0': .*1 to 4094" "$VNL" lab up bridge --name vlbad --vlan 0
expect lab "invalid --vlan '4095': .*1 to 4094" "$VNL" lab up bridge --name vlbad --vlan 4095
expect lab "--vlan is for the guest topologies .* not veth" "$VNL" lab up veth --name vlbad --vlan 42
expect lab "--vlan is for the guest topologies .* not passthrough" "$VNL" lab up passthrough --name vlbad --vlan 42
expect lab "'lab down' has no option --vlan" "$VNL" lab down --name vlbad --vlan 42
vnl_check "lab --vlan errors made nothing" bash -c '! ip netns list | grep -q "^vlbad"'

# lab doctor --rt: CPU lists of this host only; --cpus only with --rt, --rt not with --bridge.
expect lab "--cpus 0,4096: this host has no CPU 4096 .its CPUs are 0-$(($(nproc) - 1))" \
	"$VNL" lab doctor --rt --cpus 0,4096
expect lab "--cpus 1-x: not a CPU list" "$VNL" lab doctor --rt --cpus 1-x
expect lab "--cpus goes with --rt" "$VNL" lab doctor --cpus 0
expect lab "either --rt .the real-time set-up. or --bridge" "$VNL" lab doctor --rt --bridge br0
# Its facts against /sys and /proc read here: isolated CPUs, SMT, governor; exit 1 iff a PROBLEM.
"$VNL" lab doctor --rt --cpus 0 >"$VNL_TMP/rt" 2>&1; rc=$?
isol=$(cat /sys/devices/system/cpu/isolated)
if [ -n "$isol" ]; then want="^ok       isolcpus: CPUs $isol are isolated"; else want="^PROBLEM  isolcpus: no CPU is isolated"; fi
vnl_check "lab doctor --rt: isolcpus as /sys/devices/system/cpu/isolated ('$isol')" grep -q "$want" "$VNL_TMP/rt"
if grep -qw 0 <<<"$(python3 -c "import sys; print(' '.join(str(c) for p in sys.argv[1].split(',') if p for c in (range(int(p.split('-')[0]), int(p.split('-')[-1]) + 1))))" "$isol")"; then
	want="^ok       CPU 0: isolated"; else want="^PROBLEM  CPU 0: not isolated"; fi
vnl_check "lab doctor --rt --cpus 0: CPU 0 as isolcpus says" grep -q "$want" "$VNL_TMP/rt"
case "$(cat /sys/devices/system/cpu/smt/active 2>/dev/null)" in
1) want="^PROBLEM  SMT: on" ;; 0) want="^ok       SMT: off" ;; *) want="^info     SMT: unknown" ;; esac
vnl_check "lab doctor --rt: SMT as /sys/devices/system/cpu/smt/active" grep -q "$want" "$VNL_TMP/rt"
if [ -e /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor ]; then want="^(ok|PROBLEM) +governor: "
else want="^info     governor: no cpufreq here"; fi
vnl_check "lab doctor --rt: the governor line" grep -qE "$want" "$VNL_TMP/rt"
n=$(grep -c '^PROBLEM' "$VNL_TMP/rt")
vnl_check "lab doctor --rt: exit 1 exactly when a PROBLEM is printed (exit $rc, $n PROBLEM lines)" \
	bash -c "[ $n -gt 0 -a $rc = 1 ] || [ $n = 0 -a $rc = 0 ]"

# Port in use: a first receiver holds 4300, a second one must say so.
ip netns exec "$LAB-b" "$VNL" recv --bind 192.0.2.2 --quiet >/dev/null 2>&1 &
VNL_BG+=("$!")
vnl_wait_udp "$LAB-b" 4300 || exit 1
expect recv "port 4300 is already in use" "${B[@]}" "$VNL" recv --bind 192.0.2.2

# --uplink only where there is a host uplink port; run's remote end in pairs.
expect lab "--uplink is for the bridge, macvtap, ovs and xdp labs; the veth lab" \
	"$VNL" lab up veth --name upcli --uplink lo
expect lab "--uplink is for .*passthrough lab" "$VNL" lab up passthrough --uplink lo --dry-run
expect lab "option '--uplink' needs a value; see 'vnetlat lab up --help'" "$VNL" lab up bridge --uplink
expect lab "'lab show' has no option --dry-run; see 'vnetlat lab show --help'" "$VNL" lab show --dry-run
expect lab "unknown 'lab warp'; expected one of up, down" "$VNL" lab warp
expect run "--remote-netns and --remote-addr go together" "$VNL" run "$LAB" --remote-netns x

vnl_check "send --help exits 0 and documents --base-time" \
	bash -c "'$VNL' send --help | grep -q -- --base-time"
vnl_check "recv --help exits 0 and documents --record" \
	bash -c "'$VNL' recv --help | grep -q -- --record"
vnl_check "lab up --help documents --vlan" bash -c "'$VNL' lab up --help | grep -q -- '--vlan ID'"
vnl_check "lab down --help lists only down's options" \
	bash -c "'$VNL' lab down --help | grep -q -- --dry-run && ! '$VNL' lab down --help | grep -q -- --vlan"
vnl_check "lab --help lists the sub-verbs" bash -c "'$VNL' lab --help | grep -q '^  doctor '"
# --version: the version, then the build's features with the static guest binary it would use
"$VNL" --version >"$VNL_TMP/version"
vnl_check "--version: 'vnetlat X.Y.Z' then features (bpf with libbpf's version, af_xdp, guests)" \
	bash -c "head -1 '$VNL_TMP/version' | grep -Eq '^vnetlat [0-9]+\.[0-9]+\.[0-9]+$' &&
		grep -Eq '^  bpf +libbpf [0-9]+\.[0-9]+' '$VNL_TMP/version' &&
		grep -q '^  af_xdp ' '$VNL_TMP/version' && grep -q '^  guest aarch64 ' '$VNL_TMP/version'"
g=$(sed -n 's/^  guest x86_64 *//p' "$VNL_TMP/version")
vnl_check "--version names the x86_64 guest's static vnetlat, and it exists: $g" \
	bash -c "case '$g' in /*) test -x '$g';; *'VNL_GUEST_STATIC'*) true;; *) false;; esac"
vnl_finish
