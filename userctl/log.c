// SPDX-License-Identifier: GPL-2.0
/* Logging to stderr with a verbosity and a rate limiter: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

int ulog_verbosity = ULOG_INFO;

static const char *const level_names[] = {
	[ULOG_ERR] = "error",
	[ULOG_WARN] = "warning",
	[ULOG_INFO] = "info",
	[ULOG_DEBUG] = "debug",
};

static const char *const level_prefixes[] = {
	[ULOG_ERR] = SD_ERR,
	[ULOG_WARN] = SD_WARNING,
	[ULOG_INFO] = SD_INFO,
	[ULOG_DEBUG] = SD_DEBUG,
};

static bool to_journal;

void ulog_init(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	to_journal = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
		     !fstat(STDERR_FILENO, &st) &&
		     (unsigned long long)st.st_dev == dev &&
		     (unsigned long long)st.st_ino == ino;
}

static int clamp_level(int level)
{
	if (level < ULOG_ERR)
		return ULOG_ERR;
	if (level > ULOG_DEBUG)
		return ULOG_DEBUG;
	return level;
}

const char *ulog_prefix(int level)
{
	return to_journal ? level_prefixes[clamp_level(level)] : "";
}

void ulog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > ulog_verbosity)
		return;
	level = clamp_level(level);

	flockfile(stderr);
	fprintf(stderr, "%suserctl: %s: ", ulog_prefix(level), level_names[level]);
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
