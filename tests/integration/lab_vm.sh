#!/bin/bash
# VM labs (issue 3), root, guests under TCG: for bridge, macvtap and ovs
# (userspace datapath; and ovs with an AF_XDP uplink): up, the guest's DHCP lease (lab info and `lab show`),
# ping remote<->guest both ways (`lab exec r`, `lab exec guest` through the
# agent), `lab doctor` finds no problem (and finds a real one), down leaves
# nothing. Then: the bridge --dry-run recipe run by bash in a clean
# environment builds a working lab (guest answers ping), cleaned by hand;
# `lab down` after kill -9 of `lab up` mid-boot; passthrough refuses here;
# a guest that cannot boot is reported with its console tail.
# Usage: bash lab_vm.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_vm.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
STATE_DIR=$VNL_STATE_DIR GUEST_DIR=$VNL_GUEST_DIR TMP=$VNL_TMP
# Lab names unique to this run, at most 10 characters.
B=tb$$ M=tm$$ O=to$$ X=tx$$ K=tk$$ D=td$$ F=tf$$ P=tp$$
VNL_GUEST_LABS=("$B" "$M" "$O" "$X" "$K" "$D" "$F" "$P")

vnl_skip_unless_guest_lab
vnl_need qemu-system-x86_64 dnsmasq ovs-vswitchd ethtool

# Retry a ping a few times: the first may wait for neighbour resolution.
ping_from() { # ping_from LAB NODE ADDR
	local i
	for i in 1 2 3; do
		"$VNL" lab exec "$2" --name "$1" -- ping -c 2 -W 2 "$3" && return 0
	done
	return 1
}

has_lease() { # has_lease LAB: lab info and `lab show` have the guest's lease 192.0.2.2
	python3 - "$STATE_DIR/$1.info" <<'EOF' || return 1
import json, sys
info = json.load(open(sys.argv[1]))
text = json.dumps(info)
assert '"192.0.2.2"' in text, text
EOF
	"$VNL" lab show --name "$1" | grep -q "192.0.2.2 (DHCP lease)" || return 1
	"$VNL" lab show --name "$1" --json | python3 -c '
import json, sys
labs = json.load(sys.stdin)["labs"]
guest = [n for n in labs[0]["nodes"] if n["node"] == "guest"][0]
assert guest["lease"] == "192.0.2.2" and guest["present"], guest
assert guest["console_log"].endswith("/console.log"), guest'
}

