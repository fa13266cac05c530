// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the module's hook function itself (kmod/hooks.c) on crafted skbs,
 * with a real config applied to init_net on its loopback device: what a
 * hostile peer's packets get from the Access Control Rules. Each case has a
 * control packet that the same config treats the other way, so that a case
 * cannot pass by the config failing to apply.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/route.h>

#include "acl.h"
#include "hooks.h"
#include "netns.h"

/* A config metering "lo" of init_net under @dflt, with no rule yet. */
static struct eipfix_config *config_lo(struct kunit *test, u8 dflt)
{
	struct eipfix_config *cfg = eipfix_config_new_default();

	KUNIT_ASSERT_NOT_NULL(test, cfg);
	cfg->max_flows = 1024;
	cfg->acl_default = dflt;
	cfg->ninterfaces = 1;
	strscpy(cfg->interfaces[0], "lo", IFNAMSIZ);
	return cfg;
}

/* Gives @cfg its one rule: @action TCP to @port, received from any peer. */
static void tcp_rule(struct kunit *test, struct eipfix_config *cfg, u8 action,
		     u16 port)
{
	cfg->rules = kcalloc(1, sizeof(*cfg->rules), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg->rules);
	cfg->nrules = 1;
	cfg->rules[0].action = action;
	cfg->rules[0].direction = EIPFIX_DIR_RECEIVED;
	cfg->rules[0].protocol = EIPFIX_ACL_PROTO_TCP;
	cfg->rules[0].ports = kmalloc(sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg->rules[0].ports);
	cfg->rules[0].nports = 1;
	cfg->rules[0].ports[0] = port << 16 | port;
}

/* Applies a config metering "lo" of init_net with @deny_tcp_port (0: none) under @dflt. */
static void apply(struct kunit *test, u8 dflt, u16 deny_tcp_port)
{
	struct eipfix_config *cfg = config_lo(test, dflt);
	u32 gen;

	if (deny_tcp_port)
		tcp_rule(test, cfg, EIPFIX_ACL_DENY, deny_tcp_port);
	KUNIT_ASSERT_EQ(test, eipfix_net_apply_config(eipfix_net(&init_net), cfg, NULL, &gen), 0);
}

/* Back to the default config: no interface, no hooks. */
static void unapply(struct kunit *test)
{
	struct eipfix_config *cfg = eipfix_config_new_default();
	u32 gen;

	KUNIT_ASSERT_NOT_NULL(test, cfg);
	KUNIT_EXPECT_EQ(test, eipfix_net_apply_config(eipfix_net(&init_net), cfg, NULL, &gen), 0);
}

static struct sk_buff *skb_of(struct kunit *test, const void *data, unsigned int len,
			      __be16 proto)
{
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_put_data(skb, data, len);
	skb_reset_network_header(skb);
	skb->protocol = proto;
	skb->dev = init_net.loopback_dev;
	skb->pkt_type = PACKET_HOST;
	return skb;
}

/* Received on "lo" of init_net: what the hook says. */
static unsigned int rx(struct sk_buff *skb, u8 pf)
{
	struct nf_hook_state state;
	unsigned int verdict;

	nf_hook_state_init(&state, NF_INET_PRE_ROUTING, pf, init_net.loopback_dev,
			   NULL, NULL, &init_net, NULL);
	/* As the stack receives: in softirq, bottom halves off (tx(): on). */
	local_bh_disable();
	rcu_read_lock();
	verdict = eipfix_hook(eipfix_net(&init_net), skb, &state);
	rcu_read_unlock();
	local_bh_enable();
	return verdict;
}

struct tcp4 {
	struct iphdr ip;
	struct tcphdr tcp;
} __packed;

static void tcp4_fill(struct tcp4 *p, u16 dport, u16 tot_len)
{
	memset(p, 0, sizeof(*p));
	p->ip.version = 4;
	p->ip.ihl = 5;
	p->ip.ttl = 64;
	p->ip.protocol = IPPROTO_TCP;
	p->ip.tot_len = htons(tot_len);
	p->ip.saddr = htonl(0x64400002);
	p->ip.daddr = htonl(0x64400001);
	p->tcp.source = htons(40000);
	p->tcp.dest = htons(dport);
	p->tcp.doff = 5;
	p->tcp.syn = 1;
}

