#!/bin/bash
# vnetlat report on a synthetic record (bench/mkrecord): the text report, --json
# against doc/json-schema.json, --histogram (CSV, hdr, JSON), --metrics parsed
# by prometheus_client, --from/--to windows, --deadline, --csv rows,
# the clock caveat, a truncated file (report + exit 1) and bad usage (exit 2).
# Needs no root and no network: it only reads files it writes in a temp dir.
set -euo pipefail
VNETLAT=${1:?usage: report_window.sh /path/to/vnetlat}
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MKRECORD=${VNL_MKRECORD:-$(dirname "$VNETLAT")/../bench/mkrecord}
SCHEMA=$SRC/doc/json-schema.json

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$MKRECORD" ] || fail "$MKRECORD is not built (ninja -C BUILDDIR bench/mkrecord)"

# py EXPR FILE...: evaluate a python expression with j = the JSON documents.
py() { local e=$1; shift; python3 -c 'import json,sys; j=[json.load(open(f)) for f in sys.argv[2:]]; print(eval(sys.argv[1]))' "$e" "$@"; }

# doc/json-schema.json's subset of JSON Schema, checked with python3 alone (shared checker).
schema_ok() { python3 "$(dirname "$0")/json_schema_check.py" "$SCHEMA" "$1" || fail "$1 does not match $SCHEMA"; }

# A 20 s run at 1 kHz, 1% random loss, a few foreign/malformed datagrams.
BASE=1700000000000000000
N=20000
"$MKRECORD" --base $BASE --seed 7 --loss 0.01 --foreign 3 --malformed 2 "$TMP/run.vnlrec" $N
ok "mkrecord wrote $N scheduled packets ($(stat -c %s "$TMP/run.vnlrec") bytes)"

# --- the whole run, as text
"$VNETLAT" report "$TMP/run.vnlrec" >"$TMP/whole.txt" || fail "report of a whole file exited $?"
for word in "latency (us)" wakeup tx_stack path rx_stack one_way ipdv "worst packets" \
	"stamps" "CLOCK_REALTIME" "schedule clock (realtime)" "same-host" "lost"; do
	grep -qF -- "$word" "$TMP/whole.txt" || fail "text report lacks '$word'"
done
grep -q caveat "$TMP/whole.txt" && fail "same-host record must not carry the clock caveat"
ok "text report has every stage, ipdv, worst packets, stamp clocks"

# --- the whole run, as JSON, against the schema
"$VNETLAT" report "$TMP/run.vnlrec" --json >"$TMP/whole.json"
schema_ok "$TMP/whole.json"
ok "--json matches doc/json-schema.json"
[ "$(py 'j[0]["packets"]["sent"]' "$TMP/whole.json")" = $N ] || fail "sent is not $N"
recv=$(py 'j[0]["packets"]["received"]' "$TMP/whole.json")
lost=$(py 'j[0]["packets"]["lost"]' "$TMP/whole.json")
[ $((recv + lost)) = $N ] || fail "received $recv + lost $lost != sent $N"
[ "$lost" -gt 100 ] && [ "$lost" -lt 300 ] || fail "1% loss of $N should lose ~200, not $lost"
[ "$(py '(j[0]["packets"]["foreign"], j[0]["packets"]["malformed"])' "$TMP/whole.json")" = "(3, 2)" ] \
	|| fail "foreign/malformed from the trailer are not 3/2"
[ "$(py 'all(s["count"] == '"$recv"' for s in j[0]["latency"].values())' "$TMP/whole.json")" = True ] \
	|| fail "every stage should have $recv values"
[ "$(py '(j[0]["run"]["window"], j[0]["run"]["damage"], j[0]["run"]["role"])' "$TMP/whole.json")" \
	= "(None, None, 'report')" ] || fail "whole run: window/damage should be null"
[ "$(py 'len(j[0]["worst"])' "$TMP/whole.json")" = 10 ] || fail "10 worst packets by default"
py 'all(a["one_way_ns"] >= b["one_way_ns"] for a, b in zip(j[0]["worst"], j[0]["worst"][1:]))' \
	"$TMP/whole.json" | grep -q True || fail "worst packets are not worst first"
ok "JSON: sent $N = received $recv + lost $lost, trailer counts, all stages, worst first"

