// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_collapse - check that a vmemmap PMD that HVO split becomes a block
 * again once the huge pages under it are freed, and count where not.
 *
 *   hvo_collapse -e collapse|refused [-n PAGES] [-c CYCLES] [-C MB [-H]] [-A]
 *
 * Each cycle grows the default-size pool to PAGES huge pages (default 256,
 * at most a quarter of the memory),
 * checks the vmemmap saved, frees the pool and checks the vmemmap back at its
 * baseline, while a reader on every other CPU reads every struct page
 * through /proc/kpageflags.  Around each step it counts the vmemmap mapped
 * with PMD blocks in the kernel's own page-table dump (PTDUMP_DEBUGFS), and
 * it reads the kernel's counters (vmemmap_pmd_* in /proc/vmstat):
 *
 *   collapse  every PMD the grow split is a block again after the free, and
 *             the dump shows as many blocks as before the grow (a PMD that
 *             was a table before may stay one, counted as kept_moved)
 *             (x86_64; arm64 on BBML3 CPUs; nothing splits on 16K and 64K
 *             pages, where the dump must show no change either)
 *   refused   every PMD the grow split stays a table, not remembered for a
 *             collapse (vmemmap_pmd_splits_untracked), nothing restored in
 *             place (arm64 CPUs without BBML3)
 *
 * With -C MB, after each grow MB of anonymous memory and MB of shmem page
 * cache are filled, and released again before the pool is freed (with -H
 * only after it: held while it is freed), so that the pages the restores
 * want back may have been taken meanwhile: then only the accounting is
 * required (every split PMD collapsed or counted as kept, the dump agreeing
 * with the counters), and the fraction collapsed is reported.  The free's time and
 * /proc/buddyinfo before and after are printed.  Run it early after boot:
 * the baseline is taken from the first dump.  Output is KTAP.
 *
 * With allocation profiling (/proc/allocinfo), when nothing was split before
 * the test and every PMD it split collapsed, no page may be left charged to
 * vmemmap_alloc_in_place(): a collapse makes the pages that restores took
 * back reserved memory again, uncharged.  -A requires that check: without
 * /proc/allocinfo, or when it could not be made, the test fails.
 *
 *   # collapse: cycle=1 pages=256 splits=4 collapses=4 kept_moved=0 ...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

static const char * const dumps[] = {
	"/sys/kernel/debug/kernel_page_tables",	/* arm64 */
	"/sys/kernel/debug/page_tables/kernel",	/* x86_64 */
};

enum { SPLITS, UNTRACKED, COLLAPSES, KEPT_MOVED, KEPT_REFUSED, IN_PLACE, ELSEWHERE, NR_CNT };
static const char * const cnt_name[NR_CNT] = {
	"vmemmap_pmd_splits", "vmemmap_pmd_splits_untracked", "vmemmap_pmd_collapses",
	"vmemmap_pmd_kept_moved", "vmemmap_pmd_kept_refused",
	"vmemmap_pages_restored_in_place", "vmemmap_pages_restored_elsewhere",
};

static void read_counters(long *c)
{
	for (int i = 0; i < NR_CNT; i++)
		c[i] = vmstat_long(cnt_name[i]);
}

/*
 * The vmemmap mapped with PMD blocks, in PMDs, from the page-table dump: the
 * lines between the vmemmap marker and the next marker whose level is the PMD
 * (arm64 "... 2M PMD ...", x86_64 "... pmd" at the end), or -1.
 */
static long vmemmap_pmd_blocks(long pmd_size)
{
	static char line[512];
	unsigned long start, end, bytes = 0;
	bool in = false, found = false;
	FILE *f = NULL;

	for (unsigned int i = 0; !f && i < sizeof(dumps) / sizeof(dumps[0]); i++)
		f = fopen(dumps[i], "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "---[", 4)) {
			in = strcasestr(line, "vmemmap") && !strstr(line, "end");
			found |= in;
			continue;
		}
		if (!in || sscanf(line, "0x%lx-0x%lx", &start, &end) != 2)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (strstr(line, " PMD ") ||
		    (strlen(line) > 4 && !strcmp(line + strlen(line) - 4, " pmd")))
			bytes += end - start;
	}
	fclose(f);
	return found ? (long)(bytes / pmd_size) : -1;
}

static volatile bool stop;
static long reads;

