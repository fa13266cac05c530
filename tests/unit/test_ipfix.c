// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX encoder (userctl/ipfix.c), byte for byte.
 *
 * Every expected message below is written by hand from RFC 7011 (message,
 * set and template layout) and the IANA IPFIX registry (IE numbers and
 * lengths), following the template table documented in userctl/ipfix.h;
 * none of it was produced by the encoder. Values are chosen so that a byte
 * order or offset mistake cannot go unseen (0x0102030405060708 etc.).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <linux/enclave_ipfix.h>

#include "../../userctl/ipfix.h"

#define B16(x) (uint8_t)((x) >> 8), (uint8_t)(x)
#define B32(x) B16((uint32_t)(x) >> 16), B16((uint32_t)(x) & 0xffff)
#define B64(x) B32((uint64_t)(x) >> 32), B32((uint64_t)(x) & 0xffffffff)
#define FS(ie, len) B16(ie), B16(len)	/* field specifier */

#define ODID 0x01020304
#define T0 0x65000000u			/* export time, seconds */

/* A failing comparison prints both messages. */
static void expect_bytes(const uint8_t *want, size_t wlen, const uint8_t *got,
			 size_t glen, const char *what)
{
	size_t n = wlen < glen ? wlen : glen;
	size_t i;

	for (i = 0; i < n && want[i] == got[i]; i++)
		;
	if (i == n && wlen == glen)
		return;
	print_error("%s: expected %zu bytes, saw %zu; first difference at offset %zu\n",
		    what, wlen, glen, i);
	print_error("expected:");
	for (size_t k = 0; k < wlen; k++)
		print_error("%s%02x", k % 16 ? " " : "\n  ", want[k]);
	print_error("\nsaw:");
	for (size_t k = 0; k < glen; k++)
		print_error("%s%02x", k % 16 ? " " : "\n  ", got[k]);
	print_error("\n");
	fail();
}

#define EXPECT(want, got, glen, what) \
	expect_bytes(want, sizeof(want), got, glen, what)

static void rec_v4(struct eipfix_record *r, uint8_t proto)
{
	memset(r, 0, sizeof(*r));
	r->ifindex = 7;
	r->direction = EIPFIX_DIR_RECEIVED;
	r->family = AF_INET;
	r->protocol = proto;
	r->tos = 0x10;
	inet_pton(AF_INET, "198.51.100.1", &r->src.v4);
	inet_pton(AF_INET, "198.51.100.2", &r->dst.v4);
	r->fwd_status = EIPFIX_FWD_FORWARDED;
	r->end_reason = EIPFIX_END_IDLE;
	r->packets = 0x1112131415161718ull;
	r->octets = 0x0102030405060708ull;
	r->start_ms = 0x0000018b12345678ull;
	r->end_ms = 0x0000018b9abcdef0ull;
}

static void rec_v6(struct eipfix_record *r, uint8_t proto)
{
	rec_v4(r, proto);
	r->family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &r->src.v6);
	inet_pton(AF_INET6, "2001:db8:0:1::a:b", &r->dst.v6);
}

#define V4_ADDRS 0xc6, 0x33, 0x64, 0x01, 0xc6, 0x33, 0x64, 0x02
#define V6_ADDRS \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x0a, 0, 0x0b
/* ingress 7, egress 0, octets, packets, start, end */
#define TAIL_IN(reason, fwd) \
	B32(7), B32(0), \
	B64(0x0102030405060708ull), B64(0x1112131415161718ull), \
	B64(0x0000018b12345678ull), B64(0x0000018b9abcdef0ull), \
	reason, 0x00, fwd

/* Header of a message of len bytes with sequence number seq. */
#define HDR(len, seq) B16(10), B16(len), B32(T0), B32(seq), B32(ODID)
/* The same in Observation Domain 0, where options records go (RFC 7011 §3.1). */
#define HDR0(len, seq) B16(10), B16(len), B32(T0), B32(seq), B32(0)

/*
 * Template records (RFC 7011 §3.4.1), one macro each. Our enterprise
 * elements are field specifiers with the enterprise bit (0x8000) and the
 * Enterprise Number after them (§3.2): IPFIX_PEN 32473 is 0x00007ed9.
 */
#define PEN 32473
#define FSX(ie, len) B16(0x8000 | (ie)), B16(len), B32(PEN)
#define F_TAIL \
	FS(10, 4), FS(14, 4), FS(1, 8), FS(2, 8), FS(152, 8), FS(153, 8), \
	FS(136, 1), FS(61, 1), FS(89, 1)
