// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the bounded RCU hash (kmod/bhash.c) alone, with entries of its own:
 * insert and lookup, the bound, the eviction of a bucket's oldest entry, the
 * walk with and without a pace or due times, and inserts racing a walk that
 * removes.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>

#include "bhash.h"

struct item {
	struct hlist_node node;
	struct eipfix_key key;
	unsigned long last_seen;
	struct rcu_head rcu;
	u32 id;
};

#define ITEM_KEY_OFF (offsetof(struct item, key) - offsetof(struct item, node))

static atomic_t items_released = ATOMIC_INIT(0);

static void item_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct item, rcu));
	atomic_inc(&items_released);
}

static void item_release(struct hlist_node *node)
{
	call_rcu(&hlist_entry(node, struct item, node)->rcu, item_free_rcu);
}

static const struct eipfix_bhash_params plain_params = {
	.per_bucket = 2,
	.nlocks = 4,
	.seen_off = offsetof(struct item, last_seen) - offsetof(struct item, node),
	.release = item_release,
};

static const struct eipfix_bhash_params due_params = {
	.per_bucket = 2,
	.nlocks = 4,
	.due = true,
	.seen_off = offsetof(struct item, last_seen) - offsetof(struct item, node),
	.release = item_release,
};

static struct eipfix_key item_key(u32 id)
{
	struct eipfix_key k = {};

	k.family = AF_INET;
	k.protocol = IPPROTO_UDP;
	k.saddr.s6_addr32[0] = cpu_to_be32(id);
	k.dport = cpu_to_be16(53);
	return k;
}

enum put_result { PUT_ADDED, PUT_EXISTS, PUT_FULL, PUT_NOMEM };

/*
 * Inserts @id as its owner would: find-or-insert under the bucket lock.
 * *@evicted is set to the id of the entry that made room, or U32_MAX.
 */
static enum put_result put(struct eipfix_bhash *h, u32 id, unsigned long seen,
			   u32 *evicted)
{
	struct eipfix_key k = item_key(id);
	u32 bucket = eipfix_bhash_bucket(h, &k);
	spinlock_t *lock = eipfix_bhash_lock(h, bucket);
	enum put_result ret = PUT_ADDED;
	struct hlist_node *old;
	struct item *it;

	*evicted = U32_MAX;
	spin_lock_bh(lock);
	if (eipfix_bhash_find(h, bucket, &k, ITEM_KEY_OFF)) {
		ret = PUT_EXISTS;
		goto out;
	}
	if (eipfix_bhash_reserve(h, bucket, &old)) {
		ret = PUT_FULL;
		goto out;
	}
	if (old) {
		*evicted = hlist_entry(old, struct item, node)->id;
		item_release(old);
	}
	it = kzalloc(sizeof(*it), GFP_ATOMIC);
	if (!it) {
		eipfix_bhash_unreserve(h);
		ret = PUT_NOMEM;
		goto out;
	}
	it->key = k;
	it->id = id;
	it->last_seen = seen;
	eipfix_bhash_add(h, bucket, &it->node, (u32)seen);
out:
	spin_unlock_bh(lock);
	return ret;
}

static bool has(struct eipfix_bhash *h, u32 id)
{
	struct eipfix_key k = item_key(id);
	bool found;

	rcu_read_lock();
	found = eipfix_bhash_find(h, eipfix_bhash_bucket(h, &k), &k, ITEM_KEY_OFF);
	rcu_read_unlock();
	return found;
}

struct visit {
	u32 shown;
	u32 removed;
	bool remove_even;	/* remove the entries of even id */
	bool remove_all;
	u32 pace_every;		/* stop after this many buckets visited (0: never) */
	u32 buckets;
	bool stopped;
};

/* Keeps or removes as told; an entry kept is due at its last_seen. */
static enum eipfix_walk_action visit_fn(struct hlist_node *node, u32 *due, void *arg)
{
	struct item *it = hlist_entry(node, struct item, node);
	struct visit *v = arg;

