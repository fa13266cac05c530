// SPDX-License-Identifier: GPL-2.0
/*
 * UDP export layer (userctl/export.c): sessions per collector, templates
 * before data, template refresh, send errors and not-sent accounting. The
 * socket send is replaced by a recorder; nothing leaves the process.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <linux/enclave_ipfix.h>

#include "../../userctl/export.h"

#define T0_MS 1700000000000ull
#define DOWN_PORT 9999		/* the mock refuses sends to this port */
#define UNREACH_PORT 9998	/* ... says no route to this one */
#define FLAKY_PORT 9997		/* ... takes flaky_ok messages, then no route */

struct sent {
	uint16_t port;
	size_t len;
	uint8_t msg[1500];
};

static struct sent sent[256];
static size_t nsent;

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/*
 * Fails message number fail_at (1-based) with ENOBUFS, and again whenever
 * it is retried (it is known by its domain and sequence number), as a
 * socket that stays full would.
 */
static size_t fail_at, attempts;
static uint32_t failing_seq, failing_odid;
static bool failing;
static size_t flaky_ok;		/* messages FLAKY_PORT still takes */
static size_t eintr_left;	/* calls to interrupt before sending */

/* The errno the mock gives a message to this port, or 0. */
static int port_error(uint16_t port)
{
	if (port == DOWN_PORT)
		return ECONNREFUSED;
	if (port == UNREACH_PORT)
		return ENETUNREACH;
	if (port == FLAKY_PORT && !flaky_ok)
		return ENETUNREACH;
	if (port == FLAKY_PORT)
		flaky_ok--;
	return 0;
}

/* sendmmsg() as the kernel does it: stops at the first failure, which is
 * returned only when it is the first message of the call. */
static int mock_sendmmsg(int fd, struct mmsghdr *mm, unsigned int n, int flags)
{
	unsigned int i;

	(void)fd, (void)flags;
	if (eintr_left) {
		eintr_left--;
		errno = EINTR;
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct sockaddr *to = mm[i].msg_hdr.msg_name;
		const struct iovec *iov = mm[i].msg_hdr.msg_iov;
		uint16_t port = to->sa_family == AF_INET ?
			ntohs(((const struct sockaddr_in *)to)->sin_port) :
			ntohs(((const struct sockaddr_in6 *)to)->sin6_port);

		uint32_t seq = be32((const uint8_t *)iov->iov_base + 8);
		uint32_t odid = be32((const uint8_t *)iov->iov_base + 12);
		int e;

		assert_int_equal(mm[i].msg_hdr.msg_iovlen, 1);
		if (++attempts == fail_at) {
			failing = true;
			failing_seq = seq;
			failing_odid = odid;
		}
		e = port_error(port);
		if (e || (failing && seq == failing_seq && odid == failing_odid)) {
			if (i)
				return (int)i;
			errno = e ? e : ENOBUFS;
			return -1;
		}
		assert_true(nsent < 256);
		assert_true(iov->iov_len <= sizeof(sent[0].msg));
		sent[nsent].port = port;
		sent[nsent].len = iov->iov_len;
		memcpy(sent[nsent].msg, iov->iov_base, iov->iov_len);
		nsent++;
		mm[i].msg_len = (unsigned int)iov->iov_len;
	}
	return (int)n;
}

static uint32_t seq_of(const struct sent *s)
{
	return be32(s->msg + 8);
}

static uint32_t odid_of(const struct sent *s)
{
	return be32(s->msg + 12);
}

static uint16_t first_set(const struct sent *s)
{
	return be16(s->msg + 16);
}

/* Offset of the first set with this id, or 0. */
static size_t find_set(const struct sent *s, uint16_t id)
{
	for (size_t off = 16; off + 4 <= s->len; off += be16(s->msg + off + 2))
		if (be16(s->msg + off) == id)
			return off;
	return 0;
}

static size_t count_for(uint16_t port)
{
	size_t n = 0;

	for (size_t i = 0; i < nsent; i++)
		n += sent[i].port == port;
	return n;
}

static const struct sent *last_for(uint16_t port)
{
	for (size_t i = nsent; i-- > 0;)
		if (sent[i].port == port)
			return &sent[i];
	return NULL;
}

/* The last message to port in Observation Domain odid. */
static const struct sent *last_in(uint16_t port, uint32_t odid)
{
	for (size_t i = nsent; i-- > 0;)
		if (sent[i].port == port && odid_of(&sent[i]) == odid)
			return &sent[i];
	return NULL;
}

