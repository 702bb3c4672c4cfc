// SPDX-License-Identifier: GPL-2.0
/*
 * with_hugepages [-p POISONED] [-s KB | -n] N COMMAND [ARG...]
 *
 * Reserve N x 2 MiB of huge pages of the default size (N pages where that
 * is 2M; one 512M page for up to 256 with 64K base pages, 16 32M ones with
 * 16K: most kselftests ask for an amount of memory, not of pages), or with
 * -n N pages whatever their size (for a test that counts pages), or with
 * -s KB N pages of the hstate of KB kB (a KVM guest backed by 1G pages),
 * through sysfs, run COMMAND, then give the pages back.  Fails if fewer could be
 * reserved, if
 * COMMAND fails, or if the pool does not return to 0 afterwards (a page the
 * kernel could not free shows up here).  -p: COMMAND poisons up to POISONED
 * huge pages on purpose (hwpoison tests); the kernel keeps those.  Skips
 * (KSFT_SKIP) without reserving anything when the pages would take all of
 * MemTotal (20 x 512M for a test that counts pages, in an 8G guest).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "sysfs_io.h"

static char path[128];

static long get_nr(void)
{
	long n;

	return read_long(path, &n) ? -1 : n;
}

int main(int argc, char **argv)
{
	long want, got, left, kb = 0, total, poisoned = 0;
	bool pages = false;
	int status = 1;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "-p")) {
		poisoned = atol(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 && !strcmp(argv[1], "-s")) {
		kb = atol(argv[2]);
		pages = true;
		argc -= 2;
		argv += 2;
	} else if (argc > 1 && !strcmp(argv[1], "-n")) {
		pages = true;
		argc--;
		argv++;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: with_hugepages [-p POISONED] [-s KB | -n] N COMMAND [ARG...]\n");
		return 2;
	}
	if (!kb)
		kb = default_hugepage_kb();
	if (kb <= 0)
		return 2;
	want = pages ? atol(argv[1]) : (atol(argv[1]) * 2048 + kb - 1) / kb;
	total = meminfo_kb("MemTotal");
	if (want * kb >= total) {
		printf("with_hugepages: %ld x %ld kB do not fit in MemTotal (%ld kB): skipped\n",
		       want, kb, total);
		return 4;	/* KSFT_SKIP */
	}
	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", kb);
	write_long(path, want);
	got = get_nr();
	printf("with_hugepages: %ld of %ld huge pages reserved (%s)\n", got, want, path);
	if (got < want) {
		write_long(path, 0);
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	write_long(path, 0);
	left = get_nr();
	if (left > poisoned || left < 0) {
		printf("with_hugepages: %ld huge pages left after freeing the pool\n", left);
		return 1;
	}
	if (left)
		printf("with_hugepages: %ld poisoned huge page(s) kept by the kernel\n", left);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	printf("with_hugepages: %s killed by signal %d\n", argv[2], WTERMSIG(status));
	return 1;
}
