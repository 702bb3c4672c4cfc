// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_bootmem - check huge pages reserved on the kernel command line
 * ("hugepagesz=1G hugepages=N hugetlb_free_vmemmap=on").
 *
 * For every hstate that holds pages at start (they can only come from boot),
 * demote one of them where the hstate can demote, then free them all, and
 * check that the vmemmap pages in use (nr_memmap_pages + nr_memmap_boot_pages)
 * grew by exactly what HVO had saved on them at boot: (vmemmap pages per huge
 * page - 1) per page when HVO is on, 0 when off.  Whatever demotion creates
 * and optimizes is freed too, so it cancels out.  Output is KTAP.
 *
 *   # bootmem: hstate=1048576kB pages=2 demoted=1 boot_saving_kib=32760 expected_kib=32760
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#define HP_DIR		"/sys/kernel/mm/hugepages"
#define MAX_HSTATES	16

static long hp_read(unsigned long kb, const char *file)
{
	char path[128];
	long val;

	snprintf(path, sizeof(path), HP_DIR "/hugepages-%lukB/%s", kb, file);
	return read_long(path, &val) ? -1 : val;
}

static int hp_write(unsigned long kb, const char *file, long val)
{
	char path[128];

	snprintf(path, sizeof(path), HP_DIR "/hugepages-%lukB/%s", kb, file);
	return write_long(path, val);
}

int main(void)
{
	unsigned long sizes[MAX_HSTATES], kb;
	long page_kb = sysconf(_SC_PAGESIZE) / 1024, hvo = 0;
	int nr = 0;
	struct dirent *de;
	DIR *d = opendir(HP_DIR);

	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_header();
	while (d && (de = readdir(d)) && nr < MAX_HSTATES)
		if (sscanf(de->d_name, "hugepages-%lukB", &kb) == 1 && hp_read(kb, "nr_hugepages") > 0)
			sizes[nr++] = kb;
	if (d)
		closedir(d);
	if (!nr || memmap_pages() < 0)
		ktap_exit_skip_all("no huge pages reserved at boot, or no nr_memmap_pages");
	read_long(HVO_SYSCTL, &hvo);
	ktap_set_plan(nr);
	for (int i = 0; i < nr; i++) {
		long pages = hp_read(sizes[i], "nr_hugepages"), small = 0, base = memmap_pages();
		long expect = hvo ? pages * hvo_saving_pages(sizes[i]) : 0, got;
		unsigned long small_kb = 0;
		char path[128];
		bool ok = true;
		FILE *f;

		snprintf(path, sizeof(path), HP_DIR "/hugepages-%lukB/demote_size", sizes[i]);
		f = fopen(path, "r");
		if (f && fscanf(f, "%lukB", &small_kb) == 1 && small_kb && small_kb < sizes[i]) {
			small = hp_read(small_kb, "nr_hugepages");
			if (hp_write(sizes[i], "demote", 1) ||
			    hp_read(sizes[i], "nr_hugepages") != pages - 1) {
				diag("%lukB: demoting one page failed", sizes[i]);
				ok = false;
			}
		}
		if (f)
			fclose(f);
		if (hp_write(sizes[i], "nr_hugepages", 0) || hp_read(sizes[i], "nr_hugepages")) {
			diag("%lukB: pool not drained", sizes[i]);
			ok = false;
		}
		if (small_kb && (hp_write(small_kb, "nr_hugepages", small) ||
				 hp_read(small_kb, "nr_hugepages") != small)) {
			diag("%lukB: the demoted pages did not go back", small_kb);
			ok = false;
		}
		got = memmap_pages() - base;
		diag("bootmem: hstate=%lukB pages=%ld demoted=%d boot_saving_kib=%ld expected_kib=%ld",
		     sizes[i], pages, small_kb ? 1 : 0, got * page_kb, expect * page_kb);
		result(ok && got == expect, NULL,
		       "boot-time %lukB pages: HVO saving exact, freed cleanly", sizes[i]);
	}
	return ktap_finish();
}
