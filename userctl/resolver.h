/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Collector host names looked up without blocking the agent's event loop.
 *
 * A lookup can take many seconds (a DNS server that does not answer costs
 * resolv.conf's timeout for every attempt and server), and meanwhile the
 * agent must go on taking the kernel's records and sending them. glibc's
 * getaddrinfo_a() runs each lookup on a thread of its own pool; we start
 * lookups and pick up the finished ones, so the agent itself stays
 * single-threaded, with no thread, queue or lock of ours to get wrong.
 * Answers are picked up by checking (resolver_collect() on every pass of
 * the event loop, which wakes at least every second), not by a signal or a
 * notification thread: a second's delay does not matter for names that are
 * re-resolved every minute, and nothing runs behind the loop's back.
 *
 *	resolver_start(r, "collector.example", 4739);
 *	...
 *	resolver_collect(r, done, arg);	// done() for each finished lookup
 */
#ifndef USERCTL_RESOLVER_H
#define USERCTL_RESOLVER_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

#define RESOLVER_MAX_JOBS 64

struct resolver_job;

struct resolver {
	struct resolver_job *jobs[RESOLVER_MAX_JOBS];	/* NULL: free */
};

/*
 * A finished lookup of host:port: res (NULL on failure) and getaddrinfo's
 * error code gai_err (0 on success). res is freed after the call.
 */
typedef void (*resolver_done_fn)(const char *host, uint16_t port,
				 const struct addrinfo *res, int gai_err,
				 void *arg);

void resolver_init(struct resolver *r);

/*
 * Waits at most timeout_ms for the lookups in flight, then gives up on
 * those still running (glibc cannot stop a lookup that has begun: its
 * memory is left to it, which is harmless as the agent is exiting).
 */
void resolver_free(struct resolver *r, unsigned int timeout_ms);

/*
 * Starts looking up host:port for UDP. A lookup of the same host:port
 * already in flight is not started twice. 0, -ENOSPC when
 * RESOLVER_MAX_JOBS are in flight, -ENOMEM, -EAGAIN.
 */
int resolver_start(struct resolver *r, const char *host, uint16_t port);

/* True while a lookup is in flight. */
bool resolver_busy(const struct resolver *r);

/* Calls fn for every lookup that finished since the last call. */
void resolver_collect(struct resolver *r, resolver_done_fn fn, void *arg);

/*
 * Blocks until every lookup in flight finished or timeout_ms passed. Only
 * for start-up, before the event loop runs.
 */
void resolver_wait(struct resolver *r, unsigned int timeout_ms);

#endif
