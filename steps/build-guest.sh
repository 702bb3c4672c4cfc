#!/bin/bash
# Build the guest for one architecture into build/guest/BASE/ARCH/ and pack
# it as an initramfs (build/guest/BASE/ARCH/initramfs.cpio):
#   /init            guest/init.c (static)
#   /tests/*         our guest programs (static) and the hugetlb mm kselftests
#                    of SRC (lib/lib.sh kselftests_built), built with the
#                    selftests' own Makefile, with run_vmtests.sh and the
#                    scripts of its hugetlb category
#   /tests/kvm/*     arm64: the KVM selftests of SRC the workload tests run
#                    (lib.sh: kvm_selftests), built with their own Makefile
#   /bin/bash        Debian's bash-static, for those scripts
#   /etc/hvo-tests   guest/tests.list
#
#   build-guest.sh ARCH [SRC]      ARCH: arm64 | x86_64; SRC: kernel tree
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

arch=${1:?usage: build-guest.sh ARCH [SRC]}
src=$(realpath "${2:-$tree}")
cross=$(arch_fact "$arch" cross) && karch=$(arch_fact "$arch" karch) &&
	debarch=$(arch_fact "$arch" debarch) || exit 1
out=$guestdir/$arch
root=$out/root
rm -rf "$root" && mkdir -p "$root"/{tests,etc,proc,sys,dev,tmp,mnt/huge}
start=$SECONDS

cflags=(-static -O2 -Wall -Wextra -Werror)
"${cross}gcc" "${cflags[@]}" -o "$root/init" "$top/guest/init.c"
for c in "$top"/guest/*.c; do
	n=$(basename "$c" .c)
	[ "$n" = init ] && continue
	"${cross}gcc" "${cflags[@]}" -o "$root/tests/$n" "$c" -lpthread
done
cp "$top/guest/"*.sh "$top/guest/ps" "$top/guest/pgrep" "$top/guest/killall" "$root/tests/"
cp "$top/guest/tests.list" "$root/etc/hvo-tests"

# busybox (Debian's static build) for the tests that call a shell, and for
# an interactive shell (hvo.shell=1); init installs its applet links.
deb=$build/deb/$debarch
if [ ! -x "$deb/bin/busybox" ]; then
	mkdir -p "$deb" && rm -f "$deb"/*.deb
	(cd "$deb" && apt-get download -q "busybox-static:$debarch" >/dev/null 2>&1) ||
		die "apt-get download busybox-static:$debarch failed (steps/deps.sh adds arm64)"
	dpkg-deb -x "$deb"/busybox-static_*.deb "$deb"
fi
mkdir -p "$root/bin" && cp "$deb/bin/busybox" "$root/bin/busybox"
# bash (Debian's static build) for run_vmtests.sh and its scripts, which
# need it; busybox provides the rest of their commands.
if [ ! -x "$deb/bin/bash-static" ]; then
	(cd "$deb" && apt-get download -q "bash-static:$debarch" >/dev/null 2>&1) ||
		die "apt-get download bash-static:$debarch failed"
	dpkg-deb -x "$deb"/bash-static_*.deb "$deb"
fi
cp "$deb/bin/bash-static" "$root/bin/bash"

# kselftests: UAPI headers of SRC, then the mm Makefile's own rules.
hdr=$out/headers
make -s -C "$src" O="$hdr" ARCH=$karch headers_install INSTALL_HDR_PATH="$hdr/usr" >/dev/null
mapfile -t kself < <(kselftests_built)
[ ${#kself[@]} -gt 3 ] || die "no kselftests to build (guest/tests.list @kselftests-$base)"
ks=$out/kselftests
mkdir -p "$ks"
make -s -C "$src/tools/testing/selftests/mm" ARCH=$karch CROSS_COMPILE=$cross \
	EXTRA_CFLAGS=-static KHDR_INCLUDES="-isystem $hdr/usr/include" OUTPUT="$ks" \
	"${kself[@]/#/$ks/}" > "$out/kselftests.log" 2>&1 || {
	tail -20 "$out/kselftests.log"; die "kselftests failed to build (log $out/kselftests.log)"; }
for t in "${kself[@]}"; do cp "$ks/$t" "$root/tests/"; done
# run_vmtests.sh and the scripts of its hugetlb category, run as it runs them.
for f in run_vmtests.sh charge_reserved_hugetlb.sh hugetlb_reparenting_test.sh \
	 write_hugetlb_memory.sh; do
	[ -f "$src/tools/testing/selftests/mm/$f" ] && cp "$src/tools/testing/selftests/mm/$f" "$root/tests/"
done

# KVM selftests (the arm64 kernel is a KVM host at EL2), their own Makefile.
if [ "$arch" = arm64 ] && [ -n "${kvm_selftests[*]}" ]; then
	kv=$out/kvm
	mkdir -p "$kv" "$root/tests/kvm"
	make -s -C "$src/tools/testing/selftests/kvm" ARCH=$karch CROSS_COMPILE=$cross \
		EXTRA_CFLAGS=-static LDFLAGS=-static KHDR_INCLUDES="-isystem $hdr/usr/include" \
		OUTPUT="$kv" "${kvm_selftests[@]/#/$kv/}" > "$out/kvm-selftests.log" 2>&1 || {
		tail -20 "$out/kvm-selftests.log"
		die "KVM selftests failed to build (log $out/kvm-selftests.log)"; }
	for t in "${kvm_selftests[@]}"; do cp "$kv/$t" "$root/tests/kvm/"; done
fi

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out/initramfs.cpio.tmp"
mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"	# a guest booting meanwhile reads the old one whole
say "$arch guest: $(du -h "$out/initramfs.cpio" | cut -f1) initramfs in $((SECONDS - start)) s"
echo "$out/initramfs.cpio"
