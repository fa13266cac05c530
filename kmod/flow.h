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

/*
 * Whether two keys are the same flow's. Word by word, inlined: this runs for
 * every packet, and memcmp() is an out-of-line call that compares bytes
 * (a 1M-flow profile had it at a tenth of the module's cost).
 */
static inline bool eipfix_key_equal(const struct eipfix_key *a,
				    const struct eipfix_key *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff = 0;
	unsigned int i;

	for (i = 0; i < EIPFIX_KEY_WORDS; i++)
		diff |= x[i] ^ y[i];
	return !diff;
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
	/* addresses, protocol and ports of an ICMP error's quoted packet */
	struct eipfix_key inner;
};

#endif /* _EIPFIX_FLOW_H */