	v->shown++;
	if (v->remove_all || (v->remove_even && !(it->id & 1))) {
		v->removed++;
		return EIPFIX_WALK_REMOVE;
	}
	eipfix_due_lower(due, (u32)it->last_seen);
	return EIPFIX_WALK_KEEP;
}

static bool pace_fn(void *arg)
{
	struct visit *v = arg;

	v->buckets++;
	v->stopped = v->pace_every && !(v->buckets % v->pace_every);
	return v->stopped;
}

static u32 walk(struct eipfix_bhash *h, struct visit *v, unsigned long now, bool all)
{
	struct eipfix_bhash_walk w = {
		.fn = visit_fn, .pace = pace_fn, .arg = v, .now = now, .all = all,
		.may_sleep = true,
	};
	u32 cursor = 0;

	return eipfix_bhash_walk(h, &cursor, U32_MAX, &w);
}

static void init(struct kunit *test, struct eipfix_bhash *h, u32 max,
		 const struct eipfix_bhash_params *params)
{
	KUNIT_ASSERT_EQ(test, eipfix_bhash_init(h, max, params, GFP_KERNEL), 0);
}

/* Destroys @h: @expected entries were released in all, each once. */
static void destroy(struct kunit *test, struct eipfix_bhash *h, int expected)
{
	eipfix_bhash_destroy(h);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&items_released), expected);
}

static void bhash_finds_what_was_inserted(struct kunit *test)
{
	struct eipfix_bhash h;
	int released = atomic_read(&items_released);
	u32 i, ev;

	init(test, &h, 100, &plain_params);
	for (i = 0; i < 50; i++)
		KUNIT_EXPECT_EQ(test, put(&h, i, jiffies, &ev), PUT_ADDED);
	KUNIT_EXPECT_EQ(test, put(&h, 7, jiffies, &ev), PUT_EXISTS);
	KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), 50U);
	for (i = 0; i < 50; i++)
		KUNIT_EXPECT_TRUE_MSG(test, has(&h, i), "id %u", i);
	for (i = 50; i < 100; i++)
		KUNIT_EXPECT_FALSE_MSG(test, has(&h, i), "id %u", i);
	destroy(test, &h, released + 50);
}

/* Random inserts far beyond the bound: never more than max, nothing lost. */
static void bhash_count_never_passes_bound(struct kunit *test)
{
	const u32 max = 16, n = 2000;
	struct eipfix_bhash h;
	int released = atomic_read(&items_released);
	u32 i, ev, added = 0, evicted = 0, full = 0;
	struct visit v = {};

	init(test, &h, max, &plain_params);
	for (i = 0; i < n; i++) {
		switch (put(&h, get_random_u32() % 4096, jiffies + i, &ev)) {
		case PUT_ADDED:
			added++;
			evicted += ev != U32_MAX;
			KUNIT_EXPECT_TRUE(test, ev == U32_MAX ||
					  eipfix_bhash_count(&h) == max);
			break;
		case PUT_FULL:
			full++;
			KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), max);
			break;
		default:
			break;
		}
		KUNIT_EXPECT_LE(test, eipfix_bhash_count(&h), max);
	}
	KUNIT_EXPECT_GT(test, evicted, 0U);
	KUNIT_EXPECT_EQ(test, added - evicted, eipfix_bhash_count(&h));
	walk(&h, &v, jiffies, true);
	KUNIT_EXPECT_EQ(test, v.shown, eipfix_bhash_count(&h));
	destroy(test, &h, released + added);
}

/* Three ids of one bucket of @h, and one of another bucket. */
static void same_bucket_ids(struct eipfix_bhash *h, u32 ids[4])
{
	struct eipfix_key k = item_key(0);
	u32 bucket = eipfix_bhash_bucket(h, &k), id, n = 1;

	ids[0] = 0;
	ids[3] = U32_MAX;
	for (id = 1; n < 3 || ids[3] == U32_MAX; id++) {
		k = item_key(id);
		if (eipfix_bhash_bucket(h, &k) != bucket)
			ids[3] = ids[3] == U32_MAX ? id : ids[3];
		else if (n < 3)
			ids[n++] = id;
	}
}