/* a dropped flow's: firewallEvent 233, then the deciding rule (PEN, 1) */
#define F_DENIED FS(233, 1), FSX(1, 4)
#define F_TCP4 FS(8, 4), FS(12, 4), FS(7, 2), FS(11, 2), FS(4, 1), FS(5, 1), FS(6, 2)
#define F_TCP6 FS(27, 16), FS(28, 16), FS(7, 2), FS(11, 2), FS(4, 1), FS(5, 1), FS(6, 2)
#define F_UDP4 FS(8, 4), FS(12, 4), FS(7, 2), FS(11, 2), FS(4, 1), FS(5, 1)
#define F_UDP6 FS(27, 16), FS(28, 16), FS(7, 2), FS(11, 2), FS(4, 1), FS(5, 1)
#define F_RAW4 FS(8, 4), FS(12, 4), FS(4, 1), FS(5, 1)
#define F_RAW6 FS(27, 16), FS(28, 16), FS(4, 1), FS(5, 1)
#define F_ICMP4 FS(8, 4), FS(12, 4), FS(32, 2), FS(4, 1), FS(5, 1)
#define F_ICMP6 FS(27, 16), FS(28, 16), FS(139, 2), FS(4, 1), FS(5, 1)
/* IPv4 TCP .. ICMPv6: 68 + 68 + 64 + 64 + 56 + 56 + 60 + 60 = 496 octets */
#define T256 B16(256), B16(16), F_TCP4, F_TAIL
#define T257 B16(257), B16(16), F_TCP6, F_TAIL
#define T258 B16(258), B16(15), F_UDP4, F_TAIL
#define T259 B16(259), B16(15), F_UDP6, F_TAIL
#define T260 B16(260), B16(13), F_RAW4, F_TAIL
#define T261 B16(261), B16(13), F_RAW6, F_TAIL
#define T262 B16(262), B16(14), F_ICMP4, F_TAIL
#define T263 B16(263), B16(14), F_ICMP6, F_TAIL
/* the same for dropped flows, 2 fields and 12 octets more: 592 octets */
#define T266 B16(266), B16(18), F_TCP4, F_TAIL, F_DENIED
#define T267 B16(267), B16(18), F_TCP6, F_TAIL, F_DENIED
#define T268 B16(268), B16(17), F_UDP4, F_TAIL, F_DENIED
#define T269 B16(269), B16(17), F_UDP6, F_TAIL, F_DENIED
#define T270 B16(270), B16(15), F_RAW4, F_TAIL, F_DENIED
#define T271 B16(271), B16(15), F_RAW6, F_TAIL, F_DENIED
#define T272 B16(272), B16(16), F_ICMP4, F_TAIL, F_DENIED
#define T273 B16(273), B16(16), F_ICMP6, F_TAIL, F_DENIED
#define FLOW_SET_LEN (4 + 496 + 592)

/*
 * The whole template announcement, as RFC 7011 §3.4.1 and §3.4.2.2 lay it
 * out: the flow templates in the flows' domain, the options templates in
 * domain 0.
 */
static const uint8_t flow_templates[] = {
	HDR(16 + FLOW_SET_LEN, 0),
	B16(2), B16(FLOW_SET_LEN),		/* Template Set */
	T256, T257, T258, T259, T260, T261, T262, T263,
	T266, T267, T268, T269, T270, T271, T272, T273,
};

#define OPTIONS_TEMPLATE_SETS \
	/* one Options Template Set per options template (pmacct reads no more) */ \
	B16(3), B16(42), \
	B16(264), B16(8), B16(1),		/* reliability, 1 scope field */ \
	FS(144, 4), FS(166, 8), FS(167, 8), FS(168, 8), FS(323, 8), FS(323, 8), \
	FS(41, 8), FS(42, 8), \
	B16(3), B16(26), \
	B16(265), B16(4), B16(1),		/* interface table, scope: domain */ \
	FS(149, 4), FS(10, 4), FS(82, 16), FS(83, 16), \
	B16(3), B16(30), \
	B16(274), B16(3), B16(2),		/* rule table, scope: domain, rule */ \
	FS(149, 4), FSX(1, 4), FSX(2, 0xffff)	/* description: variable length */
#define OPTIONS_SETS_LEN (42 + 26 + 30)

static const uint8_t options_templates[] = {
	HDR0(16 + OPTIONS_SETS_LEN, 0), OPTIONS_TEMPLATE_SETS,
};

static uint8_t buf[IPFIX_MSG_MAX + 64];

/* A refresh round to its end; returns the number of messages it took. */
static int announce(struct ipfix_writer *w, uint32_t now)
{
	int err, n = 0;

	do {
		assert_int_equal(ipfix_msg_begin(w, buf, sizeof(buf), now), 0);
		err = ipfix_add_templates(w);
		assert_true(err == 0 || err == -ENOSPC);
		ipfix_msg_end(w);
		n++;
	} while (err);
	return n;
}

static void writer_with_templates(struct ipfix_writer *w, size_t max)
{
	assert_int_equal(ipfix_writer_init(w, ODID, max), 0);
	assert_int_equal(announce(w, T0), 2);
}

/* One message holding one record; returns its length. */
static size_t one_record(struct ipfix_writer *w, const struct eipfix_record *r)
{
	assert_int_equal(ipfix_msg_begin(w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(w, r), 0);
	return ipfix_msg_end(w);
}

static void templates_are_rfc7011_template_and_options_template_sets(void **s)
{
	struct ipfix_writer w;
	size_t len;

	(void)s;
	assert_int_equal(ipfix_writer_init(&w, ODID, 1400), 0);
	assert_true(ipfix_templates_due(&w, T0, 600));
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	/* the options templates are another domain's: a message of their own */
	assert_int_equal(ipfix_add_templates(&w), -ENOSPC);
	assert_true(ipfix_templates_pending(&w));
	len = ipfix_msg_end(&w);
	EXPECT(flow_templates, buf, len, "flow template message");
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), 0);
	len = ipfix_msg_end(&w);
	EXPECT(options_templates, buf, len, "options template message");
	assert_false(ipfix_templates_pending(&w));
}

