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
 * eipfix_collector_resolve() turns the host into a socket address
 * (getaddrinfo, numeric-only for IP literals). Both write one sentence into
 * err on failure, starting with `collector "TEXT"`, and return -EINVAL
 * (-EHOSTUNREACH for a host that does not resolve).
 */
#ifndef USERCTL_COLLECTOR_H
#define USERCTL_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define EIPFIX_COLLECTOR_DEFAULT_PORT 4739

struct eipfix_collector {
	char text[272];			/* the profile string, as written */
	char host[256];			/* "198.51.100.7", "2001:db8::10" (no
					 * brackets) or a host name */
	uint16_t port;			/* default 4739 */
	uint8_t family;			/* AF_INET, AF_INET6 for an address
					 * literal; 0 for a host name */
	struct sockaddr_storage addr;	/* filled by eipfix_collector_resolve */
	socklen_t addrlen;		/* 0 until resolved */
};

/* Fills *c from s (syntax only, no DNS). 0 or -EINVAL. */
int eipfix_collector_parse(const char *s, struct eipfix_collector *c,
			   char *err, size_t errlen);

/*
 * Resolves c->host:c->port into c->addr/c->addrlen (the first address
 * getaddrinfo returns for UDP). 0, or -EHOSTUNREACH with a message.
 */
int eipfix_collector_resolve(struct eipfix_collector *c, char *err,
			     size_t errlen);

/* True if a and b name the same host (case-insensitive) and port. */
bool eipfix_collector_same(const struct eipfix_collector *a,
			   const struct eipfix_collector *b);

#endif
