#!/bin/bash
# The full matrix (on demand, not CI): every arm64 granule and table depth,
# each paired with a preemption model and a checker, booted as ./hvo test
# boots a configuration (steps/test-config.sh: HVO on at EL2 with VHE and
# huge pages reserved at boot, HVO's own allocations made to fail where the
# kernel has fail_page_alloc, then HVO off at EL1); the hugetlb category of
# the kernel's own run_vmtests.sh, with HVO on; and arm64-4k again with
# 1, 2, 8 and 16 CPUs (stress and savings). Then one table of every result in build/matrix, and
# build/matrix/matrix.json (reports/matrix-table.sh). A run replaces the
# results of the configurations it runs and keeps the others, so that one
# cell can be run again ("./hvo matrix 7.3:arm64-64k-42").
#
#   matrix.sh [BASE:CONFIG...]
#
# Default: 7.3 and 6.12, each with arm64-4k (48-bit VA, PREEMPT,
# DEBUG_PREEMPT, fail_page_alloc), arm64-4k-39 (KASAN), arm64-4k-52 (LPA2,
# PREEMPT_RT, lockdep), arm64-16k-36 (2 levels, the smallest linear map,
# booted once more with 32 GiB: lib.sh linear_map_mem), arm64-16k-47
# (fail_page_alloc), arm64-16k-48 (PREEMPT, lockdep), arm64-64k-42,
# arm64-64k-52 (LVA/LPA, lockdep); the lazy, voluntary or no-preemption
# models per base are in configs/BASE/. Every arm64 boot also checks that the
# kernel kept all its RAM (the "memory" pseudo-test of parse-console.sh).
# HVO_MATRIX_SMP overrides the CPU counts ("" for none), HVO_MATRIX_TIMEOUT
# QEMU's time limit per boot (3600 s, or more where the boot's tests' own
# limits add up to more: run-boot.sh). The 4K configurations run all
# four KVM selftests of lib.sh workload_boots (HVO_WORKLOAD_KVM=all).
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
configs=(arm64-4k arm64-4k-39 arm64-4k-52 arm64-16k-36 arm64-16k-47 arm64-16k-48 arm64-64k-42
	 arm64-64k-52)
specs=("$@")
if [ ${#specs[@]} = 0 ]; then
	for b in 7.3 6.12; do specs+=("${configs[@]/#/$b:}"); done
fi
mdir=$build/matrix
t0=$SECONDS
"$top/steps/deps.sh" || die "could not install the packages"

groups=$(specs_by_base "${specs[@]}") || exit 1
while read -r b cfgs; do
	say "[$((SECONDS - t0)) s] $b series"
	# shellcheck disable=SC2086 # the configurations are words
	HVO_BASE=$b HVO_RESDIR=$mdir/$b HVO_WORKLOAD_KVM=all "$top/steps/matrix-base.sh" $cfgs < /dev/null
done <<< "$groups"
say "[$((SECONDS - t0)) s] matrix done"
bases=(); for b in 7.3 6.12; do [ -d "$mdir/$b" ] && bases+=("$b"); done
"$top/reports/matrix-table.sh" "$mdir" "${bases[@]}"