/* Observation Domain 0 configured: one domain, one message, one sequence. */
static void with_domain_0_everything_shares_one_domain(void **s)
{
	static const uint8_t want_hdr[] = { HDR0(16 + FLOW_SET_LEN + OPTIONS_SETS_LEN, 0) };
	struct ipfix_writer w;
	struct eipfix_record r;
	size_t len;

	(void)s;
	assert_int_equal(ipfix_writer_init(&w, 0, 1400), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), 0);
	len = ipfix_msg_end(&w);
	EXPECT(want_hdr, buf, 16, "one template message in domain 0");
	assert_int_equal(len, 16 + FLOW_SET_LEN + OPTIONS_SETS_LEN);
	assert_memory_equal(buf + 16, flow_templates + 16, FLOW_SET_LEN);
	assert_memory_equal(buf + 16 + FLOW_SET_LEN, options_templates + 16,
			    OPTIONS_SETS_LEN);
	rec_v4(&r, 47);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	assert_int_equal(ipfix_add_ifname(&w, 7, "tap0"), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	ipfix_msg_end(&w);
	assert_int_equal(w.seq, 3);
	assert_int_equal(w.opt_seq, 0);
}

static void ipv4_tcp_record(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 59, 0), B16(256), B16(63),
		V4_ADDRS, B16(40000), B16(443), 6, 0x10, B16(0x001b),
		TAIL_IN(1, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 6);
	r.src_port = 40000;
	r.dst_port = 443;
	r.tcp_flags = 0x1b;	/* FIN SYN PSH ACK */
	EXPECT(want, buf, one_record(&w, &r), "IPv4 TCP");
}

/*
 * A dropped flow's record is its allowed twin's (257) plus firewallEvent 3
 * ("Flow Denied") and the deciding rule: template 267.
 */
static void ipv6_tcp_record_sending_dropped(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 83 + 5, 0), B16(267), B16(4 + 83 + 5),
		V6_ADDRS, B16(22), B16(65535), 6, 0x10, B16(0x0102),
		/* egress: ingress 0, egress 7, flowDirection 1, fwd 129 */
		B32(0), B32(7),
		B64(0x0102030405060708ull), B64(0x1112131415161718ull),
		B64(0x0000018b12345678ull), B64(0x0000018b9abcdef0ull),
		3, 0x01, 129,
		3, B32(0x01020304),	/* Flow Denied, by rule 0x01020304 */
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v6(&r, 6);
	r.direction = EIPFIX_DIR_SENDING;
	r.src_port = 22;
	r.dst_port = 65535;
	r.tcp_flags = 0x102;	/* SYN, NS */
	r.fwd_status = EIPFIX_FWD_DROPPED_ACL;
	r.acl_rule = 0x01020304;
	r.end_reason = EIPFIX_END_DETECTED;
	EXPECT(want, buf, one_record(&w, &r), "IPv6 TCP");
}

static void ipv4_udp_record(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 57, 0), B16(258), B16(61),
		V4_ADDRS, B16(53), B16(5353), 17, 0x10, TAIL_IN(2, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 17);
	r.src_port = 53;
	r.dst_port = 5353;
	r.end_reason = EIPFIX_END_ACTIVE;
	EXPECT(want, buf, one_record(&w, &r), "IPv4 UDP");
}

static void ipv6_udp_record(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 81, 0), B16(259), B16(85),
		V6_ADDRS, B16(4739), B16(1), 17, 0x10, TAIL_IN(4, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v6(&r, 17);
	r.src_port = 4739;
	r.dst_port = 1;
	r.end_reason = EIPFIX_END_FORCED;
	EXPECT(want, buf, one_record(&w, &r), "IPv6 UDP");
}

/* UDP-Lite (136) has UDP's port fields (RFC 3828 §3): the UDP template. */
static void udplite_records_keep_their_ports(void **s)
{
	static const uint8_t want4[] = {
		HDR(16 + 4 + 57, 0), B16(258), B16(61),
		V4_ADDRS, B16(5004), B16(5005), 136, 0x10, TAIL_IN(1, 64),
	};
	static const uint8_t want6[] = {
		HDR(16 + 4 + 81, 1), B16(259), B16(85),
		V6_ADDRS, B16(5004), B16(5005), 136, 0x10, TAIL_IN(1, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 136);
	r.src_port = 5004;
	r.dst_port = 5005;
	EXPECT(want4, buf, one_record(&w, &r), "IPv4 UDP-Lite");
	rec_v6(&r, 136);
	r.src_port = 5004;
	r.dst_port = 5005;
	EXPECT(want6, buf, one_record(&w, &r), "IPv6 UDP-Lite");
}

/*
 * RFC 7270 §4.12: forwardingStatus is the status in bits 7-6 (01 forwarded,
 * 10 dropped) and a reason code in bits 5-0. Forwarded with no claim about
 * fragmentation is 01 000000 (64); an ACL deny is 10 000001 (129).
 */
static void forwarding_status_is_rfc7270(void **s)
{
	struct ipfix_writer w;
	struct eipfix_record r;
	size_t len;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 47);
	len = one_record(&w, &r);
	assert_int_equal(len, 16 + 4 + 53);
	assert_int_equal(buf[len - 1], 0x40);	/* forwarded, reason unknown */
	r.fwd_status = EIPFIX_FWD_DROPPED_ACL;
	len = one_record(&w, &r);
	assert_int_equal(len, 16 + 4 + 53 + 5);
	assert_int_equal(buf[len - 6], 0x81);	/* dropped, ACL deny */
}

static void ipv4_raw_record(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 53, 0), B16(260), B16(57),
		V4_ADDRS, 47, 0x10, TAIL_IN(5, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 47);	/* GRE */
	r.end_reason = EIPFIX_END_RESOURCES;
	EXPECT(want, buf, one_record(&w, &r), "IPv4 raw");
}

static void ipv6_raw_record(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 77, 0), B16(261), B16(81),
		V6_ADDRS, 132, 0x10, TAIL_IN(1, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v6(&r, 132);	/* SCTP */
	EXPECT(want, buf, one_record(&w, &r), "IPv6 raw");
}

