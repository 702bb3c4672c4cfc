// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_savings - check the vmemmap pages freed by HugeTLB Vmemmap Optimization.
 *
 * For each selected hstate, allocate huge pages through nr_hugepages and
 * compare the drop of nr_memmap_pages + nr_memmap_boot_pages (/proc/vmstat)
 * with what HVO must free: (vmemmap pages per huge page - 1) per huge page.
 * Output is KTAP version 1.
 *
 * Usage: hvo_savings [--expect on|off|auto] [--sizes all|KB[,KB...]] [--max-mb N]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#define HP_DIR		"/sys/kernel/mm/hugepages"
#define MAX_HSTATES	16
#define MAX_PAGES	64

struct hstate {
	unsigned long kb;
	long n;			/* huge pages to try, 0 if too large */
	long freeable;		/* vmemmap pages HVO frees per huge page */
	bool touched;
};

static struct hstate hs[MAX_HSTATES];
static int nr_hs;
static long page_size;
static long sysctl_orig = -1;	/* -1: sysctl absent */
static bool sysctl_changed;

static int memmap_sum(long *sum)
{
	*sum = memmap_pages();
	if (*sum >= 0)
		return 0;
	diag("/proc/vmstat lacks nr_memmap_pages/nr_memmap_boot_pages");
	return -ENOENT;
}

static void hp_path(char *buf, size_t len, unsigned long kb)
{
	snprintf(buf, len, HP_DIR "/hugepages-%lukB/nr_hugepages", kb);
}

/* Set nr_hugepages of @h to @n; return the count read back or -errno. */
static long set_nr(struct hstate *h, long n)
{
	char path[128];
	long got;
	int ret;

	hp_path(path, sizeof(path), h->kb);
	h->touched = true;
	ret = write_long(path, n);
	if (!ret)
		ret = read_long(path, &got);
	if (!ret)
		return got;
	diag("hugepages-%lukB: nr_hugepages %ld: %s", h->kb, n, strerror(-ret));
	return ret;
}

/* Allocate h->n pages; return the number allocated, *drop the memmap decrease. */
static long alloc_drop(struct hstate *h, long base, long *drop)
{
	long a = set_nr(h, h->n), after;

	if (a > 0 && memmap_sum(&after))
		return -ENOENT;
	if (a > 0)
		*drop = base - after;
	return a;
}

/* Free all pages of @h; true iff none remain and the memmap sum is back at @base. */
static bool free_back(struct hstate *h, long base)
{
	long nr = set_nr(h, 0), after = -1;

	if (nr == 0 && !memmap_sum(&after) && after == base)
		return true;
	diag("hugepages-%lukB: after free nr_hugepages %ld, vmemmap pages %ld, expected %ld",
	     h->kb, nr, after, base);
	return false;
}

static bool check_drop(const struct hstate *h, long a, long base, long drop, bool hvo)
{
	long expected = hvo ? a * h->freeable : 0;
	long kib = page_size / 1024;

	diag("hugepages-%lukB: allocated %ld, vmemmap pages before %ld after %ld, "
	     "freed %ld (%ld KiB each huge page), expected %ld",
	     h->kb, a, base, base - drop, drop, drop * kib / a, expected);
	diag("savings: hstate=%lukB pages=%ld freed_kib=%ld expected_kib=%ld page_kib=%ld",
	     h->kb, a, drop * kib, expected * kib, kib);
	return drop == expected;
}

/* Return true iff *base was recorded, i.e. the free test can run. */
static bool test_alloc(struct hstate *h, bool hvo, long *base)
{
	long a, drop = 0;

	if (!h->n) {
		result(true, "larger than --max-mb and MemTotal/3", "hugepages-%lukB alloc", h->kb);
		return false;
	}
	if (set_nr(h, 0) != 0 || memmap_sum(base)) {
		result(false, NULL, "hugepages-%lukB alloc", h->kb);
		return false;
	}
	a = alloc_drop(h, *base, &drop);
	result(a > 0 && check_drop(h, a, *base, drop, hvo), a ? NULL : "could not allocate",
	       "hugepages-%lukB alloc", h->kb);
	return true;
}

static void test_free(struct hstate *h, bool ran, long base)
{
	if (ran)
		result(free_back(h, base), NULL, "hugepages-%lukB free", h->kb);
	else
		result(true, "alloc not run", "hugepages-%lukB free", h->kb);
}

/* Allocate and free @h with the runtime sysctl set to @val. */
static void test_sysctl(struct hstate *h, int val)
{
	const char *name = val ? "runtime sysctl on" : "runtime sysctl off";
	long base, a, drop = 0;
	bool ok, freed;
	int ret;

	if (!h->n) {
		result(true, "hstate too large", "%s", name);
		return;
	}
	sysctl_changed = true;
	ret = write_long(HVO_SYSCTL, val);
	if (ret)
		diag("writing %d to %s: %s", val, HVO_SYSCTL, strerror(-ret));
	if (ret || memmap_sum(&base)) {
		result(false, NULL, "%s", name);
		return;
	}
	diag("%s = %d, hstate hugepages-%lukB", HVO_SYSCTL, val, h->kb);
	a = alloc_drop(h, base, &drop);
	ok = a > 0 && check_drop(h, a, base, drop, val);
	freed = free_back(h, base);
	result(ok && freed, !a && freed ? "could not allocate" : NULL, "%s", name);
}

