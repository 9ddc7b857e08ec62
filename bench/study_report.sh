#!/bin/bash
# Report generation for a large study: bench/mkstudy.sh writes 4 cases x 2
# repetitions of PACKETS_PER_REP each (default 1250000: 10 million packets in
# all), then `vnetlat report DIR` is timed. Prints seconds and peak RSS; the
# RSS must not grow with the packets (records are streamed).
# Usage: bench/study_report.sh BUILDDIR [PACKETS_PER_REP]
set -euo pipefail
BUILD=${1:?usage: bench/study_report.sh BUILDDIR [PACKETS_PER_REP]}
PER_REP=${2:-1250000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

bash "$SRC/bench/mkstudy.sh" "$BUILD/bench/mkrecord" "$TMP/study" "$PER_REP"
total=$((PER_REP * 8))
echo "study: 4 cases x 2 repetitions x $PER_REP packets = $total packets" \
	"($(du -sh "$TMP/study/cases" | cut -f1) of records)"
/usr/bin/time -f "%e %M" -o "$TMP/time" "$BUILD/src/vnetlat" report "$TMP/study" >/dev/null
read -r secs rss <"$TMP/time"
echo "vnetlat report DIR: ${secs} s, peak RSS ${rss} KiB" \
	"($(awk "BEGIN{printf \"%.1f\", $total / $secs / 1e6}") M packets/s)"
