#!/bin/bash
# Boot a kernel and the guest initramfs under QEMU (TCG), capture the serial
# console to LOG, and return when the guest powers off or TIMEOUT passes.
#
#   boot.sh ARCH KERNEL INITRAMFS LOG [KERNEL ARGS...]
# arm64 boots with pseudo-NMIs on (irqchip.gicv3_pseudo_nmi=1), so that the
# PMU's overflow interrupt is an NMI for the NMI-context test readers.
#   env: SMP (4), MEM (4G arm64, 6G x86_64), EL (arm64: 2, the kernel at EL2 with
#        VHE, as on KVM hosts; 1 for EL1), CPU (arm64: a QEMU CPU model, default
#        max; cortex-a57, cortex-a72, cortex-a76, neoverse-n1 carry the real
#        MIDR and ID registers), MTE=1 (arm64: the machine with MTE, for
#        KASAN's hardware tags), NUMA=2 (two NUMA nodes, each half the
#        memory and half the CPUs; x86_64: numa=fake=2), TIMEOUT seconds
#        (900; run-boot.sh sets it from the tests' own limits), TCG=single
#        (one host thread for every guest CPU; default multi), NORESERVE=1
#        (guest RAM mapped MAP_NORESERVE: a guest larger than the host boots
#        as long as it touches less than the host has), HVO_CONSOLE=1
#        to also show the console on stderr
# A guest still running at TIMEOUT is killed and the log says so ("# boot.sh: TIMEOUT").
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

arch=$1 kernel=$2 initrd=$3 log=$4; shift 4
smp=${SMP:-4} limit=${TIMEOUT:-900}
emu=$(arch_fact "$arch" qemu) && console=$(arch_fact "$arch" console) &&
	mem=${MEM:-$(arch_fact "$arch" mem)} || exit 1
# arm64: GICv3 with pseudo-NMIs, EL2 (VHE) unless EL=1; x86_64 registers the
# 1G hstate only when asked.
case $arch in
arm64)	virt=virt,gic-version=3; [ "${EL:-2}" = 2 ] && virt+=,virtualization=on
	[ "${MTE:-0}" = 1 ] && virt+=,mte=on
	cpu=${CPU:-max}; [ "$cpu" = max ] && cpu=max,pauth-impdef=on
	qemu=("$emu" -M "$virt" -cpu "$cpu")
	console+=" irqchip.gicv3_pseudo_nmi=1" ;;
x86_64)	qemu=("$emu" -M q35 -cpu max)
	console+=" hugepagesz=1G" ;;
esac
# Two nodes: arm64 describes them to the kernel in its device tree; x86_64
# without PCI has no ACPI SRAT parser, and splits its memory itself.
memdevs=() extra= reserve=
[ "${NORESERVE:-0}" = 1 ] && reserve=,reserve=off
if [ "${NUMA:-1}" = 2 ]; then
	case $arch in
	arm64)	mb=$(numfmt --from=iec "$mem"); mb=$((mb / 2 / 1048576))
		for n in 0 1; do
			memdevs+=(-object "memory-backend-ram,id=mem$n,size=${mb}M$reserve"
			       -numa "node,nodeid=$n,cpus=$((n * smp / 2))-$(((n + 1) * smp / 2 - 1)),memdev=mem$n")
		done ;;
	x86_64)	extra=numa=fake=2 ;;
	esac
elif [ -n "$reserve" ]; then
	qemu[2]+=,memory-backend=ram0
	memdevs+=(-object "memory-backend-ram,id=ram0,size=$mem$reserve")
fi
[ "${TCG:-multi}" = single ] && qemu+=(-accel tcg,thread=single)
qemu+=("${memdevs[@]}" -smp "$smp" -m "$mem" -nographic -no-reboot -kernel "$kernel" -initrd "$initrd"
       -append "console=$console panic=-1 loglevel=7 ${extra:+$extra }$*")
echo "# boot.sh: ${qemu[*]}" > "$log"
start=$SECONDS rc=0
if [ "${HVO_CONSOLE:-0}" = 1 ] && [ -t 0 ]; then	# interactive: keyboard to the guest
	"${qemu[@]}" 2>&1 | tee -a "$log" >&2 || true
elif [ "${HVO_CONSOLE:-0}" = 1 ]; then
	timeout -k 5 "$limit" "${qemu[@]}" < /dev/null 2>&1 | tee -a "$log" >&2 || rc=${PIPESTATUS[0]}
else
	timeout -k 5 "$limit" "${qemu[@]}" < /dev/null >> "$log" 2>&1 || rc=$?
fi
# timeout(1) exits 124 (137 after -k) when it had to stop QEMU.
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "# boot.sh: TIMEOUT: guest still running after the limit of $limit s, QEMU killed" >> "$log"
fi
echo "# boot.sh: guest ran $((SECONDS - start)) s" >> "$log"