/*
 * The host's own broadcast, looped back to it, is not judged as received:
 * under Default Deny the looped-back clone passes, the same packet from a
 * peer does not.
 */
static void hook_loopback_clone_is_not_judged(struct kunit *test)
{
	struct tcp4 p;
	struct sk_buff *skb;

	apply(test, EIPFIX_ACL_DENY, 0);
	tcp4_fill(&p, 80, sizeof(p));
	skb = skb_of(test, &p, sizeof(p), htons(ETH_P_IP));
	skb->pkt_type = PACKET_LOOPBACK;
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	skb->pkt_type = PACKET_HOST;
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_DROP);
	kfree_skb(skb);
	unapply(test);
}

/*
 * IPv4 BIG TCP (a GRO packet over 64 KiB, tot_len 0) to a denied port is
 * denied, not accepted unread.
 */
static void hook_big_tcp_is_judged(struct kunit *test)
{
	unsigned int len = sizeof(struct tcp4) + 3000;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	apply(test, EIPFIX_ACL_ALLOW, 23);
	tcp4_fill((struct tcp4 *)buf, 23, 0);
	skb = skb_of(test, buf, len, htons(ETH_P_IP));
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_segs = 3;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_DROP);
	/* the control: the same to port 24 passes */
	((struct tcp4 *)skb_network_header(skb))->tcp.dest = htons(24);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	unapply(test);
}

/*
 * A fragment at the receive hook is one the kernel's reassembly let through
 * unreassembled (an IPv6 first fragment without its whole TCP header): it
 * is dropped and counted, never judged by port 0.
 */
static void hook_unreassembled_fragment_is_dropped(struct kunit *test)
{
	struct {
		struct ipv6hdr ip6;
		struct frag_hdr fh;
		u8 tcp[8];
	} __packed p = {};
	struct eipfix_net *en = eipfix_net(&init_net);
	struct sk_buff *skb;
	u64 before;

	apply(test, EIPFIX_ACL_ALLOW, 23);
	p.ip6.version = 6;
	p.ip6.nexthdr = NEXTHDR_FRAGMENT;
	p.ip6.payload_len = htons(sizeof(p.fh) + sizeof(p.tcp));
	p.ip6.hop_limit = 64;
	p.ip6.saddr.s6_addr32[0] = htonl(0x20010db8);
	p.ip6.saddr.s6_addr32[3] = htonl(2);
	p.ip6.daddr.s6_addr32[0] = htonl(0x20010db8);
	p.ip6.daddr.s6_addr32[3] = htonl(1);
	p.fh.nexthdr = IPPROTO_TCP;
	p.fh.frag_off = htons(IP6_MF);
	p.fh.identification = htonl(7);
	p.tcp[3] = 23;			/* the destination port's low octet */
	before = eipfix_counter_sum(en->counters, EIPFIX_CTR_A_PARSE_ERRORS);
	skb = skb_of(test, &p, sizeof(p), htons(ETH_P_IPV6));
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV6), (unsigned int)NF_DROP);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(en->counters, EIPFIX_CTR_A_PARSE_ERRORS),
			before + 1);
	kfree_skb(skb);
	/* the control: the same datagram whole (no fragment header) passes */
	p.ip6.nexthdr = IPPROTO_UDP;
	p.ip6.payload_len = htons(sizeof(struct udphdr));
	skb = skb_of(test, &p, sizeof(p.ip6) + sizeof(struct udphdr), htons(ETH_P_IPV6));
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV6), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	unapply(test);
}

