// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_migrate [-s KB] [-n PAGES] [-r ROUNDS]
 *
 * move_pages() of huge pages in use between NUMA nodes 0 and 1, as NUMA
 * balancing and a VM manager moving a guest do.  PAGES huge pages of KB kB
 * (default: the default size, 32 of them) are mapped and filled on node 0,
 * then moved to node 1 and back, ROUNDS times, while a thread of this process
 * keeps reading them (and must have read during every move).  After every
 * move each page's move_pages() status must name its target node (a page
 * that another migration holds is moved again, up to 5 times), each page
 * must be on that node and hold, word for word, what was written; the reader
 * must never see another value.
 *
 * A migration allocates a new folio on the target node (HVO optimizes it)
 * and frees the old one.  Below the buddy allocator's largest order the new
 * folio is a fresh allocation and the old one goes back to the buddy
 * allocator (HVO restores its vmemmap); gigantic folios come from the target
 * node's pool, which is reserved beforehand.  Either way as many optimized
 * folios exist after a move as before, so the vmemmap in use
 * (nr_memmap_pages + nr_memmap_boot_pages) must be the same after every move:
 * the baseline less PAGES x the saving of one folio with HVO on, the
 * baseline with it off.  Under with_churn, which resizes another hstate's
 * pool meanwhile (HVO_CHURN set), that comparison is reported as a SKIP and
 * with_churn checks the baseline at its end instead.  At the end the pool
 * must drain and the vmemmap be back to its baseline.
 *
 * Exits 4 (KSFT_SKIP) on a machine with fewer than two nodes.  Output: KTAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "sysfs_io.h"

#define MPOL_DEFAULT	0
#define MPOL_BIND	2
#define MPOL_MF_MOVE	(1 << 1)
#define MAP_HUGE_SHIFT_	26

static long kb, nr = 32, rounds = 4;
static long base_pagesz;
static char *map;
static size_t len;
static volatile int stop;
static volatile long reader_reads, reader_bad;
static long idle_moves, busy_moves;

static void node_path(char *buf, size_t sz, int node, const char *file)
{
	snprintf(buf, sz, "/sys/devices/system/node/node%d/hugepages/hugepages-%ldkB/%s",
		 node, kb, file);
}

static long node_long(int node, const char *file)
{
	char p[160];
	long v;

	node_path(p, sizeof(p), node, file);
	return read_long(p, &v) ? -1 : v;
}

static int node_set(int node, long val)
{
	char p[160];

	node_path(p, sizeof(p), node, "nr_hugepages");
	return write_long(p, val);
}

/* The value every word of the mapping must hold. */
static inline uint64_t word(size_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ull;
}

/* Words that differ from word(); the first one is reported. */
static long check_all(void)
{
	const uint64_t *w = (const uint64_t *)map;
	long bad = 0;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != word(i) && !bad++)
			diag("word %zu (huge page %zu): %#llx, not %#llx", i,
			     i * 8 / (kb << 10), (unsigned long long)w[i],
			     (unsigned long long)word(i));
	return bad;
}

/* Reads words all over the mapping while pages move under it. */
static void *reader(void *arg)
{
	const volatile uint64_t *w = (const volatile uint64_t *)map;
	size_t words = len / 8, i = 0;

	(void)arg;
	while (!stop) {
		i = (i + 4099) % words;
		if (w[i] != word(i))
			reader_bad++;
		reader_reads++;
	}
	return NULL;
}

static sigjmp_buf fill_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(fill_jmp, 1);
}

/*
 * Write every word of the mapping.  Under with_churn a fault has been seen
 * to find no huge page for it (SIGBUS, with HVO off, 7 Dec 2026: the
 * churn's gigantic allocations on the same node): say so and fault again,
 * three times at most.
 */
static void fill(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	static volatile int tries;

	sigaction(SIGBUS, &sa, &old);
	while (sigsetjmp(fill_jmp, 1)) {
		if (++tries > 3)
			ktap_exit_bail_out("a fault found no huge page (SIGBUS) %d times", tries);
		diag("a fault found no huge page (SIGBUS): fill again");
		usleep(100000);
	}
	for (size_t i = 0; i < len / 8; i++)
		((uint64_t *)map)[i] = word(i);
	sigaction(SIGBUS, &old, NULL);
}

/*
 * Move the huge pages whose @want entry is set (all if @want is NULL) to
 * @node, or with @node < 0 only ask where every page is.  Returns what
 * move_pages() returned; @where gets a status a page.
 */
