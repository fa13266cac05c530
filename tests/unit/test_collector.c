// SPDX-License-Identifier: GPL-2.0
/*
 * Collector names over time (userctl/collector.c, resolver.c): what a new
 * lookup does to the addresses a collector has. The answers are built here
 * (the machine has no DNS), except for one real asynchronous lookup of
 * "localhost", which /etc/hosts answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../userctl/collector.h"
#include "../../userctl/resolver.h"

/* A getaddrinfo() answer of up to 4 addresses, built by hand. */
struct answer {
	struct addrinfo ai[4];
	struct sockaddr_storage ss[4];
};

static const struct addrinfo *answer(struct answer *a, const char *const *ips,
				     size_t n, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss[i];
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss[i];
		struct addrinfo *ai = &a->ai[i];

		if (inet_pton(AF_INET, ips[i], &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
			ai->ai_addrlen = sizeof(*s4);
		} else {
			assert_int_equal(inet_pton(AF_INET6, ips[i], &s6->sin6_addr), 1);
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			ai->ai_addrlen = sizeof(*s6);
		}
		ai->ai_family = a->ss[i].ss_family;
		ai->ai_socktype = SOCK_DGRAM;
		ai->ai_addr = (struct sockaddr *)&a->ss[i];
		ai->ai_next = i + 1 < n ? &a->ai[i + 1] : NULL;
	}
	return n ? &a->ai[0] : NULL;
}

static void named(struct eipfix_collector *c)
{
	char err[256];

	assert_int_equal(eipfix_collector_parse("Udp/collector.example:4739", c,
						err, sizeof(err)), 0);
}

static void assert_addr(const struct eipfix_collector *c, unsigned int i,
			const char *ip)
{
	char buf[INET6_ADDRSTRLEN];
	const struct sockaddr_storage *ss = &c->addrs[i];
	const void *a = ss->ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	assert_true(i < c->naddrs);
	assert_non_null(inet_ntop(ss->ss_family, a, buf, sizeof(buf)));
	assert_string_equal(buf, ip);
}

/*
 * A name that stops resolving keeps its last addresses, and says so once:
 * not at every lookup of the outage. When it resolves again, that is said
 * too, and a new answer replaces the addresses.
 */
