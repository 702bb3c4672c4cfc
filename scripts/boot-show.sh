#!/bin/bash
# Boot an already built configuration with its console on the terminal.
#   boot-show.sh CONFIG [TESTS [KERNEL ARGS...]]   (TESTS default: all)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cfg=${1:?usage: boot-show.sh CONFIG [TESTS [KERNEL ARGS...]]}; shift
tests=${1:-all}; shift || true
arch=${cfg%%-*}
case $arch in arm64) img=arch/arm64/boot/Image ;; *) img=arch/x86/boot/bzImage ;; esac
[ -f "$outdir/$cfg/$img" ] || die "build it first: ./hvo build $cfg"
[ -f "$guestdir/$arch/initramfs.cpio" ] || "$top/scripts/build-guest.sh" "$arch" >/dev/null
HVO_CONSOLE=1 exec "$top/scripts/run-boot.sh" "$cfg.manual" "$arch" "$outdir/$cfg/$img" "$tests" "$@"
