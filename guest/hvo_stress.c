// SPDX-License-Identifier: GPL-2.0
/*
 * Stress HugeTLB Vmemmap Optimization (HVO) against concurrent struct page
 * readers: the long run of the harness (guest/tests.list hvo_stress*).  The
 * series' own kselftest, tools/testing/selftests/mm/hugetlb_vmemmap.c, is the
 * short version of the same checks that run_vmtests.sh runs.
 *
 * With HVO on, allocating a huge page through sysfs frees most of the vmemmap
 * pages that hold its struct pages, by remapping the page table entries that
 * map them; freeing or demoting the page remaps them back.  Where the entries
 * are PMD blocks, HVO first splits them into PTE tables.  A reader of those
 * struct pages on another CPU must see them unchanged throughout: on x86 the
 * entries change in place, on arm64 through read-only mappings of equal bytes
 * and, for the split, in place (BBML3) or through the Access Flag, never
 * through an invalid entry.  There is no fault to fix up: a CPU that found an
 * entry invalid would oops.  Nothing but another CPU touching exactly those
 * struct pages at exactly that time shows it, so this test arranges for it:
 *
 * - The main thread allocates, demotes and frees huge pages of one size in a
 *   loop until it has run the cycles asked for (-c), or for -t seconds when
 *   no such goal is given.  After each allocation it scans /proc/kpageflags
 *   for the huge pages it got (unless they are the ones found last time) and
 *   publishes their PFN ranges: the buddy allocator tends to hand out the
 *   same blocks again, so they are where the next cycles change entries.
 * - Reader threads loop over the published ranges and make the kernel read
 *   the struct pages of every PFN in them, through /proc/kpageflags,
 *   /proc/kpagecount and /sys/kernel/mm/page_idle/bitmap; one more thread
 *   compacts all memory every COMPACT_PERIOD_MS, which scans struct pages too.
 *
 * Every cycle checks that HVO freed exactly the vmemmap pages it should
 * (nr_memmap_pages + nr_memmap_boot_pages in /proc/vmstat), after allocation
 * and after demotion, and that freeing the pools returns them all.  On kernels
 * that count the changes in /proc/vmstat (arm64: vmemmap_pte_remaps and
 * vmemmap_pmd_split*), the test also reports the changes by kind and the PMD
 * splits by path, and with -B requires that every split was made in place
 * (BBML3 CPUs).  With -I the readers of the test_hugetlb_vmemmap module
 * (CONFIG_TEST_HUGETLB_VMEMMAP) also read the struct pages under change from
 * hardirq, softirq and NMI context on every CPU, and the run goes on until
 * each context has read them.
 *
 * Results: "cycles ran" (a cycle allocated pages and completed without a
 * sysfs or demotion error, and every reader read without error), "savings
 * exact every cycle", "vmemmap returns to baseline every cycle", "vmemmap
 * changes by kind" (tail entries changed without an invalid entry, and with
 * -B every split in place) and "interrupt-context readers" (with -I: reads in
 * every context).  A goal-driven run that reaches the -t time limit first
 * fails the test of the goal it missed, and says what it reached: the limit
 * is a safety net, so that a slow machine takes longer instead of failing.
 * The pools and the module's readers are restored at any exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ktap.h"
#include "sysfs_io.h"

#define HUGEPAGES_DIR		"/sys/kernel/mm/hugepages"
#define TEST_DIR		"/sys/kernel/debug/test_hugetlb_vmemmap"

#define BIT_ULL(nr)		(1ULL << (nr))
#define KPF_COMPOUND_HEAD	BIT_ULL(15)
#define KPF_COMPOUND_TAIL	BIT_ULL(16)
#define KPF_HUGE		BIT_ULL(17)
#define HUGE_HEAD		(KPF_HUGE | KPF_COMPOUND_HEAD)
#define HUGE_TAIL		(KPF_HUGE | KPF_COMPOUND_TAIL)

#define SCAN_CHUNK		65536UL	/* PFNs per pread() of the target scan */
#define MAX_TARGETS		4096
#define MAX_READERS		7
#define COMPACT_PERIOD_MS	500
#define MAX_COMPLAINTS		10
#define PATH_LEN		128
#define NSEC_PER_SEC		1000000000ULL
#define PROGRESS_SEC		10	/* a progress line this often */