static long move_some(int node, const bool *want, int *where)
{
	void **pages = calloc(nr, sizeof(*pages));
	int *nodes = calloc(nr, sizeof(*nodes));
	long ret, n = 0;
	int *got = calloc(nr, sizeof(*got));

	if (!pages || !nodes || !got)
		ktap_exit_bail_out("out of memory");
	for (long i = 0; i < nr; i++) {
		if (want && !want[i])
			continue;
		pages[n] = map + i * (kb << 10);
		nodes[n++] = node;
	}
	ret = syscall(SYS_move_pages, 0, n, pages, node < 0 ? NULL : nodes, got,
		      node < 0 ? 0 : MPOL_MF_MOVE);
	if (ret < 0)
		diag("move_pages to node %d: %s", node, strerror(errno));
	for (long i = 0, j = 0; i < nr; i++)
		if (!want || want[i])
			where[i] = got[j++];
	free(pages);
	free(nodes);
	free(got);
	return ret;
}

static void dump_pools(void)
{
	static const char * const files[] = {
		"nr_hugepages", "free_hugepages", "surplus_hugepages",
	};
	static const char * const global[] = {
		"nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages",
	};
	int *where = calloc(nr, sizeof(*where));
	char p[160];
	long v;

	for (int node = 0; node < 2; node++)
		for (unsigned int f = 0; f < sizeof(files) / sizeof(files[0]); f++)
			diag("node %d %s %ld", node, files[f], node_long(node, files[f]));
	for (unsigned int f = 0; f < sizeof(global) / sizeof(global[0]); f++) {
		snprintf(p, sizeof(p), "/sys/kernel/mm/hugepages/hugepages-%ldkB/%s", kb, global[f]);
		diag("all nodes %s %ld", global[f], read_long(p, &v) ? -1 : v);
	}
	diag("HardwareCorrupted %ld kB", meminfo_kb("HardwareCorrupted"));
	if (where && move_some(-1, NULL, where) >= 0)
		for (long i = 0; i < nr; i++)
			diag("huge page %ld: node %d", i, where[i]);
	free(where);
}

/*
 * Move every huge page to @to and require each page's status to say @to.
 * A page that someone else has isolated or is migrating (-EBUSY, -ENOENT,
 * -EAGAIN: under with_churn, a gigantic allocation of the other pool
 * migrates in-use folios out of its range, on their node) is moved again,
 * alone, up to 5 times; any other status fails.  A move that fails as a
 * whole fails, with both nodes' pools printed.  @retries counts the pages
 * moved again.
 */
static int move_all(int to, int *status, long *retries)
{
	bool *want = calloc(nr, sizeof(*want));
	long ret = -1, left = 0;

	if (!want)
		ktap_exit_bail_out("out of memory");
	for (int attempt = 0; attempt < 6; attempt++) {
		int first = 0;

		ret = move_some(to, attempt ? want : NULL, status);
		if (ret < 0) {
			dump_pools();
			break;
		}
		left = 0;
		for (long i = 0; i < nr; i++) {
			want[i] = status[i] != to;
			if (!want[i])
				continue;
			if (status[i] != -EBUSY && status[i] != -ENOENT && status[i] != -EAGAIN) {
				diag("huge page %ld not moved to node %d: status %d", i, to, status[i]);
				ret = -1;
			}
			if (!left++)
				first = status[i];
		}
		if (ret < 0 || !left)
			break;
		*retries += left;
		diag("move to node %d: %ld pages busy (the first: status %d), moved again",
		     to, left, first);
		usleep(1000);
	}
	free(want);
	if (left && ret >= 0)
		diag("move to node %d: %ld pages still busy after 5 more moves", to, left);
	return ret < 0 || left ? -1 : 0;
}

/*
 * How many huge pages are not on @node (move_pages() status), or -1.  A
 * page being migrated right now has no node (-ENOENT): under with_churn a
 * gigantic allocation of the other pool migrates pages out of its range,
 * on their node.  Such a page is asked again, for up to a second.
 */
static long off_node(int node)
{
	int *where = calloc(nr, sizeof(*where));
	long off = 0;

	for (int tries = 0; tries < 100; tries++) {
		bool moving = false;

		if (move_some(-1, NULL, where) < 0) {
			free(where);
			return -1;
		}
		for (long i = 0; i < nr; i++)
			moving |= where[i] == -ENOENT;
		if (!moving)
			break;
		usleep(10000);
	}
	for (long i = 0; i < nr; i++)
		if (where[i] != node && !off++)
			diag("huge page %ld is on node %d, not %d", i, where[i], node);
	free(where);
	return off;
}

