#!/bin/bash
# Boot an already built configuration with its console on the terminal.
#   boot.sh CONFIG [TESTS [KERNEL ARGS...]]   (TESTS default: all)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
cfg=${1:?usage: boot.sh CONFIG [TESTS [KERNEL ARGS...]]}; shift
tests=${1:-all}; shift || true
arch=${cfg%%-*}
img=$(kernel_image "$cfg")
[ -f "$img" ] || die "build it first: ./hvo build $cfg"
[ -f "$guestdir/$arch/initramfs.cpio" ] || "$top/steps/build-guest.sh" "$arch" >/dev/null
HVO_CONSOLE=1 exec "$top/steps/run-boot.sh" "$cfg.manual" "$arch" "$img" "$tests" "$@"
