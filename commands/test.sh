#!/bin/bash
# The test command (what CI runs): for each series, the series applies,
# checkpatch, builds, guest tests with HVO on and off (steps/test-base.sh);
# then every result, the closing line "N passed, N failed", and
# build/results/results.json.
#
#   test.sh [BASE:CONFIG...]
#
# Default: the mainline series (7.3) on arm64-4k, arm64-kasan (KASAN's
# hardware tags, lib.sh kasan_boots) and x86_64, and the LTS
# backport (6.12) on arm64-4k: what fits CI's time from a cold ccache on 2
# cores (README). "./hvo test 6.12:x86_64" runs the fourth configuration.
# HVO_TEST_CONFIGS overrides the default list (same syntax).
set -uo pipefail
. "$(dirname "$0")/../lib/lib.sh"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || read -ra specs <<< "${HVO_TEST_CONFIGS:-7.3:arm64-4k 7.3:arm64-kasan 7.3:x86_64 6.12:arm64-4k}"
groups=$(specs_by_base "${specs[@]}") || exit 1
t0=$SECONDS
rm -rf "$build/results"
while read -r b cfgs; do
	# shellcheck disable=SC2086 # the configurations are words
	HVO_BASE=$b "$top/steps/test-base.sh" $cfgs < /dev/null
done <<< "$groups"
say "[$((SECONDS - t0)) s] results"
"$top/reports/results.sh" --json "$build/results/results.json" "$build/results"/*/*.ktap
