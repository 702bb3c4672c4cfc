/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KTAP lines of the guest programs that report one result per check:
 * the header and plan, diagnostics, results (a SKIP counts as passed), and
 * the closing totals; exit statuses as kselftest.h has them (a skip of the
 * whole program: 4).
 */
#ifndef GUEST_KTAP_H
#define GUEST_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define KSFT_SKIP	4

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

static int ktap_nr, ktap_failed;

static inline __printf(2, 0) void ktap_vmsg(const char *end, const char *fmt, va_list ap)
{
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputs(end, stdout);
	fflush(stdout);
}

/* "# ...", a line. */
static inline __printf(1, 2) void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vmsg("\n", fmt, ap);
	va_end(ap);
}

/* "# ..." as given: a line only if @fmt ends one. */
static inline __printf(1, 2) void ktap_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vmsg("", fmt, ap);
	va_end(ap);
}

/* The header alone, for a program that prints its plan later. */
static inline void ktap_header(void)
{
	fputs("KTAP version 1\n", stdout);
	fflush(stdout);
}

/* The plan of @n results, after ktap_header(). */
static inline void ktap_set_plan(long n)
{
	printf("1..%ld\n", n);
	fflush(stdout);
}

/* The header and the plan of @n results. */
static inline void ktap_plan(long n)
{
	ktap_header();
	ktap_set_plan(n);
}

/* After ktap_header(), instead of a plan: no result can be had; exit as a skip. */
#define ktap_exit_skip_all(fmt, ...) do {				\
	printf("1..0 # SKIP " fmt "\n", ##__VA_ARGS__);			\
	exit(KSFT_SKIP);						\
} while (0)

/* No result can be had here: say why and exit as a skip. */
#define ktap_exit_skip(fmt, ...) do {					\
	ktap_msg("SKIP " fmt, ##__VA_ARGS__);				\
	exit(KSFT_SKIP);						\
} while (0)

/* A setup error: say what and exit as a failure. */
#define ktap_exit_fail(fmt, ...) do {					\
	ktap_msg("error: " fmt, ##__VA_ARGS__);				\
	exit(1);							\
} while (0)

/* The run cannot go on: say why and exit as a failure. */
#define ktap_exit_bail_out(fmt, ...) do {				\
	printf("Bail out! " fmt "\n", ##__VA_ARGS__);			\
	exit(1);							\
} while (0)

/* One result line; @skip is the SKIP reason or NULL. */
static inline __printf(3, 4) void result(bool ok, const char *skip, const char *fmt, ...)
{
	va_list ap;

	ok = ok || skip;
	printf("%sok %d ", ok ? "" : "not ", ++ktap_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (skip)
		printf(" # SKIP %s", skip);
	putchar('\n');
	fflush(stdout);
	ktap_failed += !ok;
}

/* The totals line; the exit status: 1 if a result failed, else 0. */
static inline int ktap_finish(void)
{
	printf("# Totals: pass:%d fail:%d\n", ktap_nr - ktap_failed, ktap_failed);
	return ktap_failed ? 1 : 0;
}

#endif /* GUEST_KTAP_H */
