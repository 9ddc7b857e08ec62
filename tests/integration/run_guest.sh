#!/bin/bash
# vnetlat run into and out of a real VM guest under TCG. The lab is built here by hand
# (remote namespace --veth--> host namespace with a Linux bridge and the guest's tap),
# described by a lab info file as `lab up` writes one. Checks both directions: every probe accounted for,
# every stage and hop present, causal order after the guest clock correction within the
# reported uncertainty, the offset's uncertainty reported (JSON and text); ptp_kvm cannot work
# under TCG, so the control-channel exchanges are chosen and the reason (the guest's failed
# ptp_kvm load, recorded by its /init) is reported.
set -euo pipefail
VNL=${1:?usage: run_guest.sh /path/to/vnetlat}
P=$(( $$ % 100000 )); LAB=r3$P; R=$LAB-r H=$LAB-h G=${LAB}g TAP=${LAB}t N=300
INFO=/run/vnetlat/labs/$LAB.info
OUT=$(mktemp -d /tmp/vnl-r3.XXXXXX)
# run's temporary directories go here (TMPDIR), so that the check at the end sees only this test's
export TMPDIR=$OUT/tmp; mkdir "$TMPDIR"

remove_lab() {
	"$VNL" guest stop --name "$G" >/dev/null 2>&1 || true
	ip netns del "$R" 2>/dev/null || true
	ip netns del "$H" 2>/dev/null || true
	rm -rf "$INFO" "/run/vnetlat/guest/$G"
}
cleanup() {
	remove_lab
	rm -rf "$OUT"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	[ -f "/run/vnetlat/guest/$G/console.log" ] && tail -20 "/run/vnetlat/guest/$G/console.log" >&2
	exit 1
}
check() { echo "ok: $*"; }

if [ ! -x "${VNL_GUEST_STATIC:-$(dirname "$VNL")/vnetlat-static}" ]; then
	echo "SKIP: no vnetlat-static next to $VNL and no VNL_GUEST_STATIC (sanitizer builds cannot link statically)"
	exit 77
fi
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is not installed"
remove_lab # a previous run killed halfway

"$VNL" guest build >/dev/null || fail "guest build"
ip netns add "$R"
ip netns add "$H"
ip -n "$R" link set lo up
ip -n "$H" link set lo up
ip -n "$R" link add wire0 type veth peer name up0 netns "$H"
ip -n "$R" link set wire0 address 02:00:00:00:03:01
ip -n "$R" addr add 198.51.100.1/24 dev wire0
ip -n "$R" link set wire0 up
ip -n "$H" link add br0 type bridge
ip -n "$H" tuntap add dev "$TAP" mode tap
ip -n "$H" link set up0 master br0
ip -n "$H" link set "$TAP" master br0
for l in up0 "$TAP" br0; do ip -n "$H" link set "$l" up; done
"$VNL" guest boot --name "$G" --accel tcg --netns "$H" --tap "$TAP" --mac 52:54:00:00:03:02 \
	--ip 198.51.100.2/24 --detach --timeout 120s >"$OUT/boot" || fail "guest boot"
VHOST=$(sed -n 's/.*vhost \(on\|off\).*/\1/p' "$OUT/boot")
mkdir -p /run/vnetlat/labs
cat >"$INFO" <<JSON
{"vnetlat_lab_info": 1, "name": "$LAB", "topology": "bridge",
 "remote": {"netns": "$R", "ifname": "wire0", "mac": "02:00:00:00:03:01", "addr4": "198.51.100.1", "addr6": ""},
 "local": {"netns": "", "ifname": "eth0", "mac": "52:54:00:00:03:02", "addr4": "198.51.100.2", "addr6": ""},
 "host_netns": "$H", "uplink_if": "up0", "backend_if": "$TAP", "has_guest": true,
 "agent_path": "/run/vnetlat/guest/$G/agent.sock", "console_log": "/run/vnetlat/guest/$G/console.log",
 "accel": "tcg", "vhost": "$VHOST"}
JSON
check "hand-made bridge lab with a TCG guest (vhost $VHOST)"

