// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the Access Control Rules (kmod/acl.c) alone. Every field of a rule
 * in IPv4 and IPv6, first-match order, Default, port lists and ranges, the
 * stateful reply path and its bound, the compiled matcher against a naive
 * linear reference under random rules and packets, replacement of a rule
 * set under concurrent lookups, and the per-packet cost at 1, 100 and
 * 10,000 rules.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>

#include "acl.h"

#define V4(a, b, c, d) ((a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct in6_addr v4addr(u32 host_order)
{
	struct in6_addr a = {};

	a.s6_addr32[0] = htonl(host_order);
	return a;
}

/* 2001:db8::<low> */
static struct in6_addr v6addr(u32 low)
{
	struct in6_addr a = {};

	a.s6_addr32[0] = htonl(0x20010db8);
	a.s6_addr32[3] = htonl(low);
	return a;
}

static struct eipfix_rule mkrule(u8 action, u8 dir, u8 family, struct in6_addr peer,
				 u8 prefix, u8 proto)
{
	struct eipfix_rule r = {
		.action = action, .direction = dir, .family = family,
		.peer = peer, .prefix_len = prefix, .protocol = proto,
	};

	return r;
}

static void set_ports(struct kunit *test, struct eipfix_rule *r, const u32 *ranges,
		      u32 n)
{
	r->ports = kunit_kmalloc_array(test, n, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->ports);
	memcpy(r->ports, ranges, n * sizeof(u32));
	r->nports = n;
}

static struct eipfix_acl *compile(struct kunit *test, const struct eipfix_rule *rules,
				  u32 n, u8 def)
{
	struct eipfix_acl *acl = eipfix_acl_compile(rules, n, def, false, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, acl);
	return acl;
}

static u8 match(const struct eipfix_acl *acl, u8 family, struct in6_addr peer,
		u8 proto, u16 dport, u8 dir, u32 *rule)
{
	u32 dummy;

	return eipfix_acl_match(acl, family, &peer, proto, dport, dir, rule ?: &dummy);
}

#define ALLOW EIPFIX_ACL_ALLOW
#define DENY EIPFIX_ACL_DENY
#define RX EIPFIX_DIR_RECEIVED
#define TX EIPFIX_DIR_SENDING

/* ---- matching, field by field ---- */

static void acl_peer_prefix_v4(struct kunit *test)
{
	struct eipfix_rule rules[] = {
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 2)), 32, 0),
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 0)), 10, 0),
	};
	struct eipfix_acl *acl = compile(test, rules, 2, ALLOW);
	u32 r;

	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 64, 0, 2)), 6, 22, RX, &r), DENY);
	KUNIT_EXPECT_EQ(test, r, 1U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 127, 255, 1)), 6, 22, RX, &r),
			DENY);
	KUNIT_EXPECT_EQ(test, r, 2U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 128, 0, 1)), 6, 22, RX, &r),
			ALLOW);
	KUNIT_EXPECT_EQ(test, r, 0U);
	/* A v4 rule never matches an IPv6 peer, even one with the same first word. */
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v4addr(V4(100, 64, 0, 2)), 6, 22, RX, &r),
			ALLOW);
	eipfix_acl_free(acl);
}

static void acl_peer_prefix_v6(struct kunit *test)
{
	struct eipfix_rule rules[] = {
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET6, v6addr(2), 128, 0),
		mkrule(ALLOW, EIPFIX_DIR_BOTH, AF_INET6, v6addr(0), 64, 0),
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET6, v6addr(0), 0, 0),
	};
	struct eipfix_acl *acl = compile(test, rules, 3, ALLOW);
	struct in6_addr other = v6addr(7);
	u32 r;

	other.s6_addr32[1] = htonl(1);	/* 2001:db8:0:1::7, outside the /64 */
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(2), 17, 53, TX, &r), DENY);
	KUNIT_EXPECT_EQ(test, r, 1U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(3), 17, 53, TX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 2U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, other, 17, 53, TX, &r), DENY);
	KUNIT_EXPECT_EQ(test, r, 3U);
	/* ::/0 is every IPv6 peer, but no IPv4 one. */
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(1), 17, 53, TX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 0U);
	eipfix_acl_free(acl);
}

static void acl_protocol(struct kunit *test)
{
	struct eipfix_rule rules[] = {
		mkrule(DENY, EIPFIX_DIR_BOTH, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_TCP),
		mkrule(DENY, EIPFIX_DIR_BOTH, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_UDP),
		mkrule(DENY, EIPFIX_DIR_BOTH, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_ICMP),
		mkrule(ALLOW, EIPFIX_DIR_BOTH, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_ANY),
	};
	struct eipfix_acl *acl = compile(test, rules, 4, DENY);
	u32 r;

	match(acl, AF_INET, v4addr(1), IPPROTO_TCP, 1, RX, &r);
	KUNIT_EXPECT_EQ(test, r, 1U);
	match(acl, AF_INET6, v6addr(1), IPPROTO_UDP, 1, RX, &r);
	KUNIT_EXPECT_EQ(test, r, 2U);
	/* Icmp is ICMPv4 and ICMPv6. */
	match(acl, AF_INET, v4addr(1), IPPROTO_ICMP, 0, RX, &r);
	KUNIT_EXPECT_EQ(test, r, 3U);
	match(acl, AF_INET6, v6addr(1), IPPROTO_ICMPV6, 0, RX, &r);
	KUNIT_EXPECT_EQ(test, r, 3U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(1), IPPROTO_GRE, 0, RX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 4U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(1), IPPROTO_UDPLITE, 0, RX, &r), ALLOW);
	eipfix_acl_free(acl);
}

