/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for userctl: one line per message on stderr, filtered by a global
 * verbosity, plus a rate limiter for messages that traffic or a broken
 * collector can trigger repeatedly (the userspace net_ratelimit()).
 *
 *	ulog(ULOG_WARN, "collector %s: %s", name, strerror(errno));
 *
 *	static struct ulog_ratelimit rl = ULOG_RATELIMIT_INIT(5000, 10);
 *	if (ulog_ratelimit(&rl))
 *		ulog(ULOG_WARN, ...);
 *
 * Under systemd stderr is a stream to the journal, which takes the level of
 * each line from a "<N>" prefix (sd-daemon(3): SD_ERR, SD_WARNING, ...),
 * else logs everything at one level: ulog_init() finds out, and from then
 * on every line starts with its syslog priority, so that
 * `journalctl -p warning` shows warnings and errors only.
 */
#ifndef USERCTL_LOG_H
#define USERCTL_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum ulog_level {
	ULOG_ERR,
	ULOG_WARN,
	ULOG_INFO,
	ULOG_DEBUG,
};

/* Messages with level <= ulog_verbosity are printed. Default ULOG_INFO. */
extern int ulog_verbosity;

void ulog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Looks whether stderr is the journal's stream: JOURNAL_STREAM (set by
 * systemd) names the device and inode of the stream it connected, and must
 * be stderr's own, not one inherited by a child whose stderr went
 * elsewhere. Call it once at start (main).
 */
void ulog_init(void);

/* The priority prefix of a line of that level: "<3>" etc., or "". */
const char *ulog_prefix(int level);

/*
 * At most @burst messages per @interval_ms. When a new interval begins after
 * messages were suppressed, one line says how many were.
 */
struct ulog_ratelimit {
	uint64_t interval_ms;
	unsigned int burst;
	uint64_t begin_ms;
	unsigned int printed;
	unsigned int missed;
	bool started;
};

#define ULOG_RATELIMIT_INIT(interval, n) \
	{ .interval_ms = (interval), .burst = (n) }

/* True if the caller may log now (CLOCK_MONOTONIC). */
bool ulog_ratelimit(struct ulog_ratelimit *rl);
/* The same at a given time, for tests and callers that have a clock. */
bool ulog_ratelimit_at(struct ulog_ratelimit *rl, uint64_t now_ms);

/* CLOCK_MONOTONIC in ms. */
uint64_t ulog_monotonic_ms(void);

#endif
