#!/bin/bash
# Install the Debian packages the harness needs, and fetch the kernel source
# package of the base (HVO_BASE, see lib.sh) at the version its patches/BASE
# records (or the newest one the archive still offers, with a warning naming
# both):
#   suite "installed"   apt-get install from the machine's own sources
#   any other suite     apt-get download with a private apt configuration
#                       under build/apt (that suite only), unpacked with
#                       dpkg-deb into build/src/: the machine's apt sources
#                       and installed packages are not touched
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
pkgs=(build-essential dpkg-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm qemu-system-x86 flex bison bc libssl-dev libelf-dev
      cpio ccache git perl python3 python3-ply python3-git xz-utils kmod rsync)

# The guest's busybox for arm64 is fetched as a .deb (build-guest.sh).
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1

need=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
if [ "$base_suite" = installed ]; then
	have=$(dpkg-query -W -f='${Version}' "$base_pkg" 2>/dev/null || true)
else
	have=$base_version; [ -f "$tarball" ] || have=
fi
if [ ${#need[@]} -eq 0 ] && [ "$have" = "$base_version" ] && [ -z "${need_arm64:-}" ]; then
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "deps: need root to install: ${need[*]} $base_pkg" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ] || [ -n "${need_arm64:-}" ] || [ "$base_suite" = installed ]; then
	[ -z "${need_arm64:-}" ] || dpkg --add-architecture arm64
	echo "deps: installing ${need[*]}" >&2
	apt-get update -q >/dev/null
	[ ${#need[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
[ "$have" = "$base_version" ] && exit 0

# The version recorded, or the newest offered (with a warning).
pick_version() { # madison output on stdin
	local offered
	offered=$(awk -F'|' '{gsub(/ /,"",$2); print $2}')
	if grep -qxF "$base_version" <<< "$offered"; then
		echo "$base_version"
	else
		echo "deps: WARNING: $base_pkg $base_version (tested) is no longer offered; using $(head -1 <<< "$offered")" >&2
		head -1 <<< "$offered"
	fi
}

if [ "$base_suite" = installed ]; then
	v=$(apt-cache madison "$base_pkg" | pick_version)
	echo "deps: installing $base_pkg=$v" >&2
	apt-get install -y -q --allow-downgrades "$base_pkg=$v" >/dev/null
	exit 0
fi

apt=$build/apt/$base_suite
mkdir -p "$apt/lists/partial" "$apt/archives/partial"
echo "deb http://deb.debian.org/debian $base_suite main" > "$apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
      -o "Dir::Cache::Archives=$apt/archives" -o APT::Sandbox::User=root)
echo "deps: fetching $base_pkg from $base_suite" >&2
apt-get "${opts[@]}" update -q >/dev/null
v=$(apt-cache "${opts[@]}" madison "$base_pkg" | pick_version)
(cd "$apt" && rm -f ./*.deb && apt-get "${opts[@]}" download -q "$base_pkg=$v" >/dev/null)
src=$build/src/$base_pkg-$base_version
rm -rf "$src" && mkdir -p "$src"
dpkg-deb -x "$apt"/"$base_pkg"_*.deb "$src"
[ -f "$tarball" ] || die "$base_pkg $v has no $(basename "$tarball")"
