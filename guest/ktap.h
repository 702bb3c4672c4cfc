/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KTAP lines of the guest programs that report one result per check:
 * diagnostics, results (a SKIP counts as passed), and the closing totals;
 * exit statuses as kselftest.h has them (a skip of the whole program: 4).
 */
#ifndef GUEST_KTAP_H
#define GUEST_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define KSFT_SKIP	4

static int ktap_nr, ktap_failed;

static inline void ktap_vmsg(const char *end, const char *fmt, va_list ap)
{
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputs(end, stdout);
	fflush(stdout);
}

/* "# ...", a line. */
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vmsg("\n", fmt, ap);
	va_end(ap);
}

/* "# ..." as given: a line only if @fmt ends one. */
static inline void ktap_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vmsg("", fmt, ap);
	va_end(ap);
}

/* The header and the plan of @n results. */
static inline void ktap_plan(int n)
{
	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
}

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

/* One result line; @skip is the SKIP reason or NULL. */
static inline void result(bool ok, const char *skip, const char *fmt, ...)
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