static void icmpv4_record(void **s)
{
	static const uint8_t want[] = {
		/* dropped by the Default: 262's dropped twin, rule 0 */
		HDR(16 + 4 + 55 + 5, 0), B16(272), B16(4 + 55 + 5),
		V4_ADDRS, 3, 13, 1, 0x10, TAIL_IN(1, 129), 3, B32(0),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 1);
	r.icmp_type = 3;	/* destination unreachable */
	r.icmp_code = 13;	/* administratively prohibited */
	r.fwd_status = EIPFIX_FWD_DROPPED_ACL;
	EXPECT(want, buf, one_record(&w, &r), "ICMPv4");
}

static void icmpv6_record(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 79, 0), B16(263), B16(83),
		V6_ADDRS, 128, 0, 58, 0x10, TAIL_IN(1, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v6(&r, 58);
	r.icmp_type = 128;	/* echo request */
	EXPECT(want, buf, one_record(&w, &r), "ICMPv6");
}

/*
 * With AllowedFlowRule, an allowed flow's record names the rule that
 * allowed it: its allowed template plus the deciding rule (PEN, 1), no
 * firewallEvent (templates 275..282, in the order of 256..263).
 */
#define T275 B16(275), B16(17), F_TCP4, F_TAIL, FSX(1, 4)
#define T275_LEN (4 + 16 * 4 + 8)

/*
 * The template of allowed flows with their rule goes out with the first
 * record that needs it, in the same message before it (a collector of a
 * profile without AllowedFlowRule never sees it), and with every refresh
 * round after that.
 */
static void ipv4_tcp_record_allowed_by_rule(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + T275_LEN + 4 + 63, 0),
		B16(2), B16(4 + T275_LEN), T275,
		B16(275), B16(4 + 63),
		V4_ADDRS, B16(40000), B16(22), 6, 0x10, B16(0x0002),
		TAIL_IN(1, 64),
		B32(2),			/* allowed by rule 2 */
	};
	static const uint8_t refresh[] = {
		B16(10), B16(16 + FLOW_SET_LEN + T275_LEN), B32(T0 + 600), B32(2), B32(ODID),
		B16(2), B16(FLOW_SET_LEN + T275_LEN),
		T256, T257, T258, T259, T260, T261, T262, T263,
		T266, T267, T268, T269, T270, T271, T272, T273, T275,
	};
	struct ipfix_writer w;
	struct eipfix_record r;
	size_t len;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 6);
	r.src_port = 40000;
	r.dst_port = 22;
	r.tcp_flags = 0x02;
	r.acl_rule = 2;
	r.has_acl_rule = true;
	EXPECT(want, buf, one_record(&w, &r), "IPv4 TCP allowed by rule 2");
	/* announced now: the next record is data alone */
	assert_int_equal(one_record(&w, &r), 16 + 4 + 63);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0 + 600), 0);
	assert_true(ipfix_templates_due(&w, T0 + 600, 600));
	assert_int_equal(ipfix_add_templates(&w), -ENOSPC);
	len = ipfix_msg_end(&w);
	EXPECT(refresh, buf, len, "refresh round with 275");
}

/* The rule of an allowed flow needs room for its template, or waits. */
static void allowed_by_rule_template_and_record_need_room(void **s)
{
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	assert_int_equal(ipfix_writer_set_max(&w, 512), 0);
	/* nearly full: the template (4 + 72) would fit, not the record after it */
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	rec_v4(&r, 17);
	for (int i = 0; i < 7; i++)
		assert_int_equal(ipfix_add_record(&w, &r), 0);
	rec_v6(&r, 17);
	r.acl_rule = 0;		/* the Default allowed it */
	r.has_acl_rule = true;
	/* -ENOSPC writes nothing, the template neither */
	assert_int_equal(ipfix_add_record(&w, &r), -ENOSPC);
	assert_int_equal(ipfix_msg_end(&w), 16 + 4 + 7 * 57);
	/* a message of its own: template set, then the record */
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	assert_int_equal(ipfix_msg_end(&w), 16 + 4 + (4 + 15 * 4 + 8) + 4 + 85);
	assert_int_equal(buf[16 + 4] << 8 | buf[16 + 5], 278);
}