static void acl_direction(struct kunit *test)
{
	struct eipfix_rule rules[] = {
		mkrule(DENY, EIPFIX_DIR_RECEIVED, AF_INET, v4addr(V4(100, 64, 0, 2)), 32, 0),
		mkrule(ALLOW, EIPFIX_DIR_SENDING, AF_INET, v4addr(V4(100, 64, 0, 3)), 32, 0),
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 3)), 32, 0),
	};
	struct eipfix_acl *acl = compile(test, rules, 3, ALLOW);
	u32 r;

	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 64, 0, 2)), 6, 80, RX, &r), DENY);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 64, 0, 2)), 6, 80, TX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 0U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 64, 0, 3)), 6, 80, TX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 2U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 64, 0, 3)), 6, 80, RX, &r), DENY);
	KUNIT_EXPECT_EQ(test, r, 3U);
	eipfix_acl_free(acl);
}

static void acl_port_lists_and_ranges(struct kunit *test)
{
	/* "443,22,8000-8100,8050-8200,23" given out of order and overlapping. */
	static const u32 ranges[] = {
		443 << 16 | 443, 22 << 16 | 22, 8000 << 16 | 8100,
		8050 << 16 | 8200, 23 << 16 | 23,
	};
	struct eipfix_rule rules[] = {
		mkrule(ALLOW, EIPFIX_DIR_BOTH, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_TCP),
		mkrule(ALLOW, EIPFIX_DIR_BOTH, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_UDP),
	};
	static const u32 udp_ranges[] = { 53 << 16 | 53, 1 << 16 | 10 };
	static const u16 in[] = { 22, 23, 443, 8000, 8099, 8100, 8101, 8200 };
	static const u16 out[] = { 1, 21, 24, 442, 444, 7999, 8201, 65535 };
	struct eipfix_acl *acl;
	unsigned int i;
	u32 r;

	set_ports(test, &rules[0], ranges, ARRAY_SIZE(ranges));
	set_ports(test, &rules[1], udp_ranges, ARRAY_SIZE(udp_ranges));
	acl = compile(test, rules, 2, DENY);
	KUNIT_EXPECT_EQ(test, acl->rules[0].nports, 3U);	/* 22-23, 443, 8000-8200 */
	for (i = 0; i < ARRAY_SIZE(in); i++)
		KUNIT_EXPECT_EQ_MSG(test, match(acl, AF_INET, v4addr(1), 6, in[i], RX, &r),
				    ALLOW, "tcp port %u", in[i]);
	for (i = 0; i < ARRAY_SIZE(out); i++)
		KUNIT_EXPECT_EQ_MSG(test, match(acl, AF_INET, v4addr(1), 6, out[i], RX, &r),
				    DENY, "tcp port %u", out[i]);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(1), 17, 53, TX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 2U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(1), 17, 10, TX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(1), 17, 11, TX, &r), DENY);
	/* TCP ports do not open UDP. */
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(1), 17, 22, TX, &r), DENY);
	eipfix_acl_free(acl);
}

static void acl_first_match_wins(struct kunit *test)
{
	static const u32 p22[] = { 22 << 16 | 22 };
	struct eipfix_rule rules[] = {
		/* A later, more specific rule does not beat an earlier, broader one. */
		mkrule(ALLOW, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 0)), 10,
		       EIPFIX_ACL_PROTO_TCP),
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 2)), 32,
		       EIPFIX_ACL_PROTO_TCP),
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(198, 51, 100, 7)), 32,
		       EIPFIX_ACL_PROTO_TCP),
		mkrule(ALLOW, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(198, 51, 100, 0)), 24,
		       EIPFIX_ACL_PROTO_TCP),
	};
	struct eipfix_acl *acl;
	u32 r;

	set_ports(test, &rules[1], p22, 1);
	acl = compile(test, rules, 4, DENY);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(100, 64, 0, 2)), 6, 22, RX, &r), ALLOW);
	KUNIT_EXPECT_EQ(test, r, 1U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(198, 51, 100, 7)), 6, 22, RX, &r),
			DENY);
	KUNIT_EXPECT_EQ(test, r, 3U);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(V4(198, 51, 100, 8)), 6, 22, RX, &r),
			ALLOW);
	KUNIT_EXPECT_EQ(test, r, 4U);
	eipfix_acl_free(acl);
}

static void acl_default(struct kunit *test)
{
	struct eipfix_rule deny_udp = mkrule(DENY, EIPFIX_DIR_BOTH, 0, v4addr(0), 0,
					   EIPFIX_ACL_PROTO_UDP);
	struct eipfix_acl *acl;
	u32 r;

	acl = compile(test, NULL, 0, ALLOW);
	KUNIT_EXPECT_FALSE(test, acl->can_deny);
	KUNIT_EXPECT_NULL(test, acl->state);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET, v4addr(1), 6, 22, RX, &r), ALLOW);
	eipfix_acl_free(acl);

	acl = compile(test, NULL, 0, DENY);
	KUNIT_EXPECT_TRUE(test, acl->can_deny);
	KUNIT_EXPECT_NOT_NULL(test, acl->state);
	KUNIT_EXPECT_EQ(test, match(acl, AF_INET6, v6addr(1), 6, 22, TX, &r), DENY);
	KUNIT_EXPECT_EQ(test, r, 0U);
	eipfix_acl_free(acl);

	/* A deny rule alone makes a set that can deny. */
	acl = compile(test, &deny_udp, 1, ALLOW);
	KUNIT_EXPECT_TRUE(test, acl->can_deny);
	eipfix_acl_free(acl);
}