/* Flow records (IPv4 UDP data set 258, 57 octets each) sent to port. */
static size_t flows_for(uint16_t port)
{
	size_t n = 0;

	for (size_t i = 0; i < nsent; i++) {
		size_t off = sent[i].port == port ? find_set(&sent[i], 258) : 0;

		if (off)
			n += (be16(sent[i].msg + off + 2) - 4) / 57;
	}
	return n;
}

static const struct sent *first_for(uint16_t port)
{
	for (size_t i = 0; i < nsent; i++)
		if (sent[i].port == port)
			return &sent[i];
	return NULL;
}

static void v4(struct sockaddr_storage *ss, socklen_t *len, uint16_t port)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = sizeof(*a);
}

static void v6(struct sockaddr_storage *ss, socklen_t *len, uint16_t port)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	a->sin6_addr = in6addr_loopback;
	*len = sizeof(*a);
}

#define NRECS 200
static struct eipfix_record recs[NRECS];

static void make_records(void)
{
	for (int i = 0; i < NRECS; i++) {
		struct eipfix_record *r = &recs[i];

		memset(r, 0, sizeof(*r));
		r->ifindex = 7;
		r->direction = EIPFIX_DIR_RECEIVED;
		r->family = AF_INET;
		r->protocol = 17;
		r->src.v4.s_addr = htonl(0xc6336400 + i);
		r->dst.v4.s_addr = htonl(0xc6336401);
		r->packets = 2;
		r->octets = 100;
		r->fwd_status = EIPFIX_FWD_FORWARDED;
		r->end_reason = EIPFIX_END_IDLE;
	}
}

/* The names of the records' interfaces, as ifnames.h looks them up. */
static const char *if7_name;
static int if_lookups;

static int fake_lookup(uint32_t ifindex, char name[IF_NAMESIZE], void *arg)
{
	(void)arg;
	if_lookups++;
	if (ifindex != 7 || !if7_name)
		return -ENXIO;
	snprintf(name, IF_NAMESIZE, "%s", if7_name);
	return 0;
}

static int setup(void **s)
{
	(void)s;
	nsent = 0;
	fail_at = 0;
	attempts = 0;
	failing = false;
	flaky_ok = 0;
	eintr_left = 0;
	if7_name = "tap0";
	if_lookups = 0;
	make_records();
	ulog_verbosity = ULOG_ERR;	/* keep the test output readable */
	return 0;
}

static void start(struct exporter *ex, const uint16_t *ports, size_t n)
{
	struct exporter_params p = {
		.odid = 5, .msg_size = 1400, .refresh_s = 600, .process_id = 77,
	};
	struct sockaddr_storage a[8];
	socklen_t l[8];

	assert_int_equal(exporter_init(ex, &p), 0);
	ex->sendmmsg_fn = mock_sendmmsg;
	ifnames_init(&ex->names, fake_lookup, NULL);
	for (size_t i = 0; i < n; i++) {
		if (i % 2)
			v6(&a[i], &l[i], ports[i]);
		else
			v4(&a[i], &l[i], ports[i]);
	}
	assert_int_equal(exporter_set_collectors(ex, a, l, n), 0);
}

static void every_collector_gets_templates_then_every_record(void **s)
{
	static const uint16_t ports[] = { 4739, 4740 };
	struct exporter ex;
	struct exporter_counters c;

	(void)s;
	start(&ex, ports, 2);
	assert_int_equal(exporter_submit(&ex, recs, 40, T0_MS), 0);
	for (size_t k = 0; k < 2; k++) {
		size_t flows = 0;
		bool first = true;

		for (size_t i = 0; i < nsent; i++) {
			size_t off;

			if (sent[i].port != ports[k])
				continue;
			if (first)
				assert_int_equal(first_set(&sent[i]), 2);
			first = false;
			assert_true(sent[i].len <= 1400);
			off = find_set(&sent[i], 258);
			if (off)
				flows += (be16(sent[i].msg + off + 2) - 4) / 57;
		}
		assert_int_equal(flows, 40);
	}
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, 80);
	assert_int_equal(c.messages, nsent);
	assert_int_equal(c.send_errors, 0);
	exporter_free(&ex);
}