# --- CSV: one row per received packet, the documented header
"$VNETLAT" report "$TMP/run.vnlrec" --csv >"$TMP/whole.csv"
head -1 "$TMP/whole.csv" | grep -qx 'seq,flags,sched,app_tx_sched,app_tx,tx_sched,tx_sw,tx_hw,rx_hw,rx_sw,app_rx,wakeup,tx_stack,path,rx_stack,one_way' \
	|| fail "CSV header differs from the documented one"
rows=$(($(wc -l <"$TMP/whole.csv") - 1))
[ "$rows" = "$recv" ] || fail "CSV has $rows rows, JSON says $recv received"
# the CSV's one_way column agrees with the JSON max and the hardware columns are empty
python3 - "$TMP/whole.csv" "$TMP/whole.json" <<'EOF' || fail "CSV values disagree with JSON"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
ow = [int(r["one_way"]) for r in rows]
assert max(ow) == d["latency"]["one_way"]["max_ns"], (max(ow), d["latency"]["one_way"]["max_ns"])
assert min(ow) == d["latency"]["one_way"]["min_ns"]
assert all(r["tx_hw"] == "" and r["rx_hw"] == "" for r in rows)
assert all(int(r["one_way"]) == int(r["app_rx"]) - int(r["app_tx"]) for r in rows)
EOF
ok "--csv: $rows rows, header as documented, values agree with JSON"

# --- --histogram: each stage's buckets as CSV, as HdrHistogram text, in the JSON
"$VNETLAT" report "$TMP/run.vnlrec" --histogram >"$TMP/hist.csv"
"$VNETLAT" report "$TMP/run.vnlrec" --histogram=csv | cmp -s - "$TMP/hist.csv" \
	|| fail "--histogram=csv differs from --histogram"
"$VNETLAT" report "$TMP/run.vnlrec" --histogram=hdr >"$TMP/hist.hgrm"
"$VNETLAT" report "$TMP/run.vnlrec" --histogram --json >"$TMP/hist.json"
schema_ok "$TMP/hist.json"
[ "$(py '[k for s in j[0]["latency"].values() for k in s if k == "histogram"]' "$TMP/whole.json")" = "[]" ] \
	|| fail "the default JSON must not carry histograms"
python3 - "$TMP/hist.csv" "$TMP/hist.hgrm" "$TMP/hist.json" "$TMP/whole.json" "$TMP/whole.csv" <<'EOF2' \
	|| fail "histogram outputs disagree with the report"
import csv, json, re, sys
from collections import defaultdict
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["stage", "lo_ns", "hi_ns", "count"], rows[0]
d = json.load(open(sys.argv[4]))
stages = list(d["latency"])
recv = d["packets"]["received"]
by = defaultdict(list)
for st, lo, hi, n in rows[1:]:
    by[st].append((int(lo), int(hi), int(n)))
assert list(by) == stages, (list(by), stages)
packets = list(csv.DictReader(open(sys.argv[5])))
for st, b in by.items():
    assert sum(n for _, _, n in b) == recv == d["latency"][st]["count"], st
    assert all(lo <= hi and n > 0 for lo, hi, n in b), st
    assert all(p[1] < q[0] for p, q in zip(b, b[1:])), st + ": buckets not ascending/disjoint"
    # every packet's value lies in a bucket, and each bucket holds what it says
    vals = sorted(int(p[st]) for p in packets)
    i = 0
    for lo, hi, n in b:
        inside = [v for v in vals[i:i + n]]
        assert len(inside) == n and all(lo <= v <= hi for v in inside), (st, lo, hi, n)
        i += n
    assert b[0][0] <= d["latency"][st]["min_ns"] and b[-1][1] >= d["latency"][st]["max_ns"], st
# JSON histograms: the same buckets as the CSV
h = json.load(open(sys.argv[3]))
for st in stages:
    got = [(x["lo_ns"], x["hi_ns"], x["count"]) for x in h["latency"][st]["histogram"]]
    assert got == by[st], st
    assert sum(x[2] for x in got) == h["latency"][st]["count"], st