static void records_are_classified_by_family_and_protocol(void **s)
{
	struct eipfix_record r;

	(void)s;
	rec_v4(&r, 6);
	assert_int_equal(ipfix_template_for(&r), 256);
	rec_v4(&r, 17);
	assert_int_equal(ipfix_template_for(&r), 258);
	rec_v4(&r, 136);	/* UDP-Lite: UDP's ports (RFC 3828) */
	assert_int_equal(ipfix_template_for(&r), 258);
	rec_v4(&r, 1);
	assert_int_equal(ipfix_template_for(&r), 262);
	rec_v4(&r, 58);		/* ICMPv6 number over IPv4: not ICMP */
	assert_int_equal(ipfix_template_for(&r), 260);
	rec_v4(&r, 0);
	assert_int_equal(ipfix_template_for(&r), 260);
	rec_v6(&r, 6);
	assert_int_equal(ipfix_template_for(&r), 257);
	rec_v6(&r, 17);
	assert_int_equal(ipfix_template_for(&r), 259);
	rec_v6(&r, 136);
	assert_int_equal(ipfix_template_for(&r), 259);
	rec_v6(&r, 58);
	assert_int_equal(ipfix_template_for(&r), 263);
	rec_v6(&r, 1);		/* ICMPv4 number over IPv6: not ICMPv6 */
	assert_int_equal(ipfix_template_for(&r), 261);
	/* allowed, naming the rule that allowed it: 275..282 */
	r.has_acl_rule = true;
	assert_int_equal(ipfix_template_for(&r), 280);
	rec_v4(&r, 6);
	r.has_acl_rule = true;
	assert_int_equal(ipfix_template_for(&r), 275);
	rec_v6(&r, 58);
	r.has_acl_rule = true;
	assert_int_equal(ipfix_template_for(&r), 282);
	/* dropped: the dropped templates, whose rule is always there */
	r.fwd_status = EIPFIX_FWD_DROPPED_ACL;
	assert_int_equal(ipfix_template_for(&r), 273);
	rec_v6(&r, 255);
	assert_int_equal(ipfix_template_for(&r), 261);
	/* a dropped flow: the same template's dropped twin, 10 IDs on */
	static const struct { uint8_t v6, proto; uint16_t tid; } denied[] = {
		{ 0, 6, 266 }, { 1, 6, 267 }, { 0, 17, 268 }, { 1, 136, 269 },
		{ 0, 47, 270 }, { 1, 1, 271 }, { 0, 1, 272 }, { 1, 58, 273 },
	};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		if (denied[i].v6)
			rec_v6(&r, denied[i].proto);
		else
			rec_v4(&r, denied[i].proto);
		r.fwd_status = EIPFIX_FWD_DROPPED_ACL;
		assert_int_equal(ipfix_template_for(&r), denied[i].tid);
	}
}

static void records_of_one_template_share_a_set(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 4 + 53 * 2 + 4 + 55, 0),
		B16(260), B16(4 + 53 * 2),
		V4_ADDRS, 47, 0x10, TAIL_IN(1, 64),
		V4_ADDRS, 50, 0x10, TAIL_IN(1, 64),
		B16(262), B16(4 + 55),
		V4_ADDRS, 8, 0, 1, 0x10, TAIL_IN(1, 64),
	};
	struct ipfix_writer w;
	struct eipfix_record a, b, c;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&a, 47);
	rec_v4(&b, 50);
	rec_v4(&c, 1);
	c.icmp_type = 8;
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &a), 0);
	assert_int_equal(ipfix_add_record(&w, &b), 0);
	assert_int_equal(ipfix_add_record(&w, &c), 0);
	EXPECT(want, buf, ipfix_msg_end(&w), "two sets");
}

/* RFC 7011 §3.3.1: padding is zero octets, counted in the Set Length. */
static void padding_aligns_sets_with_zero_octets(void **s)
{
	static const uint8_t want[] = {
		HDR(16 + 64 + 60, 0),
		B16(256), B16(64),	/* 4 + 59 + 1 pad */
		V4_ADDRS, B16(1), B16(2), 6, 0x10, B16(0x02), TAIL_IN(1, 64),
		0,
		B16(262), B16(60),	/* 4 + 55 + 1 pad */
		V4_ADDRS, 0, 0, 1, 0x10, TAIL_IN(1, 64),
		0,
	};
	struct ipfix_writer w;
	struct eipfix_record a, b;

	(void)s;
	writer_with_templates(&w, 1400);
	ipfix_writer_set_padding(&w, true);
	rec_v4(&a, 6);
	a.src_port = 1;
	a.dst_port = 2;
	a.tcp_flags = 0x02;
	rec_v4(&b, 1);
	memset(buf, 0xee, sizeof(buf));	/* padding must be written as 0 */
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &a), 0);
	assert_int_equal(ipfix_add_record(&w, &b), 0);
	EXPECT(want, buf, ipfix_msg_end(&w), "padded sets");
}

static void options_records_reliability_and_interface_name(void **s)
{
	static const uint8_t want[] = {
		HDR0(16 + 4 + 60 + 4 + 3 * 40, 5),
		B16(264), B16(64),
		B32(4242),				/* exportingProcessId */
		B64(3), B64(30), B64(4500),		/* not sent */
		B64(0x0000018b00000001ull), B64(0x0000018b00000002ull),
		B64(77), B64(1000),			/* exported */
		B16(265), B16(4 + 3 * 40),
		/* domain, ifindex, interfaceName, the same as interfaceDescription */
		B32(ODID), B32(7),
		't', 'a', 'p', '0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		't', 'a', 'p', '0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		B32(ODID), B32(9),			/* empty name */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		B32(ODID), B32(11),			/* cut to 15, then a NUL */
		'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
		'i', 'j', 'k', 'l', 'm', 'n', 'o', 0,
		'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
		'i', 'j', 'k', 'l', 'm', 'n', 'o', 0,
	};
	struct ipfix_reliability st = {
		.exporting_process_id = 4242,
		.not_sent_flows = 3,
		.not_sent_packets = 30,
		.not_sent_octets = 4500,
		.first_drop_ms = 0x0000018b00000001ull,
		.last_drop_ms = 0x0000018b00000002ull,
		.exported_messages = 77,
		.exported_flow_records = 1000,
	};
	struct ipfix_writer w;
	struct eipfix_record r;
	size_t len;

	(void)s;
	writer_with_templates(&w, 1400);
	w.opt_seq = 5;
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_reliability(&w, &st), 0);
	assert_int_equal(ipfix_add_ifname(&w, 7, "tap0"), 0);
	assert_int_equal(ipfix_add_ifname(&w, 9, ""), 0);
	assert_int_equal(ipfix_add_ifname(&w, 11, "abcdefghijklmnopqrst"), 0);
	/* a flow record is the other domain's: not in this message */
	rec_v4(&r, 47);
	assert_int_equal(ipfix_add_record(&w, &r), -ENOSPC);
	len = ipfix_msg_end(&w);
	EXPECT(want, buf, len, "options data");
	/* options data records are Data Records: they count (RFC 7011 §3.1), in their domain */
	assert_int_equal(w.opt_seq, 5 + 4);
	assert_int_equal(w.seq, 0);
}