static void a_collector_added_later_starts_its_own_session(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct sockaddr_storage a[2];
	socklen_t l[2];
	struct exporter ex;
	const struct sent *m;
	uint32_t seq_before;

	(void)s;
	start(&ex, ports, 1);
	assert_int_equal(exporter_submit(&ex, recs, 10, T0_MS), 0);
	seq_before = ex.coll[0].w.seq;
	assert_int_equal(seq_before, 10);		/* 10 flows */
	assert_int_equal(ex.coll[0].w.opt_seq, 2);	/* ifname, stats: domain 0 */

	v4(&a[0], &l[0], 4739);		/* unchanged */
	v6(&a[1], &l[1], 4800);		/* new */
	assert_int_equal(exporter_set_collectors(&ex, a, l, 2), 0);
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 5, T0_MS + 1000), 0);

	m = last_for(4739);
	assert_non_null(m);
	assert_int_equal(count_for(4739), 1);
	assert_int_equal(seq_of(m), seq_before);	/* the session goes on */
	assert_int_equal(first_set(m), 258);		/* no templates again */

	/* new session: templates, then the options (domain 0), then flows */
	assert_int_equal(nsent, 4);
	for (size_t i = 1; i < 4; i++) {
		assert_int_equal(sent[i].port, 4800);
		assert_int_equal(seq_of(&sent[i]), 0);
	}
	assert_int_equal(first_set(&sent[1]), 2);
	assert_int_equal(odid_of(&sent[1]), 5);
	assert_int_equal(first_set(&sent[2]), 3);
	assert_int_equal(odid_of(&sent[2]), 0);
	assert_true(find_set(&sent[2], 265) > 0);
	assert_true(find_set(&sent[2], 264) > 0);
	assert_int_equal(first_set(&sent[3]), 258);
	assert_int_equal(odid_of(&sent[3]), 5);
	exporter_free(&ex);
}

static void a_down_collector_does_not_stop_the_others(void **s)
{
	static const uint16_t ports[] = { DOWN_PORT, 4739 };
	struct exporter ex;
	struct exporter_counters c;
	const struct exporter_collector *down;
	const struct sent *m;
	size_t off;

	(void)s;
	start(&ex, ports, 2);
	assert_int_equal(exporter_submit(&ex, recs, 40, T0_MS), 0);
	assert_int_equal(exporter_submit(&ex, recs, 3, T0_MS + 5000), 0);
	assert_true(count_for(4739) >= 2);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, 43);
	assert_true(c.send_errors >= 2);
	assert_int_equal(c.not_sent_flows, 43);
	assert_int_equal(c.not_sent_packets, 86);
	assert_int_equal(c.not_sent_octets, 4300);
	down = &ex.coll[0];
	assert_int_equal(down->first_drop_ms, T0_MS);
	assert_int_equal(down->last_drop_ms, T0_MS + 5000);

	/* it comes back: its next message reports what it missed */
	ex.coll[0].addr.ss_family = AF_INET;
	((struct sockaddr_in *)&ex.coll[0].addr)->sin_port = htons(4741);
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 1, T0_MS + 9000), 0);
	m = last_in(4741, 0);		/* the options go in domain 0 */
	assert_non_null(m);
	off = find_set(m, 264);
	assert_true(off > 0);
	off += 4;
	assert_int_equal(be32(m->msg + off), 77);		/* process id */
	assert_int_equal(be64(m->msg + off + 4), 43);		/* flows */
	assert_int_equal(be64(m->msg + off + 12), 86);		/* packets */
	assert_int_equal(be64(m->msg + off + 20), 4300);	/* octets */
	assert_int_equal(be64(m->msg + off + 28), T0_MS);	/* first drop */
	assert_int_equal(be64(m->msg + off + 36), T0_MS + 5000); /* last */
	assert_int_equal(be64(m->msg + off + 44), 0);		/* messages sent */
	/* sequence numbers kept counting what was lost: the gap shows it */
	m = last_in(4741, 5);
	assert_non_null(m);
	assert_true(seq_of(m) >= 43);
	/* the healthy collector reported nothing lost: no stats record */
	m = last_for(4739);
	assert_int_equal(find_set(m, 264), 0);
	exporter_free(&ex);
}

