#!/bin/bash
# Negative controls: known-bad kernels the harness must report as failing.
#
#   control.sh x86-base      x86_64 on the bare base (without patch 0001): freeing
#                            HVO-optimized pages must give "Bad page state"
#   control.sh arm64-naive   arm64-4k on the bare base plus only the Kconfig
#                            select (controls/arm64-naive-enable.patch): no BBM,
#                            DEBUG_VM must warn "unsafe attribute change"
#   control.sh arm64-nofixup the full series (arm64-4k), with the stress test
#                            run with the fault fixup disabled: CPUs that touch
#                            a struct page inside a window must oops
#
# Exit 0 when the harness reported the failure (the control works), 1 when the
# known-bad kernel came out clean (the harness has lost its teeth).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
name=${1:?usage: control.sh x86-base|arm64-naive|arm64-nofixup}
base=1
case $name in
x86-base)	cfg=x86_64 extra=() tests=hvo_savings,hugepage-vmemmap ;;
arm64-naive)	cfg=arm64-4k extra=("$top/controls/arm64-naive-enable.patch")
		tests=hvo_savings,hugepage-vmemmap ;;
arm64-nofixup)	cfg=arm64-4k base=0 tests=hugetlb_vmemmap_stress_nofixup ;;
*)		die "unknown control $name" ;;
esac
arch=${cfg%%-*}
"$top/scripts/deps.sh"
if [ $base = 1 ]; then
	"$top/scripts/tree.sh" --worktree "control-$name" base "${extra[@]}"
	img=$("$top/scripts/build-kernel.sh" "$cfg" "$build/wt/control-$name" \
		"$build/out/control-$name/$cfg" | tail -1)
else
	"$top/scripts/tree.sh"
	img=$("$top/scripts/build-kernel.sh" "$cfg" | tail -1)
fi
"$top/scripts/build-guest.sh" "$arch" >/dev/null
"$top/scripts/run-boot.sh" "control-$name" "$arch" "$img" "$tests" hugetlb_free_vmemmap=on
if "$top/scripts/results.sh" "$build/results/control-$name.ktap"; then
	say "control $name: NO failure reported for a known-bad kernel: the harness missed it"
	exit 1
fi
say "control $name: the harness reported the known-bad kernel as failing, as it must"
