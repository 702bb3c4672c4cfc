#!/bin/bash
# Sum up the KTAP files of a run: print every failed test, a per-file count,
# and the closing line "N passed, N failed". Exit 1 if anything failed.
#
#   results.sh KTAP...
set -uo pipefail
pass=0 fail=0 skip=0
for f in "$@"; do
	[ -f "$f" ] || { echo "not ok - ${f##*/}: missing result file"; fail=$((fail + 1)); continue; }
	p=$(grep -cE '^ok [0-9]+ ' "$f"); p=$((p - $(grep -cE '^ok [0-9]+ .*# SKIP' "$f")))
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$f")
	x=$(grep -cE '^not ok [0-9]+ ' "$f")
	# BASE/NAME: the results of each series are in their own directory.
	n=$(basename "$(dirname "$f")")/$(basename "$f" .ktap)
	printf '  %-44s %3d passed, %3d failed, %3d skipped\n' "$n" "$p" "$x" "$s"
	grep -E '^not ok [0-9]+ ' "$f" | sed 's/^/    /'
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + s))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