# hdr: per stage a block; the last TotalCount is the count, percentiles rise to 1
blocks = open(sys.argv[2]).read().split("# stage: ")[1:]
assert [b.split("\n", 1)[0] for b in blocks] == stages, "hdr stages"
for b in blocks:
    st, body = b.split("\n", 1)
    lines = body.splitlines()
    assert lines[0] == "       Value     Percentile TotalCount 1/(1-Percentile)", repr(lines[0])
    assert lines[1] == ""
    data = [l.split() for l in lines[2:] if l and not l.startswith("#")]
    assert len(data) > 10, st
    assert all(len(r) == 4 for r in data[:-1]) and len(data[-1]) == 3, st
    assert float(data[-1][1]) == 1.0 and int(data[-1][2]) == recv, (st, data[-1])
    pct = [float(r[1]) for r in data]
    cnt = [int(r[2]) for r in data]
    val = [float(r[0]) for r in data]
    assert pct == sorted(pct) and cnt == sorted(cnt) and val == sorted(val), st
    assert abs(val[-1] * 1000 - d["latency"][st]["max_ns"]) <= d["latency"][st]["max_ns"] / 100, st
    trailer = [l for l in lines if l.startswith("#[")]
    assert len(trailer) == 3, trailer
    m = re.match(r"#\[Mean    = +([0-9.]+), StdDeviation   = +([0-9.]+)\]$", trailer[0])
    assert m and abs(float(m.group(1)) * 1000 - d["latency"][st]["mean_ns"]) < 1, trailer[0]
    m = re.match(r"#\[Max     = +([0-9.]+), Total count    = +([0-9]+)\]$", trailer[1])
    assert m and int(m.group(2)) == recv, trailer[1]
    assert re.match(r"#\[Buckets = +57, SubBuckets     = +256\]$", trailer[2]), trailer[2]
EOF2
ok "--histogram: CSV buckets of every stage sum to received $recv and hold the packets; hdr ends at TotalCount $recv; JSON buckets agree"

# --- --metrics: Prometheus text, parsed by Debian's prometheus_client
PROMPY=/usr/bin/python3
"$PROMPY" -c 'import prometheus_client' 2>/dev/null \
	|| fail "python3-prometheus-client is missing (apt-get install python3-prometheus-client; scripts/deps.sh)"
"$VNETLAT" report "$TMP/run.vnlrec" --deadline 40us --json --metrics "$TMP/vnl.prom" >"$TMP/m.json"
[ -z "$(find "$TMP" -name 'vnl.prom.*')" ] || fail "--metrics left its temporary file"
"$PROMPY" - "$TMP/vnl.prom" "$TMP/m.json" <<'EOF2' || fail "metrics do not parse or disagree with the JSON"
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
d = json.load(open(sys.argv[2]))
fam = {f.name: f for f in text_string_to_metric_families(text)}
for key in ("sent", "received", "lost", "late"):
    f = fam["vnetlat_probes_%s" % key]
    assert f.type == "counter", f.type
    (s,) = f.samples
    assert s.name == "vnetlat_probes_%s_total" % key
    assert s.value == d["packets"][key], (key, s.value, d["packets"][key])
    assert s.labels == {"local": d["run"]["local"], "peer": d["run"]["peer"]}, s.labels
f = fam["vnetlat_latency_seconds"]
assert f.type == "summary"
for st, stats in d["latency"].items():
    ss = [s for s in f.samples if s.labels["stage"] == st]
    q = {s.labels["quantile"]: s.value for s in ss if s.name == "vnetlat_latency_seconds"}
    assert sorted(q) == ["0.5", "0.9", "0.99", "0.999", "1"], q
    assert round(q["0.5"] * 1e9) == stats["p50_ns"] and round(q["0.99"] * 1e9) == stats["p99_ns"], (st, q)
    assert round(q["1"] * 1e9) == stats["max_ns"], st
    (cnt,) = [s.value for s in ss if s.name == "vnetlat_latency_seconds_count"]
    (tot,) = [s.value for s in ss if s.name == "vnetlat_latency_seconds_sum"]
    assert cnt == stats["count"], (st, cnt)
    assert math.isclose(tot, stats["mean_ns"] * stats["count"] / 1e9, rel_tol=1e-6), (st, tot)
    assert all(s.labels["local"] == d["run"]["local"] for s in ss)
