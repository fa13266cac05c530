// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: packet classification (kmod/parse.c) on crafted packets: every
 * protocol class, IPv6 extension headers and fragments, GSO accounting, and
 * truncated or lying headers, which must be refused without reading past
 * the packet.
 */
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <uapi/linux/enclave_ipfix.h>

#include "parse.h"

#include <kunit/test.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/sctp.h>
#include <linux/if_ether.h>
#include <linux/net.h>
#include <net/net_namespace.h>

/* An skb holding @len bytes of @data from its network header on; freed by the test. */
static inline struct sk_buff *eipfix_test_skb(struct kunit *test, const void *data,
					      unsigned int len)
{
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_put_data(skb, data, len);
	skb_reset_network_header(skb);
	return skb;
}

/* Fills an IPv4 header for a packet of @tot_len bytes. */
static inline void eipfix_test_ip4(struct iphdr *iph, u8 proto, u16 tot_len)
{
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->tos = 0x28;
	iph->protocol = proto;
	iph->tot_len = htons(tot_len);
	iph->saddr = htonl(0x64400002);	/* 100.64.0.2 */
	iph->daddr = htonl(0x64400001);	/* 100.64.0.1 */
}

static inline void eipfix_test_ip6(struct ipv6hdr *ip6h, u8 nexthdr, u16 plen)
{
	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->priority = 0xb;		/* traffic class 0xb0 with flow_lbl[0] = 0 */
	ip6h->nexthdr = nexthdr;
	ip6h->payload_len = htons(plen);
	ip6h->hop_limit = 64;
	ip6h->saddr.s6_addr32[0] = htonl(0x20010db8);
	ip6h->saddr.s6_addr32[3] = htonl(2);
	ip6h->daddr.s6_addr32[0] = htonl(0x20010db8);
	ip6h->daddr.s6_addr32[3] = htonl(1);
}

struct pkt4 {
	struct iphdr ip;
	union {
		struct tcphdr tcp;
		struct udphdr udp;
		u8 icmp[8];
	};
	u8 payload[32];
} __packed;

static void parse_v4_tcp(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip4(&p.ip, IPPROTO_TCP, sizeof(p));
	p.tcp.source = htons(40000);
	p.tcp.dest = htons(22);
	p.tcp.doff = 5;
	p.tcp.syn = 1;
	p.tcp.ack = 1;
	p.tcp.ece = 1;
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, pkt.key.saddr.s6_addr32[0], htonl(0x64400002));
	KUNIT_EXPECT_EQ(test, pkt.key.daddr.s6_addr32[0], htonl(0x64400001));
	KUNIT_EXPECT_EQ(test, pkt.key.saddr.s6_addr32[1], 0U);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.sport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 22);
	/* SYN 0x02 | ACK 0x10 | ECE 0x40, as tcpControlBits */
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, (u16)0x52);
	KUNIT_EXPECT_EQ(test, pkt.tos, (u8)0x28);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1U);
	KUNIT_EXPECT_EQ(test, pkt.octets, (u32)sizeof(p));
	kfree_skb(skb);
}

static void parse_v4_udp_counts_ip_length_not_padding(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	/* tot_len says 40; the frame carries Ethernet-style trailing padding. */
	eipfix_test_ip4(&p.ip, IPPROTO_UDP, 40);
	p.udp.source = htons(5353);
	p.udp.dest = htons(53);
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.sport), 5353);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 53);
	KUNIT_EXPECT_EQ(test, pkt.octets, 40U);
	kfree_skb(skb);
}

static void parse_v4_icmp_type_code(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip4(&p.ip, IPPROTO_ICMP, sizeof(p));
	p.icmp[0] = ICMP_DEST_UNREACH;
	p.icmp[1] = ICMP_PORT_UNREACH;
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.sport, 0);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), ICMP_DEST_UNREACH << 8 | ICMP_PORT_UNREACH);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, 0);
	kfree_skb(skb);
}

static void parse_v4_raw_protocol(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip4(&p.ip, IPPROTO_GRE, sizeof(p));
	memset(&p.tcp, 0xff, sizeof(p.tcp));
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_GRE);
	KUNIT_EXPECT_EQ(test, pkt.key.sport, 0);
	KUNIT_EXPECT_EQ(test, pkt.key.dport, 0);
	kfree_skb(skb);
}

static void parse_v4_later_fragment_is_raw(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip4(&p.ip, IPPROTO_UDP, sizeof(p));
	p.ip.frag_off = htons(185);	/* offset 1480, no MF */
	memset(&p.udp, 0xab, sizeof(p.udp));	/* payload, not a header */
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, pkt.key.sport, 0);
	KUNIT_EXPECT_EQ(test, pkt.key.dport, 0);
	KUNIT_EXPECT_EQ(test, pkt.octets, (u32)sizeof(p));
	kfree_skb(skb);
}