/* ---- the stateful path ---- */

static struct eipfix_key key4(u8 dir, u8 proto, u32 saddr, u32 daddr, u16 sport,
			      u16 dport)
{
	struct eipfix_key k = {
		.saddr = v4addr(saddr), .daddr = v4addr(daddr),
		.sport = htons(sport), .dport = htons(dport), .ifindex = 3,
		.family = AF_INET, .protocol = proto, .direction = dir,
	};

	return k;
}

static struct eipfix_key reply_of(struct eipfix_key k)
{
	struct eipfix_key r = k;

	r.saddr = k.daddr;
	r.daddr = k.saddr;
	r.sport = k.dport;
	r.dport = k.sport;
	r.direction = k.direction == RX ? TX : RX;
	return r;
}

#define HOST V4(100, 64, 0, 1)
#define PEER V4(100, 64, 0, 2)

static void acl_stateful_replies(struct kunit *test)
{
	static const u32 p22[] = { 22 << 16 | 22 };
	struct eipfix_rule rules[] = {
		mkrule(ALLOW, EIPFIX_DIR_RECEIVED, AF_INET, v4addr(PEER), 32,
		       EIPFIX_ACL_PROTO_TCP),
		mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_ICMP),
	};
	struct eipfix_key syn = key4(RX, IPPROTO_TCP, PEER, HOST, 40000, 22);
	struct eipfix_key k, echo, unreach;
	struct eipfix_acl_verdict v;
	unsigned long now = jiffies;
	struct eipfix_acl *acl;

	set_ports(test, &rules[0], p22, 1);
	acl = compile(test, rules, 2, DENY);
	rcu_read_lock();

	/* The peer connects to 22: allowed by rule 1, remembered. */
	eipfix_acl_decide(acl, &syn, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_RULE);
	KUNIT_EXPECT_EQ(test, v.rule, 1U);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_INSERTED);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);

	/*
	 * Our SYN-ACK goes out: no rule allows sending TCP, the state does;
	 * the rule that allowed the connection is the reply's too.
	 */
	k = reply_of(syn);
	eipfix_acl_decide(acl, &k, NULL, now + 1, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	KUNIT_EXPECT_EQ(test, v.rule, 1U);

	/* The next packet of the connection: known, counted on rule 1. */
	eipfix_acl_decide(acl, &syn, NULL, now + 2, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_STATE);
	KUNIT_EXPECT_EQ(test, v.rule, 1U);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 1), 2ULL);

	/* Not a reply: other port, other interface, same direction, new connection out. */
	k = reply_of(syn);
	k.sport = htons(23);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	k = reply_of(syn);
	k.ifindex = 4;
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	k = reply_of(syn);
	k.direction = RX;
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	k = key4(TX, IPPROTO_TCP, HOST, PEER, 50000, 22);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	KUNIT_EXPECT_EQ(test, v.rule, 0U);
	/* A refused connection leaves nothing behind. */
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);
	k = key4(RX, IPPROTO_TCP, PEER, HOST, 40000, 23);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	k = reply_of(k);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	/* Idle past the TCP timeout: the reply is on its own again. */
	k = reply_of(syn);
	eipfix_acl_decide(acl, &k, NULL, now + 2 + EIPFIX_ACL_STATE_TCP_TIMEOUT, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	/* ping out is allowed, its echo reply comes back; other ICMP does not. */
	echo = key4(TX, IPPROTO_ICMP, HOST, PEER, 0, 8 << 8);
	eipfix_acl_decide(acl, &echo, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.rule, 2U);
	k = key4(RX, IPPROTO_ICMP, PEER, HOST, 0, 0 << 8);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	unreach = key4(RX, IPPROTO_ICMP, PEER, HOST, 0, 3 << 8 | 3);
	eipfix_acl_decide(acl, &unreach, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	/* A ping from the peer is refused: Icmp is allowed only when sending. */
	k = key4(RX, IPPROTO_ICMP, PEER, HOST, 0, 8 << 8);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	rcu_read_unlock();
	eipfix_acl_free(acl);
}

/*
 * ICMP errors about an allowed connection pass under Default Deny (port
 * unreachable, fragmentation needed): those about anything else do not.
 */
static void acl_related_icmp_errors(struct kunit *test)
{
	struct eipfix_rule send_all = mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0);
	struct eipfix_key out = key4(TX, IPPROTO_UDP, HOST, PEER, 40000, 9);
	struct eipfix_key unreach = key4(RX, IPPROTO_ICMP, PEER, HOST, 0, 3 << 8 | 3);
	struct eipfix_key quoted = out, other;
	struct eipfix_acl_verdict v;
	unsigned long now = jiffies;
	struct eipfix_acl *acl = compile(test, &send_all, 1, DENY);

	rcu_read_lock();
	/* Nothing sent yet: an error quoting it is refused. */
	eipfix_acl_decide(acl, &unreach, &quoted, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	eipfix_acl_decide(acl, &out, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	/* The peer's port unreachable quoting our datagram: related, by its rule. */
	eipfix_acl_decide(acl, &unreach, &quoted, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	KUNIT_EXPECT_EQ(test, v.rule, 1U);
	/* Without the quote, or quoting another port, it is not. */
	eipfix_acl_decide(acl, &unreach, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	other = quoted;
	other.dport = htons(10);
	eipfix_acl_decide(acl, &unreach, &other, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	/* From another peer than the one the quoted datagram went to: not related. */
	other = unreach;
	other.saddr = v4addr(V4(100, 64, 0, 3));
	eipfix_acl_decide(acl, &other, &quoted, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	/* IPv6: a packet too big about our TCP (path MTU discovery). */
	{
		struct eipfix_key t6 = {
			.saddr = v6addr(1), .daddr = v6addr(2), .sport = htons(33333),
			.dport = htons(443), .ifindex = 5, .family = AF_INET6,
			.protocol = IPPROTO_TCP, .direction = TX,
		};
		struct eipfix_key ptb = {
			.saddr = v6addr(2), .daddr = v6addr(1), .dport = htons(2 << 8),
			.ifindex = 5, .family = AF_INET6, .protocol = IPPROTO_ICMPV6,
			.direction = RX,
		};

		eipfix_acl_decide(acl, &ptb, &t6, now, 1, &v);
		KUNIT_EXPECT_EQ(test, v.action, DENY);
		eipfix_acl_decide(acl, &t6, NULL, now, 1, &v);
		eipfix_acl_decide(acl, &ptb, &t6, now, 1, &v);
		KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	}
	rcu_read_unlock();
	eipfix_acl_free(acl);
}

static void acl_stateful_v6(struct kunit *test)
{
	struct eipfix_rule send_all = mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0);
	struct eipfix_key k = {
		.saddr = v6addr(1), .daddr = v6addr(2), .sport = htons(33333),
		.dport = htons(443), .ifindex = 5, .family = AF_INET6,
		.protocol = IPPROTO_UDP, .direction = TX,
	};
	struct eipfix_acl_verdict v;
	struct eipfix_acl *acl = compile(test, &send_all, 1, DENY);
	struct eipfix_key r = reply_of(k);

	rcu_read_lock();
	eipfix_acl_decide(acl, &r, NULL, jiffies, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	eipfix_acl_decide(acl, &k, NULL, jiffies, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	eipfix_acl_decide(acl, &r, NULL, jiffies, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	/* Non-TCP connections end sooner. */
	eipfix_acl_decide(acl, &r, NULL, jiffies + EIPFIX_ACL_STATE_TIMEOUT + 1, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	rcu_read_unlock();
	eipfix_acl_free(acl);
}

/*
 * A connection is remembered only where something of its opposite direction
 * could be denied: under README's rule set (Deny Tcp 23 received, Default
 * Allow) a connection a peer opens is not (nothing the host sends can be
 * denied, and the peer's own packets are judged alike again), one the host
 * opens still is, so that its replies and errors pass.
 */
static void acl_remembers_only_what_can_be_denied(struct kunit *test)
{
	static const u32 p23[] = { 23 << 16 | 23 };
	struct eipfix_rule telnet = mkrule(DENY, EIPFIX_DIR_RECEIVED, 0, v4addr(0), 0,
					   EIPFIX_ACL_PROTO_TCP);
	struct eipfix_key ssh = key4(RX, IPPROTO_TCP, PEER, HOST, 40000, 22);
	struct eipfix_key dns = key4(TX, IPPROTO_UDP, HOST, PEER, 50000, 53);
	struct eipfix_key k = reply_of(dns);
	struct eipfix_acl_verdict v;
	unsigned long now = jiffies;
	struct eipfix_acl *acl;

	set_ports(test, &telnet, p23, 1);
	acl = compile(test, &telnet, 1, ALLOW);
	rcu_read_lock();
	/* The peer's connection to 22: allowed by the Default, each time. */
	eipfix_acl_decide(acl, &ssh, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_NONE);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 0U);
	eipfix_acl_decide(acl, &ssh, NULL, now, 2, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_RULE);
	KUNIT_EXPECT_EQ(test, v.rule, 0U);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 0), 3ULL);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 0U);
	/* A telnet attempt is still refused. */
	k = key4(RX, IPPROTO_TCP, PEER, HOST, 40001, 23);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	/* The host's query is remembered, and its answer passes as a reply. */
	eipfix_acl_decide(acl, &dns, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_INSERTED);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);
	k = reply_of(dns);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);
	rcu_read_unlock();
	eipfix_acl_free(acl);

	/* The mirror image: only sending can be denied, so only what is received is kept. */
	telnet.direction = EIPFIX_DIR_SENDING;
	acl = compile(test, &telnet, 1, ALLOW);
	rcu_read_lock();
	eipfix_acl_decide(acl, &dns, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_NONE);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 0U);
	eipfix_acl_decide(acl, &ssh, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_INSERTED);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);
	rcu_read_unlock();
	eipfix_acl_free(acl);
}

/*
 * What is not remembered changes no verdict. Under Default Deny both ways
 * are remembered: a reply and an ICMP error about a connection the host
 * opened pass. Under README's rule set plus "Deny Icmp received", an error
 * about the host's answer to a connection a peer opened passes (the answer
 * is remembered in its stead), and the host's port unreachable about a
 * peer's datagram makes no ICMP connection that would let the peer's echo
 * replies in.
 */
static void acl_forgetting_changes_no_verdict(struct kunit *test)
{
	static const u32 p23[] = { 23 << 16 | 23 };
	struct eipfix_rule rules[] = {
		mkrule(DENY, EIPFIX_DIR_RECEIVED, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_TCP),
		mkrule(DENY, EIPFIX_DIR_RECEIVED, 0, v4addr(0), 0, EIPFIX_ACL_PROTO_ICMP),
	};
	struct eipfix_rule send_all = mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0);
	struct eipfix_key out = key4(TX, IPPROTO_UDP, HOST, PEER, 40000, 9);
	struct eipfix_key ssh = key4(RX, IPPROTO_TCP, PEER, HOST, 40000, 22);
	struct eipfix_key udp = key4(RX, IPPROTO_UDP, PEER, HOST, 40000, 9);
	struct eipfix_key rx_unreach = key4(RX, IPPROTO_ICMP, PEER, HOST, 0, 3 << 8 | 3);
	struct eipfix_key tx_unreach = key4(TX, IPPROTO_ICMP, HOST, PEER, 0, 3 << 8 | 3);
	struct eipfix_key echo_reply = key4(RX, IPPROTO_ICMP, PEER, HOST, 0, 0);
	struct eipfix_key k, quoted;
	struct eipfix_acl_verdict v;
	unsigned long now = jiffies;
	struct eipfix_acl *acl;
	u32 n;

	acl = compile(test, &send_all, 1, DENY);
	rcu_read_lock();
	eipfix_acl_decide(acl, &out, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_INSERTED);
	k = reply_of(out);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	eipfix_acl_decide(acl, &rx_unreach, &out, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	rcu_read_unlock();
	eipfix_acl_free(acl);

	set_ports(test, &rules[0], p23, 1);
	acl = compile(test, rules, 2, ALLOW);
	rcu_read_lock();
	/* A peer connects to 22, the host answers; an error about the answer passes. */
	eipfix_acl_decide(acl, &ssh, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	k = reply_of(ssh);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	eipfix_acl_decide(acl, &ssh, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	eipfix_acl_decide(acl, &rx_unreach, &k, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	/* One about another port the host never sent from does not. */
	quoted = k;
	quoted.sport = htons(2222);
	eipfix_acl_decide(acl, &rx_unreach, &quoted, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);

	/* The host's port unreachable about a peer's datagram: related, nothing kept. */
	eipfix_acl_decide(acl, &udp, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	n = eipfix_acl_state_count(acl->state);
	eipfix_acl_decide(acl, &tx_unreach, &udp, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	KUNIT_EXPECT_EQ(test, v.state, EIPFIX_ACL_STATE_NONE);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), n);
	eipfix_acl_decide(acl, &echo_reply, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	KUNIT_EXPECT_EQ(test, v.rule, 2U);

	/* A ping the host sends is remembered: its echo reply passes. */
	k = key4(TX, IPPROTO_ICMP, HOST, PEER, 0, 8 << 8);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	eipfix_acl_decide(acl, &echo_reply, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.action, ALLOW);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	rcu_read_unlock();
	eipfix_acl_free(acl);
}

/*
 * Hits count packets as they crossed the wire: a GRO superpacket or a
 * reassembled datagram is decided once, for all of its segments.
 */
static void acl_hits_count_segments(struct kunit *test)
{
	static const u32 p22[] = { 22 << 16 | 22 };
	struct eipfix_rule rule = mkrule(ALLOW, EIPFIX_DIR_RECEIVED, AF_INET, v4addr(PEER),
					 32, EIPFIX_ACL_PROTO_TCP);
	struct eipfix_key syn = key4(RX, IPPROTO_TCP, PEER, HOST, 40000, 22);
	struct eipfix_key telnet = key4(RX, IPPROTO_TCP, PEER, HOST, 40001, 23);
	struct eipfix_key k = reply_of(syn);
	struct eipfix_acl_verdict v;
	unsigned long now = jiffies;
	struct eipfix_acl *acl;

	set_ports(test, &rule, p22, 1);
	acl = compile(test, &rule, 1, DENY);
	rcu_read_lock();
	eipfix_acl_decide(acl, &syn, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, v.rule, 1U);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 1), 1ULL);
	/* 45 segments of the connection in one superpacket: 45 hits */
	eipfix_acl_decide(acl, &syn, NULL, now, 45, &v);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_STATE);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 1), 46ULL);
	/* replies pass without a rule: no hit, however many segments */
	eipfix_acl_decide(acl, &k, NULL, now, 10, &v);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 1), 46ULL);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 0), 0ULL);
	/* a datagram of 3 fragments denied by the Default: 3 hits */
	eipfix_acl_decide(acl, &telnet, NULL, now, 3, &v);
	KUNIT_EXPECT_EQ(test, v.action, DENY);
	KUNIT_EXPECT_EQ(test, v.rule, 0U);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 0), 3ULL);
	rcu_read_unlock();
	eipfix_acl_free(acl);
}