"$VNL" run "$LAB" --count $N --interval 1ms --json >"$OUT/run.json" || fail "run exited $?"
python3 - "$OUT/run.json" $N <<'PY' || fail "report content"
import json, sys
doc = json.load(open(sys.argv[1])); n = int(sys.argv[2])
assert doc["lab"]["accel"] == "tcg" and doc["lab"]["has_guest"], doc["lab"]
for d in ("in", "out"):
    r = doc["directions"][d]
    p = r["packets"]
    # --count's n probes, all accounted for; how many a TCG guest on a busy host drops
    # is the machine's, not vnetlat's
    assert p["sent"] == n and p["received"] > 0 and p["received"] + p["lost"] == n, (d, p)
    assert p["duplicated"] == 0 and p["malformed"] == 0, (d, p)
    m = p["received"]
    c = r["clock"]
    unc = c["uncertainty_ns"]
    assert c["sync"] == "estimated" and c["samples"] > 0 and c["chosen"] > 0, c
    assert c["method"] == "agent" and c["phc"] is None, c
    assert c["why"].startswith("ptp_kvm: no KVM clock in a TCG guest"), c["why"]
    assert "ptp_kvm did not load" in c["why"], c["why"]
    assert unc > 0, c   # its size is the agent round trip's: the machine's
    lat = r["latency"]
    for st in ("wakeup", "tx_stack", "path", "rx_stack", "one_way"):
        want = m - p["no_tx_stamps"] if st in ("tx_stack", "path") else m
        assert lat[st]["count"] == want, (d, st, lat[st]["count"], want)
    for st in ("wakeup", "tx_stack", "rx_stack"):   # one clock: exact
        assert lat[st]["min_ns"] >= 0 and lat[st]["uncertainty_ns"] == 0, (d, st)
    # the tap saw every probe: its causal bound narrows the estimate's own (issue 19)
    t = c["tap"]
    assert c["combined"] == "agent+tap" and t["applied"], c
    assert t["side"] == ("upper" if d == "in" else "lower") and t["probes"] > 0, t
    assert t["contradictions"] == 0, t
    assert 0 <= unc == t["uncertainty_ns"] <= c["exchange_uncertainty_ns"], c
    for st in ("path", "one_way"):                   # across the two clocks
        assert lat[st]["uncertainty_ns"] == unc, (d, st)
        assert lat[st]["min_ns"] >= 0, (d, st, lat[st]["min_ns"], unc)
    assert r["negative_minima"] == [], r["negative_minima"]
    h = r["hops"]
    assert h["note"] is None and h["order"] == (["wire", "host", "guest"] if d == "in"
                                                else ["guest", "host", "wire"]), h
    for hop in ("wire", "host", "guest"):
        assert h[hop]["count"] == lat["path"]["count"], (d, hop, h[hop]["count"], lat["path"]["count"])
    assert h["wire"]["min_ns"] >= 0 and h["host"]["min_ns"] >= 0, (d, h["wire"], h["host"])
    assert h["guest"]["min_ns"] >= 0 and h["guest"]["uncertainty_ns"] == unc, (d, h["guest"])
    # the hops add up to the path (same packets, each hop a difference of the same stamps)
    s = sum(h[x]["mean_ns"] for x in ("wire", "host", "guest"))
    assert abs(s - lat["path"]["mean_ns"]) < 1000, (d, s, lat["path"]["mean_ns"])
    us = lambda v: f"{v/1000:.1f}us"
    print(f"ok: {d}: {m}/{n} (lost {p['lost']}), stages and hops x {m}, causal within ±{us(unc)}; path p50 "
          f"{us(lat['path']['p50_ns'])} p99 {us(lat['path']['p99_ns'])}, one_way p50 "
          f"{us(lat['one_way']['p50_ns'])} p99 {us(lat['one_way']['p99_ns'])}; hops p50 wire "
          f"{us(h['wire']['p50_ns'])} host {us(h['host']['p50_ns'])} guest {us(h['guest']['p50_ns'])}; "
          f"offset {c['offset_ns']/1e6:.3f}ms from {c['samples']} exchanges, ±{us(c['exchange_uncertainty_ns'])} "
          f"narrowed by the tap to ±{us(unc)}")
PY

"$VNL" run "$LAB" --count 100 --direction in >"$OUT/run.txt" || fail "text run"
grep -q "^  one_way  p50 .* ± .* (guest clock corrected)" "$OUT/run.txt" \
	&& grep -q "^clock: guest clock estimated over the control channel" "$OUT/run.txt" \
	&& grep -q "^  guest  " "$OUT/run.txt" || fail "text report: $(tail -12 "$OUT/run.txt")"
check "text report gives one_way with its uncertainty and the hop table"
grep -q "^clock: back-end port as witness (upper bound, [0-9]* probes in [0-9]* windows of 1 s): ± " \
	"$OUT/run.txt" || fail "text report has no witness line: $(grep '^clock' "$OUT/run.txt")"
check "text report: $(grep '^clock: back-end port' "$OUT/run.txt")"