static void lost_records_are_reported_to_every_collector(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter ex;
	const struct sent *m;
	size_t off;

	(void)s;
	start(&ex, ports, 1);
	assert_int_equal(exporter_submit(&ex, recs, 1, T0_MS), 0);
	exporter_note_lost(&ex, 4, 0, 0, T0_MS + 100);
	nsent = 0;
	assert_int_equal(exporter_tick(&ex, T0_MS + 1000), 0);
	assert_int_equal(nsent, 1);
	m = &sent[0];
	off = find_set(m, 264);
	assert_true(off > 0);
	assert_int_equal(be64(m->msg + off + 4 + 4), 4);
	assert_int_equal(be64(m->msg + off + 4 + 28), T0_MS + 100);
	nsent = 0;
	assert_int_equal(exporter_tick(&ex, T0_MS + 2000), 0);
	assert_int_equal(nsent, 0);	/* reported once */
	exporter_free(&ex);
}

/*
 * sendmmsg() sends part of a batch and fails on one message: every message
 * is counted sent or not sent, exactly, and the sequence shows the gap.
 */
static void a_failure_inside_a_batch_is_counted_exactly(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter_counters c;
	struct exporter ex;
	size_t off, flows2;

	(void)s;
	start(&ex, ports, 1);
	fail_at = 4;	/* after the templates, the options, one flow message */
	assert_int_equal(exporter_submit(&ex, recs, NRECS, T0_MS), 0);
	exporter_get_counters(&ex, &c);
	assert_true(nsent >= 5);	/* the failure was inside the batch */
	assert_int_equal(c.send_errors, 1);
	assert_int_equal(c.messages, nsent);
	assert_true(c.not_sent_flows > 0);
	assert_int_equal(c.records + c.not_sent_flows, NRECS);
	assert_int_equal(c.not_sent_packets, 2 * c.not_sent_flows);
	/* flow messages 3 went, 4 did not: 5 counts on from where 4 ended */
	off = find_set(&sent[2], 258);
	assert_true(off > 0);
	flows2 = (be16(sent[2].msg + off + 2) - 4) / 57;
	assert_int_equal(seq_of(&sent[3]), seq_of(&sent[2]) + flows2 + c.not_sent_flows);
	exporter_free(&ex);
}

/* A record no template can carry is counted as not sent, not skipped silently. */
static void an_unencodable_record_is_counted_not_sent(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter_counters c;
	struct exporter ex;

	(void)s;
	start(&ex, ports, 1);
	recs[1].family = 0;
	assert_int_equal(exporter_submit(&ex, recs, 3, T0_MS), 0);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, 2);
	assert_int_equal(c.not_sent_flows, 1);
	assert_int_equal(c.not_sent_packets, 2);
	assert_int_equal(c.send_errors, 0);
	exporter_free(&ex);
}

static void templates_are_refreshed_every_template_refresh_seconds(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter ex;

	(void)s;
	start(&ex, ports, 1);
	assert_int_equal(exporter_tick(&ex, T0_MS), 0);
	assert_int_equal(nsent, 2);			/* at start, per domain */
	assert_int_equal(first_set(&sent[0]), 2);
	assert_int_equal(first_set(&sent[1]), 3);
	nsent = 0;
	assert_int_equal(exporter_tick(&ex, T0_MS + 599999), 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS + 599999), 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(first_set(&sent[0]), 265);	/* new ifname, no templates */
	assert_int_equal(first_set(&sent[1]), 258);
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS + 600000), 0);
	assert_int_equal(nsent, 3);
	assert_int_equal(first_set(&sent[0]), 2);	/* refreshed */
	assert_int_equal(first_set(&sent[1]), 3);
	assert_true(find_set(&sent[1], 265) > 0);	/* with interface names */
	assert_true(find_set(&sent[1], 264) > 0);	/* and statistics */
	assert_int_equal(first_set(&sent[2]), 258);
	exporter_free(&ex);
}

/* The name in the first interface-name options record (set 265) sent, or NULL. */
static const char *announced(uint32_t *ifindex)
{
	static char name[17];

	for (size_t i = 0; i < nsent; i++) {
		size_t off = find_set(&sent[i], 265);

		if (!off)
			continue;
		/* set header, observationDomainId (scope), ingressInterface, interfaceName */
		*ifindex = be32(sent[i].msg + off + 8);
		memcpy(name, sent[i].msg + off + 12, 16);
		name[16] = '\0';
		return name;
	}
	return NULL;
}

