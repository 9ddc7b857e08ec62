#!/bin/bash
# The Debian package: dpkg-buildpackage -us -uc -b builds vnetlat_VERSION_ARCH.deb from a
# copy of the source tree; it holds the binary, the static guest binary, the BPF objects,
# man pages, examples, documents, the JSON schema and bash completion; lintian finds no
# error; unpacked into a throwaway root (dpkg -x: the system's dpkg database is not
# touched), its vnetlat prints its version and measures a veth lab both ways.
set -euo pipefail
VNL=${1:?usage: debian_package.sh /path/to/vnetlat}
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d /tmp/vnl-deb.XXXXXX)
LAB=pk$(( $$ % 100000 ))
ROOT=$TMP/root
cleanup() {
	if [ -x "$ROOT/usr/bin/vnetlat" ]; then "$ROOT/usr/bin/vnetlat" lab down --name "$LAB" >/dev/null 2>&1 || true; fi
	"$VNL" lab down --name "$LAB" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
for t in dpkg-buildpackage dh lintian; do
	command -v $t >/dev/null || fail "$t is not installed (scripts/deps.sh VNL_TEST_PKGS has it)"
done

VER=$(sed -n 's/^vnetlat (\([^)]*\)).*/\1/p;q' "$SRC/debian/changelog")
mkdir "$TMP/vnetlat-$VER"
# the source as a user would unpack it: no build directories, no git
tar -C "$SRC" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$TMP/vnetlat-$VER" -xf -
(cd "$TMP/vnetlat-$VER" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1 \
	|| { tail -30 "$TMP/build.log"; fail "dpkg-buildpackage failed"; }
DEB=$(ls "$TMP"/vnetlat_"$VER"_*.deb)
ok "dpkg-buildpackage -us -uc -b: $(basename "$DEB")"

dpkg-deb -c "$DEB" | awk '{ print $6 }' >"$TMP/contents"
for f in usr/bin/vnetlat usr/libexec/vnetlat/vnetlat-static \
	usr/share/bash-completion/completions/vnetlat usr/share/man/man8/vnetlat.8.gz \
	usr/share/man/man8/vnetlat-run.8.gz usr/share/man/man5/vnetlat-study.5.gz \
	usr/share/doc/vnetlat/examples/study-quick.ini usr/share/doc/vnetlat/json-schema.json.gz \
	usr/share/doc/vnetlat/copyright 'usr/lib/.*vnetlat/bpf/xdp_bridge.bpf.o'; do
	grep -Eq "^\./$f\$" "$TMP/contents" || fail "the package lacks $f"
done
for m in "$SRC"/doc/man/*.[58]; do
	grep -q "/$(basename "$m").gz\$" "$TMP/contents" || fail "the package lacks the man page $(basename "$m")"
done
ok "contents: binaries, BPF objects (arch-dependent: under usr/lib), every man page, examples, docs, schema, completion"
dep=$(dpkg-deb -f "$DEB" Depends)
rec=$(dpkg-deb -f "$DEB" Recommends)
case "$dep" in *libbpf*libmnl*) ;; *) fail "Depends: $dep";; esac
case "$rec" in *qemu-system*dnsmasq*iperf3*gnuplot*) ;; *) fail "Recommends: $rec";; esac
ok "Depends: $dep"
ok "Recommends: $rec"

lintian --fail-on error "$DEB" >"$TMP/lintian" 2>&1 \
	|| { cat "$TMP/lintian"; fail "lintian found errors"; }
ok "lintian: no error ($(grep -c '^W:' "$TMP/lintian" || true) warnings)"

dpkg -x "$DEB" "$ROOT"
V=$("$ROOT/usr/bin/vnetlat" --version | head -1)
[ "$V" = "vnetlat ${VER%%-*}" ] || fail "the unpacked vnetlat says '$V'"
ok "the unpacked binary: $V"
"$ROOT/usr/bin/vnetlat" lab up veth --name "$LAB" >/dev/null
"$ROOT/usr/bin/vnetlat" run "$LAB" --count 200 --json >"$TMP/run.json" || fail "run from the package exited $?"
python3 - "$TMP/run.json" <<'PY' || fail "the packaged binary's measurement"
import json, sys
d = json.load(open(sys.argv[1]))["directions"]
for k in ("in", "out"):
    p = d[k]["packets"]
    assert p["received"] == 200 and p["lost"] == 0, (k, p)
    assert d[k]["latency"]["one_way"]["count"] == 200, k
print("ok: the packaged vnetlat measured a veth lab: 200/200 each way, one_way p50 in %.1fus out %.1fus"
      % (d["in"]["latency"]["one_way"]["p50_ns"] / 1e3, d["out"]["latency"]["one_way"]["p50_ns"] / 1e3))
PY
"$ROOT/usr/bin/vnetlat" lab down --name "$LAB" >/dev/null
echo PASS
