/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the measuring guest programs (hvo_bench, hvo_throughput) share: the
 * clock, the median's sort, and the list of HVO modes they interleave.
 */
#ifndef GUEST_MEASURE_H
#define GUEST_MEASURE_H

#include <stdlib.h>
#include <string.h>
#include <time.h>


/* Seconds on CLOCK_MONOTONIC. */
static inline double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* qsort() comparison of doubles, ascending. */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Split @list ("0,1": the values written to HVO_SYSCTL in turn) into @modes,
 * at most @max of them; @list is modified.  Returns how many, or -1 if more.
 */
static inline int split_modes(char *list, char **modes, int max)
{
	int n = 0;

	for (char *m = strtok(list, ","); m; m = strtok(NULL, ",")) {
		if (n == max)
			return -1;
		modes[n++] = m;
	}
	return n;
}

#endif /* GUEST_MEASURE_H */
