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
#include <linux/sctp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/dsfield.h>
#include <net/ndisc.h>
#include <uapi/linux/enclave_ipfix.h>

#include "compat.h"
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

	memset(in, 0, sizeof(*in));
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

/*
 * Ports, ICMP type/code and TCP flags; false if the header is cut short.
 * Inlined into both families' parsers: out of line, a profile had it at 41
 * of parsing's 171 instructions per packet (BENCHMARKS.md).
 */
static __always_inline bool eipfix_parse_l4(const struct sk_buff *skb,
					    unsigned int off,
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
 * The fragments of one datagram: @payload octets after the @hdr_len octets
 * of header every fragment repeats, at most @room of them a fragment, all
 * but the last cut down to a multiple of 8 (ip_frag_next(),
 * ip6_frag_next()). Adds them to @segs and @octets.
 */
static void eipfix_add_frags(unsigned int payload, unsigned int room,
			     unsigned int hdr_len, u32 *segs, u32 *octets)
{
	unsigned int n = 1;

	if (payload > room && room >= 8)
		n += DIV_ROUND_UP(payload - room, room & ~7U);
	*segs += n;
	*octets += payload + n * hdr_len;
}

/*
 * A datagram the kernel reassembled (ingress runs after nf_defrag) crossed the
 * interface as fragments, each but the last as large as the largest one
 * (frag_max_size: that is how IP stacks cut them), so their number follows
 * from its length; and one leaving larger than the MTU is cut after the
 * hook: either way eipfix_add_frags(). Exact for fragments cut that way;
 * fragments cut otherwise (a hostile peer's tiny ones) are counted as if
 * they had been.
 */
static void eipfix_count_frags(unsigned int payload, unsigned int room,
			       unsigned int hdr_len, struct eipfix_pkt *pkt)
{
	pkt->segs = 0;
	pkt->octets = 0;
	eipfix_add_frags(payload, room, hdr_len, &pkt->segs, &pkt->octets);
}

/*
 * Segments that leave longer than the MTU, by the kernel's own test
 * (__ip_finish_output, __ip6_finish_output), which reads the transport
 * header: only where the stack has set it. The test knows tunnel and SCTP
 * (GSO_BY_FRAGS) segments too.
 */
static bool eipfix_gso_too_long(const struct sk_buff *skb, unsigned int mtu)
{
	return mtu && skb_transport_header_was_set(skb) &&
	       unlikely(!skb_gso_validate_network_len(skb, mtu));
}

/*
 * What fragmentation does with the segments of a GSO packet leaving larger
 * than the MTU (see eipfix_count_gso_frags()).
 */
struct eipfix_gso_cut {
	/* the size a segment of @len octets is cut at, or 0: dropped */
	unsigned int (*cut)(const struct sk_buff *skb, bool df, unsigned int len,
			    unsigned int mtu, unsigned int hlen);
	unsigned int frag_hdr;	/* of a segment's headers, in every fragment */
	unsigned int extra;	/* more in every fragment (IPv6's fragment header) */
	unsigned int mtu;
	bool all;		/* IPv4: every segment is given to fragmentation */
	bool df;		/* IPv4's DF bit */
};

/* Adds what leaves of one segment of @len octets to @segs and @octets. */
static void eipfix_cut_seg(const struct sk_buff *skb, const struct eipfix_gso_cut *c,
			   unsigned int len, u32 *segs, u32 *octets)
{
	unsigned int at;

	if (!c->all && len <= c->mtu) {
		*segs += 1;
		*octets += len;
		return;
	}
	at = c->cut(skb, c->df, len, c->mtu, c->frag_hdr);
	if (at)
		eipfix_add_frags(len - c->frag_hdr, at - c->frag_hdr - c->extra,
				 c->frag_hdr + c->extra, segs, octets);
}

/*
 * A GSO packet leaving whose segments are larger than the MTU (a GRO packet
 * forwarded, a TSO frame from a guest, a tunnel over a smaller MTU): the
 * stack segments it (ip_finish_output_gso(),
 * ip6_finish_output_gso_slowpath_drop()) and hands the segments to
 * fragmentation as @c says. Each segment has @seg_hdr octets of headers and
 * gso_size of payload but the last; an SCTP one (GSO_BY_FRAGS) has what
 * its frag_list skb holds (skb_segment() cuts there), so those are walked:
 * only here, on this slow path. Counts what leaves; if nothing does, the
 * packet is too big and keeps its segment counts.
 */
static void eipfix_count_gso_frags(const struct sk_buff *skb, unsigned int l3_len,
				   unsigned int seg_hdr,
				   const struct eipfix_gso_cut *c,
				   struct eipfix_pkt *pkt)
{
	unsigned int gso_size = skb_shinfo(skb)->gso_size, n = pkt->segs;
	const struct sk_buff *iter;
	u32 segs = 0, octets = 0, s = 0, o = 0;

	if (gso_size == GSO_BY_FRAGS) {
		skb_walk_frags(skb, iter)
			eipfix_cut_seg(skb, c, seg_hdr + iter->len, &segs, &octets);
	} else {
		/* n - 1 segments of seg_hdr + gso_size, and the rest */
		if (!n || l3_len < seg_hdr + (u64)(n - 1) * gso_size)
			return;
		eipfix_cut_seg(skb, c, seg_hdr + gso_size, &s, &o);
		segs = (n - 1) * s;
		octets = (n - 1) * o;
		eipfix_cut_seg(skb, c, l3_len - (n - 1) * gso_size, &segs, &octets);
	}
	if (!segs) {
		pkt->too_big = true;
		return;
	}
	pkt->segs = segs;
	pkt->octets = octets;
}

/*
 * The transport header of @protocol at @off that every segment repeats:
 * TCP's (__tcp_gso_segment()), UDP's (__udp_gso_segment()), SCTP's common
 * header (sctp_gso_segment()).
 */
static unsigned int eipfix_l4_hdr_len(const struct sk_buff *skb, unsigned int off,
				      u8 protocol)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	if (likely(protocol == IPPROTO_TCP)) {
		th = skb_header_pointer(skb, off, sizeof(_th), &_th);
		return th ? th->doff * 4 : 0;
	}
	if (protocol == IPPROTO_UDP)
		return sizeof(struct udphdr);
	if (protocol == IPPROTO_SCTP)
		return sizeof(struct sctphdr);
	return 0;
}