# An estimate made wrong on purpose, by far more than its own bound: the tap catches it.
err=$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["directions"]["in"]["clock"]
print("%dus" % (3 * c["exchange_uncertainty_ns"] // 1000 + 1000))' "$OUT/run.json")
VNETLAT_TEST_CLOCK_ERROR=$err "$VNL" run "$LAB" --count 100 --direction in --json >"$OUT/wrong.json" \
	2>"$OUT/wrong.err" || fail "run with a wrong estimate exited $?: $(cat "$OUT/wrong.err")"
python3 - "$OUT/wrong.json" <<'PY' || fail "the wrong estimate was not caught"
import json, sys
r = json.load(open(sys.argv[1]))["directions"]["in"]
t = r["clock"]["tap"]
assert t["applied"] and t["contradictions"] == t["windows"] >= 1, t
assert t["worst_excess_ns"] > 0, t
assert r["hops"]["guest"]["min_ns"] == 0, r["hops"]["guest"]   # moved to the causal edge
print(f"ok: an estimate wrong on purpose: {t['contradictions']} of {t['windows']} windows "
      f"contradict it, by up to {t['worst_excess_ns']/1000:.1f}us beyond its bound")
PY
grep -q "the guest clock estimate is made wrong by $err on purpose" "$OUT/wrong.err" \
	|| fail "no notice of the deliberate error: $(cat "$OUT/wrong.err")"
VNETLAT_TEST_CLOCK_ERROR=$err "$VNL" run "$LAB" --count 50 --direction in 2>/dev/null >"$OUT/wrong.txt" \
	|| fail "text run with a wrong estimate"
grep -q "^clock: CONTRADICTION: in [0-9]* of [0-9]* windows the port shows the estimate wrong by up to" \
	"$OUT/wrong.txt" || fail "text does not say CONTRADICTION: $(grep '^clock' "$OUT/wrong.txt")"
check "text: $(grep '^clock: CONTRADICTION' "$OUT/wrong.txt" | cut -c1-100)..."
rc=0; VNETLAT_TEST_CLOCK_ERROR=soon "$VNL" run "$LAB" --count 5 2>"$OUT/bad.err" >/dev/null || rc=$?
[ $rc = 2 ] && grep -q "VNETLAT_TEST_CLOCK_ERROR" "$OUT/bad.err" || fail "bad VNETLAT_TEST_CLOCK_ERROR: rc $rc"
check "VNETLAT_TEST_CLOCK_ERROR=soon refused (exit 2)"
# real-time settings reach the guest's program too, and each end says what it got (issue 14)
"$VNL" run "$LAB" --count 50 --direction in --sched-fifo 40 --cpu 0 --remote-cpu 1 --mlock \
	--json >"$OUT/rt.json" || fail "run with RT settings exited $?"
python3 - "$OUT/rt.json" <<'PY' || fail "rt read back through the guest"
import json, sys
rt = json.load(open(sys.argv[1]))["directions"]["in"]["rt"]
s, r = rt["sender"], rt["receiver"]
assert s["policy"] == "fifo" and s["priority"] == 40 and s["cpus"] == "1" and s["mlock"], s
assert r["policy"] == "fifo" and r["priority"] == 40 and r["cpus"] == "0" and r["mlock"], r
print(f"ok: host sender {s['policy']} {s['priority']} on CPU {s['cpus']}, guest receiver "
      f"{r['policy']} {r['priority']} on CPU {r['cpus']}, both memory locked")
PY
rc=0; "$VNL" run "$LAB" --count 5 --cpu 3 --remote-cpu 0 2>"$OUT/cpu.err" >/dev/null || rc=$?
[ $rc = 2 ] && grep -q "the guest has CPUs 0\.\.0" "$OUT/cpu.err" \
	|| fail "--cpu 3 in a 1-CPU guest: rc $rc $(cat "$OUT/cpu.err")"
check "a CPU the guest lacks is refused before running: $(cat "$OUT/cpu.err")"
grep -q "^clock method: agent: ptp_kvm: no KVM clock in a TCG guest (guest: .*ptp_kvm did not load" \
	"$OUT/run.txt" || fail "text report has no clock method line: $(grep -i clock "$OUT/run.txt")"
check "text report: $(grep '^clock method:' "$OUT/run.txt")"
# the failed module load is recorded in the guest, not fatal: the guest booted and measured
"$VNL" guest exec --name "$G" -- cat /run/vnetlat/modules.failed >"$OUT/modfail" \
	|| fail "no module failure record in the guest"
grep -q "^ptp_kvm: insmod: " "$OUT/modfail" || fail "ptp_kvm not in the record: $(cat "$OUT/modfail")"
grep -q "vnetlat-init: module ptp_kvm not loaded: insmod: " "/run/vnetlat/guest/$G/console.log" \
	|| fail "console does not say ptp_kvm did not load"
check "ptp_kvm load failure recorded in the guest: $(cat "$OUT/modfail")"
# run's temporary directories are gone, the guest's raw records with them
left=$(find "$TMPDIR" -maxdepth 1 -name 'vnetlat-run.*' 2>/dev/null | head -3)
[ -z "$left" ] || fail "run left its temporary directories: $left ($(ls $left | head -3))"
check "no temporary directory of run is left behind"
echo PASS
