#!/bin/bash
# The matrix's table and JSON, from its KTAP files and consoles: one row a
# configuration, one column a boot (or the build), then the vmemmap saved
# against the theoretical maximum, the windows and the fixups by context.
#
#   matrix-table.sh DIR BASE...     (DIR/BASE/*.ktap, *.log; writes DIR/matrix.json)
#
# A cell is "pass", "FAIL" (with the failed tests listed under the table),
# "skip" (the kernel lacks what the test needs) or "-" (not run). "vhe" also
# fails when a 52-bit VA kernel did not detect LPA2 or LVA. "ram" is the
# boot with HVO on keeping all its RAM (parse-console.sh's "memory"; every
# boot is checked), "linmap" the boot with as much RAM as the linear map
# covers (lib.sh linear_map_mem; "-" where there is none). "inject"
# is hvo_inject in the boot with HVO on, "vmtests" run_vmtests.sh -t hugetlb. Savings: hstates at the theoretical maximum of
# those allocated, computed here from the configuration's granule and a
# 64-byte struct page (vmemmap pages per huge page - 1, per page), for the
# pages allocated at run time (hvo_savings) and at boot (hvo_bootmem).
# "ran" is the UTC date and time of the cell's build step, so that a row run
# before a change of the series shows as such.
# Exit 1 if any cell failed; the last line is "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
dir=$1; shift
json=$dir/matrix.json

# cell KTAP: pass, FAIL or - (no file).
cell() {
	[ -f "$1" ] || { echo -; return; }
	if grep -qE '^not ok ' "$1" || ! grep -qE '^ok ' "$1"; then echo FAIL; else echo pass; fi
}

# test_cell KTAP NAME: pass, FAIL, skip or - for one guest test of a boot.
test_cell() {
	local l
	l=$(grep -E "^(ok|not ok) [0-9]+ [^ ]*\.$2( |\$)" "$1" 2>/dev/null | head -1)
	case $l in
	"") echo - ;;
	"not ok"*) echo FAIL ;;
	*"# SKIP"*) echo skip ;;
	*) echo pass ;;
	esac
}

# savings LOG KIB TAG: "OK/N" hstates whose freed KiB equal the maximum
# (TAG: savings = runtime allocation, bootmem = boot-time reservation).
savings() {
	[ -f "$1" ] || { echo -; return; }
	awk -v g="$2" -v tag="$3" "$awk_lib"'
	$0 ~ "# " tag ": " {
		sub(/.*# [a-z-]+: /, "")
		kv(1, v)
		kb = v["hstate"] + 0; n = v["pages"] + 0
		if (tag == "savings") { if (seen[kb]++) next; got = v["freed_kib"] + 0 }
		else got = v["boot_saving_kib"] + 0
		max = max_saved_kib(kb, g, n)
		if (n > 0) { tot++; ok += (got == max) }
		name = kb >= 1048576 ? kb / 1048576 "G" : (kb >= 1024 ? kb / 1024 "M" : kb "K")
		detail = detail (detail ? " " : "") name ":" (n > 0 ? got "/" max : "none")
	}
	END { if (!tot) print "-"; else printf "%d/%d %s\n", ok, tot, detail }' "$1"
}

# stress LOG: windows and fixups by context (6.12), and PMD splits in place,
# through the Access Flag and refused (7.3), summed over its stress runs;
# "-" where the kernel does not count them.
stress() {
	awk "$awk_lib"'/# stress: / {
		kv(1, f); for (k in f) if (f[k] + 0 >= 0) s[k] += f[k]; n++ }
	function v(k) { return (k in s) ? s[k] : "-" }
	END { if (!n) print "- - - - - - - - -"; else print v("windows"), v("fixups"),
		v("fixups_task"), v("fixups_softirq"), v("fixups_hardirq"), v("fixups_nmi"),
		v("vmemmap_pmd_splits_bbml3"), v("vmemmap_pmd_splits_af"),
		v("vmemmap_pmd_splits_refused") }' "$1" 2>/dev/null ||
		echo "- - - - - - - - -"
}