enum reader_kind {
	READ_KPAGEFLAGS,
	READ_KPAGECOUNT,
	READ_PAGE_IDLE,
	READ_COMPACT,
	NR_READ_KINDS
};

static const char * const kind_name[NR_READ_KINDS] = {
	[READ_KPAGEFLAGS]	= "kpageflags",
	[READ_KPAGECOUNT]	= "kpagecount",
	[READ_PAGE_IDLE]	= "page_idle",
	[READ_COMPACT]		= "compact",
};

static const char * const kind_path[NR_READ_KINDS] = {
	[READ_KPAGEFLAGS]	= "/proc/kpageflags",
	[READ_KPAGECOUNT]	= "/proc/kpagecount",
	[READ_PAGE_IDLE]	= "/sys/kernel/mm/page_idle/bitmap",
	[READ_COMPACT]		= "/proc/sys/vm/compact_memory",
};

struct reader {
	pthread_t thread;
	enum reader_kind kind;
	int fd;
	void *buf;
	unsigned long reads;
	unsigned long errors;
};

/* A file the test changes, and what to write back at exit. */
struct setting {
	const char *path;
	char old[32];
	bool changed;
};

enum {
	SET_NR, SET_SMALL_NR, SET_IRQ, NR_SETTINGS
};

/* The arm64 vmemmap counters of /proc/vmstat, -1 where absent. */
enum {
	CNT_ENTRIES, CNT_SPLITS_BBML3, CNT_SPLITS_AF, CNT_AF_RETRIES, CNT_AF_FAILED,
	CNT_REFUSED, CNT_HOTPLUG, NR_CNT
};

static const char * const cnt_name[NR_CNT] = {
	"vmemmap_pte_remaps", "vmemmap_pmd_splits_bbml3", "vmemmap_pmd_splits_af",
	"vmemmap_pmd_split_af_retries", "vmemmap_pmd_split_af_failures",
	"vmemmap_pmd_splits_refused", "vmemmap_pmd_splits_hotplug",
};

struct bbm_counters {
	long long val[NR_CNT];
};

/* The kernel's interrupt-context readers (-I): softirq, hardirq, NMI. */
#define NR_IRQ_CTX		3
static const char * const irq_ctx[NR_IRQ_CTX] = { "softirq", "hardirq", "nmi" };

struct irq_counters {
	long long reads[NR_IRQ_CTX];
};

/* A run of PFNs that /proc/kpageflags shows as one hugetlb folio. */
struct scan {
	unsigned long head;
	unsigned long len;	/* PFNs of the run so far, 0: no run */
	unsigned int found;	/* runs of the tested size published */
};

static struct {
	unsigned int seconds;	/* time limit; the run time if no goal is given */
	unsigned long kb;
	unsigned long pages;
	unsigned long min_cycles;
	bool goals;		/* -c given: stop once it is reached */
	bool bbml3;		/* -B: every split in place, as on BBML3 CPUs */
	unsigned long irq_us;	/* -I: kernel readers in interrupt context, 0: none */
} opt = { .seconds = 30, .pages = 64 };

/* The tested hstate and the one it demotes to (small_kb 0: no demotion). */
static struct {
	char nr[PATH_LEN];
	char demote[PATH_LEN];
	char small_nr[PATH_LEN];
	unsigned long npp;		/* base pages per huge page */
	unsigned long small_kb;
	long long saving;		/* vmemmap pages HVO frees per huge page */
	long long small_saving;
} hs;

static struct {
	unsigned long attempts;		/* cycles started */
	unsigned long cycles;		/* cycles that allocated and completed */
	unsigned long empty;		/* cycles that allocated no page */
	unsigned long errors;		/* failed sysfs or kpageflags accesses, bad demotions */
	unsigned long savings_bad;
	unsigned long baseline_bad;
	unsigned long demotions;
	unsigned long scans;		/* full kpageflags scans */
	unsigned int targets;		/* huge pages found by the last full scan */
	double seconds;			/* how long the cycles ran */
	bool timed_out;			/* the time limit ended a goal-driven run */
} st;

