// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table: the flows of a namespace in a bounded RCU hash (bhash.c,
 * which owns the bound, the eviction, the locking and the walk). A known
 * flow costs the packet path one RCU hash lookup and its own spinlock: no
 * allocation, no shared lock. A new flow takes the striped lock of its
 * bucket and one slab allocation. The table never holds more than max_flows
 * flows: a new flow that finds it full evicts the least recently seen flow
 * of its own bucket (the caller reports it with flowEndReason "lack of
 * resources"), or is not created when that bucket is empty. Both are
 * counted by the caller.
 *
 * What is here: a flow's counts, its DEAD handshake with the packet path,
 * and when it may be due to end, which keeps the bucket due times of the
 * hash (a packet only moves a flow's end later, except a FIN or RST, which
 * lowers its bucket's here), so that a scan visits only the buckets whose
 * time came.
 *
 * Memory: one flow is sizeof(struct eipfix_flow) = 128 bytes from its own
 * slab cache, plus 12 bytes (bucket head and due time) per two flows of
 * max_flows.
 */
#include <linux/slab.h>

#include "flow_table.h"

static struct kmem_cache *eipfix_flow_cache;

/* 128 bytes with an ordinary spinlock; PREEMPT_RT's is an rt_mutex, larger. */
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC) && \
	!defined(CONFIG_PREEMPT_RT) && defined(CONFIG_64BIT)
static_assert(sizeof(struct eipfix_flow) == 128);
#endif
static_assert(sizeof(struct eipfix_key) % sizeof(u32) == 0);

int eipfix_flow_cache_init(void)
{
	eipfix_flow_cache = KMEM_CACHE(eipfix_flow, 0);
	return eipfix_flow_cache ? 0 : -ENOMEM;
}

void eipfix_flow_cache_exit(void)
{
	/* Flows freed by call_rcu() must be gone before the cache is. */
	rcu_barrier();
	kmem_cache_destroy(eipfix_flow_cache);
}

static void eipfix_flow_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(eipfix_flow_cache, container_of(rcu, struct eipfix_flow, rcu));
}

/* Frees an unlinked flow once no reader can hold it. */
void eipfix_flow_free(struct eipfix_flow *flow)
{
	call_rcu(&flow->rcu, eipfix_flow_free_rcu);
}

static void eipfix_flow_release(struct hlist_node *node)
{
	eipfix_flow_free(hlist_entry(node, struct eipfix_flow, node));
}

static struct lock_class_key eipfix_flow_lock_key;

static const struct eipfix_bhash_params eipfix_flow_params = {
	.per_bucket = 2,
	.nlocks = 1024,
	.due = true,
	.seen_off = offsetof(struct eipfix_flow, last_seen) -
		    offsetof(struct eipfix_flow, node),
	.release = eipfix_flow_release,
	.lock_key = &eipfix_flow_lock_key,
};

struct eipfix_table *eipfix_table_new(u32 max_flows, gfp_t gfp)
{
	struct eipfix_table *table;

	table = kzalloc(sizeof(*table), gfp);
	if (!table)
		return NULL;
	if (eipfix_bhash_init(&table->hash, max_flows, &eipfix_flow_params, gfp)) {
		kfree(table);
		return NULL;
	}
	INIT_LIST_HEAD(&table->retired);
	return table;
}

/* The table must be empty and no reader may still see it. */
void eipfix_table_free(struct eipfix_table *table)
{
	if (!table)
		return;
	WARN_ON_ONCE(eipfix_table_count(table));
	eipfix_bhash_destroy(&table->hash);
	kfree(table);
}

/* When a flow in @state, last seen at @last_seen, ends if nothing more comes. */
static u32 eipfix_flow_due(const struct eipfix_table *table, u8 state,
			   unsigned long last_seen)
{
	return (u32)(last_seen + (state & EIPFIX_FLOW_FIN ?
				  READ_ONCE(table->fin_grace) :
				  READ_ONCE(table->idle_timeout)));
}

/* A FIN or RST brought a flow's end closer than its bucket may say. BH off. */
void eipfix_bucket_fin(struct eipfix_table *table, u32 bucket,
		       unsigned long last_seen)
{
	spinlock_t *lock = eipfix_bhash_lock(&table->hash, bucket);

	spin_lock(lock);
	eipfix_bhash_due(&table->hash, bucket,
			 eipfix_flow_due(table, EIPFIX_FLOW_FIN, last_seen));
	spin_unlock(lock);
}

/* @flow was unlinked: packets that still find it must not count. */
static void eipfix_flow_kill(struct eipfix_flow *flow)
{
	spin_lock(&flow->lock);
	flow->state |= EIPFIX_FLOW_DEAD;
	spin_unlock(&flow->lock);
}

static struct eipfix_flow *eipfix_flow_new(const struct eipfix_pkt *pkt,
					   u64 now_ms)
{
	struct eipfix_flow *flow;

	flow = kmem_cache_alloc(eipfix_flow_cache, GFP_ATOMIC);
	if (!flow)
		return NULL;
	memset(flow, 0, sizeof(*flow));
	spin_lock_init(&flow->lock);
	flow->key = pkt->key;
	flow->tos = pkt->tos;
	flow->start_ms = now_ms;
	eipfix_flow_add_pkt(flow, pkt, now_ms);
	return flow;
}

