// SPDX-License-Identifier: GPL-2.0
/*
 * Collector strings ("Udp/HOST:PORT"): syntax and name resolution.
 * See collector.h for the accepted forms.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collector.h"

#define FORM "\"Udp/HOST:PORT\""

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "1".."65535", digits only. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Letters, digits, '-' and '_' in dot-separated labels of 1..63 bytes. */
static bool valid_hostname(const char *h)
{
	size_t len = strlen(h), label = 0;

	if (len == 0 || len > 253)
		return false;
	for (const char *s = h; *s; s++) {
		if (*s == '.') {
			/* empty label; a single trailing dot is fine */
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

static bool all_digits_and_dots(const char *h)
{
	for (; *h; h++)
		if (!isdigit((unsigned char)*h) && *h != '.')
			return false;
	return true;
}

static int parse_hostport(const char *s, const char *rest,
			  struct eipfix_collector *c, char *err, size_t errlen)
{
	const char *port = NULL, *colon;
	size_t hostlen;
	unsigned char buf[16];

	if (*rest == '[') {
		const char *close = strchr(rest, ']');

		if (!close)
			return fail(err, errlen,
				    "collector \"%s\" has no closing ']' after the IPv6 address",
				    s);
		hostlen = (size_t)(close - rest - 1);
		if (hostlen == 0)
			return fail(err, errlen,
				    "collector \"%s\" has an empty host; expected " FORM,
				    s);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return fail(err, errlen,
				    "collector \"%s\" has \"%s\" after ']'; expected \":PORT\" or nothing",
				    s, close + 1);
		if (hostlen >= sizeof(c->host))
			hostlen = sizeof(c->host) - 1;
		memcpy(c->host, rest + 1, hostlen);
		c->host[hostlen] = '\0';
		if (inet_pton(AF_INET6, c->host, buf) != 1)
			return fail(err, errlen,
				    "collector \"%s\": \"%s\" is not an IPv6 address",
				    s, c->host);
		c->family = AF_INET6;
	} else {
		colon = strchr(rest, ':');
		if (colon && strchr(colon + 1, ':'))
			return fail(err, errlen,
				    "collector \"%s\": an IPv6 address must be in brackets, as in \"Udp/[2001:db8::10]:4739\"",
				    s);
		hostlen = colon ? (size_t)(colon - rest) : strlen(rest);
		if (hostlen == 0)
			return fail(err, errlen,
				    "collector \"%s\" has an empty host; expected " FORM,
				    s);
		if (hostlen >= sizeof(c->host))
			hostlen = sizeof(c->host) - 1;
		memcpy(c->host, rest, hostlen);
		c->host[hostlen] = '\0';
		if (colon)
			port = colon + 1;
		if (all_digits_and_dots(c->host)) {
			if (inet_pton(AF_INET, c->host, buf) != 1)
				return fail(err, errlen,
					    "collector \"%s\": \"%s\" is not a valid IPv4 address",
					    s, c->host);
			c->family = AF_INET;
		} else if (!valid_hostname(c->host)) {
			return fail(err, errlen,
				    "collector \"%s\": \"%s\" is not a valid host name",
				    s, c->host);
		}
	}

	c->port = EIPFIX_COLLECTOR_DEFAULT_PORT;
	if (port && parse_port(port, &c->port))
		return fail(err, errlen,
			    "collector \"%s\" has bad port \"%s\"; expected 1 to 65535",
			    s, port);
	return 0;
}

int eipfix_collector_parse(const char *s, struct eipfix_collector *c,
			   char *err, size_t errlen)
{
	struct eipfix_collector n = { 0 };
	size_t len = strlen(s), tlen;
	const char *slash;
	int ret;

	if (len >= sizeof(n.text))
		return fail(err, errlen,
			    "collector \"%.40s...\" is too long (%zu bytes, at most %zu)",
			    s, len, sizeof(n.text) - 1);
	if (len == 0)
		return fail(err, errlen,
			    "collector \"\" is empty; expected " FORM);
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return fail(err, errlen,
				    "collector \"%s\" must not contain spaces or control characters",
				    s);
	memcpy(n.text, s, len + 1);

	slash = strchr(s, '/');
	if (!slash)
		return fail(err, errlen,
			    "collector \"%s\" has no transport; expected " FORM,
			    s);
	tlen = (size_t)(slash - s);
	if ((tlen == 3 && !strncasecmp(s, "tcp", 3)) ||
	    (tlen == 4 && !strncasecmp(s, "sctp", 4)))
		return fail(err, errlen,
			    "collector \"%s\": only UDP is supported; expected " FORM,
			    s);
	if (tlen != 3 || strncasecmp(s, "udp", 3))
		return fail(err, errlen,
			    "collector \"%s\" has unknown transport \"%.*s\"; expected " FORM,
			    s, (int)tlen, s);

	ret = parse_hostport(s, slash + 1, &n, err, errlen);
	if (ret)
		return ret;
	*c = n;
	return 0;
}

static bool same_sockaddr(const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b, socklen_t len)
{
	return a->ss_family == b->ss_family && !memcmp(a, b, len);
}

/* The usable addresses of res into c; how many (0: none usable). */
static unsigned int take_addrs(struct eipfix_collector *c,
			       const struct addrinfo *res)
{
	unsigned int n = 0, i;

	for (; res && n < EIPFIX_COLLECTOR_MAX_ADDRS; res = res->ai_next) {
		struct sockaddr_storage ss = { 0 };

		if ((res->ai_family != AF_INET && res->ai_family != AF_INET6) ||
		    !res->ai_addr || res->ai_addrlen > sizeof(ss))
			continue;
		memcpy(&ss, res->ai_addr, res->ai_addrlen);
		/* /etc/hosts and resolvers repeat addresses: one is enough */
		for (i = 0; i < n; i++)
			if (c->addrlens[i] == res->ai_addrlen &&
			    same_sockaddr(&c->addrs[i], &ss, res->ai_addrlen))
				break;
		if (i < n)
			continue;
		c->addrs[n] = ss;
		c->addrlens[n++] = res->ai_addrlen;
	}
	return n;
}

static bool same_addrs(const struct eipfix_collector *a,
		       const struct eipfix_collector *b)
{
	if (a->naddrs != b->naddrs)
		return false;
	for (unsigned int i = 0; i < a->naddrs; i++)
		if (a->addrlens[i] != b->addrlens[i] ||
		    !same_sockaddr(&a->addrs[i], &b->addrs[i], a->addrlens[i]))
			return false;
	return true;
}

int eipfix_collector_update(struct eipfix_collector *c,
			    const struct addrinfo *res, int gai_err,
			    char *err, size_t errlen)
{
	struct eipfix_collector n = *c;
	int ret = 0;

	n.naddrs = gai_err ? 0 : take_addrs(&n, res);
	if (!n.naddrs) {
		if (c->failing)
			return 0;	/* reported when it began */
		c->failing = true;
		if (err && errlen)
			snprintf(err, errlen,
				 "collector \"%s\": cannot resolve \"%s\": %s",
				 c->text, c->host,
				 gai_err == EAI_SYSTEM ? strerror(errno) :
				 gai_err ? gai_strerror(gai_err) : "no address");
		return EIPFIX_RESOLVE_FAILED;
	}
	if (c->failing)
		ret |= EIPFIX_RESOLVE_AGAIN;
	if (!same_addrs(c, &n))
		ret |= EIPFIX_RESOLVE_CHANGED;
	n.failing = false;
	*c = n;
	return ret;
}

int eipfix_collector_resolve(struct eipfix_collector *c, char *err,
			     size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = c->family ? c->family : AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
		.ai_flags = AI_NUMERICSERV | (c->family ? AI_NUMERICHOST : 0),
	};
	struct addrinfo *res = NULL;
	char port[8];
	int ret;

	snprintf(port, sizeof(port), "%u", c->port);
	ret = getaddrinfo(c->host, port, &hints, &res);
	/* A blocking caller reports every failure: it has no last address. */
	c->failing = false;
	ret = eipfix_collector_update(c, res, ret, err, errlen);
	if (res)
		freeaddrinfo(res);
	return ret & EIPFIX_RESOLVE_FAILED ? -EHOSTUNREACH : 0;
}

void eipfix_collector_keep_addrs(struct eipfix_collector *c,
				 const struct eipfix_collector *old)
{
	memcpy(c->addrs, old->addrs, sizeof(c->addrs));
	memcpy(c->addrlens, old->addrlens, sizeof(c->addrlens));
	c->naddrs = old->naddrs;
	c->failing = old->failing;
}

bool eipfix_collector_same(const struct eipfix_collector *a,
			   const struct eipfix_collector *b)
{
	unsigned char x[16], y[16];

	if (a->port != b->port || a->family != b->family)
		return false;
	if (a->family && inet_pton(a->family, a->host, x) == 1 &&
	    inet_pton(b->family, b->host, y) == 1)
		return !memcmp(x, y, a->family == AF_INET ? 4 : 16);
	return !strcasecmp(a->host, b->host);
}
