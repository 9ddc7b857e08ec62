#!/bin/bash
# bash completion (completion/vnetlat.bash): verbs, sub-verbs, each verb's options as its
# --help lists them (so the completion cannot drift from the option tables), option values,
# topologies, lab names from /run/vnetlat/labs and files; installed by meson install.
set -euo pipefail
VNL=$(realpath "${1:?usage: completion.sh /path/to/vnetlat}")
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
LAB=cp$(( $$ % 100000 ))
cleanup() { [ -e "/run/vnetlat/labs/$LAB.state" ] && "$VNL" lab down --name "$LAB" >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

source "$SRC/completion/vnetlat.bash"
complete -p vnetlat | grep -q -- "-F _vnetlat vnetlat" || fail "complete -p: $(complete -p vnetlat)"
ok "complete -p vnetlat: $(complete -p vnetlat)"

# complete WORD... : the candidates for the last word, sorted, space-separated
comp() {
	COMP_WORDS=("$VNL" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
	_vnetlat
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() { # WANT WORD...
	local want=$1; shift
	local got; got=$(comp "$@")
	[ "$got" = "$want" ] || fail "complete '$*': got '$got', want '$want'"
	ok "vnetlat $* <TAB> -> $got"
}
expect "clock compare" c
expect "recv report run" r
expect "--help --version clock compare guest lab recv report run send study" ""
expect "--help doctor down exec show up" lab ""
expect "bridge macvtap ovs passthrough veth xdp" lab up ""
expect "both in out" run --direction ""
expect "udp4 udp6" run --transport u
expect "--cpu --cpu-dma-latency" send --cp
expect "--help agent boot build exec stop time" guest ""
expect "--accel --append --arch" guest boot --a
expect "auto kvm tcg" guest boot --accel ""
expect "--help --name --timeout" guest exec --
expect "--help answer ask status" clock ""
expect "--bind --count --help --port --timeout" clock answer --
expect "--count --help --interval --json --port" clock ask 192.0.2.1 --
expect "lo" clock status --interface l

# every option of every verb's --help is offered, and nothing else
for verb in send recv report run study compare; do
	want=$("$VNL" $verb --help | sed -n -E 's/^ {2,6}(-[A-Za-z0-9], )?(--[a-z0-9][a-z0-9-]*).*/\2/p' | sort | tr '\n' ' ' | sed 's/ $//')
	got=$(comp $verb --)
	[ -n "$want" ] && [ "$got" = "$want" ] || fail "$verb --<TAB>: got '$got', want '$want'"
done
ok "send, recv, report, run, study, compare: --<TAB> offers exactly each --help's options"

# values: files and directories where the option takes one
mkdir "$TMP/dir1"; : >"$TMP/job1.ini"; : >"$TMP/other.txt"
expect "$TMP/dir1" report --from 1s "$TMP/d"
expect "$TMP/dir1 $TMP/job1.ini" study "$TMP/"
expect "$TMP/dir1" study --out "$TMP/d"
expect "$TMP/dir1" run LAB --record "$TMP/di"
expect "$TMP/dir1" recv --pcap "$TMP/di"
expect "" run LAB --count ""

# lab names from /run/vnetlat/labs, for run LAB and --name
if [ "$(id -u)" = 0 ]; then
	"$VNL" lab up veth --name "$LAB" >/dev/null
	expect "$LAB" run "${LAB:0:3}"
	expect "$LAB" lab down --name "${LAB:0:3}"
	"$VNL" lab down --name "$LAB" >/dev/null
	expect "" run "${LAB:0:3}"
	ok "a lab's name is offered while it exists, not after lab down"
fi

# meson install puts it where bash-completion looks
DESTDIR=$TMP/root meson install -C "$(dirname "$(dirname "$VNL")")" --no-rebuild --quiet >/dev/null 2>&1 \
	|| fail "meson install --destdir failed"
f=$(find "$TMP/root" -path '*/bash-completion/completions/vnetlat')
[ -n "$f" ] && cmp -s "$f" "$SRC/completion/vnetlat.bash" || fail "not installed: $(find "$TMP/root" -name 'vnetlat*' | head)"
ok "meson install: ${f#$TMP/root}"
echo PASS
