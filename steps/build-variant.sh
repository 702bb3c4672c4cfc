#!/bin/bash
# Build configuration CONFIG of a variant kernel: the work tree's commit REV
# (hvo: the series; base: the bare base) with PATCH files applied, in its own
# tree build/variant-NAME/linux-BASE (steps/tree.sh --worktree), built into
# build/variant-NAME/out/BASE/CONFIG; lib.sh variant_image NAME CONFIG names
# its image. Controls, measurement variants and the force-bbml3 boot use it.
#
#   build-variant.sh NAME CONFIG REV [PATCH...]
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
[ $# -ge 3 ] || die "usage: build-variant.sh NAME CONFIG REV [PATCH...]"
name=$1 cfg=$2 rev=$3; shift 3
"$top/steps/tree.sh" --worktree "$name" "$rev" "$@"
"$top/steps/build-kernel.sh" "$cfg" "$(variant_tree "$name")" "$(variant_out "$name")/$cfg"