/* Under Default Deny, a packet without a readable IP header does not get through. */
static void hook_unreadable_is_denied_under_default_deny(struct kunit *test)
{
	u8 junk[20] = { 0x00, 0x11, 0x22 };
	struct sk_buff *skb;

	apply(test, EIPFIX_ACL_DENY, 0);
	skb = skb_of(test, junk, sizeof(junk), htons(ETH_P_IP));
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_DROP);
	kfree_skb(skb);
	unapply(test);
	apply(test, EIPFIX_ACL_ALLOW, 23);
	skb = skb_of(test, junk, sizeof(junk), htons(ETH_P_IP));
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	unapply(test);
}

/*
 * Sent on "lo" of init_net by a route whose MTU is @mtu (a path MTU learnt,
 * as ip_dst_mtu_maybe_forward() reads it): what the hook says.
 */
static unsigned int tx(struct kunit *test, struct sk_buff *skb, unsigned int mtu)
{
	struct rtable *rt = rt_dst_alloc(init_net.loopback_dev, 0, RTN_UNICAST, true);
	struct nf_hook_state state;
	unsigned int verdict;

	KUNIT_ASSERT_NOT_NULL(test, rt);
	rt->rt_pmtu = mtu;
	rt->dst.expires = jiffies + 60 * HZ;
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	nf_hook_state_init(&state, NF_INET_POST_ROUTING, NFPROTO_IPV4, NULL,
			   init_net.loopback_dev, NULL, &init_net, NULL);
	rcu_read_lock();
	verdict = eipfix_hook(eipfix_net(&init_net), skb, &state);
	rcu_read_unlock();
	return verdict;
}

/*
 * A datagram with DF larger than the MTU is dropped by the stack after the
 * hook (ICMP fragmentation needed): it never crosses the interface, so it is
 * not metered. The control: without DF it leaves as three fragments.
 */
static void hook_too_big_to_leave_is_not_metered(struct kunit *test)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct udphdr) + 4000;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct eipfix_net *en = eipfix_net(&init_net);
	struct iphdr *iph = (struct iphdr *)buf;
	struct eipfix_config *cfg = eipfix_config_new_default();
	struct sk_buff *skb;
	u64 before;
	u32 gen;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	/* metering needs somewhere to send its records */
	cfg->max_flows = 1024;
	cfg->ninterfaces = 1;
	strscpy(cfg->interfaces[0], "lo", IFNAMSIZ);
	cfg->collectors = kcalloc(1, sizeof(*cfg->collectors), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg->collectors);
	strscpy(cfg->collectors[0], "Udp/192.0.2.1:4739", sizeof(cfg->collectors[0]));
	cfg->ncollectors = 1;
	KUNIT_ASSERT_EQ(test, eipfix_net_apply_config(en, cfg, NULL, &gen), 0);

	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->tot_len = htons(len);
	iph->frag_off = htons(IP_DF);
	iph->saddr = htonl(0x64400001);
	iph->daddr = htonl(0x64400002);
	skb = skb_of(test, buf, len, htons(ETH_P_IP));
	before = eipfix_counter_sum(en->counters, EIPFIX_CTR_A_PACKETS_SEEN);
	KUNIT_EXPECT_EQ(test, tx(test, skb, 1420), (unsigned int)NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(en->counters, EIPFIX_CTR_A_PACKETS_SEEN),
			before);
	ip_hdr(skb)->frag_off = 0;
	KUNIT_EXPECT_EQ(test, tx(test, skb, 1420), (unsigned int)NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(en->counters, EIPFIX_CTR_A_PACKETS_SEEN),
			before + 3);
	kfree_skb(skb);
	unapply(test);
}

/*
 * A config metering "lo" of init_net (so that flows are made), with one
 * rule, Allow received TCP to port 22, under @dflt; @allowed_flow_rule as
 * the profile's AllowedFlowRule.
 */
static void apply_metering(struct kunit *test, u8 dflt, bool allowed_flow_rule)
{
	struct eipfix_config *cfg = config_lo(test, dflt);
	u32 gen;

	cfg->allowed_flow_rule = allowed_flow_rule;
	cfg->collectors = kcalloc(1, sizeof(*cfg->collectors), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg->collectors);
	strscpy(cfg->collectors[0], "Udp/192.0.2.1:4739", sizeof(cfg->collectors[0]));
	cfg->ncollectors = 1;
	tcp_rule(test, cfg, EIPFIX_ACL_ALLOW, 22);
	KUNIT_ASSERT_EQ(test, eipfix_net_apply_config(eipfix_net(&init_net), cfg, NULL, &gen), 0);
}

