#!/bin/bash
# Judge one boot from its serial console log. A test fails on its own verdict
# and on any kernel report printed from its start until the next test starts;
# reports before the first test fail the pseudo-test "boot", and so does a
# name the guest's init did not know (a test or suite missing from the
# guest's tests.list: it runs nothing for it); a test run more than once in
# a boot is one result, failed if any of its runs failed; tests that never
# reported (crash, hang) fail as "no result", and "shutdown" fails when the
# guest did not get to the end of its list; a guest that boot.sh had to kill
# at its time limit names the test that was running then. On arm64 the
# pseudo-test "memory" fails unless the kernel kept all the RAM QEMU gave it:
# the total of its "Memory: FREEK/TOTALK available" line must be boot.sh's
# -m (memory beyond the linear map, or below a memstart_addr rounded up past
# it, is dropped before that line; x86_64's firmware keeps ranges of its own).
#
#   parse-console.sh LOG PREFIX
# Prints KTAP on stdout (one line a test, PREFIX.NAME, each after the
# test's own KTAP as the guest's init relayed it, kept as a subtest two
# spaces in) and the console lines around each report as diagnostics.
# Only the top-level lines are results here (reports/results.sh, which also
# writes them as JSON);
# tools/testing/kunit/kunit.py parse reads the whole, except where a nested
# block is TAP 13 with its plan last (run_vmtests.sh), which it does not take.
set -euo pipefail
log=$1 prefix=$2

awk -v prefix="$prefix" '
# Lockdep reports start with "WARNING:" or "BUG:", and it ends its checking
# with "lockdep is turned off"; its boot banner ("RCU lockdep checking is
# enabled", "MAX_LOCKDEP_KEYS") is not a report.
function report_re() {
	return "(BUG:|WARNING:|Oops|Bad page state|Unable to handle kernel|unsafe attribute change|" \
	       "Kernel panic|possible circular locking|inconsistent lock state|lockdep is turned off|" \
	       "detected stall|soft lockup|INFO: task |INFO: vmemmap BBM|Internal error:|Call [Tt]race:|" \
	       "invoked oom-killer|Out of memory|page allocation failure)"
}
{ sub(/\r$/, ""); lines[NR] = $0 }	# the serial console ends lines with CR LF
# A test run more than once in a boot is one id, failed if any run failed.
/^# hvo-init: start [0-9]+ / { cur = $5; if (!(cur in started)) order[++nt] = cur; started[cur] = NR; next }
/^(ok|not ok) [0-9]+ / {
	name = ($1 == "ok") ? $3 : $4
	if (verdict[name] == "fail") next
	verdict[name] = ($1 == "ok") ? ($0 ~ /# SKIP/ ? "skip" : "pass") : "fail"
	why[name] = $0; sub(/^[^#]*#? ?/, "", why[name])
	next	# later reports still count against this test
}
/^# boot.sh: qemu-system-aarch64 / {
	for (i = 1; i < NF; i++) if ($i == "-m") ram = $(i + 1)
	ram_k = ram + 0
	ram_k *= ram ~ /T$/ ? 1024 ^ 3 : ram ~ /G$/ ? 1024 ^ 2 : ram ~ /K$/ ? 1 : 1024
}
/Memory: [0-9]+K\/[0-9]+K available/ && mem_k == "" {
	mem_k = $0; sub(/.*Memory: [0-9]+K\//, "", mem_k); sub(/K available.*/, "", mem_k)
}
/^# hvo-init: done/ { done = 1 }
/^# init: no (test|suite) named / { l = $0; sub(/^# init: /, "", l); unknown = unknown (unknown ? ", " : "") l }
/^# boot.sh: TIMEOUT/ { killed = $0; killed_in = cur; sub(/^# boot.sh: /, "", killed); next }
/^    / {				# test output, relayed by init as nested KTAP
	if (cur != "") sub_ktap[cur] = sub_ktap[cur] "  " substr($0, 5) "\n"
	next
}
$0 ~ report_re() {
	where = cur == "" ? "boot" : cur
	if (!(where in first)) first[where] = NR
	nrep[where]++
}
END {
	print "KTAP version 1"
	k = 0
	for (i = 1; i <= nt; i++) list[++k] = order[i]
	list[++k] = "boot"; if (ram != "") list[++k] = "memory"; list[++k] = "shutdown"
	printf "1..%d\n", k
	failed = 0
	for (i = 1; i <= k; i++) {
		t = list[i]; ok = 1; reason = ""
		if (t == "boot" || t == "shutdown") {
			if (t == "boot" && unknown != "") { ok = 0; reason = "the guest ran nothing for: " unknown }
			if (t == "shutdown" && !done) { ok = 0; reason = killed != "" ? killed : "guest did not finish (crash or hang)" }
		} else if (t == "memory") {
			reason = mem_k == "" ? "no \"Memory:\" line" : "the kernel kept " mem_k "K of the " ram_k "K of RAM"
			ok = (mem_k != "" && mem_k + 0 == ram_k)
			if (ok) reason = ""
		} else if (!(t in verdict)) {
			ok = 0
			reason = (killed != "" && t == killed_in) ? "no result: " killed ", during this test" : "no result (crash or hang)"
		}
		else if (verdict[t] == "fail") { ok = 0; reason = why[t] }
		if (t in nrep) { ok = 0; reason = reason (reason ? "; " : "") nrep[t] " kernel report line(s)" }
		skip = (ok && (t in verdict) && verdict[t] == "skip")
		if (t in sub_ktap) printf "%s", sub_ktap[t]
		printf "%s %d %s.%s%s\n", ok ? "ok" : "not ok", i, prefix, t, \
			skip ? " # SKIP" : (reason != "" ? " # " reason : "")
		if (t in first) {
			lo = first[t] - 10; if (lo < 1) lo = 1
			hi = first[t] + 30; if (hi > NR) hi = NR
			printf "# console lines %d-%d around the first report:\n", lo, hi
			for (j = lo; j <= hi; j++) printf "#   %s\n", lines[j]
		}
	}
}' "$log"
