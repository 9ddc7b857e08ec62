#!/bin/bash
# Shared helpers for the integration scripts (sourced, never run).
# Each script: VNL=$1 (the binary), a lab name unique to it, vnl_lab_up, then
# checks with vnl_check / vnl_json_check (or ok / fail / check); vnl_finish
# prints the verdict. Cleanup (background processes, the labs, temp files)
# runs on every exit.

VNL_TMP=$(mktemp -d)
VNL_LABS=()       # veth labs (nodes LAB-a, LAB-b)
VNL_GUEST_LABS=() # labs with a guest (nodes LAB-r, LAB-h, a run directory): vnl_guest_lab_remove
VNL_BG=()
vnl_failed=0
VNL_STATE_DIR=/run/vnetlat/labs
VNL_GUEST_DIR=/run/vnetlat/guest
VNL_PIN_ROOT=/sys/fs/bpf/vnetlat

# vnl_keep_logs RC DIR...: after a failure (RC != 0), copy DIR... (the test's temp
# files, a study's directory) and the guest consoles of its labs to
# $VNL_TEST_LOGS/<test> (default /tmp/vnetlat-test-logs), and say where.
vnl_keep_logs() {
	local rc=$1 d lab to; shift
	[ "$rc" = 0 ] && return 0
	to=${VNL_TEST_LOGS:-/tmp/vnetlat-test-logs}/$(basename "$0" .sh)
	rm -rf "$to"; mkdir -p "$to"
	for d in "$@"; do [ -e "$d" ] && cp -a "$d" "$to/" 2>/dev/null; done
	for lab in "${VNL_GUEST_LABS[@]}"; do
		[ -e "$VNL_GUEST_DIR/$lab/console.log" ] && cp "$VNL_GUEST_DIR/$lab/console.log" "$to/console-$lab.log"
	done
	echo "logs of this failure kept in $to"
}

