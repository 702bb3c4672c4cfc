#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hugetlb category of the kernel's own runner, as it runs it:
# "run_vmtests.sh -t hugetlb" in the selftests' directory (/tests). Passes
# when no test failed and at least one passed; a skipped test is listed,
# since run_vmtests.sh's own exit status (4) would hide the passes.
# One line for scripts:
#   # run_vmtests: category=hugetlb passed=N failed=N skipped=N
#
# run_vmtests.sh has no time limit of its own, so two safety nets stop a
# test, which run_vmtests.sh then counts as failed, and a line says why:
# - "# outside the series: ...": 6.12's write_to_hugetlbfs parses its size
#   into an int, and charge_reserved_hugetlb.sh asks it for 5 huge pages,
#   which overflows at 512M pages (64K granule: "Writing this size:
#   -1610612736"). Its mmap fails and the script waits for a reservation
#   forever. 7.3's selftests take a size_t and bound the wait. Stopped as
#   soon as the negative size shows.
# - "# time limit: ...": a test still running after LIMIT seconds (600, as
#   guest/tests.list gives hugetlb_fault_after_madv, times HVO_TIME_SCALE,
#   which init sets for kernels with slow checkers; under TCG that test's
#   10000 faults of a 512M page take hours, HVO on or off).
cd "$(dirname "$0")" || exit 1
limit=$((${1:-600} * ${HVO_TIME_SCALE:-1}))
out=/tmp/run_vmtests.out
rcf=/tmp/run_vmtests.rc
rm -f "$rcf"
{ bash ./run_vmtests.sh -t hugetlb 2>&1; echo $? > "$rcf"; } | tee "$out" &
tee=$!

# Stop the processes whose command line contains $1: TERM first, which runs
# a script's traps (charge_reserved_hugetlb.sh's restores nr_hugepages but
# then carries on), then KILL.
stop() {
	local pids
	pids=$(./pgrep -f "$1" 2>/dev/null) || return
	kill $pids 2>/dev/null; sleep 2; kill -KILL $pids 2>/dev/null
}

overflowed=0 cur= since=$SECONDS timed_out=
while kill -0 "$tee" 2>/dev/null; do
	if [ $overflowed = 0 ] && grep -q 'Writing this size: -' "$out"; then
		overflowed=1
		echo "# outside the series: write_to_hugetlbfs's int size overflowed;" \
		     "stopping charge_reserved_hugetlb.sh"
		stop charge_reserved_hugetlb.sh
	fi
	line=$(grep -E '^# running ' "$out" | tail -n 1)
	if [ "$line" != "$cur" ]; then
		cur=$line since=$SECONDS
	elif [ -n "$cur" ] && [ $((SECONDS - since)) -gt "$limit" ]; then
		prog=${cur#\# running }
		prog=${prog%% *}
		echo "# time limit: $prog still running after $limit s; stopping it"
		timed_out="$timed_out ${prog#./}"
		stop "$prog"
		since=$SECONDS
	fi
	sleep 1
done
wait "$tee"
rc=$(cat "$rcf")
pass=$(grep -cE '^ok [0-9]+ ' "$out")
skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out")
fail=$(grep -cE '^not ok [0-9]+ ' "$out")
pass=$((pass - skip))
grep -E '^ok [0-9]+ .*# SKIP' "$out" | sed 's/^/# skipped: /'
[ $overflowed = 0 ] ||
	echo "# outside the series: charge_reserved_hugetlb.sh (write_to_hugetlbfs size overflow)"
[ -z "$timed_out" ] || echo "# time limit ($limit s):$timed_out"
echo "# run_vmtests: category=hugetlb passed=$pass failed=$fail skipped=$skip exit=$rc"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ] && [ "$rc" != 1 ]
