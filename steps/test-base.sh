#!/bin/bash
# The tests of one series (HVO_BASE, see lib.sh): series applies,
# checkpatch, build each configuration, boot each with HVO on (functional
# tests, hugetlb kselftests, stress, pool maximum) and with
# hugetlb_free_vmemmap=off, judge the consoles. KTAP files land in
# build/results/BASE/; test.sh sums them up.
#
#   test-base.sh CONFIG...
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
configs=("$@"); [ ${#configs[@]} -gt 0 ] || die "usage: test-base.sh CONFIG..."
res=$resdir
declare -A guest_built
t0=$SECONDS
"$top/steps/deps.sh" || die "could not install the packages"
rm -rf "$res" && mkdir -p "$res"


say "[$((SECONDS - t0)) s] $base series: apply patches/$base to its base"
step_ktap "$res/series-applies.ktap" "$base.series-applies" "$top/steps/tree.sh"
applied=$?
say "[$((SECONDS - t0)) s] checkpatch --strict"
if [ $applied = 0 ]; then
	"$top/steps/checkpatch.sh" > "$res/checkpatch.ktap"
	grep -E '^(not ok|# .*(ERROR|WARNING))' "$res/checkpatch.ktap" >&2
fi

for cfg in "${configs[@]}"; do
	[ $applied = 0 ] || break
	arch=${cfg%%-*}
	say "[$((SECONDS - t0)) s] $cfg: kernel"
	step_ktap "$res/build-$cfg.ktap" "$base.build.$cfg" "$top/steps/build-kernel.sh" "$cfg" || continue
	img=$(kernel_image "$cfg")
	if [ -z "${guest_built[$arch]:-}" ]; then
		say "[$((SECONDS - t0)) s] $arch: guest"
		step_ktap "$res/guest-$arch.ktap" "$base.guest.$arch" "$top/steps/build-guest.sh" "$arch" || continue
		guest_built[$arch]=1
	fi
	say "[$((SECONDS - t0)) s] $cfg: boots"
	"$top/steps/test-config.sh" "$cfg" "$img"
done

for log in "$res"/*.log; do
	grep -h -e '# savings:' -e '# stress:' -e '# bootmem:' -e '# pool-max:' "$log" 2>/dev/null |
		sed "s|^ *# *|$base/${log##*/}: |" >&2
done
say "[$((SECONDS - t0)) s] $base series done"