static struct setting settings[NR_SETTINGS];
static struct reader readers[MAX_READERS + 1];
static unsigned int nr_readers;
static unsigned long targets[MAX_TARGETS];
static unsigned int nr_targets;
static int stop;
static int interrupted;		/* the signal that ended the run early */
static unsigned long pfn_lo, pfn_hi;
static int scan_fd;
static uint64_t *scan_buf;
static unsigned int complaints;
static bool hvo;
static unsigned long page_size;
static struct irq_counters irq0;	/* at the start of the run */

/* Report a mismatch of the current cycle, but only the first few. */
#define complain(fmt, ...) do {						\
	if (complaints++ < MAX_COMPLAINTS)					\
		ktap_msg("cycle %lu: " fmt, st.attempts, ##__VA_ARGS__);	\
} while (0)

static bool read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return false;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return false;
	buf[len] = '\0';
	return true;
}

/* A decimal file's value, or -1 if it cannot be read. */
static long long read_val(const char *path)
{
	char buf[32], *end;
	long long val;

	if (!read_str(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	val = strtoll(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return val;
}

/* Whether writing the number @val to @path worked (sysfs_io.h). */
static bool write_ll(const char *path, long long val)
{
	return !write_long(path, val);
}

static bool change_setting(int idx, const char *path, const char *val)
{
	struct setting *s = &settings[idx];

	s->path = path;
	if (!read_str(path, s->old, sizeof(s->old)) || write_str(path, val))
		return false;
	s->changed = true;
	return true;
}

static void restore_settings(void)
{
	int i;

	for (i = NR_SETTINGS - 1; i >= 0; i--) {
		struct setting *s = &settings[i];

		if (!s->changed)
			continue;
		if (write_str(s->path, s->old))
			ktap_msg("restoring %s: %s\n", s->path, strerror(errno));
		s->changed = false;
	}
}

static bool stopped(void)
{
	return __atomic_load_n(&stop, __ATOMIC_RELAXED);
}

/* Runs at every exit: the readers may still run, which is harmless. */
static void cleanup(void)
{
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	restore_settings();
}

static void on_signal(int sig)
{
	__atomic_store_n(&interrupted, sig, __ATOMIC_RELAXED);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Vmemmap pages HVO frees per huge page of @kb: all but the one it keeps. */
static long long hvo_saving(unsigned long kb)
{
	return hvo ? hvo_saving_pages(kb) : 0;
}

/* The PFNs that the zones span, from /proc/zoneinfo. */
static bool find_pfn_span(void)
{
	unsigned long long spanned = 0, start;
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];

	if (!f)
		return false;
	pfn_lo = ULONG_MAX;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " spanned %llu", &spanned) == 1)
			continue;
		if (sscanf(line, " start_pfn: %llu", &start) != 1 || !spanned)
			continue;
		if (start < pfn_lo)
			pfn_lo = start;
		if (start + spanned > pfn_hi)
			pfn_hi = start + spanned;
		spanned = 0;
	}
	fclose(f);
	return pfn_hi > pfn_lo;
}

static void scan_end_run(struct scan *s)
{
	if (s->len == hs.npp && s->found < MAX_TARGETS)
		__atomic_store_n(&targets[s->found++], s->head, __ATOMIC_RELAXED);
	s->len = 0;
}

static void scan_pfn(struct scan *s, unsigned long pfn, uint64_t flags)
{
	if ((flags & HUGE_HEAD) == HUGE_HEAD) {
		scan_end_run(s);
		s->head = pfn;
		s->len = 1;
	} else if (s->len && (flags & HUGE_TAIL) == HUGE_TAIL) {
		s->len++;
	} else {
		scan_end_run(s);
	}
}

/*
 * Whether at least half of the @nr pages of the pool are among the published
 * targets: then the readers hit the entries being changed, and a full scan
 * (slow) can wait.
 */
static bool targets_current(long long nr)
{
	unsigned int i, hits = 0, n = __atomic_load_n(&nr_targets, __ATOMIC_RELAXED);
	uint64_t flags;

	for (i = 0; i < n; i++)
		if (pread(scan_fd, &flags, sizeof(flags), targets[i] * sizeof(flags)) ==
		    sizeof(flags) && (flags & HUGE_HEAD) == HUGE_HEAD)
			hits++;
	return n && 2 * hits >= nr;
}