/*
 * The rule table (274): domain, rule, and the Description as a
 * variable-length string (RFC 7011 §7): one length octet below 255, else
 * 255 and a two-octet length. At most 255 octets are sent.
 */
static void options_records_rule_table(void **s)
{
	/* records: 8 + 1 + 7, 8 + 1, 8 + 1 + 2, 8 + 1, and 2 x (8 + 3 + 255) */
	static uint8_t want[16 + 4 + 16 + 9 + 11 + 9 + 2 * 266];
	static const uint8_t head[] = {
		HDR0(sizeof(want), 2),
		B16(274), B16(sizeof(want) - 16),
		B32(ODID), B32(0), 7, 'D', 'e', 'f', 'a', 'u', 'l', 't',
		B32(ODID), B32(3), 0,				/* no Description */
		B32(ODID), B32(65535), 2, 'h', 'i',
		B32(ODID), B32(4), 0,				/* NULL: none */
	};
	static char long_desc[300];
	struct ipfix_writer w;
	struct eipfix_record r;
	uint8_t *p;

	(void)s;
	/* then two 255-octet strings, 255 and a length: exactly 255, cut to 255 */
	memcpy(want, head, sizeof(head));
	p = want + sizeof(head);
	for (int k = 0; k < 2; k++) {
		const uint8_t rec[] = { B32(ODID), B32(7 + k), 255, B16(255) };

		memcpy(p, rec, sizeof(rec));
		memset(p + sizeof(rec), 'x', 255);
		p += sizeof(rec) + 255;
	}
	assert_int_equal(p - want, sizeof(want));

	writer_with_templates(&w, 1400);
	w.opt_seq = 2;
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_rule(&w, 0, "Default"), 0);
	assert_int_equal(ipfix_add_rule(&w, 3, ""), 0);
	assert_int_equal(ipfix_add_rule(&w, 65535, "hi"), 0);
	assert_int_equal(ipfix_add_rule(&w, 4, NULL), 0);
	memset(long_desc, 'x', 255);
	assert_int_equal(ipfix_add_rule(&w, 7, long_desc), 0);
	memset(long_desc, 'x', sizeof(long_desc) - 1);
	assert_int_equal(ipfix_add_rule(&w, 8, long_desc), 0);
	rec_v4(&r, 47);
	assert_int_equal(ipfix_add_record(&w, &r), -ENOSPC);	/* other domain */
	EXPECT(want, buf, ipfix_msg_end(&w), "rule table");
	assert_int_equal(w.opt_seq, 2 + 6);
	assert_int_equal(ipfix_rule_record_len("hi"), 4 + 4 + 1 + 2);
	assert_int_equal(ipfix_rule_record_len(long_desc), 4 + 4 + 3 + 255);
}

/*
 * The flows' sequence numbers count flow records only, whatever options
 * records go out between them: a collector that counts only the records
 * it keeps (nfdump) sees no gap.
 */
static void options_records_leave_the_flow_sequence_alone(void **s)
{
	static const uint8_t hdr_flows2[] = { HDR(16 + 4 + 53, 2) };
	static const uint8_t hdr_opts2[] = { HDR0(16 + 4 + 40, 1) };
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 47);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	assert_int_equal(ipfix_add_ifname(&w, 7, "tap0"), -ENOSPC);
	ipfix_msg_end(&w);
	assert_int_equal(ipfix_msg_seq(&w), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_ifname(&w, 7, "tap0"), 0);
	ipfix_msg_end(&w);
	assert_int_equal(ipfix_msg_seq(&w), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_ifname(&w, 9, "wg0"), 0);
	ipfix_msg_end(&w);
	EXPECT(hdr_opts2, buf, 16, "second options message");
	(void)one_record(&w, &r);
	EXPECT(hdr_flows2, buf, 16, "flows after options");
	assert_int_equal(ipfix_msg_seq(&w), 2);
}

/* Sequence number: data records before this message; templates do not count. */
static void sequence_numbers_count_data_records_only(void **s)
{
	static const uint8_t hdr_second[] = { HDR(16 + 4 + 53 * 3, 0) };
	static const uint8_t hdr_third[] = { HDR(16 + FLOW_SET_LEN, 3) };
	static const uint8_t hdr_third_opt[] = { HDR0(16 + OPTIONS_SETS_LEN, 0) };
	static const uint8_t hdr_fourth[] = { HDR(16 + 4 + 53, 3) };
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	assert_int_equal(w.seq, 0);
	rec_v4(&r, 47);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ipfix_add_record(&w, &r), 0);
	(void)ipfix_msg_end(&w);
	EXPECT(hdr_second, buf, 16, "header of 3 records");
	/* a template refresh after them carries 3, and does not add */
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), -ENOSPC);
	(void)ipfix_msg_end(&w);
	EXPECT(hdr_third, buf, 16, "header of refresh");
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), 0);
	(void)ipfix_msg_end(&w);
	EXPECT(hdr_third_opt, buf, 16, "header of the options templates");
	(void)one_record(&w, &r);
	EXPECT(hdr_fourth, buf, 16, "header after refresh");
	assert_int_equal(w.seq, 4);
}

