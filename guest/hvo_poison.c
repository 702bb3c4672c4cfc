// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_poison [-n PAGES] [-o OFFLINE] [-p POISON]
 *
 * Memory failure on huge pages in use, the paths that restore a folio's
 * vmemmap outside a pool shrink: soft offline migrates the contents of a
 * folio whose base page is suspect to a new folio (which HVO optimizes) and
 * dissolves the old one (HVO restores its vmemmap first); a hard poison
 * kills the user and dissolves the folio when its last user is gone.
 *
 *  1. PAGES (default 8) default-size huge pages are mapped and filled, in a
 *     pool with OFFLINE + POISON folios more.
 *  2. OFFLINE (default 2) of them are soft offlined (MADV_SOFT_OFFLINE on one
 *     base page each): every word of every page must still hold what was
 *     written, HardwareCorrupted must grow by one base page each, and the
 *     pool lose the old folio of each (it moved to a free one).
 *  3. POISON (default 2) times a child process maps one huge page, fills it
 *     and poisons one of its base pages (MADV_HWPOISON); the kernel may kill
 *     it (SIGBUS), anything else is a failure.  Once it is gone its folio
 *     must leave the pool.
 *  4. The mapping is unmapped and the pool freed: it must drain to 0.
 *
 * After every step the vmemmap in use (nr_memmap_pages +
 * nr_memmap_boot_pages) must be the baseline less the saving of every folio
 * in the pool (with HVO on; the baseline with it off), waiting up to 10 s for
 * folios the kernel frees from a work item.  Under with_churn (HVO_CHURN
 * set), which resizes another hstate's pool meanwhile, those comparisons are
 * reported as a SKIP; with_churn checks the baseline at its end.  The
 * poisoned base pages stay poisoned for the rest of the boot.  Output: KTAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON		100
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif

static long kb, base_pagesz, save, base;
static char nr_path[128];
static bool churn;

static long pool(void)
{
	long n;

	return read_long(nr_path, &n) ? -1 : n;
}

