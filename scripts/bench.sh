#!/bin/bash
# The cost of HVO: time 1000 default-size huge pages allocated and freed
# through sysfs (guest/hvo_bench.c, median of 5 rounds), with HVO off and on
# in one boot of the series' arm64-4k kernel, and, if it was built
# (./hvo control arm64-naive), of the naive unsafe enable. Prints the medians
# and the ratios on/off within each boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$top/scripts/deps.sh"
"$top/scripts/tree.sh"
img=$("$top/scripts/build-kernel.sh" arm64-4k | tail -1)
"$top/scripts/build-guest.sh" arm64 >/dev/null
kernels=("series:$img")
naive=$outdir-naive/arm64-4k/arch/arm64/boot/Image
[ -f "$naive" ] && kernels+=("naive:$naive")
for k in "${kernels[@]}"; do
	"$top/scripts/run-boot.sh" "bench-${k%%:*}" arm64 "${k#*:}" hvo_bench_off,hvo_bench_on \
		hugetlb_free_vmemmap=on > /dev/null
done
echo
printf '%-8s %-5s %10s %10s\n' kernel hvo alloc_s free_s
for k in "${kernels[@]}"; do
	grep -h 'bench-median:' "$resdir/bench-${k%%:*}.log" | sed 's/.*bench-median: //' |
	awk -v k="${k%%:*}" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%-8s %-5s %10.4f %10.4f\n", k, v["hvo"], v["alloc_s"], v["free_s"]
		a[v["hvo"]] = v["alloc_s"]; f[v["hvo"]] = v["free_s"]
	} END {
		if (a["0"] > 0 && f["0"] > 0)
			printf "%-8s on/off  alloc x%.2f  free x%.2f\n", k, a["1"] / a["0"], f["1"] / f["0"]
	}'
done
"$top/scripts/results.sh" "$resdir"/bench-*.ktap