static void sequence_number_wraps_mod_2_32(void **s)
{
	static const uint8_t hdr[] = { HDR(16 + 4 + 53 * 2, 0xffffffffu) };
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	writer_with_templates(&w, 1400);
	w.seq = 0xffffffffu;
	rec_v4(&r, 47);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	assert_int_equal(ipfix_add_record(&w, &r), 0);
	(void)ipfix_msg_end(&w);
	EXPECT(hdr, buf, 16, "header at wrap");
	assert_int_equal(w.seq, 1);
}

static void data_before_its_template_is_refused(void **s)
{
	struct ipfix_writer w;
	struct eipfix_record r;

	(void)s;
	rec_v4(&r, 6);
	assert_int_equal(ipfix_writer_init(&w, ODID, 1400), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_record(&w, &r), -ENOENT);
	assert_int_equal(ipfix_add_ifname(&w, 1, "x"), -ENOENT);
	assert_int_equal(ipfix_msg_end(&w), 16);
	assert_false(ipfix_msg_has_sets(&w));
	assert_int_equal(w.seq, 0);
}

static void message_size_limits_are_enforced(void **s)
{
	struct ipfix_writer w;

	(void)s;
	assert_int_equal(ipfix_writer_init(&w, 0, 511), -EINVAL);
	assert_int_equal(ipfix_writer_init(&w, 0, 65001), -EINVAL);
	assert_int_equal(ipfix_writer_init(&w, 0, 512), 0);
	assert_int_equal(ipfix_writer_init(&w, 0, 65000), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, 19, T0), -EINVAL);
	assert_int_equal(ipfix_msg_begin(&w, buf, 512, T0), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, 512, T0), -EBUSY);
}

/*
 * At MessageSize 512 the announcement does not fit one message. IPv4
 * TCP..ICMPv4 go in the first (16 + 4 + 436 = 456: ICMPv6's 60 more would
 * make 516); ICMPv6 and the dropped-flow templates 266..270 in the second
 * (16 + 4 + 60 + 80 + 80 + 76 + 76 + 68 = 460: 271's 68 would make 528);
 * 271..273 in the third (16 + 4 + 68 + 72 + 72 = 232); the options
 * templates, domain 0's, in the fourth. A record whose template is still
 * to come is refused until then.
 */
static void templates_split_at_512(void **s)
{
	static const uint8_t first_hdr[] = { HDR(456, 0), B16(2), B16(440) };
	static const uint8_t second[] = {
		HDR(460, 0), B16(2), B16(444),
		T263, T266, T267, T268, T269, T270,
	};
	static const uint8_t third[] = {
		HDR(232, 0), B16(2), B16(216), T271, T272, T273,
	};
	struct ipfix_writer w;
	struct eipfix_record icmp6, icmp4;
	size_t len;

	(void)s;
	rec_v6(&icmp6, 58);
	rec_v4(&icmp4, 1);
	assert_int_equal(ipfix_writer_init(&w, ODID, 512), 0);
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), -ENOSPC);
	assert_true(ipfix_templates_pending(&w));
	assert_false(ipfix_templates_due(&w, T0, 600));
	assert_int_equal(ipfix_add_record(&w, &icmp6), -ENOENT);
	assert_int_equal(ipfix_add_record(&w, &icmp4), -ENOSPC);	/* full */
	len = ipfix_msg_end(&w);
	assert_int_equal(len, 456);
	EXPECT(first_hdr, buf, sizeof(first_hdr), "first part");
	assert_memory_equal(buf + 20, flow_templates + 20, 436);

	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), -ENOSPC);
	EXPECT(second, buf, ipfix_msg_end(&w), "second part");
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), -ENOSPC);	/* domain 0 next */
	EXPECT(third, buf, ipfix_msg_end(&w), "third part");
	assert_int_equal(ipfix_msg_begin(&w, buf, sizeof(buf), T0), 0);
	assert_int_equal(ipfix_add_templates(&w), 0);
	assert_false(ipfix_templates_pending(&w));
	EXPECT(options_templates, buf, ipfix_msg_end(&w), "fourth part");
}

static void template_refresh_follows_the_caller_clock(void **s)
{
	struct ipfix_writer w;

	(void)s;
	assert_int_equal(ipfix_writer_init(&w, ODID, 1400), 0);
	assert_true(ipfix_templates_due(&w, 1000, 600));	/* at start */
	assert_int_equal(announce(&w, 1000), 2);
	assert_false(ipfix_templates_due(&w, 1000, 600));
	assert_false(ipfix_templates_due(&w, 1599, 600));
	assert_true(ipfix_templates_due(&w, 1600, 600));
	assert_true(ipfix_templates_due(&w, 999, 600));	/* clock stepped back */
	assert_int_equal(announce(&w, 1700), 2);
	assert_false(ipfix_templates_due(&w, 2299, 600));
	assert_true(ipfix_templates_due(&w, 2300, 600));
	assert_true(ipfix_templates_due(&w, 1701, 1) == true);
	/* a new session forgets everything */
	ipfix_session_reset(&w);
	assert_true(ipfix_templates_due(&w, 1700, 600));
}

/* A minimal RFC 7011 parser to check messages the test did not hand-write. */
struct parsed {
	unsigned int records;
	uint64_t ids[4096];	/* octetDeltaCount of each flow record */
};

