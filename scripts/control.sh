#!/bin/bash
# Negative controls: known-bad kernels (or known-bad settings) the harness
# must report as failing, each for its own reason.
#
#   control.sh x86-base      x86_64 on the bare base (without patch 0002): freeing
#                            HVO-optimized pages must give "Bad page state"
#   control.sh x86-base-oom  the same kernel (without patch 0001): growing the pool
#                            to the maximum with HVO on must invoke the OOM killer
#   control.sh arm64-naive   arm64-4k on the bare base plus only the Kconfig
#                            select (controls/arm64-naive-enable.patch): no BBM,
#                            DEBUG_VM must warn "unsafe attribute change"
#   control.sh arm64-nofixup the full series (arm64-4k), with the stress test
#                            run with the fault fixup disabled: CPUs that touch
#                            a struct page inside a window must oops
#   control.sh arm64-stall   the full series, windows held open 1.5 s and
#                            vmemmap_bbm.stall_timeout_s=1: a waiter must report
#                            the stall and keep waiting (the guest finishes)
#
# Exit 0 when the harness reported the failure and the console shows the
# failure the control is about (the control works), 1 otherwise: a known-bad
# kernel that came out clean, or one that failed for another reason.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
name=${1:?usage: control.sh x86-base|x86-base-oom|arm64-naive|arm64-nofixup|arm64-stall}
kernel=series args=() finish=0
case $name in
x86-base)	cfg=x86_64 kernel=base tests=hvo_savings,hugepage-vmemmap
		expect='BUG: Bad page state' ;;
x86-base-oom)	cfg=x86_64 kernel=base tests=hvo_pool_max expect='invoked oom-killer' ;;
arm64-naive)	cfg=arm64-4k kernel=naive tests=hvo_savings,hugepage-vmemmap
		expect='unsafe attribute change' ;;
arm64-nofixup)	cfg=arm64-4k tests=hugetlb_vmemmap_stress_nofixup
		expect='Unable to handle kernel paging request' ;;
arm64-stall)	cfg=arm64-4k tests=hugetlb_vmemmap_stress_stall finish=1
		args=(vmemmap_bbm.stall_timeout_s=1) expect='INFO: vmemmap BBM window stall' ;;
*)		die "unknown control $name" ;;
esac
arch=${cfg%%-*}
"$top/scripts/deps.sh"
case $kernel in
series)	"$top/scripts/tree.sh"
	img=$("$top/scripts/build-kernel.sh" "$cfg" | tail -1) ;;
base)	"$top/scripts/tree.sh" --worktree base base
	img=$("$top/scripts/build-kernel.sh" "$cfg" "$build/wt/base" "$build/out/base/$cfg" | tail -1) ;;
naive)	"$top/scripts/tree.sh" --worktree naive base "$top/controls/arm64-naive-enable.patch"
	img=$("$top/scripts/build-kernel.sh" "$cfg" "$build/wt/naive" "$build/out/naive/$cfg" | tail -1) ;;
esac
"$top/scripts/build-guest.sh" "$arch" >/dev/null
"$top/scripts/run-boot.sh" "control-$name" "$arch" "$img" "$tests" hugetlb_free_vmemmap=on \
	"${args[@]}"
log=$build/results/control-$name.log
if "$top/scripts/results.sh" "$build/results/control-$name.ktap"; then
	say "control $name: NO failure reported for a known-bad kernel: the harness missed it"
	exit 1
fi
if ! grep -q "$expect" "$log"; then
	say "control $name: reported failing, but the console lacks \"$expect\": it failed for another reason"
	exit 1
fi
if [ $finish = 1 ] && ! grep -q '^# hvo-init: done' "$log"; then
	say "control $name: \"$expect\" seen, but the guest did not finish"
	exit 1
fi
say "control $name: the harness reported it failing, with \"$expect\", as it must"
