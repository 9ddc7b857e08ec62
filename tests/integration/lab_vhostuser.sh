#!/bin/bash
# The study's back-end 5 (issue 14): `lab up ovs --ovs-afxdp --vhost-user` under
# TCG. Open vSwitch's DPDK vswitchd has uplink0 as an AF_XDP port and vhu0 as a
# dpdkvhostuserclient port; qemu serves the vhost-user socket with the guest's
# memory shared (memfd here, hugepages where the host has them free) and the
# lab info, `lab show` and run's JSON say which; the PMD thread sits on the CPU
# asked for, read back from OVS; DHCP and ping work both ways; run --direction
# both accounts for every probe, none lost, and says why it has no host hops.
# The options' refusals create nothing; lab down leaves no process, socket,
# DPDK runtime directory or namespace behind. Then again with hugepages free:
# the guest's memory on them, every page given back.
# Usage: bash lab_vhostuser.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_vhostuser.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
T=$VNL_TMP
L=tvu$$
L=${L:0:10}
VNL_GUEST_LABS=("$L")
DPDK_BIN=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk

vnl_skip_unless_guest_lab
vnl_need qemu-system-x86_64 dnsmasq ovs-vsctl ethtool
[ -x "$DPDK_BIN" ] || { echo "FAIL: $DPDK_BIN is missing (scripts/deps.sh VNL_TEST_PKGS: openvswitch-switch-dpdk)"; exit 1; }

# Refusals first: nothing is created.
"$VNL" lab up ovs --name "$L" --vhost-user >"$T/r1.out" 2>"$T/r1.err"; rc=$?
vnl_check "--vhost-user without --ovs-afxdp: refused (exit 1), saying to add it" \
	bash -c "test $rc = 1 && grep -q 'add --ovs-afxdp' '$T/r1.err'"
"$VNL" lab up bridge --name "$L" --ovs-afxdp --vhost-user >"$T/r2.out" 2>"$T/r2.err"; rc=$?
vnl_check "--vhost-user on a bridge lab: refused (exit 1)" \
	bash -c "test $rc = 1 && grep -q 'an option of the ovs topology' '$T/r2.err'"
"$VNL" lab up ovs --name "$L" --ovs-afxdp --pmd-cpus 1 >"$T/r3.out" 2>"$T/r3.err"; rc=$?
vnl_check "--pmd-cpus without --vhost-user: refused (exit 1)" \
	bash -c "test $rc = 1 && grep -q 'add --vhost-user' '$T/r3.err'"
"$VNL" lab up ovs --name "$L" --ovs-afxdp --vhost-user --pmd-cpus x >/dev/null 2>"$T/r4.err"; rc=$?
vnl_check "--pmd-cpus x: usage error (exit 2)" test "$rc" = 2
vnl_check "... and none of them made anything" vnl_guest_lab_gone "$L"

cat "$T/r1.err" "$T/r2.err" "$T/r3.err" "$T/r4.err" | sed 's/^/    /'
# A study's ovs-afxdp case is back-end 5: its lab recipe has the DPDK switch's
# vhost-user port and the job's pmd_cpus; pmd_cpus elsewhere is a job-file error.
printf '[global]\ncount = 10\n[b5]\ntopology = ovs-afxdp\npmd_cpus = 1\n' >"$T/b5.ini"
(cd "$T" && "$VNL" study b5.ini --dry-run) >"$T/b5.out" 2>&1; rc=$?
vnl_check "study: topology ovs-afxdp runs lab up ovs --ovs-afxdp --vhost-user --pmd-cpus 1" bash -c "
	test $rc = 0 && grep -q 'type=dpdkvhostuserclient' '$T/b5.out' &&
	grep -q 'pmd-cpu-mask=0x2' '$T/b5.out' && grep -q -- '-netdev vhost-user' '$T/b5.out'"
printf '[b]\ntopology = bridge\npmd_cpus = 1\n' >"$T/b6.ini"
(cd "$T" && "$VNL" study b6.ini --dry-run) >"$T/b6.out" 2>&1; rc=$?
vnl_check "study: pmd_cpus with topology bridge is a job-file error (exit 2)" bash -c "
	test $rc = 2 && grep -q 'b6.ini:3: .*pmd_cpus places the PMD threads' '$T/b6.out'"
if ! "$VNL" lab up ovs --name "$L" --ovs-afxdp --vhost-user --pmd-cpus 1 >"$T/up.out" 2>"$T/up.err"; then
	fail "lab up ovs --ovs-afxdp --vhost-user"; sed 's/^/    /' "$T/up.err" | tail -25
	vnl_finish