static void parse_message(const uint8_t *m, size_t len, size_t max,
			  uint32_t want_seq, struct parsed *out)
{
	size_t off = IPFIX_HDR_LEN;
	uint32_t seq;

	assert_true(len <= max);
	assert_int_equal(m[0] << 8 | m[1], 10);
	assert_int_equal((size_t)(m[2] << 8 | m[3]), len);
	seq = (uint32_t)m[8] << 24 | m[9] << 16 | m[10] << 8 | m[11];
	assert_int_equal(seq, want_seq);
	while (off < len) {
		unsigned int id = m[off] << 8 | m[off + 1];
		size_t slen = m[off + 2] << 8 | m[off + 3];
		size_t rlen;

		assert_true(slen >= 4 && off + slen <= len);
		if (id == 2 || id == 3) {	/* (options) template set */
			off += slen;
			continue;
		}
		assert_true(id >= 256 && id <= 263);
		rlen = id == 256 ? 59 : id == 257 ? 83 : id == 258 ? 57 :
		       id == 259 ? 81 : id == 260 ? 53 : id == 261 ? 77 :
		       id == 262 ? 55 : 79;
		assert_int_equal((slen - 4) % rlen, 0);
		for (size_t p = off + 4; p < off + slen; p += rlen) {
			/* octetDeltaCount sits 8 + 8 after the addresses... */
			size_t addr = id & 1 ? 32 : 8;
			size_t mid = id <= 259 ? 4 : id >= 262 ? 2 : 0;
			size_t oc = p + addr + mid + 2 + (id <= 257 ? 2 : 0) + 8;
			uint64_t v = 0;

			for (int k = 0; k < 8; k++)
				v = v << 8 | m[oc + k];
			out->ids[out->records++] = v;
		}
		off += slen;
	}
	assert_int_equal(off, len);
}

static void records_split_at_the_size_limit_without_loss(void **s)
{
	static const size_t sizes[] = { 512, 513, 514, 515, 1400, 1500, 9000 };
	static uint8_t msg[IPFIX_MSG_MAX];

	(void)s;
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		static struct parsed got;
		struct ipfix_writer w;
		unsigned int n = 1000, i = 0, msgs = 0;

		memset(&got, 0, sizeof(got));
		assert_int_equal(ipfix_writer_init(&w, ODID, sizes[z]), 0);
		do {
			uint32_t before = w.seq;
			size_t len;

			assert_int_equal(ipfix_msg_begin(&w, msg, sizeof(msg), T0), 0);
			if ((ipfix_templates_due(&w, T0, 600) ||
			     ipfix_templates_pending(&w)) &&
			    ipfix_add_templates(&w) == -ENOSPC)
				goto end;
			while (i < n) {
				struct eipfix_record r;
				static const uint8_t protos[] = { 6, 17, 1, 58, 47 };

				if (i % 2)
					rec_v6(&r, protos[i % 5]);
				else
					rec_v4(&r, protos[i % 5]);
				r.octets = i;
				if (ipfix_add_record(&w, &r) == -ENOSPC)
					break;
				i++;
			}
end:
			len = ipfix_msg_end(&w);
			msgs++;
			parse_message(msg, len, sizes[z], before, &got);
		} while (i < n);
		assert_true(msgs > 1);
		assert_int_equal(got.records, n);
		for (unsigned int k = 0; k < n; k++)
			assert_int_equal(got.ids[k], k);	/* in order, once */
		assert_int_equal(w.seq, n);
	}
}

/* A buffer smaller than MessageSize limits the message too. */
static void small_buffer_limits_the_message(void **s)
{
	struct ipfix_writer w;
	struct eipfix_record r;
	int k = 0;

	(void)s;
	writer_with_templates(&w, 1400);
	rec_v4(&r, 47);
	assert_int_equal(ipfix_msg_begin(&w, buf, 16 + 4 + 53 * 2 + 52, T0), 0);
	while (ipfix_add_record(&w, &r) == 0)
		k++;
	assert_int_equal(k, 2);
	assert_int_equal(ipfix_msg_end(&w), 16 + 4 + 53 * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(templates_are_rfc7011_template_and_options_template_sets),
		cmocka_unit_test(ipv4_tcp_record),
		cmocka_unit_test(ipv6_tcp_record_sending_dropped),
		cmocka_unit_test(ipv4_tcp_record_allowed_by_rule),
		cmocka_unit_test(allowed_by_rule_template_and_record_need_room),
		cmocka_unit_test(ipv4_udp_record),
		cmocka_unit_test(ipv6_udp_record),
		cmocka_unit_test(udplite_records_keep_their_ports),
		cmocka_unit_test(forwarding_status_is_rfc7270),
		cmocka_unit_test(ipv4_raw_record),
		cmocka_unit_test(ipv6_raw_record),
		cmocka_unit_test(icmpv4_record),
		cmocka_unit_test(icmpv6_record),
		cmocka_unit_test(records_are_classified_by_family_and_protocol),
		cmocka_unit_test(records_of_one_template_share_a_set),
		cmocka_unit_test(padding_aligns_sets_with_zero_octets),
		cmocka_unit_test(with_domain_0_everything_shares_one_domain),
		cmocka_unit_test(options_records_reliability_and_interface_name),
		cmocka_unit_test(options_records_rule_table),
		cmocka_unit_test(options_records_leave_the_flow_sequence_alone),
		cmocka_unit_test(sequence_numbers_count_data_records_only),
		cmocka_unit_test(sequence_number_wraps_mod_2_32),
		cmocka_unit_test(data_before_its_template_is_refused),
		cmocka_unit_test(message_size_limits_are_enforced),
		cmocka_unit_test(templates_split_at_512),
		cmocka_unit_test(template_refresh_follows_the_caller_clock),
		cmocka_unit_test(records_split_at_the_size_limit_without_loss),
		cmocka_unit_test(small_buffer_limits_the_message),
	};

	return cmocka_run_group_tests_name("ipfix", tests, NULL, NULL);
}
