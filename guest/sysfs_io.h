/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing the single numbers of sysfs and procfs files, for the
 * guest programs.  Each returns 0 or -errno.
 */
#ifndef GUEST_SYSFS_IO_H
#define GUEST_SYSFS_IO_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HVO_SYSCTL	"/proc/sys/vm/hugetlb_optimize_vmemmap"

static inline int read_long(const char *path, long *val)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -errno;
	ret = fscanf(f, "%ld", val) == 1 ? 0 : -EINVAL;
	fclose(f);
	return ret;
}

/* Write the string @val to @path (a sysctl such as "0" or "1"). */
static inline int write_str(const char *path, const char *val)
{
	int fd, len = strlen(val), ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	errno = EIO;
	if (write(fd, val, len) != len)
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static inline int write_long(const char *path, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", val);
	return write_str(path, buf);
}

/*
 * Set the pool of @kb kB huge pages to @pages; 0, or -1 with a KTAP
 * diagnostic line if it has another number of pages then.
 */
static inline int set_pool(long kb, long pages)
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

/* Vmemmap pages in use in the text of /proc/vmstat, or -1. */
static inline long memmap_pages_in(const char *text)
{
	long sum = 0;
	int found = 0;

	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		char key[64];
		long val;

		if (*line == '\n')
			line++;
		if (sscanf(line, "%63s %ld", key, &val) == 2 &&
		    (!strcmp(key, "nr_memmap_pages") || !strcmp(key, "nr_memmap_boot_pages"))) {
			sum += val;
			found++;
		}
	}
	return found == 2 ? sum : -1;
}

/* The text of /proc/vmstat read through @fd, from its start, into @buf. */
static inline int read_vmstat(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* Vmemmap pages in use, nr_memmap_pages + nr_memmap_boot_pages, or -1. */
static inline long memmap_pages(void)
{
	static char buf[64 << 10];
	int fd = open("/proc/vmstat", O_RDONLY);
	long ret = -1;

	if (fd < 0)
		return -1;
	if (!read_vmstat(fd, buf, sizeof(buf)))
		ret = memmap_pages_in(buf);
	close(fd);
	return ret;
}

/* The value of the /proc/vmstat item @name, or -1 if the kernel has none. */
static inline long vmstat_long(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[64];
	long val, ret = -1;

	while (f && fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name)) {
			ret = val;
			break;
		}
	if (f)
		fclose(f);
	return ret;
}

/* The value in kB of the /proc/meminfo line NAME (e.g. "MemTotal"), or 0. */
static inline long meminfo_kb(const char *name)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128], field[64];
	long kb = 0, v;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld kB", field, &v) == 2 &&
		    !strcmp(field, name)) {
			kb = v;
			break;
		}
	if (f)
		fclose(f);
	return kb;
}

/* The default huge page size in kB (Hugepagesize in /proc/meminfo), or 0. */
static inline long default_hugepage_kb(void)
{
	return meminfo_kb("Hugepagesize");
}

/*
 * The vmemmap pages HVO frees per huge page of @kb kB: all but one of the
 * pages its struct pages (64 bytes each) fill, or 0 where they fill at most
 * one page (not optimizable).
 */
#define STRUCT_PAGE_SZ	64
static inline long hvo_saving_pages(long kb)
{
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	long vmemmap = kb / page_kb * STRUCT_PAGE_SZ / 1024 / page_kb;

	return vmemmap > 1 ? vmemmap - 1 : 0;
}

#endif /* GUEST_SYSFS_IO_H */