/*
 * Find the @nr huge pages of the tested size and publish them to the readers,
 * unless the buddy allocator handed out mostly the same blocks again.  Readers may
 * read a mix of old and new entries meanwhile: any is a fine target.
 */
static void publish_targets(long long nr)
{
	struct scan s = { 0 };
	unsigned long pfn, i, n;
	ssize_t ret;

	if (targets_current(nr))
		return;
	st.scans++;

	for (pfn = pfn_lo; pfn < pfn_hi; pfn += n) {
		n = pfn_hi - pfn < SCAN_CHUNK ? pfn_hi - pfn : SCAN_CHUNK;
		ret = pread(scan_fd, scan_buf, n * sizeof(*scan_buf), pfn * sizeof(*scan_buf));
		if (ret < 0) {
			st.errors++;
			complain("reading kpageflags at PFN %#lx: %s\n", pfn, strerror(errno));
		}
		if (ret <= 0)
			break;
		n = ret / sizeof(*scan_buf);
		for (i = 0; i < n; i++)
			scan_pfn(&s, pfn + i, scan_buf[i]);
	}
	scan_end_run(&s);
	st.targets = s.found;
	if (s.found)
		__atomic_store_n(&nr_targets, s.found, __ATOMIC_RELEASE);
}

/* Make the kernel read the struct pages of the huge page at @pfn. */
static void read_target(struct reader *r, unsigned long pfn)
{
	size_t len = hs.npp * sizeof(uint64_t);
	off_t off = pfn * sizeof(uint64_t);

	if (r->kind == READ_PAGE_IDLE) {
		/* One bit per PFN, in 64-bit words. */
		off = pfn / 64 * sizeof(uint64_t);
		len = ((pfn + hs.npp + 63) / 64 - pfn / 64) * sizeof(uint64_t);
	}
	if (pread(r->fd, r->buf, len, off) < 0)
		r->errors++;
	else
		r->reads++;
}

static void *read_fn(void *arg)
{
	struct reader *r = arg;
	unsigned int i, n;

	while (!stopped()) {
		n = __atomic_load_n(&nr_targets, __ATOMIC_ACQUIRE);
		if (!n)
			usleep(1000);
		for (i = 0; i < n && !stopped(); i++)
			read_target(r, __atomic_load_n(&targets[i], __ATOMIC_RELAXED));
	}
	return NULL;
}

static void *compact_fn(void *arg)
{
	struct reader *r = arg;
	unsigned int ms;

	while (!stopped()) {
		if (pwrite(r->fd, "1", 1, 0) == 1)
			r->reads++;
		else
			r->errors++;
		for (ms = 0; ms < COMPACT_PERIOD_MS && !stopped(); ms += 10)
			usleep(10000);
	}
	return NULL;
}

static void start_reader(enum reader_kind kind)
{
	struct reader *r = &readers[nr_readers++];

	r->kind = kind;
	r->fd = open(kind_path[kind], kind == READ_COMPACT ? O_WRONLY : O_RDONLY);
	if (r->fd < 0)
		ktap_exit_fail("opening %s: %s\n", kind_path[kind], strerror(errno));
	/* Enough for kpageflags/kpagecount, and for the page_idle bitmap. */
	r->buf = malloc(hs.npp * sizeof(uint64_t) + 2 * sizeof(uint64_t));
	if (!r->buf)
		ktap_exit_fail("out of memory\n");
	errno = pthread_create(&r->thread, NULL,
			       kind == READ_COMPACT ? compact_fn : read_fn, r);
	if (errno)
		ktap_exit_fail("pthread_create: %s\n", strerror(errno));
}

static bool kind_usable(enum reader_kind kind)
{
	int fd = open(kind_path[kind], kind == READ_COMPACT ? O_WRONLY : O_RDONLY);

	if (fd < 0) {
		ktap_msg("%s: %s: no %s reader\n", kind_path[kind], strerror(errno),
			       kind_name[kind]);
		return false;
	}
	close(fd);
	return true;
}

/* One range reader per other CPU, round robin over the usable kinds. */
static void start_readers(void)
{
	enum reader_kind kinds[READ_COMPACT];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int i, nr = 1, nr_kinds = 0;

	for (i = READ_KPAGEFLAGS; i < READ_COMPACT; i++)
		if (kind_usable(i))
			kinds[nr_kinds++] = i;
	if (cpus > 2)
		nr = cpus - 1 < MAX_READERS ? cpus - 1 : MAX_READERS;
	for (i = 0; i < nr; i++)
		start_reader(kinds[i % nr_kinds]);
	if (kind_usable(READ_COMPACT))
		start_reader(READ_COMPACT);
}