static void acl_state_is_bounded(struct kunit *test)
{
	struct eipfix_rule send_all = mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0);
	struct eipfix_acl *acl = compile(test, &send_all, 1, DENY);
	unsigned int i, inserted = 0, evicted = 0, full = 0;
	struct eipfix_acl_verdict v;
	struct eipfix_key k;

	eipfix_acl_state_free(acl->state);
	acl->state = eipfix_acl_state_new(40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, acl->state);
	rcu_read_lock();
	for (i = 0; i < 1000; i++) {
		k = key4(TX, IPPROTO_UDP, HOST, PEER, 1000 + i, 53);
		eipfix_acl_decide(acl, &k, NULL, jiffies, 1, &v);
		KUNIT_EXPECT_EQ(test, v.action, ALLOW);
		inserted += v.state == EIPFIX_ACL_STATE_INSERTED;
		evicted += v.state == EIPFIX_ACL_STATE_EVICTED;
		full += v.state == EIPFIX_ACL_STATE_FULL;
		KUNIT_EXPECT_LE(test, eipfix_acl_state_count(acl->state), 40U);
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, inserted, 40U);
	KUNIT_EXPECT_EQ(test, inserted + evicted + full, 1000U);
	KUNIT_EXPECT_GT(test, evicted, 0U);
	eipfix_acl_free(acl);
}

