/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow key and the flow itself: what one unidirectional IPFIX flow is
 * (DESIGN.md section 5). Shared by the parser, the table and the records.
 */
#ifndef _EIPFIX_FLOW_H
#define _EIPFIX_FLOW_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>
#include <linux/in6.h>
#include <linux/jhash.h>
#include <linux/socket.h>

/*
 * Everything that tells one flow from another. Addresses are kept in
 * in6_addr form for both families (IPv4 in the first word, the rest zero) so
 * that the key has one size and hashes as 32-bit words. For ICMP, dport
 * holds type << 8 | code and sport is zero, as NetFlow exporters do.
 */
struct eipfix_key {
	struct in6_addr saddr;
	struct in6_addr daddr;
	__be16 sport;
	__be16 dport;
	int ifindex;
	u8 family;
	u8 protocol;
	u8 direction;	/* EIPFIX_DIR_RECEIVED or EIPFIX_DIR_SENDING */
	u8 fwd_status;	/* EIPFIX_FWD_FORWARDED or EIPFIX_FWD_DROPPED_ACL */
} __aligned(4);

#define EIPFIX_KEY_WORDS (sizeof(struct eipfix_key) / sizeof(u32))

/* A key as five 64-bit words and one 32-bit, at the key's own alignment. */
struct eipfix_key_words {
	u64 w[5];
	u32 last;
} __packed __aligned(4);

/*
 * Whether two keys are the same flow's. Inlined and unrolled by hand: this
 * runs for every packet (and every entry of a bucket it walks). memcmp() is
 * an out-of-line call that compares bytes (a 1M-flow profile had it at a
 * tenth of the module's cost), and a loop over the eleven 32-bit words,
 * which the compiler leaves rolled, is three times these instructions.
 */
static inline bool eipfix_key_equal(const struct eipfix_key *a,
				    const struct eipfix_key *b)
{
	const struct eipfix_key_words *x = (const void *)a, *y = (const void *)b;

	BUILD_BUG_ON(sizeof(*x) != sizeof(*a));
	return !((x->w[0] ^ y->w[0]) | (x->w[1] ^ y->w[1]) |
		 (x->w[2] ^ y->w[2]) | (x->w[3] ^ y->w[3]) |
		 (x->w[4] ^ y->w[4]) | (x->last ^ y->last));
}

/*
 * The key's hash, for the tables' buckets. An IPv4 key's addresses are one
 * word each (equal keys have one family, so they still hash alike): its
 * addresses and ports go through one jhash of three words, whose initval is
 * the seed and the interface, and the protocol, direction and forwarding
 * status (distinct low bits of one word) are XORed into the result. All
 * eleven words took three mixing rounds and the final one; a second jhash,
 * of the interface and the rest, was 27 instructions per packet more
 * (BENCHMARKS.md). Nothing a peer chooses enters additively next to what
 * it shifts: with the rest added to the initval, keys whose three words
 * were all lowered by what their rest raised it by collided whatever the
 * seed (review; KUnit key_hash_v4_has_no_seedless_collisions). Where the
 * bucket mask cuts bits of the rest off, keys that differ only there share
 * a bucket: a handful at most for one flow's addresses and ports.
 */
static inline u32 eipfix_key_hash(const struct eipfix_key *key, u32 seed)
{
	u32 ports, rest;

	if (key->family != AF_INET)
		return jhash2((const u32 *)key, EIPFIX_KEY_WORDS, seed);
	ports = (__force u32)key->sport << 16 | (__force u32)key->dport;
	rest = (u32)key->protocol | (u32)key->direction << 8 |
	       (u32)key->fwd_status << 10;
	return jhash_3words((__force u32)key->saddr.s6_addr32[0],
			    (__force u32)key->daddr.s6_addr32[0], ports,
			    seed ^ (u32)key->ifindex) ^ rest;
}

/*
 * A flow's acl_rule when no rule decided it (or none was asked for): the
 * rules' own values are index + 1 of a rule, at most 65535, or 0, Default.
 */
#define EIPFIX_ACL_RULE_NONE U32_MAX

/* Flow state bits, under flow->lock. */
#define EIPFIX_FLOW_FIN		BIT(0)	/* FIN or RST seen: end after grace */
#define EIPFIX_FLOW_DEAD	BIT(1)	/* unlinked; packets must not count */

/*
 * One live flow. Counts are deltas since the flow's previous record, so an
 * interim record resets them; start_ms is the time of the first packet
 * since then (of the flow's first packet until its first record). Size on
 * x86_64 without lock debugging or PREEMPT_RT: 128 bytes (checked at build
 * time in flow_table.c), allocated from its own slab cache.
 */
struct eipfix_flow {
	struct hlist_node node;
	struct eipfix_key key;
	spinlock_t lock;		/* the counts, state and DEAD handshake */
	u16 tcp_flags;
	u8 tos;
	u8 state;
	u32 acl_rule;
	u64 packets;
	u64 octets;
	u64 start_ms;
	u64 end_ms;
	unsigned long last_seen;	/* jiffies, for the idle timeout */
	struct rcu_head rcu;
};

/* What one packet adds to its flow. */
struct eipfix_pkt {
	struct eipfix_key key;
	u32 segs;	/* > 1 for GSO/GRO packets: counted as on the wire */
	u32 octets;	/* IP octets of all segments */
	u16 tcp_flags;
	u8 tos;
	bool has_inner;	/* an ICMP error: @inner is the packet it is about */
	bool nd;	/* IPv6 neighbour discovery (hop limit 255: on-link) */
	bool fragment;	/* a fragment, not a whole datagram */
	bool too_big;	/* leaving, dropped by the stack for its size: not sent */
	u32 acl_rule;
	/*
	 * Addresses, protocol and ports of an ICMP error's quoted packet; set
	 * only with @has_inner (last: the parser zeroes what comes before).
	 */
	struct eipfix_key inner;
};

#endif /* _EIPFIX_FLOW_H */