/*
 * A full table gives up the least recently seen entry of the new one's
 * bucket, not of another, and refuses it when that bucket is empty.
 */
static void bhash_full_evicts_oldest_of_bucket(struct kunit *test)
{
	unsigned long t0 = jiffies;
	struct eipfix_bhash h;
	int released = atomic_read(&items_released);
	u32 ids[4], ev, more;

	init(test, &h, 3, &plain_params);
	same_bucket_ids(&h, ids);
	KUNIT_EXPECT_EQ(test, put(&h, ids[0], t0 + 30, &ev), PUT_ADDED);
	KUNIT_EXPECT_EQ(test, put(&h, ids[1], t0 + 10, &ev), PUT_ADDED);
	KUNIT_EXPECT_EQ(test, put(&h, ids[2], t0 + 20, &ev), PUT_ADDED);
	KUNIT_EXPECT_EQ(test, ev, U32_MAX);
	/* ids[3] hashes elsewhere, to an empty bucket: no room. */
	KUNIT_EXPECT_EQ(test, put(&h, ids[3], t0 + 40, &ev), PUT_FULL);
	KUNIT_EXPECT_FALSE(test, has(&h, ids[3]));
	/* Another id of the full bucket takes the place of the oldest. */
	for (more = ids[2] + 1;; more++) {
		struct eipfix_key k = item_key(more), k0 = item_key(ids[0]);

		if (eipfix_bhash_bucket(&h, &k) == eipfix_bhash_bucket(&h, &k0))
			break;
	}
	KUNIT_EXPECT_EQ(test, put(&h, more, t0 + 50, &ev), PUT_ADDED);
	KUNIT_EXPECT_EQ(test, ev, ids[1]);
	KUNIT_EXPECT_FALSE(test, has(&h, ids[1]));
	KUNIT_EXPECT_TRUE(test, has(&h, more));
	KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), 3U);
	destroy(test, &h, released + 4);
}

static void bhash_walk_shows_every_entry_and_removes(struct kunit *test)
{
	struct eipfix_bhash h;
	int released = atomic_read(&items_released);
	struct visit v = { .remove_even = true }, after = {};
	u32 i, ev;

	init(test, &h, 400, &plain_params);
	for (i = 0; i < 200; i++)
		put(&h, i, jiffies, &ev);
	KUNIT_EXPECT_EQ(test, walk(&h, &v, jiffies, false), 200U);
	KUNIT_EXPECT_EQ(test, v.removed, 100U);
	KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), 100U);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&items_released) - released, 100);
	KUNIT_EXPECT_EQ(test, walk(&h, &after, jiffies, false), 100U);
	for (i = 0; i < 200; i++)
		KUNIT_EXPECT_EQ_MSG(test, has(&h, i), !!(i & 1), "id %u", i);
	destroy(test, &h, released + 200);
}

/*
 * A paced walk stops where its pace says and goes on from that bucket; a
 * walk of n buckets at a time goes on after them; both end at the end.
 */
static void bhash_walk_paced_goes_on_where_it_stopped(struct kunit *test)
{
	struct eipfix_bhash_walk w = { .fn = visit_fn, .pace = pace_fn };
	struct visit v = { .remove_all = true, .pace_every = 5 };
	struct eipfix_bhash h;
	int released = atomic_read(&items_released);
	u32 i, ev, cursor = 0, calls = 0, shown = 0;

	init(test, &h, 512, &plain_params);
	for (i = 0; i < 300; i++)
		put(&h, i, jiffies, &ev);
	w.arg = &v;
	do {
		v.stopped = false;
		shown += eipfix_bhash_walk(&h, &cursor, U32_MAX, &w);
		calls++;
	} while (v.stopped && calls < 1000);
	KUNIT_EXPECT_EQ(test, shown, 300U);
	KUNIT_EXPECT_EQ(test, cursor, 0U);
	KUNIT_EXPECT_GT(test, calls, 10U);
	KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), 0U);

	/* Unpaced, 10 buckets at a time. */
	for (i = 0; i < 300; i++)
		put(&h, i, jiffies, &ev);
	w.pace = NULL;
	calls = 0;
	shown = 0;
	do {
		KUNIT_EXPECT_EQ(test, cursor, 10 * calls);
		shown += eipfix_bhash_walk(&h, &cursor, 10, &w);
		calls++;
	} while (cursor && calls < 1000);
	KUNIT_EXPECT_EQ(test, calls, (h.mask + 1 + 9) / 10);
	KUNIT_EXPECT_EQ(test, shown, 300U);
	KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), 0U);
	destroy(test, &h, released + 600);
}