assert "# HELP vnetlat_latency_seconds " in text and "# TYPE vnetlat_probes_sent_total counter" in text
EOF2
# without a deadline there is no late counter; the file is replaced, not appended to
"$VNETLAT" report "$TMP/run.vnlrec" --metrics "$TMP/vnl.prom" >/dev/null
grep -q vnetlat_probes_late "$TMP/vnl.prom" && fail "vnetlat_probes_late_total without --deadline"
[ "$(grep -c '^# TYPE vnetlat_probes_sent_total' "$TMP/vnl.prom")" = 1 ] || fail "--metrics did not replace OUT"
rc=0
"$VNETLAT" report "$TMP/run.vnlrec" --metrics "$TMP/nodir/vnl.prom" >/dev/null 2>"$TMP/m.err" || rc=$?
[ $rc = 1 ] && grep -q "cannot write metrics to '$TMP/nodir/vnl.prom'" "$TMP/m.err" \
	|| fail "--metrics into a missing directory: exit $rc, $(cat "$TMP/m.err")"
ok "--metrics: parsed by prometheus_client, counters and per-stage summaries equal the JSON report's"

# --- a window: 5 s to 12 s into the run
"$VNETLAT" report "$TMP/run.vnlrec" --from 5s --to 12s --json >"$TMP/win.json"
schema_ok "$TMP/win.json"
"$VNETLAT" report "$TMP/run.vnlrec" --from 5s --to 12s --csv >"$TMP/win.csv"
wrecv=$(py 'j[0]["packets"]["received"]' "$TMP/win.json")
wsent=$(py 'j[0]["packets"]["sent"]' "$TMP/win.json")
expect=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if 5e9 <= int(r["sched"]) - '$BASE' < 12e9))' "$TMP/whole.csv")
[ "$wrecv" = "$expect" ] || fail "window received $wrecv, the whole CSV has $expect packets in [5s,12s)"
[ "$(($(wc -l <"$TMP/win.csv") - 1))" = "$wrecv" ] || fail "windowed CSV rows != windowed received"
[ "$wsent" -ge "$wrecv" ] && [ "$wsent" -le 7000 ] && [ "$wsent" -ge 6990 ] \
	|| fail "window sent $wsent should be ~7000 (7 s at 1 kHz) and >= received $wrecv"
[ "$(py '(j[0]["run"]["window"]["from_ns"], j[0]["run"]["window"]["to_ns"])' "$TMP/win.json")" \
	= "(5000000000, 12000000000)" ] || fail "run.window does not say 5s..12s"
[ "$(py 'j[0]["latency"]["path"]["count"]' "$TMP/win.json")" = "$wrecv" ] || fail "window path count"
"$VNETLAT" report "$TMP/run.vnlrec" --from 5s --to 12s | grep -q "window:.*5.000s to 12.000s" \
	|| fail "text report does not name the window"
"$VNETLAT" report "$TMP/run.vnlrec" --from 15s --json >"$TMP/tail.json"
trecv=$(py 'j[0]["packets"]["received"]' "$TMP/tail.json")
tsent=$(py 'j[0]["packets"]["sent"]' "$TMP/tail.json")
# sent in a window is the span of sequence numbers seen in it (to the trailer's
# last one when it is open-ended), so a loss right at its start may shave one off
[ "$tsent" -le 5000 ] && [ "$tsent" -ge 4990 ] && [ "$trecv" -lt "$tsent" ] && [ "$trecv" -gt 4900 ] \
	|| fail "--from 15s: sent $tsent (want ~5000), received $trecv"
ok "--from 5s --to 12s: received $recv -> $wrecv (= CSV rows in window), sent $wsent; --from 15s: $trecv of $tsent"

# --- a deadline
"$VNETLAT" report "$TMP/run.vnlrec" --deadline 40us --json >"$TMP/late.json"
late=$(py 'j[0]["packets"]["late"]' "$TMP/late.json")
expect=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if int(r["wakeup"]) + int(r["one_way"]) > 40000))' "$TMP/whole.csv")
[ "$late" = "$expect" ] || fail "--deadline 40us: late $late, the CSV says $expect"
[ "$(py 'j[0]["run"]["deadline_ns"]' "$TMP/late.json")" = 40000 ] || fail "run.deadline_ns"
ok "--deadline 40us: $late late, as counted from the CSV"

