#!/bin/bash
# Show a guest's progress while it runs: follow its console LOG and print one
# line to stderr as each guest test starts and as it ends (verdict, seconds).
# Ends when process PID (the caller) does.
#
#   follow-console.sh LOG PID
set -uo pipefail
set -f	# console lines are split into words below: no globbing
log=$1 pid=$2
declare -A secs
tail -n +1 -F --pid="$pid" "$log" 2>/dev/null | while IFS= read -r l; do
	l=${l%$'\r'}
	case $l in
	"# hvo-init: start "*)
		set -- $l; printf '    [%4d s] %s: started\n' "$SECONDS" "$5" >&2 ;;
	"# "*": "*" s")
		set -- $l; [ $# = 4 ] && secs[${2%:}]=$3 ;;
	"ok "[0-9]*|"not ok "[0-9]*)
		set -- $l; [ "$1" = ok ] && n=$3 v=ok || n=$4 v=FAILED
		why=${l#*"$n"}; why=${why# }
		printf '    [%4d s] %s: %s%s (%s s)\n' "$SECONDS" "$n" "$v" "${why:+ $why}" \
			"${secs[$n]:-?}" >&2 ;;
	"# boot.sh: TIMEOUT"*)
		printf '    %s\n' "$l" >&2 ;;
	esac
done