static void parse_v4_first_fragment_has_ports(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip4(&p.ip, IPPROTO_UDP, sizeof(p));
	p.ip.frag_off = htons(IP_MF);
	p.udp.source = htons(1000);
	p.udp.dest = htons(2000);
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.sport), 1000);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 2000);
	kfree_skb(skb);
}

static void parse_v4_truncated_header_refused(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip4(&p.ip, IPPROTO_TCP, sizeof(p));
	skb = eipfix_test_skb(test, &p, 12);	/* half an IP header */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkt.key.family, 0);
	kfree_skb(skb);
}

static void parse_v4_lying_lengths_refused(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	/* tot_len beyond the packet */
	eipfix_test_ip4(&p.ip, IPPROTO_UDP, 1500);
	skb = eipfix_test_skb(test, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkt.key.family, 0);
	kfree_skb(skb);

	/* IHL below the minimum */
	eipfix_test_ip4(&p.ip, IPPROTO_UDP, sizeof(p));
	p.ip.ihl = 4;
	skb = eipfix_test_skb(test, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), -EINVAL);
	kfree_skb(skb);

	/* IHL beyond the packet */
	eipfix_test_ip4(&p.ip, IPPROTO_UDP, 40);
	p.ip.ihl = 15;
	skb = eipfix_test_skb(test, &p, 40);
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), -EINVAL);
	kfree_skb(skb);

	/* not IPv4 at all */
	eipfix_test_ip4(&p.ip, IPPROTO_UDP, sizeof(p));
	p.ip.version = 6;
	skb = eipfix_test_skb(test, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), -EINVAL);
	kfree_skb(skb);
}

static void parse_v4_truncated_transport_is_raw_and_counted(struct kunit *test)
{
	struct pkt4 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;
	unsigned int len = sizeof(struct iphdr) + 10;	/* half a TCP header */

	eipfix_test_ip4(&p.ip, IPPROTO_TCP, len);
	p.tcp.source = htons(1);
	skb = eipfix_test_skb(test, &p, len);
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), -EINVAL);
	/* still metered as raw IP: the IP header was sound */
	KUNIT_EXPECT_EQ(test, pkt.key.family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, pkt.key.sport, 0);
	KUNIT_EXPECT_EQ(test, pkt.octets, len);
	kfree_skb(skb);
}

/*
 * An IPv4 TCP GSO packet of @payload octets to port 23 with an IP tot_len of
 * @tot_len, gso_size 1000, gso_segs @segs and gso_type @type.
 */
static struct sk_buff *gso_tcp4(struct kunit *test, unsigned int payload, u16 tot_len,
				u16 segs, unsigned int type)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct tcphdr) + payload;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct iphdr *iph = (struct iphdr *)buf;
	struct tcphdr *th = (struct tcphdr *)(iph + 1);
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip4(iph, IPPROTO_TCP, tot_len);
	th->doff = 5;
	th->dest = htons(23);
	skb = eipfix_test_skb(test, buf, len);
	/* as the stack has set it: skb_gso_validate_network_len() reads it */
	skb_set_transport_header(skb, sizeof(*iph));
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_segs = segs;
	skb_shinfo(skb)->gso_type = type;
	return skb;
}

static void parse_v4_gso_counts_wire_segments(struct kunit *test)
{
	struct sk_buff *skb = gso_tcp4(test, 3000, 3040, 3, SKB_GSO_TCPV4);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	/* three wire packets of 40 header bytes + 1000 payload bytes */
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1040);
	kfree_skb(skb);
}

/*
 * A TSO frame written to a tap with a virtio-net header (SKB_GSO_DODGY)
 * arrives with gso_segs 0: its segments follow from gso_size.
 */
static void parse_v4_dodgy_gso_counts_segments(struct kunit *test)
{
	struct sk_buff *skb = gso_tcp4(test, 2500, 2540, 0,
				       SKB_GSO_TCPV4 | SKB_GSO_DODGY);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	/* 2500 octets of payload in segments of 1000: 3, each with 40 of headers */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 2540U + 2 * 40);
	kfree_skb(skb);
}

/*
 * GSO segments larger than the MTU: ip_finish_output_gso() segments the
 * packet and gives every segment to ip_fragment(), which cuts each (no DF)
 * or drops them all (DF, without ignore_df).
 */
