#!/bin/bash
# The cost of HVO against x86_64's, and what the other CPUs lose meanwhile.
# One boot of each kernel: the series' arm64-4k and x86_64 (HVO_BASE,
# default 7.3), and on 7.3 a reference built only for this measurement, the
# series with every live vmemmap PTE change made under stop_machine()
# (controls/7.3/arm64-stop-machine.patch), the alternative the list
# discussed.  In each boot, HVO off and on in turn within each of 9 rounds
# (31 for the throughput):
#
#   guest/hvo_bench.c       1000 and 10000 default-size (2M) pages allocated
#                           and freed through sysfs; 2 x 1G allocated, demoted
#                           to 2M and freed
#   guest/hvo_throughput.c  workers on every other CPU (a memory-bound loop,
#                           a struct-page reader) while CPU 0 resizes the pool
#
# Prints the median and spread per operation, the on/off ratio per kernel,
# arm64's ratio over x86_64's (what arm64 adds above HVO's own cost; the goal
# is at most 1) and arm64's added time (on - off) over x86_64's, the workers'
# rate while resizing over their rate while idle, HVO on over HVO off (the
# goal is at least 0.95), and where the time goes (below).
# Ratios are taken within one boot, so they do not depend on how fast the
# host is; QEMU TCG makes broadcast TLB invalidation expensive, so arm64's
# absolute times are an upper bound.  Writes $resdir/bench.json.
#
#   bench.sh [--report] [KERNEL...]
#                              --report: only print the table again, from
#                              the logs of the last run
#                              default: arm64-4k x86_64 arm64-distro
#                              x86_64-distro, the step-times variants of all
#                              four, and on 7.3 arm64-4k-stop-machine
#
# arm64-4k and x86_64 are the test configurations (DEBUG_VM and, on arm64,
# full preemption with DEBUG_PREEMPT); arm64-distro and x86_64-distro are
# built as a distribution builds (no DEBUG_VM, no test knobs, one preemption
# model for both): their ratio is the one users pay.  CONFIG-VARIANT is the
# series plus the measurement-only patch controls/BASE/VARIANT.patch (any
# architecture) and controls/BASE/arm64-VARIANT.patch, where each exists,
# built as CONFIG: stop-machine, the reference above; step-times, the time
# spent in each step, which hvo_bench prints (where the time goes): the steps
# of HVO itself, on arm64 and x86_64 alike, and on 7.3 also the steps of an
# arm64 tail change.
#
# The guest gets 22G (HVO_BENCH_MEM) so that 10000 x 2M fit, and 2 CPUs
# (HVO_BENCH_SMP), no more than the host's 2: with more virtual CPUs than
# host CPUs the workers' rate would measure how the host shares its CPUs
# between QEMU's threads, not what the guest kernel takes from them.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
report=
if [ "${1:-}" = --report ]; then report=1; shift; fi
[ -n "$report" ] || { "$top/steps/deps.sh"; "$top/steps/tree.sh"; }
kernels=("$@")
if [ ${#kernels[@]} = 0 ]; then
	kernels=(arm64-4k x86_64 arm64-distro x86_64-distro)
	[ -f "$top/controls/$base/arm64-stop-machine.patch" ] && kernels+=(arm64-4k-stop-machine)
	if [ -f "$top/controls/$base/step-times.patch" ]; then
		kernels+=(arm64-4k-step-times x86_64-step-times)
		kernels+=(arm64-distro-step-times x86_64-distro-step-times)
	elif [ -f "$top/controls/$base/arm64-step-times.patch" ]; then
		kernels+=(arm64-4k-step-times arm64-distro-step-times)
	fi
fi
mem=${HVO_BENCH_MEM:-22G} smp=${HVO_BENCH_SMP:-2}
for k in "${kernels[@]}"; do
	[ -z "$report" ] || break
	arch=${k%%-*}
	case $k in
	*-stop-machine|*-step-times)
		v=step-times
		[ "${k%-stop-machine}" = "$k" ] || v=stop-machine
		cfg=${k%-"$v"}
		# The generic part and the arm64 part where each exists, on any
		# architecture (an arm64-only patch builds nothing on x86_64).
		patches=()
		for p in "$top/controls/$base/$v.patch" "$top/controls/$base/arm64-$v.patch"; do
			if [ -f "$p" ]; then patches+=("$p"); fi
		done
		"$top/steps/build-variant.sh" "$v" "$cfg" hvo "${patches[@]}"
		img=$(variant_image "$v" "$cfg")
		tests=hvo_bench
		[ "$v" = stop-machine ] && tests+=,hvo_throughput_ref
		[ "$v" = step-times ] && tests+=,hvo_bench_10k,hvo_bench_1g ;;
	*)	"$top/steps/build-kernel.sh" "$k"
		img=$(kernel_image "$k")
		tests=hvo_bench,hvo_bench_10k,hvo_bench_1g,hvo_throughput ;;
	esac
	"$top/steps/build-guest.sh" "$arch" >/dev/null
	MEM=$mem SMP=$smp "$top/steps/run-boot.sh" "bench-$k" "$arch" "$img" "$tests" \
		hugetlb_free_vmemmap=on > /dev/null || true
