// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_bench [-n PAGES] [-r ROUNDS] [-s KB] [-o 0|1]
 *
 * Time what HVO costs: ROUNDS times, write PAGES to nr_hugepages of the
 * KB hstate (default 1000 pages of the default size, 5 rounds), then 0, and
 * time each write.  One KTAP test a round: it fails if the pool did not get
 * all PAGES pages or did not return to 0.  The times go to a diagnostic line
 * for scripts:
 *
 *   # bench: hstate=2048kB pages=1000 round=1 alloc_s=0.061 free_s=0.082
 *
 * and the median of the rounds to "# bench-median: ...".  Compare runs of the
 * same kernel in one boot (-o sets vm.hugetlb_optimize_vmemmap for the run),
 * as ratios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sysfs_io.h"

#define MAX_ROUNDS	32

#define HVO_SYSCTL	"/proc/sys/vm/hugetlb_optimize_vmemmap"

static char path[128];

static int set_sysctl(const char *val)
{
	FILE *f = fopen(HVO_SYSCTL, "w");
	int ok = f && fputs(val, f) >= 0;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

static long read_nr(void)
{
	long n;

	return read_long(path, &n) ? -1 : n;
}

static double timed_write(long n)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	write_long(path, n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	double alloc[MAX_ROUNDS], freet[MAX_ROUNDS];
	long pages = 1000, kb = 0, got, left;
	int rounds = 5, opt, failed = 0;
	const char *hvo = NULL;

	while ((opt = getopt(argc, argv, "n:r:s:o:")) != -1) {
		if (opt == 'n')
			pages = atol(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 's')
			kb = atol(optarg);
		else if (opt == 'o')
			hvo = optarg;
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || pages < 1)
		return 2;
	if (!kb)
		kb = default_hugepage_kb();
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", kb);

	printf("KTAP version 1\n1..%d\n", rounds);
	if (hvo && set_sysctl(hvo)) {
		printf("# cannot write %s to %s\n", hvo, HVO_SYSCTL);
		return 1;
	}
	printf("# %s = %s\n", HVO_SYSCTL, hvo ? hvo : "(unchanged)");
	if (write_long(path, 0) || read_nr() != 0) {
		printf("# cannot empty %s\n", path);
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		alloc[r] = timed_write(pages);
		got = read_nr();
		freet[r] = timed_write(0);
		left = read_nr();
		printf("# bench: hstate=%ldkB pages=%ld round=%d alloc_s=%.4f free_s=%.4f\n",
		       kb, got, r + 1, alloc[r], freet[r]);
		if (got != pages || left != 0) {
			printf("# got %ld of %ld pages, %ld left after freeing\n", got, pages, left);
			failed++;
		}
		printf("%sok %d round %d\n", got == pages && left == 0 ? "" : "not ", r + 1, r + 1);
	}
	qsort(alloc, rounds, sizeof(*alloc), cmp);
	qsort(freet, rounds, sizeof(*freet), cmp);
	printf("# bench-median: hvo=%s hstate=%ldkB pages=%ld alloc_s=%.4f free_s=%.4f\n",
	       hvo ? hvo : "-", kb, pages, alloc[rounds / 2], freet[rounds / 2]);
	return failed ? 1 : 0;
}