smps=$(for b in "$@"; do ls "$dir/$b" 2>/dev/null; done | sed -n 's/.*\.smp\([0-9]*\)\.ktap$/\1/p' | sort -un)
hdr=$(printf '%-20s %-11s %-5s %-5s %-4s %-4s %-6s %-5s %-6s %-7s' config ran build on vhe ram linmap off inject vmtests)
for n in $smps; do hdr+=$(printf ' %-5s' "smp$n"); done
hdr+=$(printf ' %-9s %-9s %7s %7s  %-24s %s' runtime boot windows fixups "task/softirq/hardirq/nmi" "splits bbml3/af/refused")
echo "$hdr"
printf '[' > "$json"
sep=
for b in "$@"; do
	r=$dir/$b
	for bk in "$r"/build-*.ktap; do
		[ -f "$bk" ] || continue
		cfg=${bk##*/build-}; cfg=${cfg%.ktap}
		g=$(granule "$cfg")
		build=$(cell "$bk") on=$(cell "$r/$cfg.hvo-on.ktap") vhe=$(cell "$r/$cfg.vhe.ktap")
		[ -f "$r/$cfg.va52.ktap" ] && [ "$(cell "$r/$cfg.va52.ktap")" != pass ] && vhe=FAIL
		ram=$(test_cell "$r/$cfg.hvo-on.ktap" memory) lin=$(cell "$r/$cfg.linear-map.ktap")
		off=$(cell "$r/$cfg.hvo-off.ktap") inj=$(test_cell "$r/$cfg.hvo-on.ktap" hvo_inject)
		vmt=$(cell "$r/$cfg.vmtests.ktap")
		rt=$(savings "$r/$cfg.hvo-on.log" "$g" savings) bm=$(savings "$r/$cfg.hvo-on.log" "$g" bootmem)
		read -r win fix ft fs fh fn sb sa sr < <(stress "$r/$cfg.hvo-on.log")
		ran=$(date -u -r "$bk" +%m-%dT%H:%M)
		line=$(printf '%-20s %-11s %-5s %-5s %-4s %-4s %-6s %-5s %-6s %-7s' "$b:$cfg" "$ran" "$build" "$on" "$vhe" \
			"$ram" "$lin" "$off" "$inj" "$vmt")
		smpj=
		for n in $smps; do
			c=$(cell "$r/$cfg.smp$n.ktap")
			line+=$(printf ' %-5s' "$c")
			smpj+="${smpj:+,}\"$n\":\"$c\""
		done
		line+=$(printf ' %-9s %-9s %7s %7s  %-24s %s' "${rt%% *}" "${bm%% *}" "$win" "$fix" "$ft/$fs/$fh/$fn" "$sb/$sa/$sr")
		echo "$line"
		printf '%s\n{"base":"%s","config":"%s","ran":"%s","granule_kib":%d,"build":"%s","hvo_on":"%s","vhe":"%s","ram":"%s","linear_map":"%s","hvo_off":"%s","inject":"%s","run_vmtests":"%s","smp":{%s},"savings_runtime":"%s","savings_boot":"%s","windows":"%s","fixups":"%s","fixups_task":"%s","fixups_softirq":"%s","fixups_hardirq":"%s","fixups_nmi":"%s","splits_bbml3":"%s","splits_af":"%s","splits_refused":"%s"}' \
			"$sep" "$b" "$cfg" "$(date -u -r "$bk" +%FT%TZ)" "$g" "$build" "$on" "$vhe" "$ram" "$lin" "$off" "$inj" "$vmt" "$smpj" "$rt" "$bm" \
			"$win" "$fix" "$ft" "$fs" "$fh" "$fn" "$sb" "$sa" "$sr" >> "$json"
		sep=,
	done
done
echo ']' >> "$json"
echo
echo "savings per hstate (freed KiB / theoretical maximum KiB), runtime then boot-time:"
for b in "$@"; do
	for bk in "$dir/$b"/build-*.ktap; do
		[ -f "$bk" ] || continue
		cfg=${bk##*/build-}; cfg=${cfg%.ktap}
		g=$(granule "$cfg")
		printf '  %-20s %s | %s\n' "$b:$cfg" "$(savings "$dir/$b/$cfg.hvo-on.log" "$g" savings | cut -d' ' -f2-)" \
			"$(savings "$dir/$b/$cfg.hvo-on.log" "$g" bootmem | cut -d' ' -f2-)"
	done
done
echo "JSON: ${json#$top/}"
echo
files=()
for b in "$@"; do files+=("$dir/$b"/*.ktap); done
"$top/reports/results.sh" "${files[@]}"