static void test_expect(int expect)
{
	if (sysctl_orig < 0)
		diag("%s absent, HVO not available", HVO_SYSCTL);
	else
		diag("%s = %ld, expected %d", HVO_SYSCTL, sysctl_orig, expect);
	result(sysctl_orig < 0 ? !expect : sysctl_orig == expect, NULL,
	       "hugetlb_optimize_vmemmap expect %s", expect ? "on" : "off");
}

static void cleanup(void)
{
	char path[128];
	int i;

	for (i = 0; i < nr_hs; i++) {
		hp_path(path, sizeof(path), hs[i].kb);
		if (hs[i].touched)
			write_long(path, 0);
	}
	if (sysctl_changed)
		write_long(HVO_SYSCTL, sysctl_orig);
}

static int add_hstate(unsigned long kb)
{
	if (!kb || nr_hs == MAX_HSTATES)
		return -1;
	hs[nr_hs++].kb = kb;
	return 0;
}

static int select_hstates(char *sizes)
{
	char *tok, *end;
	struct dirent *de;
	unsigned long kb;
	DIR *d;

	if (strcmp(sizes, "all")) {
		for (tok = strtok(sizes, ","); tok; tok = strtok(NULL, ",")) {
			kb = strtoul(tok, &end, 10);
			if (*end || add_hstate(kb))
				return -1;
		}
		return 0;
	}
	d = opendir(HP_DIR);
	while (d && (de = readdir(d)))
		if (sscanf(de->d_name, "hugepages-%lukB", &kb) == 1)
			add_hstate(kb);
	if (d)
		closedir(d);
	return 0;
}

static int cmp_hstate(const void *a, const void *b)
{
	const struct hstate *x = a, *y = b;

	return (x->kb > y->kb) - (x->kb < y->kb);
}

static unsigned long mem_total_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long kb = 0;

	if (f) {
		if (fscanf(f, "MemTotal: %lu kB", &kb) != 1)
			kb = 0;
		fclose(f);
	}
	return kb;
}

static void setup_hstate(struct hstate *h, unsigned long max_mb, unsigned long mem_kb)
{
	unsigned long n = max_mb * 1024 / h->kb;

	h->freeable = hvo_saving_pages(h->kb);
	if (n)
		h->n = n < MAX_PAGES ? n : MAX_PAGES;
	else
		h->n = h->kb <= mem_kb / 3;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--expect on|off|auto] [--sizes all|KB[,KB...]] [--max-mb N]\n",
		prog);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "expect", required_argument, NULL, 'e' },
		{ "sizes", required_argument, NULL, 's' },
		{ "max-mb", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long max_mb = 512, mem_kb = mem_total_kb();
	struct hstate *sysctl_h = NULL;
	char *sizes = "all", *end;
	int c, i, expect = -1;
	bool hvo, ran;
	long base = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'e' && strcmp(optarg, "auto"))
			expect = !strcmp(optarg, "on") ? 1 : !strcmp(optarg, "off") ? 0 : -2;
		else if (c == 's')
			sizes = optarg;
		else if (c == 'm')
			max_mb = strtoul(optarg, &end, 10);
		if (c == '?' || expect == -2 || (c == 'm' && (*end || !max_mb)))
			return usage(argv[0]);
	}
	page_size = sysconf(_SC_PAGESIZE);
	if (optind != argc || select_hstates(sizes))
		return usage(argv[0]);
	qsort(hs, nr_hs, sizeof(hs[0]), cmp_hstate);
	for (i = 0; i < nr_hs; i++) {
		setup_hstate(&hs[i], max_mb, mem_kb);
		if (!sysctl_h && hs[i].freeable)
			sysctl_h = &hs[i];
	}
	if (read_long(HVO_SYSCTL, &sysctl_orig))
		sysctl_orig = -1;
	hvo = expect < 0 ? sysctl_orig == 1 : expect;
	if (!hvo || sysctl_orig < 0)
		sysctl_h = NULL;
	atexit(cleanup);

	ktap_plan(2 * nr_hs + (expect >= 0) + (sysctl_h ? 2 : 0));
	diag("page size %ld, HVO expected %s, sysctl %ld, %d hstate(s)",
	     page_size, hvo ? "on" : "off", sysctl_orig, nr_hs);
	if (expect >= 0)
		test_expect(expect);
	for (i = 0; i < nr_hs; i++) {
		ran = test_alloc(&hs[i], hvo, &base);
		test_free(&hs[i], ran, base);
	}
	if (sysctl_h) {
		test_sysctl(sysctl_h, 0);
		test_sysctl(sysctl_h, 1);
	}
	return ktap_finish();
}