static void parse_v4_egress_gso_larger_than_the_mtu(struct kunit *test)
{
	struct sk_buff *skb = gso_tcp4(test, 3000, 3040, 3, SKB_GSO_TCPV4);
	struct eipfix_pkt pkt;

	/* 3 segments of 1040, each cut at 600: 596 + 464 */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 600, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 6U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3 * (596U + 464));
	/* the control: segments within the MTU leave as they are */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1500, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1040);
	/* DF: every segment dropped */
	ip_hdr(skb)->frag_off = htons(IP_DF);
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 600, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	skb->ignore_df = 1;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 600, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 6U);
	kfree_skb(skb);
}

/* IPv4 BIG TCP: a GRO/GSO packet over 64 KiB carries tot_len 0. */
static void parse_v4_big_tcp(struct kunit *test)
{
	struct sk_buff *skb = gso_tcp4(test, 3000, 0, 3, SKB_GSO_TCPV4);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 23);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1040);
	kfree_skb(skb);
}

/*
 * A datagram nf_defrag reassembled from fragments of at most 1500 octets: its
 * ports, and the fragments and octets that crossed the interface.
 */
static void parse_v4_reassembled_counts_fragments(struct kunit *test)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct udphdr) + 4000;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct iphdr *iph = (struct iphdr *)buf;
	struct udphdr *uh = (struct udphdr *)(iph + 1);
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip4(iph, IPPROTO_UDP, len);
	uh->dest = htons(5353);
	skb = eipfix_test_skb(test, buf, len);
	IPCB(skb)->frag_max_size = 1500;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 5353);
	/* 4008 octets of UDP in chunks of 1480: 3 fragments of 20 octets of header */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 4008U + 3 * 20);
	kfree_skb(skb);
}

/*
 * ping -6 -s 1448 over an MTU of 1500: fragments of 1496 and 56 octets (the
 * second holds the last 8 octets of payload). frag_max_size (1496) counts
 * the fragment header, which the reassembled datagram (1496 too) does not
 * have: still two fragments.
 */
static void parse_v6_reassembled_with_a_tail_of_8(struct kunit *test)
{
	unsigned int plen = 8 + 1448;		/* ICMPv6 echo header + data */
	unsigned int len = sizeof(struct ipv6hdr) + plen;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip6((struct ipv6hdr *)buf, IPPROTO_ICMPV6, plen);
	buf[sizeof(struct ipv6hdr)] = ICMPV6_ECHO_REQUEST;
	skb = eipfix_test_skb(test, buf, len);
	IP6CB(skb)->flags |= IP6SKB_FRAGMENTED;
	IP6CB(skb)->frag_max_size = 1496;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 2U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1496U + 56);
	kfree_skb(skb);
}

/*
 * Reassembled from fragments that each repeated a hop-by-hop header (8):
 * fragments of 1496, 1496 and 1184 (56 of headers each) from an MTU of 1500.
 */
static void parse_v6_reassembled_with_extension_headers(struct kunit *test)
{
	unsigned int plen = 8 + sizeof(struct udphdr) + 4000;
	unsigned int len = sizeof(struct ipv6hdr) + plen;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip6((struct ipv6hdr *)buf, NEXTHDR_HOP, plen);
	buf[sizeof(struct ipv6hdr)] = IPPROTO_UDP;
	skb = eipfix_test_skb(test, buf, len);
	IP6CB(skb)->flags |= IP6SKB_FRAGMENTED;
	IP6CB(skb)->frag_max_size = 1496;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1496U + 1496 + 1184);
	kfree_skb(skb);
}

/* An IPv4 UDP datagram of @len octets (header included) with @frag_off. */
static struct sk_buff *udp4_skb(struct kunit *test, unsigned int len, __be16 frag_off)
{
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip4((struct iphdr *)buf, IPPROTO_UDP, len);
	((struct iphdr *)buf)->frag_off = frag_off;
	return eipfix_test_skb(test, buf, len);
}

/* An IPv6 UDP datagram with @plen octets after the fixed header. */
static struct sk_buff *udp6_skb(struct kunit *test, unsigned int plen)
{
	unsigned int len = sizeof(struct ipv6hdr) + plen;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip6((struct ipv6hdr *)buf, IPPROTO_UDP, plen);
	return eipfix_test_skb(test, buf, len);
}

/*
 * A datagram leaving larger than the route's MTU (1420, WireGuard's) is cut
 * by the stack after the hook: the fragments are what crosses the interface.
 * With DF set (and no ignore_df) it would not be cut: one packet.
 */
