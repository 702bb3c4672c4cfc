#!/bin/bash
# The test command: series applies, checkpatch, build arm64-4k and x86_64,
# boot each with HVO on (functional test + hugetlb kselftests) and with
# hugetlb_free_vmemmap=off, judge the consoles. Ends with "N passed, N failed".
#
#   test.sh [CONFIG...]     default: arm64-4k x86_64
set -uo pipefail
. "$(dirname "$0")/lib.sh"
configs=("$@"); [ ${#configs[@]} -gt 0 ] || configs=(arm64-4k x86_64)
res=$build/results
declare -A guest_built
t0=$SECONDS
"$top/scripts/deps.sh" || die "could not install the packages"
rm -rf "$res" && mkdir -p "$res"


say "[$((SECONDS - t0)) s] series: apply patches/ to the base"
step_ktap "$res/series-applies.ktap" series-applies "$top/scripts/tree.sh"
applied=$?
say "[$((SECONDS - t0)) s] checkpatch --strict"
if [ $applied = 0 ]; then
	"$top/scripts/checkpatch.sh" > "$res/checkpatch.ktap"
	grep -E '^(not ok|# .*(ERROR|WARNING))' "$res/checkpatch.ktap" >&2
fi

for cfg in "${configs[@]}"; do
	[ $applied = 0 ] || break
	arch=${cfg%%-*}
	say "[$((SECONDS - t0)) s] $cfg: kernel"
	step_ktap "$res/build-$cfg.ktap" "build.$cfg" "$top/scripts/build-kernel.sh" "$cfg" || continue
	img=$(tail -1 "$res/build-$cfg.ktap.log")
	if [ -z "${guest_built[$arch]:-}" ]; then
		say "[$((SECONDS - t0)) s] $arch: guest"
		step_ktap "$res/guest-$arch.ktap" "guest.$arch" "$top/scripts/build-guest.sh" "$arch" || continue
		guest_built[$arch]=1
	fi
	say "[$((SECONDS - t0)) s] $cfg: boot with hugetlb_free_vmemmap=on"
	"$top/scripts/run-boot.sh" "$cfg.hvo-on" "$arch" "$img" "hvo_savings,$kselftests_default,hugetlb_vmemmap_stress" \
		hugetlb_free_vmemmap=on > /dev/null
	say "[$((SECONDS - t0)) s] $cfg: boot with hugetlb_free_vmemmap=off"
	"$top/scripts/run-boot.sh" "$cfg.hvo-off" "$arch" "$img" hvo_savings_off \
		hugetlb_free_vmemmap=off > /dev/null
done

say "[$((SECONDS - t0)) s] results"
for log in "$res"/*.log; do
	grep -h -e '# savings:' -e '# stress:' "$log" 2>/dev/null | sed "s|^ *# *|${log##*/}: |" >&2
done
"$top/scripts/results.sh" "$res"/*.ktap