static void stop_readers(void)
{
	unsigned int i;

	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nr_readers; i++) {
		pthread_join(readers[i].thread, NULL);
		close(readers[i].fd);
		free(readers[i].buf);
	}
}

static bool cycle_error(const char *what)
{
	ktap_msg("cycle %lu: %s: %s\n", st.attempts, what, strerror(errno));
	st.errors++;
	return false;
}

/* HVO must have freed exactly the vmemmap of @big + @small pages since @base. */
static void check_savings(long long base, long long big, long long small)
{
	long long want = big * hs.saving + small * hs.small_saving;
	long long got = base - memmap_pages();

	if (got == want)
		return;
	st.savings_bad++;
	complain("%lld + %lld huge pages freed %lld vmemmap pages, expected %lld\n",
		 big, small, got, want);
}

static bool demote_half(long long base, long long nr)
{
	long long demote = nr / 2, big, small;

	if (!write_ll(hs.demote, demote))
		return cycle_error("demoting");
	big = read_val(hs.nr);
	small = read_val(hs.small_nr);
	if (big != nr - demote || small != demote * (long long)(opt.kb / hs.small_kb)) {
		st.errors++;
		complain("demoting %lld of %lld left %lld %lukB + %lld %lukB pages\n",
			 demote, nr, big, opt.kb, small, hs.small_kb);
	}
	check_savings(base, big, small);
	st.demotions++;
	return true;
}

static bool free_pools(void)
{
	if (!write_ll(hs.nr, 0) || (hs.small_kb && !write_ll(hs.small_nr, 0)))
		return cycle_error("freeing the pools");
	if (read_val(hs.nr) || (hs.small_kb && read_val(hs.small_nr))) {
		errno = EBUSY;
		return cycle_error("emptying the pools");
	}
	return true;
}

/* Allocate, check, demote, check, free, check; false if no cycle can follow. */
static bool run_cycle(void)
{
	long long base, nr, now;

	st.attempts++;
	base = memmap_pages();
	if (!write_ll(hs.nr, opt.pages))
		return cycle_error("allocating");
	nr = read_val(hs.nr);
	if (nr < 0)
		return cycle_error("reading nr_hugepages");
	check_savings(base, nr, 0);
	if (nr)
		publish_targets(nr);
	if (hs.small_kb && nr >= 2 && !demote_half(base, nr))
		return false;
	if (!free_pools())
		return false;
	now = memmap_pages();
	if (now != base) {
		st.baseline_bad++;
		complain("%lld vmemmap pages in use after freeing, %lld before\n", now, base);
	}
	if (nr)
		st.cycles++;
	else
		st.empty++;
	return true;
}

static void read_irq_counters(struct irq_counters *c)
{
	char path[PATH_LEN];
	unsigned int i;

	for (i = 0; i < NR_IRQ_CTX; i++) {
		snprintf(path, sizeof(path), TEST_DIR "/reads_%s", irq_ctx[i]);
		c->reads[i] = read_val(path);
	}
}

/* How many interrupt contexts the -I readers have not read in yet. */
static unsigned int irq_contexts_missing(const struct irq_counters *b,
					 const struct irq_counters *a)
{
	unsigned int i, missing = 0;

	for (i = 0; i < NR_IRQ_CTX; i++)
		if (a->reads[i] - b->reads[i] <= 0)
			missing++;
	return missing;
}

/* Whether the goals given with -c (and -I) are reached. */
static bool goals_reached(void)
{
	struct irq_counters now;

	if (st.cycles < opt.min_cycles)
		return false;
	if (opt.irq_us && hs.saving) {
		read_irq_counters(&now);
		if (irq_contexts_missing(&irq0, &now))
			return false;
	}
	return true;
}

static void print_progress(unsigned long long t0)
{
	double s = (now_ns() - t0) / 1e9;

	ktap_msg("progress: %.0f s, %lu cycles (%.1f/s)\n", s, st.cycles, st.cycles / s);
}