static void parse_v4_egress_counts_the_fragments_it_will_leave_in(struct kunit *test)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct udphdr) + 4000;
	struct sk_buff *skb = udp4_skb(test, len, 0);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1420, &pkt), 0);
	/* 4008 octets in chunks of 1400: 1420 + 1420 + 1228 on the wire */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1420U + 1420 + 1228);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	/* ingress: as it is */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1U);
	kfree_skb(skb);
}

/*
 * ip_fragment() drops what DF forbids it to cut (ICMP fragmentation needed
 * to the sender): nothing of it crosses the interface. Also a datagram
 * reassembled from DF fragments and forwarded, however small: DF without
 * ignore_df. The same with DF from a socket that lets the stack fragment
 * (ignore_df: IP_MTU_DISCOVER want, whose route's MTU fell) leaves in
 * fragments.
 */
static void parse_v4_egress_too_big_with_df_is_not_sent(struct kunit *test)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct udphdr) + 4000;
	struct sk_buff *skb = udp4_skb(test, len, htons(IP_DF));
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1420, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	/* what the rules would drop, were it denied: the datagram */
	KUNIT_EXPECT_EQ(test, pkt.segs, 1U);
	KUNIT_EXPECT_EQ(test, pkt.octets, len);
	skb->ignore_df = 1;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1420, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1420U + 1420 + 1228);
	/* ingress: as it is */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	kfree_skb(skb);

	/* reassembled from DF fragments of at most 1004, forwarded: 1200 < MTU */
	skb = udp4_skb(test, 1200, htons(IP_DF));
	IPCB(skb)->frag_max_size = 1004;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1420, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	/* the control: without DF it is cut again as it came, 1004 + 216 */
	ip_hdr(skb)->frag_off = 0;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1420, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 2U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1004U + 216);
	kfree_skb(skb);
}

static void parse_v6_egress_counts_the_fragments_it_will_leave_in(struct kunit *test)
{
	struct sk_buff *skb = udp6_skb(test, sizeof(struct udphdr) + 4000);
	struct eipfix_pkt pkt;

	/* A socket that lets the stack fragment (IPV6_PMTUDISC_WANT). */
	skb->ignore_df = 1;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1420, &pkt), 0);
	/* 4008 octets after the fixed header in chunks of 1368 (1420 - 40 - 8, of 8) */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 4008U + 3 * 48);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	kfree_skb(skb);
}

/*
 * ip6_fragment() drops (Packet Too Big to the sender) a datagram larger than
 * the MTU from a socket that does not let the stack fragment, and one
 * reassembled from fragments larger than the MTU.
 */
static void parse_v6_egress_too_big_is_not_sent(struct kunit *test)
{
	unsigned int len = sizeof(struct ipv6hdr) + sizeof(struct udphdr) + 4000;
	struct sk_buff *skb = udp6_skb(test, len - sizeof(struct ipv6hdr));
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1420, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1U);
	KUNIT_EXPECT_EQ(test, pkt.octets, len);
	/* reassembled by conntrack (ignore_df) from fragments of 1500 */
	skb->ignore_df = 1;
	IP6CB(skb)->flags |= IP6SKB_FRAGMENTED;
	IP6CB(skb)->frag_max_size = 1500;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1420, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	/* the control: fragments of 1400 are cut again as they came */
	IP6CB(skb)->frag_max_size = 1400;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1420, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	/* 4008 octets in chunks of 1352 (1400 - 48, of 8) */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 4008U + 3 * 48);
	kfree_skb(skb);
}

/*
 * Every fragment repeats the unfragmentable part (RFC 8200 4.5: the IPv6
 * header and the hop-by-hop, routing and destination options before a
 * routing header) and adds a fragment header: here hop-by-hop (8), routing
 * (8), then destination options (8, fragmentable: after the routing header)
 * and UDP.
 */
static void parse_v6_egress_fragments_repeat_the_unfragmentable_part(struct kunit *test)
{
	unsigned int plen = 3 * 8 + sizeof(struct udphdr) + 4000;
	unsigned int len = sizeof(struct ipv6hdr) + plen;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	u8 *ext = buf + sizeof(struct ipv6hdr);
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip6((struct ipv6hdr *)buf, NEXTHDR_HOP, plen);
	ext[0] = NEXTHDR_ROUTING;
	ext[8] = NEXTHDR_DEST;
	ext[16] = IPPROTO_UDP;
	ext[24 + 3] = 53;		/* the UDP destination port */
	skb = eipfix_test_skb(test, buf, len);
	skb->ignore_df = 1;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1420, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 53);
	/*
	 * 4016 octets after the 56 unfragmentable ones, in chunks of 1352
	 * (1420 - 56 - 8, of 8): fragments of 1416, 1416 and 1376.
	 */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1416U + 1416 + 1376);
	kfree_skb(skb);
}