fi
ok "lab up ovs --ovs-afxdp --vhost-user --pmd-cpus 1"
sed 's/^/    /' "$T/up.err" | grep -E "ovs:|guest:"
OVS=$VNL_GUEST_DIR/$L/ovs
ovs-vsctl --db=unix:"$OVS/db.sock" --timeout=10 show >"$T/vsctl.txt" 2>&1
vnl_check "ovs-vsctl: uplink0 an afxdp port, vhu0 a dpdkvhostuserclient on the lab's socket" python3 -c '
import sys
t = open(sys.argv[1]).read(); print("    " + t.replace("\n", "\n    "))
ok = "type: afxdp" in t and "type: dpdkvhostuserclient" in t and sys.argv[2] + "/vhu0.sock" in t
sys.exit(0 if ok else 1)' "$T/vsctl.txt" "$VNL_GUEST_DIR/$L"
vnl_check "the switch is the DPDK build, ovs-vswitchd-dpdk" bash -c \
	"ps -e -o args= | grep -v grep | grep -q '^$DPDK_BIN unix:$OVS/db.sock'"
QPID=$(cat "$VNL_GUEST_DIR/$L/qemu.pid")
tr '\0' ' ' <"/proc/$QPID/cmdline" >"$T/qemu.cmd"
if grep -q '^HugePages_Free: *0$' /proc/meminfo; then MEM=memfd; else MEM='memfd|file'; fi
vnl_check "qemu: a vhost-user netdev on the socket, guest memory a shared $MEM backend" \
	grep -qE "memory-backend-($MEM),id=mem0,.*share=on.*-netdev vhost-user,id=net0,chardev=vhu0" "$T/qemu.cmd"
vnl_json_check "$VNL_STATE_DIR/$L.info" "lab info: vhost_user with the memory's reason and the PMD on CPU 1" \
	"d['vhost_user']['socket'].endswith('/vhu0.sock') and d['vhost_user']['memory'].startswith(('memfd (', 'hugepages (')) and d['vhost_user']['pmd_cpus'] == '1' and d['backend_if'] == ''"
vnl_check "PMD thread on CPU 1 (taskset of the vswitchd thread pmd-c01*)" bash -c "
	pid=\$(pgrep -f '^$DPDK_BIN unix:$OVS/db.sock' | head -1)
	for t in /proc/\$pid/task/*; do
		case \$(cat \$t/comm) in pmd-c01*) taskset -pc \${t##*/} | grep -q 'list: 1\$' && exit 0;; esac
	done; exit 1"
"$VNL" lab show --name "$L" >"$T/show.txt"
vnl_check "lab show names the vhost-user port and its memory" grep -q "vhost-user $VNL_GUEST_DIR/$L/vhu0.sock, memory" "$T/show.txt"
vnl_check "remote -> guest ping 192.0.2.2" "$VNL" lab exec r --name "$L" -- ping -c 2 -W 3 192.0.2.2
vnl_check "guest -> remote ping 192.0.2.1" "$VNL" lab exec guest --name "$L" -- ping -c 2 -W 3 192.0.2.1

if "$VNL" run "$L" --direction both --count 200 --interval 5ms --json >"$T/run.json" 2>"$T/run.err"; then
	ok "run --direction both --count 200 exits 0"
	vnl_check "every probe accounted for each way" vnl_run_accounting "$T/run.json" 200 none
	vnl_json_check "$T/run.json" "none lost either way" \
		"all(r['packets']['lost'] == 0 and r['packets']['received'] == 200 for r in d['directions'].values())"
	vnl_json_check "$T/run.json" "run's lab.vhost_user is the lab's; backend_if null" \
		"d['lab']['vhost_user']['pmd_cpus'] == '1' and d['lab']['backend_if'] is None"
	vnl_json_check "$T/run.json" "hops: a note saying why there are none (vhost-user, AF_XDP)" \
		"all('vhost-user' in r['hops']['note'] and 'AF_XDP' in r['hops']['note'] for r in d['directions'].values())"
	vnl_check "run's JSON matches the schema" python3 "$(dirname "$0")/json_schema_check.py" \
		"$(dirname "$0")/../../doc/json-schema.json" "$T/run.json" '#/$defs/run_document'
else
	fail "run --direction both --count 200"; sed 's/^/    /' "$T/run.err" | tail -15
fi

vnl_check "lab down" "$VNL" lab down --name "$L"
vnl_check "nothing left of the lab" vnl_guest_lab_gone "$L"
vnl_check "no vswitchd or ovsdb-server of the lab" bash -c "! pgrep -f '^(ovsdb-server|$DPDK_BIN) .*$OVS/' >/dev/null"
vnl_check "no DPDK runtime directory /var/run/dpdk/vnl-$L" test ! -e "/var/run/dpdk/vnl-$L"

