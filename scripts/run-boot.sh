#!/bin/bash
# One boot of one kernel: boot it with the guest, run the named guest tests,
# judge the console. Writes build/results/NAME.{log,ktap,json}; prints KTAP.
#
#   run-boot.sh NAME ARCH KERNEL TESTS [KERNEL ARGS...]
#   TESTS: comma list of guest/tests.list names, or "all"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1 arch=$2 kernel=$3 tests=$4; shift 4
res=$build/results
mkdir -p "$res"
initrd=$build/guest/$arch/initramfs.cpio
[ -f "$initrd" ] || die "no guest for $arch: run scripts/build-guest.sh $arch"
say "booting $name ($arch, tests: $tests)"
start=$SECONDS
"$top/scripts/boot.sh" "$arch" "$kernel" "$initrd" "$res/$name.log" "hvo.run=$tests" "$@"
"$top/scripts/parse-console.sh" "$res/$name.log" "$name" | tee "$res/$name.ktap"
say "$name: $((SECONDS - start)) s, console in ${res#$top/}/$name.log"
