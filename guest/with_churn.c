// SPDX-License-Identifier: GPL-2.0
/*
 * with_churn [-o MODES] [-s KB] [-n PAGES] [-r READERS] COMMAND [ARG...]
 *
 * Run COMMAND while HVO changes vmemmap entries and struct pages are read:
 * a process grows another hstate's pool to PAGES (default 16) huge pages
 * and frees it again, over and over (each grow optimizes, each shrink
 * restores), and READERS threads (default: one for every CPU but the
 * first) read every struct page of the machine through /proc/kpageflags
 * and /proc/kpagecount, each pinned to its CPU.  The hstate is KB kB, or by
 * default the smallest one HVO optimizes that is not the default size (the
 * one COMMAND uses); with none (64K pages), or with one above a quarter of
 * the memory of which no page can be allocated (16K pages in 4 GiB, whose
 * next size is 1G), only the readers run.
 *
 * -o MODES runs COMMAND once for each value in the list (e.g. 0,1), written
 * to vm.hugetlb_optimize_vmemmap first: HVO off as the control, then on.
 * COMMAND sees HVO_CHURN=1 in its environment (its own exact vmemmap
 * accounting cannot hold while another pool changes).  Its output is kept,
 * indented as nested KTAP.
 *
 * For each mode: COMMAND must succeed, the churn must have completed at
 * least one cycle and freed its pool, and afterwards the vmemmap in use
 * (nr_memmap_pages + nr_memmap_boot_pages) must be back where it was before
 * (COMMAND frees what it allocated).  With HVO on, where the kernel counts
 * changed vmemmap entries (vmemmap_pte_remaps in /proc/vmstat, arm64), some
 * must have changed while COMMAND ran.  Output: KTAP.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "ktap.h"
#include "sysfs_io.h"

#define HP_DIR		"/sys/kernel/mm/hugepages"
#define MAX_MODES	4

static volatile sig_atomic_t stopping;

/* Whether one huge page of @kb kB can be allocated now (then freed). */
static bool pool_can_grow(long kb)
{
	char path[128];
	long n = 0;

	snprintf(path, sizeof(path), HP_DIR "/hugepages-%ldkB/nr_hugepages", kb);
	if (write_str(path, "1"))
		return false;
	read_long(path, &n);
	write_str(path, "0");
	return n >= 1;
}

/*
 * The smallest hstate HVO optimizes, other than the default size; 0 if none.
 * A size above a quarter of the memory (1G pages in a 4 GiB guest with 16K
 * pages) is taken only if a page of it can be allocated now: where one
 * cannot, only the readers run.  A smaller size must grow, as before.
 */
static long churn_hstate(void)
{
	long def = default_hugepage_kb(), best = 0, kb;
	DIR *d = opendir(HP_DIR);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "hugepages-%ldkB", &kb) == 1 && kb != def &&
		    hvo_saving_pages(kb) && (!best || kb < best))
			best = kb;
	if (d)
		closedir(d);
	if (best > meminfo_kb("MemTotal") / 4 && !pool_can_grow(best))
		return 0;
	return best;
}

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * The churn: grow the pool at @path to @pages and free it until SIGTERM,
 * then free it.  Exits 0 if at least one cycle grew the pool and every
 * shrink emptied it; prints its cycle count.
 */
static int churn(const char *path, long pages)
{
	long cycles = 0, grown = 0, n;
	bool stuck = false;

	signal(SIGTERM, on_term);
	while (!stopping && !stuck) {
		write_long(path, pages);
		if (!read_long(path, &n) && n > 0)
			grown++;
		write_long(path, 0);
		stuck = read_long(path, &n) || n;
		cycles++;
	}
	write_long(path, 0);
	stuck |= read_long(path, &n) || n;
	diag("churn: %ld cycles, %ld grew the pool%s", cycles, grown,
	     stuck ? ", and the pool did not drain" : "");
	return grown > 0 && !stuck ? 0 : 1;
}

