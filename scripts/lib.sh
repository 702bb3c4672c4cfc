# Common settings for the host scripts. Sourced, not run.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${HVO_BUILD:-$top/build}
tree=${HVO_TREE:-$build/linux}
patches=$top/patches
tarball=/usr/src/linux-source-6.12.tar.xz
# Fixed identity and date for the generated base commit: the same tarball
# always gives the same base commit id.
base_env=(GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost
	  GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@localhost
	  GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z')

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "$*"; exit 1; }

# Patches in series order (patches/series lists file names, one a line).
series_files() {
	[ -f "$patches/series" ] || return 0
	grep -v -e '^#' -e '^$' "$patches/series" | sed "s|^|$patches/|"
}

# step_ktap FILE NAME CMD...: run CMD, record "ok 1 NAME" or "not ok 1 NAME"
# in FILE (a one-test KTAP file), keep its output in FILE.log.
step_ktap() {
	local f=$1 name=$2 rc=0; shift 2
	mkdir -p "$(dirname "$f")"
	"$@" > "$f.log" 2>&1 || rc=$?
	{ echo "KTAP version 1"; echo "1..1"
	  if [ $rc = 0 ]; then echo "ok 1 $name"; else echo "not ok 1 $name # exit $rc, see ${f#$top/}.log"; fi
	} > "$f"
	[ $rc = 0 ] || { say "$name failed:"; tail -15 "$f.log" >&2; }
	return $rc
}

# The hugetlb kselftests every boot with HVO runs (names from guest/tests.list).
# hugetlb-read-hwpoison is built and listed but not run by default: on this
# base MADV_HWPOISON kills the test itself with SIGBUS, with or without HVO.
kselftests_default=hugepage-vmemmap,hugepage-mmap,hugepage-shm,map_hugetlb,hugepage-mremap
kselftests_default+=,hugetlb-madvise,hugetlb_fault_after_madv,hugetlb_madv_vs_map,hugetlb_dio
kselftests_default+=,thuge-gen,hugetlb-soft-offline,compaction_test