/*
 * Cycle until the goals are reached (or, without goals, until -t seconds
 * passed); the time limit ends a goal-driven run only as a safety net.
 */
static void run(void)
{
	unsigned long long t0 = now_ns(), end = t0 + opt.seconds * NSEC_PER_SEC;
	unsigned long long next = t0 + PROGRESS_SEC * NSEC_PER_SEC;
	int sig;

	while (!(sig = __atomic_load_n(&interrupted, __ATOMIC_RELAXED)) && run_cycle()) {
		if (opt.goals && goals_reached())
			break;
		if (now_ns() >= end) {
			st.timed_out = opt.goals;
			break;
		}
		if (now_ns() >= next) {
			print_progress(t0);
			next += PROGRESS_SEC * NSEC_PER_SEC;
		}
	}
	st.seconds = (now_ns() - t0) / 1e9;
	if (sig)
		ktap_msg("interrupted by signal %d\n", sig);
	if (st.timed_out)
		ktap_msg("time limit %u s reached: %lu of %lu cycles\n",
			       opt.seconds, st.cycles, opt.min_cycles);
}

static void setup_demote(void)
{
	char path[PATH_LEN], buf[32] = "";

	snprintf(path, sizeof(path), HUGEPAGES_DIR "/hugepages-%lukB/demote_size", opt.kb);
	if (!read_str(path, buf, sizeof(buf)) || sscanf(buf, "%lukB", &hs.small_kb) != 1 ||
	    !hs.small_kb || opt.kb % hs.small_kb)
		ktap_exit_fail("%s: cannot parse \"%s\"\n", path, buf);
	snprintf(hs.small_nr, sizeof(hs.small_nr),
		 HUGEPAGES_DIR "/hugepages-%lukB/nr_hugepages", hs.small_kb);
	if (!change_setting(SET_SMALL_NR, hs.small_nr, "0") || read_val(hs.small_nr)) {
		ktap_msg("cannot empty the %lukB pool: no demotion\n", hs.small_kb);
		hs.small_kb = 0;
		return;
	}
	hs.small_saving = hvo_saving(hs.small_kb);
	ktap_msg("demoting half of the pages of each cycle to %lukB pages\n", hs.small_kb);
}

static void setup_hstate(void)
{
	snprintf(hs.nr, sizeof(hs.nr), HUGEPAGES_DIR "/hugepages-%lukB/nr_hugepages", opt.kb);
	if (access(hs.nr, W_OK))
		ktap_exit_skip("%s: %s\n", hs.nr, strerror(errno));
	if (!change_setting(SET_NR, hs.nr, "0") || read_val(hs.nr))
		ktap_exit_skip("cannot empty the %lukB pool: pages in use?\n", opt.kb);
	hs.npp = opt.kb * 1024 / page_size;
	hs.saving = hvo_saving(opt.kb);
	snprintf(hs.demote, sizeof(hs.demote), HUGEPAGES_DIR "/hugepages-%lukB/demote", opt.kb);
	if (!access(hs.demote, F_OK))
		setup_demote();
}

static void setup_debugfs(void)
{
	char val[32];

	if (opt.irq_us) {
		snprintf(val, sizeof(val), "%lu", opt.irq_us);
		if (!change_setting(SET_IRQ, TEST_DIR "/irq_readers_us", val))
			ktap_exit_fail("-I needs %s (CONFIG_TEST_HUGETLB_VMEMMAP): %s\n",
					   TEST_DIR "/irq_readers_us", strerror(errno));
	}
}

static void check_prerequisites(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	if (geteuid())
		ktap_exit_skip("must run as root\n");
	if (memmap_pages() < 0)
		ktap_exit_skip("no nr_memmap_pages in /proc/vmstat\n");
	if (!find_pfn_span())
		ktap_exit_skip("no zone spans in /proc/zoneinfo\n");
	scan_fd = open(kind_path[READ_KPAGEFLAGS], O_RDONLY);
	if (scan_fd < 0)
		ktap_exit_skip("%s: %s\n", kind_path[READ_KPAGEFLAGS], strerror(errno));
	scan_buf = malloc(SCAN_CHUNK * sizeof(*scan_buf));
	if (!scan_buf)
		ktap_exit_fail("out of memory\n");
	if (!opt.kb)
		opt.kb = default_hugepage_kb();
	if (!opt.kb)
		ktap_exit_skip("no default huge page size\n");
	if (opt.kb * 1024 % page_size || opt.kb * 1024 <= page_size)
		ktap_exit_fail("%lukB is no huge page size\n", opt.kb);
	hvo = read_val(HVO_SYSCTL) == 1;
}

