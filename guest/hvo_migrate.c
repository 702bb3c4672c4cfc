// SPDX-License-Identifier: GPL-2.0
/*
 * hvo_migrate [-s KB] [-n PAGES] [-r ROUNDS]
 *
 * move_pages() of huge pages in use between NUMA nodes 0 and 1, as NUMA
 * balancing and a VM manager moving a guest do.  PAGES huge pages of KB kB
 * (default: the default size, 32 of them) are mapped and filled on node 0,
 * then moved to node 1 and back, ROUNDS times, while a thread of this process
 * keeps reading them (and must have read during every move).  After every move each page must be on its target
 * node and hold, word for word, what was written; the reader must never see
 * another value.
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
static long idle_moves;

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

/* Move every huge page to @node (or, with @node < 0, only ask where they are). */
static int move_all(int node, int *where)
{
	void **pages = calloc(nr, sizeof(*pages));
	int *nodes = calloc(nr, sizeof(*nodes));
	long ret;

	for (long i = 0; i < nr; i++) {
		pages[i] = map + i * (kb << 10);
		nodes[i] = node;
	}
	ret = syscall(SYS_move_pages, 0, nr, pages, node < 0 ? NULL : nodes, where,
		      node < 0 ? 0 : MPOL_MF_MOVE);
	if (ret < 0)
		diag("move_pages to node %d: %s", node, strerror(errno));
	else if (ret > 0)
		diag("move_pages to node %d: %ld pages not moved", node, ret);
	free(pages);
	free(nodes);
	return ret ? -1 : 0;
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

		if (move_all(-1, where)) {
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

			if (move_all(to, status)) {
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
	diag("reader: %ld reads during the moves, %ld wrong, %ld moves without a read",
	     reader_reads, reader_bad, idle_moves);
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