/* The inner transport protocol of a tunnel GSO packet, as gso_type has it. */
static u8 eipfix_gso_inner_protocol(const struct sk_buff *skb)
{
	unsigned int type = skb_shinfo(skb)->gso_type;

	if (type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6))
		return IPPROTO_TCP;
	if (type & SKB_GSO_UDP_L4)
		return IPPROTO_UDP;
	if (type & SKB_GSO_SCTP)
		return IPPROTO_SCTP;
	return 0;
}

/*
 * The headers every segment of a GSO packet repeats, from the network header
 * at @nhoff to the end of the @protocol header at @thoff; within @l3_len.
 * The kernel computes this in skb_gso_network_seglen(), which is static
 * (net/core/skbuff.c in 6.1, net/core/gso.c in 6.12): mirrored here, reading
 * the TCP header through skb_header_pointer(). A tunnel packet
 * (skb->encapsulation: UDP tunnels, GRE, IP in IP) repeats everything up to
 * the end of the inner transport header, which the tunnel's xmit (or GRO)
 * marked; unlike the kernel's, which only knows inner TCP, an inner UDP
 * (SKB_GSO_UDP_L4) or SCTP header counts too, as each segment has one.
 */
static unsigned int eipfix_gso_hdr_len(const struct sk_buff *skb, unsigned int nhoff,
				       unsigned int thoff, u8 protocol,
				       unsigned int l3_len)
{
	int in;

	if (unlikely(skb->encapsulation)) {
		in = skb_inner_transport_header(skb) - skb_network_header(skb);
		if (in > (int)(thoff - nhoff) && in < (int)l3_len) {
			thoff = nhoff + in;
			protocol = eipfix_gso_inner_protocol(skb);
		}
	}
	return thoff - nhoff + eipfix_l4_hdr_len(skb, thoff, protocol);
}

/*
 * ip_fragment() and ip_do_fragment(), after POST_ROUTING: the size an IPv4
 * datagram (or a GSO segment) of @len octets, @df if it has DF, leaving at
 * @mtu is cut at, or 0 if it is
 * dropped instead (ICMP fragmentation needed to the sender): DF forbids
 * cutting unless the socket lets the stack do it (ignore_df), and a
 * datagram reassembled from fragments larger than @mtu is not cut smaller
 * than they were. A reassembled one is cut as it came, at frag_max_size.
 * The IP header, options included (ip_options_fragment() keeps their
 * length), is @hlen in every fragment.
 */
