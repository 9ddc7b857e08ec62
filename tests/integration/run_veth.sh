#!/bin/bash
# vnetlat run on a veth lab: both directions (in = a -> b, out = b -> a), zero loss, every
# stage present, stamps in causal order, hops reported as not applicable, clock same-host;
# the record files kept with --record; bad usage exits 2.
set -euo pipefail
VNL=${1:?usage: run_veth.sh /path/to/vnetlat}
P=$(( $$ % 100000 )); LAB=r1$P N=500
DIR=$(mktemp -d /tmp/vnl-r1.XXXXXX)

cleanup() {
	"$VNL" lab down --name "$LAB" >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "ok: $*"; }

"$VNL" lab down --name "$LAB" >/dev/null 2>&1 || true
"$VNL" lab up veth --name "$LAB" >/dev/null
"$VNL" run "$LAB" --count $N --interval 1ms --json --record "$DIR" >"$DIR/run.json" \
	|| fail "run exited $?"
check "run $LAB --direction both: $N probes each way"

python3 - "$DIR/run.json" $N "$LAB" <<'PY' || fail "report content"
import json, sys
doc = json.load(open(sys.argv[1])); n = int(sys.argv[2])
assert doc["lab"]["topology"] == "veth", doc["lab"]
for d in ("in", "out"):
    r = doc["directions"][d]
    assert r["direction"] == d
    p = r["packets"]
    assert p["sent"] == n and p["received"] == n and p["lost"] == 0, (d, p)
    for st in ("wakeup", "tx_stack", "path", "rx_stack", "one_way"):
        s = r["latency"][st]
        assert s["count"] == n, (d, st, s["count"])
        assert s["min_ns"] >= 0, (d, st, s["min_ns"])
        assert s["uncertainty_ns"] == 0, (d, st)
    assert r["clock"]["sync"] == "same-host" and r["clock"]["uncertainty_ns"] == 0, r["clock"]
    assert r["clock"]["method"] == "same-host" and r["clock"]["why"], r["clock"]
    t = r["clock"]["tap"]   # one clock: the back-end port has nothing to bound (issue 19)
    assert r["clock"]["combined"] == "same-host" and not t["applied"], r["clock"]
    assert t["why"] == "not applicable: both ends read the host's clock", t
    assert r["negative_minima"] == [], r["negative_minima"]
    h = r["hops"]
    assert "not applicable" in h["note"] and h["wire"] is None and h["host"] is None \
        and h["guest"] is None, h
    print(f"ok: {d}: {n}/{n} received, 5 stages x {n}, one_way p50 "
          f"{r['latency']['one_way']['p50_ns']/1000:.1f}us p99 "
          f"{r['latency']['one_way']['p99_ns']/1000:.1f}us, same-host clock, hops n/a")
lab = sys.argv[3]
assert doc["directions"]["in"]["run"]["local"].startswith(lab + "-b")
assert doc["directions"]["out"]["run"]["local"].startswith(lab + "-a")
print(f"ok: in is received on {lab}-b (local), out on {lab}-a (remote)")
PY

# causal order of every packet's stamps, from the kept record files
for d in in out; do
	[ -s "$DIR/$d.rec" ] || fail "no record file $DIR/$d.rec"
	"$VNL" report "$DIR/$d.rec" --csv | awk -F, -v d=$d '
		NR == 1 { next }
		{ n++; if (!($3 <= $5 && $5 <= $6 && $6 <= $7 && $7 <= $10 && $10 <= $11)) bad++ }
		END { if (n == 0 || bad) { printf "%s: %d of %d out of order\n", d, bad, n; exit 1 } }' \
		|| fail "stamps out of causal order ($d)"
done
check "stamps in causal order (sched <= app_tx <= tx_sched <= tx_sw <= rx_sw <= app_rx), both directions"

# text report: both directions and the hops note
"$VNL" run "$LAB" --count 50 --direction out >"$DIR/run.txt" || fail "text run"
grep -q "^==== out: local $LAB-b" "$DIR/run.txt" && ! grep -q "^==== in" "$DIR/run.txt" \
	&& grep -q "^hops: not applicable" "$DIR/run.txt" || fail "text report: $(head -3 "$DIR/run.txt")"
check "--direction out alone; text report says hops are not applicable on veth"

# real-time settings applied to both ends and read back from each (issue 14)
"$VNL" run "$LAB" --count 100 --sched-fifo 50 --cpu 1 --remote-cpu 0 --mlock --deadline 5ms \
	--json >"$DIR/rt.json" 2>"$DIR/rt.err" || fail "run with --sched-fifo/--cpu/--mlock exited $?"
python3 - "$DIR/rt.json" "$DIR/rt.err" <<'PY' || fail "rt read back"
import json, sys
doc = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read()
for d, local_is in (("in", "receiver"), ("out", "sender")):
    r = doc["directions"][d]
    for who in ("sender", "receiver"):
        a = r["rt"][who]
        cpus = "1" if who == local_is else "0"
        assert a["policy"] == "fifo" and a["priority"] == 50 and a["cpus"] == cpus, (d, who, a)
        # an ASan build's mlockall does nothing: then run must say so, not stay silent
        assert a["mlock"] or f"{d}: --mlock asked, the {who}'s memory is not locked" in err, \
            (d, who, a, err)
    assert r["run"]["deadline_ns"] == 5000000 and r["packets"]["late"] is not None, \
        r["packets"]
print("ok: both directions: each end read back fifo 50, its own CPU, memory locked; "
      "deadline 5ms applied")
PY
"$VNL" run "$LAB" --count 20 --direction in >"$DIR/plain.txt" || fail "plain run"
grep -q "^rt (as each end read it back): sender: other, CPUs .*; receiver: other" \
	"$DIR/plain.txt" || fail "plain rt line: $(grep '^rt' "$DIR/plain.txt")"
check "without RT options each end says it ran as SCHED_OTHER"
rc=0; "$VNL" run "$LAB" --cpu 4095 2>"$DIR/err" || rc=$?
[ $rc = 2 ] && grep -q "this machine has CPUs 0\.\." "$DIR/err" || fail "--cpu 4095: rc $rc $(cat "$DIR/err")"
rc=0; "$VNL" run "$LAB" --sched-fifo 100 2>"$DIR/err" || rc=$?
[ $rc = 2 ] && grep -q "sched-fifo" "$DIR/err" || fail "--sched-fifo 100: rc $rc"
check "a CPU this machine lacks and a priority out of range are refused before running, exit 2"

rc=0; "$VNL" run "$LAB" --direction sideways 2>"$DIR/err" || rc=$?
[ $rc = 2 ] && grep -q "direction" "$DIR/err" || fail "bad --direction: rc $rc"
rc=0; "$VNL" run nosuchlab 2>"$DIR/err" || rc=$?
[ $rc = 2 ] && grep -q "no lab nosuchlab" "$DIR/err" || fail "missing lab: rc $rc $(cat "$DIR/err")"
rc=0; "$VNL" run "$LAB" --count 5 --duration 1s 2>"$DIR/err" || rc=$?
[ $rc = 2 ] || fail "--count with --duration: rc $rc"
check "bad direction, unknown lab, --count with --duration: one message, exit 2"
echo PASS
