#!/bin/bash
# Make the kernel work tree of the base (HVO_BASE, see lib.sh): unpack the
# Debian kernel source tarball into build/linux-BASE, commit it as the tag
# "base", and apply patches/BASE with git am.
#
#   tree.sh            create the tree if missing; check an existing one
#                      matches patches/ (refuses to touch unexported work)
#   tree.sh --reset    drop the tree's commits and re-apply patches/
#   tree.sh --worktree NAME REV [PATCH...]
#                      a second tree build/variant-NAME/linux-BASE at REV (e.g.
#                      base) with PATCH files applied: controls on the bare
#                      base, measurement variants, bisect-build (lib.sh:
#                      variant_tree, variant_out)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

apply_series() { # dir patch...
	local d=$1 p; shift
	for p in "$@"; do
		if ! out=$(git -C "$d" am -q --keep-cr "$p" 2>&1); then
			git -C "$d" am --abort >/dev/null 2>&1 || true
			die "patch ${p##*/} does not apply to $d: $out"
		fi
	done
}

make_base() {
	[ -f "$tarball" ] || die "$tarball missing: run HVO_BASE=$base steps/deps.sh"
	rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
	say "unpacking $(basename "$tarball")"
	tar -C "$tree.tmp" --strip-components=1 -xf "$tarball"
	git -C "$tree.tmp" init -q -b hvo
	git -C "$tree.tmp" config core.autocrlf false
	git -C "$tree.tmp" config gc.auto 0
	git -C "$tree.tmp" add -A -f .
	local v=$base_version
	[ "$base_suite" != installed ] || v=$(dpkg-query -W -f='${Version}' "$base_pkg" 2>/dev/null)
	env "${base_env[@]}" git -C "$tree.tmp" commit -q -m "Debian $base_pkg $v"
	git -C "$tree.tmp" tag base
	mv "$tree.tmp" "$tree"
}

# The cover letter text lives in the branch description of the tree
# (git branch --edit-description); export.sh writes it to patch 0000.
load_cover() {
	local c
	c=$(ls "$patches"/0000-cover-letter.patch 2>/dev/null) || return 0
	awk '/^Subject: / {sub(/^Subject: \[[^]]*\] /, ""); subj = $0; s = 1; next}
	     s == 1 && /^ / {sub(/^ /, ""); subj = subj " " $0; next}
	     s == 1 && /^$/ {print subj; print ""; s = 2; next}
	     s == 2 && /^[^ ].* \([0-9]+\):$/ {exit}
	     s == 2 {print}' "$c" > "$build/cover-$base.txt"
	git -C "$tree" config branch.hvo.description "$(cat "$build/cover-$base.txt")"
}

mkdir -p "$build"
case "${1:-}" in
--worktree)
	name=$2 rev=$3; shift 3
	wt=$(variant_tree "$name")
	[ -d "$tree" ] || make_base
	[ -d "$wt" ] && { git -C "$tree" worktree remove --force "$wt"; }
	git -C "$tree" worktree prune
	mkdir -p "$(variant_out "$name")"
	git -C "$tree" worktree add -q --detach "$wt" "$rev"
	apply_series "$wt" "$@"
	say "worktree $wt at $rev + $# patch(es)"
	exit 0 ;;
--reset)
	[ -d "$tree" ] || make_base
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f hvo
	git -C "$tree" reset -q --hard base
	git -C "$tree" clean -qfdx ;;
"")
	if [ -d "$tree" ]; then
		"$top/steps/export.sh" --check && exit 0
		die "$tree differs from patches/ (uncommitted work or commits not exported). Export with steps/export.sh, or drop it with steps/tree.sh --reset"
	fi
	make_base ;;
*) die "usage: tree.sh [--reset | --worktree NAME REV [PATCH...]]" ;;
esac
mapfile -t ps < <(series_files)
apply_series "$tree" "${ps[@]}"
load_cover
say "$tree: base + ${#ps[@]} patch(es)"
