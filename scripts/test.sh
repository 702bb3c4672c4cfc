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
	# Two 1G pages reserved at boot (x86_64's boot.sh already names the 1G
	# hstate): hvo_bootmem checks and frees them before the others run.
	bootmem=(hugepages=2); [ "$arch" = arm64 ] && bootmem=(hugepagesz=1G hugepages=2)
	say "[$((SECONDS - t0)) s] $cfg: boot with hugetlb_free_vmemmap=on ${bootmem[*]}"
	"$top/scripts/run-boot.sh" "$cfg.hvo-on" "$arch" "$img" \
		"hvo_bootmem,hvo_savings,$kselftests_default,hugetlb_vmemmap_stress,hvo_pool_max" \
		hugetlb_free_vmemmap=on "${bootmem[@]}" > /dev/null
	# arm64 boots at EL2 with VHE (boot.sh), as KVM hosts run, and this
	# must be visible on the console; the boot with HVO off runs at EL1.
	[ "$arch" = arm64 ] && step_ktap "$res/$cfg.vhe.ktap" "$cfg.hvo-on.vhe" \
		grep -m1 'CPU features: detected: Virtualization Host Extensions' \
		"$res/$cfg.hvo-on.log"
	say "[$((SECONDS - t0)) s] $cfg: boot with hugetlb_free_vmemmap=off"
	EL=1 "$top/scripts/run-boot.sh" "$cfg.hvo-off" "$arch" "$img" hvo_savings_off \
		hugetlb_free_vmemmap=off > /dev/null
done

say "[$((SECONDS - t0)) s] results"
for log in "$res"/*.log; do
	grep -h -e '# savings:' -e '# stress:' -e '# bootmem:' -e '# pool-max:' "$log" 2>/dev/null |
		sed "s|^ *# *|${log##*/}: |" >&2
done
"$top/scripts/results.sh" "$res"/*.ktap