/*
 * A socket's IPV6_MTU (np->frag_size) below the route's MTU: ip6_fragment()
 * cuts at it.
 */
static void parse_v6_egress_fragments_at_the_sockets_ipv6_mtu(struct kunit *test)
{
	struct sk_buff *skb = udp6_skb(test, sizeof(struct udphdr) + 4000);
	struct eipfix_pkt pkt;
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, PF_INET6, SOCK_DGRAM,
					       IPPROTO_UDP, &sock), 0);
	inet6_sk(sock->sk)->frag_size = 1280;
	skb->ignore_df = 1;
	skb->sk = sock->sk;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1420, &pkt), 0);
	/* 4008 octets in chunks of 1232 (1280 - 48): 3 of 1280 and one of 360 */
	KUNIT_EXPECT_EQ(test, pkt.segs, 4U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1280 + 360);
	skb->sk = NULL;
	kfree_skb(skb);
	sock_release(sock);
}

/*
 * An IPv6 TCP GSO packet of @payload octets with gso_size 1000 and gso_segs
 * @segs: segments of 1060 octets but the last.
 */
static struct sk_buff *gso_tcp6(struct kunit *test, unsigned int payload, u16 segs)
{
	unsigned int len = sizeof(struct ipv6hdr) + sizeof(struct tcphdr) + payload;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct tcphdr *th = (struct tcphdr *)(buf + sizeof(struct ipv6hdr));
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip6((struct ipv6hdr *)buf, IPPROTO_TCP, len - sizeof(struct ipv6hdr));
	th->doff = 5;
	th->dest = htons(23);
	skb = eipfix_test_skb(test, buf, len);
	skb_set_transport_header(skb, sizeof(struct ipv6hdr));
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_segs = segs;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
	return skb;
}

/*
 * GSO segments larger than the MTU (a GRO packet forwarded, a TSO frame from
 * a guest): ip6_finish_output_gso_slowpath_drop() segments it, sends the
 * segments that fit and gives the others to ip6_fragment(), which drops them
 * unless the stack may fragment (ignore_df).
 */
static void parse_v6_egress_gso_larger_than_the_mtu(struct kunit *test)
{
	struct sk_buff *skb = gso_tcp6(test, 2500, 3);
	struct eipfix_pkt pkt;

	/* 1060, 1060 and 560 over an MTU of 800: only the last leaves */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 800, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 560U);
	/* cut: each 1060 in 1020 octets after the IPv6 header, chunks of 752 */
	skb->ignore_df = 1;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 800, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 5U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 2 * (1020U + 2 * 48) + 560);
	/* the control: segments within the MTU leave as they are */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 1500, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 2680U);
	kfree_skb(skb);

	/* every segment too big, none may be cut: nothing leaves */
	skb = gso_tcp6(test, 3000, 3);
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 800, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	kfree_skb(skb);
}

/*
 * A tunnel GSO packet as a tunnel's xmit leaves it (iptunnel_handle_offloads()):
 * an outer IPv4 (or @v6) header of protocol @proto, @encap octets of tunnel
 * headers, an inner IPv4 header and @inner_proto header (TCP or UDP), and
 * @payload octets in segments of 1000; skb->encapsulation set, and the
 * inner headers where the stack sets them.
 */
static struct sk_buff *gso_tunnel(struct kunit *test, bool v6, u8 proto,
				  unsigned int encap, u8 inner_proto,
				  unsigned int payload, u16 segs, unsigned int type)
{
	unsigned int ohl = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	unsigned int inh = ohl + encap, inth = inh + sizeof(struct iphdr);
	unsigned int len = inth + payload + (inner_proto == IPPROTO_TCP ?
			   sizeof(struct tcphdr) : sizeof(struct udphdr));
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (v6)
		eipfix_test_ip6((struct ipv6hdr *)buf, proto, len - ohl);
	else
		eipfix_test_ip4((struct iphdr *)buf, proto, len);
	if (proto == IPPROTO_UDP)
		((struct udphdr *)(buf + ohl))->dest = htons(4789);
	eipfix_test_ip4((struct iphdr *)(buf + inh), inner_proto, len - inh);
	if (inner_proto == IPPROTO_TCP)
		((struct tcphdr *)(buf + inth))->doff = 5;
	skb = eipfix_test_skb(test, buf, len);
	skb_set_transport_header(skb, ohl);
	skb_set_inner_network_header(skb, inh);
	skb_set_inner_transport_header(skb, inth);
	skb->encapsulation = 1;
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_segs = segs;
	skb_shinfo(skb)->gso_type = type;
	return skb;
}

