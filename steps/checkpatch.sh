#!/bin/bash
# checkpatch.pl --strict (the tree's own) on every patch of the series, with
# Debian's python3 first in PATH for spdxcheck.py (python3-ply, python3-git).
# Prints KTAP, one test a patch: fails on any ERROR or WARNING; CHECKs are
# listed and must be justified in the cover letter. UNKNOWN_COMMIT_ID is
# ignored: the base is a Debian tarball with no upstream history, so the
# upstream commits that Fixes: tags name cannot be looked up in it. Each
# patch is also checked as upstream sees it: a copy outside any git tree,
# --no-tree, where an unknown commit id no longer hides GIT_COMMIT_ID style
# errors (the tree run reports UNKNOWN_COMMIT_ID instead of them).
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
mapfile -t ps < <(series_files)
echo "KTAP version 1"
echo "1..${#ps[@]}"
copies=$(mktemp -d); trap 'rm -rf "$copies"' EXIT
i=0
for p in "${ps[@]}"; do
	i=$((i + 1))
	cp "$p" "$copies/"
	out=$(cd "$tree" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --terse --show-types \
		--ignore UNKNOWN_COMMIT_ID "$p" 2>&1
	      cd "$copies" && PATH=/usr/bin:$PATH "$tree/scripts/checkpatch.pl" --strict --terse \
		--show-types --no-tree --ignore UNKNOWN_COMMIT_ID "${p##*/}" 2>&1)
	bad=$(grep -cE ': (ERROR|WARNING):' <<< "$out")
	checks=$(grep -cE ': CHECK:' <<< "$out")
	if [ "$bad" = 0 ]; then
		if [ "$checks" = 0 ]; then echo "ok $i checkpatch.${p##*/}"; else echo "ok $i checkpatch.${p##*/} # $checks CHECK(s) kept"; fi
	else
		echo "not ok $i checkpatch.${p##*/} # $bad error(s)/warning(s)"
	fi
	grep -E ': (ERROR|WARNING|CHECK):' <<< "$out" | sed 's/^/# /'
done
