// SPDX-License-Identifier: GPL-2.0
/*
 * Packet classification: from an skb at its network header to the flow key
 * and what the packet adds to its flow. Nothing here trusts a length field:
 * every header is read through skb_header_pointer() and checked against what
 * the skb holds. Truncated or malformed headers give -EINVAL, which the hook
 * counts as a parse error; a packet whose IP header is sound but whose
 * transport header is not is still metered, as raw IP.
 */
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/dsfield.h>
#include <net/ndisc.h>
#include <uapi/linux/enclave_ipfix.h>

#include "parse.h"

/*
 * The TCP flags as IPFIX tcpControlBits wants them (RFC 7125): the flags
 * byte and the NS bit, which are the low nine bits of the header's 7th
 * 16-bit word.
 */
static u16 eipfix_tcp_flags(const struct tcphdr *th)
{
	return ntohs(((const __be16 *)th)[6]) & 0x1ff;
}

/*
 * Whether ICMP (@v6 false) or ICMPv6 @type is an error quoting a packet
 * (a redirect quotes one too, but changes routes: not an error here).
 */
static bool eipfix_icmp_is_error(bool v6, u8 type)
{
	if (v6)
		return type < 128;	/* RFC 4443: errors are 0-127 */
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/*
 * The packet an ICMP error quotes (RFC 792, RFC 4443): its addresses,
 * protocol and ports, for the Access Control Rules to find the connection the
 * error belongs to. Left unset when the quote is cut short.
 */
static void eipfix_parse_icmp_inner(const struct sk_buff *skb, unsigned int off,
				    struct eipfix_pkt *pkt)
{
	struct eipfix_key *in = &pkt->inner;
	__be16 _ports[2];
	const __be16 *ports;
	unsigned int thoff;
	u8 proto;

	if (pkt->key.protocol == IPPROTO_ICMP) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			return;
		in->saddr.s6_addr32[0] = iph->saddr;
		in->daddr.s6_addr32[0] = iph->daddr;
		proto = iph->protocol;
		thoff = off + iph->ihl * 4;
		if (ntohs(iph->frag_off) & IP_OFFSET)
			proto = 0;	/* no ports to quote */
	} else {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		int t;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return;
		in->saddr = ip6h->saddr;
		in->daddr = ip6h->daddr;
		proto = ip6h->nexthdr;
		t = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &proto, &frag_off);
		if (t < 0)
			return;
		thoff = t;
		if (ntohs(frag_off) & ~0x7)
			proto = 0;
	}
	in->protocol = proto;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
		if (!ports)
			return;
		in->sport = ports[0];
		in->dport = ports[1];
	}
	pkt->has_inner = true;
}

/* Ports, ICMP type/code and TCP flags; false if the header is cut short. */
static bool eipfix_parse_l4(const struct sk_buff *skb, unsigned int off,
			    struct eipfix_pkt *pkt)
{
	struct eipfix_key *key = &pkt->key;

	switch (key->protocol) {
	case IPPROTO_TCP: {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, off, sizeof(_th), &_th);
		if (!th || th->doff < sizeof(*th) / 4)
			return false;
		key->sport = th->source;
		key->dport = th->dest;
		pkt->tcp_flags = eipfix_tcp_flags(th);
		return true;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE: {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		key->sport = uh->source;
		key->dport = uh->dest;
		return true;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		u8 _tc[2];
		const u8 *tc;

		/* Type and code lead both ICMP headers. */
		tc = skb_header_pointer(skb, off, sizeof(_tc), _tc);
		if (!tc)
			return false;
		key->dport = htons(tc[0] << 8 | tc[1]);
		/* The quoted packet follows an 8-octet header in both. */
		if (eipfix_icmp_is_error(key->protocol == IPPROTO_ICMPV6, tc[0]))
			eipfix_parse_icmp_inner(skb, off + 8, pkt);
		return true;
	}
	default:
		return true;
	}
}

/*
 * Segments and IP octets as they are on the wire, for GSO/GRO packets too.
 * A packet from an untrusted source (a tun/tap opened with a virtio-net
 * header: SKB_GSO_DODGY) carries gso_segs 0 until the stack segments it:
 * its segments follow from gso_size, as skb_gso_segment() would cut them.
 */
static void eipfix_count_segs(const struct sk_buff *skb, unsigned int l3_len,
			      unsigned int hdr_len, struct eipfix_pkt *pkt)
{
	unsigned int segs = 1, gso_size;

	if (skb_is_gso(skb)) {
		segs = skb_shinfo(skb)->gso_segs;
		gso_size = skb_shinfo(skb)->gso_size;
		if (!segs && gso_size && l3_len > hdr_len)
			segs = DIV_ROUND_UP(l3_len - hdr_len, gso_size);
	}
	pkt->segs = segs ?: 1;
	pkt->octets = l3_len + (pkt->segs - 1) * hdr_len;
}