/* What a case looks at in a live flow. */
struct flow_view {
	u32 rule;
	u8 fwd;
	u64 end_ms;
};

/* The live TCP flow of @dir whose destination port is @dport, into @v. */
static bool flow_view(u8 dir, u16 dport, struct flow_view *v)
{
	struct eipfix_net *en = eipfix_net(&init_net);
	struct eipfix_table *table;
	struct eipfix_flow *flow;
	bool found = false;
	u32 b;

	rcu_read_lock();
	table = rcu_dereference(en->table);
	for (b = 0; table && b <= table->hash.mask; b++) {
		hlist_for_each_entry_rcu(flow, &table->hash.buckets[b], node) {
			if (flow->key.direction != dir ||
			    flow->key.protocol != IPPROTO_TCP ||
			    flow->key.dport != htons(dport))
				continue;
			spin_lock_bh(&flow->lock);
			v->rule = flow->acl_rule;
			v->fwd = flow->key.fwd_status;
			v->end_ms = flow->end_ms;
			spin_unlock_bh(&flow->lock);
			found = true;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * The acl_rule of the live TCP flow of @dir whose destination port is
 * @dport, with its forwarding status in *@fwd; U32_MAX - 1 when there is none.
 */
static u32 flow_rule(u8 dir, u16 dport, u8 *fwd)
{
	struct flow_view v;

	if (!flow_view(dir, dport, &v))
		return U32_MAX - 1;
	*fwd = v.fwd;
	return v.rule;
}

/* The peer's SYN to @dport, or (@reply) the host's SYN-ACK back to it. */
static struct sk_buff *tcp4_skb(struct kunit *test, u16 dport, bool reply)
{
	struct tcp4 p;

	tcp4_fill(&p, dport, sizeof(p));
	if (reply) {
		swap(p.ip.saddr, p.ip.daddr);
		p.tcp.dest = p.tcp.source;
		p.tcp.source = htons(dport);
		p.tcp.ack = 1;
	}
	return skb_of(test, &p, sizeof(p), htons(ETH_P_IP));
}

/*
 * With AllowedFlowRule, an allowed flow carries the rule that allowed it:
 * the peer's connection to 22 rule 1, and our reply to it (allowed by the
 * state of that connection) the same rule 1; a flow no rule matched under
 * Default Allow carries the Default, 0.
 */
static void hook_allowed_flow_carries_its_rule_when_asked(struct kunit *test)
{
	struct sk_buff *skb;
	u8 fwd = 0;

	apply_metering(test, EIPFIX_ACL_DENY, true);
	skb = tcp4_skb(test, 22, false);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_RECEIVED, 22, &fwd), 1U);
	KUNIT_EXPECT_EQ(test, fwd, (u8)EIPFIX_FWD_FORWARDED);
	skb = tcp4_skb(test, 22, true);
	KUNIT_EXPECT_EQ(test, tx(test, skb, 1500), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_SENDING, 40000, &fwd), 1U);
	/* the control: port 80 is denied by the Default, and says so */
	skb = tcp4_skb(test, 80, false);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_RECEIVED, 80, &fwd), 0U);
	KUNIT_EXPECT_EQ(test, fwd, (u8)EIPFIX_FWD_DROPPED_ACL);
	unapply(test);

	/* Default Allow: only Allow rules, and they still name what they allow. */
	apply_metering(test, EIPFIX_ACL_ALLOW, true);
	skb = tcp4_skb(test, 80, false);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_RECEIVED, 80, &fwd), 0U);
	skb = tcp4_skb(test, 22, false);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_RECEIVED, 22, &fwd), 1U);
	unapply(test);
}

