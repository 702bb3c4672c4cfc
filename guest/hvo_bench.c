// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_bench [-n PAGES] [-r ROUNDS] [-s KB] [-o MODES] [-d KB]
 *
 * Time what HVO costs.  Each round writes PAGES to nr_hugepages of the KB
 * hstate (default 1000 pages of the default size, 5 rounds), then 0, and
 * times each write.  With -d KB each round demotes the PAGES pages to KB
 * pages in between (the demote file), and "free" is then the write of 0 to
 * the KB hstate's nr_hugepages, which frees what the demotion made.
 *
 * MODES is a comma-separated list of values for vm.hugetlb_optimize_vmemmap
 * ("0,1": HVO off and on), taken in turn within every round, so that a slow
 * stretch of the host falls on both alike.  The ratio of two modes in one run
 * does not depend on how fast the host is.
 *
 * One KTAP test a round and mode: it fails if the pool did not reach PAGES
 * pages, or the demotion did not make all of them, or the pools did not
 * return to 0.  Where the kernel keeps histograms of its windows and waits,
 * one more at the end: it fails unless they hold as many as the windows and
 * fixups counters count.  Diagnostic lines for scripts:
 *
 *   # bench: hvo=1 hstate=2048kB pages=1000 round=1 alloc_s=0.061 free_s=0.082
 *   # bench-median: hvo=1 hstate=2048kB pages=1000 rounds=5 alloc_s=0.061
 *     alloc_min_s=... alloc_max_s=... free_s=... free_min_s=... free_max_s=...
 *
 * (one line each), with demote_s and its spread after -d.  Where the kernel
 * counts the TLB invalidations its vmemmap hooks make between steps (arm64
 * with the 6.12 series: vmemmap_bbm/tlbi_no_bbm in debugfs; the 7.3 series
 * no longer counts them), each round's line
 * also has them, per operation: alloc_tlbi_no_bbm=, free_tlbi_no_bbm= (an
 * event count: the batching of TLB maintenance, whatever the host's speed),
 * and the break-before-make windows opened (vmemmap_bbm/windows: on 6.12 one
 * per batch of folios each way, on 7.3 only PMD splits) and the faults that
 * waited for one (vmemmap_bbm/fixups); likewise the time spent in each step
 * where a measurement kernel counts it (any architecture: hvo_steps/hvo_ns
 * and its parts, controls/BASE/step-times.patch; 7.3 arm64 also
 * vmemmap_bbm/step*_ns, controls/7.3/arm64-step-times.patch), each under the
 * file's own name (alloc_ptes_ns=...).  At the end, the longest window and
 * the longest wait the kernel has seen since boot, where it keeps them, and
 * their histograms where it has them (vmemmap_bbm/window_hist_us and
 * wait_hist_us), as LOWER_US:COUNT of the non-empty buckets:
 *
 *   # bench-bbm: max_window_ns=... max_wait_ns=...
 *   # bench-hist: window_hist_us 0:612 2:40 256:3
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "measure.h"
#include "sysfs_io.h"

#define MAX_ROUNDS	32
#define MAX_MODES	4

#define DEBUGFS		"/sys/kernel/debug/"
#define BBM_DIR		DEBUGFS "vmemmap_bbm/"
#define HSTATE_DIR	"/sys/kernel/mm/hugepages/hugepages-%ldkB/%s"

enum { T_ALLOC, T_DEMOTE, T_FREE, NR_T };
static const char *const t_name[NR_T] = { "alloc", "demote", "free" };

static double times[MAX_MODES][NR_T][MAX_ROUNDS];

/*
 * Counters of the kernel's under debugfs, read around each timed write where
 * they exist, and printed under their file names.
 */
static const char *const counters[] = {
	"vmemmap_bbm/tlbi_no_bbm", "vmemmap_bbm/windows", "vmemmap_bbm/fixups",
	"vmemmap_bbm/perms_ns", "vmemmap_bbm/step1_ns", "vmemmap_bbm/step2_ns",
	"vmemmap_bbm/step3_ns", "vmemmap_bbm/step4_ns",
	"hvo_steps/hvo_ns", "hvo_steps/rcu_ns", "hvo_steps/split_ns",
	"hvo_steps/ptes_ns", "hvo_steps/flush_ns", "hvo_steps/alloc_ns",
	"hvo_steps/copy_ns", "hvo_steps/free_ns",
};
#define NR_C	(sizeof(counters) / sizeof(counters[0]))
static long delta[NR_T][NR_C];

static void hstate_path(char *buf, size_t len, long kb, const char *file)
{
	snprintf(buf, len, HSTATE_DIR, kb, file);
}

static long read_path(const char *path)
{
	long n;

	return read_long(path, &n) ? -1 : n;
}

static void read_counters(long *v)
{
	char path[128];

	for (size_t c = 0; c < NR_C; c++) {
		snprintf(path, sizeof(path), DEBUGFS "%s", counters[c]);
		if (read_long(path, &v[c]))
			v[c] = -1;
	}
}

/*
 * Time one write of @val to @path (a failed write still takes its time), and
 * keep what each counter counted meanwhile in delta[@t].
 */
static double timed_write(const char *path, long val, int t)
{
	long c0[NR_C], c1[NR_C];
	double t0, d;

	read_counters(c0);
	t0 = now_s();
	write_long(path, val);
	d = now_s() - t0;
	read_counters(c1);
	for (size_t c = 0; c < NR_C; c++)
		delta[t][c] = c0[c] < 0 || c1[c] < 0 ? -1 : c1[c] - c0[c];
	return d;
}

/*
 * One "# bench-hist:" line of a histogram file's non-empty buckets; returns
 * how many it counted in all, or -1 without the file.
 */
static long print_hist(const char *name)
{
	char path[128];
	unsigned long lower, count;
	long sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), BBM_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ktap_msg("bench-hist: %s", name);
	while (fscanf(f, "%lu %lu", &lower, &count) == 2) {
		sum += count;
		if (count)
			printf(" %lu:%lu", lower, count);
	}
	printf("\n");
	fclose(f);
	return sum;
}