static void an_interface_is_announced_by_name_and_again_when_renamed(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter ex;
	uint32_t ifindex = 0;
	const char *name;

	(void)s;
	start(&ex, ports, 1);
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS), 0);
	name = announced(&ifindex);
	assert_non_null(name);
	assert_string_equal(name, "tap0");
	assert_int_equal(ifindex, 7);
	assert_int_equal(if_lookups, 1);		/* looked up once, kept */

	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS + 1000), 0);
	assert_null(announced(&ifindex));		/* known: not again */
	assert_int_equal(if_lookups, 1);

	/* Renamed: found at the next lookup, once the name is old enough. */
	if7_name = "tap1";
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS + 1000 + IFNAMES_MAX_AGE_MS), 0);
	assert_int_equal(first_set(&sent[0]), 265);	/* before the data */
	name = announced(&ifindex);
	assert_non_null(name);
	assert_string_equal(name, "tap1");

	/* Gone: its records keep the name it had, nothing is announced. */
	if7_name = NULL;
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS + 1000 + 2 * IFNAMES_MAX_AGE_MS), 0);
	assert_null(announced(&ifindex));
	assert_string_equal(ex.names.e[0].name, "tap1");

	/* A new configuration: looked up again at once. */
	if7_name = "tap2";
	ifnames_expire(&ex.names);
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 2, T0_MS + 1001 + 2 * IFNAMES_MAX_AGE_MS), 0);
	name = announced(&ifindex);
	assert_non_null(name);
	assert_string_equal(name, "tap2");
	exporter_free(&ex);
}

static void a_new_observation_domain_starts_new_sessions(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter_params p = {
		.odid = 6, .msg_size = 512, .refresh_s = 600, .process_id = 77,
	};
	struct exporter ex;

	(void)s;
	start(&ex, ports, 1);
	assert_int_equal(exporter_submit(&ex, recs, 5, T0_MS), 0);
	assert_int_equal(exporter_set_params(&ex, &p), 0);
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 20, T0_MS + 1000), 0);
	assert_true(nsent >= 3);
	assert_int_equal(be32(sent[0].msg + 12), 6);
	assert_int_equal(seq_of(&sent[0]), 0);
	assert_int_equal(first_set(&sent[0]), 2);
	for (size_t i = 0; i < nsent; i++)
		assert_true(sent[i].len <= 512);
	p.msg_size = 100;
	assert_int_equal(exporter_set_params(&ex, &p), -EINVAL);
	exporter_free(&ex);
}

static void bad_collector_lists_change_nothing(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct sockaddr_storage a[1];
	socklen_t l[1];
	struct exporter ex;

	(void)s;
	start(&ex, ports, 1);
	memset(a, 0, sizeof(a));
	a[0].ss_family = AF_UNIX;
	l[0] = sizeof(a[0]);
	assert_int_equal(exporter_set_collectors(&ex, a, l, 1), -EINVAL);
	assert_int_equal(ex.ncoll, 1);
	assert_int_equal(exporter_set_collectors(&ex, a, l, 65), -EINVAL);
	assert_int_equal(exporter_set_collectors(&ex, NULL, NULL, 0), 0);
	assert_int_equal(ex.ncoll, 0);
	assert_int_equal(exporter_submit(&ex, recs, 3, T0_MS), 0);
	exporter_free(&ex);
}

static void init_mocked(struct exporter *ex)
{
	struct exporter_params p = {
		.odid = 5, .msg_size = 1400, .refresh_s = 600, .process_id = 77,
	};

	assert_int_equal(exporter_init(ex, &p), 0);
	ex->sendmmsg_fn = mock_sendmmsg;
	ifnames_init(&ex->names, fake_lookup, NULL);
}

/* One collector with the addresses a[0..n): v4 for even i, v6 for odd. */
static void start_one(struct exporter *ex, const uint16_t *ports, size_t n)
{
	struct sockaddr_storage a[8];
	socklen_t l[8];
	struct exporter_dest d = {
		.name = "Udp/collector.example:4739", .addrs = a, .lens = l,
		.naddrs = n,
	};

	init_mocked(ex);
	for (size_t i = 0; i < n; i++) {
		if (i % 2)
			v6(&a[i], &l[i], ports[i]);
		else
			v4(&a[i], &l[i], ports[i]);
	}
	assert_int_equal(exporter_set_destinations(ex, &d, 1), 0);
}