/* BH off. Only a packet of a new flow comes here (and one whose flow died). */
enum eipfix_account_result
eipfix_table_insert(struct eipfix_table *table, const struct eipfix_pkt *pkt,
		    u32 bucket, u64 now_ms, struct eipfix_flow **evicted)
{
	spinlock_t *lock = eipfix_bhash_lock(&table->hash, bucket);
	enum eipfix_account_result ret = EIPFIX_ACCT_CREATED;
	struct eipfix_flow *flow;
	struct hlist_node *old;

	spin_lock(lock);
	/* Another CPU may have created it since our lookup. */
	flow = eipfix_table_find(table, bucket, &pkt->key);
	if (flow) {
		spin_unlock(lock);
		return eipfix_flow_try_add(table, bucket, flow, pkt, now_ms) ?
			EIPFIX_ACCT_UPDATED : EIPFIX_ACCT_NO_ROOM;
	}
	if (eipfix_bhash_reserve(&table->hash, bucket, &old)) {
		ret = EIPFIX_ACCT_NO_ROOM;
		goto out;
	}
	if (old) {
		/* Full: the new flow took the slot of this bucket's oldest. */
		*evicted = hlist_entry(old, struct eipfix_flow, node);
		eipfix_flow_kill(*evicted);
	}
	flow = eipfix_flow_new(pkt, now_ms);
	if (!flow) {
		eipfix_bhash_unreserve(&table->hash);
		ret = EIPFIX_ACCT_NOMEM;
		goto out;
	}
	eipfix_bhash_add(&table->hash, bucket, &flow->node,
			 eipfix_flow_due(table, flow->state, flow->last_seen));
out:
	spin_unlock(lock);
	return ret;
}

/* A scan of the table, as the hash's walk sees it. */
struct eipfix_table_scan {
	struct eipfix_table *table;
	eipfix_walk_fn fn;
	eipfix_pace_fn pace;
	void *arg;
};

/* Shows @fn one flow, locked; a flow that stays says when it may be due. */
static enum eipfix_walk_action eipfix_table_visit(struct hlist_node *node,
						  u32 *due, void *arg)
{
	struct eipfix_flow *flow = hlist_entry(node, struct eipfix_flow, node);
	struct eipfix_table_scan *scan = arg;
	enum eipfix_walk_action action;

	spin_lock(&flow->lock);
	action = scan->fn(flow, scan->arg);
	if (action == EIPFIX_WALK_REMOVE)
		flow->state |= EIPFIX_FLOW_DEAD;
	else
		eipfix_due_lower(due, eipfix_flow_due(scan->table, flow->state,
						      flow->last_seen));
	spin_unlock(&flow->lock);
	return action;
}

static bool eipfix_table_pace(void *arg)
{
	struct eipfix_table_scan *scan = arg;

	return scan->pace(scan->arg);
}

/**
 * eipfix_table_scan() - show @fn the flows that may be due to end at @now
 * @table: the table
 * @now: jiffies
 * @idle_timeout: jiffies without a packet after which a flow ends
 * @fin_grace: jiffies after a FIN or RST after which a flow ends
 * @all: show every flow (an interim tick, a forced end)
 * @cursor: the bucket to start at; set to where a stopped scan goes on (the
 *	    bucket it stopped in), or to 0 once the scan reached the end (NULL:
 *	    from 0, to the end)
 * @fn: called with the flow's lock held
 * @pace: if not NULL, called after each bucket @fn was shown, unlocked;
 *	  returning true stops the scan there
 * @arg: passed to @fn and @pace
 *
 * Visits only the buckets whose due time came, unless @all or the timeouts
 * changed since the last scan (the due times were computed with the old).
 * Flows removed are freed after a grace period. Context: process; sleeps
 * between buckets.
 *
 * Return: how many flows @fn was shown.
 */
u32 eipfix_table_scan(struct eipfix_table *table, unsigned long now,
		      unsigned long idle_timeout, unsigned long fin_grace,
		      bool all, u32 *cursor, eipfix_walk_fn fn,
		      eipfix_pace_fn pace, void *arg)
{
	struct eipfix_table_scan scan = {
		.table = table, .fn = fn, .pace = pace, .arg = arg,
	};
	struct eipfix_bhash_walk w = {
		.fn = eipfix_table_visit, .pace = pace ? eipfix_table_pace : NULL,
		.arg = &scan, .now = now, .all = all, .may_sleep = true,
	};
	u32 from = cursor ? *cursor : 0, shown;

	/*
	 * New timeouts: every bucket's due time is computed again in this one
	 * pass, which therefore starts at 0 and goes to the end, unpaced (@fn
	 * is then expected to keep every flow it does not end). Inserts read
	 * the timeouts under their bucket lock, which the walk takes.
	 */
	if (idle_timeout != table->idle_timeout || fin_grace != table->fin_grace) {
		WRITE_ONCE(table->idle_timeout, idle_timeout);
		WRITE_ONCE(table->fin_grace, fin_grace);
		w.all = true;
		w.pace = NULL;
		from = 0;
	}
	shown = eipfix_bhash_walk(&table->hash, &from, U32_MAX, &w);
	if (cursor)
		*cursor = from;
	return shown;
}