static void read_counters(struct bbm_counters *c)
{
	FILE *f = fopen("/proc/vmstat", "r");
	long long val;
	char name[64];
	unsigned int i;

	for (i = 0; i < NR_CNT; i++)
		c->val[i] = -1;
	if (!f)
		return;
	while (fscanf(f, "%63s %lld", name, &val) == 2)
		for (i = 0; i < NR_CNT; i++)
			if (!strcmp(name, cnt_name[i]))
				c->val[i] = val;
	fclose(f);
}

static long long delta(long long before, long long after)
{
	return before < 0 || after < 0 ? -1 : after - before;
}

static unsigned long print_readers(void)
{
	unsigned long reads = 0;
	unsigned int i;

	for (i = 0; i < nr_readers; i++) {
		struct reader *r = &readers[i];

		ktap_msg("reader %u (%s): %lu %s, %lu errors\n", i, kind_name[r->kind],
			       r->reads, r->kind == READ_COMPACT ? "compactions" : "reads",
			       r->errors);
		if (r->kind != READ_COMPACT)
			reads += r->reads;
	}
	return reads;
}

static void print_stress(const struct bbm_counters *b, const struct bbm_counters *a)
{
	unsigned long reads = print_readers();
	double s = st.seconds > 0 ? st.seconds : 1;
	unsigned int i;

	ktap_msg("%lu empty cycles, %lu demotions, %lu full scans, last found %u pages\n",
		       st.empty, st.demotions, st.scans, st.targets);
	/* One line, for scripts; the rate tells a slow host from a slow kernel. */
	ktap_msg("stress: seconds=%.1f cycles=%lu pages=%lu reads=%lu",
		       st.seconds, st.cycles, opt.pages, reads);
	for (i = 0; i < NR_CNT; i++)
		printf(" %s=%lld", cnt_name[i], delta(b->val[i], a->val[i]));
	printf(" cycles_per_s=%.2f\n", st.cycles / s);
}

static void test_cycles(void)
{
	unsigned int i, idle = 0;

	for (i = 0; i < nr_readers; i++)
		if (!readers[i].reads || readers[i].errors)
			idle++;
	bool enough = st.cycles && st.cycles >= opt.min_cycles;

	if (!enough || st.errors || idle)
		ktap_msg("%lu cycles (%lu wanted), %lu errors, %u readers idle or failing\n",
			       st.cycles, opt.min_cycles, st.errors, idle);
	result(enough && !st.errors && !idle, NULL, "cycles ran");
}

static void test_counted(unsigned long bad, const char *name)
{
	if (!st.cycles) {
		ktap_msg("no cycle allocated a huge page\n");
		result(true, "", "%s", name);
		return;
	}
	if (bad)
		ktap_msg("%lu mismatches\n", bad);
	result(!bad, NULL, "%s", name);
}

/*
 * Which way the vmemmap changed: tail entries without an invalid entry, and
 * with -B every PMD split in place.  A split given up (the Access Flag set
 * again by readers on every attempt) leaves its folios unoptimized, which
 * the savings check reports; the counters say why.
 */
static void test_kinds(const struct bbm_counters *b, const struct bbm_counters *a)
{
	const char *name = "vmemmap changes by kind";
	long long d[NR_CNT];
	unsigned int i;
	bool ok;

	for (i = 0; i < NR_CNT; i++)
		d[i] = delta(b->val[i], a->val[i]);
	if (d[CNT_ENTRIES] < 0) {
		ktap_msg("no vmemmap_pte_remaps in /proc/vmstat\n");
		result(true, "", "%s", name);
		return;
	}
	if (!hs.saving || !st.cycles) {
		ktap_msg("HVO changed no %lukB page\n", opt.kb);
		result(true, "", "%s", name);
		return;
	}
	ok = d[CNT_ENTRIES] > 0;
	if (!ok)
		ktap_msg("no tail entry changed\n");
	if (opt.bbml3 && (d[CNT_SPLITS_AF] || d[CNT_AF_FAILED] || d[CNT_REFUSED])) {
		ktap_msg("-B: %lld AF splits, %lld given up, %lld refused\n",
			       d[CNT_SPLITS_AF], d[CNT_AF_FAILED],
			       d[CNT_REFUSED]);
		ok = false;
	}
	result(ok, NULL, "%s", name);
}

