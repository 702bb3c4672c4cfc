#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hugetlb category of the kernel's own runner, as it runs it:
# "run_vmtests.sh -t hugetlb" in the selftests' directory (/tests). Passes
# when no test failed and at least one passed; a skipped test is listed,
# since run_vmtests.sh's own exit status (4) would hide the passes.
# One line for scripts:
#   # run_vmtests: category=hugetlb passed=N failed=N skipped=N
cd "$(dirname "$0")" || exit 1
out=/tmp/run_vmtests.out
bash ./run_vmtests.sh -t hugetlb 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
pass=$(grep -cE '^ok [0-9]+ ' "$out")
skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out")
fail=$(grep -cE '^not ok [0-9]+ ' "$out")
pass=$((pass - skip))
grep -E '^ok [0-9]+ .*# SKIP' "$out" | sed 's/^/# skipped: /'
echo "# run_vmtests: category=hugetlb passed=$pass failed=$fail skipped=$skip exit=$rc"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ] && [ "$rc" != 1 ]
