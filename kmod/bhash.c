// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded RCU hash: one structure for the flows (flow_table.c) and the
 * allowed connections (acl.c), so that its bound, its eviction, its locking,
 * its freeing and its walk exist once. It owns:
 *
 *  - the buckets and their striped locks: readers look up under RCU with no
 *    lock (eipfix_bhash_find(), inlined); inserts and removals take the lock
 *    of their bucket, which the owner holds across its find-or-insert;
 *  - the bound: the count never passes max. A new entry that finds the table
 *    full takes the place of the least recently seen entry of its own bucket,
 *    or is refused when that bucket is empty (eipfix_bhash_reserve()). The
 *    owner counts both;
 *  - the freeing: what the table unlinks goes to the owner's release(),
 *    which frees it after a grace period;
 *  - the walk, with an optional pace and, for a table that keeps them, due
 *    times: each bucket the earliest time one of its entries may need the
 *    walk (a lower bound), so that a walk visits only the buckets whose time
 *    came (with a million flows, ending them must not cost a million cache
 *    misses a second).
 *
 * The entry, its key's meaning and its own lock (if any) are the owner's.
 * Memory: a bucket head (8 bytes) per params->per_bucket entries of max,
 * 4 bytes of due time per bucket (and per EIPFIX_BHASH_GROUP buckets) for a
 * table that keeps them, and params->nlocks spinlocks.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "bhash.h"

/* An empty bucket is looked at again this far ahead, to keep due times near. */
#define EIPFIX_DUE_NEVER BIT(30)

static void eipfix_bhash_free_arrays(struct eipfix_bhash *h)
{
	kvfree(h->group_due);
	kvfree(h->due);
	kvfree(h->locks);
	kvfree(h->buckets);
}

int eipfix_bhash_init(struct eipfix_bhash *h, u32 max,
		      const struct eipfix_bhash_params *params, gfp_t gfp)
{
	u32 nbuckets, ngroups, i;

	max = max(max, 1U);
	nbuckets = roundup_pow_of_two(max(max / params->per_bucket, 16U));
	ngroups = DIV_ROUND_UP(nbuckets, EIPFIX_BHASH_GROUP);
	h->buckets = kvcalloc(nbuckets, sizeof(*h->buckets), gfp);
	h->locks = kvmalloc_array(params->nlocks, sizeof(*h->locks), gfp);
	h->due = NULL;
	h->group_due = NULL;
	if (params->due) {
		h->due = kvmalloc_array(nbuckets, sizeof(*h->due), gfp);
		h->group_due = kvmalloc_array(ngroups, sizeof(*h->group_due), gfp);
	}
	if (!h->buckets || !h->locks || (params->due && (!h->due || !h->group_due))) {
		eipfix_bhash_free_arrays(h);
		return -ENOMEM;
	}
	/* Nothing is known yet: the first walk visits every bucket. */
	for (i = 0; h->due && i < nbuckets; i++)
		h->due[i] = (u32)jiffies;
	for (i = 0; h->group_due && i < ngroups; i++)
		h->group_due[i] = (u32)jiffies;
	for (i = 0; i < params->nlocks; i++) {
		spin_lock_init(&h->locks[i]);
		if (params->lock_key)
			lockdep_set_class(&h->locks[i], params->lock_key);
	}
	h->params = params;
	h->mask = nbuckets - 1;
	h->lock_mask = params->nlocks - 1;
	h->max = max;
	h->seed = get_random_u32();
	atomic_set(&h->count, 0);
	return 0;
}

/* Releases the entries left and frees @h's arrays; no reader may see it. */
void eipfix_bhash_destroy(struct eipfix_bhash *h)
{
	struct hlist_node *node, *tmp;
	u32 i;

	for (i = 0; i <= h->mask; i++)
		hlist_for_each_safe(node, tmp, &h->buckets[i])
			h->params->release(node);
	eipfix_bhash_free_arrays(h);
}

static unsigned long eipfix_bhash_seen(const struct eipfix_bhash *h,
				       const struct hlist_node *node)
{
	return READ_ONCE(*(const unsigned long *)((const void *)node +
						  h->params->seen_off));
}

static struct hlist_node *eipfix_bhash_oldest(const struct eipfix_bhash *h,
					      u32 bucket)
{
	struct hlist_node *node, *oldest = NULL;

	hlist_for_each(node, &h->buckets[bucket]) {
		if (!oldest || time_before(eipfix_bhash_seen(h, node),
					   eipfix_bhash_seen(h, oldest)))
			oldest = node;
	}
	return oldest;
}

/**
 * eipfix_bhash_reserve() - make room for one more entry in @bucket
 * @h: the table
 * @bucket: the bucket, locked
 * @evicted: set to NULL, or to the entry unlinked to make room: the caller
 *	     hands it to release() when done with it
 *
 * Takes a place in the count or, at the bound, gives the new entry the place
 * of the bucket's least recently seen one. A decrement then an increment
 * would let another CPU's insert in between and the count past the bound,
 * where atomic_add_unless() never refuses again. The caller links its entry
 * with eipfix_bhash_add(), or gives the place back with
 * eipfix_bhash_unreserve().
 *
 * Return: 0, or -ENOSPC when the table is full and @bucket empty.
 */
int eipfix_bhash_reserve(struct eipfix_bhash *h, u32 bucket,
			 struct hlist_node **evicted)
{
	*evicted = NULL;
	if (atomic_add_unless(&h->count, 1, h->max))
		return 0;
	*evicted = eipfix_bhash_oldest(h, bucket);
	if (!*evicted)
		return -ENOSPC;
	hlist_del_rcu(*evicted);
	return 0;
}