vnl_cleanup() {
	local rc=$? p lab ns
	[ "${VNL_LOGS_KEPT:-}" ] || vnl_keep_logs "$rc" "$VNL_TMP"
	# TERM first: vnetlat ends cleanly on it; KILL whatever is left.
	for p in "${VNL_BG[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${VNL_BG[@]}"; do vnl_wait_pid "$p" 2 >/dev/null 2>&1; done
	for lab in "${VNL_LABS[@]}"; do
		"$VNL" lab down --name "$lab" >/dev/null 2>&1
		# Only our own unique names, also those made by hand from --dry-run.
		for ns in "$lab-a" "$lab-b"; do
			[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
		done
		rm -f "$VNL_STATE_DIR/$lab.state" "$VNL_STATE_DIR/$lab.info" "$VNL_STATE_DIR/$lab.tmp"
	done
	for lab in "${VNL_GUEST_LABS[@]}"; do vnl_guest_lab_remove "$lab"; done
	[ ${#VNL_GUEST_LABS[@]} = 0 ] || rmdir "$VNL_PIN_ROOT" 2>/dev/null
	rm -rf "$VNL_TMP"
}
trap vnl_cleanup EXIT
trap 'exit 130' INT TERM

vnl_skip_unless_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
}

# vnl_lab_up NAME: two namespaces NAME-a (192.0.2.1, 2001:db8::1) and
# NAME-b (192.0.2.2, 2001:db8::2) joined by a veth pair, both ends wire0.
vnl_lab_up() {
	VNL_LABS+=("$1")
	"$VNL" lab down --name "$1" >/dev/null 2>&1
	if ! "$VNL" lab up veth --name "$1" >"$VNL_TMP/lab-$1.log" 2>&1; then
		echo "FAIL: lab up veth --name $1"; cat "$VNL_TMP/lab-$1.log"
		exit 1
	fi
	# Resolve neighbours (ARP, IPv6 ND) before measuring: a probe queued
	# behind a neighbour lookup of a fresh link is late by up to a second.
	local addr
	for addr in 192.0.2.2 2001:db8::2; do
		ip netns exec "$1-a" ping -q -c 1 -W 3 "$addr" >/dev/null 2>&1 ||
			echo "note: ping $addr from $1-a failed"
	done
	for addr in 192.0.2.1 2001:db8::1; do
		ip netns exec "$1-b" ping -q -c 1 -W 3 "$addr" >/dev/null 2>&1 ||
			echo "note: ping $addr from $1-b failed"
	done
}

# vnl_skip_unless_guest_lab: a lab with a guest needs root and the static vnetlat
# put into the guest image (next to $VNL, or $VNL_GUEST_STATIC).
vnl_skip_unless_guest_lab() {
	vnl_skip_unless_root
	if [ ! -x "${VNL_GUEST_STATIC:-$(dirname "$VNL")/vnetlat-static}" ]; then
		echo "SKIP: no vnetlat-static next to $VNL (sanitizer builds cannot link it statically)"
		exit 77
	fi
}

# vnl_need PROG...: each program is installed, or the test fails (exit 1).
vnl_need() {
	local prog
	for prog in "$@"; do
		command -v "$prog" >/dev/null ||
			{ echo "FAIL: $prog is not installed (scripts/deps.sh VNL_RUN_PKGS)"; exit 1; }
	done
}

# vnl_lab_pids LAB: processes naming the lab's run directory (qemu, dnsmasq, ovs), zombies aside.
vnl_lab_pids() {
	ps -e -o pid=,stat=,args= | awk -v d="$VNL_GUEST_DIR/$1/" '$2 !~ /^Z/ && $3 != "awk" && index($0, d) { print $1 }'
}

# vnl_guest_lab_remove LAB: `lab down`, then whatever a failure, a kill -9 or a lab
# made by hand from --dry-run left, by this lab's own names only. A host interface
# lent with --uplink ($VNL_LENT_UPLINK) still in LAB-h is given back before LAB-h
# goes (a veth would go with it).
vnl_guest_lab_remove() {
	local lab=$1 ns p
	"$VNL" lab down --name "$lab" >/dev/null 2>&1
	for p in $(vnl_lab_pids "$lab"); do kill -9 "$p" 2>/dev/null; done
	for ns in "$lab-r" "$lab-h"; do
		[ -e "/run/netns/$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		[ "$ns" = "$lab-h" ] && [ -n "${VNL_LENT_UPLINK:-}" ] &&
			ip -n "$ns" link set uplink0 netns 1 name "$VNL_LENT_UPLINK" 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -e "$VNL_STATE_DIR/$lab.home" ] &&
		{ umount "$VNL_STATE_DIR/$lab.home" 2>/dev/null; rm -f "$VNL_STATE_DIR/$lab.home"; }
	rm -rf "${VNL_PIN_ROOT:?}/$lab" "${VNL_GUEST_DIR:?}/$lab"
	rm -f "$VNL_STATE_DIR/$lab.state" "$VNL_STATE_DIR/$lab.info" "$VNL_STATE_DIR/$lab.tmp"
}

# vnl_guest_lab_gone LAB: nothing of the lab is left (XDP pins, namespaces, run
# directory, state and info, processes), else says what and returns 1.
vnl_guest_lab_gone() {
	local lab=$1
	[ ! -e "$VNL_PIN_ROOT/$lab" ] || { echo "pins left: $(ls -A "$VNL_PIN_ROOT/$lab")"; return 1; }
	[ ! -e "/run/netns/$lab-r" ] && [ ! -e "/run/netns/$lab-h" ] || { echo "namespace left"; return 1; }
	[ ! -e "$VNL_GUEST_DIR/$lab" ] || { echo "run directory left: $(ls -A "$VNL_GUEST_DIR/$lab")"; return 1; }
	[ ! -e "$VNL_STATE_DIR/$lab.state" ] && [ ! -e "$VNL_STATE_DIR/$lab.info" ] || { echo "state/info left"; return 1; }
	[ -z "$(vnl_lab_pids "$lab")" ] ||
		{ echo "processes left:"; ps -o pid,args -p "$(vnl_lab_pids "$lab" | tr '\n' ',' | sed 's/,$//')"; return 1; }
	# Links lived in the lab's namespaces: none may have come back to this one.
	! ip -o link show | grep -qE ": (wire0|uplink0|tap0|macvtap0|br0|vlan0|vlanp0)[@:]" ||
		{ echo "a lab link is in the host namespace"; return 1; }
}

# Run programs in a node with `ip netns exec NS CMD` directly (it execs CMD):
# with `CMD &`, $! is then the program itself, so signals reach it.

# Labs of a study are named s + the study's pid (4 hex digits) + case + repetition.
vnl_study_lab_prefix() { printf 's%04x' $(($1 & 0xffff)); }

# vnl_study_labs_down PID...: kill these studies and take down every lab they left.
vnl_study_labs_down() {
	local p f
	for p in "$@"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	for p in "$@"; do
		for f in /run/vnetlat/labs/"$(vnl_study_lab_prefix "$p")"*.state; do
			[ -e "$f" ] && "$VNL" lab down --name "$(basename "$f" .state)" >/dev/null 2>&1
		done
	done
}

# vnl_mac NAMESPACE IF: the interface's MAC address.
vnl_mac() {
	ip -n "$1" -br link show "$2" | awk '{print $3}'
}

# vnl_wait_udp NAMESPACE PORT: wait (up to 5 s) until a UDP socket is bound to PORT.
vnl_wait_udp() {
	local i
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$1" ss -Hlun "sport = :$2" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	echo "FAIL: nothing bound UDP port $2 in $1 within 5 s"
	return 1
}

# vnl_wait_received STATUS_FILE [DIRECTION [SECONDS]]: wait until a live status
# file (recv/run --status-file) says probes arrived (in DIRECTION when given):
# a stream is known to flow, however slow the machine, instead of guessed by a sleep.
vnl_wait_received() {
	local f=$1 dir=${2:-} secs=${3:-30} i
	for i in $(seq $((secs * 10))); do
		python3 - "$f" "$dir" 2>/dev/null <<'PY' && return 0
import json, sys
d = json.loads(open(sys.argv[1]).read())
sys.exit(0 if d.get("received", 0) > 0 and (not sys.argv[2] or d.get("direction") == sys.argv[2]) else 1)
PY
		sleep 0.1
	done
	echo "FAIL: no probe arrived${dir:+ in direction $dir} within $secs s ($f: $(cat "$f" 2>/dev/null))"
	return 1
}

# vnl_wait_packet NAMESPACE ETHERTYPE(hex, e.g. 88b5): wait for a packet socket.
vnl_wait_packet() {
	local i
	for i in $(seq 50); do
		ip netns exec "$1" awk -v p="$2" 'NR > 1 && tolower($4) == p { f = 1 } END { exit !f }' \
			/proc/net/packet 2>/dev/null && return 0
		sleep 0.1
	done
	echo "FAIL: no packet socket for EtherType 0x$2 in $1 within 5 s"
	return 1
}

# vnl_wait_pid PID SECONDS: wait for a background process to end; its exit code.
vnl_wait_pid() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		# SIGINT first: an interrupted vnetlat still writes what it measured,
		# so the checks after this one show what it saw.
		echo "FAIL: process $1 still running after $2 s; interrupting it"
		kill -INT "$1" 2>/dev/null
		for i in $(seq 50); do
			kill -0 "$1" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$1" 2>/dev/null
		wait "$1"
		return 124
	fi
	wait "$1"
}

# vnl_check DESCRIPTION CMD...: run CMD, print PASS/FAIL.
vnl_check() {
	local what=$1; shift
	if "$@"; then
		echo "PASS: $what"
	else
		echo "FAIL: $what"
		vnl_failed=1
	fi
}

# ok WHAT, fail WHAT: a line of the verdict ("ok: ", "FAIL: "); a failure counts.
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; vnl_failed=1; }