/* Read every struct page of the machine, over and over, on CPU @arg. */
static void *reader(void *arg)
{
	static char buf[64 << 10];
	long cpu = (long)arg, n = 0;
	cpu_set_t set;
	int fd = open("/proc/kpageflags", O_RDONLY);

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (fd >= 0 && !stop) {
		off_t off = 0;
		ssize_t got;

		while (!stop && (got = pread(fd, buf, sizeof(buf), off)) > 0)
			off += got;
		n++;
	}
	if (fd >= 0)
		close(fd);
	__atomic_add_fetch(&reads, n, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * The bytes /proc/allocinfo charges to the allocations made in @func, or -1
 * if there is no such line, or -2 without allocation profiling.
 */
static long long allocinfo_bytes(const char *func)
{
	char line[512], tag[128];
	long long bytes, sum = -1;
	FILE *f = fopen("/proc/allocinfo", "r");

	if (!f)
		return -2;
	snprintf(tag, sizeof(tag), " func:%s ", func);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = ' ';
		if (strstr(line, tag) && sscanf(line, "%lld", &bytes) == 1)
			sum = (sum < 0 ? 0 : sum) + bytes;
	}
	fclose(f);
	return sum;
}

static void buddyinfo(const char *when)
{
	char line[256];
	FILE *f = fopen("/proc/buddyinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		diag("buddyinfo %s: %.*s", when, (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
}

/* Fill @mb MiB of anonymous memory and of shmem page cache, kept in use. */
static void *fill(long mb, int *memfd)
{
	size_t len = (size_t)mb << 20;
	char *anon, *file;

	anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*memfd = memfd_create("hvo_collapse", 0);
	if (anon == MAP_FAILED || *memfd < 0 || ftruncate(*memfd, len))
		return NULL;
	file = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
	if (file == MAP_FAILED)
		return NULL;
	memset(anon, 0x5a, len);
	memset(file, 0xa5, len);
	munmap(file, len);
	return anon;
}

static void release(void *anon, long mb, int memfd)
{
	if (anon)
		munmap(anon, (size_t)mb << 20);
	if (memfd >= 0)
		close(memfd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long pages = 0, cycles = 3, churn = 0, kb = default_hugepage_kb(), hvo = 0;
	bool hold = false, need_allocinfo = false;
	long page_size = sysconf(_SC_PAGESIZE), pmd_size = page_size * (page_size / 8);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), per_page, base;
	long c0[NR_CNT], c1[NR_CNT], c2[NR_CNT], all_split = 0, all_collapsed = 0;
	long all_kept = 0, split_before;
	long long charged = allocinfo_bytes("vmemmap_alloc_in_place");
	const char *want = NULL;
	pthread_t threads[64];
	int nthreads = 0, opt;
	bool collapse;

	while ((opt = getopt(argc, argv, "e:n:c:C:HA")) != -1) {
		if (opt == 'e')
			want = optarg;
		else if (opt == 'n')
			pages = atol(optarg);
		else if (opt == 'c')
			cycles = atol(optarg);
		else if (opt == 'C')
			churn = atol(optarg);
		else if (opt == 'H')
			hold = true;
		else if (opt == 'A')
			need_allocinfo = true;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_header();
	/* By default 256, or a quarter of the memory (32M, 512M pages). */
	if (!pages && kb > 0) {
		pages = meminfo_kb("MemTotal") / 4 / kb;
		pages = pages > 256 ? 256 : pages < 1 ? 1 : pages;
	}
	if (!want || (strcmp(want, "collapse") && strcmp(want, "refused")) ||
	    pages <= 0 || cycles <= 0 || churn < 0)
		ktap_exit_skip_all("usage: hvo_collapse -e collapse|refused [-n PAGES] [-c CYCLES] [-C MB [-H]] [-A]");
	if (need_allocinfo && charged < 0)
		ktap_exit_fail("-A: no /proc/allocinfo line for vmemmap_alloc_in_place() (%lld)", charged);
	collapse = !strcmp(want, "collapse");
	read_counters(c0);
	if (kb <= 0 || memmap_pages() < 0 || c0[SPLITS] < 0 || c0[COLLAPSES] < 0)
		ktap_exit_skip_all("no default huge page size, nr_memmap_pages or vmemmap_pmd_collapses");
	if (vmemmap_pmd_blocks(pmd_size) < 0)
		ktap_exit_skip_all("no page-table dump with a vmemmap section (PTDUMP_DEBUGFS)");
	split_before = c0[SPLITS];
	ktap_set_plan(cycles * 3 + 1 + (charged != -2 && collapse));

	read_long(HVO_SYSCTL, &hvo);
	if (!hvo && write_long(HVO_SYSCTL, 1))
		diag("could not turn HVO on");
	for (long cpu = 1; cpu < ncpu && nthreads < 64; cpu++)
		if (!pthread_create(&threads[nthreads], NULL, reader, (void *)cpu))
			nthreads++;

	per_page = hvo_saving_pages(kb);
	base = memmap_pages();
	for (long cycle = 1; cycle <= cycles; cycle++) {
		long b0, b1, b2, saved, split, collapsed, kept_moved, kept_refused;
		int memfd = -1;
		void *anon = NULL;
		double t;
		bool ok;

		b0 = vmemmap_pmd_blocks(pmd_size);
		read_counters(c0);
		ok = !set_pool(kb, pages);
		saved = base - memmap_pages();
		b1 = vmemmap_pmd_blocks(pmd_size);
		read_counters(c1);
		/*
		 * Where the vmemmap has PMD blocks, the pool must split some
		 * (run early in a boot), and after a cycle that collapsed them,
		 * again: else the cycle proves nothing.
		 */
		ok = ok && (!b0 || ((cycle == 1 || collapse) && c1[SPLITS] > c0[SPLITS]) ||
			    (cycle > 1 && !collapse));
		ok = ok && saved == pages * per_page && b0 - b1 == c1[SPLITS] - c0[SPLITS] &&
		     c1[UNTRACKED] - c0[UNTRACKED] == (collapse ? 0 : c1[SPLITS] - c0[SPLITS]);
		result(ok, NULL, "cycle %ld: grown, %ld vmemmap pages saved (expected %ld), %ld PMDs split (dump %ld)",
		       cycle, saved, pages * per_page, c1[SPLITS] - c0[SPLITS], b0 - b1);

		if (churn) {
			anon = fill(churn, &memfd);
			if (!anon)
				diag("could not fill %ld MiB of anonymous memory and page cache", churn);
		}
		if (!hold)
			release(anon, churn, memfd);
		buddyinfo("before free");
		t = now();
		ok = !set_pool(kb, 0);
		t = now() - t;
		buddyinfo("after free");
		if (hold)
			release(anon, churn, memfd);
		ok = ok && memmap_pages() == base;
		if (!ok)
			diag("vmemmap: nr_memmap_pages %ld nr_memmap_boot_pages %ld, baseline sum %ld",
			     vmstat_long("nr_memmap_pages"), vmstat_long("nr_memmap_boot_pages"), base);
		b2 = vmemmap_pmd_blocks(pmd_size);
		read_counters(c2);
		result(ok, NULL, "cycle %ld: freed in %.3f s, vmemmap %+ld pages from baseline",
		       cycle, t, memmap_pages() - base);

		split = c1[SPLITS] - c0[SPLITS];
		collapsed = c2[COLLAPSES] - c1[COLLAPSES];
		kept_moved = c2[KEPT_MOVED] - c1[KEPT_MOVED];
		kept_refused = c2[KEPT_REFUSED] - c1[KEPT_REFUSED];
		ktap_msg("collapse: cycle=%ld pages=%ld splits=%ld collapses=%ld kept_moved=%ld kept_refused=%ld restored_in_place=%ld restored_elsewhere=%ld blocks=%ld/%ld/%ld free_s=%.3f churn_mb=%ld%s\n",
			 cycle, pages, split, collapsed, kept_moved, kept_refused,
			 c2[IN_PLACE] - c1[IN_PLACE], c2[ELSEWHERE] - c1[ELSEWHERE],
			 b0, b1, b2, t, churn, hold ? " held" : "");
		all_split += split;
		all_collapsed += collapsed;
		all_kept += kept_moved + kept_refused;
		if (!split_before && collapse && all_collapsed == all_split && !all_kept)
			charged = allocinfo_bytes("vmemmap_alloc_in_place");
		/* The dump agrees with the counters in every case. */
		ok = b2 - b1 == collapsed;
		if (churn)
			/* Every PMD the pool was under: collapsed or counted. */
			ok = ok && collapsed + kept_moved + kept_refused >= split;
		else if (collapse)
			/*
			 * A PMD that was a table before the grow may keep pages
			 * that something took meanwhile (kept_moved).
			 */
			ok = ok && b2 == b0 && collapsed == split && !kept_refused;
		else
			ok = ok && !collapsed && b2 == b1 && !kept_moved && !kept_refused &&
			     c2[IN_PLACE] == c1[IN_PLACE];
		result(ok, NULL, "cycle %ld: %s", cycle,
		       churn ? "every PMD under the pool collapsed or counted as kept" :
		       collapse ? "every PMD split in the cycle is a block again" :
		       "every split PMD stays a table, not remembered, nothing restored in place");
	}
	stop = true;
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	diag("collapse: %ld PMDs split, %ld collapsed over %ld cycles; readers read all struct pages %ld times",
	     all_split, all_collapsed, cycles, reads);
	result(nthreads == 0 || reads > 0, NULL, "the readers on the other CPUs read");
	if (charged != -2 && collapse) {
		bool checked = !split_before && all_split && all_collapsed == all_split && !all_kept;

		diag("allocinfo: %ld PMDs split before the test, %ld of %ld collapsed, %ld kept",
		     split_before, all_collapsed, all_split, all_kept);
		/* -A asks for the check: not making it is a failure. */
		result(checked ? charged == 0 : !need_allocinfo,
		       checked || need_allocinfo ? NULL : "PMDs split before, or not all collapsed",
		       "allocinfo: %lld bytes charged to vmemmap_alloc_in_place() after every split PMD collapsed (expected 0)%s",
		       charged, checked ? "" : ", not checked");
	}
	if (!hvo)
		write_long(HVO_SYSCTL, 0);
	return ktap_finish();
}