done
cfgs=("${kernels[@]}")

host="$(nproc) host CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo
echo "HVO cost, Linux $base series, $(date -u +%Y-%m-%d), $host, QEMU TCG, guest $mem, $smp CPUs"
for cfg in "${cfgs[@]}"; do
	grep -h -e 'bench-median:' -e 'throughput:' "$resdir/bench-$cfg.log" 2>/dev/null |
		sed -e "s/.*bench-median: /kernel=$cfg /" -e "s/.*throughput: /kernel=$cfg tp=1 /" || true
done | awk -v json="$resdir/bench.json" -v date="$(date -u +%FT%TZ)" -v host="$host" \
	-v base="$base" -v mem="$mem" -v smp="$smp" "$awk_lib"'
function size(kb) { kb += 0; return kb >= 1048576 ? (kb / 1048576) "G" : (kb / 1024) "M" }
{
	kv(1, v)
	if (v["tp"]) {
		k = v["kernel"]; l = v["load"]
		if (!(l in lseen)) { lseen[l] = 1; loads[++nl] = l }
		if (!(k in tkseen)) { tkseen[k] = 1; tkern[++ntk] = k }
		tp[k, l, v["hvo"]] = v["resize_over_idle"]
		tpmin[k, l, v["hvo"]] = v["min"]; tpmax[k, l, v["hvo"]] = v["max"]
		next
	}
	sub(/kB$/, "", v["hstate"]); sub(/kB$/, "", v["demote_to"])
	w = v["pages"] " x " size(v["hstate"])
	if (!(w in seen)) { seen[w] = 1; work[++nw] = w }
	k = v["kernel"]; if (!(k in kseen)) { kseen[k] = 1; kern[++nk] = k }
	for (o = 1; o <= 3; o++) {
		op = o == 1 ? "alloc" : o == 2 ? "demote" : "free"
		if (!((op "_s") in v)) continue
		ops[w, o] = op
		key = k SUBSEP w SUBSEP op SUBSEP v["hvo"]
		med[key] = v[op "_s"]; lo[key] = v[op "_min_s"]; hi[key] = v[op "_max_s"]
		rounds[key] = v["rounds"]
	}
}
END {
	printf "%-23s %-10s %-6s %20s %20s %8s\n", "kernel", "work", "op", "off s [min-max]", "on s [min-max]", "on/off"
	nj = 0
	for (i = 1; i <= nw; i++) for (o = 1; o <= 3; o++) {
		w = work[i]; if (!((w, o) in ops)) continue; op = ops[w, o]
		for (j = 1; j <= nk; j++) {
			k = kern[j]; a = k SUBSEP w SUBSEP op SUBSEP 0; b = k SUBSEP w SUBSEP op SUBSEP 1
			if (!(a in med) || !(b in med)) continue
			r = med[a] > 0 ? med[b] / med[a] : 0; ratio[k, w, op] = r
			added[k, w, op] = med[b] - med[a]
			printf "%-23s %-10s %-6s %8.4f [%.4f-%.4f] %8.4f [%.4f-%.4f] %7.2fx\n", k, w, op,
				med[a], lo[a], hi[a], med[b], lo[b], hi[b], r
			js[++nj] = sprintf("{\"kernel\":\"%s\",\"work\":\"%s\",\"op\":\"%s\",\"rounds\":%d,\"off_s\":%s,\"off_min_s\":%s,\"off_max_s\":%s,\"on_s\":%s,\"on_min_s\":%s,\"on_max_s\":%s,\"on_off\":%.3f}",
				k, w, op, rounds[b], med[a], lo[a], hi[a], med[b], lo[b], hi[b], r)
		}
	}
	# Pairs built alike: the test configurations, the distribution ones,
	# and their step-times variants; those of this run.
	nq = split("arm64-4k x86_64 arm64-distro x86_64-distro arm64-4k-step-times x86_64-step-times arm64-distro-step-times x86_64-distro-step-times", q, " ") / 2
	np = 0
	for (p = 1; p <= nq; p++) if ((q[2 * p - 1] in kseen) && (q[2 * p] in kseen)) {
		pk[2 * ++np - 1] = q[2 * p - 1]; pk[2 * np] = q[2 * p]
	}
	printf "\narm64 (on/off) over x86_64 (on/off), at most 1 is the goal:\n"
	printf "  %-10s %-6s", "work", "op"
	for (p = 1; p <= np; p++) printf " %26s", pk[2 * p - 1] "/" pk[2 * p]
	printf "\n"
	nr = 0
	for (i = 1; i <= nw; i++) for (o = 1; o <= 3; o++) {
		w = work[i]; if (!((w, o) in ops)) continue; op = ops[w, o]
		line = sprintf("  %-10s %-6s", w, op); any = 0
		for (p = 1; p <= np; p++) {
			a = pk[2 * p - 1]; b = pk[2 * p]
			x = ratio[a, w, op]; y = ratio[b, w, op]
			if (x == "" || y == "" || y == 0) {
				line = line sprintf(" %26s", "-")
				alines[i, o] = alines[i, o] sprintf(" %26s", "-")
				continue
			}
			line = line sprintf(" %26.2f", x / y); any = 1
			ya = added[b, w, op]; xa = ya > 0 ? added[a, w, op] / ya : 0
			alines[i, o] = alines[i, o] sprintf(" %26.2f", xa)
			rr[++nr] = sprintf("{\"arm64\":\"%s\",\"x86_64\":\"%s\",\"work\":\"%s\",\"op\":\"%s\",\"arm64_over_x86\":%.3f,\"added_arm64_over_x86\":%.3f}", a, b, w, op, x / y, xa)
		}
		if (any) print line
		if (!any) delete alines[i, o]
	}
	# The same pairs by the time HVO adds, on - off: the HVO-off
	# writes of the two architectures differ in speed under TCG, which the
	# ratios above carry.
	printf "\nHVO'"'"'s added time (on - off), arm64 over x86_64:\n"
	for (i = 1; i <= nw; i++) for (o = 1; o <= 3; o++)
		if ((i, o) in alines) printf "  %-10s %-6s%s\n", work[i], ops[work[i], o], alines[i, o]
	printf "\nOther CPUs while CPU 0 resizes the pool: their rate resizing over idle\n"
	printf "%-22s %-5s %22s %22s %8s %5s\n", "kernel", "load", "HVO off [min-max]", "HVO on [min-max]", "on/off", "goal"
	nt = 0
	for (i = 1; i <= ntk; i++) for (j = 1; j <= nl; j++) {
		k = tkern[i]; l = loads[j]
		if (!((k, l, 0) in tp) || !((k, l, 1) in tp)) continue
		r = tp[k, l, 0] > 0 ? tp[k, l, 1] / tp[k, l, 0] : 0
		printf "%-22s %-5s %6.3f [%.3f-%.3f] %6.3f [%.3f-%.3f] %8.3f %5s\n", k, l,
			tp[k, l, 0], tpmin[k, l, 0], tpmax[k, l, 0], tp[k, l, 1], tpmin[k, l, 1], tpmax[k, l, 1],
			r, (r >= 0.95 ? "met" : "NOT")
		tj[++nt] = sprintf("{\"kernel\":\"%s\",\"load\":\"%s\",\"off\":%s,\"on\":%s,\"on_off\":%.3f}", k, l, tp[k, l, 0], tp[k, l, 1], r)
	}
	printf "{\"date\":\"%s\",\"base\":\"%s\",\"host\":\"%s\",\"guest_mem\":\"%s\",\"guest_cpus\":%d,\"emulator\":\"QEMU TCG\",\"results\":[", date, base, host, mem, smp > json
	for (i = 1; i <= nj; i++) printf("%s%s", (i > 1 ? "," : ""), js[i]) > json
	printf "],\"arm64_over_x86\":[" > json
	for (i = 1; i <= nr; i++) printf("%s%s", (i > 1 ? "," : ""), rr[i]) > json
	printf "],\"throughput\":[" > json
	for (i = 1; i <= nt; i++) printf("%s%s", (i > 1 ? "," : ""), tj[i]) > json
	printf "]}\n" > json
}'
# Where the time goes, from each round's line with HVO on and the median line
# with HVO off, for every work and operation a kernel ran: milliseconds per
# write (for 1000 x 2M as many microseconds per page), the median over the
# rounds of each counter.  A step-times kernel's counters:
# - any architecture: HVO's own steps, hvo (all of HVO) and its parts (those
#   the base's patch counts: 6.12 the RCU grace period, 7.3 allocating and
#   copying the pages a restore maps), "rest" the part of HVO outside them
#   (the walk; on 6.12 also allocating and copying vmemmap pages), "outside"
#   what HVO on adds to the write outside HVO (on - off - hvo: what the TLB
#   maintenance costs the code after it, for one);
# - 7.3, arm64: the steps of the arm64 tail changes, and the TLB
#   invalidations outside a window (a count per write).
# Medians of each, so the parts need not add up to the whole exactly.  Then,
# where the kernel counts them (arm64), the break-before-make windows opened
# and the faults that waited for one, per write, and the longest window and
# wait since boot, with their histograms where the kernel keeps them.
where_time_goes() { # kernel log
	# A log without these lines (a failed boot) prints nothing here; only
	# grep's "no match" is let through pipefail.
	{ grep -h -e '# bench: hvo=1 ' -e '# bench-median: hvo=0 ' "$2" || true; } |
		sed 's/.*# bench/bench/' | awk -v k="$1" "$awk_lib"'
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
		t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
	}
	return a[int((n + 1) / 2)]
}
function size(kb) { kb += 0; return kb >= 1048576 ? (kb / 1048576) "G" : (kb / 1024) "M" }
# The median over the rounds of work w of counter c of operation op.
function m(w, op, c,   r, a) {
	for (r = 1; r <= n[w]; r++) a[r] = v[w, op "_" c, r] + 0
	return med(a, n[w])
}
{
	kv(2, f)
	sub(/kB$/, "", f["hstate"]); w = f["pages"] " x " size(f["hstate"])
	if ($1 == "bench-median:") {
		for (op in f) if (op ~ /^(alloc|demote|free)_s$/) off[w, op] = f[op]
		next
	}
	if (!(w in n)) work[++nw] = w
	r = ++n[w]
	for (x in f) { v[w, x, r] = f[x]; if (x ~ /_hvo_ns$/) hvo = 1
		if (x ~ /_perms_ns$/) arm = 1; if (x ~ /_windows$/) bbm = 1
		if (match(x, /^(alloc|demote|free)_/)) step[substr(x, RLENGTH + 1)] = 1 }
}
END {
	split("alloc demote free", ops, " ")
	if (hvo) {
		# The steps this kernel counts (6.12: rcu, no alloc or copy).
		nc = 0
		split("rcu split ptes flush alloc copy free", all, " ")
		for (c = 1; c <= 7; c++) if ((all[c] "_ns") in step) cs[++nc] = all[c]
		printf "\nWhere HVO'"'"'s time goes (%s, HVO on, ms per write, median):\n", k
		printf "  %-10s %-6s %7s %7s %7s %7s", "work", "op", "off", "on", "on-off", "hvo"
		for (c = 1; c <= nc; c++) printf " %7s", cs[c]
		printf " %7s %7s\n", "rest", "outside"
		for (i = 1; i <= nw; i++) for (o = 1; o <= 3; o++) {
			w = work[i]; op = ops[o]
			if (!((w, op "_s", 1) in v)) continue
			t = m(w, op, "s") * 1e3; x = off[w, op "_s"] * 1e3
			h = m(w, op, "hvo_ns") / 1e6; rest = h
			printf "  %-10s %-6s %7.1f %7.1f %7.1f %7.1f", w, op, x, t, t - x, h
			for (c = 1; c <= nc; c++) {
				y = m(w, op, cs[c] "_ns") / 1e6; rest -= y
				printf " %7.1f", y
			}
			printf " %7.1f %7.1f\n", rest, t - x - h
		}
	}
	if (arm) {
		printf "\nWhere arm64'"'"'s time goes (%s, HVO on, ms per write, median):\n", k
		printf "  %-10s %-6s %7s %7s %7s %7s %7s %7s %7s %7s %6s\n", "work", "op",
			"off", "on", "on-off", "perms", "step1", "step2", "step3", "step4", "tlbi"
		split("perms_ns step1_ns step2_ns step3_ns step4_ns", cs, " ")
		for (i = 1; i <= nw; i++) for (o = 1; o <= 3; o++) {
			w = work[i]; op = ops[o]
			if (!((w, op "_s", 1) in v)) continue
			t = m(w, op, "s") * 1e3; x = off[w, op "_s"] * 1e3
			printf "  %-10s %-6s %7.1f %7.1f %7.1f", w, op, x, t, t - x
			for (c = 1; c <= 5; c++) printf " %7.1f", m(w, op, cs[c]) / 1e6
			printf " %6d\n", m(w, op, "tlbi_no_bbm")
		}
	}
	if (bbm) {
		printf "\nBreak-before-make windows (%s, HVO on, median per write):\n", k
		for (i = 1; i <= nw; i++) for (o = 1; o <= 3; o++) {
			w = work[i]; op = ops[o]
			if (!((w, op "_windows", 1) in v)) continue
			printf "  %-10s %-6s windows %6d   fixups %6d\n", w, op,
				m(w, op, "windows"), m(w, op, "fixups")
		}
	}
}'
	sed -n 's/^ *# bench-bbm: /  since boot: /p' "$2" | tail -1
	# The histograms since boot, from the last test of the boot: microseconds
	# (a bucket's lower bound) and how many windows or waits fell in it.
	{ grep -h '# bench-hist: ' "$2" || true; } | tail -2 |
		sed 's/.*# bench-hist: \([a-z_]*\)/  \1 (us:count)/'
}
for k in "${kernels[@]}"; do
	if [ -f "$resdir/bench-$k.log" ]; then where_time_goes "$k" "$resdir/bench-$k.log"; fi
done
echo "JSON: ${resdir#$top/}/bench.json"
"$top/reports/results.sh" "$resdir"/bench-*.ktap
