#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hugetlb category of the kernel's own runner, as it runs it:
# "run_vmtests.sh -t hugetlb" in the selftests' directory (/tests). Passes
# when no test failed and at least one passed; a skipped test is listed,
# since run_vmtests.sh's own exit status (4) would hide the passes.
# One line for scripts:
#   # run_vmtests: category=hugetlb passed=N failed=N skipped=N
#
# run_vmtests.sh has no time limit of its own, so a test still running
# after LIMIT seconds is stopped, which run_vmtests.sh then counts as failed,
# and "# time limit: ..." says which. LIMIT is 600 (as guest/tests.list gives
# hugetlb_fault_after_madv) times HVO_TIME_SCALE, which init sets for
# kernels with slow checkers. Under TCG that test's 10000 faults of a 512M
# page take hours, HVO on or off; and 6.12's charge_reserved_hugetlb.sh waits
# without a limit for a reservation that never comes once write_to_hugetlbfs
# overflows its int size at 512M pages ("Writing this size: -1610612736").
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

cur= since=$SECONDS timed_out=
while kill -0 "$tee" 2>/dev/null; do
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
[ -z "$timed_out" ] || echo "# time limit ($limit s):$timed_out"
echo "# run_vmtests: category=hugetlb passed=$pass failed=$fail skipped=$skip exit=$rc"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ] && [ "$rc" != 1 ]