/* Ended connections are forgotten by the sweep, not only by a bucket's next insert. */
static void acl_state_gc_forgets_expired(struct kunit *test)
{
	struct eipfix_rule send_all = mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0);
	struct eipfix_acl *acl = compile(test, &send_all, 1, DENY);
	unsigned long now = jiffies;
	struct eipfix_acl_verdict v;
	struct eipfix_key k;
	u32 i, cursor = 0;

	rcu_read_lock();
	for (i = 0; i < 100; i++) {
		k = key4(TX, IPPROTO_UDP, HOST, PEER, 1000 + i, 53);
		eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	}
	k = key4(TX, IPPROTO_TCP, HOST, PEER, 40000, 443);
	eipfix_acl_decide(acl, &k, NULL, now, 1, &v);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 101U);
	/* Before the UDP timeout nothing goes; after it, all but the TCP one. */
	eipfix_acl_state_gc(acl->state, 0, acl->state->hash.mask + 1, now + 1);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 101U);
	/* In slices, wrapping around: the whole table once. */
	for (i = 0; i <= acl->state->hash.mask; i += 1000)
		cursor = eipfix_acl_state_gc(acl->state, cursor, 1000,
					     now + EIPFIX_ACL_STATE_TIMEOUT);
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);
	eipfix_acl_decide(acl, &k, NULL, now + EIPFIX_ACL_STATE_TIMEOUT, 1, &v);
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_STATE);
	rcu_read_unlock();
	eipfix_acl_free(acl);
}