/*
 * A datagram the kernel reassembled (ingress runs after nf_defrag) crossed the
 * interface as fragments, each but the last as large as the largest one
 * (frag_max_size: that is how IP stacks cut them), so their number follows
 * from its length: @payload octets in chunks of at most @max_chunk (a
 * multiple of 8), each fragment with @hdr_len octets of header. Exact for
 * fragments cut that way; fragments cut otherwise (a hostile peer's tiny
 * ones) are counted as if they had been.
 */
static void eipfix_count_frags(unsigned int payload, unsigned int max_chunk,
			       unsigned int hdr_len, struct eipfix_pkt *pkt)
{
	max_chunk &= ~7U;
	pkt->segs = max_chunk ? max(DIV_ROUND_UP(payload, max_chunk), 1U) : 1;
	pkt->octets = payload + pkt->segs * hdr_len;
}

static unsigned int eipfix_l4_hdr_len(const struct sk_buff *skb, unsigned int off,
				      u8 protocol)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	if (protocol == IPPROTO_UDP)
		return sizeof(struct udphdr);
	if (protocol != IPPROTO_TCP)
		return 0;
	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	return th ? th->doff * 4 : 0;
}

/*
 * The largest fragment an IPv4 datagram crosses the interface in, or 0 if it
 * crosses whole: a reassembled one was cut at frag_max_size; one leaving
 * (@mtu: the route's, 0 on ingress) is cut by ip_fragment() after our hook,
 * at the smaller of the two, unless DF forbids it (then it is dropped).
 */
static unsigned int eipfix_frag_limit_v4(const struct sk_buff *skb,
					 const struct iphdr *iph, unsigned int mtu)
{
	unsigned int limit = IPCB(skb)->frag_max_size;

	if (mtu && (!limit || mtu < limit) &&
	    (!(iph->frag_off & htons(IP_DF)) || skb->ignore_df))
		limit = mtu;
	return limit;
}

static int eipfix_parse_v4(const struct sk_buff *skb, unsigned int mtu,
			   struct eipfix_pkt *pkt)
{
	unsigned int limit;
	unsigned int nhoff = skb_network_offset(skb);
	unsigned int avail = skb->len - nhoff, ihl, tot_len, l3_len;
	struct iphdr _iph;
	const struct iphdr *iph;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	ihl = iph->ihl * 4;
	tot_len = ntohs(iph->tot_len);
	/*
	 * GSO/GRO super-packets may carry a tot_len of their first segment,
	 * or 0 when larger than 64 KiB (BIG TCP).
	 */
	if (skb_is_gso(skb)) {
		l3_len = avail;
		if (!tot_len)
			tot_len = avail;
	} else {
		l3_len = tot_len;
	}
	if (ihl > avail || tot_len < ihl || l3_len > avail)
		return -EINVAL;

	pkt->key.saddr.s6_addr32[0] = iph->saddr;
	pkt->key.daddr.s6_addr32[0] = iph->daddr;
	pkt->key.protocol = iph->protocol;
	pkt->tos = iph->tos;

	limit = eipfix_frag_limit_v4(skb, iph, mtu);
	if (!skb_is_gso(skb) && limit > ihl && l3_len > limit)
		eipfix_count_frags(l3_len - ihl, limit - ihl, ihl, pkt);
	else
		eipfix_count_segs(skb, l3_len,
				  ihl + eipfix_l4_hdr_len(skb, nhoff + ihl,
							  iph->protocol),
				  pkt);

	pkt->fragment = !!(ntohs(iph->frag_off) & (IP_OFFSET | IP_MF));
	/* Later fragments have no transport header: metered as raw. */
	if (ntohs(iph->frag_off) & IP_OFFSET)
		return 0;
	if (!eipfix_parse_l4(skb, nhoff + ihl, pkt))
		return -EINVAL;
	return 0;
}

/*
 * As eipfix_frag_limit_v4(), for ip6_fragment(): a datagram leaving larger
 * than @mtu is cut only when the socket allows it (ignore_df); a router
 * never cuts one it forwards, except a reassembled one, at frag_max_size.
 */
static unsigned int eipfix_frag_limit_v6(const struct sk_buff *skb,
					 unsigned int mtu)
{
	unsigned int limit = IP6CB(skb)->flags & IP6SKB_FRAGMENTED ?
			     IP6CB(skb)->frag_max_size : 0;

	if (mtu && (!limit || mtu < limit) && skb->ignore_df)
		limit = mtu;
	return limit;
}