/* With due times, a walk visits only the buckets whose time came. */
static void bhash_walk_skips_buckets_not_due(struct kunit *test)
{
	int released = atomic_read(&items_released);
	struct eipfix_bhash h;
	struct visit v = {};
	unsigned long now;
	u32 i, ev;

	init(test, &h, 200, &due_params);
	now = jiffies;
	/* A new table is due everywhere; visited empty, nowhere soon. */
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now, false), 0U);
	KUNIT_EXPECT_EQ(test, v.buckets, h.mask + 1);
	/* Ids 0..49 are due in 100 jiffies, 50..59 in 300. */
	for (i = 0; i < 60; i++)
		put(&h, i, now + (i < 50 ? 100 : 300), &ev);
	v.buckets = 0;
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now, false), 0U);
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now + 99, false), 0U);
	KUNIT_EXPECT_EQ(test, v.buckets, 0U);
	KUNIT_EXPECT_GE(test, walk(&h, &v, now + 100, false), 50U);
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now + 99, true), 60U);
	/* Visited, each bucket is due when its first entry is. */
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now + 99, false), 0U);
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now + 300, false), 60U);
	v.remove_all = true;
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now + 300, false), 60U);
	v.buckets = 0;
	KUNIT_EXPECT_EQ(test, walk(&h, &v, now + 400, false), 0U);
	KUNIT_EXPECT_EQ(test, v.buckets, 0U);
	destroy(test, &h, released + 60);
}

struct inserter {
	struct eipfix_bhash *h;
	u32 base;
	u32 n;
	unsigned long seen;	/* 0: jiffies at each insert */
	u32 added;
	u32 evicted;
	bool over_bound;
	struct completion done;
};

static int inserter_fn(void *arg)
{
	struct inserter *ins = arg;
	u32 i, ev;

	for (i = 0; i < ins->n; i++) {
		u32 id = ins->base + get_random_u32() % 512;

		if (put(ins->h, id, ins->seen ?: jiffies, &ev) == PUT_ADDED) {
			ins->added++;
			ins->evicted += ev != U32_MAX;
		}
		has(ins->h, ins->base + get_random_u32() % 512);
		if (eipfix_bhash_count(ins->h) > ins->h->max)
			ins->over_bound = true;
		if (!(i % 64))
			cond_resched();
	}
	complete(&ins->done);
	return 0;
}

/*
 * Two threads insert (and look up) while the test walks removing: every
 * entry added is evicted, removed or still there, and released once.
 */