static void test_irq(const struct irq_counters *b, const struct irq_counters *a)
{
	const char *name = "interrupt-context readers";
	unsigned int i;

	if (!opt.irq_us || !hs.saving) {
		if (opt.irq_us)
			ktap_msg("HVO changes no %lukB page: no reads to check\n", opt.kb);
		result(true, "", "%s", name);
		return;
	}
	for (i = 0; i < NR_IRQ_CTX; i++)
		ktap_msg("%s: %lld reads\n", irq_ctx[i], delta(b->reads[i], a->reads[i]));
	if (a->reads[2] - b->reads[2] <= 0)
		ktap_msg("no NMI-context read: is irqchip.gicv3_pseudo_nmi=1 given?\n");
	result(st.cycles && !irq_contexts_missing(b, a), NULL, "%s", name);
}

static void __attribute__((noreturn)) print_usage(const char *prog, FILE *f, int status)
{
	fprintf(f, "usage: %s [-t SECONDS] [-c MIN] [-s KB] [-n PAGES] [-B] [-I USEC]\n"
		"  -t SECONDS  run time without -c, else the time limit (default 30)\n"
		"  -c MIN      run until at least MIN cycles ran\n"
		"  -s KB       huge page size in kB (default: the default huge page size)\n"
		"  -n PAGES    huge pages per allocation cycle (default 64)\n"
		"  -B          require every vmemmap PMD split in place (BBML3 CPUs)\n"
		"  -I USEC     the test_hugetlb_vmemmap readers in hardirq, softirq and\n"
		"              NMI context, every USEC (" TEST_DIR "/irq_readers_us):\n"
		"              run until each read, and fail otherwise\n"
		"  -h          this help\n", prog);
	exit(status);
}

static unsigned long parse_num(const char *prog, const char *arg, unsigned long min)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(arg, &end, 10);
	if (errno || *arg < '0' || *arg > '9' || *end || val < min || val > INT_MAX)
		print_usage(prog, stderr, 2);
	return val;
}

static void parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "t:c:s:n:I:Bh")) != -1) {
		switch (c) {
		case 't':
			opt.seconds = parse_num(argv[0], optarg, 1);
			break;
		case 's':
			opt.kb = parse_num(argv[0], optarg, 1);
			break;
		case 'n':
			opt.pages = parse_num(argv[0], optarg, 1);
			break;
		case 'c':
			opt.min_cycles = parse_num(argv[0], optarg, 1);
			opt.goals = true;
			break;
		case 'I':
			opt.irq_us = parse_num(argv[0], optarg, 1);
			break;
		case 'B':
			opt.bbml3 = true;
			break;
		case 'h':
			print_usage(argv[0], stdout, 0);
		default:
			print_usage(argv[0], stderr, 2);
		}
	}
	if (optind != argc)
		print_usage(argv[0], stderr, 2);
}

int main(int argc, char **argv)
{
	struct bbm_counters before, after;
	struct irq_counters irq1;

	parse_args(argc, argv);
	check_prerequisites();
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setup_hstate();
	setup_debugfs();
	ktap_msg("%lu %lukB pages per cycle, HVO %s, %lld vmemmap pages freed per page\n",
		       opt.pages, opt.kb, hvo ? "on" : "off", hs.saving);
	if (opt.goals)
		ktap_msg("goals: %lu cycles; time limit %u s\n",
			       opt.min_cycles, opt.seconds);
	ktap_plan(5);
	read_counters(&before);
	read_irq_counters(&irq0);
	start_readers();
	run();
	stop_readers();
	cleanup();
	read_counters(&after);
	read_irq_counters(&irq1);
	print_stress(&before, &after);
	test_cycles();
	test_counted(st.savings_bad, "savings exact every cycle");
	test_counted(st.baseline_bad, "vmemmap returns to baseline every cycle");
	test_kinds(&before, &after);
	test_irq(&irq0, &irq1);
	return ktap_finish();
}
