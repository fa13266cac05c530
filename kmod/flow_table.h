/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_FLOW_TABLE_H
#define _EIPFIX_FLOW_TABLE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include "flow.h"

#define EIPFIX_TABLE_LOCKS 1024

/*
 * A bounded hash table of flows. Readers (the packet path) look up under
 * RCU and take only the flow's own lock; inserts and removals take one of
 * EIPFIX_TABLE_LOCKS striped bucket locks. It knows nothing of netfilter
 * or records, so that KUnit can hammer it alone.
 */
struct eipfix_table {
	struct hlist_head *buckets;
	/*
	 * Per bucket, the (32-bit) jiffies from which one of its flows may be
	 * due to end; never later than the truth, so a scan skips a bucket
	 * that is not due without touching its flows (see eipfix_table_scan()).
	 */
	u32 *due;
	unsigned long idle_timeout;	/* jiffies, what @due was computed with */
	unsigned long fin_grace;	/* jiffies after a FIN or RST */
	u32 mask;
	u32 max_flows;
	u32 seed;
	atomic_t count;
	struct list_head retired;	/* on its namespace's list once replaced */
	spinlock_t locks[EIPFIX_TABLE_LOCKS];	/* bucket inserts and removals */
};

enum eipfix_account_result {
	EIPFIX_ACCT_UPDATED,	/* the packet counted in a known flow */
	EIPFIX_ACCT_CREATED,	/* a new flow began with the packet */
	EIPFIX_ACCT_NO_ROOM,	/* table full, nothing in the bucket to evict */
	EIPFIX_ACCT_NOMEM,	/* allocation failed */
};

/* What a table walk wants done with the flow it was shown. */
enum eipfix_walk_action {
	EIPFIX_WALK_KEEP,
	EIPFIX_WALK_REMOVE,
};

/*
 * Called with the flow's lock held (and bottom halves off); may change
 * the flow's counts, e.g. to take a record of them.
 */
typedef enum eipfix_walk_action (*eipfix_walk_fn)(struct eipfix_flow *flow,
						    void *arg);

/* Called between buckets of a scan, unlocked; true stops the scan there. */
typedef bool (*eipfix_pace_fn)(void *arg);

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
	return atomic_read(&table->count);
}

#endif /* _EIPFIX_FLOW_TABLE_H */
