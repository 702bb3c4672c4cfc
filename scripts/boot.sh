#!/bin/bash
# Boot a kernel and the guest initramfs under QEMU (TCG), capture the serial
# console to LOG, and return when the guest powers off or TIMEOUT passes.
#
#   boot.sh ARCH KERNEL INITRAMFS LOG [KERNEL ARGS...]
#   env: SMP (4), MEM (4G arm64, 6G x86_64), TIMEOUT seconds (900), HVO_CONSOLE=1 to also show
#        the console on stderr
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=$1 kernel=$2 initrd=$3 log=$4; shift 4
smp=${SMP:-4} limit=${TIMEOUT:-900}
# x86_64 registers the 1G hstate only when asked, and needs more memory than
# arm64 for a runtime 1G allocation to find a free aligned gigabyte.
case $arch in
arm64)	qemu=(qemu-system-aarch64 -M virt,gic-version=3 -cpu max,pauth-impdef=on)
	console=ttyAMA0 mem=${MEM:-4G} ;;
x86_64)	qemu=(qemu-system-x86_64 -M q35 -cpu max)
	console="ttyS0 hugepagesz=1G" mem=${MEM:-6G} ;;
*)	die "unknown architecture $arch" ;;
esac
qemu+=(-smp "$smp" -m "$mem" -nographic -no-reboot -kernel "$kernel" -initrd "$initrd"
       -append "console=$console panic=-1 loglevel=7 $*")
echo "# boot.sh: ${qemu[*]}" > "$log"
start=$SECONDS
if [ "${HVO_CONSOLE:-0}" = 1 ] && [ -t 0 ]; then	# interactive: keyboard to the guest
	"${qemu[@]}" 2>&1 | tee -a "$log" >&2 || true
elif [ "${HVO_CONSOLE:-0}" = 1 ]; then
	timeout -k 5 "$limit" "${qemu[@]}" < /dev/null 2>&1 | tee -a "$log" >&2 || true
else
	timeout -k 5 "$limit" "${qemu[@]}" < /dev/null >> "$log" 2>&1 || true
fi
echo "# boot.sh: guest ran $((SECONDS - start)) s" >> "$log"