int main(int argc, char **argv)
{
	bool gigantic, churn = getenv("HVO_CHURN") != NULL;
	long base, expect, save, hvo = 0, m;
	unsigned long node0;
	int *status, opt;
	pthread_t tid;

	while ((opt = getopt(argc, argv, "s:n:r:")) != -1) {
		switch (opt) {
		case 's': kb = atol(optarg); break;
		case 'n': nr = atol(optarg); break;
		case 'r': rounds = atol(optarg); break;
		default:
			fprintf(stderr, "usage: hvo_migrate [-s KB] [-n PAGES] [-r ROUNDS]\n");
			return 2;
		}
	}
	base_pagesz = sysconf(_SC_PAGESIZE);
	if (!kb)
		kb = default_hugepage_kb();
	ktap_header();
	if (node_long(1, "nr_hugepages") < 0)
		ktap_exit_skip_all("no node 1 with %ld kB huge pages", kb);
	ktap_set_plan(2 * rounds + 4);
	read_long(HVO_SYSCTL, &hvo);
	save = hvo ? hvo_saving_pages(kb) : 0;
	/*
	 * A gigantic folio cannot be allocated fresh for a migration: reserve
	 * its targets on node 1 too.  arm64's MAX_PAGE_ORDER is 10 with 4K
	 * pages, 11 with 16K and 13 with 64K: above 4 MiB, 32 MiB and 512 MiB
	 * (x86_64: 10, 4 MiB).
	 */
	gigantic = kb * 1024 > (base_pagesz << (base_pagesz == 65536 ? 13 :
						 base_pagesz == 16384 ? 11 : 10));
	base = memmap_pages();
	diag("%ld x %ld kB, %ld rounds, HVO %s (saving %ld vmemmap pages a folio), %s",
	     nr, kb, rounds, hvo ? "on" : "off", hvo_saving_pages(kb),
	     gigantic ? "targets from node 1's pool" : "targets allocated fresh");
	if (node_set(0, nr) || node_set(1, gigantic ? nr : 0) ||
	    node_long(0, "nr_hugepages") != nr ||
	    node_long(1, "nr_hugepages") != (gigantic ? nr : 0)) {
		diag("could not reserve %ld pages on node 0%s", nr, gigantic ? " and 1" : "");
		node_set(0, 0);
		node_set(1, 0);
		ktap_exit_bail_out("no pool");
	}
	len = nr * (kb << 10);
	/* move_pages() writes one status a page. */
	status = calloc(nr, sizeof(*status));
	if (!status)
		ktap_exit_bail_out("out of memory");
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		   (__builtin_ctzl(kb << 10) << MAP_HUGE_SHIFT_), -1, 0);
	if (map == MAP_FAILED)
		ktap_exit_bail_out("mmap: %s", strerror(errno));
	/* Fault them in on node 0 (gigantic ones could come from node 1). */
	node0 = 1;
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &node0, 8 * sizeof(node0)))
		diag("set_mempolicy: %s", strerror(errno));
	fill();
	syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
	result(off_node(0) == 0, NULL, "filled on node 0");
	expect = base - (gigantic ? 2 : 1) * nr * save;
	errno = pthread_create(&tid, NULL, reader, NULL);
	if (errno)
		ktap_exit_bail_out("pthread_create: %s", strerror(errno));
	for (long r = 0; r < rounds; r++) {
		for (int to = 1; to >= 0; to--) {
			long off, bad;

			long r0 = reader_reads;

			if (move_all(to, status, &busy_moves)) {
				result(false, NULL, "round %ld: moved to node %d", r, to);
				continue;
			}
			/*
			 * Let the reader run between moves (under with_churn
			 * every CPU is busy): it must have read since this
			 * move began, 10 s at most.
			 */
			for (int i = 0; i < 10000 && reader_reads == r0; i++)
				usleep(1000);
			idle_moves += reader_reads == r0;
			off = off_node(to);
			bad = check_all();
			m = memmap_pages();
			if (m != expect && !churn)
				diag("vmemmap pages %ld, expected %ld", m, expect);
			result(off == 0 && bad == 0 && (churn || m == expect), NULL,
			       "round %ld: moved to node %d: on it, contents intact, vmemmap %ld%s",
			       r, to, m, churn ? " (not compared: another hstate churns)" : "");
		}
	}
	stop = 1;
	/* The pool is unmapped below: the reader must be gone first. */
	errno = pthread_join(tid, NULL);
	if (errno)
		ktap_exit_bail_out("pthread_join: %s", strerror(errno));
	diag("reader: %ld reads during the moves, %ld wrong, %ld moves without a read; %ld pages moved again (busy)",
	     reader_reads, reader_bad, idle_moves, busy_moves);
	result(reader_bad == 0 && idle_moves == 0, NULL,
	       "a reader during every move saw only what was written");
	munmap(map, len);
	free(status);
	node_set(0, 0);
	node_set(1, 0);
	m = memmap_pages();
	result(node_long(0, "nr_hugepages") == 0 && node_long(1, "nr_hugepages") == 0,
	       NULL, "pool drained on both nodes");
	result(m == base, churn ? "another hstate churns" : NULL,
	       "vmemmap back to its baseline %ld (%ld)", base, m);
	return ktap_finish();
}
