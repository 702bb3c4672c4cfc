#!/bin/bash
# Build every prefix of the series (patch 1, 1-2, 1-3, ...) for each
# configuration: every patch must build on its own. Not part of ./hvo test.
# Prints KTAP, one line a patch and configuration.
#
#   bisect-build.sh [CONFIG...]     default: arm64-4k x86_64
#
# The prefixes are applied in the variant tree "bisect" (tree.sh --worktree:
# build/variant-bisect/linux-BASE, built into build/variant-bisect/out/BASE),
# laid out like the main tree so that ccache serves every file that a prefix
# has in common with builds already made. A patch that changes no
# file of a configuration's build (only tools/, Documentation/, MAINTAINERS,
# or only the other architecture's arch/ directory) gives the same build as
# the prefix before it: reported as a SKIP that says so, not rebuilt.
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(arm64-4k x86_64)
mapfile -t ps < <(series_files)
"$top/steps/tree.sh" --worktree bisect base >/dev/null || die "no worktree"
wt=$(variant_tree bisect) outs=$(variant_out bisect)
# Whether the last commit of $wt changes a file that CONFIG's build reads.
builds_differ() {
	local karch f
	karch=$(arch_fact "${1%%-*}" karch) || exit 1
	while read -r f; do
		case $f in
		tools/*|Documentation/*|MAINTAINERS) ;;
		arch/"$karch"/*) return 0 ;;
		arch/*) ;;
		*) return 0 ;;
		esac
	done < <(git -C "$wt" diff --name-only HEAD~1 HEAD)
	return 1
}
echo "KTAP version 1"
echo "1..$(( ${#ps[@]} * ${#configs[@]} ))"
n=0 i=0
declare -A built
for p in "${ps[@]}"; do
	i=$((i + 1))
	git -C "$wt" am -q "$p" || die "${p##*/} does not apply"
	for cfg in "${configs[@]}"; do
		n=$((n + 1))
		out=$outs/$cfg log=$outs/$cfg.log
		if [ -n "${built[$cfg]:-}" ] && ! builds_differ "$cfg"; then
			echo "ok $n ${p##*/} $cfg # SKIP no file of this build changed since patch ${built[$cfg]}"
			continue
		fi
		s=$SECONDS
		if "$top/steps/build-kernel.sh" "$cfg" "$wt" "$out" > "$log" 2>&1 &&
		   ! grep -E '(^|/)[^ ]*:[0-9]+:[0-9]+: (warning|error):' "$out/build.log" >&2; then
			echo "ok $n ${p##*/} $cfg ($((SECONDS - s)) s)"
			built[$cfg]=$i
		else
			echo "not ok $n ${p##*/} $cfg # see ${log#$top/}"
		fi
	done
done
