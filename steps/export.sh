#!/bin/bash
# Export the work tree's commits (base..hvo) to patches/ as git format-patch
# files plus a cover letter (from the branch description) and a series file.
# Reproducible: re-exporting unchanged commits changes no byte.
#
#   export.sh          write patches/
#   export.sh --check  exit 0 only if the tree is clean and patches/ already
#                      holds exactly what an export would write
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

[ -d "$tree/.git" ] || die "no tree at $tree: run steps/tree.sh"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
n=$(git -C "$tree" rev-list --count base..hvo)
if [ "$n" -gt 0 ]; then
	cover=()
	git -C "$tree" config branch.hvo.description >/dev/null && \
		cover=(--cover-letter --cover-from-description=subject)
	git -C "$tree" format-patch -q --zero-commit --no-signature --no-thread \
		--subject-prefix=PATCH -n "${cover[@]}" -o "$out" base..hvo
	# The cover letter is dated now; date it like the newest commit instead.
	[ ! -f "$out/0000-cover-letter.patch" ] ||
		sed -i "0,/^Date: .*/s//Date: $(git -C "$tree" log -1 --format=%aD hvo)/" \
			"$out/0000-cover-letter.patch"
fi
(cd "$out" && ls -1 *.patch 2>/dev/null | grep -v '^0000-' || true) > "$out/series"

if [ "${1:-}" = --check ]; then
	[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] || exit 1
	[ "$(git -C "$tree" rev-parse --abbrev-ref HEAD)" = hvo ] || exit 1
	diff -q <(cd "$out" && ls -1) <(cd "$patches" && ls -1 *.patch series 2>/dev/null) >/dev/null || exit 1
	for f in "$out"/*; do cmp -s "$f" "$patches/${f##*/}" || exit 1; done
	exit 0
fi
mkdir -p "$patches"
rm -f "$patches"/*.patch
cp "$out"/* "$patches"/
say "exported $n patch(es) to patches/"
