// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_pool_max [-r ROUNDS] [-b MB] [-f on|off]
 *
 * Grow the default-size huge page pool to "as many as possible" (a number
 * far above what fits, written to nr_hugepages, as the admin guide suggests),
 * then free it, ROUNDS times with HVO off and ROUNDS times with HVO on
 * (vm.hugetlb_optimize_vmemmap), in two settings: this process alone, and
 * with a bystander process holding MB MiB of anonymous memory, which must
 * survive.  With HVO on the pool must reach at least 98% of what it reached
 * with HVO off, drain to 0, and give back every vmemmap page
 * (nr_memmap_pages + nr_memmap_boot_pages back to the baseline).  An HVO
 * allocation that invokes the OOM killer kills the bystander, or this
 * process when it is alone; the console report ("invoked oom-killer") fails
 * the run too.  Output is KTAP; one line a round for scripts:
 *
 *   # pool-max: hvo=1 bystander=1 round=2 pages=1862
 *
 * (Without -f it does not tell how many of them HVO optimized: that needs
 * /proc/vmstat read at the maximum, and every read of it allocates, see
 * below.)
 *
 * -f on|off: the machine as a boot script finds it.  Run as the first test
 * after boot, it grows the pool right away, with HVO as the kernel command
 * line left it (no sysctl writes, no HVO-off rounds first), on a machine whose
 * vmemmap has never been split and whose kernel has not yet started the
 * threads a warm machine has.  Alone, this process is made unkillable
 * (oom_score_adj -1000) as PID 1 is: an OOM then panics the kernel ("no
 * killable processes"), as it does under a boot script run by PID 1.  It also
 * reads the vmemmap at each maximum and prints how much of the theoretical
 * saving (hvo_saving_pages() for every folio in the pool) HVO kept: at least
 * 99% in every round with "on", nothing with "off".  Each read of
 * /proc/vmstat allocates a small buffer and frees it: pinned to one CPU, the
 * next read most likely gets the same object back from that CPU's slab
 * cache instead of a page from the allocator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#define MANY		1000000L	/* far more huge pages than any guest holds */

static char nr_path[128];

/*
 * While the pool is at the maximum, any allocation the kernel makes for this
 * process can invoke the OOM killer, with HVO off as well: opening a file
 * (struct file, a seq_file buffer), and every read of /proc/vmstat
 * (vmstat_start() allocates), which did so in CI.  So nothing reads
 * /proc/vmstat at the maximum, and nr_hugepages is opened and read once
 * beforehand and then only read and written through that descriptor (the
 * seq_file buffer of a file stays allocated while it is open).
 */
static int vmstat_fd = -1, nr_fd = -1;
static char vmstat_buf[64 << 10];

static long fd_read_long(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int fd_write_long(int fd, long val)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", val);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* memmap_pages() through vmstat_fd. */
static long vmstat_memmap_pages(void)
{
	return read_vmstat(vmstat_fd, vmstat_buf, sizeof(vmstat_buf)) ? -1 :
	       memmap_pages_in(vmstat_buf);
}

#define READY_FD	3	/* the bystander says on it that it holds its memory */

/* Hold @mb MiB of touched anonymous memory until killed (the bystander). */
static int hold(long mb)
{
	size_t len = (size_t)mb << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	write_long("/proc/self/oom_score_adj", 0);	/* killable, whatever -f set */
	memset(p, 1, len);
	if (write(READY_FD, "r", 1) != 1)
		return 1;
	close(READY_FD);
	for (;;)
		pause();
}

/*
 * The bystander is this program again, exec'ed: a plain fork would leave this
 * process's pages copy-on-write, and its first writes with the pool at the
 * maximum would allocate, which can invoke the OOM killer with HVO off too.
 */
static pid_t start_bystander(long mb)
{
	char arg[32], c;
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(fds[1], READY_FD);
		snprintf(arg, sizeof(arg), "%ld", mb);
		execl("/proc/self/exe", "hvo_pool_max", "-H", arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1)
		diag("the bystander did not start");
	close(fds[0]);
	return pid;
}

/*
 * With the pool at the maximum, any page this process faults in can invoke
 * the OOM killer, with HVO off as well: fault in and lock everything it will
 * use (its stack, the buffers of stdio and of the files it reads) first.
 */
static void prefault(void)
{
	volatile char stack[256 << 10];
	long val;

	memset((char *)stack, 0, sizeof(stack));
	memmap_pages();
	read_long(nr_path, &val);
	vmstat_fd = open("/proc/vmstat", O_RDONLY);
	nr_fd = open(nr_path, O_RDWR);
	if (vmstat_fd < 0 || nr_fd < 0)
		diag("cannot open /proc/vmstat or %s: %s", nr_path, strerror(errno));
	vmstat_memmap_pages();
	fd_read_long(nr_fd);
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		diag("mlockall: %s", strerror(errno));
}

static bool alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

struct pass {
	long max;		/* largest pool reached */
	long min;		/* smallest pool reached */
	bool drained;		/* every round back to 0 pages and the vmemmap baseline */
	long worst_pct;		/* -f: least share of the theoretical saving kept */
	long most_saved;	/* -f: most vmemmap pages saved at a maximum */
};

static long saving_per_folio;	/* -f: vmemmap pages HVO frees per folio, or -1 */

/* ROUNDS times: grow the pool as far as it goes, then free it. */
static struct pass grow_and_free(int hvo, bool bystander, int rounds)
{
	struct pass p = { .max = 0, .min = MANY, .drained = true, .worst_pct = 100 };

	for (int r = 1; r <= rounds; r++) {
		long base = vmstat_memmap_pages(), nr = -1, after;
		int err;

		err = fd_write_long(nr_fd, MANY);
		/* Stopping short of MANY is the point; only a read tells how far. */
		nr = fd_read_long(nr_fd);
		if (nr <= 0) {
			diag("round %d: pool did not grow (write: %s)", r, strerror(-err));
			p.drained = false;
			nr = 0;
		}
		if (saving_per_folio < 0) {
			diag("pool-max: hvo=%d bystander=%d round=%d pages=%ld",
			     hvo, bystander, r, nr);
		} else {
			long saved = base - vmstat_memmap_pages(), max = nr * saving_per_folio;
			long pct = max ? saved * 100 / max : 100;

			diag("pool-max: hvo=%d bystander=%d round=%d pages=%ld saved=%ld/%ld",
			     hvo, bystander, r, nr, saved, max);
			if (pct < p.worst_pct)
				p.worst_pct = pct;
			if (saved > p.most_saved)
				p.most_saved = saved;
		}
		if (nr > p.max)
			p.max = nr;
		if (nr < p.min)
			p.min = nr;
		if (fd_write_long(nr_fd, 0) || (nr = fd_read_long(nr_fd))) {
			diag("round %d: pool not drained: %ld pages left", r, nr);
			p.drained = false;
		}
		after = vmstat_memmap_pages();
		if (after != base) {
			diag("round %d: %ld vmemmap pages in use after freeing, %ld before",
			     r, after, base);
			p.drained = false;
		}
	}
	return p;
}

int main(int argc, char **argv)
{
	long kb = default_hugepage_kb(), mb = 64;
	long hvo_orig = -1;
	int rounds = 3, c;
	const char *fresh = NULL;

	while ((c = getopt(argc, argv, "r:b:H:f:")) != -1) {
		if (c == 'f' && (!strcmp(optarg, "on") || !strcmp(optarg, "off")))
			fresh = optarg;
		else if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'b')
			mb = atol(optarg);
		else if (c == 'H')
			return hold(atol(optarg));
		else
			return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_header();
	if (!kb || memmap_pages() < 0)
		ktap_exit_skip_all("no huge pages or no nr_memmap_pages");
	snprintf(nr_path, sizeof(nr_path),
		 "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", kb);
	if (read_long(HVO_SYSCTL, &hvo_orig))
		hvo_orig = -1;
	saving_per_folio = -1;
	if (fresh) {
		cpu_set_t one;

		hvo_orig = -1;		/* the boot's setting, no HVO-off rounds */
		saving_per_folio = strcmp(fresh, "on") ? 0 : hvo_saving_pages(kb);
		if (write_long("/proc/self/oom_score_adj", -1000))
			diag("cannot make this process unkillable");
		CPU_ZERO(&one);
		CPU_SET(0, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			diag("cannot pin this process to CPU 0");
	}
	ktap_set_plan((hvo_orig < 0 ? 3 : 7) + (fresh ? 2 : 0));
	diag("%ldkB pages, %d rounds each, bystander %ld MiB, HVO sysctl %s", kb, rounds,
	     mb, hvo_orig < 0 ? "absent" : "present");
	prefault();

	for (int with = 0; with <= 1; with++) {
		pid_t pid = with ? start_bystander(mb) : 0;
		struct pass off = { 0 }, on;
		const char *who = with ? "with a bystander" : "alone";

		if (hvo_orig >= 0) {
			write_long(HVO_SYSCTL, 0);
			off = grow_and_free(0, with, rounds);
			write_long(HVO_SYSCTL, 1);
		}
		on = grow_and_free(!fresh || saving_per_folio, with, rounds);
		if (hvo_orig >= 0) {
			diag("%s: HVO off reached %ld-%ld pages, HVO on %ld-%ld", who,
			     off.min, off.max, on.min, on.max);
			result(on.min * 100 >= off.max * 98, NULL,
			       "%s: HVO on reaches 98%% of HVO off", who);
			result(off.drained, NULL, "%s: HVO off drains", who);
		}
		result(on.drained && on.max > 0, NULL,
		       "%s: HVO %s drains, vmemmap back to baseline", who,
		       fresh && !saving_per_folio ? "off" : "on");
		if (fresh && saving_per_folio) {
			diag("%s: at least %ld%% of the theoretical saving in every round",
			     who, on.worst_pct);
			result(on.worst_pct >= 99, NULL,
			       "%s: 99%% of the saving kept at every maximum", who);
		} else if (fresh) {
			result(on.most_saved == 0, NULL, "%s: HVO off saves nothing", who);
		}
		if (with) {
			bool ok = alive(pid);

			result(ok, NULL, "the bystander survived");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	if (hvo_orig >= 0)
		write_long(HVO_SYSCTL, hvo_orig);
	return ktap_finish();
}
