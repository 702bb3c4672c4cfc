#!/bin/bash
# Build every prefix of the series (patch 1, 1-2, 1-3, ...) for each
# configuration: every patch must build on its own. Slow (a config change
# rebuilds much of the tree); not part of ./hvo test. Prints KTAP.
#
#   bisect-build.sh [CONFIG...]     default: arm64-4k x86_64
set -uo pipefail
. "$(dirname "$0")/lib.sh"
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(arm64-4k x86_64)
mapfile -t ps < <(series_files)
"$top/scripts/tree.sh" --worktree bisect base >/dev/null || die "no worktree"
wt=$build/wt/$base-bisect
echo "KTAP version 1"
echo "1..$(( ${#ps[@]} * ${#configs[@]} ))"
n=0
for p in "${ps[@]}"; do
	git -C "$wt" am -q "$p" || die "${p##*/} does not apply"
	for cfg in "${configs[@]}"; do
		n=$((n + 1))
		if "$top/scripts/build-kernel.sh" "$cfg" "$wt" "$outdir-bisect/$cfg" \
			> "$outdir-bisect-$cfg.log" 2>&1; then
			echo "ok $n ${p##*/} $cfg"
		else
			echo "not ok $n ${p##*/} $cfg # see ${outdir#$top/}-bisect-$cfg.log"
		fi
	done
done
