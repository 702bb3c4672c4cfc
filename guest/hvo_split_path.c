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
 *   bbml3    splits in place as on BBML3 CPUs (no QEMU model is on the BBML3
 *            list: the kernel built with controls/7.3/arm64-force-bbml3.patch)
 *   base     no hardware AF, HVO requested at boot: the vmemmap is mapped with
 *            base pages and nothing is ever split (cortex-a57, cortex-a72)
 *   refused  no hardware AF, HVO turned on only now through the sysctl: the
 *            blocks stay and the folios under them are not optimized
 *
 * It must run before anything else split the vmemmap of most of the memory it
 * gets (early after boot: the 256 pages span four vmemmap PMDs).  It checks
 * the kernel's own answer (its boot line, printed when HVO is on at boot),
 * grows the default-size pool to PAGES (256) and checks the vmemmap saved and
 * the split counters (vmemmap_pmd_split* in /proc/vmstat); for "af" the first
 * attempt of a split is made to see the Access Flag set again (the
 * fail_vmemmap_split fault attribute, once) and must retry, then, with every
 * attempt failing, a split of further memory must give up and leave those
 * folios unoptimized.  The
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
#include <sys/klog.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#define FAIL		"/sys/kernel/debug/fail_vmemmap_split/"
#define BOOT_LINE	"PMD splits: "

enum { BBML3, AF, RETRIES, FAILED, REFUSED, NR_CNT };
static const char * const cnt_name[NR_CNT] = {
	"vmemmap_pmd_splits_bbml3", "vmemmap_pmd_splits_af", "vmemmap_pmd_split_af_retries",
	"vmemmap_pmd_split_af_failures", "vmemmap_pmd_splits_refused",
};

static void read_counters(long *c)
{
	for (int i = 0; i < NR_CNT; i++)
		c[i] = vmstat_long(cnt_name[i]);
}

/*
 * Make the next @times attempts of an Access Flag split fail (-1: all of
 * them, 0: none), quietly.
 */
static int fail_splits(long times)
{
	return write_long(FAIL "verbose", 0) || write_long(FAIL "interval", 1) ||
	       write_long(FAIL "times", times) ||
	       write_long(FAIL "probability", times ? 100 : 0);
}

/* The path the boot line names ("... PMD splits: PATH"), or "" if none. */
static void boot_split_path(char *text, size_t len)
{
	static char log[1 << 20];
	int n = klogctl(3, log, sizeof(log) - 1);	/* SYSLOG_ACTION_READ_ALL */
	char *p;

	*text = 0;
	if (n <= 0)
		return;
	log[n] = 0;
	p = strstr(log, BOOT_LINE);
	if (!p)
		return;
	p += strlen(BOOT_LINE);
	snprintf(text, len, "%.*s", (int)strcspn(p, "\n"), p);
}

static void print_delta(const char *what, const long *a, const long *b, long saved, long expect)
{
	ktap_msg("split-path: %s saved=%ld expected=%ld", what, saved, expect);
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
	ktap_header();
	if (path < 0 || pages <= 0)
		ktap_exit_skip_all("usage: hvo_split_path -p af|bbml3|base|refused [-n PAGES]");
	read_counters(c0);
	if (kb <= 0 || memmap_pages() < 0 || c0[BBML3] < 0)
		ktap_exit_skip_all("no default huge page size, nr_memmap_pages or %s",
				   cnt_name[BBML3]);
	ktap_set_plan(path == 1 ? 4 : 3);

	/* The boot line says it only when HVO was on at boot. */
	read_long(HVO_SYSCTL, &hvo);
	boot_split_path(text, sizeof(text));
	diag("split-path: kernel says \"%s\", expected %s", text, paths[path]);
	result(strstr(text, words[path]) == text,
	       !*text && !hvo ? "HVO off at boot: no boot line" : NULL,
	       "the kernel chose the split path of this CPU");

	if (!hvo && write_long(HVO_SYSCTL, 1))
		diag("could not turn HVO on");
	if (path == 1 && fail_splits(1))
		diag("no %s", FAIL);

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
	result(ok, NULL, "vmemmap saved as the split path allows, splits counted by path");

	if (path == 1) {
		/*
		 * Every attempt spoiled: the splits of the memory the next
		 * pages need must give up, and leave those folios as they are.
		 */
		fail_splits(-1);
		ok = !set_pool(kb, pages + more);
		saved = base - memmap_pages();
		read_counters(c2);
		fail_splits(0);
		print_delta("give-up", c1, c2, saved, -1);
		ok = ok && c2[FAILED] > c1[FAILED] && c2[AF] == c1[AF] &&
		     saved < (pages + more) * per_page;
		result(ok, NULL, "a split whose every attempt sees the Access Flag set gives up");
	}

	ok = !set_pool(kb, 0) && memmap_pages() == base;
	diag("split-path: drained, vmemmap %+ld pages from baseline", memmap_pages() - base);
	result(ok, NULL, "pool drained, vmemmap back to baseline");
	if (!hvo)
		write_long(HVO_SYSCTL, 0);
	return ktap_finish();
}
