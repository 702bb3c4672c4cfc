#!/bin/bash
# The main job: build the patched arm64-4k kernel, boot it with
# hugetlb_free_vmemmap=on, allocate huge pages of every size through sysfs
# (hvo_savings), run the hugetlb kselftests, then print the vmemmap freed per
# hstate against the theoretical maximum and the verdict.
#
#   run.sh [CONFIG]     default arm64-4k
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
cfg=${1:-arm64-4k}
arch=${cfg%%-*}
t0=$SECONDS
"$top/steps/deps.sh"
"$top/steps/tree.sh"
"$top/steps/build-kernel.sh" "$cfg"
img=$(kernel_image "$cfg")
"$top/steps/build-guest.sh" "$arch" >/dev/null
"$top/steps/run-boot.sh" "$cfg.run" "$arch" "$img" "@run-$base-$arch" hugetlb_free_vmemmap=on \
	> /dev/null
log=$resdir/$cfg.run.log

echo
echo "HugeTLB Vmemmap Optimization on $cfg, Linux $base series ($((SECONDS - t0)) s in all)"
printf '%-12s %8s %16s %20s\n' hstate pages "vmemmap freed" "theoretical max"
# The first line of each hstate is its allocation test; later ones are the
# runtime sysctl off/on checks.
grep -h '# savings:' "$log" | sed 's/.*# savings: //' | awk '!seen[$1]++' | awk "$awk_lib"'{
	kv(1, v)
	n = v["pages"]; max = max_saved_kib(v["hstate"] + 0, v["page_kib"] + 0, n)
	printf "%-12s %8d %12d KiB %16d KiB%s\n", v["hstate"], n, v["freed_kib"], max,
		max ? sprintf(" (%d%%)", 100 * v["freed_kib"] / max) : " (not optimizable)"
}'
grep -h '# stress:' "$log" | sed 's/.*# stress: /stress test: /'
echo
"$top/reports/results.sh" "$resdir/$cfg.run.ktap"