/* Two profile entries, one address: one session, each record sent once. */
static void two_collectors_with_the_same_address_are_one_session(void **s)
{
	struct sockaddr_storage a[2];
	struct exporter_counters c;
	struct exporter ex;
	socklen_t l[2];

	(void)s;
	init_mocked(&ex);
	v4(&a[0], &l[0], 4739);
	v4(&a[1], &l[1], 4739);
	assert_int_equal(exporter_set_collectors(&ex, a, l, 2), 0);
	assert_int_equal(ex.ncoll, 1);
	assert_int_equal(exporter_submit(&ex, recs, 10, T0_MS), 0);
	assert_int_equal(flows_for(4739), 10);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, 10);
	exporter_free(&ex);
}

/*
 * "Udp/localhost:4739" (::1 and 127.0.0.1) and "Udp/127.0.0.1:4739" share
 * an address: one collector with both addresses, one sequence, and it stays
 * one session when the names are resolved again.
 */
static void collectors_sharing_an_address_are_one_session(void **s)
{
	struct sockaddr_storage la[2], ia[1];
	socklen_t ll[2], il[1];
	struct exporter_dest d[2] = {
		{ .name = "Udp/localhost:4739", .addrs = la, .lens = ll, .naddrs = 2 },
		{ .name = "Udp/127.0.0.1:4739", .addrs = ia, .lens = il, .naddrs = 1 },
	};
	struct exporter ex;
	uint32_t seq;

	(void)s;
	init_mocked(&ex);
	v6(&la[0], &ll[0], 4739);
	v4(&la[1], &ll[1], 4739);
	v4(&ia[0], &il[0], 4739);
	assert_int_equal(exporter_set_destinations(&ex, d, 2), 0);
	assert_int_equal(ex.ncoll, 1);
	assert_int_equal(ex.coll[0].naddrs, 2);
	assert_string_equal(ex.coll[0].label, "Udp/localhost:4739, Udp/127.0.0.1:4739");
	assert_int_equal(exporter_submit(&ex, recs, 10, T0_MS), 0);
	assert_int_equal(flows_for(4739), 10);
	seq = ex.coll[0].w.seq;

	assert_int_equal(exporter_set_destinations(&ex, d, 2), 0);
	assert_int_equal(ex.ncoll, 1);
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 5, T0_MS + 1000), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(seq_of(&sent[0]), seq);	/* the session goes on */
	assert_int_equal(first_set(&sent[0]), 258);
	exporter_free(&ex);
}

/* No route to the first address: the second gets everything, as a session. */
static void an_unreachable_address_moves_to_the_next(void **s)
{
	static const uint16_t ports[] = { UNREACH_PORT, 4739 };
	struct exporter_counters c;
	struct exporter ex;
	const struct sent *m;

	(void)s;
	start_one(&ex, ports, 2);
	assert_int_equal(exporter_submit(&ex, recs, 40, T0_MS), 0);
	assert_int_equal(count_for(UNREACH_PORT), 0);
	assert_int_equal(flows_for(4739), 40);
	m = first_for(4739);
	assert_non_null(m);
	assert_int_equal(seq_of(m), 0);
	assert_int_equal(first_set(m), 2);		/* templates first */
	assert_int_equal(ex.coll[0].cur, 1);
	assert_int_equal(ex.coll[0].addr.ss_family, AF_INET6);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, 40);
	assert_int_equal(c.send_errors, 0);
	assert_int_equal(c.not_sent_flows, 0);
	assert_int_equal(c.records_not_sent, 0);

	/* and stays there */
	nsent = 0;
	assert_int_equal(exporter_submit(&ex, recs, 5, T0_MS + 1000), 0);
	assert_int_equal(count_for(4739), 1);
	assert_int_equal(first_set(&sent[0]), 258);
	exporter_free(&ex);
}

/*
 * The route goes away in the middle of a submit: the next address gets the
 * records from the failed message on; none is lost, none sent twice.
 */
static void an_address_lost_midway_resends_from_the_failed_message(void **s)
{
	static const uint16_t ports[] = { FLAKY_PORT, 4739 };
	struct exporter_counters c;
	struct exporter ex;

	(void)s;
	start_one(&ex, ports, 2);
	/* templates, the options of domain 0, then one message of records */
	flaky_ok = 3;
	assert_int_equal(exporter_submit(&ex, recs, NRECS, T0_MS), 0);
	assert_int_equal(count_for(FLAKY_PORT), 3);
	assert_true(flows_for(FLAKY_PORT) > 0);
	assert_int_equal(flows_for(FLAKY_PORT) + flows_for(4739), NRECS);
	assert_int_equal(first_set(first_for(4739)), 2);
	assert_int_equal(seq_of(first_for(4739)), 0);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, NRECS);
	assert_int_equal(c.send_errors, 0);
	assert_int_equal(c.records_not_sent, 0);
	exporter_free(&ex);
}

