// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_scan [-r ROUNDS]
 *
 * Time a read of every struct page: ROUNDS times (default 5), read
 * /proc/kpageflags from PFN 0 to its end, which makes the kernel load the
 * flags of each PFN's struct page through the vmemmap, and time each pass.
 * Compare kernels whose vmemmap is mapped differently (PMD blocks or PTEs)
 * by the ratio of their medians.  One KTAP test a round: it fails if the
 * read fails or returns a different number of PFNs than the first round.
 * Diagnostic lines for scripts:
 *
 *   # scan: round=1 pfns=1048576 s=0.912 ns_per_pfn=870.1
 *   # scan-median: pfns=1048576 ns_per_pfn=868.0
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"

#define MAX_ROUNDS	32
#define CHUNK		65536	/* PFNs per read() */

/* Read all of /proc/kpageflags once; return the PFNs read, or -1. */
static long scan_once(unsigned long long *buf)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	long pfns = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, CHUNK * sizeof(*buf))) > 0)
		pfns += n / sizeof(*buf);
	close(fd);
	return n < 0 ? -1 : pfns;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long long *buf = malloc(CHUNK * sizeof(*buf));
	double ns[MAX_ROUNDS], sorted[MAX_ROUNDS];
	int rounds = 5, opt, i;
	long first = -1;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			return 2;
		rounds = atoi(optarg);
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || !buf) {
		fprintf(stderr, "usage: hvo_scan [-r 1..%d]\n", MAX_ROUNDS);
		return 2;
	}
	ktap_plan(rounds);
	for (i = 0; i < rounds; i++) {
		struct timespec a, b;
		double s;
		long pfns;
		bool ok;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pfns = scan_once(buf);
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		if (first < 0)
			first = pfns;
		ns[i] = pfns > 0 ? s * 1e9 / pfns : 0;
		ok = pfns > 0 && pfns == first;
		diag("scan: round=%d pfns=%ld s=%.3f ns_per_pfn=%.1f", i + 1, pfns, s, ns[i]);
		if (!ok)
			diag("the read gave %ld PFNs, the first round %ld", pfns, first);
		result(ok, NULL, "scan round %d", i + 1);
	}
	memcpy(sorted, ns, sizeof(ns));
	qsort(sorted, rounds, sizeof(double), cmp);
	diag("scan-median: pfns=%ld ns_per_pfn=%.1f", first, sorted[rounds / 2]);
	return ktap_finish();
}
