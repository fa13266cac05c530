// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table. A known flow costs the packet path one RCU hash lookup and
 * its own spinlock: no allocation, no shared lock. A new flow takes the
 * striped lock of its bucket and one slab allocation. The table never holds
 * more than max_flows flows: a new flow that finds it full evicts the least
 * recently seen flow of its own bucket (the caller reports it with
 * flowEndReason "lack of resources"), or is not created when that bucket is
 * empty. Both are counted by the caller.
 *
 * Ending flows must not cost a walk of every flow every second: with a
 * million flows that is a million cache misses a second for nothing. Each
 * bucket keeps the earliest time one of its flows may be due (a lower
 * bound: packets only move a flow's end later, except a FIN or RST, which
 * lowers it here), and the scan visits only the buckets whose time came.
 *
 * Memory: one flow is sizeof(struct eipfix_flow) = 128 bytes from its own
 * slab cache, plus 12 bytes (bucket head and due time) per two flows of
 * max_flows.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/jiffies.h>
#include <net/tcp.h>

#include "flow_table.h"

static struct kmem_cache *eipfix_flow_cache;

/* 128 bytes with an ordinary spinlock; PREEMPT_RT's is an rt_mutex, larger. */
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC) && \
	!defined(CONFIG_PREEMPT_RT) && defined(CONFIG_64BIT)
static_assert(sizeof(struct eipfix_flow) == 128);
#endif
static_assert(sizeof(struct eipfix_key) % sizeof(u32) == 0);

/* An empty bucket is looked at again this far ahead, to keep due times near. */
#define EIPFIX_DUE_NEVER BIT(30)

/* Due times are 32-bit jiffies, compared across the wrap as jiffies are. */
static bool eipfix_due_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static void eipfix_due_lower(u32 *due, u32 when)
{
	if (eipfix_due_before(when, *due))
		WRITE_ONCE(*due, when);
}

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

struct eipfix_table *eipfix_table_new(u32 max_flows, gfp_t gfp)
{
	struct eipfix_table *table;
	u32 nbuckets, i;

	table = kzalloc(sizeof(*table), gfp);
	if (!table)
		return NULL;
	nbuckets = roundup_pow_of_two(max(max_flows / 2, 16U));
	table->buckets = kvcalloc(nbuckets, sizeof(*table->buckets), gfp);
	table->due = kvmalloc_array(nbuckets, sizeof(*table->due), gfp);
	if (!table->buckets || !table->due) {
		kvfree(table->due);
		kvfree(table->buckets);
		kfree(table);
		return NULL;
	}
	/* No timeouts are known yet: the first scan visits every bucket. */
	for (i = 0; i < nbuckets; i++)
		table->due[i] = (u32)jiffies;
	table->mask = nbuckets - 1;
	table->max_flows = max_flows;
	table->seed = get_random_u32();
	atomic_set(&table->count, 0);
	INIT_LIST_HEAD(&table->retired);
	for (i = 0; i < EIPFIX_TABLE_LOCKS; i++)
		spin_lock_init(&table->locks[i]);
	return table;
}

