/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPFIX collector strings, as Enclave's profile writes them:
 *
 *	"Udp/172.16.1.100:4739"     IPv4 address
 *	"Udp/[2001:db8::10]:4739"   IPv6 address, always in brackets
 *	"Udp/collector.example"     host name; the port defaults to 4739
 *
 * The transport prefix is case-insensitive ("udp/" is fine). Only UDP is
 * supported: "Tcp/" and "Sctp/" are refused with a message saying so.
 *
 * eipfix_collector_parse() checks the syntax only and never does DNS;
 * eipfix_collector_resolve() turns the host into socket addresses
 * (getaddrinfo, numeric-only for IP literals). Both write one sentence into
 * err on failure, starting with `collector "TEXT"`, and return -EINVAL
 * (-EHOSTUNREACH for a host that does not resolve).
 *
 * A host name can have several addresses (A and AAAA records, round robin):
 * all of them are kept, in getaddrinfo's order of preference (RFC 6724), so
 * that the exporter can move to the next when one cannot be reached. The
 * agent looks names up again every minute (resolver.c) and merges each
 * answer with eipfix_collector_update(): a failed lookup keeps the addresses
 * the collector had, since a DNS outage says nothing about the collector.
 */
#ifndef USERCTL_COLLECTOR_H
#define USERCTL_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define EIPFIX_COLLECTOR_DEFAULT_PORT 4739
#define EIPFIX_COLLECTOR_MAX_ADDRS 8

struct addrinfo;

struct eipfix_collector {
	char text[272];			/* the profile string, as written */
	char host[256];			/* "198.51.100.7", "2001:db8::10" (no
					 * brackets) or a host name */
	uint16_t port;			/* default 4739 */
	uint8_t family;			/* AF_INET, AF_INET6 for an address
					 * literal; 0 for a host name */
	/* Filled by resolution, in order of preference, ports set. */
	struct sockaddr_storage addrs[EIPFIX_COLLECTOR_MAX_ADDRS];
	socklen_t addrlens[EIPFIX_COLLECTOR_MAX_ADDRS];
	unsigned int naddrs;		/* 0 until resolved once */
	bool failing;			/* the last lookup failed (and was
					 * reported once) */
};

/* Fills *c from s (syntax only, no DNS). 0 or -EINVAL. */
int eipfix_collector_parse(const char *s, struct eipfix_collector *c,
			   char *err, size_t errlen);

/*
 * Resolves c->host:c->port into c->addrs (every address getaddrinfo returns
 * for UDP, at most EIPFIX_COLLECTOR_MAX_ADDRS), blocking. 0, or
 * -EHOSTUNREACH with a message. For the CLI, and for IP literals anywhere
 * (AI_NUMERICHOST: those never block).
 */
int eipfix_collector_resolve(struct eipfix_collector *c, char *err,
			     size_t errlen);

/* What eipfix_collector_update() changed: a mask. */
enum {
	EIPFIX_RESOLVE_CHANGED = 1 << 0,	/* new addresses (or the first) */
	EIPFIX_RESOLVE_FAILED = 1 << 1,		/* it stopped resolving: say so */
	EIPFIX_RESOLVE_AGAIN = 1 << 2,		/* it resolves again */
};

/*
 * Merges one lookup of c into it: res (getaddrinfo's list) when gai_err is
 * 0, else the failure gai_err (an EAI_* code). An answer replaces c's
 * addresses (AF_INET/AF_INET6 only, duplicates dropped); an answer with no
 * usable address counts as a failure. A failure keeps the addresses c had
 * and returns EIPFIX_RESOLVE_FAILED only for the first of a row, with the
 * sentence in err, so that a name that stays unresolvable is reported once,
 * not at every lookup.
 */
int eipfix_collector_update(struct eipfix_collector *c,
			    const struct addrinfo *res, int gai_err,
			    char *err, size_t errlen);

/* Copies what old learnt by resolution into c (a new config's copy). */
void eipfix_collector_keep_addrs(struct eipfix_collector *c,
				 const struct eipfix_collector *old);

/* True if a and b name the same host (case-insensitive) and port. */
bool eipfix_collector_same(const struct eipfix_collector *a,
			   const struct eipfix_collector *b);

#endif
