// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_throughput [-n PAGES] [-c CYCLES] [-r ROUNDS] [-o MODES]
 *
 * What the other CPUs lose while one CPU resizes the HugeTLB pool.  CPU 0
 * grows the default-size pool to PAGES pages and shrinks it to 0, CYCLES
 * times (the "resize" phase), while one worker on every other CPU runs one of
 * two loads and counts what it gets done:
 *
 *   mem  a memory-bound loop over a private 16 MiB buffer, one cache line at
 *        a time, that never touches a struct page of the huge pages;
 *   kpf  a struct-page reader: /proc/kpageflags over all of memory, which
 *        reads the struct pages of the huge pages being optimized and
 *        restored.
 *
 * Then CPU 0 sleeps for as long as the resize phase took (the "idle" phase)
 * and the workers are counted again.  A round's figure is the workers' rate
 * while resizing over their rate while idle.  MODES (default "0,1") are the
 * values of vm.hugetlb_optimize_vmemmap to compare, taken in turn within each
 * round.  Every load, mode and round is a KTAP test, which fails only if the
 * pool did not grow to PAGES or did not return to 0: the rates are
 * measurements, reported as
 *
 *   # throughput: load=kpf hvo=1 rounds=5 resize_over_idle=0.93 (min 0.90 max 0.95)
 *   # throughput-on-off: load=kpf on_over_off=0.98
 *
 * for the scripts to judge (commands/bench.sh: the goal is >= 0.95).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ktap.h"
#include "measure.h"
#include "sysfs_io.h"

#define MAX_CPUS	64
#define MAX_ROUNDS	32
#define MAX_MODES	4
#define BUF_SIZE	(16UL << 20)
#define KPF_CHUNK	512


enum { LOAD_MEM, LOAD_KPF, NR_LOADS };
static const char *const load_name[NR_LOADS] = { "mem", "kpf" };

/* One cache line per worker: what it has done, and what it is to do. */
struct slot {
	volatile unsigned long done;
	volatile int load;		/* -1: wait, NR_LOADS: exit */
	char pad[64 - sizeof(unsigned long) - sizeof(int)];
};

static struct slot *slots;
static int nworkers;
static char nr_path[128];

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void worker(struct slot *s)
{
	unsigned long *buf = malloc(BUF_SIZE), sink = 0;
	unsigned long long kpf[KPF_CHUNK];
	int fd = open("/proc/kpageflags", O_RDONLY);
	off_t off = 0;

	if (!buf || fd < 0)
		_exit(1);
	memset(buf, 1, BUF_SIZE);
	for (;;) {
		int load = s->load;

		if (load == NR_LOADS)
			break;
		if (load == LOAD_MEM) {
			for (size_t i = 0; i < BUF_SIZE / sizeof(*buf); i += 64 / sizeof(*buf))
				sink += buf[i]++;
			s->done += BUF_SIZE / 64;
		} else if (load == LOAD_KPF) {
			ssize_t n = pread(fd, kpf, sizeof(kpf), off);

			if (n <= 0) {
				off = 0;
				continue;
			}
			off += n;
			s->done += n / sizeof(kpf[0]);
		} else {
			usleep(1000);
		}
	}
	_exit(sink == 42);
}

static unsigned long total(void)
{
	unsigned long sum = 0;

	for (int i = 0; i < nworkers; i++)
		sum += slots[i].done;
	return sum;
}

static void set_load(int load)
{
	for (int i = 0; i < nworkers; i++)
		slots[i].load = load;
}

/* One round: resize CYCLES times, then idle as long; 0 if the pool was right. */
static int round_once(long pages, int cycles, double *ratio)
{
	unsigned long c0, c1, c2;
	struct timespec ts;
	double t0, d;
	long n;
	int bad = 0;

	c0 = total();
	t0 = now_s();
	for (int c = 0; c < cycles; c++) {
		write_long(nr_path, pages);
		if (read_long(nr_path, &n) || n != pages)
			bad = 1;
		write_long(nr_path, 0);
		if (read_long(nr_path, &n) || n != 0)
			bad = 1;
	}
	d = now_s() - t0;
	c1 = total();
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	c2 = total();
	*ratio = c2 > c1 ? (double)(c1 - c0) / (double)(c2 - c1) : 0;
	diag("round: resize_s=%.3f resize_ops=%lu idle_ops=%lu", d, c1 - c0, c2 - c1);
	return bad;
}

int main(int argc, char **argv)
{
	double ratio[NR_LOADS][MAX_MODES][MAX_ROUNDS];
	char *modes[MAX_MODES], *list = NULL;
	int rounds = 5, cycles = 10, nmodes = 0, opt, ncpus;
	long pages = 256;
	pid_t pids[MAX_CPUS];

	while ((opt = getopt(argc, argv, "n:c:r:o:")) != -1) {
		if (opt == 'n')
			pages = atol(optarg);
		else if (opt == 'c')
			cycles = atoi(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'o')
			list = optarg;
		else
			return 2;
	}
	if (!list)
		list = strdup("0,1");
	nmodes = split_modes(list, modes, MAX_MODES);
	if (nmodes < 1 || rounds < 1 || rounds > MAX_ROUNDS || cycles < 1 || pages < 1)
		return 2;
	snprintf(nr_path, sizeof(nr_path),
		 "/sys/kernel/mm/hugepages/hugepages-%ldkB/nr_hugepages", default_hugepage_kb());

	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	ktap_plan(NR_LOADS * nmodes * rounds);
	if (ncpus < 2 || ncpus > MAX_CPUS) {
		diag("needs 2 to %d CPUs, has %d", MAX_CPUS, ncpus);
		return 1;
	}
	nworkers = ncpus - 1;
	slots = mmap(NULL, sizeof(*slots) * nworkers, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED || pin(0))
		return 1;
	set_load(-1);
	for (int i = 0; i < nworkers; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			pin(i + 1);
			worker(&slots[i]);
		}
	}
	diag("%d workers on CPUs 1-%d, %ld pages x %d cycles a round",
	     nworkers, ncpus - 1, pages, cycles);
	for (int l = 0; l < NR_LOADS; l++) {
		set_load(l);
		usleep(200000);
		for (int r = 0; r < rounds; r++) {
			for (int m = 0; m < nmodes; m++) {
				int bad;

				if (write_str(HVO_SYSCTL, modes[m])) {
					diag("cannot write %s to %s", modes[m], HVO_SYSCTL);
					bad = 1;
				} else {
					bad = round_once(pages, cycles, &ratio[l][m][r]);
				}
				result(!bad, NULL, "load=%s hvo=%s round %d", load_name[l],
				       modes[m], r + 1);
			}
		}
		for (int m = 0; m < nmodes; m++)
			qsort(ratio[l][m], rounds, sizeof(double), cmp_double);
		for (int m = 0; m < nmodes; m++)
			diag("throughput: load=%s hvo=%s rounds=%d resize_over_idle=%.3f min=%.3f max=%.3f",
			     load_name[l], modes[m], rounds, ratio[l][m][rounds / 2],
			     ratio[l][m][0], ratio[l][m][rounds - 1]);
		if (nmodes == 2 && ratio[l][0][rounds / 2] > 0)
			diag("throughput-on-off: load=%s on_over_off=%.3f", load_name[l],
			     ratio[l][1][rounds / 2] / ratio[l][0][rounds / 2]);
	}
	set_load(NR_LOADS);
	for (int i = 0; i < nworkers; i++)
		waitpid(pids[i], NULL, 0);
	return ktap_finish();
}