/* When no address can be reached the records are not sent, and counted. */
static void every_address_unreachable_counts_not_sent(void **s)
{
	static const uint16_t ports[] = { UNREACH_PORT, UNREACH_PORT };
	struct exporter_counters c;
	struct exporter ex;

	(void)s;
	start_one(&ex, ports, 2);
	assert_int_equal(exporter_submit(&ex, recs, 10, T0_MS), 0);
	assert_int_equal(nsent, 0);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records, 0);
	assert_true(c.send_errors >= 1);
	assert_int_equal(c.not_sent_flows, 10);
	assert_int_equal(c.records_not_sent, 10);
	exporter_free(&ex);
}

/*
 * Records that no collector took: with none (no name resolved yet) they
 * are counted and reported to the collector that comes later; with one
 * taking them they are not; with every one failing they are.
 */
static void records_no_collector_took_are_counted_not_sent(void **s)
{
	struct sockaddr_storage a[2];
	struct exporter_counters c;
	struct exporter ex;
	const struct sent *m;
	socklen_t l[2];
	size_t off;

	(void)s;
	init_mocked(&ex);
	assert_int_equal(exporter_submit(&ex, recs, 3, T0_MS), 0);

	v4(&a[0], &l[0], 4741);
	assert_int_equal(exporter_set_collectors(&ex, a, l, 1), 0);
	assert_int_equal(exporter_tick(&ex, T0_MS + 1000), 0);
	m = last_for(4741);
	assert_non_null(m);
	off = find_set(m, 264);
	assert_true(off > 0);
	assert_int_equal(be64(m->msg + off + 4 + 4), 3);	/* flows lost */
	assert_int_equal(be64(m->msg + off + 4 + 12), 6);	/* packets */
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records_not_sent, 3);

	v4(&a[0], &l[0], DOWN_PORT);
	v4(&a[1], &l[1], 4739);
	assert_int_equal(exporter_set_collectors(&ex, a, l, 2), 0);
	assert_int_equal(exporter_submit(&ex, recs, 5, T0_MS + 2000), 0);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records_not_sent, 3);	/* 4739 took them */

	assert_int_equal(exporter_set_collectors(&ex, a, l, 1), 0);
	assert_int_equal(exporter_submit(&ex, recs, 4, T0_MS + 3000), 0);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.records_not_sent, 3 + 4);
	exporter_free(&ex);
}

/* sendmmsg() interrupted by a signal is tried again, not counted failed. */
static void a_signal_during_a_send_is_not_a_failure(void **s)
{
	static const uint16_t ports[] = { 4739 };
	struct exporter_counters c;
	struct exporter ex;

	(void)s;
	start(&ex, ports, 1);
	eintr_left = 1;
	assert_int_equal(exporter_submit(&ex, recs, 10, T0_MS), 0);
	exporter_get_counters(&ex, &c);
	assert_int_equal(c.send_errors, 0);
	assert_int_equal(c.records, 10);
	assert_int_equal(flows_for(4739), 10);
	exporter_free(&ex);
}

static void ratelimit_allows_a_burst_per_interval(void **s)
{
	struct ulog_ratelimit rl = ULOG_RATELIMIT_INIT(1000, 2);

	(void)s;
	assert_true(ulog_ratelimit_at(&rl, 10));
	assert_true(ulog_ratelimit_at(&rl, 20));
	assert_false(ulog_ratelimit_at(&rl, 30));
	assert_false(ulog_ratelimit_at(&rl, 1009));
	assert_true(ulog_ratelimit_at(&rl, 1010));
	assert_int_equal(rl.missed, 0);
}

