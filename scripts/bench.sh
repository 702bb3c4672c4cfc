#!/bin/bash
# The cost of HVO against x86_64's: time 1000 default-size (2M) huge pages
# allocated and freed through sysfs (guest/hvo_bench.c, median of 5 rounds),
# with HVO off and on (vm.hugetlb_optimize_vmemmap) in one boot of each of
# the series' arm64-4k and x86_64 kernels (HVO_BASE, default 7.3). Prints
# the medians, the on/off ratio per kernel, and arm64's ratio over x86_64's:
# what arm64 adds above HVO's own cost. Ratios are taken within one boot, so
# they do not depend on how fast the host is; QEMU TCG makes broadcast TLB
# invalidation expensive, so arm64's absolute times are an upper bound.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$top/scripts/deps.sh"
"$top/scripts/tree.sh"
cfgs=(arm64-4k x86_64)
for cfg in "${cfgs[@]}"; do
	arch=${cfg%%-*}
	img=$("$top/scripts/build-kernel.sh" "$cfg" | tail -1)
	"$top/scripts/build-guest.sh" "$arch" >/dev/null
	"$top/scripts/run-boot.sh" "bench-$cfg" "$arch" "$img" hvo_bench_off,hvo_bench_on \
		hugetlb_free_vmemmap=on > /dev/null
done
echo
echo "HVO cost, Linux $base series, $(date -u +%Y-%m-%d), $(nproc) host CPUs, QEMU TCG"
printf '%-9s %-4s %10s %10s\n' kernel hvo alloc_s free_s
for cfg in "${cfgs[@]}"; do
	grep -h 'bench-median:' "$resdir/bench-$cfg.log" | sed 's/.*bench-median: //' |
		sed "s/^/kernel=$cfg /"
done | awk '{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "%-9s %-4s %10.4f %10.4f\n", v["kernel"], v["hvo"] ? "on" : "off", v["alloc_s"], v["free_s"]
	a[v["kernel"], v["hvo"]] = v["alloc_s"]; f[v["kernel"], v["hvo"]] = v["free_s"]
	k[v["kernel"]] = 1
} END {
	for (x in k) if (a[x, 0] > 0 && f[x, 0] > 0) {
		ra[x] = a[x, 1] / a[x, 0]; rf[x] = f[x, 1] / f[x, 0]
		printf "%-9s on/off  alloc x%.2f  free x%.2f\n", x, ra[x], rf[x]
	}
	if (ra["arm64-4k"] && ra["x86_64"])
		printf "arm64 (on/off) / x86_64 (on/off): alloc %.2f  free %.2f\n",
			ra["arm64-4k"] / ra["x86_64"], rf["arm64-4k"] / rf["x86_64"]
}'
"$top/scripts/results.sh" "$resdir"/bench-*.ktap
