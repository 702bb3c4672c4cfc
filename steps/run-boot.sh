#!/bin/bash
# One boot of one kernel: boot it with the guest, run the named guest tests,
# judge the console. Writes build/results/BASE/NAME.{log,ktap}; prints KTAP.
#
#   run-boot.sh NAME ARCH KERNEL TESTS [KERNEL ARGS...]
#   TESTS: comma list of guest/tests.list names and @SUITEs, or "all"
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

name=$1 arch=$2 kernel=$3 tests=$4; shift 4
res=$resdir
mkdir -p "$res"
initrd=$guestdir/$arch/initramfs.cpio
[ -f "$initrd" ] || die "no guest for $arch: run steps/build-guest.sh $arch"
# The guest's time limit: every selected test's own limit (guest/tests.list),
# plus time to boot and shut down, so that a hung test is reported by the
# guest's init, by name, before QEMU is killed; but at most 1200 s (a whole
# guest run took at most 228 s here, beside stress-ng), so that a hung
# kernel fails its boot well inside CI's 90 minutes. A kernel with a slow
# checker gets every limit, the guest's and this one, times its time_scale
# (lib.sh). A caller's TIMEOUT (the matrix's, which has no CI budget to keep)
# replaces the 1200 s cap, but never cuts the guest's own limits short.
scale=$(time_scale "$kernel")
scale_arg=()
[ "$scale" = 1 ] || scale_arg=("hvo.time_scale=$scale")
# Suites (@SUITE) count as the tests they name.
expanded=$(expand_tests "$tests") || die "$name: tests \"$tests\""
need=$(awk -v sel=",$expanded," '!/^[#@]/ && NF >= 2 && (sel == ",all," || index(sel, "," $1 ",")) \
	{ s += $2 } END { print s + 300 }' "$top/guest/tests.list")
need=$((need * scale))
if [ -z "${TIMEOUT:-}" ]; then
	TIMEOUT=$((need < 1200 * scale ? need : 1200 * scale))
elif [ "$TIMEOUT" -lt "$need" ]; then
	TIMEOUT=$need
fi
export TIMEOUT
say "booting $name ($arch, tests: $tests, time limit $TIMEOUT s)"
start=$SECONDS
rm -f "$res/$name.log"
"$top/steps/follow-console.sh" "$res/$name.log" $$ &
follower=$!
"$top/steps/boot.sh" "$arch" "$kernel" "$initrd" "$res/$name.log" "hvo.run=$tests" \
	"${scale_arg[@]}" "$@"
sleep 1; kill "$follower" 2>/dev/null || true
"$top/steps/parse-console.sh" "$res/$name.log" "$name" | tee "$res/$name.ktap"
say "$name: $((SECONDS - start)) s, console in ${res#$top/}/$name.log"
