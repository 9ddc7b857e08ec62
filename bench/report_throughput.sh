#!/bin/bash
# Benchmark 4: `vnetlat report` throughput and memory. Writes 1 M and 10 M
# packet records with mkrecord in a temp dir (removed after), times
# `vnetlat report` on each (best of 3 runs, file in the page cache) and reads
# its peak RSS from getrusage(). Prints packets/s (target >= 20 M/s) and the
# peak RSS ratio 10M/1M (target ~1.0: memory independent of file size).
# Usage: bench/report_throughput.sh [SMALL [LARGE]]   (packet counts)
. "$(dirname "$0")/lib.sh"
MKRECORD=${MKRECORD:-$(dirname "$VNETLAT")/../bench/mkrecord}
small=${1:-1000000}
large=${2:-10000000}
[ -x "$VNETLAT" ] && [ -x "$MKRECORD" ] || {
	echo "report_throughput: build first (ninja -C build); looked for $VNETLAT and $MKRECORD" >&2
	exit 2
}
BENCH_TMP=$(mktemp -d)
trap 'rm -rf "$BENCH_TMP"' EXIT INT TERM

# measure CMD...: "seconds peak_rss_kib" of one run of CMD (stdout discarded).
# A fresh python per run, so RUSAGE_CHILDREN's maximum is this command's alone.
measure() {
	python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
if rc != 0:
    sys.exit("report_throughput: %s exited %d" % (" ".join(sys.argv[1:]), rc))
print("%.6f %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
}

# bench N: times report on a record of N packets; prints a line and leaves
# "packets_per_s peak_rss_kib" in $BENCH_TMP/result.N.
bench() {
	local n=$1 f="$BENCH_TMP/r$1.vnlrec" best="" rss=0 secs kib
	"$MKRECORD" --seed 3 --loss 0.001 "$f" "$n"
	cat "$f" >/dev/null # into the page cache: the figure is the report's, not the disk's
	for _ in 1 2 3; do
		measure "$VNETLAT" report "$f" >"$BENCH_TMP/m"
		read -r secs kib <"$BENCH_TMP/m"
		if [ -z "$best" ] || python3 -c "import sys; sys.exit(not $secs < $best)"; then best=$secs; fi
		[ "$kib" -gt "$rss" ] && rss=$kib
	done
	printf '  %9d packets: %6.1f MB file, best of 3 %.3f s, %6.2f M packets/s, peak RSS %d KiB\n' \
		"$n" "$(python3 -c "print($(stat -c %s "$f") / 1e6)")" "$best" \
		"$(python3 -c "print($n / $best / 1e6)")" "$rss"
	python3 -c "print(round($n / $best), $rss)" >"$BENCH_TMP/result.$n"
	rm -f "$f"
}

echo "vnetlat report throughput (records from bench/mkrecord, text report):"
bench "$small"
bench "$large"
read -r pps_small rss_small <"$BENCH_TMP/result.$small"
read -r pps_large rss_large <"$BENCH_TMP/result.$large"
printf 'report throughput: %.2f M packets/s on %d packets (target >= 20), %.2f M packets/s on %d\n' \
	"$(python3 -c "print($pps_small / 1e6)")" "$small" "$(python3 -c "print($pps_large / 1e6)")" "$large"
printf 'peak RSS: %d KiB (%d packets), %d KiB (%d packets); ratio large/small %s (target ~1.0)\n' \
	"$rss_small" "$small" "$rss_large" "$large" "$(ratio "$rss_large" "$rss_small")"
