/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow table (flow_table.c): the flows of a namespace, counted by the
 * packet path and scanned for their end by expiry.c.
 */
#ifndef _EIPFIX_FLOW_TABLE_H
#define _EIPFIX_FLOW_TABLE_H

#include <linux/list.h>
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

enum eipfix_account_result
eipfix_table_account(struct eipfix_table *table, const struct eipfix_pkt *pkt,
		     u64 now_ms, struct eipfix_flow **evicted);
u32 eipfix_table_scan(struct eipfix_table *table, unsigned long now,
		      unsigned long idle_timeout, unsigned long fin_grace,
		      bool all, u32 *cursor, eipfix_walk_fn fn,
		      eipfix_pace_fn pace, void *arg);
void eipfix_flow_free(struct eipfix_flow *flow);

static inline u32 eipfix_table_count(const struct eipfix_table *table)
{
	return eipfix_bhash_count(&table->hash);
}

#endif /* _EIPFIX_FLOW_TABLE_H */