static void acl_inherit_keeps_state_and_hits(struct kunit *test)
{
	struct eipfix_rule send_all = mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0);
	/* Configs are big (their interface names): not on the stack. */
	struct eipfix_config *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct eipfix_config *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct eipfix_key k = key4(TX, IPPROTO_TCP, HOST, PEER, 40000, 80);
	struct eipfix_key r = reply_of(k);
	struct eipfix_acl *old, *acl;
	struct eipfix_acl_verdict v;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	a->acl_default = DENY;
	a->nrules = 1;
	a->rules = &send_all;
	*b = *a;
	old = compile(test, &send_all, 1, DENY);
	rcu_read_lock();
	eipfix_acl_decide(old, &k, NULL, jiffies, 1, &v);
	eipfix_acl_decide(old, &r, NULL, jiffies, 1, &v);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(old, 1), 1ULL);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(old, 0), 0ULL);

	KUNIT_EXPECT_TRUE(test, eipfix_acl_rules_equal(a, b));
	acl = compile(test, &send_all, 1, DENY);
	eipfix_acl_inherit(acl, old);
	KUNIT_EXPECT_PTR_EQ(test, acl->state, old->state);
	KUNIT_EXPECT_EQ(test, eipfix_acl_hits(acl, 1), 1ULL);
	rcu_read_lock();
	eipfix_acl_decide(acl, &r, NULL, jiffies, 1, &v);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v.via, EIPFIX_ACL_VIA_REPLY);
	eipfix_acl_free(old);	/* must leave the state to its successor */
	KUNIT_EXPECT_EQ(test, eipfix_acl_state_count(acl->state), 1U);
	eipfix_acl_free(acl);

	b->acl_default = ALLOW;
	KUNIT_EXPECT_FALSE(test, eipfix_acl_rules_equal(a, b));
}

/* ---- the matcher against a naive reference ---- */

static bool ref_prefix_match(const struct in6_addr *a, const struct in6_addr *b,
			     unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < bits; i++) {
		u8 bit = 0x80 >> (i % 8);

		if ((a->s6_addr[i / 8] & bit) != (b->s6_addr[i / 8] & bit))
			return false;
	}
	return true;
}

/* The rules exactly as DESIGN.md section 4 says, one after the other. */
static u8 ref_match(const struct eipfix_rule *rules, u32 n, u8 def, u8 family,
		    const struct in6_addr *peer, u8 proto, u16 dport, u8 dir, u32 *out)
{
	u32 i, j;

	for (i = 0; i < n; i++) {
		const struct eipfix_rule *r = &rules[i];
		bool port_ok = !r->nports;

		if (r->direction != EIPFIX_DIR_BOTH && r->direction != dir)
			continue;
		if (r->family && (r->family != family ||
				  !ref_prefix_match(&r->peer, peer, r->prefix_len)))
			continue;
		if ((r->protocol == EIPFIX_ACL_PROTO_TCP && proto != IPPROTO_TCP) ||
		    (r->protocol == EIPFIX_ACL_PROTO_UDP && proto != IPPROTO_UDP) ||
		    (r->protocol == EIPFIX_ACL_PROTO_ICMP && proto != IPPROTO_ICMP &&
		     proto != IPPROTO_ICMPV6))
			continue;
		for (j = 0; j < r->nports; j++)
			if (dport >= r->ports[j] >> 16 && dport <= (r->ports[j] & 0xffff))
				port_ok = true;
		if (!port_ok)
			continue;
		*out = i + 1;
		return r->action;
	}
	*out = 0;
	return def;
}

