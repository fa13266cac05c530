// SPDX-License-Identifier: GPL-2.0
/* Logging to stderr with a verbosity and a rate limiter: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

int ulog_verbosity = ULOG_INFO;

static const char *const level_names[] = {
	[ULOG_ERR] = "error",
	[ULOG_WARN] = "warning",
	[ULOG_INFO] = "info",
	[ULOG_DEBUG] = "debug",
};

void ulog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > ulog_verbosity)
		return;
	if (level < ULOG_ERR)
		level = ULOG_ERR;
	if (level > ULOG_DEBUG)
		level = ULOG_DEBUG;

	flockfile(stderr);
	fprintf(stderr, "userctl: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

uint64_t ulog_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool ulog_ratelimit_at(struct ulog_ratelimit *rl, uint64_t now_ms)
{
	if (!rl->started || now_ms - rl->begin_ms >= rl->interval_ms ||
	    now_ms < rl->begin_ms) {
		if (rl->missed)
			ulog(ULOG_WARN, "%u similar messages suppressed", rl->missed);
		rl->started = true;
		rl->begin_ms = now_ms;
		rl->printed = 0;
		rl->missed = 0;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return true;
	}
	rl->missed++;
	return false;
}

bool ulog_ratelimit(struct ulog_ratelimit *rl)
{
	return ulog_ratelimit_at(rl, ulog_monotonic_ms());
}
