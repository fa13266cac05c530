/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow table (flow_table.c): the flows of a namespace, counted by the
 * packet path and scanned for their end by expiry.c.
 */
#ifndef _EIPFIX_FLOW_TABLE_H
#define _EIPFIX_FLOW_TABLE_H

#include <linux/bottom_half.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/preempt.h>
#include <net/tcp.h>

#include "bhash.h"
#include "flow.h"

/*
 * A bounded hash table of flows (a struct eipfix_bhash, with due times).
 * Readers (the packet path) look up under RCU and take only the flow's own
 * lock; inserts and removals take the striped lock of their bucket. It
 * knows nothing of netfilter or records, so that KUnit can hammer it alone.
 */
struct eipfix_table {
	struct eipfix_bhash hash;
	unsigned long idle_timeout;	/* jiffies, what the due times were computed with */
	unsigned long fin_grace;	/* jiffies after a FIN or RST */
	struct list_head retired;	/* on its namespace's list once replaced */
};

enum eipfix_account_result {
	EIPFIX_ACCT_UPDATED,	/* the packet counted in a known flow */
	EIPFIX_ACCT_CREATED,	/* a new flow began with the packet */
	EIPFIX_ACCT_NO_ROOM,	/* table full, nothing in the bucket to evict */
	EIPFIX_ACCT_NOMEM,	/* allocation failed */
};

/*
 * Called with the flow's lock held (and bottom halves off); may change
 * the flow's counts, e.g. to take a record of them.
 */
typedef enum eipfix_walk_action (*eipfix_walk_fn)(struct eipfix_flow *flow,
						    void *arg);

int eipfix_flow_cache_init(void);
void eipfix_flow_cache_exit(void);

struct eipfix_table *eipfix_table_new(u32 max_flows, gfp_t gfp);
void eipfix_table_free(struct eipfix_table *table);

u32 eipfix_table_scan(struct eipfix_table *table, unsigned long now,
		      unsigned long idle_timeout, unsigned long fin_grace,
		      bool all, u32 *cursor, eipfix_walk_fn fn,
		      eipfix_pace_fn pace, void *arg);
void eipfix_flow_free(struct eipfix_flow *flow);

static inline u32 eipfix_table_count(const struct eipfix_table *table)
{
	return eipfix_bhash_count(&table->hash);
}

/*
 * What one packet costs a known flow, below, is inlined into the hook: out
 * of line it was three calls deep, their prologues and epilogues 20
 * instructions per packet (BENCHMARKS.md). flow_table.c has the rest.
 */
void eipfix_bucket_fin(struct eipfix_table *table, u32 bucket,
		       unsigned long last_seen);
enum eipfix_account_result
eipfix_table_insert(struct eipfix_table *table, const struct eipfix_pkt *pkt,
		    u32 bucket, u64 now_ms, struct eipfix_flow **evicted);

#define EIPFIX_FLOW_KEY_OFF \
	(offsetof(struct eipfix_flow, key) - offsetof(struct eipfix_flow, node))

static __always_inline struct eipfix_flow *
eipfix_table_find(struct eipfix_table *table, u32 bucket,
		  const struct eipfix_key *key)
{
	struct hlist_node *node = eipfix_bhash_find(&table->hash, bucket, key,
						    EIPFIX_FLOW_KEY_OFF);

	return node ? hlist_entry(node, struct eipfix_flow, node) : NULL;
}

static __always_inline void eipfix_flow_add_pkt(struct eipfix_flow *flow,
						const struct eipfix_pkt *pkt,
						u64 now_ms)
{
	/*
	 * Each record covers its own period: the first packet after the
	 * flow's previous (interim) record starts the next one, as
	 * ipt_NETFLOW, softflowd and Cisco's active timeout do, so that
	 * collectors computing rates from record times get them right. And
	 * never back in time within a flow: @now_ms was read before the lock
	 * (another CPU may have counted a later packet meanwhile) and is the
	 * last tick's. So no record ends before it starts, and none starts
	 * before the flow's previous one ended.
	 */
	now_ms = max(now_ms, flow->end_ms);
	if (!flow->packets)
		flow->start_ms = now_ms;
	flow->packets += pkt->segs;
	flow->octets += pkt->octets;
	flow->tcp_flags |= pkt->tcp_flags;
	flow->end_ms = now_ms;
	flow->last_seen = jiffies;
	/* The rule of its latest packet: rules may change under a live flow. */
	flow->acl_rule = pkt->acl_rule;
	if (pkt->tcp_flags & (TCPHDR_FIN | TCPHDR_RST))
		flow->state |= EIPFIX_FLOW_FIN;
}

/*
 * Counts the packet in @flow of @bucket unless the flow was unlinked
 * meanwhile. Not under the bucket lock; bottom halves off.
 */
static __always_inline bool eipfix_flow_try_add(struct eipfix_table *table,
						u32 bucket,
						struct eipfix_flow *flow,
						const struct eipfix_pkt *pkt,
						u64 now_ms)
{
	unsigned long last_seen = 0;
	bool live, fin = false;

	spin_lock(&flow->lock);
	live = !(flow->state & EIPFIX_FLOW_DEAD);
	if (live) {
		fin = !(flow->state & EIPFIX_FLOW_FIN);
		eipfix_flow_add_pkt(flow, pkt, now_ms);
		fin = fin && (flow->state & EIPFIX_FLOW_FIN);
		last_seen = flow->last_seen;
	}
	spin_unlock(&flow->lock);
	if (fin)
		eipfix_bucket_fin(table, bucket, last_seen);
	return live;
}

static __always_inline enum eipfix_account_result
eipfix_table_account_bh(struct eipfix_table *table,
			const struct eipfix_pkt *pkt, u64 now_ms,
			struct eipfix_flow **evicted)
{
	u32 bucket = eipfix_bhash_bucket(&table->hash, &pkt->key);
	struct eipfix_flow *flow;

	*evicted = NULL;
	flow = eipfix_table_find(table, bucket, &pkt->key);
	if (flow && eipfix_flow_try_add(table, bucket, flow, pkt, now_ms))
		return EIPFIX_ACCT_UPDATED;
	return eipfix_table_insert(table, pkt, bucket, now_ms, evicted);
}

/**
 * eipfix_table_account() - count one packet in its flow
 * @table: the table
 * @pkt: the packet's key and counts
 * @now_ms: wall clock, ms
 * @evicted: set to a flow that was unlinked to make room; the caller takes
 *	its record and frees it with eipfix_flow_free()
 *
 * Context: any; the caller holds rcu_read_lock(). Received packets come in
 * softirq: bottom halves are off already, and the locks are taken without
 * turning them off and on again (the flow's update went from 70 to 52
 * instructions per packet, BENCHMARKS.md); what a process sends comes with
 * them on.
 */
static __always_inline enum eipfix_account_result
eipfix_table_account(struct eipfix_table *table, const struct eipfix_pkt *pkt,
		     u64 now_ms, struct eipfix_flow **evicted)
{
	bool bh_on = !in_softirq();
	enum eipfix_account_result ret;

	if (bh_on)
		local_bh_disable();
	ret = eipfix_table_account_bh(table, pkt, now_ms, evicted);
	if (bh_on)
		local_bh_enable();
	return ret;
}

#endif /* _EIPFIX_FLOW_TABLE_H */