# check DESCRIPTION CMD...: run CMD with its output kept in $VNL_TMP/out, shown
# (the last 25 lines) only when it fails; ok or fail.
check() {
	local what=$1; shift
	if "$@" >"$VNL_TMP/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/    /' "$VNL_TMP/out" | tail -25; fi
}

# vnl_json_check FILE DESCRIPTION PYTHON-EXPRESSION: d is the parsed document.
vnl_json_check() {
	local file=$1 what=$2 expr=$3 out
	if out=$(python3 - "$file" "$expr" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"d": d})
if not ok:
    print("expression false", end="")
    sys.exit(1)
PY
); then
		echo "PASS: $what"
	else
		echo "FAIL: $what ($expr: $out)"
		vnl_failed=1
	fi
}

# vnl_json_get FILE PYTHON-EXPRESSION: print a value from a JSON document.
vnl_json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# vnl_check_stream_json FILE N: the receiver report of a clean N-probe stream.
vnl_check_stream_json() {
	local f=$1 n=$2 st
	vnl_json_check "$f" "schema: run/packets/latency/ipdv/stamps/worst present" \
		"all(k in d for k in ('run','packets','latency','ipdv','stamps','worst'))"
	vnl_json_check "$f" "packets fields present" \
		"all(k in d['packets'] for k in ('sent','received','lost','reordered','duplicated','late','foreign','malformed'))"
	vnl_json_check "$f" "sent $n, received $n, lost 0" \
		"d['packets']['sent'] == $n and d['packets']['received'] == $n and d['packets']['lost'] == 0"
	vnl_json_check "$f" "no duplicates, foreign or malformed; every follow-up arrived" \
		"d['packets']['duplicated'] == 0 and d['packets']['foreign'] == 0 and d['packets']['malformed'] == 0 and d['packets']['no_tx_stamps'] == 0"
	for st in wakeup tx_stack path rx_stack one_way; do
		vnl_json_check "$f" "stage $st: count $n, all summary fields" \
			"d['latency']['$st']['count'] == $n and all(d['latency']['$st'][k] is not None for k in ('min_ns','mean_ns','stddev_ns','p50_ns','p90_ns','p99_ns','p999_ns','p9999_ns','max_ns'))"
	done
	vnl_json_check "$f" "causal order in aggregate: min of wakeup, tx_stack, path, rx_stack >= 0" \
		"all(d['latency'][s]['min_ns'] >= 0 for s in ('wakeup','tx_stack','path','rx_stack'))"
	vnl_json_check "$f" "stages add up: one_way p50 >= path p50" \
		"d['latency']['one_way']['p50_ns'] >= d['latency']['path']['p50_ns']"
	vnl_json_check "$f" "same host: clock_sync is same-host" "d['run']['clock_sync'] == 'same-host'"
}

