// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous lookups of collector host names with glibc's getaddrinfo_a():
 * see resolver.h for why this and not a thread of our own.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resolver.h"

struct resolver_job {
	struct gaicb cb;		/* glibc holds a pointer to it */
	struct addrinfo hints;
	char host[256];
	char port[8];
};

void resolver_init(struct resolver *r)
{
	memset(r, 0, sizeof(*r));
}

static bool job_running(struct resolver_job *j)
{
	return gai_error(&j->cb) == EAI_INPROGRESS;
}

static void job_free(struct resolver_job *j)
{
	if (j->cb.ar_result)
		freeaddrinfo(j->cb.ar_result);
	free(j);
}

static struct resolver_job *job_new(const char *host, const char *port)
{
	struct resolver_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	snprintf(j->host, sizeof(j->host), "%s", host);
	snprintf(j->port, sizeof(j->port), "%s", port);
	j->hints.ai_family = AF_UNSPEC;
	j->hints.ai_socktype = SOCK_DGRAM;
	j->hints.ai_protocol = IPPROTO_UDP;
	j->hints.ai_flags = AI_NUMERICSERV;
	j->cb.ar_name = j->host;
	j->cb.ar_service = j->port;
	j->cb.ar_request = &j->hints;
	return j;
}

int resolver_start(struct resolver *r, const char *host, uint16_t port)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	struct gaicb *list[1];
	struct resolver_job *j;
	int free_slot = -1, ret;
	char p[8];

	snprintf(p, sizeof(p), "%u", port);
	for (int i = 0; i < RESOLVER_MAX_JOBS; i++) {
		j = r->jobs[i];
		if (!j) {
			if (free_slot < 0)
				free_slot = i;
		} else if (!strcmp(j->host, host) && !strcmp(j->port, p)) {
			return 0;
		}
	}
	if (free_slot < 0)
		return -ENOSPC;
	j = job_new(host, p);
	if (!j)
		return -ENOMEM;
	list[0] = &j->cb;
	ret = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
	if (ret) {
		/* glibc could not queue it (EAI_AGAIN, EAI_MEMORY): nothing runs */
		free(j);
		return ret == EAI_MEMORY ? -ENOMEM : -EAGAIN;
	}
	r->jobs[free_slot] = j;
	return 0;
}

bool resolver_busy(const struct resolver *r)
{
	for (int i = 0; i < RESOLVER_MAX_JOBS; i++)
		if (r->jobs[i])
			return true;
	return false;
}

void resolver_collect(struct resolver *r, resolver_done_fn fn, void *arg)
{
	for (int i = 0; i < RESOLVER_MAX_JOBS; i++) {
		struct resolver_job *j = r->jobs[i];
		int e;

		if (!j)
			continue;
		e = gai_error(&j->cb);
		if (e == EAI_INPROGRESS)
			continue;
		r->jobs[i] = NULL;
		fn(j->host, (uint16_t)atoi(j->port), e ? NULL : j->cb.ar_result,
		   e, arg);
		job_free(j);
	}
}

/* Waits until no job runs, or deadline (CLOCK_MONOTONIC) passed. */
static void wait_until(struct resolver *r, const struct timespec *deadline)
{
	const struct gaicb *list[RESOLVER_MAX_JOBS];
	struct timespec now, left;
	int n;

	for (;;) {
		n = 0;
		for (int i = 0; i < RESOLVER_MAX_JOBS; i++)
			if (r->jobs[i] && job_running(r->jobs[i]))
				list[n++] = &r->jobs[i]->cb;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!n || now.tv_sec > deadline->tv_sec ||
		    (now.tv_sec == deadline->tv_sec &&
		     now.tv_nsec >= deadline->tv_nsec))
			return;
		left.tv_sec = deadline->tv_sec - now.tv_sec;
		left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		/* returns early on any completion and on EINTR: look again */
		gai_suspend(list, n, &left);
	}
}

void resolver_wait(struct resolver *r, unsigned int timeout_ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	wait_until(r, &deadline);
}

void resolver_free(struct resolver *r, unsigned int timeout_ms)
{
	for (int i = 0; i < RESOLVER_MAX_JOBS; i++)
		if (r->jobs[i] && job_running(r->jobs[i]))
			gai_cancel(&r->jobs[i]->cb);
	resolver_wait(r, timeout_ms);
	for (int i = 0; i < RESOLVER_MAX_JOBS; i++) {
		struct resolver_job *j = r->jobs[i];

		/* glibc still writes into a running job: leave it to glibc */
		if (j && !job_running(j))
			job_free(j);
		r->jobs[i] = NULL;
	}
}
