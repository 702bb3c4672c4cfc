#!/bin/bash
# Sum up the KTAP files of a run: print every failed test, a per-file count,
# and the closing line "N passed, N failed". Exit 1 if anything failed.
# With --json FILE, also write every top-level result there, one object a
# test: {"file": "BASE/NAME", "name", "status": PASS|FAIL|SKIP, "reason"}.
#
#   results.sh [--json FILE] KTAP...
set -uo pipefail
json=
[ "${1:-}" = --json ] && { json=$2; shift 2; }
pass=0 fail=0 skip=0
[ -z "$json" ] || echo "[" > "$json"
for f in "$@"; do
	[ -f "$f" ] || { echo "not ok - ${f##*/}: missing result file"; fail=$((fail + 1)); continue; }
	p=$(grep -cE '^ok [0-9]+ ' "$f"); p=$((p - $(grep -cE '^ok [0-9]+ .*# SKIP' "$f")))
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$f")
	x=$(grep -cE '^not ok [0-9]+ ' "$f")
	# BASE/NAME: the results of each series are in their own directory.
	n=$(basename "$(dirname "$f")")/$(basename "$f" .ktap)
	printf '  %-44s %3d passed, %3d failed, %3d skipped\n' "$n" "$p" "$x" "$s"
	grep -E '^not ok [0-9]+ ' "$f" | sed 's/^/    /'
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + s))
	[ -z "$json" ] || awk -v file="$n" '/^(ok|not ok) [0-9]+ / {
		ok = $1 == "ok"; name = ok ? $3 : $4
		reason = $0; if (!sub(/^[^#]*# ?/, "", reason)) reason = ""
		status = !ok ? "FAIL" : reason ~ /^SKIP/ ? "SKIP" : "PASS"
		gsub(/\\/, "\\\\", reason); gsub(/"/, "\\\"", reason)
		printf "{\"file\":\"%s\",\"name\":\"%s\",\"status\":\"%s\",\"reason\":\"%s\"},\n",
			file, name, status, reason
	}' "$f" >> "$json"
done
[ -z "$json" ] || { sed -i '$ s/,$//' "$json"; echo "]" >> "$json"; }
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
