#!/bin/bash
# Negative controls: known-bad kernels (or known-bad settings) the harness
# must report as failing, each for its own reason. For the series of
# HVO_BASE (7.3 or 6.12; see lib.sh):
#
#   control.sh x86-base      6.12 only: x86_64 on the bare base: freeing
#                            HVO-optimized pages must give "Bad page state"
#   control.sh x86-base-oom  x86_64 on the bare base: growing the pool to the
#                            maximum with HVO on must invoke the OOM killer
#   control.sh arm64-naive   arm64-4k on the bare base plus only the Kconfig
#                            select (controls/BASE/arm64-naive-enable.patch):
#                            DEBUG_VM must warn "unsafe attribute change"
#   control.sh arm64-nofixup 6.12 only: the full series (arm64-4k), with the
#                            stress test run with the fault fixup disabled:
#                            CPUs that touch a struct page inside a window
#                            must oops
#   control.sh arm64-nofixup-irq
#                            6.12 only: the same, with the kernel's test
#                            readers in hardirq, softirq and NMI context: one
#                            of them must oops (its backtrace names
#                            vmemmap_test_read)
#   control.sh arm64-stall   6.12 only: the full series, windows held open
#                            1.5 s and vmemmap_bbm.stall_timeout_s=1: a waiter
#                            must report the stall and keep waiting
#   control.sh arm64-tail-bbm
#                            7.3 only: the series with its tail changes made
#                            through an invalid entry held 2 ms
#                            (controls/7.3/arm64-tail-bbm.patch): a stress
#                            reader must oops (there is no fault fixup)
#   control.sh arm64-tail-bbm-irq
#                            7.3 only: the same, with the kernel's readers in
#                            hardirq, softirq and NMI context: one of them must
#                            oops (its backtrace names vmemmap_test_read)
#   control.sh arm64-af-without-ha
#                            7.3 only: the series with the Access Flag split
#                            taken on any CPU (controls/7.3/
#                            arm64-af-without-ha.patch), on -cpu cortex-a57
#                            (no hardware AF) booted with HVO off, HVO then
#                            turned on by hvo_split_path: the access to a
#                            block whose AF the split cleared must take an
#                            Access Flag fault
#   control.sh arm64-bootmem-tails
#                            7.3 only: the series with its patch 0004 undone
#                            (controls/7.3/arm64-bootmem-tails.patch: the tail
#                            check applies to boot-time gigantic folios again),
#                            booted with 32M pages reserved on the command
#                            line, which pre-HVO skips: DEBUG_VM must warn in
#                            vmemmap_remap_pte() at boot (hvo_bootmem fails)
#   control.sh arm64-unsafe-remap
#                            7.3 only: the series with tail output addresses
#                            changed while still writable (controls/7.3/
#                            arm64-unsafe-remap.patch): the CONFIG_DEBUG_VM
#                            check must warn
#                            "vmemmap: unsafe output address change"
#   control.sh arm64-kasan-unchecked
#                            7.3 only: the series without its check of KASAN's
#                            hardware tags (controls/7.3/
#                            arm64-kasan-unchecked.patch), arm64-kasan on a
#                            machine with MTE: soft offline copies into an
#                            optimized folio, whose read-only tail struct pages
#                            take the tag reset: it must fault
#   control.sh fresh-unfixed
#                            7.3 only: the series without what it does for a
#                            pool grown to the maximum on a fresh machine
#                            (controls/7.3/fresh-unfixed.patch undoes the
#                            head copy's fallback and patch 6), one CPU,
#                            2 GiB, the pool grown right after boot
#                            (hvo_pool_max -f on): a round must keep less
#                            than 99% of the saving
#   control.sh x86-collapse-charged
#                            7.3 only: x86 opted in to the collapse, with
#                            reserve_allocated_page() leaving the allocation
#                            tag charged (controls/7.3/
#                            x86-collapse-charged.patch), x86_64 with
#                            allocation profiling: hvo_collapse_allocinfo
#                            must find the re-reserved pages still charged
#                            to vmemmap_alloc_in_place() in /proc/allocinfo
#   control.sh memstart-16g  7.3 only: the series with memstart_addr rounded
#                            down to 16GiB on every granule, as its previous
#                            version did (controls/7.3/memstart-16g.patch),
#                            arm64-16k-36 (a 32 GiB linear map) with 32 GiB
#                            of RAM: the kernel must drop the top 1 GiB, and
#                            the boot's "memory" check must fail
#
# Exit 0 when the harness reported the failure and the console shows the
# failure the control is about (the control works), 1 otherwise: a known-bad
# kernel that came out clean, or one that failed for another reason.
set -euo pipefail
# Controls are expected to fail: their results go to build/controls/BASE,
# never among the test results that ./hvo test sums up.
. "$(dirname "$0")/../lib/lib.sh"
resdir=${HVO_RESDIR:-$build/controls/$base}
export HVO_RESDIR=$resdir
name=${1:?usage: control.sh x86-base|x86-base-oom|arm64-naive|arm64-nofixup|arm64-nofixup-irq|arm64-stall|arm64-tail-bbm|arm64-tail-bbm-irq|arm64-af-without-ha|arm64-bootmem-tails|arm64-unsafe-remap|arm64-kasan-unchecked|fresh-unfixed|memstart-16g|x86-collapse-charged}
kernel=series args=() finish=0 hvo=on cpu= smp= mem= mte= noreserve=
case $base:$name in
6.12:x86-base)	cfg=x86_64 kernel=base tests=hvo_savings,hugepage-vmemmap
		expect='BUG: Bad page state' ;;
