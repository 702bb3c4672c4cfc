/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KTAP lines of the guest programs that report one result per check:
 * diagnostics, results (a SKIP counts as passed), and the closing totals.
 */
#ifndef GUEST_KTAP_H
#define GUEST_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int ktap_nr, ktap_failed;

/* "# ..." */
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

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