# A study of back-end 5 end to end: its case runs on vhost-user, and with no
# hugepages free the summary marks it as not as asked, saying why; so too its
# PMD CPU when this host does not isolate it (host.json isolcpus).
printf '[global]\ncount = 50\ninterval = 10ms\nwarmup = 0s\n[b5]\ntopology = ovs-afxdp\npmd_cpus = 1\n' >"$T/s5.ini"
(cd "$T" && exec timeout 300 "$VNL" study s5.ini --out "$T/s5" --quiet) >"$T/s5.out" 2>&1 &
SP=$!; wait $SP; rc=$?
vnl_study_labs_down "$SP"
if [ "$rc" = 0 ] && [ -e "$T/s5/report/summary.json" ]; then
	ok "study of an ovs-afxdp case: exit 0"
	vnl_json_check "$T/s5/study.json" "study.json: the repetition's shared_memory (memfd here, and why)" \
		"d['cases'][0]['repetitions'][0]['shared_memory'].startswith('memfd (no free hugepages')"
	vnl_json_check "$T/s5/report/summary.json" "summary: done, marked not as asked: hugepages asked, memfd got" \
		"d['cases'][0]['status'] == 'done' and 'asked hugepages' in d['cases'][0]['rt_deviation'] and 'got memfd' in d['cases'][0]['rt_deviation']"
	vnl_check "summary.md says NOT AS ASKED" grep -q "NOT AS ASKED: asked hugepages" "$T/s5/report/summary.md"
	if [ -z "$(cat /sys/devices/system/cpu/isolated)" ]; then
		vnl_json_check "$T/s5/report/summary.json" "summary: pmd_cpus 1 marked, CPU 1 not isolated here" \
			"'asked pmd_cpus 1 on isolated CPUs (as published); CPU 1 is not isolated on this host (isolcpus none)' in d['cases'][0]['rt_deviation']"
	fi
else
	fail "study of an ovs-afxdp case (exit $rc)"; tail -20 "$T/s5.out" | sed 's/^/    /'
fi

# Where the host has hugepages free (here: 140 reserved by the test and a
# hugetlbfs mount of its own, both given back on any exit), the guest's memory
# is on them: qemu's memory-backend-file, the lab info says so, and lab down
# gives every page back.
HUGE_OLD=$(cat /proc/sys/vm/nr_hugepages) HUGE_DIR=$(mktemp -d /tmp/vnl-huge.XXXXXX)
huge_restore() {
	"$VNL" lab down --name "$L" >/dev/null 2>&1
	umount "$HUGE_DIR" 2>/dev/null; rmdir "$HUGE_DIR" 2>/dev/null
	echo "$HUGE_OLD" >/proc/sys/vm/nr_hugepages
}
trap 'rc=$?; huge_restore; (exit $rc); vnl_cleanup' EXIT
free0=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
echo $((HUGE_OLD + 140)) >/proc/sys/vm/nr_hugepages
mount -t hugetlbfs none "$HUGE_DIR"
free1=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
echo "    hugepages free: $free0 before, $free1 with 140 more reserved"
if "$VNL" lab up ovs --name "$L" --ovs-afxdp --vhost-user >"$T/up2.out" 2>"$T/up2.err"; then
	ok "lab up ovs --ovs-afxdp --vhost-user with hugepages free"
	grep "memory shared" "$T/up2.err" | sed 's/^/    /'
	QPID=$(cat "$VNL_GUEST_DIR/$L/qemu.pid")
	tr '\0' ' ' <"/proc/$QPID/cmdline" >"$T/qemu2.cmd"
	vnl_check "qemu: guest memory a shared memory-backend-file on hugetlbfs" \
		grep -qE "memory-backend-file,id=mem0,size=256M,mem-path=[^ ]+,share=on,prealloc=on" "$T/qemu2.cmd"
	vnl_json_check "$VNL_STATE_DIR/$L.info" "lab info: memory on hugepages, with the mount" \
		"d['vhost_user']['memory'].startswith('hugepages (/')"
	vnl_check "the guest holds 128 hugepages (256 MB)" test \
		"$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)" = $((free1 - 128))
	vnl_check "remote -> guest ping 192.0.2.2 (hugepages)" "$VNL" lab exec r --name "$L" -- ping -c 2 -W 3 192.0.2.2
	vnl_check "lab down (hugepages)" "$VNL" lab down --name "$L"
	vnl_check "every hugepage given back" test "$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)" = "$free1"
	vnl_check "nothing left of the lab (hugepages)" vnl_guest_lab_gone "$L"
else
	fail "lab up with hugepages free"; sed 's/^/    /' "$T/up2.err" | tail -20
fi
huge_restore
vnl_check "the host's hugepages as they were" test "$(cat /proc/sys/vm/nr_hugepages)" = "$HUGE_OLD"
vnl_finish