static int eipfix_parse_v6(const struct sk_buff *skb, unsigned int mtu,
			   struct eipfix_pkt *pkt)
{
	const unsigned int fhdr = sizeof(struct ipv6hdr) + sizeof(struct frag_hdr);
	unsigned int nhoff = skb_network_offset(skb), limit;
	unsigned int avail = skb->len - nhoff, l3_len;
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	__be16 frag_off = 0;
	u8 nexthdr;
	int thoff;

	ip6h = skb_header_pointer(skb, nhoff, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -EINVAL;
	l3_len = skb_is_gso(skb) ? avail :
		 sizeof(*ip6h) + ntohs(ip6h->payload_len);
	/* A zero payload length is a jumbogram or BIG TCP: use the skb. */
	if (!ip6h->payload_len)
		l3_len = avail;
	if (l3_len > avail)
		return -EINVAL;

	pkt->key.saddr = ip6h->saddr;
	pkt->key.daddr = ip6h->daddr;
	pkt->tos = ipv6_get_dsfield(ip6h);

	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, nhoff + sizeof(*ip6h), &nexthdr, &frag_off);
	if (thoff < 0) {
		/* Extension headers cut short: metered as raw, and counted. */
		pkt->key.protocol = ip6h->nexthdr;
		eipfix_count_segs(skb, l3_len, sizeof(*ip6h), pkt);
		return -EINVAL;
	}
	pkt->fragment = !!(ntohs(frag_off) & (~0x7 | IP6_MF));
	if (ntohs(frag_off) & ~0x7) {
		/*
		 * A later fragment: ipv6_skip_exthdr() stops at its fragment
		 * header, whose next header is the flow's protocol.
		 */
		struct frag_hdr _fh;
		const struct frag_hdr *fh;

		fh = skb_header_pointer(skb, thoff, sizeof(_fh), &_fh);
		if (!fh)
			return -EINVAL;
		pkt->key.protocol = fh->nexthdr;
		eipfix_count_segs(skb, l3_len, thoff - nhoff + sizeof(*fh), pkt);
		return 0;
	}
	pkt->key.protocol = nexthdr;
	/*
	 * Reassembled, or to be cut on its way out: each fragment has the
	 * fixed header and a fragment header (the extension headers before it
	 * are taken as none).
	 */
	limit = eipfix_frag_limit_v6(skb, mtu);
	/*
	 * Leaving, the stack cuts what is longer than @limit (without a
	 * fragment header); a reassembled datagram was cut if its payload is
	 * longer than the largest fragment's (which had one).
	 */
	if (!skb_is_gso(skb) && limit > fhdr &&
	    l3_len > (mtu ? limit : limit - sizeof(struct frag_hdr)))
		eipfix_count_frags(l3_len - sizeof(*ip6h), limit - fhdr, fhdr, pkt);
	else
		eipfix_count_segs(skb, l3_len,
				  thoff - nhoff +
				  eipfix_l4_hdr_len(skb, thoff, nexthdr),
				  pkt);

	if (!eipfix_parse_l4(skb, thoff, pkt))
		return -EINVAL;
	/*
	 * Neighbour solicitation and advertisement, on-link (hop limit 255,
	 * code 0) as RFC 4861 requires: address resolution. Router
	 * advertisements and redirects change the host's routes: the rules
	 * judge those.
	 */
	if (nexthdr == IPPROTO_ICMPV6 && ip6h->hop_limit == 255) {
		u16 tc = ntohs(pkt->key.dport);

		pkt->nd = tc == NDISC_NEIGHBOUR_SOLICITATION << 8 ||
			  tc == NDISC_NEIGHBOUR_ADVERTISEMENT << 8;
	}
	return 0;
}

/**
 * eipfix_parse_skb() - classify a packet into its flow key
 * @skb: the packet, with its network header set
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6 (from the hook)
 * @mtu: on egress, the MTU the stack fragments at after the hook (0: ingress)
 * @pkt: filled in; the caller fills ifindex, direction and fwd_status
 *
 * Return: 0, or -EINVAL for a malformed packet. On -EINVAL the key may still
 * be usable as raw IP when key.family is set.
 */
int eipfix_parse_skb(const struct sk_buff *skb, u8 family, unsigned int mtu,
		     struct eipfix_pkt *pkt)
{
	int ret;

	memset(pkt, 0, sizeof(*pkt));
	if (family == NFPROTO_IPV4) {
		ret = eipfix_parse_v4(skb, mtu, pkt);
		if (pkt->segs)
			pkt->key.family = AF_INET;
	} else {
		ret = eipfix_parse_v6(skb, mtu, pkt);
		if (pkt->segs)
			pkt->key.family = AF_INET6;
	}
	if (ret && pkt->key.family) {
		/* Keep the IP-level key; drop what the broken header gave. */
		pkt->key.sport = 0;
		pkt->key.dport = 0;
		pkt->tcp_flags = 0;
		pkt->has_inner = false;
		pkt->nd = false;
	}
	return ret;
}
