# bash completion for vnetlat                                -*- shell-script -*-
#
# Verbs, sub-verbs and options are read from vnetlat's own --help at completion
# time: --help is printed from the same option tables the parser is built from
# (src/optable.h), so this cannot drift from the program. Lab names come from
# /run/vnetlat/labs, topologies from 'vnetlat lab up --help'.

# The program completions ask: the one being completed when it is a path, else vnetlat.
_vnetlat_prog()
{
	local p=${COMP_WORDS[0]}
	[[ $p == */* && -x $p ]] && printf '%s' "$p" || printf 'vnetlat'
}

# Indented lines under HEADING ("Verbs:"), first word of each.
_vnetlat_section()
{
	awk -v h="$1" '$0 == h { on = 1; next } on && /^  [a-z]/ { print $1; next }
		on && !/^  / { on = 0 }'
}

_vnetlat_verbs()
{
	"$(_vnetlat_prog)" --help 2>/dev/null | _vnetlat_section "Verbs:"
}

# A verb's sub-verbs: its "Sub-verbs:" list and the "vnetlat VERB SUB" usage lines.
_vnetlat_subverbs()
{
	"$(_vnetlat_prog)" "$1" --help 2>/dev/null | awk -v v="$1" '
		/^Sub-verbs:$/ { on = 1; next }
		on && /^  [a-z]/ { print $1; next }
		on && !/^  / { on = 0 }
		{ for (i = 1; i < NF; i++) if ($i == "vnetlat" && $(i + 1) == v && $(i + 2) ~ /^[a-z]+$/)
			print $(i + 2) }' | sort -u
}

# "--opt ARG" pairs of a verb's (or sub-verb's) --help: one per line, ARG "-" for a flag.
_vnetlat_options()
{
	"$(_vnetlat_prog)" "$@" --help 2>/dev/null | sed -n -E \
		-e 's/^ {2,6}(-[A-Za-z0-9], )?(--[a-z0-9][a-z0-9-]*)[ =]([A-Z][A-Za-z0-9_/|.]*).*/\2 \3/p' \
		-e 't' -e 's/^ {2,6}(-[A-Za-z0-9], )?(--[a-z0-9][a-z0-9-]*)(\[=[^]]*\])?( .*)?$/\2 -/p'
}

_vnetlat_labs()
{
	local f
	for f in /run/vnetlat/labs/*.state; do
		[[ -e $f ]] || continue
		f=${f##*/}
		printf '%s\n' "${f%.state}"
	done
}

_vnetlat_guests()
{
	local d
	for d in /run/vnetlat/guest/*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		printf '%s\n' "${d##*/}"
	done
}

_vnetlat_topologies()
{
	"$(_vnetlat_prog)" lab up --help 2>/dev/null | _vnetlat_section "Topologies:"
}

# COMPREPLY from WORDS (one per line) matching CUR. Not in a pipeline: a
# pipeline's last command runs in a subshell, whose COMPREPLY would be lost.
_vnetlat_reply()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$2" -- "$1"))
}

# The value of option OPT (whose argument is named ARG in --help) of VERB.
_vnetlat_value()
{
	local verb=$1 opt=$2 arg=$3 cur=$4
	case $opt in
	--name)
		if [[ $verb == guest ]]; then
			_vnetlat_reply "$cur" "$(_vnetlat_guests)"
		else
			_vnetlat_reply "$cur" "$(_vnetlat_labs)"
		fi
		return;;
	--transport)
		if [[ $verb == run ]]; then
			_vnetlat_reply "$cur" $'udp4\nudp6'
		else
			_vnetlat_reply "$cur" $'udp\nl2\nxdp'
		fi
		return;;
	--direction) _vnetlat_reply "$cur" $'in\nout\nboth'; return;;
	--accel) _vnetlat_reply "$cur" $'kvm\ntcg\nauto'; return;;
	--vhost) _vnetlat_reply "$cur" $'on\noff\nauto'; return;;
	--arch | --guest-arch) _vnetlat_reply "$cur" $'x86_64\naarch64'; return;;
	--interface) _vnetlat_reply "$cur" "$(ls /sys/class/net 2>/dev/null)"; return;;
	esac
	case $arg in
	DIR) COMPREPLY=($(compgen -d -- "$cur"));;
	FILE | F | *FILE | PATH) COMPREPLY=($(compgen -f -- "$cur"));;
	*) COMPREPLY=();; # a number, a duration, an address: nothing to offer
	esac
}

_vnetlat()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if ((COMP_CWORD == 1)); then
		_vnetlat_reply "$cur" "$(_vnetlat_verbs; printf -- '--help\n--version\n')"
		return
	fi
	local verb=${COMP_WORDS[1]} sub= i
	local -a where=("$verb")
	local subs
	subs=$(_vnetlat_subverbs "$verb")
	if [[ -n $subs ]]; then
		if ((COMP_CWORD == 2)); then
			_vnetlat_reply "$cur" "$subs"$'\n--help'
			return
		fi
		sub=${COMP_WORDS[2]}
		where+=("$sub")
	fi
	# after "--" the words are a command for the lab or the guest
	for ((i = 2; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			COMPREPLY=($(compgen -c -- "$cur"))
			return
		fi
	done
	local opts arg
	opts=$(_vnetlat_options "${where[@]}")
	if [[ $prev == --* ]]; then
		arg=$(awk -v o="$prev" '$1 == o { print $2; exit }' <<<"$opts")
		if [[ -n $arg && $arg != - ]]; then
			_vnetlat_value "$verb" "$prev" "$arg" "$cur"
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		_vnetlat_reply "$cur" "$(awk '{ print $1 }' <<<"$opts")"
		return
	fi
	# positional arguments
	case $verb${sub:+ $sub} in
	run) _vnetlat_reply "$cur" "$(_vnetlat_labs)";;
	"lab up") _vnetlat_reply "$cur" "$(_vnetlat_topologies)";;
	study) COMPREPLY=($(compgen -f -X '!*.ini' -- "$cur") $(compgen -d -- "$cur"));;
	compare) COMPREPLY=($(compgen -d -- "$cur"));;
	report) COMPREPLY=($(compgen -f -- "$cur"));;
	*) COMPREPLY=();;
	esac
}

complete -F _vnetlat vnetlat