static struct in6_addr random_peer(u8 family)
{
	/* A small address space, so that rules and packets meet often. */
	if (family == AF_INET)
		return v4addr(V4(100, 64, get_random_u32() % 4, get_random_u32() % 16));
	return v6addr(get_random_u32() % 64);
}

static void random_rule(struct kunit *test, struct eipfix_rule *r)
{
	static const u8 v4_prefixes[] = { 0, 8, 16, 24, 28, 30, 32 };
	static const u8 v6_prefixes[] = { 0, 64, 96, 122, 124, 126, 128 };
	u32 k = get_random_u32() % 8, ranges[3], i;

	memset(r, 0, sizeof(*r));
	r->action = get_random_u32() % 2;
	r->direction = get_random_u32() % 3;
	r->family = k < 2 ? 0 : k < 5 ? AF_INET : AF_INET6;
	if (r->family == AF_INET)
		r->prefix_len = get_random_u32() % 4 ? v4_prefixes[get_random_u32() % 7] :
						       get_random_u32() % 33;
	else if (r->family == AF_INET6)
		r->prefix_len = get_random_u32() % 4 ? v6_prefixes[get_random_u32() % 7] :
						       get_random_u32() % 129;
	if (r->family)
		r->peer = random_peer(r->family);
	r->protocol = get_random_u32() % 4;
	if ((r->protocol == EIPFIX_ACL_PROTO_TCP || r->protocol == EIPFIX_ACL_PROTO_UDP) &&
	    get_random_u32() % 2) {
		u32 n = 1 + get_random_u32() % 3;

		for (i = 0; i < n; i++) {
			u32 first = 20 + get_random_u32() % 20;

			ranges[i] = first << 16 | (first + get_random_u32() % 4);
		}
		set_ports(test, r, ranges, n);
	}
}

static void acl_matcher_equals_reference(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				     IPPROTO_ICMPV6, IPPROTO_GRE };
	unsigned int round, i, decided_by_rule = 0;
	struct eipfix_rule *rules;

	rules = kunit_kcalloc(test, 200, sizeof(*rules), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rules);
	for (round = 0; round < 40; round++) {
		u32 n = round < 10 ? round : 1 + get_random_u32() % 200;
		u8 def = get_random_u32() % 2;
		struct eipfix_acl *acl;

		for (i = 0; i < n; i++)
			random_rule(test, &rules[i]);
		acl = compile(test, rules, n, def);
		for (i = 0; i < 2000; i++) {
			u8 family = get_random_u32() % 2 ? AF_INET : AF_INET6;
			struct in6_addr peer = random_peer(family);
			u8 proto = protos[get_random_u32() % ARRAY_SIZE(protos)];
			u16 dport = 15 + get_random_u32() % 30;
			u8 dir = get_random_u32() % 2 ? RX : TX;
			u32 got_rule, want_rule;
			u8 got, want;

			got = eipfix_acl_match(acl, family, &peer, proto, dport, dir, &got_rule);
			want = ref_match(rules, n, def, family, &peer, proto, dport, dir,
					 &want_rule);
			decided_by_rule += !!want_rule;
			if (got != want || got_rule != want_rule) {
				KUNIT_FAIL(test,
					   "round %u, %u rules: family %u peer %pI6c proto %u dport %u dir %u: matcher says action %u rule %u, reference %u rule %u",
					   round, n, family, &peer, proto, dport, dir, got,
					   got_rule, want, want_rule);
				eipfix_acl_free(acl);
				return;
			}
		}
		eipfix_acl_free(acl);
	}
	/* The random sets must exercise the rules, not only the default. */
	KUNIT_EXPECT_GT(test, decided_by_rule, 10000U);
}

/* ---- replacement under concurrent lookups ---- */

struct swap_ctx {
	struct eipfix_acl __rcu *acl;
	atomic_t lookups;
	atomic_t bad;
};

/*
 * Set A answers every packet with (Deny, rule 3 of 3), set B with (Allow,
 * rule 1 of 1): any other answer would be a mix of the two, or garbage.
 */
static int swap_reader(void *arg)
{
	struct swap_ctx *ctx = arg;
	struct in6_addr peer = v4addr(PEER);

	/* Until kthread_stop(): a reader that returned early would be gone. */
	while (!kthread_should_stop()) {
		const struct eipfix_acl *acl;
		u32 rule;
		u8 action;

		rcu_read_lock();
		acl = rcu_dereference(ctx->acl);
		action = eipfix_acl_match(acl, AF_INET, &peer, IPPROTO_TCP, 22, RX, &rule);
		if (!((action == DENY && rule == 3 && acl->nrules == 3) ||
		      (action == ALLOW && rule == 1 && acl->nrules == 1)))
			atomic_inc(&ctx->bad);
		rcu_read_unlock();
		atomic_inc(&ctx->lookups);
		cond_resched();
	}
	return 0;
}

