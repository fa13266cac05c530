// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: userctl's generic netlink receive path (userctl/netlink.c)
 * fed with arbitrary bytes as the kernel's replies, through libnl's real
 * dispatch (tests/lib/netlink_fake.h).
 *
 * Input: byte 0 picks the call (records, flows, config, counters, rule
 * hits, notifications), its bit 7 rewrites every message's type to the
 * family id (so that mutations reach the parsers), and unless its bit 6 is
 * set every message's sequence number is rewritten to the request's (an
 * answer of another request is skipped: bit 6 tests that). The rest is a
 * sequence of datagrams, each a 16-bit little-endian length and that many
 * bytes (a length past the end takes what is left). When they run out,
 * recv fails with -NLE_AGAIN, as the socket's receive timeout would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/netlink_fake.h"

static const uint8_t *fz_data;
static size_t fz_left;
static int fz_force_type, fz_keep_seq;

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	size_t len, off;
	unsigned char *b;

	(void)sk;
	if (creds)
		*creds = NULL;
	if (fz_left < 2)
		return -NLE_AGAIN;
	len = fz_data[0] | (size_t)fz_data[1] << 8;
	fz_data += 2;
	fz_left -= 2;
	if (len > fz_left)
		len = fz_left;
	if (!len)
		return -NLE_AGAIN;
	/* Exactly len bytes: ASan sees any read past what was received. */
	b = malloc(len);
	if (!b)
		return -NLE_NOMEM;
	memcpy(b, fz_data, len);
	fz_data += len;
	fz_left -= len;
	if (fz_force_type || !fz_keep_seq) {
		for (off = 0; off + sizeof(struct nlmsghdr) <= len;) {
			struct nlmsghdr *h = (struct nlmsghdr *)(b + off);

			if (fz_force_type && h->nlmsg_type >= NLMSG_MIN_TYPE)
				h->nlmsg_type = FAKE_FAMILY;
			if (!fz_keep_seq)
				h->nlmsg_seq = fake_seq;
			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
	}
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	*buf = b;
	return (int)len;
}

/* A message waits while input is left. */
static int fake_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	(void)timeout;
	for (nfds_t i = 0; i < n; i++)
		fds[i].revents = fz_left >= 2 ? POLLIN : 0;
	return fz_left >= 2 ? (int)n : 0;
}

static uint64_t fz_sink;

/* Touches every field, so that a record built from garbage is noticed. */
static int take(const struct eipfix_record *r, void *arg)
{
	const unsigned char *p = (const unsigned char *)r;
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(*r); i++)
		fz_sink += p[i];
	if (r->family != AF_INET && r->family != AF_INET6)
		abort();	/* parse_flow() must refuse other families */
	return (fz_sink & 0xff) == 0x5a;	/* sometimes stop the dump early */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netlink *nl = fake_netlink();
	uint64_t ctr[__EIPFIX_CTR_A_MAX], *hits = NULL, dflt, seq;
	struct eipfix_profile p;
	unsigned int n;
	uint32_t gen;
	char err[512];

	if (!size)
		return 0;
	fz_force_type = data[0] & 0x80;
	fz_keep_seq = data[0] & 0x40;
	fake_seq = 0;	/* notifications only, until a request is sent */
	fz_data = data + 1;
	fz_left = size - 1;
	err[0] = '\0';
	switch (data[0] & 0x3f) {
	case 0:
		netlink_take_records(nl, take, NULL, &seq, err, sizeof(err));
		break;
	case 1:
		netlink_dump_flows(nl, take, NULL, err, sizeof(err));
		break;
	case 2:
		if (!netlink_get_config(nl, &p, &gen, err, sizeof(err)))
			eipfix_profile_free(&p);
		break;
	case 3:
		netlink_get_counters(nl, ctr, err, sizeof(err));
		break;
	case 4:
		if (!netlink_get_acl_hits(nl, &hits, &n, &dflt, err, sizeof(err)))
			free(hits);
		break;
	case 5:
		netlink_poll_events(nl, err, sizeof(err));
		netlink_take_events(nl);
		break;
	case 6:
		netlink_set_config(nl, &(struct eipfix_profile){ 0 }, err, sizeof(err));
		break;
	default:
		netlink_register_agent(nl, false, err, sizeof(err));
		break;
	}
	/* An error sentence is always a terminated string. */
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	return 0;
}