/* Links @node, whose place is reserved, into @bucket (locked), due at @due. */
void eipfix_bhash_add(struct eipfix_bhash *h, u32 bucket,
		      struct hlist_node *node, u32 due)
{
	eipfix_bhash_due(h, bucket, due);
	hlist_add_head_rcu(node, &h->buckets[bucket]);
}

/* Unlinks and releases @node; its bucket is locked. */
void eipfix_bhash_remove(struct eipfix_bhash *h, struct hlist_node *node)
{
	hlist_del_rcu(node);
	atomic_dec(&h->count);
	h->params->release(node);
}

/*
 * Shows the entries of bucket @i to @w->fn, removes those it says to and,
 * for a table with due times, sets the bucket's from those that stay.
 * Returns how many it was shown.
 */
static u32 eipfix_bhash_visit(struct eipfix_bhash *h, u32 i,
			      const struct eipfix_bhash_walk *w)
{
	spinlock_t *lock = eipfix_bhash_lock(h, i);
	u32 due = (u32)w->now + EIPFIX_DUE_NEVER, shown = 0;
	struct hlist_node *node, *tmp;

	spin_lock_bh(lock);
	hlist_for_each_safe(node, tmp, &h->buckets[i]) {
		shown++;
		if (w->fn(node, &due, w->arg) == EIPFIX_WALK_REMOVE)
			eipfix_bhash_remove(h, node);
	}
	if (h->due)
		WRITE_ONCE(h->due[i], due);
	spin_unlock_bh(lock);
	return shown;
}

/* After a visit of bucket @i: whether @w->pace stops the walk there. */
static bool eipfix_bhash_paced(struct eipfix_bhash *h, u32 i, u32 *cursor,
			       const struct eipfix_bhash_walk *w)
{
	if (!w->pace || !w->pace(w->arg))
		return false;
	/* Stopped: this bucket again first (what it kept). */
	*cursor = i;
	return true;
}

/*
 * The buckets [@from, @to) of group @g whose due time came. The group is
 * raised before its due times are read again, and lowered to the earliest
 * of them after: an entry added meanwhile lowers it again (see
 * eipfix_bhash_due()). Return: whether @w->pace stopped the walk.
 */
static bool eipfix_bhash_walk_group(struct eipfix_bhash *h, u32 g, u32 from,
				    u32 to, u32 *cursor, u32 *shown,
				    const struct eipfix_bhash_walk *w)
{
	u32 first = g * EIPFIX_BHASH_GROUP, i;
	u32 last = min(first + EIPFIX_BHASH_GROUP, h->mask + 1);
	u32 earliest = (u32)w->now + EIPFIX_DUE_NEVER;

	if (!w->all && eipfix_due_before(w->now, READ_ONCE(h->group_due[g])))
		return false;
	WRITE_ONCE(h->group_due[g], earliest);
	smp_mb();	/* pairs with eipfix_bhash_due() */
	for (i = first; i < last; i++) {
		if (i >= from && i < to &&
		    (w->all || !eipfix_due_before(w->now, READ_ONCE(h->due[i])))) {
			*shown += eipfix_bhash_visit(h, i, w);
			if (eipfix_bhash_paced(h, i, cursor, w)) {
				/* The rest was not read: due now, to be safe. */
				eipfix_due_lower_shared(&h->group_due[g], (u32)w->now);
				return true;
			}
		}
		eipfix_due_lower(&earliest, READ_ONCE(h->due[i]));
	}
	eipfix_due_lower_shared(&h->group_due[g], earliest);
	return false;
}

static u32 eipfix_bhash_walk_due(struct eipfix_bhash *h, u32 *cursor, u32 from,
				 u32 to, const struct eipfix_bhash_walk *w)
{
	u32 g, shown = 0;

	for (g = from / EIPFIX_BHASH_GROUP; g * EIPFIX_BHASH_GROUP < to; g++) {
		if (eipfix_bhash_walk_group(h, g, from, to, cursor, &shown, w))
			return shown;
		if (w->may_sleep && (g & 15) == 15)
			cond_resched();
	}
	*cursor = to > h->mask ? 0 : to;
	return shown;
}

/**
 * eipfix_bhash_walk() - show @w->fn the entries of up to @n buckets
 * @h: the table
 * @cursor: the bucket to start at; set to where the walk goes on: the
 *	    bucket @w->pace stopped it in (to be visited again), the bucket
 *	    after the @n-th, or 0 once the walk reached the end
 * @n: how many buckets at most (U32_MAX: to the end)
 * @w: what to do, and when to stop
 *
 * Visits the buckets whose due time came (every bucket with @w->all), or,
 * in a table without due times, the buckets that are not empty. Entries
 * removed are released. Context: bottom halves enabled; with
 * @w->may_sleep, it sleeps between buckets.
 *
 * Return: how many entries @w->fn was shown.
 */
u32 eipfix_bhash_walk(struct eipfix_bhash *h, u32 *cursor, u32 n,
		      const struct eipfix_bhash_walk *w)
{
	u32 i = min(*cursor, h->mask + 1), shown = 0;
	u32 end = i + min(n, h->mask + 1 - i);
	bool stopped = false;

	if (h->due)
		return eipfix_bhash_walk_due(h, cursor, i, end, w);
	for (; i < end && !stopped; i++) {
		if (!hlist_empty(&h->buckets[i])) {
			shown += eipfix_bhash_visit(h, i, w);
			stopped = eipfix_bhash_paced(h, i, cursor, w);
		}
		if (w->may_sleep && (i & 1023) == 1023)
			cond_resched();
	}
	if (!stopped)
		*cursor = end > h->mask ? 0 : end;
	return shown;
}