# --- clocks of two hosts: the caveat
"$MKRECORD" --base $BASE --clock-sync unknown "$TMP/twohost.vnlrec" 1000
"$VNETLAT" report "$TMP/twohost.vnlrec" >"$TMP/twohost.txt"
grep -q 'caveat: clock sync is "unknown"' "$TMP/twohost.txt" && grep -q PTP "$TMP/twohost.txt" \
	|| fail "no clock caveat for a record whose clocks are not same-host"
ok "clock caveat printed when clock_sync is not same-host"

# --- a truncated copy: the report of what was read, a warning, exit 1
size=$(stat -c %s "$TMP/run.vnlrec")
head -c $((size * 6 / 10)) "$TMP/run.vnlrec" >"$TMP/cut.vnlrec"
rc=0
"$VNETLAT" report "$TMP/cut.vnlrec" --json >"$TMP/cut.json" 2>"$TMP/cut.err" || rc=$?
[ $rc = 1 ] || fail "truncated file: exit $rc, want 1"
grep -q "damaged" "$TMP/cut.err" || fail "truncated file: no warning on stderr"
schema_ok "$TMP/cut.json"
crecv=$(py 'j[0]["packets"]["received"]' "$TMP/cut.json")
[ "$crecv" -gt 0 ] && [ "$crecv" -lt "$recv" ] || fail "truncated file: received $crecv of $recv"
[ "$(py 'j[0]["run"]["damage"] is not None' "$TMP/cut.json")" = True ] || fail "run.damage is null"
rc=0
"$VNETLAT" report "$TMP/cut.vnlrec" --csv >"$TMP/cut.csv" 2>/dev/null || rc=$?
[ $rc = 1 ] && [ "$(($(wc -l <"$TMP/cut.csv") - 1))" = "$crecv" ] || fail "truncated --csv: exit $rc"
ok "truncated file: exit 1, '$(head -c 120 "$TMP/cut.err")...', $crecv packets reported"

# --- bad usage: one message, exit 2
expect_usage() {
	local rc=0
	"$VNETLAT" report "$@" >/dev/null 2>"$TMP/usage.err" || rc=$?
	[ $rc = 2 ] || fail "report $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/usage.err")" = 1 ] || fail "report $*: want one line of error"
}
expect_usage
expect_usage "$TMP/missing.vnlrec"
expect_usage "$TMP/run.vnlrec" --from 5s --to 2s
expect_usage "$TMP/run.vnlrec" --from 5s --to 5s
expect_usage "$TMP/run.vnlrec" --json --csv
expect_usage "$TMP/run.vnlrec" --from 5parsecs
expect_usage "$TMP/run.vnlrec" --worst -1
expect_usage "$TMP/run.vnlrec" --bogus
expect_usage "$TMP/run.vnlrec" --histogram=bogus
expect_usage "$TMP/run.vnlrec" --histogram --csv
expect_usage "$TMP/run.vnlrec" --histogram=hdr --json
expect_usage "$TMP/run.vnlrec" --metrics "$TMP/m.prom" --csv
expect_usage "$TMP/run.vnlrec" --metrics
expect_usage "$TMP/run.vnlrec" "$TMP/run.vnlrec"
rc=0
echo "not a record" >"$TMP/junk"
"$VNETLAT" report "$TMP/junk" >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "a file that is not a record: exit $rc, want 1"
ok "bad usage exits 2 with one line; a non-record file exits 1"

# --- --help and the man page agree on the options
"$VNETLAT" report --help >"$TMP/help.txt"
for opt in $(grep -o -- '--[a-z]*' "$TMP/help.txt" | sort -u); do
	grep -qF -- "\\-\\-${opt#--}" "$SRC/doc/man/vnetlat-report.8" || fail "man page lacks $opt"
done
for opt in $(grep -o -- '\\-\\-[a-z]*' "$SRC/doc/man/vnetlat-report.8" | sed 's/\\-\\-//' | sort -u); do
	grep -qF -- "--$opt" "$TMP/help.txt" || fail "--help lacks --$opt"
done
ok "--help and vnetlat-report(8) list the same options"
echo "report_window: all checks passed"
