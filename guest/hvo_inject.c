// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_inject [-n PAGES] [-r ROUNDS] [-p PERCENT]
 *
 * HVO under allocation failure, in both directions, with the kernel's page
 * allocation failure injection (fail_page_alloc) limited by its stack-trace
 * filter to allocations made from mm/hugetlb_vmemmap.c: the huge pages
 * themselves still allocate, only HVO's own allocations (the vmemmap pages
 * of a restore, the zone's shared tail page, a split's PTE table, a moved
 * head page) fail.  With the default-size pool empty and the vmemmap in use
 * at its baseline (nr_memmap_pages + nr_memmap_boot_pages):
 *
 * 1. optimize, every allocation failing: PAGES pages are allocated; each is
 *    optimized whole or not at all (the saving is a whole number of pages'
 *    worth: a page that needed an allocation stays as it was), and they free
 *    cleanly.  Whether a page needs one depends on where it lies: the 6.12
 *    series needs none on 16K and 64K, whose vmemmap is mapped with PTEs from
 *    boot and whose head vmemmap page stays in place, and none on 4K under a
 *    vmemmap PMD already split (by a gigantic page reserved at boot, say);
 *    it needs a PTE table for the first optimization under a PMD, and on 7.3
 *    the first of a zone and order needs the shared tail page.
 *    This needs a boot in which no page of the default size was optimized
 *    before, not even one demoted from a larger size, so run it first.
 * 2. restore, every allocation failing: PAGES pages allocated and optimized
 *    without injection stay in the pool, optimized (as free surplus pages),
 *    when freed; freed again without injection, they all go and the vmemmap
 *    is back at its baseline.
 * 3. ROUNDS rounds at PERCENT %: allocate and free under injection; HVO's
 *    saving is always a whole number of pages' worth, then everything drains.
 *
 * Output is KTAP, and one line for scripts:
 *
 *   # inject: pages=64 opt_failed=64 restore_failed=64 mixed_opt_failed=3
 *     mixed_restore_failed=41 injected=530
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#define FA		"/sys/kernel/debug/fail_page_alloc/"
#define TIMES		1000000L	/* injections allowed; the rest is the count */

static char nr_path[128], surplus_path[128];
static long per_page;		/* vmemmap pages HVO frees per huge page */
static long base;		/* vmemmap pages in use with the pool empty */

#define MAX_SYMS	200000

struct sym {
	unsigned long addr;
	bool vmemmap;		/* a text symbol whose name has "vmemmap" in it */
	bool anchor;
};

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * The text of mm/hugetlb_vmemmap.c, from /proc/kallsyms: one object's
 * functions are contiguous, and all of that file's have "vmemmap" in their
 * names.  Start at hugetlb_vmemmap_optimize_folios() (called from
 * mm/hugetlb.c, so never inlined) and take the run of such text symbols
 * around it, up to the first symbol of another name after it.
 */
static bool vmemmap_text(unsigned long *lo, unsigned long *hi)
{
	static struct sym syms[MAX_SYMS];
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long addr;
	char type, name[256];
	int n = 0, i, a = -1;

	while (f && n < MAX_SYMS &&
	       fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (type != 't' && type != 'T')
			continue;
		syms[n].addr = addr;
		syms[n].vmemmap = strstr(name, "vmemmap");
		syms[n].anchor = !strcmp(name, "hugetlb_vmemmap_optimize_folios");
		n++;
	}
	if (f)
		fclose(f);
	qsort(syms, n, sizeof(syms[0]), cmp_sym);
	for (i = 0; i < n && a < 0; i++)
		if (syms[i].anchor)
			a = i;
	if (a < 0 || !syms[a].addr)
		return false;
	for (i = a; i > 0 && syms[i - 1].vmemmap; i--)
		;
	*lo = syms[i].addr;
	for (i = a; i + 1 < n && syms[i + 1].vmemmap; i++)
		;
	*hi = i + 1 < n ? syms[i + 1].addr : syms[i].addr + 4096;
	return true;
}

static bool fa_write(const char *file, const char *val)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), FA "%s", file);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return !fclose(f) && ok;
}

static bool inject(long percent)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", percent);
	return fa_write("probability", buf);
}

static long injected(void)
{
	long left;

	return read_long(FA "times", &left) ? -1 : TIMES - left;
}

static bool setup_injection(void)
{
	unsigned long lo, hi;
	char buf[32];

	if (!vmemmap_text(&lo, &hi)) {
		diag("no mm/hugetlb_vmemmap.c symbols in /proc/kallsyms");
		return false;
	}
	diag("injecting into allocations called from %#lx-%#lx", lo, hi);
	snprintf(buf, sizeof(buf), "%ld", TIMES);
	if (!inject(0) || !fa_write("interval", "1") || !fa_write("times", buf) ||
	    !fa_write("space", "0") || !fa_write("verbose", "0") ||
	    !fa_write("task-filter", "N") || !fa_write("ignore-gfp-wait", "N") ||
	    !fa_write("ignore-gfp-highmem", "N") || !fa_write("min-order", "0") ||
	    !fa_write("stacktrace-depth", "32"))
		return false;
	snprintf(buf, sizeof(buf), "%#lx", lo);
	if (!fa_write("require-start", buf))
		return false;
	snprintf(buf, sizeof(buf), "%#lx", hi);
	return fa_write("require-end", buf);
}

static long pool(void)
{
	long nr;

	return read_long(nr_path, &nr) ? -1 : nr;
}