/*
 * VXLAN over IPv4 (SKB_GSO_UDP_TUNNEL): every segment repeats the outer IP
 * and UDP headers, VXLAN's, the inner Ethernet, IP and TCP headers: 90
 * octets, not the outer 28.
 */
static void parse_v4_udp_tunnel_gso_repeats_outer_and_inner_headers(struct kunit *test)
{
	struct sk_buff *skb = gso_tunnel(test, false, IPPROTO_UDP, 8 + 8 + ETH_HLEN,
					 IPPROTO_TCP, 3000, 3,
					 SKB_GSO_UDP_TUNNEL | SKB_GSO_TCPV4);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 4789);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1090);
	/* leaving at 600 without DF: each segment's outer datagram is cut */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 600, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 6U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3 * (1070U + 2 * 20));
	/* from a tap with a virtio-net header: 3000 octets of payload, 3 segments */
	skb_shinfo(skb)->gso_segs = 0;
	skb_shinfo(skb)->gso_type |= SKB_GSO_DODGY;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1090);
	kfree_skb(skb);
}

/*
 * UDP segmentation (SKB_GSO_UDP_L4) over GRE over IPv6 (SKB_GSO_GRE): each
 * segment has the IPv6, GRE, inner IPv4 and inner UDP headers, 72 octets.
 */
static void parse_v6_gre_gso_repeats_outer_and_inner_headers(struct kunit *test)
{
	struct sk_buff *skb = gso_tunnel(test, true, IPPROTO_GRE, 4, IPPROTO_UDP,
					 2500, 3, SKB_GSO_GRE | SKB_GSO_UDP_L4);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_GRE);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 2U * 1072 + 572);
	/* 1072, 1072 and 572 leaving at 800, no ignore_df: the last leaves */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 800, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 572U);
	kfree_skb(skb);
}

/* IPv4 in IPv4 (SKB_GSO_IPXIP4): both IP headers and TCP's in every segment. */
static void parse_v4_ipip_gso_repeats_outer_and_inner_headers(struct kunit *test)
{
	struct sk_buff *skb = gso_tunnel(test, false, IPPROTO_IPIP, 0, IPPROTO_TCP,
					 3000, 3, SKB_GSO_IPXIP4 | SKB_GSO_TCPV4);
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 3U * 1060);
	kfree_skb(skb);
}

/*
 * An SCTP GSO packet as sctp_packet_pack() builds it: the IPv4 and SCTP
 * common headers in the head, one frag_list skb per segment holding its
 * chunks (@chunks[@n] octets), gso_size GSO_BY_FRAGS, gso_segs @n.
 */
static struct sk_buff *gso_sctp4(struct kunit *test, const unsigned int *chunks,
				 unsigned int n)
{
	unsigned int hlen = sizeof(struct iphdr) + sizeof(struct sctphdr), i;
	struct sk_buff *skb, *seg, **next;
	u8 buf[sizeof(struct iphdr) + sizeof(struct sctphdr)] = {};

	eipfix_test_ip4((struct iphdr *)buf, IPPROTO_SCTP, hlen);
	skb = eipfix_test_skb(test, buf, hlen);
	skb_set_transport_header(skb, sizeof(struct iphdr));
	next = &skb_shinfo(skb)->frag_list;
	for (i = 0; i < n; i++) {
		seg = alloc_skb(chunks[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, seg);
		skb_put_zero(seg, chunks[i]);
		*next = seg;
		next = &seg->next;
		skb->len += seg->len;
		skb->data_len += seg->len;
		skb->truesize += seg->truesize;
	}
	skb_shinfo(skb)->gso_size = GSO_BY_FRAGS;
	skb_shinfo(skb)->gso_segs = n;
	skb_shinfo(skb)->gso_type = SKB_GSO_SCTP;
	return skb;
}

/*
 * SCTP GSO: a segment per frag_list skb, each with the IP and SCTP headers;
 * leaving larger than the MTU, each segment is cut as long as it is.
 */
static void parse_v4_sctp_gso_counts_each_frag_list_segment(struct kunit *test)
{
	static const unsigned int chunks[] = { 1000, 1000, 500 };
	struct sk_buff *skb = gso_sctp4(test, chunks, ARRAY_SIZE(chunks));
	struct eipfix_pkt pkt;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_SCTP);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 1032U + 1032 + 532);
	/* at 600 without DF: 1032 in two fragments (1012 + 2 * 20), 532 whole */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 600, &pkt), 0);
	KUNIT_EXPECT_FALSE(test, pkt.too_big);
	KUNIT_EXPECT_EQ(test, pkt.segs, 5U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 2 * 1052U + 532);
	/* the control: segments within the MTU leave as they are */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 1500, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	/* DF: every segment goes to ip_fragment(), which drops them all */
	ip_hdr(skb)->frag_off = htons(IP_DF);
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV4, 600, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.too_big);
	kfree_skb(skb);
}

