/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bounded RCU hash both our tables are made of: the flows (flow_table.c)
 * and the allowed connections (acl.c). See bhash.c.
 */
#ifndef _EIPFIX_BHASH_H
#define _EIPFIX_BHASH_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>

#include "flow.h"

/*
 * What a table is made for, fixed by its owner. An entry embeds a struct
 * hlist_node, a struct eipfix_key and an unsigned long last_seen (jiffies,
 * how the oldest entry of a bucket is told).
 */
struct eipfix_bhash_params {
	u32 per_bucket;		/* entries per bucket at the bound */
	u32 nlocks;		/* striped bucket locks, a power of two */
	bool due;		/* keep due times: see eipfix_bhash_walk() */
	size_t seen_off;	/* offset of last_seen from the hlist_node */
	/* Frees an unlinked entry once no reader can hold it (by RCU). */
	void (*release)(struct hlist_node *node);
	/* The bucket locks' lockdep class: each table's own (NULL: shared). */
	struct lock_class_key *lock_key;
};

/*
 * Readers look up under RCU; inserts and removals take the striped lock of
 * their bucket, which the owner holds across its own find-or-insert.
 */
struct eipfix_bhash {
	struct hlist_head *buckets;
	/*
	 * With params->due, per bucket, the (32-bit) jiffies from which one of
	 * its entries may be due; never later than the truth, so that a walk
	 * skips a bucket that is not due without touching its entries.
	 */
	u32 *due;
	/*
	 * Per EIPFIX_BHASH_GROUP buckets, never later than the earliest of
	 * their due times: a walk skips a whole group with one read (with a
	 * million flows, reading a due time per bucket every second was the
	 * largest part of the module's cost in a profile of the packet path).
	 */
	u32 *group_due;
	spinlock_t *locks;	/* bucket inserts and removals */
	const struct eipfix_bhash_params *params;
	u32 mask;
	u32 lock_mask;		/* params->nlocks - 1 */
	u32 seed;
	/*
	 * Written by every insert and removal, on any CPU: on a cache line of
	 * its own, so that lookups, which read only the fields above, do not
	 * miss each time another CPU inserts. @max is read by inserts only.
	 */
	atomic_t count ____cacheline_aligned_in_smp;
	u32 max;
};

/* What a walk wants done with the entry it was shown. */
enum eipfix_walk_action {
	EIPFIX_WALK_KEEP,
	EIPFIX_WALK_REMOVE,
};

/*
 * Called with the bucket locked and bottom halves off. An entry kept lowers
 * *@due to when it may next be due (tables with due times).
 */
typedef enum eipfix_walk_action (*eipfix_bhash_visit_fn)(struct hlist_node *node,
							 u32 *due, void *arg);

/* Called between buckets of a walk, unlocked; true stops the walk there. */
typedef bool (*eipfix_pace_fn)(void *arg);

struct eipfix_bhash_walk {
	eipfix_bhash_visit_fn fn;
	eipfix_pace_fn pace;	/* NULL: no stop */
	void *arg;		/* for @fn and @pace */
	unsigned long now;	/* jiffies, for due times */
	bool all;		/* visit also the buckets not due */
	bool may_sleep;		/* process context, no RCU read lock held */
};

int eipfix_bhash_init(struct eipfix_bhash *h, u32 max,
		      const struct eipfix_bhash_params *params, gfp_t gfp);
void eipfix_bhash_destroy(struct eipfix_bhash *h);
int eipfix_bhash_reserve(struct eipfix_bhash *h, u32 bucket,
			 struct hlist_node **evicted);
void eipfix_bhash_add(struct eipfix_bhash *h, u32 bucket,
		      struct hlist_node *node, u32 due);
void eipfix_bhash_remove(struct eipfix_bhash *h, struct hlist_node *node);
u32 eipfix_bhash_walk(struct eipfix_bhash *h, u32 *cursor, u32 n,
		      const struct eipfix_bhash_walk *w);

#define EIPFIX_BHASH_GROUP 64

/* Due times are 32-bit jiffies, compared across the wrap as jiffies are. */
static inline bool eipfix_due_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline void eipfix_due_lower(u32 *due, u32 when)
{
	if (eipfix_due_before(when, *due))
		WRITE_ONCE(*due, when);
}

/* eipfix_due_lower() for a due time other CPUs lower (or raise) too. */
static inline void eipfix_due_lower_shared(u32 *due, u32 when)
{
	u32 old = READ_ONCE(*due), prev;

	while (eipfix_due_before(when, old)) {
		prev = cmpxchg(due, old, when);
		if (prev == old)
			break;
		old = prev;
	}
}

/* @bucket (locked) has an entry due at @when: its due time is no later. */
static inline void eipfix_bhash_due(struct eipfix_bhash *h, u32 bucket, u32 when)
{
	if (!h->due || !eipfix_due_before(when, READ_ONCE(h->due[bucket])))
		return;
	WRITE_ONCE(h->due[bucket], when);
	/*
	 * Pairs with the barrier of a walk that raised the group before
	 * reading its buckets again: either it reads this bucket's new time,
	 * or this reads its raised group and lowers it.
	 */
	smp_mb();
	eipfix_due_lower_shared(&h->group_due[bucket / EIPFIX_BHASH_GROUP], when);
}

static inline u32 eipfix_bhash_bucket(const struct eipfix_bhash *h,
				      const struct eipfix_key *key)
{
	return eipfix_key_hash(key, h->seed) & h->mask;
}

static inline spinlock_t *eipfix_bhash_lock(struct eipfix_bhash *h, u32 bucket)
{
	return &h->locks[bucket & h->lock_mask];
}

/* A place in the count that was reserved and not used. */
static inline void eipfix_bhash_unreserve(struct eipfix_bhash *h)
{
	atomic_dec(&h->count);
}

static inline u32 eipfix_bhash_count(const struct eipfix_bhash *h)
{
	return atomic_read(&h->count);
}

/**
 * eipfix_bhash_find() - the entry of @key in @bucket, or NULL
 * @h: the table
 * @bucket: eipfix_bhash_bucket() of @key
 * @key: the key
 * @key_off: offset of the entry's struct eipfix_key from its hlist_node (a
 *	     constant: inlined, the lookup costs what a typed one does)
 *
 * Context: rcu_read_lock() or the bucket lock.
 */
static inline struct hlist_node *eipfix_bhash_find(struct eipfix_bhash *h,
						   u32 bucket,
						   const struct eipfix_key *key,
						   size_t key_off)
{
	struct hlist_node *node;

	for (node = rcu_dereference_check(hlist_first_rcu(&h->buckets[bucket]),
					  lockdep_is_held(eipfix_bhash_lock(h, bucket)));
	     node; node = rcu_dereference_check(hlist_next_rcu(node),
					  lockdep_is_held(eipfix_bhash_lock(h, bucket)))) {
		if (eipfix_key_equal((const void *)node + key_off, key))
			return node;
	}
	return NULL;
}

#endif /* _EIPFIX_BHASH_H */