static void acl_replacement_under_lookups(struct kunit *test)
{
	struct eipfix_rule set_a[] = {
		mkrule(ALLOW, EIPFIX_DIR_SENDING, 0, v4addr(0), 0, 0),
		mkrule(ALLOW, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 3)), 32, 0),
		mkrule(DENY, EIPFIX_DIR_BOTH, AF_INET, v4addr(V4(100, 64, 0, 0)), 24,
		       EIPFIX_ACL_PROTO_TCP),
	};
	struct eipfix_rule set_b[] = {
		mkrule(ALLOW, EIPFIX_DIR_BOTH, AF_INET, v4addr(PEER), 32, 0),
	};
	struct task_struct *readers[2];
	struct swap_ctx *ctx;
	unsigned int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	RCU_INIT_POINTER(ctx->acl, compile(test, set_a, 3, ALLOW));
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(swap_reader, ctx, "acl_reader%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(readers[i]));
	}
	for (i = 0; i < 200; i++) {
		struct eipfix_acl *next, *old;

		next = i % 2 ? compile(test, set_a, 3, ALLOW) : compile(test, set_b, 1, DENY);
		old = rcu_replace_pointer(ctx->acl, next, true);
		synchronize_rcu();
		eipfix_acl_free(old);
		if (i % 16 == 0)
			usleep_range(100, 200);
	}
	for (i = 0; i < ARRAY_SIZE(readers); i++)
		kthread_stop(readers[i]);
	eipfix_acl_free(rcu_dereference_protected(ctx->acl, true));
	kunit_info(test, "%d lookups during 200 replacements\n", atomic_read(&ctx->lookups));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&ctx->lookups), 0);
}

/* ---- cost per packet against the number of rules ---- */

/*
 * Rules as a large overlay has them: one /32 peer each (every tenth a /24 or
 * a v6 /128), TCP with a port; the packet matches the last rule, the worst
 * case for a linear scan.
 */
static u64 bench_ns(struct kunit *test, u32 n, bool linear)
{
	struct eipfix_rule *rules = kunit_kcalloc(test, n, sizeof(*rules), GFP_KERNEL);
	static const u32 p22[] = { 22 << 16 | 22 };
	struct eipfix_acl *acl;
	struct in6_addr peer;
	u64 start, ns;
	u32 i, r, hits = 0;

	KUNIT_ASSERT_NOT_NULL(test, rules);
	for (i = 0; i < n; i++) {
		if (i % 10 == 5)
			rules[i] = mkrule(DENY, EIPFIX_DIR_RECEIVED, AF_INET6, v6addr(i), 128,
					  EIPFIX_ACL_PROTO_TCP);
		else
			rules[i] = mkrule(DENY, EIPFIX_DIR_RECEIVED, AF_INET,
					  v4addr(V4(10, i >> 8 & 0xff, i & 0xff, 1)),
					  i % 10 == 7 ? 24 : 32, EIPFIX_ACL_PROTO_TCP);
		set_ports(test, &rules[i], p22, 1);
	}
	rules[n - 1] = mkrule(ALLOW, EIPFIX_DIR_RECEIVED, AF_INET, v4addr(V4(100, 64, 0, 2)),
			      32, EIPFIX_ACL_PROTO_TCP);
	peer = v4addr(V4(100, 64, 0, 2));
	acl = compile(test, rules, n, DENY);
	start = ktime_get_ns();
	for (i = 0; i < 20000; i++) {
		if (linear)
			ref_match(rules, n, DENY, AF_INET, &peer, IPPROTO_TCP, 22, RX, &r);
		else
			eipfix_acl_match(acl, AF_INET, &peer, IPPROTO_TCP, 22, RX, &r);
		hits += r == n;
	}
	ns = (ktime_get_ns() - start) / 20000;
	KUNIT_EXPECT_EQ(test, hits, 20000U);
	eipfix_acl_free(acl);
	return ns;
}

static void acl_cost_is_flat_in_rule_count(struct kunit *test)
{
	u64 c1 = bench_ns(test, 1, false), c100 = bench_ns(test, 100, false);
	u64 c10k = bench_ns(test, 10000, false);
	u64 l100 = bench_ns(test, 100, true), l10k = bench_ns(test, 10000, true);

	kunit_info(test, "matcher ns/packet: 1 rule %llu, 100 rules %llu, 10000 rules %llu\n",
		   c1, c100, c10k);
	kunit_info(test, "linear reference ns/packet: 100 rules %llu, 10000 rules %llu\n",
		   l100, l10k);
	/* Three groups (v4 /32, v4 /24, v6 /128) at most: flat, give or take noise. */
	KUNIT_EXPECT_LT(test, c10k, 4 * max(c100, 1ULL) + 200);
}

static struct kunit_case acl_cases[] = {
	KUNIT_CASE(acl_peer_prefix_v4),
	KUNIT_CASE(acl_peer_prefix_v6),
	KUNIT_CASE(acl_protocol),
	KUNIT_CASE(acl_direction),
	KUNIT_CASE(acl_port_lists_and_ranges),
	KUNIT_CASE(acl_first_match_wins),
	KUNIT_CASE(acl_default),
	KUNIT_CASE(acl_stateful_replies),
	KUNIT_CASE(acl_related_icmp_errors),
	KUNIT_CASE(acl_state_gc_forgets_expired),
	KUNIT_CASE(acl_stateful_v6),
	KUNIT_CASE(acl_remembers_only_what_can_be_denied),
	KUNIT_CASE(acl_forgetting_changes_no_verdict),
	KUNIT_CASE(acl_hits_count_segments),
	KUNIT_CASE(acl_state_is_bounded),
	KUNIT_CASE(acl_inherit_keeps_state_and_hits),
	KUNIT_CASE(acl_matcher_equals_reference),
	KUNIT_CASE(acl_replacement_under_lookups),
	KUNIT_CASE(acl_cost_is_flat_in_rule_count),
	{}
};

static struct kunit_suite acl_suite = {
	.name = "enclave_ipfix_acl",
	.test_cases = acl_cases,
};

kunit_test_suite(acl_suite);

MODULE_LICENSE("GPL");