*:x86-base-oom)	cfg=x86_64 kernel=base tests=hvo_pool_max expect='invoked oom-killer' ;;
6.12:arm64-naive)
		cfg=arm64-4k kernel=naive tests=hvo_savings,hugepage-vmemmap
		expect='unsafe attribute change' ;;
7.3:arm64-naive)
		cfg=arm64-4k kernel=naive tests=hvo_savings expect='unsafe attribute change' ;;
7.3:arm64-bootmem-tails)
		cfg=arm64-4k kernel=series+arm64-bootmem-tails tests=hvo_bootmem
		args=(hugepagesz=32M hugepages=4) expect='WARNING: .* at vmemmap_remap_pte' ;;
6.12:arm64-nofixup) cfg=arm64-4k tests=hugetlb_vmemmap_stress_nofixup
		expect='Unable to handle kernel paging request' ;;
6.12:arm64-nofixup-irq)
		cfg=arm64-4k tests=hugetlb_vmemmap_stress_nofixup_irq expect='vmemmap_test_read' ;;
6.12:arm64-stall) cfg=arm64-4k tests=hugetlb_vmemmap_stress_stall finish=1
		args=(vmemmap_bbm.stall_timeout_s=1) expect='INFO: vmemmap BBM window stall' ;;
7.3:arm64-tail-bbm)
		cfg=arm64-4k kernel=series+arm64-tail-bbm tests=hvo_stress_tail_bbm
		expect='Unable to handle kernel paging request' ;;
7.3:arm64-tail-bbm-irq)
		cfg=arm64-4k kernel=series+arm64-tail-bbm tests=hvo_stress_tail_bbm_irq
		# An oops in NMI context panics; panic=-1 would reset the guest
		# before the console has printed it.
		args=(panic=5) expect='vmemmap_test_read' ;;
7.3:arm64-af-without-ha)
		cfg=arm64-4k kernel=series+arm64-af-without-ha tests=hvo_split_af hvo=off
		cpu=cortex-a57 expect='access flag fault' ;;
7.3:arm64-unsafe-remap)
		cfg=arm64-4k kernel=series+arm64-unsafe-remap tests=hvo_stress_unsafe finish=1
		expect='vmemmap: unsafe output address change' ;;
7.3:arm64-kasan-unchecked)
		cfg=arm64-kasan kernel=series+arm64-kasan-unchecked mte=1
		tests=hvo_savings,hugetlb-soft-offline expect='Unable to handle kernel' ;;
7.3:fresh-unfixed)
		cfg=arm64-4k kernel=series+fresh-unfixed tests=hvo_pool_max_fresh
		smp=1 mem=2G expect='not ok .* 99% of the saving kept at every maximum' ;;
7.3:x86-collapse-charged)
		cfg=x86_64 kernel=series+x86-collapse-charged tests=hvo_collapse_allocinfo
		expect='not ok .* allocinfo: [1-9][0-9]* bytes charged to vmemmap_alloc_in_place' ;;
7.3:memstart-16g)
		cfg=arm64-16k-36 kernel=series+memstart-16g tests=hvo_savings
		mem=$(linear_map_mem arm64-16k-36) noreserve=1
		expect="Memory doesn't fit in the linear mapping" ;;
*)		die "no control $name for the $base series" ;;
esac
arch=${cfg%%-*}
"$top/steps/deps.sh"
# Each kind of kernel: the series, the bare base, the series plus a control
# patch (controls/BASE/NAME.patch), the base with only the Kconfig select.
case $kernel in
series)	"$top/steps/tree.sh"
	"$top/steps/build-kernel.sh" "$cfg"
	img=$(kernel_image "$cfg") ;;
base)	"$top/steps/build-variant.sh" base "$cfg" base
	img=$(variant_image base "$cfg") ;;
series+*)
	n=${kernel#series+}
	"$top/steps/tree.sh"
	"$top/steps/build-variant.sh" "$n" "$cfg" hvo "$top/controls/$base/$n.patch"
	img=$(variant_image "$n" "$cfg") ;;
naive)	"$top/steps/build-variant.sh" naive "$cfg" base "$top/controls/$base/arm64-naive-enable.patch"
	img=$(variant_image naive "$cfg") ;;
esac
"$top/steps/build-guest.sh" "$arch" >/dev/null
[ -z "$smp" ] || export SMP=$smp
[ -z "$mem" ] || export MEM=$mem
[ -z "$mte" ] || export MTE=$mte
[ -z "$noreserve" ] || export NORESERVE=$noreserve
CPU=$cpu "$top/steps/run-boot.sh" "control-$name" "$arch" "$img" "$tests" \
	hugetlb_free_vmemmap=$hvo "${args[@]}"
log=$resdir/control-$name.log
if "$top/reports/results.sh" "$resdir/control-$name.ktap"; then
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