# A CPU list ("0-2,5" or taskset's "0,1") as its sorted CPUs, one line.
cpus_of() { python3 -c '
import sys
out = []
for p in sys.argv[1].split(","):
    lo, _, hi = p.partition("-")
    out += range(int(lo), int(hi or lo) + 1)
print(" ".join(map(str, sorted(out))))' "$1"; }

# lab doctor --rt on a VM lab: each vCPU thread of its qemu is named with the
# CPUs taskset (util-linux) reports for it; the exit status is 1 exactly when
# a PROBLEM line was printed. With PINS ("1 0": vCPU 0 on CPU 1, vCPU 1 on 0)
# and EMU (the other threads' CPUs) taskset must also show those.
rt_doctor() { # rt_doctor TOPO LAB [PINS EMU]
	local topo=$1 lab=$2 pins=${3:-} emu=${4:-} pid rc t tid comm want said v n=0 bad=""
	pid=$(cat "/run/vnetlat/guest/$lab/qemu.pid")
	"$VNL" lab doctor --rt --name "$lab" >"$TMP/rt-$lab" 2>&1; rc=$?
	for t in /proc/"$pid"/task/*; do
		tid=${t##*/}; comm=$(cat "$t/comm" 2>/dev/null)
		want=$(cpus_of "$(taskset -pc "$tid" | sed 's/.*: //')")
		said=$(grep -E "^(ok|PROBLEM|info) +qemu thread $tid '$comm': " "$TMP/rt-$lab" |
			grep -oE " CPUs? [0-9,-]+" | head -1 | cut -d" " -f3 | sed "s/,$//")
		[ -n "$said" ] && [ "$(cpus_of "$said")" = "$want" ] || bad="$bad $tid($comm: taskset $want, said '$said')"
		case "$comm" in
		"CPU "*/*) n=$((n + 1)); v=${comm#CPU }; v=${v%%/*}
			[ -z "$pins" ] || [ "$want" = "$(echo $pins | cut -d' ' -f$((v + 1)))" ] ||
				bad="$bad vCPU$v(on $want, asked $(echo $pins | cut -d' ' -f$((v + 1))))" ;;
		*) [ -z "$emu" ] || [ "$want" = "$emu" ] || bad="$bad $tid($comm on $want, asked $emu)" ;;
		esac
	done
	if [ $n -ge 1 ] && [ -z "$bad" ] && { grep -q '^PROBLEM' "$TMP/rt-$lab"; [ $? = $((1 - rc)) ]; } &&
		grep -q "^info     lab: $lab ($topo): qemu $pid" "$TMP/rt-$lab"; then
		ok "$topo: lab doctor --rt lists qemu $pid's threads ($n vCPUs) with the CPUs taskset reports${pins:+, vCPUs on $pins, the others on $emu}, exit $rc"
	else
		fail "$topo: lab doctor --rt (exit $rc): saw $n vCPU threads, wrong:$bad; output:"
		sed 's/^/    /' "$TMP/rt-$lab"
	fi
}

topology() { # topology TOPO LAB [LAB UP OPTIONS...]
	local topo=$1 lab=$2 start
	shift 2
	start=$(date +%s%N)
	if ! "$VNL" lab up "$topo" --name "$lab" "$@" >"$TMP/up-$lab" 2>&1; then
		fail "$topo: lab up"; sed 's/^/    /' "$TMP/up-$lab" | tail -30
		"$VNL" lab down --name "$lab" >/dev/null 2>&1
		return
	fi
	ok "$topo: lab up in $(( ($(date +%s%N) - start) / 1000000 )) ms"
	echo "time: $topo: $(grep -o 'ready [0-9.]* s after qemu started.*lease 192.0.2.2 at [0-9.]* s' "$TMP/up-$lab")"
	check "$topo: the guest holds DHCP lease 192.0.2.2 (lab info, show, show --json)" has_lease "$lab"
	check "$topo: remote -> guest ping 192.0.2.2" ping_from "$lab" r 192.0.2.2
	check "$topo: guest -> remote ping 192.0.2.1 (through the agent)" ping_from "$lab" guest 192.0.2.1
	check "$topo: guest -> remote ping 2001:db8::1" ping_from "$lab" guest 2001:db8::1
	check "$topo: remote -> guest ping 2001:db8::2" ping_from "$lab" r 2001:db8::2
	check "$topo: guest exec by lab name ('vnetlat guest exec --name $lab')" \
		bash -c "'$VNL' guest exec --name '$lab' -- ip -4 addr show eth0 | grep -q 'inet 192.0.2.2/24'"
	check "$topo: lab doctor finds no problem" "$VNL" lab doctor --name "$lab"
	[ "$topo" = bridge ] && rt_doctor "$topo" "$lab"
	if [ "$topo" = macvtap ]; then
		grep -q "^guest: pinned vCPU [01] -> CPU [01], vCPU [01] -> CPU [01], [0-9]* other threads* -> CPU 0$" \
			"$TMP/up-$lab" && ok "macvtap: lab up says how it pinned qemu's threads" ||
			{ fail "macvtap: lab up's pinning line"; sed 's/^/    /' "$TMP/up-$lab"; }
		rt_doctor "$topo" "$lab" "1 0" 0
		# run's JSON reads the same placement back from the kernel (lab.qemu_threads)
		"$VNL" run "$lab" --direction in --count 20 --json >"$TMP/pinrun-$lab" 2>"$TMP/pinrun-$lab.err"
		vnl_json_check "$TMP/pinrun-$lab" "macvtap: run JSON lab.qemu_threads: vCPU 0 on CPU 1, vCPU 1 on CPU 0, the others on CPU 0" \
			"{x['vcpu']: x['cpus'] for x in d['lab']['qemu_threads'] if x['vcpu'] is not None} == {0: '1', 1: '0'} and all(x['cpus'] == '0' for x in d['lab']['qemu_threads'] if x['vcpu'] is None)"
	fi
	vnl_stream_both "$lab" "$topo"
	if [ "$topo" = ovs ]; then
		# A real fault: the remote end's checksums left to an offload the
		# userspace datapath does not complete.
		ip netns exec "$lab-r" ethtool -K wire0 tx on >/dev/null
		"$VNL" lab doctor --name "$lab" >"$TMP/doc" 2>&1
		if [ $? = 1 ] && grep -q "^PROBLEM  UDP checksums remote -> guest: the receiver counted [1-9][0-9]* checksum errors.*ethtool -K wire0 tx off" "$TMP/doc"; then
			ok "ovs: lab doctor names UDP checksum errors, and the fix"
		else
			fail "ovs: lab doctor missed the checksum errors"; sed 's/^/    /' "$TMP/doc"
		fi
		"$VNL" run "$lab" --direction in --count 50 >"$TMP/bad" 2>&1
		grep -q "direction in: no probe arrived (udp4, $lab-r (192.0.2.1) -> guest (192.0.2.2))" "$TMP/bad" &&
			grep -q "direction in: the receiver counted [1-9][0-9]* UDP checksum errors" "$TMP/bad" &&
			ok "ovs: run names what was sent and the checksum errors when nothing arrives" ||
			{ fail "ovs: run's message for a direction that got nothing"; sed 's/^/    /' "$TMP/bad"; }
		ip netns exec "$lab-r" ethtool -K wire0 tx off >/dev/null
	fi
	if [ "$topo" = bridge ]; then
		# A real fault: STP on with the usual 15 s forward delay.
		ip -n "$lab-h" link set br0 type bridge stp_state 1 forward_delay 1500
		"$VNL" lab doctor --name "$lab" >"$TMP/doc" 2>&1
		if [ $? = 1 ] && grep -q "^PROBLEM  STP forward delay:.*ip link set br0 type bridge stp_state 0' then '.*ip link set br0 type bridge forward_delay 0'" "$TMP/doc"; then
			ok "bridge: lab doctor reports STP with a 15 s forward delay, and the fix"
		else
			fail "bridge: lab doctor missed STP"; sed 's/^/    /' "$TMP/doc"
		fi
		ip -n "$lab-h" link set br0 type bridge stp_state 0
		ip -n "$lab-h" link set br0 type bridge forward_delay 0
		# Another: the uplink taken out of the bridge.
		ip -n "$lab-h" link set uplink0 nomaster
		"$VNL" lab doctor --name "$lab" >"$TMP/doc" 2>&1
		if [ $? = 1 ] && grep -q "^PROBLEM  bridge ports: uplink0 is not a port of br0.*ip link set uplink0 master br0" "$TMP/doc"; then
			ok "bridge: lab doctor reports the uplink missing from the bridge, and the fix"
		else
			fail "bridge: lab doctor missed the uplink out of the bridge"; sed 's/^/    /' "$TMP/doc"
		fi
		ip -n "$lab-h" link set uplink0 master br0
		check "bridge: lab doctor --bridge br0 (a user's bridge, inside its namespace)" \
			"$VNL" lab exec h --name "$lab" -- "$VNL" lab doctor --bridge br0
	fi
	check "$topo: lab down" "$VNL" lab down --name "$lab"
	check "$topo: nothing left (namespaces, links, qemu, dnsmasq, ovs, files)" vnl_guest_lab_gone "$lab"
}

topology bridge "$B"
# two vCPUs pinned crosswise, qemu's other threads on CPU 0 (issue 14)
topology macvtap "$M" --guest-cpus 2 --pin-vcpu 1,0 --emulator-cpus 0
topology ovs "$O"

# ovs with the uplink as an AF_XDP port (userspace datapath).
if "$VNL" lab up ovs --name "$X" --ovs-afxdp >"$TMP/up-$X" 2>&1; then
	ok "ovs --ovs-afxdp: lab up"
	check "ovs --ovs-afxdp: uplink0 is an afxdp port without error" bash -c "
		out=\$(ip netns exec '$X-h' ovs-vsctl --db=unix:'$GUEST_DIR/$X/ovs/db.sock' get interface uplink0 type error)
		echo \"\$out\"; [ \"\$out\" = \"afxdp
[]\" ]"
	check "ovs --ovs-afxdp: remote -> guest ping 192.0.2.2" ping_from "$X" r 192.0.2.2
	check "ovs --ovs-afxdp: guest -> remote ping 192.0.2.1" ping_from "$X" guest 192.0.2.1
	# The hop observer's packet socket on uplink0 sees no frame that AF_XDP takes
	# before the stack: the wire and host hops are not observed on this uplink.
	VNL_STREAM_HOPS=guest vnl_stream_both "$X" "ovs --ovs-afxdp"
	check "ovs --ovs-afxdp: lab down" "$VNL" lab down --name "$X"
	check "ovs --ovs-afxdp: nothing left" vnl_guest_lab_gone "$X"
else
	fail "ovs --ovs-afxdp: lab up"; sed 's/^/    /' "$TMP/up-$X" | tail -20
fi

# --dry-run: the recipe, run by bash in a clean environment, makes a working lab.
if "$VNL" lab up bridge --name "$D" --dry-run >"$TMP/recipe.sh" 2>"$TMP/recipe.err"; then
	ok "bridge --dry-run printed $(wc -l <"$TMP/recipe.sh") lines"
	grep -q "^ip netns exec $D-h qemu-system-x86_64 .*-netdev tap,id=net0,ifname=tap0" "$TMP/recipe.sh" ||
		fail "the recipe has no qemu line: $(cat "$TMP/recipe.sh")"
	[ ! -e "$STATE_DIR/$D.state" ] && [ ! -e "/run/netns/$D-r" ] || fail "--dry-run changed something"
	if env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -e "$TMP/recipe.sh" >"$TMP/recipe.out" 2>&1; then
		ok "the recipe ran"
		answered=0
		for _ in $(seq 60); do
			ip netns exec "$D-r" ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && { answered=1; break; }
		done
		[ $answered = 1 ] && ok "the hand-made guest got its lease and answers ping from $D-r" ||
			{ fail "the hand-made guest does not answer"; tail -5 "$GUEST_DIR/$D/console.log"; }
	else
		fail "the recipe failed"; sed 's/^/    /' "$TMP/recipe.out"
	fi
	# Clean by hand: processes in the namespaces, the namespaces, the run directory.
	for ns in "$D-r" "$D-h"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p"; done
	done
	sleep 1
	ip netns del "$D-r"; ip netns del "$D-h"; rm -rf "${GUEST_DIR:?}/$D"
	check "the hand-made lab is gone after cleaning by hand" vnl_guest_lab_gone "$D"
else
	fail "bridge --dry-run"; cat "$TMP/recipe.err"
fi

# kill -9 of `lab up` while the guest boots, then down.
"$VNL" lab up bridge --name "$K" >"$TMP/kill.out" 2>&1 &
up_pid=$!
VNL_BG+=("$up_pid")
for _ in $(seq 100); do
	[ -n "$(vnl_lab_pids "$K" | head -1)" ] && grep -q qemu "$STATE_DIR/$K.state" 2>/dev/null && break
	sleep 0.1
done
sleep 1
kill -9 "$up_pid"
wait "$up_pid" 2>/dev/null
[ -n "$(vnl_lab_pids "$K")" ] && ok "kill -9 of lab up mid-boot left qemu/dnsmasq running" ||
	fail "nothing was running when lab up was killed (test timing)"
check "lab down after kill -9" "$VNL" lab down --name "$K"
check "nothing left after kill -9 + down" vnl_guest_lab_gone "$K"

# passthrough: no IOMMU here, so a clear refusal and nothing made.
"$VNL" lab up passthrough --name "$P" --pci 0000:00:01.0 >"$TMP/pt.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "IOMMU" "$TMP/pt.out" && grep -q "intel_iommu=on" "$TMP/pt.out"; then
	ok "passthrough refuses (exit 1): $(head -c 140 "$TMP/pt.out")..."
else
	fail "passthrough: exit $rc, $(cat "$TMP/pt.out")"
fi
check "passthrough made nothing" vnl_guest_lab_gone "$P"

# A guest that cannot boot (too little memory: the kernel panics) -> its console tail.
"$VNL" lab up bridge --name "$F" --guest-mem 80 --accel tcg >"$TMP/bad.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "last console lines" "$TMP/bad.out" && grep -q "Kernel\|panic\|\[ *[0-9.]*\]" "$TMP/bad.out"; then
	ok "a guest that does not boot: exit 1 with its console tail"
else
	fail "failing boot: exit $rc"; sed 's/^/    /' "$TMP/bad.out" | tail -20
fi
check "the failed lab was removed again" vnl_guest_lab_gone "$F"

vnl_finish
