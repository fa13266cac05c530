// SPDX-License-Identifier: GPL-2.0
/*
 * Probe suite: proves the KUnit harness (tests/kunit/run.sh) can build an skb,
 * describe it to a netfilter hook with a struct nf_hook_state and call the hook,
 * as the module's own hook functions will be called by the real suites.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/net_namespace.h>

struct probe_seen {
	unsigned int calls;
	u8 protocol;
	u8 pf;
	unsigned int hooknum;
	unsigned int len;
};

static unsigned int probe_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct probe_seen *seen = priv;

	seen->calls++;
	seen->protocol = ip_hdr(skb)->protocol;
	seen->pf = state->pf;
	seen->hooknum = state->hook;
	seen->len = ntohs(ip_hdr(skb)->tot_len);
	return seen->protocol == IPPROTO_UDP ? NF_ACCEPT : NF_DROP;
}

/* An IPv4/UDP datagram 198.51.100.1:40000 -> 198.51.100.2:53 with @payload bytes. */
static struct sk_buff *probe_udp4_skb(struct kunit *test, unsigned int payload)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct udphdr) + payload;
	struct sk_buff *skb;
	struct udphdr *uh;
	struct iphdr *iph;

	skb = alloc_skb(LL_MAX_HEADER + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);

	iph = skb_put_zero(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->tot_len = htons(len);
	iph->saddr = htonl(0xc6336401);	/* 198.51.100.1 */
	iph->daddr = htonl(0xc6336402);	/* 198.51.100.2 */

	uh = skb_put_zero(skb, sizeof(*uh));
	skb_set_transport_header(skb, sizeof(*iph));
	uh->source = htons(40000);
	uh->dest = htons(53);
	uh->len = htons(sizeof(*uh) + payload);
	skb_put_zero(skb, payload);
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

static void probe_hook_sees_udp4(struct kunit *test)
{
	struct probe_seen seen = {};
	struct nf_hook_state state;
	struct sk_buff *skb = probe_udp4_skb(test, 100);
	unsigned int verdict;

	nf_hook_state_init(&state, NF_INET_PRE_ROUTING, NFPROTO_IPV4,
			   NULL, NULL, NULL, &init_net, NULL);
	verdict = probe_hook(&seen, skb, &state);

	KUNIT_EXPECT_EQ(test, verdict, (unsigned int)NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, seen.calls, 1U);
	KUNIT_EXPECT_EQ(test, seen.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, seen.pf, (u8)NFPROTO_IPV4);
	KUNIT_EXPECT_EQ(test, seen.hooknum, (unsigned int)NF_INET_PRE_ROUTING);
	KUNIT_EXPECT_EQ(test, seen.len, 128U);
	KUNIT_EXPECT_EQ(test, skb->len, 128U);
	kfree_skb(skb);
}

static void probe_hook_drops_non_udp(struct kunit *test)
{
	struct probe_seen seen = {};
	struct nf_hook_state state;
	struct sk_buff *skb = probe_udp4_skb(test, 0);

	ip_hdr(skb)->protocol = IPPROTO_ICMP;
	nf_hook_state_init(&state, NF_INET_LOCAL_OUT, NFPROTO_IPV4,
			   NULL, NULL, NULL, &init_net, NULL);
	KUNIT_EXPECT_EQ(test, probe_hook(&seen, skb, &state), (unsigned int)NF_DROP);
	KUNIT_EXPECT_EQ(test, seen.protocol, (u8)IPPROTO_ICMP);
	KUNIT_EXPECT_EQ(test, seen.hooknum, (unsigned int)NF_INET_LOCAL_OUT);
	kfree_skb(skb);
}

static struct kunit_case probe_cases[] = {
	KUNIT_CASE(probe_hook_sees_udp4),
	KUNIT_CASE(probe_hook_drops_non_udp),
	{}
};

static struct kunit_suite probe_suite = {
	.name = "enclave_ipfix_probe",
	.test_cases = probe_cases,
};

kunit_test_suite(probe_suite);

MODULE_LICENSE("GPL");
