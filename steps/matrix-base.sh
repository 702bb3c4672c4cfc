#!/bin/bash
# The matrix's boots of one series (HVO_BASE; results in HVO_RESDIR, which
# commands/matrix.sh sets to build/matrix/BASE): the series applies, the
# guest builds, then for each configuration the kernel, its boots as
# ./hvo test boots it (steps/test-config.sh, with the time limit below), the
# hugetlb category of run_vmtests.sh with HVO on, a boot with all the RAM the
# linear map covers where that is the point of the cell (lib.sh
# linear_map_mem), and arm64-4k with each CPU count of HVO_MATRIX_SMP
# (default "1 2 8 16"). The results of each configuration it runs replace
# the old ones; the others stay.
#
#   matrix-base.sh CONFIG...
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
[ $# -gt 0 ] || die "usage: matrix-base.sh CONFIG..."
res=$resdir
smps=${HVO_MATRIX_SMP-1 2 8 16}
# QEMU's limit for a matrix boot: CI caps a boot at 1200 s, too short here for
# the slower kernels (KASAN, lockdep, RT) and for 16K and 64K pages, whose
# huge pages take 16 and 256 times as long to clear in the tests that fault
# them in under TCG.
limit=${HVO_MATRIX_TIMEOUT:-3600}
t0=$SECONDS
mkdir -p "$res"
rm -f "$res"/series-applies.* "$res"/guest-arm64.*
say "[$((SECONDS - t0)) s] $base series: apply"
step_ktap "$res/series-applies.ktap" "$base.series-applies" "$top/steps/tree.sh" || exit 1
step_ktap "$res/guest-arm64.ktap" "$base.guest.arm64" "$top/steps/build-guest.sh" arm64 || exit 1
for cfg in "$@"; do
	rm -f "$res/build-$cfg".* "$res/$cfg".*
	say "[$((SECONDS - t0)) s] $base $cfg: kernel"
	step_ktap "$res/build-$cfg.ktap" "$base.build.$cfg" "$top/steps/build-kernel.sh" "$cfg" ||
		continue
	img=$(kernel_image "$cfg")
	say "[$((SECONDS - t0)) s] $base $cfg: boots"
	TIMEOUT=$limit "$top/steps/test-config.sh" "$cfg" "$img"
	say "[$((SECONDS - t0)) s] $base $cfg: run_vmtests.sh -t hugetlb"
	TIMEOUT=$limit MEM=$(guest_mem "$cfg") "$top/steps/run-boot.sh" "$cfg.vmtests" arm64 "$img" \
		run_vmtests_hugetlb hugetlb_free_vmemmap=on > /dev/null
	mem=$(linear_map_mem "$cfg")
	if [ -n "$mem" ]; then
		say "[$((SECONDS - t0)) s] $base $cfg: $mem of RAM, all the linear map covers"
		TIMEOUT=$limit NORESERVE=1 MEM=$mem "$top/steps/run-boot.sh" "$cfg.linear-map" \
			arm64 "$img" hvo_savings hugetlb_free_vmemmap=on > /dev/null
	fi
	[ "$cfg" = arm64-4k ] || continue
	for n in $smps; do
		say "[$((SECONDS - t0)) s] $base $cfg: -smp $n"
		SMP=$n "$top/steps/run-boot.sh" "$cfg.smp$n" arm64 "$img" \
			"hvo_savings,$(smp_stress_test)" hugetlb_free_vmemmap=on > /dev/null
	done
done
