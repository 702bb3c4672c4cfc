#!/bin/bash
# Install the Debian packages the harness needs, and the base kernel source
# package at the version recorded in BASE_VERSION (or the newest one the
# archive still offers, with a warning naming both).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pkgs=(build-essential dpkg-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm qemu-system-x86 flex bison bc libssl-dev libelf-dev
      cpio ccache git perl python3 python3-ply python3-git xz-utils kmod rsync)

# The guest's busybox for arm64 is fetched as a .deb (build-guest.sh).
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1

read -r src want < <(grep -v '^#' "$top/BASE_VERSION")
need=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
have=$(dpkg-query -W -f='${Version}' "$src" 2>/dev/null || true)
if [ ${#need[@]} -eq 0 ] && [ "$have" = "$want" ] && [ -z "${need_arm64:-}" ]; then
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "deps: need root to install: ${need[*]} $src" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
[ -z "${need_arm64:-}" ] || dpkg --add-architecture arm64
echo "deps: installing ${need[*]}$([ "$have" = "$want" ] || echo " $src=$want")" >&2
apt-get update -q >/dev/null
[ ${#need[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
if [ "$have" != "$want" ]; then
	if apt-cache madison "$src" | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$want"; then
		apt-get install -y -q --allow-downgrades "$src=$want" >/dev/null
	else
		echo "deps: WARNING: $src $want (tested) is no longer offered; installing the newest, $(apt-cache policy "$src" | awk '/Candidate/{print $2}')" >&2
		apt-get install -y -q "$src" >/dev/null
	fi
fi