static inline uint64_t word(size_t i, uint64_t seed)
{
	return (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

static void fill(char *p, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len / 8; i++)
		((uint64_t *)p)[i] = word(i, seed);
}

static long check(const char *p, size_t len, uint64_t seed)
{
	long bad = 0;

	for (size_t i = 0; i < len / 8; i++)
		if (((const uint64_t *)p)[i] != word(i, seed) && !bad++)
			diag("word %zu: %#llx", i, (unsigned long long)((const uint64_t *)p)[i]);
	return bad;
}

static char *map_huge(long pages)
{
	char *p = mmap(NULL, pages * (kb << 10), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Is the vmemmap in use what the pool's folios leave of the baseline?  Waits
 * up to 10 s: a dissolved folio may be freed by a work item.  Reports the
 * step as one result.
 */
static void step(bool ok, const char *what, long pool_want)
{
	long m = -1, p = -1;

	for (int i = 0; i < 200; i++) {
		p = pool();
		m = memmap_pages();
		if ((pool_want < 0 || p == pool_want) && (churn || m == base - p * save))
			break;
		usleep(50000);
	}
	if (pool_want >= 0 && p != pool_want)
		diag("%s: pool %ld, expected %ld", what, p, pool_want);
	if (!churn && m != base - p * save)
		diag("%s: vmemmap pages %ld, expected %ld for %ld folios", what, m,
		     base - p * save, p);
	result(ok && (pool_want < 0 || p == pool_want) && (churn || m == base - p * save),
	       NULL, "%s: pool %ld, vmemmap %ld%s", what, p, m,
	       churn ? " (not compared: another hstate churns)" : "");
}

/* The child of step 3: poison a base page of a huge page of its own. */
static int poison_child(uint64_t seed)
{
	char *p = map_huge(1);

	if (!p)
		return 10;
	fill(p, kb << 10, seed);
	if (madvise(p + 5 * base_pagesz, base_pagesz, MADV_HWPOISON))
		return 11;
	/* Still alive: the poisoned page must not be readable. */
	return p[5 * base_pagesz] == 0x5a ? 12 : 0;
}

int main(int argc, char **argv)
{
	long nr = 8, offline = 2, poison = 2, hvo = 0, hwc;
	char *map;
	int opt;

	while ((opt = getopt(argc, argv, "n:o:p:")) != -1) {
		switch (opt) {
		case 'n': nr = atol(optarg); break;
		case 'o': offline = atol(optarg); break;
		case 'p': poison = atol(optarg); break;
		default:
			fprintf(stderr, "usage: hvo_poison [-n PAGES] [-o OFFLINE] [-p POISON]\n");
			return 2;
		}
	}
	if (offline > nr)
		offline = nr;
	churn = getenv("HVO_CHURN") != NULL;
	base_pagesz = sysconf(_SC_PAGESIZE);
	kb = default_hugepage_kb();
	snprintf(nr_path, sizeof(nr_path), "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", kb);
	read_long(HVO_SYSCTL, &hvo);
	save = hvo ? hvo_saving_pages(kb) : 0;
	ktap_plan(2 + offline + 1 + 2 * poison + 1);
	base = memmap_pages();
	diag("%ld x %ld kB, HVO %s (saving %ld vmemmap pages a folio), baseline %ld",
	     nr, kb, hvo ? "on" : "off", hvo_saving_pages(kb), base);

	/*
	 * 1. The pool: the mapping, a free folio for each soft offline to
	 * migrate to, one for each child.
	 */
	write_long(nr_path, nr + offline + poison);
	map = pool() == nr + offline + poison ? map_huge(nr) : NULL;
	if (!map) {
		write_long(nr_path, 0);
		ktap_exit_bail_out("%ld huge pages not reserved or mapped", nr + offline + poison);
	}
	fill(map, nr * (kb << 10), 1);
	step(true, "mapped and filled", nr + offline + poison);

	/* 2. Soft offline, one base page of each of the first OFFLINE pages. */
	for (long i = 0; i < offline; i++) {
		char *page = map + i * (kb << 10) + 17 * base_pagesz;
		long before = meminfo_kb("HardwareCorrupted"), after;
		int ret = madvise(page, base_pagesz, MADV_SOFT_OFFLINE);

		if (ret)
			diag("MADV_SOFT_OFFLINE: %s", strerror(errno));
		after = meminfo_kb("HardwareCorrupted");
		result(!ret && after - before == base_pagesz / 1024, NULL,
		       "huge page %ld soft offlined: HardwareCorrupted %ld -> %ld kB", i,
		       before, after);
	}
	result(!check(map, nr * (kb << 10), 1), NULL, "contents intact after soft offline");
	/* Each moved to a free folio of the pool and was dissolved. */
	step(true, "soft offlined folios dissolved", nr + poison);

	/* 3. Hard poison in a child that may die of it. */
	for (long i = 0; i < poison; i++) {
		long before = pool(), status = 0;
		int st;
		pid_t pid;

		/* Before the child runs: its madvise() counts the poison at once. */
		hwc = meminfo_kb("HardwareCorrupted");
		pid = fork();
		if (pid == 0)
			_exit(poison_child(100 + i));
		waitpid(pid, &st, 0);
		if (WIFEXITED(st))
			status = WEXITSTATUS(st);
		result((WIFEXITED(st) && !status) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS),
		       NULL, "child %ld poisoned a base page: %s %ld, HardwareCorrupted %ld -> %ld kB",
		       i, WIFSIGNALED(st) ? "killed by signal" : "exit", WIFSIGNALED(st) ?
		       (long)WTERMSIG(st) : status, hwc, meminfo_kb("HardwareCorrupted"));
		step(meminfo_kb("HardwareCorrupted") > hwc, "poisoned folio left the pool",
		     before - 1);
	}

	/* 4. Unmap and drain. */
	munmap(map, nr * (kb << 10));
	write_long(nr_path, 0);
	step(true, "pool drained, vmemmap back to its baseline", 0);
	return ktap_finish();
}