# vnl_accounting_py FILE [SENT]: vnetlat's own accounting of one receiver report
# (speed-free: it holds however late a TCG guest's sender was): received + lost
# = sent (= SENT when the stream was driven by --count), no duplicate/malformed,
# every stage counted for every received probe (tx_stack and path for those
# whose TX stamps came). Prints what it saw; exit 1 with what it expected.
vnl_accounting_py() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = int(sys.argv[2]) if len(sys.argv) > 2 else None
p, lat = d["packets"], d["latency"]
bad = []
if want is not None and p["sent"] != want:
    bad.append(f"sent {p['sent']}, expected {want} (--count)")
if p["received"] + p["lost"] != p["sent"]:
    bad.append(f"received {p['received']} + lost {p['lost']} != sent {p['sent']}")
if p["received"] == 0:
    bad.append("nothing received")
if p["duplicated"] or p["malformed"]:
    bad.append(f"duplicated {p['duplicated']}, malformed {p['malformed']}, expected 0")
stamped = p["received"] - p["no_tx_stamps"]
for st in ("wakeup", "rx_stack", "one_way", "tx_stack", "path"):
    n = stamped if st in ("tx_stack", "path") else p["received"]
    if lat[st]["count"] != n:
        bad.append(f"stage {st}: count {lat[st]['count']}, expected {n}")
print(f"sent {p['sent']} = received {p['received']} + lost {p['lost']}; "
      f"no_tx_stamps {p['no_tx_stamps']}; stage counts "
      + " ".join(f"{st}={lat[st]['count']}" for st in ("wakeup", "tx_stack", "path", "rx_stack", "one_way")))
if bad:
    print("expected: " + "; ".join(bad))
    sys.exit(1)
PY
}

# vnl_check_causal_csv CSV: every packet's stamps in causal order (software clock).
vnl_check_causal_csv() {
	local out
	if out=$(python3 - "$1" 2>&1 <<'PY'
import csv, sys
bad = n = 0
for row in csv.DictReader(open(sys.argv[1])):
    n += 1
    v = lambda k: int(row[k]) if row[k] else None
    chain = [v(k) for k in ('sched', 'app_tx_sched', 'tx_sched', 'tx_sw', 'rx_sw', 'app_rx')]
    chain = [x for x in chain if x is not None]
    if len(chain) != 6 or v('app_tx') is None or any(a > b for a, b in zip(chain, chain[1:])):
        bad += 1
        if bad <= 3:
            print("out of order or incomplete:", dict(row))
print(f"{n} packets, {bad} bad", end="")
sys.exit(1 if bad or not n else 0)
PY
); then
		echo "PASS: per packet sched <= app_tx <= tx_sched <= tx_sw <= rx_sw <= app_rx ($out)"
	else
		echo "FAIL: causal order per packet: $out"
		vnl_failed=1
	fi
}

vnl_finish() {
	if [ "$vnl_failed" = 0 ]; then
		echo "OK: all checks passed"
		exit 0
	fi
	echo "FAILED: see FAIL lines above"
	exit 1
}