/* The table must be empty and no reader may still see it. */
void eipfix_table_free(struct eipfix_table *table)
{
	if (!table)
		return;
	WARN_ON_ONCE(atomic_read(&table->count));
	kvfree(table->due);
	kvfree(table->buckets);
	kfree(table);
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

static u32 eipfix_key_hash(const struct eipfix_table *table,
			   const struct eipfix_key *key)
{
	return jhash2((const u32 *)key, EIPFIX_KEY_WORDS, table->seed);
}

static spinlock_t *eipfix_bucket_lock(struct eipfix_table *table, u32 bucket)
{
	return &table->locks[bucket & (EIPFIX_TABLE_LOCKS - 1)];
}

static struct eipfix_flow *eipfix_bucket_find(struct hlist_head *head,
					      const struct eipfix_key *key)
{
	struct eipfix_flow *flow;

	hlist_for_each_entry_rcu(flow, head, node) {
		if (!memcmp(&flow->key, key, sizeof(*key)))
			return flow;
	}
	return NULL;
}

/* When a flow in @state, last seen at @last_seen, ends if nothing more comes. */
static u32 eipfix_flow_due(const struct eipfix_table *table, u8 state,
			   unsigned long last_seen)
{
	return (u32)(last_seen + (state & EIPFIX_FLOW_FIN ?
				  READ_ONCE(table->fin_grace) :
				  READ_ONCE(table->idle_timeout)));
}

/* A FIN or RST brought a flow's end closer than its bucket may say. */
static void eipfix_bucket_fin(struct eipfix_table *table, u32 bucket,
			      unsigned long last_seen)
{
	spinlock_t *lock = eipfix_bucket_lock(table, bucket);

	spin_lock_bh(lock);
	eipfix_due_lower(&table->due[bucket],
			 eipfix_flow_due(table, EIPFIX_FLOW_FIN, last_seen));
	spin_unlock_bh(lock);
}

static void eipfix_flow_add_pkt(struct eipfix_flow *flow,
				const struct eipfix_pkt *pkt, u64 now_ms)
{
	/*
	 * Each record covers its own period: the first packet after the
	 * flow's previous (interim) record starts the next one, as
	 * ipt_NETFLOW, softflowd and Cisco's active timeout do, so that
	 * collectors computing rates from record times get them right.
	 */
	if (!flow->packets)
		flow->start_ms = now_ms;
	flow->packets += pkt->segs;
	flow->octets += pkt->octets;
	flow->tcp_flags |= pkt->tcp_flags;
	flow->end_ms = now_ms;
	flow->last_seen = jiffies;
	if (pkt->tcp_flags & (TCPHDR_FIN | TCPHDR_RST))
		flow->state |= EIPFIX_FLOW_FIN;
}

/*
 * Counts the packet in @flow of @bucket unless the flow was unlinked
 * meanwhile. Not under the bucket lock.
 */
static bool eipfix_flow_try_add(struct eipfix_table *table, u32 bucket,
				struct eipfix_flow *flow,
				const struct eipfix_pkt *pkt, u64 now_ms)
{
	unsigned long last_seen = 0;
	bool live, fin = false;

	spin_lock_bh(&flow->lock);
	live = !(flow->state & EIPFIX_FLOW_DEAD);
	if (live) {
		fin = !(flow->state & EIPFIX_FLOW_FIN);
		eipfix_flow_add_pkt(flow, pkt, now_ms);
		fin = fin && (flow->state & EIPFIX_FLOW_FIN);
		last_seen = flow->last_seen;
	}
	spin_unlock_bh(&flow->lock);
	if (fin)
		eipfix_bucket_fin(table, bucket, last_seen);
	return live;
}

/* Unlinks @flow; the bucket lock is held. The caller frees it. */
static void eipfix_flow_unlink(struct eipfix_table *table, struct eipfix_flow *flow)
{
	spin_lock(&flow->lock);
	flow->state |= EIPFIX_FLOW_DEAD;
	spin_unlock(&flow->lock);
	hlist_del_rcu(&flow->node);
}

static struct eipfix_flow *eipfix_bucket_oldest(struct hlist_head *head)
{
	struct eipfix_flow *flow, *oldest = NULL;

	hlist_for_each_entry(flow, head, node) {
		if (!oldest || time_before(flow->last_seen, oldest->last_seen))
			oldest = flow;
	}
	return oldest;
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
	flow->acl_rule = pkt->acl_rule;
	flow->start_ms = now_ms;
	eipfix_flow_add_pkt(flow, pkt, now_ms);
	return flow;
}

static enum eipfix_account_result
eipfix_table_insert(struct eipfix_table *table, const struct eipfix_pkt *pkt,
		    u32 hash, u64 now_ms, struct eipfix_flow **evicted)
{
	u32 bucket = hash & table->mask;
	struct hlist_head *head = &table->buckets[bucket];
	spinlock_t *lock = eipfix_bucket_lock(table, bucket);
	enum eipfix_account_result ret = EIPFIX_ACCT_CREATED;
	struct eipfix_flow *flow;

	spin_lock_bh(lock);
	/* Another CPU may have created it since our lookup. */
	flow = eipfix_bucket_find(head, &pkt->key);
	if (flow) {
		spin_unlock_bh(lock);
		return eipfix_flow_try_add(table, bucket, flow, pkt, now_ms) ?
			EIPFIX_ACCT_UPDATED : EIPFIX_ACCT_NO_ROOM;
	}
	if (!atomic_add_unless(&table->count, 1, table->max_flows)) {
		/* Full: the new flow takes the slot of this bucket's oldest. */
		*evicted = eipfix_bucket_oldest(head);
		if (!*evicted) {
			ret = EIPFIX_ACCT_NO_ROOM;
			goto out;
		}
		eipfix_flow_unlink(table, *evicted);
	}
	flow = eipfix_flow_new(pkt, now_ms);
	if (!flow) {
		atomic_dec(&table->count);
		ret = EIPFIX_ACCT_NOMEM;
		goto out;
	}
	eipfix_due_lower(&table->due[bucket],
			 eipfix_flow_due(table, flow->state, flow->last_seen));
	hlist_add_head_rcu(&flow->node, head);
out:
	spin_unlock_bh(lock);
	return ret;
}

/**
 * eipfix_table_account() - count one packet in its flow
 * @table: the table
 * @pkt: the packet's key and counts
 * @now_ms: wall clock, ms
 * @evicted: set to a flow that was unlinked to make room; the caller takes
 *	its record and frees it with eipfix_flow_free()
 *
 * Context: any; the caller holds rcu_read_lock().
 */
enum eipfix_account_result
eipfix_table_account(struct eipfix_table *table, const struct eipfix_pkt *pkt,
		     u64 now_ms, struct eipfix_flow **evicted)
{
	u32 hash = eipfix_key_hash(table, &pkt->key);
	u32 bucket = hash & table->mask;
	struct eipfix_flow *flow;

	*evicted = NULL;
	flow = eipfix_bucket_find(&table->buckets[bucket], &pkt->key);
	if (flow && eipfix_flow_try_add(table, bucket, flow, pkt, now_ms))
		return EIPFIX_ACCT_UPDATED;
	return eipfix_table_insert(table, pkt, hash, now_ms, evicted);
}

/*
 * Shows the flows of bucket @i to @fn, removes those it says to and sets the
 * bucket's due time from those that stay. Returns how many it was shown.
 */
static u32 eipfix_bucket_visit(struct eipfix_table *table, u32 i, u32 now,
			       eipfix_walk_fn fn, void *arg)
{
	spinlock_t *lock = eipfix_bucket_lock(table, i);
	u32 due = now + EIPFIX_DUE_NEVER, shown = 0;
	struct eipfix_flow *flow;
	struct hlist_node *tmp;

	spin_lock_bh(lock);
	hlist_for_each_entry_safe(flow, tmp, &table->buckets[i], node) {
		enum eipfix_walk_action action;

		shown++;
		spin_lock(&flow->lock);
		action = fn(flow, arg);
		if (action == EIPFIX_WALK_REMOVE)
			flow->state |= EIPFIX_FLOW_DEAD;
		else
			eipfix_due_lower(&due, eipfix_flow_due(table, flow->state,
							       flow->last_seen));
		spin_unlock(&flow->lock);
		if (action == EIPFIX_WALK_REMOVE) {
			hlist_del_rcu(&flow->node);
			atomic_dec(&table->count);
			eipfix_flow_free(flow);
		}
	}
	WRITE_ONCE(table->due[i], due);
	spin_unlock_bh(lock);
	return shown;
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
	u32 i = cursor ? min(*cursor, table->mask + 1) : 0, shown = 0;
	bool retime = false;

	/*
	 * New timeouts: every bucket's due time is computed again in this one
	 * pass, which therefore starts at 0 and goes to the end even when
	 * @pace asks it to stop (@fn is then expected to keep every flow).
	 * Inserts read the timeouts under their bucket lock, which we take.
	 */
	if (idle_timeout != table->idle_timeout || fin_grace != table->fin_grace) {
		WRITE_ONCE(table->idle_timeout, idle_timeout);
		WRITE_ONCE(table->fin_grace, fin_grace);
		all = true;
		retime = true;
		i = 0;
	}
	for (; i <= table->mask; i++) {
		if (all || !eipfix_due_before(now, READ_ONCE(table->due[i]))) {
			shown += eipfix_bucket_visit(table, i, now, fn, arg);
			/* Stopped: this bucket again first (what it kept). */
			if (pace && pace(arg) && !retime) {
				if (cursor)
					*cursor = i;
				return shown;
			}
		}
		if ((i & 1023) == 1023)
			cond_resched();
	}
	if (cursor)
		*cursor = 0;
	return shown;
}
