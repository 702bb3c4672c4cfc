#!/bin/bash
# Apply the series of HVO_BASE (7.3 or 6.12) to a kernel tree you name (your
# own checkout of that version):
# git am in a git tree, git apply otherwise. Stops at the first patch that
# does not apply, naming it.
#
#   apply.sh DIR
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
dir=$(realpath "${1:?usage: apply.sh DIR}")
ver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$dir/Makefile" 2>/dev/null | paste -sd.)
[ "$ver" = "$base" ] || say "warning: $dir looks like a ${ver:-non-kernel} tree, not $base"
mapfile -t ps < <(series_files)
for p in "${ps[@]}"; do
	if [ "$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null)" = "$dir" ]; then
		git -C "$dir" am -3 -q "$p" || { git -C "$dir" am --abort || true; die "${p##*/} does not apply"; }
	else
		git -C "$dir" apply -p1 "$p" 2>&1 || die "${p##*/} does not apply"
	fi
	say "applied ${p##*/}"
done