static unsigned int eipfix_ip_fragment_at(const struct sk_buff *skb, bool df,
					  unsigned int len, unsigned int mtu,
					  unsigned int hlen)
{
	unsigned int fms = IPCB(skb)->frag_max_size;

	if (df && (!skb->ignore_df || fms > mtu))
		return 0;
	if (fms && fms < mtu)
		mtu = fms;
	return mtu >= hlen + 8 ? mtu : 0;
}

static int eipfix_parse_v4(const struct sk_buff *skb, unsigned int mtu,
			   struct eipfix_pkt *pkt)
{
	unsigned int nhoff = skb_network_offset(skb), limit, hdr_len;
	unsigned int avail = skb->len - nhoff, ihl, tot_len, l3_len;
	bool df;
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

	df = iph->frag_off & htons(IP_DF);
	if (skb_is_gso(skb)) {
		hdr_len = eipfix_gso_hdr_len(skb, nhoff, nhoff + ihl,
					     iph->protocol, l3_len);
		eipfix_count_segs(skb, l3_len, hdr_len, pkt);
		/* Leaving with segments longer than the MTU: cut, or dropped. */
		if (eipfix_gso_too_long(skb, mtu)) {
			struct eipfix_gso_cut c = {
				.cut = eipfix_ip_fragment_at, .frag_hdr = ihl,
				.mtu = mtu, .all = true, .df = df,
			};

			eipfix_count_gso_frags(skb, l3_len, hdr_len, &c, pkt);
		}
	} else if (mtu) {
		/* __ip_finish_output(): what it gives ip_fragment() */
		pkt->segs = 1;
		pkt->octets = l3_len;
		if (unlikely(l3_len > mtu || IPCB(skb)->frag_max_size)) {
			limit = eipfix_ip_fragment_at(skb, df, l3_len, mtu, ihl);
			if (limit)
				eipfix_count_frags(l3_len - ihl, limit - ihl, ihl, pkt);
			else
				pkt->too_big = true;
		}
	} else {
		/* Reassembled by nf_defrag: it came cut at frag_max_size. */
		limit = IPCB(skb)->frag_max_size;
		pkt->segs = 1;
		pkt->octets = l3_len;
		if (limit > ihl && l3_len > limit)
			eipfix_count_frags(l3_len - ihl, limit - ihl, ihl, pkt);
	}

	pkt->fragment = !!(ntohs(iph->frag_off) & (IP_OFFSET | IP_MF));
	/* Later fragments have no transport header: metered as raw. */
	if (ntohs(iph->frag_off) & IP_OFFSET)
		return 0;
	if (!eipfix_parse_l4(skb, nhoff + ihl, pkt))
		return -EINVAL;
	return 0;
}

/*
 * The unfragmentable part of an IPv6 datagram, which every fragment repeats
 * (RFC 8200 4.5): the fixed header, hop-by-hop options, a routing header
 * and destination options before one, as ip6_find_1stfragopt() finds it
 * (without its Mobile IPv6 home address option case). Only on the slow
 * path; the chain was walked once already, so it is whole.
 */
static unsigned int eipfix_v6_unfrag_len(const struct sk_buff *skb,
					 unsigned int nhoff, u8 nexthdr)
{
	unsigned int off = sizeof(struct ipv6hdr);
	struct ipv6_opt_hdr _hp;
	const struct ipv6_opt_hdr *hp;
	bool rthdr = false;

	for (;;) {
		switch (nexthdr) {
		case NEXTHDR_HOP:
			break;
		case NEXTHDR_ROUTING:
			rthdr = true;
			break;
		case NEXTHDR_DEST:
			if (rthdr)
				return off;
			break;
		default:
			return off;
		}
		hp = skb_header_pointer(skb, nhoff + off, sizeof(_hp), &_hp);
		if (!hp)
			return off;
		nexthdr = hp->nexthdr;
		off += ipv6_optlen(hp);
	}
}

