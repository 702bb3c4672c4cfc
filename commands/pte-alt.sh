#!/bin/bash
# The alternative to splitting vmemmap PMD blocks on demand: map the whole
# vmemmap with PTEs from boot, so that HVO never splits (and never opens a
# window, even without BBML3). Measured with one kernel, the series plus the
# measurement-only controls/BASE/arm64-vmemmap-pte.patch (vmemmap_pte=1 on
# the command line selects PTEs), booted both ways with HVO on:
#   - memory: the memory the kernel reserved at boot ("Memory: ... reserved"
#     on the console: the PTE tables come from memblock; MemFree later varies
#     from boot to boot by more than they cost);
#   - struct-page access: a read of every struct page through
#     /proc/kpageflags (guest/hvo_scan.c, median of 5);
#   - HVO cost: 1000 x 2M allocated and freed (guest/hvo_bench.c, median of 5).
# Prints PTE over PMD as differences and ratios, within this host.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
patch=$top/controls/$base/arm64-vmemmap-pte.patch
[ -f "$patch" ] || die "no $patch: the $base series has no PTE variant"
"$top/steps/deps.sh"
"$top/steps/tree.sh"
# A variant tree laid out like the main one: ccache serves all but mmu.c.
"$top/steps/build-variant.sh" pte arm64-4k hvo "$patch"
img=$(variant_image pte arm64-4k)
"$top/steps/build-guest.sh" arm64 >/dev/null
for map in pmd pte; do
	v=0; [ $map = pte ] && v=1
	"$top/steps/run-boot.sh" "pte-alt-$map" arm64 "$img" hvo_scan,hvo_bench_on,hvo_savings \
		hugetlb_free_vmemmap=on vmemmap_pte=$v > /dev/null
done
val() { # MAP KEY: the value of KEY= on the log's scan-median/bench-median line
	grep -h -e 'scan-median:' -e 'bench-median:' "$resdir/pte-alt-$1.log" |
		tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}
reserved() { # MAP: KiB reserved at boot, from "Memory: ..., NK reserved, ..."
	sed -n 's/^Memory: .* \([0-9]*\)K reserved.*/\1/p' "$resdir/pte-alt-$1.log" | head -1
}
echo
echo "vmemmap mapped with PTEs from boot vs PMD blocks split on demand, Linux $base arm64-4k,"
echo "$(date -u +%Y-%m-%d), $(nproc) host CPUs, QEMU TCG, HVO on, 1000 x 2M"
printf '%-5s %12s %12s %10s %10s\n' map reserved_kb scan_ns_pfn alloc_s free_s
for map in pmd pte; do
	printf '%-5s %12s %12s %10s %10s\n' $map "$(reserved $map)" "$(val $map ns_per_pfn)" \
		"$(val $map alloc_s)" "$(val $map free_s)"
done
awk -v fa="$(reserved pmd)" -v fb="$(reserved pte)" \
    -v sa="$(val pmd ns_per_pfn)" -v sb="$(val pte ns_per_pfn)" \
    -v aa="$(val pmd alloc_s)" -v ab="$(val pte alloc_s)" \
    -v ra="$(val pmd free_s)" -v rb="$(val pte free_s)" 'BEGIN {
	if (sa > 0 && aa > 0 && ra > 0)
		printf "pte - pmd: reserved %+d KiB; pte / pmd: scan x%.3f, alloc x%.3f, free x%.3f\n",
			fb - fa, sb / sa, ab / aa, rb / ra
	else
		print "pte-alt: a measurement is missing (see the logs)"
}'
grep -h -e '# savings:' "$resdir"/pte-alt-*.log | sed 's/^ *# */  /' || true
"$top/reports/results.sh" "$resdir"/pte-alt-*.ktap