int main(int argc, char **argv)
{
	char nr[128], demote[128], demote_size[128], nr_small[128];
	char *modes[MAX_MODES], *list = NULL;
	long pages = 1000, kb = 0, dkb = 0;
	int rounds = 5, nmodes = 0, opt, t, hist;

	while ((opt = getopt(argc, argv, "n:r:s:o:d:")) != -1) {
		if (opt == 'n')
			pages = atol(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 's')
			kb = atol(optarg);
		else if (opt == 'o')
			list = optarg;
		else if (opt == 'd')
			dkb = atol(optarg);
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || pages < 1)
		return 2;
	nmodes = list ? split_modes(list, modes, MAX_MODES) : 0;
	if (nmodes < 0)
		return 2;
	if (!nmodes)
		modes[nmodes++] = NULL;	/* the sysctl as it is */
	if (!kb)
		kb = default_hugepage_kb();
	hstate_path(nr, sizeof(nr), kb, "nr_hugepages");
	hstate_path(demote, sizeof(demote), kb, "demote");
	hstate_path(demote_size, sizeof(demote_size), kb, "demote_size");
	hstate_path(nr_small, sizeof(nr_small), dkb, "nr_hugepages");

	/* Where the kernel keeps histograms, one more test: see the end. */
	hist = access(BBM_DIR "window_hist_us", R_OK) == 0;
	ktap_plan(rounds * nmodes + hist);
	if (write_long(nr, 0) || read_path(nr) != 0) {
		diag("cannot empty %s", nr);
		return 1;
	}
	/* demote_size takes bytes (memparse()) and shows kB. */
	if (dkb && (write_long(demote_size, dkb * 1024) || read_path(demote_size) != dkb)) {
		diag("cannot demote %ldkB pages to %ldkB", kb, dkb);
		return 1;
	}
	if (dkb && (write_long(nr_small, 0) || read_path(nr_small) != 0)) {
		diag("cannot empty %s", nr_small);
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		for (int m = 0; m < nmodes; m++) {
			long got, made = 0, left, left_small = 0;
			int ok;

			if (modes[m] && write_str(HVO_SYSCTL, modes[m])) {
				diag("cannot write %s to %s", modes[m], HVO_SYSCTL);
				return 1;
			}
			times[m][T_ALLOC][r] = timed_write(nr, pages, T_ALLOC);
			got = read_path(nr);
			if (dkb) {
				times[m][T_DEMOTE][r] = timed_write(demote, got, T_DEMOTE);
				made = read_path(nr_small);
				times[m][T_FREE][r] = timed_write(nr_small, 0, T_FREE);
				left_small = read_path(nr_small);
				write_long(nr, 0);
			} else {
				times[m][T_FREE][r] = timed_write(nr, 0, T_FREE);
			}
			left = read_path(nr);
			ok = got == pages && left == 0 && left_small == 0 &&
			     (!dkb || made == pages * (kb / dkb));
			ktap_msg("bench: hvo=%s hstate=%ldkB pages=%ld round=%d alloc_s=%.4f",
				 modes[m] ? modes[m] : "-", kb, got, r + 1, times[m][T_ALLOC][r]);
			if (dkb)
				printf(" demote_s=%.4f demoted=%ld", times[m][T_DEMOTE][r], made);
			printf(" free_s=%.4f", times[m][T_FREE][r]);
			for (t = 0; t < NR_T; t++)
				for (size_t c = 0; c < NR_C; c++)
					if (delta[t][c] >= 0 && (t != T_DEMOTE || dkb))
						printf(" %s_%s=%ld", t_name[t],
						       strchr(counters[c], '/') + 1,
						       delta[t][c]);
			printf("\n");
			if (!ok)
				diag("got %ld of %ld pages, demoted into %ld, %ld and %ld left",
				     got, pages, made, left, left_small);
			result(ok, NULL, "hvo=%s round %d", modes[m] ? modes[m] : "-", r + 1);
		}
	}
	for (int m = 0; m < nmodes; m++) {
		ktap_msg("bench-median: hvo=%s hstate=%ldkB pages=%ld rounds=%d",
			 modes[m] ? modes[m] : "-", kb, pages, rounds);
		if (dkb)
			printf(" demote_to=%ldkB", dkb);
		for (t = 0; t < NR_T; t++) {
			double *v = times[m][t];

			if (t == T_DEMOTE && !dkb)
				continue;
			qsort(v, rounds, sizeof(*v), cmp_double);
			printf(" %s_s=%.4f %s_min_s=%.4f %s_max_s=%.4f", t_name[t],
			       v[rounds / 2], t_name[t], v[0], t_name[t], v[rounds - 1]);
		}
		printf("\n");
	}
	if (read_path(BBM_DIR "max_window_ns") >= 0)
		diag("bench-bbm: max_window_ns=%ld max_wait_ns=%ld",
		     read_path(BBM_DIR "max_window_ns"),
		     read_path(BBM_DIR "max_wait_ns"));
	if (hist) {
		/*
		 * Nothing changes the vmemmap now: every window and every wait
		 * since boot is in one bucket, so the histograms must hold what
		 * the counters count.
		 */
		long windows = print_hist("window_hist_us");
		long waits = print_hist("wait_hist_us");
		long nw = read_path(BBM_DIR "windows");
		long nf = read_path(BBM_DIR "fixups");
		int ok = windows == nw && waits == nf;

		if (!ok)
			diag("histograms hold %ld windows and %ld waits; windows %ld, fixups %ld",
			     windows, waits, nw, nf);
		result(ok, NULL, "histograms hold every window and wait");
	}
	return ktap_finish();
}