static void bhash_concurrent_insert_and_remove(struct kunit *test)
{
	struct eipfix_bhash h;
	int released = atomic_read(&items_released);
	struct inserter ins[2] = {
		{ .h = &h, .base = 0, .n = 20000 },
		{ .h = &h, .base = 1 << 20, .n = 20000 },
	};
	struct visit v = { .remove_all = true };
	struct task_struct *task;
	u32 added = 0, evicted = 0;
	int i;

	init(test, &h, 256, &plain_params);
	for (i = 0; i < 2; i++) {
		init_completion(&ins[i].done);
		task = kthread_run(inserter_fn, &ins[i], "eipfix-bhash%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < 50; i++) {
		walk(&h, &v, jiffies, true);
		usleep_range(100, 200);
	}
	for (i = 0; i < 2; i++) {
		wait_for_completion(&ins[i].done);
		KUNIT_EXPECT_FALSE(test, ins[i].over_bound);
		added += ins[i].added;
		evicted += ins[i].evicted;
	}
	walk(&h, &v, jiffies, true);
	KUNIT_EXPECT_EQ(test, eipfix_bhash_count(&h), 0U);
	KUNIT_EXPECT_EQ(test, v.removed + evicted, added);
	destroy(test, &h, released + added);
}

/*
 * Inserts lower their bucket's due time and its group's while walks raise
 * the groups they read again: once the inserts are done, every entry is in a
 * group a walk finds due (none was lost to a group set later than its own).
 */
static void bhash_due_groups_never_later_than_entries(struct kunit *test)
{
	int released = atomic_read(&items_released);
	struct eipfix_bhash h;
	unsigned long t0 = jiffies;
	struct inserter ins[2] = {
		{ .h = &h, .base = 0, .n = 20000, .seen = t0 },
		{ .h = &h, .base = 1 << 20, .n = 20000, .seen = t0 },
	};
	struct visit v = {}, after = {};
	struct task_struct *task;
	u32 added = 0;
	int i;

	init(test, &h, 4096, &due_params);
	/* Nothing due before t0 + 2^30: every group is raised by the walks. */
	walk(&h, &v, t0 - 1, true);
	for (i = 0; i < 2; i++) {
		init_completion(&ins[i].done);
		task = kthread_run(inserter_fn, &ins[i], "eipfix-due%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < 200; i++) {
		walk(&h, &v, t0, false);
		cond_resched();
	}
	for (i = 0; i < 2; i++) {
		wait_for_completion(&ins[i].done);
		added += ins[i].added;
	}
	KUNIT_EXPECT_EQ(test, added, eipfix_bhash_count(&h));
	KUNIT_EXPECT_EQ(test, walk(&h, &after, t0, false), added);
	destroy(test, &h, released + added);
}

/* A key of each family with every field set, none to the same value. */
static struct eipfix_key full_key(u8 family)
{
	struct eipfix_key k = {};
	unsigned int i;

	k.family = family;
	for (i = 0; i < (family == AF_INET ? 1 : 4); i++) {
		k.saddr.s6_addr32[i] = cpu_to_be32(0x0a000001 + i);
		k.daddr.s6_addr32[i] = cpu_to_be32(0xc6336401 + i);
	}
	k.sport = cpu_to_be16(1024);
	k.dport = cpu_to_be16(53);
	k.ifindex = 7;
	k.protocol = IPPROTO_UDP;
	k.direction = 2;
	k.fwd_status = 129;
	return k;
}

/*
 * eipfix_key_equal() is unrolled by hand: a key that differs from another
 * in any one bit of any byte is another flow's.
 */
static void key_equal_sees_every_bit(struct kunit *test)
{
	struct eipfix_key a = full_key(AF_INET6), b;
	unsigned int byte, bit, missed = 0;

	b = a;
	KUNIT_EXPECT_TRUE(test, eipfix_key_equal(&a, &b));
	for (byte = 0; byte < sizeof(a); byte++) {
		for (bit = 0; bit < 8; bit++) {
			b = a;
			((u8 *)&b)[byte] ^= BIT(bit);
			if (eipfix_key_equal(&a, &b) || eipfix_key_equal(&b, &a)) {
				kunit_err(test, "byte %u bit %u not compared", byte, bit);
				missed++;
			}
		}
	}
	KUNIT_EXPECT_EQ(test, missed, 0U);
}

/*
 * The IPv4 hash leaves out the address words an IPv4 key keeps zero, and
 * nothing else: with a fixed seed, changing any field that tells IPv4 flows
 * apart changes it, alone or with another (jhash: a collision here would be
 * a 2^-32 accident).
 */
static void key_hash_v4_sees_every_field(struct kunit *test)
{
	const struct eipfix_key a = full_key(AF_INET);
	u32 h = eipfix_key_hash(&a, 0x5eed), missed = 0;
	struct eipfix_key b, v[9];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = a;
	v[0].saddr.s6_addr32[0] ^= htonl(1);
	v[1].daddr.s6_addr32[0] ^= htonl(1U << 31);
	v[2].sport = htons(1025);
	v[3].dport = htons(54);
	v[4].ifindex = 8;
	v[5].protocol = IPPROTO_TCP;
	v[6].direction = 1;
	v[7].fwd_status = 1;
	/* Two fields changed so that a plain XOR of them would not change. */
	v[8].ifindex ^= (IPPROTO_UDP ^ IPPROTO_TCP) << 8;
	v[8].protocol = IPPROTO_TCP;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		if (eipfix_key_hash(&v[i], 0x5eed) == h) {
			kunit_err(test, "field %u not hashed", i);
			missed++;
		}
	}
	KUNIT_EXPECT_EQ(test, missed, 0U);
	/* Equal keys hash alike; another seed, another hash. */
	b = a;
	KUNIT_EXPECT_EQ(test, eipfix_key_hash(&b, 0x5eed), h);
	KUNIT_EXPECT_NE(test, eipfix_key_hash(&b, 0x5eee), h);
}

/* @w lowered by @d, as the u32 the hash reads it as */
static __be32 word_minus(__be32 w, u32 d)
{
	return (__force __be32)((__force u32)w - d);
}

/*
 * No family of IPv4 keys a peer can make collides whatever the seed (review):
 * another protocol, and every word the hash adds its initval to lowered by
 * what that protocol would add to the initval, had the rest gone there.
 * Such keys may collide under one seed by accident (2^-32), not under three.
 */
static void key_hash_v4_has_no_seedless_collisions(struct kunit *test)
{
	static const u32 seeds[] = { 1, 0x5eed, 0xdeadbeef };
	const struct eipfix_key a = full_key(AF_INET);
	struct eipfix_key b = a;
	u32 d = (u32)IPPROTO_TCP - (u32)IPPROTO_UDP, ports, same = 0;
	const u32 n = ARRAY_SIZE(seeds);
	unsigned int i;

	b.protocol = IPPROTO_TCP;
	b.saddr.s6_addr32[0] = word_minus(a.saddr.s6_addr32[0], d);
	b.daddr.s6_addr32[0] = word_minus(a.daddr.s6_addr32[0], d);
	ports = ((__force u32)a.sport << 16 | (__force u32)a.dport) - d;
	b.sport = (__force __be16)(ports >> 16);
	b.dport = (__force __be16)(ports & 0xffff);
	for (i = 0; i < n; i++)
		same += eipfix_key_hash(&a, seeds[i]) == eipfix_key_hash(&b, seeds[i]);
	KUNIT_EXPECT_LT(test, same, n);
}

static struct kunit_case eipfix_bhash_cases[] = {
	KUNIT_CASE(bhash_finds_what_was_inserted),
	KUNIT_CASE(bhash_count_never_passes_bound),
	KUNIT_CASE(bhash_full_evicts_oldest_of_bucket),
	KUNIT_CASE(bhash_walk_shows_every_entry_and_removes),
	KUNIT_CASE(bhash_walk_paced_goes_on_where_it_stopped),
	KUNIT_CASE(bhash_walk_skips_buckets_not_due),
	KUNIT_CASE(bhash_concurrent_insert_and_remove),
	KUNIT_CASE(bhash_due_groups_never_later_than_entries),
	KUNIT_CASE(key_equal_sees_every_bit),
	KUNIT_CASE(key_hash_v4_sees_every_field),
	KUNIT_CASE(key_hash_v4_has_no_seedless_collisions),
	{}
};

static struct kunit_suite eipfix_bhash_suite = {
	.name = "enclave_ipfix_bhash",
	.test_cases = eipfix_bhash_cases,
};

kunit_test_suite(eipfix_bhash_suite);

MODULE_LICENSE("GPL");
