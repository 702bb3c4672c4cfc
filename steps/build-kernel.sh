#!/bin/bash
# Configure and build one kernel configuration, out of tree, with ccache.
#
#   build-kernel.sh NAME [SRC [OUT]]
#
# NAME is a configuration: "x86_64" or ARCH-VARIANT such as "arm64-4k". Its
# fragments, merged in this order with the tree's
# scripts/kconfig/merge_config.sh on top of allnoconfig (a later one wins):
# configs/common.config, base-V.P.config (the tree's version), mm-test.config,
# ARCH.config, hvo.config (only if the tree's architecture selects
# ARCH_WANT_OPTIMIZE_HUGETLB_VMEMMAP), ARCH-hvo.config and V.P/ARCH-hvo.config
# (then, each if the tree defines its options: the series' test module and
# fault attribute on 7.3, its debug knobs on 6.12), NAME.config (if NAME is
# not just ARCH), V.P/NAME.config (if present), then any files named in $HVO_EXTRA_CONFIGS.  NAME's own
# fragments come last so that they can take back what the shared ones set
# (arm64-distro: no DEBUG_VM, no test knobs).
# Every option a fragment asks for is checked in the final .config.
# SRC defaults to build/linux-BASE, OUT to build/out/BASE/NAME. The image
# is where lib.sh kernel_image says.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

name=${1:?usage: build-kernel.sh NAME [SRC [OUT]]}
src=$(realpath "${2:-$tree}")
out=$(realpath -m "${3:-$outdir/$name}")
arch=${name%%-*}
cfg=$top/configs
cross=$(arch_fact "$arch" cross) && karch=$(arch_fact "$arch" karch) || exit 1
image=$(kernel_image "$name" "$out")

# The base's own fragment, by the tree's version (configs/base-V.P.config).
ver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$src/Makefile" | paste -sd.)
[ -f "$cfg/base-$ver.config" ] || die "no configs/base-$ver.config for the $ver tree $src"
frags=("$cfg/common.config" "$cfg/base-$ver.config" "$cfg/mm-test.config" "$cfg/$arch.config")
# Does the tree's Kconfig define every option fragment $1 sets?
defines_all() {
	local opt
	for opt in $(sed -n 's/^\(# \)\{0,1\}CONFIG_\([A-Z0-9_]*\).*/\2/p' "$1"); do
		grep -rqsE --include='Kconfig*' "^(menu)?config $opt\$" "$src/arch/$karch" "$src/mm" \
			"$src/init" "$src/drivers/perf" "$src/lib" "$src/arch/Kconfig" || return 1
	done
}
if grep -q 'select ARCH_WANT_OPTIMIZE_HUGETLB_VMEMMAP' "$src/arch/$karch/Kconfig"; then
	frags+=("$cfg/hvo.config")
	for f in "$cfg/$arch-hvo.config" "$cfg/$ver/$arch-hvo.config"; do
		if [ -f "$f" ] && defines_all "$f"; then frags+=("$f"); fi
	done
else
	say "$name: this tree's $arch does not offer HVO; hvo.config not merged"
fi
[ "$name" != "$arch" ] && { [ -f "$cfg/$name.config" ] || die "no configs/$name.config"; frags+=("$cfg/$name.config"); }
# What a configuration must set differently on this base (configs/V.P/NAME.config:
# the preemption models offered differ between 6.12 and 7.3).
if [ -f "$cfg/$ver/$name.config" ]; then frags+=("$cfg/$ver/$name.config"); fi
for f in ${HVO_EXTRA_CONFIGS:-}; do frags+=("$(realpath "$f")"); done

mkdir -p "$out"
export ARCH=$karch CROSS_COMPILE=$cross
export KBUILD_BUILD_TIMESTAMP='2000-01-01' KBUILD_BUILD_USER=hvo KBUILD_BUILD_HOST=hvo
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G} CCACHE_BASEDIR=$build CCACHE_NOHASHDIR=1
mk=(make -s -C "$src" O="$out" CC="ccache ${cross}gcc" HOSTCC="ccache gcc")

# merge_config.sh -n: allnoconfig with the merged fragments as KCONFIG_ALLCONFIG.
(cd "$src" && ./scripts/kconfig/merge_config.sh -n -O "$out" "${frags[@]}") \
	> "$out/config.log" 2>&1 || { cat "$out/config.log"; die "$name: merge_config failed"; }
"${mk[@]}" olddefconfig >> "$out/config.log" 2>&1

# Fail loudly on any option Kconfig dropped or changed. A later fragment
# overrides an earlier one, as in merge_config.sh.
declare -A want
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; want[${opt%% *}]=n ;;
	esac
done < <(cat "${frags[@]}")
bad=0
for opt in "${!want[@]}"; do
	have=$(grep -E "^$opt=" "$out/.config" | cut -d= -f2- || true)
	[ -n "$have" ] || have=n
	if [ "$have" != "${want[$opt]}" ]; then
		say "$name: $opt=${want[$opt]} requested, .config has $opt=$have"
		bad=1
	fi
done
[ $bad = 0 ] || die "$name: Kconfig dropped requested options (see above)"

jobs=$(( $(nproc) + 1 ))
log=$out/build.log
# One kernel build at a time on this machine: a second one (a matrix run
# beside a developer's build) waits here instead of halving both.
exec 9> "$build/.kernel-build.lock"
if ! flock -n 9; then
	say "$name: waiting for another kernel build to finish"
	flock 9
fi
say "building $name in ${out#$top/} (-j$jobs, log ${log#$top/})"
start=$SECONDS
# Progress every minute: objects (re)built by this build, of about as many
# as the last complete build of this configuration had (an estimate: the
# first build has none, and an incremental one ends far below it).
last=$(cat "$out/.hvo-objects" 2>/dev/null || true)
touch "$out/.hvo-start"
# The ticker writes to stderr only and does not hold the lock: a "$(...)" or
# a pipe that reads this script's output ends with the build, not up to a
# minute later when the ticker's sleep ends.
( exec 9>&- >&2; while sleep 60; do
	say "  $name: building, $(( (SECONDS - start) / 60 )) min, $(find "$out" -name '*.o' -newer "$out/.hvo-start" | wc -l)${last:+ of about $last} objects"
  done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
if ! "${mk[@]}" -j"$jobs" KCFLAGS=-Wno-error "${image##*/}" > "$log" 2>&1; then
	tail -40 "$log" >&2
	die "$name: build failed after $((SECONDS - start)) s"
fi
find "$out" -name '*.o' | wc -l > "$out/.hvo-objects"
say "$name: built in $((SECONDS - start)) s: ${image#$top/}"