/*
 * UDP segmentation (SKB_GSO_UDP_L4) from a tap with a virtio-net header:
 * every segment has its own UDP header (__udp_gso_segment()).
 */
static void parse_v6_udp_l4_gso_repeats_the_udp_header(struct kunit *test)
{
	struct sk_buff *skb = udp6_skb(test, sizeof(struct udphdr) + 2500);
	struct eipfix_pkt pkt;

	skb_set_transport_header(skb, sizeof(struct ipv6hdr));
	skb_shinfo(skb)->gso_size = 1000;
	skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4 | SKB_GSO_DODGY;
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 2U * 1048 + 548);
	kfree_skb(skb);
}

static void parse_v6_reassembled_counts_fragments(struct kunit *test)
{
	unsigned int plen = sizeof(struct udphdr) + 4000;
	unsigned int len = sizeof(struct ipv6hdr) + plen;
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct ipv6hdr *ip6h = (struct ipv6hdr *)buf;
	struct udphdr *uh = (struct udphdr *)(ip6h + 1);
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	eipfix_test_ip6(ip6h, IPPROTO_UDP, plen);
	uh->dest = htons(5353);
	skb = eipfix_test_skb(test, buf, len);
	IP6CB(skb)->flags |= IP6SKB_FRAGMENTED;
	IP6CB(skb)->frag_max_size = 1500;

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 5353);
	/* 4008 octets in chunks of 1448 (1500 - 40 - 8, a multiple of 8) */
	KUNIT_EXPECT_EQ(test, pkt.segs, 3U);
	KUNIT_EXPECT_EQ(test, pkt.octets, 4008U + 3 * 48);
	kfree_skb(skb);
}

struct pkt6 {
	struct ipv6hdr ip6;
	u8 rest[64];
} __packed;

static void parse_v6_tcp_after_extension_headers(struct kunit *test)
{
	struct pkt6 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;
	struct tcphdr *th;

	/* hop-by-hop (8 bytes) -> destination options (8 bytes) -> TCP */
	eipfix_test_ip6(&p.ip6, NEXTHDR_HOP, sizeof(p.rest));
	p.rest[0] = NEXTHDR_DEST;
	p.rest[1] = 0;
	p.rest[8] = NEXTHDR_TCP;
	p.rest[9] = 0;
	th = (struct tcphdr *)&p.rest[16];
	th->source = htons(443);
	th->dest = htons(50000);
	th->doff = 5;
	th->fin = 1;
	th->ack = 1;
	skb = eipfix_test_skb(test, &p, sizeof(p));

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.family, (u8)AF_INET6);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.sport), 443);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 50000);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, (u16)0x11);
	KUNIT_EXPECT_EQ(test, pkt.tos, (u8)0xb0);
	KUNIT_EXPECT_EQ(test, pkt.octets, (u32)sizeof(p));
	KUNIT_EXPECT_EQ(test, pkt.key.saddr.s6_addr32[3], htonl(2));
	kfree_skb(skb);
}

static void parse_v6_icmpv6(struct kunit *test)
{
	struct pkt6 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip6(&p.ip6, IPPROTO_ICMPV6, 16);
	p.rest[0] = ICMPV6_ECHO_REQUEST;
	skb = eipfix_test_skb(test, &p, sizeof(p.ip6) + 16);

	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_ICMPV6);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), ICMPV6_ECHO_REQUEST << 8);
	KUNIT_EXPECT_EQ(test, pkt.octets, (u32)sizeof(p.ip6) + 16);
	kfree_skb(skb);
}

static void parse_v6_fragments(struct kunit *test)
{
	struct pkt6 p = {};
	struct frag_hdr *fh = (struct frag_hdr *)p.rest;
	struct udphdr *uh = (struct udphdr *)(fh + 1);
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	/* first fragment: the UDP header follows the fragment header */
	eipfix_test_ip6(&p.ip6, NEXTHDR_FRAGMENT, sizeof(p.rest));
	fh->nexthdr = IPPROTO_UDP;
	fh->frag_off = htons(IP6_MF);
	uh->source = htons(7);
	uh->dest = htons(9);
	skb = eipfix_test_skb(test, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.sport), 7);
	KUNIT_EXPECT_EQ(test, ntohs(pkt.key.dport), 9);
	kfree_skb(skb);

	/* a later fragment: no transport header to read */
	fh->frag_off = htons(1448);
	skb = eipfix_test_skb(test, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.key.protocol, (u8)IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, pkt.key.sport, 0);
	KUNIT_EXPECT_EQ(test, pkt.key.dport, 0);
	kfree_skb(skb);
}