/*
 * ip6_fragment(), after POST_ROUTING: the size an IPv6 datagram (or a GSO
 * segment) of @len octets leaving at @mtu is cut at, or 0 if it is dropped
 * instead (Packet Too Big to the sender). Only what lets the stack fragment
 * (ignore_df: a socket's IPV6_MTU_DISCOVER "dont", "want" or "omit", or
 * reassembly by conntrack) is cut, not smaller than the fragments it was
 * reassembled from, and at the sending socket's IPV6_MTU (np->frag_size) if
 * lower. @hlen: the unfragmentable part.
 */
static unsigned int eipfix_ip6_fragment_at(const struct sk_buff *skb, bool df,
					   unsigned int len, unsigned int mtu,
					   unsigned int hlen)
{
	unsigned int fms = IP6CB(skb)->frag_max_size;
	const struct ipv6_pinfo *np;
	u32 frag_size;

	if (!skb->ignore_df && len > mtu)
		return 0;
	if (fms) {
		if (fms > mtu)
			return 0;
		mtu = max_t(unsigned int, fms, IPV6_MIN_MTU);
	}
	np = skb->sk && !dev_recursion_level() ? inet6_sk(skb->sk) : NULL;
	if (np) {
		frag_size = READ_ONCE(np->frag_size);
		if (frag_size && frag_size < mtu)
			mtu = frag_size;
	}
	return mtu >= hlen + sizeof(struct frag_hdr) + 8 ? mtu : 0;
}

static int eipfix_parse_v6(const struct sk_buff *skb, unsigned int mtu,
			   struct eipfix_pkt *pkt)
{
	const unsigned int fhdr = sizeof(struct frag_hdr);
	unsigned int nhoff = skb_network_offset(skb), limit, hdr_len, hlen;
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
	if (skb_is_gso(skb)) {
		hdr_len = eipfix_gso_hdr_len(skb, nhoff, thoff, nexthdr, l3_len);
		eipfix_count_segs(skb, l3_len, hdr_len, pkt);
		/* __ip6_finish_output(): segments longer than the MTU */
		if (eipfix_gso_too_long(skb, mtu) &&
		    !(IP6CB(skb)->flags & IP6SKB_FAKEJUMBO)) {
			struct eipfix_gso_cut c = {
				.cut = eipfix_ip6_fragment_at,
				.frag_hdr = eipfix_v6_unfrag_len(skb, nhoff, ip6h->nexthdr),
				.extra = sizeof(struct frag_hdr), .mtu = mtu,
			};

			eipfix_count_gso_frags(skb, l3_len, hdr_len, &c, pkt);
		}
	} else if (mtu) {
		/* __ip6_finish_output(): what it gives ip6_fragment() */
		pkt->segs = 1;
		pkt->octets = l3_len;
		limit = IP6CB(skb)->frag_max_size;
		if (unlikely(l3_len > mtu || (limit && l3_len > limit))) {
			hlen = eipfix_v6_unfrag_len(skb, nhoff, ip6h->nexthdr);
			limit = eipfix_ip6_fragment_at(skb, false, l3_len, mtu, hlen);
			if (limit)
				eipfix_count_frags(l3_len - hlen, limit - hlen - fhdr,
						   hlen + fhdr, pkt);
			else
				pkt->too_big = true;
		}
	} else {
		/*
		 * Reassembled by nf_defrag: it came cut at frag_max_size, each
		 * fragment with a fragment header, which the datagram has not.
		 */
		limit = IP6CB(skb)->flags & IP6SKB_FRAGMENTED ?
			IP6CB(skb)->frag_max_size : 0;
		pkt->segs = 1;
		pkt->octets = l3_len;
		if (limit && l3_len + fhdr > limit) {
			hlen = eipfix_v6_unfrag_len(skb, nhoff, ip6h->nexthdr);
			if (limit > hlen + fhdr)
				eipfix_count_frags(l3_len - hlen, limit - hlen - fhdr,
						   hlen + fhdr, pkt);
		}
	}

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
 * @pkt: filled in (@pkt->inner only if @pkt->has_inner); the caller fills
 *	 ifindex, direction and fwd_status
 *
 * Return: 0, or -EINVAL for a malformed packet. On -EINVAL the key may still
 * be usable as raw IP when key.family is set.
 */
int eipfix_parse_skb(const struct sk_buff *skb, u8 family, unsigned int mtu,
		     struct eipfix_pkt *pkt)
{
	int ret;

	/* @inner only for an ICMP error (has_inner): eipfix_parse_icmp_inner(). */
	memset(pkt, 0, offsetof(struct eipfix_pkt, inner));
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