/* The vmemmap pages HVO saves now, or -1 if not whole pages' worth. */
static long optimized(void)
{
	long saved = base - memmap_pages();

	return saved >= 0 && saved % per_page == 0 ? saved / per_page : -1;
}

static long surplus(void)
{
	long nr;

	return read_long(surplus_path, &nr) ? -1 : nr;
}

/*
 * Pool back to empty without injection, and the vmemmap at its baseline.  A
 * page whose vmemmap could not be restored went back to the pool as a free
 * surplus page, which lowering nr_hugepages does not free (it only frees
 * persistent pages): raise nr_hugepages to the pool's size first, which turns
 * surplus pages persistent, as an administrator would.
 */
static bool drain(void)
{
	long left;

	if (!inject(0) || write_long(nr_path, 0))
		return false;
	left = pool();
	if (left > 0 && (write_long(nr_path, left) || write_long(nr_path, 0)))
		return false;
	return pool() == 0 && memmap_pages() == base;
}

static void test_optimize(long n, long *opt_failed)
{
	long got, opt;
	bool ok;

	ok = inject(100) && !write_long(nr_path, n);
	got = pool();
	opt = optimized();
	*opt_failed = got - opt;
	diag("optimize, all failing: %ld pages allocated, %ld optimized (those that needed no allocation)",
	     got, opt);
	ok = ok && got > 0 && opt >= 0 && opt <= got;
	result(drain() && ok, NULL,
	       "optimize fails cleanly: pages allocated, each optimized whole or not");
}

static void test_restore(long n, long *restore_failed)
{
	long got, opt, left, left_opt;
	bool ok;

	ok = inject(0) && !write_long(nr_path, n);
	got = pool();
	opt = optimized();
	diag("restore: %ld pages allocated, %ld optimized", got, opt);
	ok = ok && got > 0 && opt == got && inject(100);
	write_long(nr_path, 0);	/* expected to stop short */
	left = pool();
	left_opt = optimized();
	*restore_failed = left;
	diag("restore, all failing: %ld pages left in the pool, %ld optimized, %ld surplus",
	     left, left_opt, surplus());
	ok = ok && left == got && left_opt == got;
	result(drain() && ok, NULL, "restore fails cleanly: pages stay in the pool, optimized");
}

static void test_mixed(long n, int rounds, long percent, long *opt_failed, long *restore_failed)
{
	bool ok = true;

	*opt_failed = *restore_failed = 0;
	for (int r = 1; r <= rounds && ok; r++) {
		long got, opt, left, left_opt;

		ok = inject(percent);
		write_long(nr_path, n);
		got = pool();
		opt = optimized();
		write_long(nr_path, 0);
		left = pool();
		left_opt = optimized();
		if (got < 0 || opt < 0 || opt > got || left < 0 || left_opt < 0 || left_opt > left) {
			diag("round %d: %ld allocated, %ld optimized; %ld left, %ld optimized",
			     r, got, opt, left, left_opt);
			ok = false;
		}
		*opt_failed += got - opt;
		*restore_failed += left;
		if (!drain()) {
			diag("round %d: pool %ld, vmemmap %ld pages, baseline %ld", r,
			     pool(), memmap_pages(), base);
			ok = false;
		}
	}
	diag("mixed, %ld%% failing, %d rounds: %ld left unoptimized, %ld restores failed",
	     percent, rounds, *opt_failed, *restore_failed);
	result(ok && *restore_failed > 0, NULL, "mixed failures: whole pages saved, all drains");
}

/* Whatever happened, leave no injection and an empty pool to later tests. */
static void cleanup(void)
{
	if (nr_path[0])
		drain();
}

int main(int argc, char **argv)
{
	long n = 64, percent = 30, kb, hvo = -1;
	long opt_failed = 0, restore_failed = 0, mixed_opt = 0, mixed_restore = 0;
	int c, rounds = 20;

	while ((c = getopt(argc, argv, "n:r:p:")) != -1) {
		if (c == 'n')
			n = atol(optarg);
		else if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'p')
			percent = atol(optarg);
		else
			return 1;
	}
	ktap_header();
	kb = default_hugepage_kb();
	per_page = hvo_saving_pages(kb);
	snprintf(nr_path, sizeof(nr_path),
		 "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", kb);
	snprintf(surplus_path, sizeof(surplus_path),
		 "/sys/kernel/mm/hugepages/hugepages-%ldkB/surplus_hugepages", kb);
	read_long(HVO_SYSCTL, &hvo);
	if (hvo != 1 || per_page < 1)
		ktap_exit_skip_all("HVO %s for %ldkB pages", hvo == 1 ? "cannot optimize" : "off", kb);
	if (access(FA "probability", W_OK))
		ktap_exit_skip_all("no %s (CONFIG_FAIL_PAGE_ALLOC, debugfs)", FA);
	ktap_set_plan(3);
	atexit(cleanup);
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		diag("mlockall failed");
	if (write_long(nr_path, 0) || pool() != 0 || !setup_injection())
		ktap_exit_bail_out("cannot empty the pool or set up fail_page_alloc");
	base = memmap_pages();
	diag("%ldkB pages, %ld vmemmap pages freed each, baseline %ld", kb, per_page, base);
	test_optimize(n, &opt_failed);
	test_restore(n, &restore_failed);
	test_mixed(n, rounds, percent, &mixed_opt, &mixed_restore);
	inject(0);
	diag("inject: pages=%ld opt_failed=%ld restore_failed=%ld mixed_opt_failed=%ld mixed_restore_failed=%ld injected=%ld",
	     n, opt_failed, restore_failed, mixed_opt, mixed_restore, injected());
	return ktap_finish();
}