static void parse_v6_truncated_refused(struct kunit *test)
{
	struct pkt6 p = {};
	struct eipfix_pkt pkt;
	struct sk_buff *skb;

	eipfix_test_ip6(&p.ip6, IPPROTO_UDP, 8);
	skb = eipfix_test_skb(test, &p, 30);	/* shorter than the IPv6 header */
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkt.key.family, 0);
	kfree_skb(skb);

	/* payload length beyond the packet */
	eipfix_test_ip6(&p.ip6, IPPROTO_UDP, 1000);
	skb = eipfix_test_skb(test, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), -EINVAL);
	kfree_skb(skb);

	/* an extension header chain cut short: raw, counted as an error */
	eipfix_test_ip6(&p.ip6, NEXTHDR_HOP, 4);
	skb = eipfix_test_skb(test, &p, sizeof(p.ip6) + 4);
	KUNIT_EXPECT_EQ(test, eipfix_parse_skb(skb, NFPROTO_IPV6, 0, &pkt), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkt.key.family, (u8)AF_INET6);
	KUNIT_EXPECT_EQ(test, pkt.key.sport, 0);
	kfree_skb(skb);
}

static struct kunit_case eipfix_parse_cases[] = {
	KUNIT_CASE(parse_v4_tcp),
	KUNIT_CASE(parse_v4_udp_counts_ip_length_not_padding),
	KUNIT_CASE(parse_v4_icmp_type_code),
	KUNIT_CASE(parse_v4_raw_protocol),
	KUNIT_CASE(parse_v4_later_fragment_is_raw),
	KUNIT_CASE(parse_v4_first_fragment_has_ports),
	KUNIT_CASE(parse_v4_truncated_header_refused),
	KUNIT_CASE(parse_v4_lying_lengths_refused),
	KUNIT_CASE(parse_v4_truncated_transport_is_raw_and_counted),
	KUNIT_CASE(parse_v4_gso_counts_wire_segments),
	KUNIT_CASE(parse_v4_big_tcp),
	KUNIT_CASE(parse_v4_dodgy_gso_counts_segments),
	KUNIT_CASE(parse_v4_reassembled_counts_fragments),
	KUNIT_CASE(parse_v6_reassembled_counts_fragments),
	KUNIT_CASE(parse_v6_reassembled_with_a_tail_of_8),
	KUNIT_CASE(parse_v6_reassembled_with_extension_headers),
	KUNIT_CASE(parse_v4_egress_counts_the_fragments_it_will_leave_in),
	KUNIT_CASE(parse_v6_egress_counts_the_fragments_it_will_leave_in),
	KUNIT_CASE(parse_v4_egress_too_big_with_df_is_not_sent),
	KUNIT_CASE(parse_v6_egress_too_big_is_not_sent),
	KUNIT_CASE(parse_v4_egress_gso_larger_than_the_mtu),
	KUNIT_CASE(parse_v6_egress_gso_larger_than_the_mtu),
	KUNIT_CASE(parse_v4_udp_tunnel_gso_repeats_outer_and_inner_headers),
	KUNIT_CASE(parse_v6_gre_gso_repeats_outer_and_inner_headers),
	KUNIT_CASE(parse_v4_ipip_gso_repeats_outer_and_inner_headers),
	KUNIT_CASE(parse_v4_sctp_gso_counts_each_frag_list_segment),
	KUNIT_CASE(parse_v6_udp_l4_gso_repeats_the_udp_header),
	KUNIT_CASE(parse_v6_egress_fragments_repeat_the_unfragmentable_part),
	KUNIT_CASE(parse_v6_egress_fragments_at_the_sockets_ipv6_mtu),
	KUNIT_CASE(parse_v6_tcp_after_extension_headers),
	KUNIT_CASE(parse_v6_icmpv6),
	KUNIT_CASE(parse_v6_fragments),
	KUNIT_CASE(parse_v6_truncated_refused),
	{}
};

static struct kunit_suite eipfix_parse_suite = {
	.name = "enclave_ipfix_parse",
	.test_cases = eipfix_parse_cases,
};

kunit_test_suite(eipfix_parse_suite);

MODULE_LICENSE("GPL");