/* A reader pinned to CPU @cpu: every struct page, over and over. */
static int reader(int cpu)
{
	static char buf[64 << 10];
	const char *files[] = { "/proc/kpageflags", "/proc/kpagecount" };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (long pass = 0; ; pass++) {
		int fd = open(files[pass & 1], O_RDONLY);

		if (fd < 0)
			return 1;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

/* Run @argv with its output indented; its exit status or -1. */
static int run(char **argv)
{
	int pipefd[2], status;
	char line[4096];
	FILE *f;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		setenv("HVO_CHURN", "1", 1);
		execvp(argv[0], argv);
		printf("exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	while (fgets(line, sizeof(line), f)) {
		printf("    %s", line);
		fflush(stdout);
	}
	fclose(f);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFSIGNALED(status))
		diag("%s: killed by signal %d", argv[0], WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	long kb = 0, pages = 16, readers = -1, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char list[64] = "", *modes[MAX_MODES], path[128];
	int nmodes = 1, opt;

	while ((opt = getopt(argc, argv, "+o:s:n:r:")) != -1) {
		switch (opt) {
		case 'o': snprintf(list, sizeof(list), "%s", optarg); break;
		case 's': kb = atol(optarg); break;
		case 'n': pages = atol(optarg); break;
		case 'r': readers = atol(optarg); break;
		default: optind = argc; break;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: with_churn [-o MODES] [-s KB] [-n PAGES] [-r READERS] COMMAND [ARG...]\n");
		return 2;
	}
	modes[0] = NULL;
	if (*list && (nmodes = split_modes(list, modes, MAX_MODES)) < 1)
		return 2;
	if (readers < 0)
		readers = ncpu - 1;
	if (!kb)
		kb = churn_hstate();
	snprintf(path, sizeof(path), HP_DIR "/hugepages-%ldkB/nr_hugepages", kb);
	ktap_plan(4 * nmodes);
	diag("churn: %ld x %ld kB, %ld readers", kb ? pages : 0, kb, readers);
	for (int m = 0; m < nmodes; m++) {
		long base, after, remaps0, remaps, hvo = 0;
		pid_t churner = 0, rd[64];
		int st, rc, nrd = 0;
		const char *mode;

		if (modes[m] && write_str(HVO_SYSCTL, modes[m]))
			diag("writing %s to %s failed", modes[m], HVO_SYSCTL);
		read_long(HVO_SYSCTL, &hvo);
		mode = hvo ? "HVO on" : "HVO off";
		base = memmap_pages();
		remaps0 = vmstat_long("vmemmap_pte_remaps");
		fflush(stdout);
		if (kb && pages && !(churner = fork()))
			_exit(churn(path, pages));
		for (long r = 0; r < readers && r < 64; r++)
			if (!(rd[nrd++] = fork()))
				_exit(reader(1 + r % (ncpu > 1 ? ncpu - 1 : 1)));
		rc = run(argv + optind);
		remaps = vmstat_long("vmemmap_pte_remaps");
		for (int r = 0; r < nrd; r++) {
			kill(rd[r], SIGKILL);
			waitpid(rd[r], NULL, 0);
		}
		st = 0;
		if (churner) {
			kill(churner, SIGTERM);
			waitpid(churner, &st, 0);
		}
		result(rc == 0, NULL, "%s: %s (exit %d)", mode, argv[optind], rc);
		result(!churner || (WIFEXITED(st) && !WEXITSTATUS(st)),
		       churner ? NULL : kb ? "no churn asked for" :
		       "no other hstate HVO optimizes that can be allocated here",
		       "%s: another pool grew and shrank meanwhile", mode);
		result(remaps > remaps0, remaps0 < 0 ? "no vmemmap_pte_remaps counter" :
		       !hvo ? "HVO off" : !churner ? "no churn" : NULL,
		       "%s: %ld vmemmap entries changed while it ran", mode, remaps - remaps0);
		for (int i = 0; i < 200 && (after = memmap_pages()) != base; i++)
			usleep(50000);
		result(after == base, NULL, "%s: vmemmap back to %ld (%ld)", mode, base, after);
	}
	return ktap_finish();
}