static void a_name_that_stops_resolving_keeps_its_last_addresses(void **s)
{
	static const char *const first[] = { "198.51.100.7" };
	static const char *const moved[] = { "198.51.100.8", "2001:db8::8" };
	struct eipfix_collector c;
	struct answer a;
	char err[512] = "";

	(void)s;
	named(&c);
	assert_int_equal(eipfix_collector_update(&c, answer(&a, first, 1, 4739), 0,
						 err, sizeof(err)),
			 EIPFIX_RESOLVE_CHANGED);
	assert_int_equal(c.naddrs, 1);
	assert_addr(&c, 0, "198.51.100.7");

	assert_int_equal(eipfix_collector_update(&c, NULL, EAI_AGAIN, err,
						 sizeof(err)),
			 EIPFIX_RESOLVE_FAILED);
	assert_non_null(strstr(err, "collector \"Udp/collector.example:4739\": cannot resolve \"collector.example\""));
	assert_int_equal(c.naddrs, 1);
	assert_addr(&c, 0, "198.51.100.7");

	/* the outage goes on: nothing new to say, the address kept */
	err[0] = '\0';
	assert_int_equal(eipfix_collector_update(&c, NULL, EAI_NONAME, err,
						 sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.naddrs, 1);
	assert_addr(&c, 0, "198.51.100.7");

	/* an answer without any address is no better than a failure */
	assert_int_equal(eipfix_collector_update(&c, answer(&a, first, 0, 4739), 0,
						 err, sizeof(err)), 0);
	assert_int_equal(c.naddrs, 1);

	/* back, unchanged: said once, nothing to change */
	assert_int_equal(eipfix_collector_update(&c, answer(&a, first, 1, 4739), 0,
						 err, sizeof(err)),
			 EIPFIX_RESOLVE_AGAIN);
	assert_int_equal(eipfix_collector_update(&c, answer(&a, first, 1, 4739), 0,
						 err, sizeof(err)), 0);

	/* moved: the new answer replaces the addresses */
	assert_int_equal(eipfix_collector_update(&c, answer(&a, moved, 2, 4739), 0,
						 err, sizeof(err)),
			 EIPFIX_RESOLVE_CHANGED);
	assert_int_equal(c.naddrs, 2);
	assert_addr(&c, 0, "198.51.100.8");
	assert_addr(&c, 1, "2001:db8::8");
}

/* A name that never resolved has no address, and is reported once. */
static void a_name_that_never_resolved_is_reported_once(void **s)
{
	struct eipfix_collector c;
	char err[512] = "";

	(void)s;
	named(&c);
	assert_int_equal(eipfix_collector_update(&c, NULL, EAI_NONAME, err,
						 sizeof(err)),
			 EIPFIX_RESOLVE_FAILED);
	assert_int_equal(c.naddrs, 0);
	assert_int_equal(eipfix_collector_update(&c, NULL, EAI_NONAME, err,
						 sizeof(err)), 0);
	assert_int_equal(c.naddrs, 0);
}

/* Every address is kept, in order, once each (/etc/hosts repeats them). */
static void every_address_of_an_answer_is_kept_once(void **s)
{
	static const char *const ips[] = {
		"2001:db8::7", "198.51.100.7", "2001:db8::7", "198.51.100.9",
	};
	struct eipfix_collector c;
	struct answer a;
	char err[512];

	(void)s;
	named(&c);
	assert_int_equal(eipfix_collector_update(&c, answer(&a, ips, 4, 4739), 0,
						 err, sizeof(err)),
			 EIPFIX_RESOLVE_CHANGED);
	assert_int_equal(c.naddrs, 3);
	assert_addr(&c, 0, "2001:db8::7");
	assert_addr(&c, 1, "198.51.100.7");
	assert_addr(&c, 2, "198.51.100.9");
}

/* What a collector learnt survives into the next config's copy of it. */
static void a_new_config_keeps_what_was_resolved(void **s)
{
	static const char *const ips[] = { "198.51.100.7" };
	struct eipfix_collector old, c;
	struct answer a;
	char err[512];

	(void)s;
	named(&old);
	eipfix_collector_update(&old, answer(&a, ips, 1, 4739), 0, err, sizeof(err));
	eipfix_collector_update(&old, NULL, EAI_AGAIN, err, sizeof(err));
	named(&c);
	assert_true(eipfix_collector_same(&c, &old));
	eipfix_collector_keep_addrs(&c, &old);
	assert_int_equal(c.naddrs, 1);
	assert_addr(&c, 0, "198.51.100.7");
	/* still failing: not reported a second time */
	assert_int_equal(eipfix_collector_update(&c, NULL, EAI_AGAIN, err,
						 sizeof(err)), 0);
}

struct lookup {
	int calls;
	int gai_err;
	unsigned int naddrs;
	uint16_t port;
};

static void lookup_done(const char *host, uint16_t port,
			const struct addrinfo *res, int gai_err, void *arg)
{
	struct lookup *l = arg;

	assert_string_equal(host, "localhost");
	l->calls++;
	l->gai_err = gai_err;
	l->port = port;
	for (; res; res = res->ai_next)
		l->naddrs++;
}

/* A real lookup in the background (glibc's getaddrinfo_a, /etc/hosts). */
static void a_lookup_runs_in_the_background(void **s)
{
	struct lookup l = { 0 };
	struct resolver r;

	(void)s;
	resolver_init(&r);
	assert_int_equal(resolver_start(&r, "localhost", 4739), 0);
	/* the same name again while in flight: not a second lookup */
	assert_int_equal(resolver_start(&r, "localhost", 4739), 0);
	resolver_wait(&r, 10000);
	resolver_collect(&r, lookup_done, &l);
	assert_int_equal(l.calls, 1);
	assert_int_equal(l.gai_err, 0);
	assert_true(l.naddrs >= 1);
	assert_int_equal(l.port, 4739);
	assert_false(resolver_busy(&r));
	resolver_free(&r, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_name_that_stops_resolving_keeps_its_last_addresses),
		cmocka_unit_test(a_name_that_never_resolved_is_reported_once),
		cmocka_unit_test(every_address_of_an_answer_is_kept_once),
		cmocka_unit_test(a_new_config_keeps_what_was_resolved),
		cmocka_unit_test(a_lookup_runs_in_the_background),
	};

	return cmocka_run_group_tests_name("collector", tests, NULL, NULL);
}