/* The rows of the rule table (set 274) in one message, as "rule:text;..." */
static void rule_rows(const struct sent *m, char *out, size_t len)
{
	size_t off = find_set(m, 274), end;

	out[0] = '\0';
	if (!off)
		return;
	end = off + be16(m->msg + off + 2);
	for (off += 4; off + 9 <= end;) {
		uint32_t rule = be32(m->msg + off + 4);
		size_t n = m->msg[off + 8];	/* the test's texts are short */
		size_t used = strlen(out);

		assert_int_equal(be32(m->msg + off), 5);	/* the flows' domain */
		snprintf(out + used, len - used, "%u:%.*s;", rule, (int)n,
			 (const char *)m->msg + off + 9);
		off += 9 + n;
	}
}

/*
 * The rule table goes to every collector after the templates, in domain 0;
 * again at once when it changes, not when the same table is set again, and
 * at every refresh.
 */
static void the_rule_table_follows_the_templates_and_each_change(void **s)
{
	static const uint16_t ports[] = { 4739, 4740 };
	struct exporter_rule t[3] = {
		{ 0, "Default Deny" }, { 2, "no telnet" }, { 5, "" },
	};
	const struct sent *m;
	struct exporter ex;
	char rows[256];

	(void)s;
	start(&ex, ports, 2);
	assert_int_equal(exporter_set_rules(&ex, t, 3), 0);
	assert_int_equal(exporter_submit(&ex, recs, 1, T0_MS), 0);
	for (size_t k = 0; k < 2; k++) {
		m = last_in(ports[k], 0);
		assert_non_null(m);
		assert_true(find_set(m, 3) > 0);	/* its template is here */
		rule_rows(m, rows, sizeof(rows));
		assert_string_equal(rows, "0:Default Deny;2:no telnet;5:;");
	}

	nsent = 0;
	assert_int_equal(exporter_set_rules(&ex, t, 3), 0);	/* the same */
	assert_int_equal(exporter_tick(&ex, T0_MS + 1000), 0);
	assert_int_equal(nsent, 0);

	strcpy(t[1].description, "no telnet, ever");
	assert_int_equal(exporter_set_rules(&ex, t, 2), 0);
	assert_int_equal(exporter_tick(&ex, T0_MS + 2000), 0);
	assert_int_equal(nsent, 2);
	for (size_t k = 0; k < 2; k++) {
		m = last_in(ports[k], 0);
		assert_non_null(m);
		assert_int_equal(find_set(m, 3), 0);	/* no templates */
		rule_rows(m, rows, sizeof(rows));
		assert_string_equal(rows, "0:Default Deny;2:no telnet, ever;");
	}

	nsent = 0;
	assert_int_equal(exporter_tick(&ex, T0_MS + 600000), 0);	/* refresh */
	m = last_in(4739, 0);
	assert_non_null(m);
	rule_rows(m, rows, sizeof(rows));
	assert_string_equal(rows, "0:Default Deny;2:no telnet, ever;");
	exporter_free(&ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(every_collector_gets_templates_then_every_record, setup),
		cmocka_unit_test_setup(a_collector_added_later_starts_its_own_session, setup),
		cmocka_unit_test_setup(a_down_collector_does_not_stop_the_others, setup),
		cmocka_unit_test_setup(lost_records_are_reported_to_every_collector, setup),
		cmocka_unit_test_setup(a_failure_inside_a_batch_is_counted_exactly, setup),
		cmocka_unit_test_setup(an_unencodable_record_is_counted_not_sent, setup),
		cmocka_unit_test_setup(templates_are_refreshed_every_template_refresh_seconds, setup),
		cmocka_unit_test_setup(an_interface_is_announced_by_name_and_again_when_renamed, setup),
		cmocka_unit_test_setup(a_new_observation_domain_starts_new_sessions, setup),
		cmocka_unit_test_setup(bad_collector_lists_change_nothing, setup),
		cmocka_unit_test_setup(ratelimit_allows_a_burst_per_interval, setup),
		cmocka_unit_test_setup(two_collectors_with_the_same_address_are_one_session, setup),
		cmocka_unit_test_setup(collectors_sharing_an_address_are_one_session, setup),
		cmocka_unit_test_setup(an_unreachable_address_moves_to_the_next, setup),
		cmocka_unit_test_setup(an_address_lost_midway_resends_from_the_failed_message, setup),
		cmocka_unit_test_setup(every_address_unreachable_counts_not_sent, setup),
		cmocka_unit_test_setup(records_no_collector_took_are_counted_not_sent, setup),
		cmocka_unit_test_setup(a_signal_during_a_send_is_not_a_failure, setup),
		cmocka_unit_test_setup(the_rule_table_follows_the_templates_and_each_change, setup),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