# vnl_udp_csum_errors NODE LAB: UdpInCsumErrors + Udp6InCsumErrors at a lab node (r, guest).
vnl_udp_csum_errors() {
	"$VNL" lab exec "$1" --name "$2" -- cat /proc/net/snmp /proc/net/snmp6 | awk '
		/^Udp: / { if (!n) { for (i = 2; i <= NF; i++) if ($i == "InCsumErrors") c = i; n = 1 }
			   else v += $c }
		/^Udp6InCsumErrors/ { v += $2 }
		END { print v + 0 }'
}

# vnl_stream_both LAB WHAT [RUN-OPTIONS...]: run --direction both with 300 probes
# through the lab's back-end: none lost, every stage and host hop present for
# every probe, and the receivers' UDP checksum-error counters unchanged.
# VNL_STREAM_HOPS: the hops to check (default: all the run lists).
# vnl_run_accounting RUN_JSON N [HOP... | all]: vnetlat's own accounting of each
# direction of a `run --count N --json`, whatever the machine's speed: sent N,
# received + lost = sent, at least half received (a path that works; a starved
# TCG guest may lose a few), every stage for every received probe (tx_stack
# and path for those with TX stamps), each hop for the received ones it could
# stamp. Prints one line per direction.
vnl_run_accounting() {
	python3 - "$@" <<'PY'
import json, sys
doc, n, hops = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3:] or ["all"]
bad = []
for d, r in doc["directions"].items():
    p, lat = r["packets"], r["latency"]
    rcv, stamped = p["received"], p["received"] - p["no_tx_stamps"]
    if p["sent"] != n: bad.append(f"{d}: sent {p['sent']}, expected {n}")
    if rcv + p["lost"] != p["sent"]: bad.append(f"{d}: received {rcv} + lost {p['lost']} != sent {p['sent']}")
    if 2 * rcv < n: bad.append(f"{d}: received {rcv} of {n}: the path does not work")
    if p["duplicated"] or p["malformed"]: bad.append(f"{d}: duplicated {p['duplicated']} malformed {p['malformed']}")
    for st in ("wakeup", "rx_stack", "one_way", "tx_stack", "path"):
        want = stamped if st in ("tx_stack", "path") else rcv
        if lat[st]["count"] != want: bad.append(f"{d}: stage {st} count {lat[st]['count']}, expected {want}")
    hd = r.get("hops") or {}
    if hops == ["all"]:  # every hop the lab has (none where the note says why not)
        names = hd.get("order") or [] if hd.get("note") is None else []
    else:
        names = [] if hops == ["none"] else hops
    if any(hd.get(h) is None for h in names): bad.append(f"{d}: hops missing: {hd}"); names = []
    for h in names:
        c = r["hops"][h]["count"]
        if not stamped <= c <= rcv: bad.append(f"{d}: hop {h} count {c}, expected {stamped}..{rcv}")
    print(f"    {d}: sent {p['sent']} = received {rcv} + lost {p['lost']}, no_tx_stamps {p['no_tx_stamps']}")
if bad:
    print("    expected: " + "; ".join(bad))
    sys.exit(1)
PY
}

vnl_stream_both() {
	local lab=$1 what=$2 r0 g0 r1 g1; shift 2
	r0=$(vnl_udp_csum_errors r "$lab") g0=$(vnl_udp_csum_errors guest "$lab")
	if ! "$VNL" run "$lab" --direction both --count 300 --json "$@" \
		>"$VNL_TMP/stream-$lab.json" 2>"$VNL_TMP/stream-$lab.err"; then
		fail "$what: run --direction both --count 300 exited non-zero"
		sed 's/^/    /' "$VNL_TMP/stream-$lab.err" | tail -15
		return
	fi
	r1=$(vnl_udp_csum_errors r "$lab") g1=$(vnl_udp_csum_errors guest "$lab")
	if vnl_run_accounting "$VNL_TMP/stream-$lab.json" 300 ${VNL_STREAM_HOPS-all}; then
		ok "$what: 300 probes each way through the back-end, every one accounted for, every stage and hop of each received"
	else
		fail "$what: the stream's accounting (saw $VNL_TMP/stream-$lab.json above)"
	fi
	[ "$r0" = "$r1" ] && [ "$g0" = "$g1" ] && ok "$what: no UDP checksum error at either receiver" ||
		fail "$what: UDP checksum errors rose: remote $r0 -> $r1, guest $g0 -> $g1"
}
