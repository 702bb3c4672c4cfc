// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_split_path - check how the kernel splits vmemmap PMD blocks for HVO on
 * this CPU, and that it never needs an invalid entry to do so.
 *
 *   hvo_split_path -p af|bbml3|base|refused [-n PAGES]
 *
 * -p is what the host expects of the CPU model it booted (arm64 4K):
 *   af       every CPU updates the Access Flag in hardware: splits go through
 *            it (neoverse-n1, cortex-a76, max)
 *   bbml3    splits in place as on BBML3 CPUs (debugfs force_bbml3; no QEMU
 *            model is on the BBML3 list)
 *   base     no hardware AF, HVO requested at boot: the vmemmap is mapped with
 *            base pages and nothing is ever split (cortex-a57, cortex-a72)
 *   refused  no hardware AF, HVO turned on only now through the sysctl: the
 *            blocks stay and the folios under them are not optimized
 *
 * It must run before anything else split the vmemmap of most of the memory it
 * gets (early after boot: the 256 pages span four vmemmap PMDs).  It checks the kernel's own answer
 * (/sys/kernel/debug/vmemmap_bbm/split_path), grows the default-size pool to
 * PAGES (256) and checks the vmemmap saved and the split counters; for "af"
 * the first attempt of a split is made to see the Access Flag set again
 * (split_af_touch) and must retry, then, with every attempt spoiled, a split
 * of further memory must give up and leave those folios unoptimized.  The
 * pool is drained at the end and the vmemmap must be back at its baseline.
 * Any fault on the way is an oops on the console, which the host judges.
 * Output is KTAP.
 *
 *   # split-path: path=af pages=256 saved=1792 expected=1792 splits_af=2 ...
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs_io.h"

#define DBG		"/sys/kernel/debug/vmemmap_bbm/"

enum { BBML3, AF, RETRIES, FAILED, REFUSED, NR_CNT };
static const char * const cnt_name[NR_CNT] = {
	"splits_bbml3", "splits_af", "split_af_retries", "splits_af_failed", "splits_refused",
};

static int tests, failed;

static void result(bool ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++tests, name);
	failed += !ok;
}

static void read_counters(long *c)
{
	for (int i = 0; i < NR_CNT; i++) {
		char path[128];

		snprintf(path, sizeof(path), DBG "%s", cnt_name[i]);
		if (read_long(path, &c[i]))
			c[i] = -1;
	}
}

static int set_pool(long kb, long pages)
{
	char path[128];
	long got = -1;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", kb);
	if (write_long(path, pages) || read_long(path, &got) || got != pages) {
		printf("# nr_hugepages: asked for %ld, have %ld\n", pages, got);
		return -1;
	}
	return 0;
}

static void print_delta(const char *what, const long *a, const long *b, long saved, long expect)
{
	printf("# split-path: %s saved=%ld expected=%ld", what, saved, expect);
	for (int i = 0; i < NR_CNT; i++)
		printf(" %s=%ld", cnt_name[i], b[i] - a[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static const char * const paths[] = { "bbml3", "af", "base", "refused" };
	static const char * const words[] = { "in place", "through the Access Flag",
					      "none", "refused" };
	long pages = 256, more = 256, kb = default_hugepage_kb(), hvo = 0;
	long per_page, base, saved;
	long c0[NR_CNT], c1[NR_CNT], c2[NR_CNT];
	const char *want = NULL;
	char text[128] = "";
	int path = -1, opt;
	bool ok;
	FILE *f;

	while ((opt = getopt(argc, argv, "p:n:")) != -1) {
		if (opt == 'p')
			want = optarg;
		else if (opt == 'n')
			pages = atol(optarg);
	}
	for (int i = 0; want && i < 4; i++)
		if (!strcmp(want, paths[i]))
			path = i;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n");
	if (path < 0 || pages <= 0) {
		printf("1..0 # SKIP usage: hvo_split_path -p af|bbml3|base|refused [-n PAGES]\n");
		return 4;
	}
	if (path == 0 && write_long(DBG "force_bbml3", 1))
		printf("# no %sforce_bbml3\n", DBG);
	f = fopen(DBG "split_path", "r");
	if (!f || !fgets(text, sizeof(text), f) || kb <= 0 || memmap_pages() < 0) {
		printf("1..0 # SKIP no %ssplit_path, default huge page size or nr_memmap_pages\n", DBG);
		return 4;
	}
	fclose(f);
	text[strcspn(text, "\n")] = 0;
	printf("1..%d\n", path == 1 ? 4 : 3);

	printf("# split-path: kernel says \"%s\", expected %s\n", text, paths[path]);
	result(strstr(text, words[path]) == text, "the kernel chose the split path of this CPU");

	read_long(HVO_SYSCTL, &hvo);
	if (!hvo && write_long(HVO_SYSCTL, 1))
		printf("# could not turn HVO on\n");
	if (path == 1 && write_long(DBG "split_af_touch", 1))
		printf("# no %ssplit_af_touch\n", DBG);

	per_page = hvo_saving_pages(kb);
	base = memmap_pages();
	read_counters(c0);
	ok = !set_pool(kb, pages);
	saved = base - memmap_pages();
	read_counters(c1);
	print_delta("grow", c0, c1, saved, path == 3 ? 0 : pages * per_page);
	switch (path) {
	case 0:	/* bbml3 */
		ok = ok && saved == pages * per_page && c1[BBML3] > c0[BBML3];
		ok = ok && c1[AF] == c0[AF] && c1[REFUSED] == c0[REFUSED];
		break;
	case 1:	/* af: the touched attempt retried, no split given up */
		ok = ok && saved == pages * per_page && c1[AF] > c0[AF] &&
		     c1[RETRIES] > c0[RETRIES] && c1[FAILED] == c0[FAILED];
		ok = ok && c1[BBML3] == c0[BBML3] && c1[REFUSED] == c0[REFUSED];
		break;
	case 2:	/* base: nothing to split */
		ok = ok && saved == pages * per_page;
		for (int i = 0; i < NR_CNT; i++)
			ok = ok && c1[i] == c0[i];
		break;
	case 3:	/* refused: blocks stay, nothing saved under them */
		ok = ok && saved == 0 && c1[REFUSED] > c0[REFUSED];
		ok = ok && c1[AF] == c0[AF] && c1[BBML3] == c0[BBML3];
		break;
	}
	result(ok, "vmemmap saved as the split path allows, splits counted by path");

	if (path == 1) {
		/*
		 * Every attempt spoiled: the splits of the memory the next
		 * pages need must give up, and leave those folios as they are.
		 */
		write_long(DBG "split_af_touch", 1000000);
		ok = !set_pool(kb, pages + more);
		saved = base - memmap_pages();
		read_counters(c2);
		write_long(DBG "split_af_touch", 0);
		print_delta("give-up", c1, c2, saved, -1);
		ok = ok && c2[FAILED] > c1[FAILED] && c2[AF] == c1[AF] &&
		     saved < (pages + more) * per_page;
		result(ok, "a split whose every attempt sees the Access Flag set gives up");
	}

	ok = !set_pool(kb, 0) && memmap_pages() == base;
	printf("# split-path: drained, vmemmap %+ld pages from baseline\n", memmap_pages() - base);
	result(ok, "pool drained, vmemmap back to baseline");
	if (path == 0)
		write_long(DBG "force_bbml3", 0);
	if (!hvo)
		write_long(HVO_SYSCTL, 0);
	return failed ? 1 : 0;
}