/* Without AllowedFlowRule, allowed flows carry no rule; dropped ones still do. */
static void hook_allowed_flow_carries_no_rule_unless_asked(struct kunit *test)
{
	struct sk_buff *skb;
	u8 fwd = 0;

	apply_metering(test, EIPFIX_ACL_DENY, false);
	skb = tcp4_skb(test, 22, false);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_RECEIVED, 22, &fwd),
			EIPFIX_ACL_RULE_NONE);
	skb = tcp4_skb(test, 22, true);
	KUNIT_EXPECT_EQ(test, tx(test, skb, 1500), (unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_SENDING, 40000, &fwd),
			EIPFIX_ACL_RULE_NONE);
	skb = tcp4_skb(test, 80, false);
	KUNIT_EXPECT_EQ(test, rx(skb, NFPROTO_IPV4), (unsigned int)NF_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, flow_rule(EIPFIX_DIR_RECEIVED, 80, &fwd), 0U);
	unapply(test);
}

/*
 * Whether @ms is the wall clock of now: give or take a second, which a
 * loaded host's stall under TCG will not reach, and a clock kept from an
 * earlier case (seconds of other cases ago, or never read) would.
 */
static bool about_now(u64 ms)
{
	u64 now = ktime_to_ms(ktime_get_coarse_real());
	u64 slack = MSEC_PER_SEC;

	return ms <= now + slack && ms + slack >= now;
}

/*
 * Meters one packet of @dir's TCP flow to @dport (sent: its reply, whose
 * destination port is 40000) and returns the flow's end, which must be now.
 */
static u64 meter_one(struct kunit *test, u8 dir, u16 dport)
{
	bool sent = dir == EIPFIX_DIR_SENDING;
	struct sk_buff *skb = tcp4_skb(test, dport, sent);
	struct flow_view v = {};

	KUNIT_EXPECT_EQ(test, sent ? tx(test, skb, 1500) : rx(skb, NFPROTO_IPV4),
			(unsigned int)NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_TRUE(test, flow_view(dir, sent ? 40000 : dport, &v));
	KUNIT_EXPECT_TRUE_MSG(test, about_now(v.end_ms), "dir %u end %llu", dir, v.end_ms);
	return v.end_ms;
}

/* Two packets of one flow some ticks apart: its end moves that far. */
static void two_packets_apart(struct kunit *test, u8 dir, u16 dport)
{
	u64 first = meter_one(test, dir, dport);

	msleep(jiffies_to_msecs(5));
	KUNIT_EXPECT_GE(test, meter_one(test, dir, dport), first + jiffies_to_msecs(3));
}

/*
 * A flow's times are the wall clock of its packets, to a tick or two (the
 * hook keeps the clock per CPU for the jiffy it read it in, in softirq): a
 * packet some ticks later moves its end that far, received (softirq) or
 * sent by a process (bottom halves on).
 */
static void hook_flow_times_follow_the_clock(struct kunit *test)
{
	apply_metering(test, EIPFIX_ACL_ALLOW, false);
	two_packets_apart(test, EIPFIX_DIR_RECEIVED, 80);
	two_packets_apart(test, EIPFIX_DIR_SENDING, 80);
	unapply(test);
}

static struct kunit_case eipfix_hook_cases[] = {
	KUNIT_CASE(hook_loopback_clone_is_not_judged),
	KUNIT_CASE(hook_big_tcp_is_judged),
	KUNIT_CASE(hook_unreassembled_fragment_is_dropped),
	KUNIT_CASE(hook_unreadable_is_denied_under_default_deny),
	KUNIT_CASE(hook_too_big_to_leave_is_not_metered),
	KUNIT_CASE(hook_allowed_flow_carries_its_rule_when_asked),
	KUNIT_CASE(hook_allowed_flow_carries_no_rule_unless_asked),
	KUNIT_CASE(hook_flow_times_follow_the_clock),
	{}
};

static struct kunit_suite eipfix_hook_suite = {
	.name = "enclave_ipfix_hook",
	.test_cases = eipfix_hook_cases,
};

kunit_test_suite(eipfix_hook_suite);

MODULE_LICENSE("GPL");
