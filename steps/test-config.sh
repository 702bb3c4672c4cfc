#!/bin/bash
# The boots of one built configuration (HVO_BASE, see lib.sh): with HVO on
# and huge pages reserved on the command line (the suite lib.sh main_suite
# picks in guest/tests.list: hvo_inject, the collapse checks, hvo_bootmem,
# the stress, hvo_savings, the hugetlb kselftests, hvo_pool_max), checking
# on arm64 that
# the kernel ran at EL2 with VHE; on 7.3 arm64 4K, the boots on other CPU
# models (cpu_boots) and of variant kernels (variant_boots); the pool grown
# to the maximum first thing after boot
# (fresh_boots); the workloads on two NUMA nodes (workload_boots); then at
# EL1 with hugetlb_free_vmemmap=off.
# KTAP files land in build/results/BASE/ (HVO_RESDIR).
#
#   test-config.sh CONFIG IMAGE
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
cfg=$1 img=$2
arch=${cfg%%-*}
res=$resdir
mem=$(guest_mem "$cfg"); [ -n "$mem" ] && export MEM=$mem
# A KASAN configuration (lib.sh kasan_boots) has only its own boots, each
# also checked for KASAN's state and for HVO's boot line.
if [ -n "$(kasan_boots "$cfg")" ]; then
	for spec in $(kasan_boots "$cfg"); do
		IFS=: read -r name args tests <<< "$spec"
		[ "$args" = - ] && args=
		say "$cfg: boot $name (MTE) with hugetlb_free_vmemmap=on ${args//,/ }"
		# shellcheck disable=SC2086 # the arguments are words
		MTE=1 "$top/steps/run-boot.sh" "$cfg.$name" "$arch" "$img" "$tests" \
			hugetlb_free_vmemmap=on ${args//,/ } > /dev/null
		case $name in
		tags-on) want='KernelAddressSanitizer initialized (hw-tags'
			 line='HVO) off: KASAN hardware tags are on' ;;
		*)	 want='' line='HVO) on' ;;
		esac
		[ -z "$want" ] || step_ktap "$res/$cfg.$name.kasan.ktap" "$base.$cfg.$name.kasan-on" \
			grep -m1 -F "$want" "$res/$cfg.$name.log"
		step_ktap "$res/$cfg.$name.hvo-line.ktap" "$base.$cfg.$name.hvo-line" \
			grep -m1 -F "$line" "$res/$cfg.$name.log"
	done
	exit 0
fi
read -ra bootmem <<< "$(bootmem_args "$cfg")"
suite=$(main_suite "$cfg") || exit 1
say "$cfg: boot $suite with hugetlb_free_vmemmap=on ${bootmem[*]}"
"$top/steps/run-boot.sh" "$cfg.hvo-on" "$arch" "$img" "$suite" \
	hugetlb_free_vmemmap=on "${bootmem[@]}" > /dev/null
# arm64 boots at EL2 with VHE (boot.sh), as KVM hosts run, and this must be
# visible on the console; the boot with HVO off runs at EL1.
[ "$arch" = arm64 ] && step_ktap "$res/$cfg.vhe.ktap" "$base.$cfg.hvo-on.vhe" \
	grep -m1 'CPU features: detected: Virtualization Host Extensions' \
	"$res/$cfg.hvo-on.log"
# A 52-bit VA kernel must have used it (LPA2 with 4K pages, LVA with 64K):
# without the CPU feature it would fall back to 48 bits, a table level less.
case $cfg in
arm64-*-52) step_ktap "$res/$cfg.va52.ktap" "$base.$cfg.hvo-on.va52" \
		grep -m1 'CPU features: detected: 52-bit Virtual Addressing (L' \
		"$res/$cfg.hvo-on.log" ;;
esac
# On 7.3 arm64 4K, the vmemmap PMD split path of each kind of CPU (lib.sh
# cpu_boots), at EL2 like the main boot.
for spec in $(cpu_boots "$cfg"); do
	IFS=: read -r cpu hvo tests <<< "$spec"
	say "$cfg: boot on -cpu $cpu with hugetlb_free_vmemmap=$hvo"
	CPU=$cpu "$top/steps/run-boot.sh" "$cfg.$cpu.hvo-$hvo" "$arch" "$img" "$tests" \
		hugetlb_free_vmemmap="$hvo" > /dev/null
done
# Variant kernels: the series plus controls/BASE/VARIANT.patch, built in their
# own tree (ccache serves what they share with the main build).
for spec in $(variant_boots "$cfg"); do
	IFS=: read -r v cpu tests <<< "$spec"
	say "$cfg: variant $v, boot on -cpu $cpu"
	step_ktap "$res/build-$cfg.$v.ktap" "$base.build.$cfg.$v" \
		"$top/steps/build-variant.sh" "$v" "$cfg" hvo "$top/controls/$base/$v.patch" || continue
	CPU=$cpu "$top/steps/run-boot.sh" "$cfg.$v.$cpu.hvo-on" "$arch" \
		"$(variant_image "$v" "$cfg")" "$tests" hugetlb_free_vmemmap=on > /dev/null
done
# A freshly booted machine whose first act is to grow the pool to the
# maximum (lib.sh fresh_boots): every round keeps the saving, nothing
# invokes the OOM killer.
for spec in $(fresh_boots "$cfg"); do
	IFS=: read -r cpu mem hvo <<< "$spec"
	t=hvo_pool_max_fresh; [ "$hvo" = off ] && t=hvo_pool_max_fresh_off
	say "$cfg: fresh boot, $mem, -cpu $cpu, hugetlb_free_vmemmap=$hvo: pool to the maximum first"
	CPU=$cpu MEM=$mem "$top/steps/run-boot.sh" "$cfg.fresh.$cpu.$mem.hvo-$hvo" "$arch" "$img" \
		"$t" hugetlb_free_vmemmap="$hvo" > /dev/null
done
# The workloads HVO exists for (lib.sh workload_boots), on two NUMA nodes;
# on arm64 KVM must have come up at EL2 for its selftests to mean anything.
for spec in $(workload_boots "$cfg"); do
	IFS=: read -r name mem tcg tests <<< "$spec"
	say "$cfg: $name boot, two NUMA nodes, $mem, $tcg-threaded TCG, hugetlb_free_vmemmap=on"
	TCG=$tcg NUMA=2 MEM=$mem "$top/steps/run-boot.sh" "$cfg.$name" "$arch" "$img" "$tests" \
		hugetlb_free_vmemmap=on > /dev/null
	step_ktap "$res/$cfg.$name.numa.ktap" "$base.$cfg.$name.numa" \
		grep -m1 'Initmem setup node 1 \[mem' "$res/$cfg.$name.log"
	case $tests in
	*kvm_*) step_ktap "$res/$cfg.$name.kvm.ktap" "$base.$cfg.$name.kvm" \
			grep -m1 'kvm \[[0-9]*\]: VHE mode initialized successfully' \
			"$res/$cfg.$name.log" ;;
	esac
done
say "$cfg: boot with hugetlb_free_vmemmap=off"
EL=1 "$top/steps/run-boot.sh" "$cfg.hvo-off" "$arch" "$img" hvo_savings_off \
	hugetlb_free_vmemmap=off > /dev/null
exit 0
