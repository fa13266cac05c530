// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the flow table (kmod/flow_table.c) alone, against a naive reference
 * model under random operations, at its bound, and under concurrent updates.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <uapi/linux/enclave_ipfix.h>

#include "flow_table.h"

/* Every flow, to @fn: the expiry scan of an interim tick or a forced end. */
static void walk_all(struct eipfix_table *t, eipfix_walk_fn fn, void *arg)
{
	eipfix_table_scan(t, jiffies, t->idle_timeout, t->fin_grace, true, NULL,
			  fn, NULL, arg);
}

static void make_pkt(struct eipfix_pkt *pkt, u32 id, u32 octets)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->key.family = AF_INET;
	pkt->key.protocol = IPPROTO_UDP;
	pkt->key.saddr.s6_addr32[0] = htonl(0x64400000 | (id & 0xff));
	pkt->key.daddr.s6_addr32[0] = htonl(0x64400100);
	pkt->key.sport = htons(1024 + (id >> 8));
	pkt->key.dport = htons(53);
	pkt->key.ifindex = 3;
	pkt->key.direction = EIPFIX_DIR_RECEIVED;
	pkt->key.fwd_status = EIPFIX_FWD_FORWARDED;
	pkt->segs = 1;
	pkt->octets = octets;
}

struct tally {
	u64 flows, packets, octets;
	u64 *per_id_packets;	/* indexed by the low sport/saddr bits */
	bool remove;
};

static enum eipfix_walk_action tally_flow(struct eipfix_flow *flow, void *arg)
{
	struct tally *t = arg;
	u32 id = (ntohs(flow->key.sport) - 1024) << 8 |
		 (ntohl(flow->key.saddr.s6_addr32[0]) & 0xff);

	t->flows++;
	t->packets += flow->packets;
	t->octets += flow->octets;
	if (t->per_id_packets)
		t->per_id_packets[id] += flow->packets;
	return t->remove ? EIPFIX_WALK_REMOVE : EIPFIX_WALK_KEEP;
}

static struct eipfix_table *new_table(struct kunit *test, u32 max_flows)
{
	struct eipfix_table *t;

	/* The flow cache is the module's: it is built in and initialised. */
	t = eipfix_table_new(max_flows, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	return t;
}

static void free_table(struct eipfix_table *t)
{
	struct tally all = { .remove = true };

	walk_all(t, tally_flow, &all);
	eipfix_table_free(t);
}

static void table_counts_packets_into_their_flow(struct kunit *test)
{
	struct eipfix_table *t = new_table(test, 100);
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;
	struct tally all = {};

	make_pkt(&pkt, 1, 100);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, eipfix_table_account(t, &pkt, 1000, &ev), EIPFIX_ACCT_CREATED);
	KUNIT_EXPECT_EQ(test, eipfix_table_account(t, &pkt, 1500, &ev), EIPFIX_ACCT_UPDATED);
	pkt.tcp_flags = 0x01;
	KUNIT_EXPECT_EQ(test, eipfix_table_account(t, &pkt, 2000, &ev), EIPFIX_ACCT_UPDATED);
	make_pkt(&pkt, 2, 50);
	KUNIT_EXPECT_EQ(test, eipfix_table_account(t, &pkt, 2000, &ev), EIPFIX_ACCT_CREATED);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, ev);

	walk_all(t, tally_flow, &all);
	KUNIT_EXPECT_EQ(test, all.flows, 2ULL);
	KUNIT_EXPECT_EQ(test, all.packets, 4ULL);
	KUNIT_EXPECT_EQ(test, all.octets, 350ULL);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(t), 2U);
	free_table(t);
}

static enum eipfix_walk_action check_times(struct eipfix_flow *flow, void *arg)
{
	struct kunit *test = arg;

	KUNIT_EXPECT_EQ(test, flow->start_ms, 1000ULL);
	KUNIT_EXPECT_EQ(test, flow->end_ms, 2000ULL);
	KUNIT_EXPECT_TRUE(test, flow->state & EIPFIX_FLOW_FIN);
	KUNIT_EXPECT_EQ(test, flow->tcp_flags, (u16)0x13);
	return EIPFIX_WALK_KEEP;
}

static void table_keeps_times_and_flag_union(struct kunit *test)
{
	struct eipfix_table *t = new_table(test, 10);
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;

	make_pkt(&pkt, 7, 60);
	pkt.tcp_flags = 0x02;
	rcu_read_lock();
	eipfix_table_account(t, &pkt, 1000, &ev);
	pkt.tcp_flags = 0x10;
	eipfix_table_account(t, &pkt, 1500, &ev);
	pkt.tcp_flags = 0x11;
	eipfix_table_account(t, &pkt, 2000, &ev);
	rcu_read_unlock();
	walk_all(t, check_times, test);
	free_table(t);
}

static enum eipfix_walk_action interim_reset(struct eipfix_flow *flow, void *arg)
{
	struct kunit *test = arg;

	/* What an interim record leaves (expiry.c): counts gone, times kept. */
	KUNIT_EXPECT_EQ(test, flow->start_ms, 1000ULL);
	KUNIT_EXPECT_EQ(test, flow->end_ms, 2000ULL);
	flow->packets = 0;
	flow->octets = 0;
	return EIPFIX_WALK_KEEP;
}

static enum eipfix_walk_action check_next_period(struct eipfix_flow *flow, void *arg)
{
	struct kunit *test = arg;

	KUNIT_EXPECT_EQ(test, flow->start_ms, 2000ULL);
	KUNIT_EXPECT_EQ(test, flow->end_ms, 2000ULL);
	return EIPFIX_WALK_KEEP;
}

/*
 * A packet whose time was read before another CPU counted a later one (and
 * the tick's clock is coarse): the flow's times do not go back, and the
 * record after an interim one does not start before it ended.
 */
static void table_times_never_go_back(struct kunit *test)
{
	struct eipfix_table *t = new_table(test, 10);
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;

	make_pkt(&pkt, 9, 60);
	rcu_read_lock();
	eipfix_table_account(t, &pkt, 1000, &ev);
	eipfix_table_account(t, &pkt, 2000, &ev);
	eipfix_table_account(t, &pkt, 1500, &ev);
	rcu_read_unlock();
	walk_all(t, interim_reset, test);
	rcu_read_lock();
	eipfix_table_account(t, &pkt, 1800, &ev);
	rcu_read_unlock();
	walk_all(t, check_next_period, test);
	free_table(t);
}

/* Random packets over 300 keys, compared flow by flow with a plain array. */
static void table_matches_reference_model(struct kunit *test)
{
	const u32 nkeys = 300, npkts = 20000;
	struct eipfix_table *t = new_table(test, 1000);
	u64 *want = kunit_kcalloc(test, nkeys, sizeof(u64), GFP_KERNEL);
	u64 *got = kunit_kcalloc(test, nkeys, sizeof(u64), GFP_KERNEL);
	struct tally all = { .per_id_packets = got };
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;
	u32 i, id;

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < npkts; i++) {
		id = get_random_u32() % nkeys;
		make_pkt(&pkt, id, 1);
		rcu_read_lock();
		KUNIT_EXPECT_NE(test, eipfix_table_account(t, &pkt, i, &ev),
				EIPFIX_ACCT_NO_ROOM);
		rcu_read_unlock();
		want[id]++;
	}
	walk_all(t, tally_flow, &all);
	KUNIT_EXPECT_EQ(test, all.packets, (u64)npkts);
	for (i = 0; i < nkeys; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "key %u", i);
	free_table(t);
}

/*
 * At the bound: the table never holds more than max_flows, and every packet
 * is in a flow, in an evicted flow, or counted as not metered.
 */
static void table_bound_accounts_every_packet(struct kunit *test)
{
	const u32 max = 64, npkts = 5000;
	struct eipfix_table *t = new_table(test, max);
	u64 in_evicted = 0, not_created = 0, evictions = 0;
	struct tally all = {};
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;
	u32 i;

	for (i = 0; i < npkts; i++) {
		make_pkt(&pkt, get_random_u32() % 4096, 1);
		rcu_read_lock();
		if (eipfix_table_account(t, &pkt, i, &ev) == EIPFIX_ACCT_NO_ROOM)
			not_created++;
		rcu_read_unlock();
		if (ev) {
			KUNIT_EXPECT_TRUE(test, ev->state & EIPFIX_FLOW_DEAD);
			in_evicted += ev->packets;
			evictions++;
			eipfix_flow_free(ev);
		}
		KUNIT_EXPECT_LE(test, eipfix_table_count(t), max);
	}
	walk_all(t, tally_flow, &all);
	KUNIT_EXPECT_EQ(test, all.packets + in_evicted + not_created, (u64)npkts);
	KUNIT_EXPECT_EQ(test, all.flows, (u64)eipfix_table_count(t));
	KUNIT_EXPECT_GT(test, evictions, 0ULL);
	free_table(t);
}

static void table_walk_removes(struct kunit *test)
{
	struct eipfix_table *t = new_table(test, 100);
	struct tally all = { .remove = true }, after = {};
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;
	u32 i;

	rcu_read_lock();
	for (i = 0; i < 50; i++) {
		make_pkt(&pkt, i, 10);
		eipfix_table_account(t, &pkt, i, &ev);
	}
	rcu_read_unlock();
	walk_all(t, tally_flow, &all);
	KUNIT_EXPECT_EQ(test, all.flows, 50ULL);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(t), 0U);
	walk_all(t, tally_flow, &after);
	KUNIT_EXPECT_EQ(test, after.flows, 0ULL);
	/* a key seen again after removal starts a new flow */
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, eipfix_table_account(t, &pkt, 99, &ev), EIPFIX_ACCT_CREATED);
	rcu_read_unlock();
	free_table(t);
}

struct hammer {
	struct eipfix_table *t;
	u32 id_base;
	u32 n;
	struct completion done;
};

static int hammer_fn(void *arg)
{
	struct hammer *h = arg;
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt;
	u32 i;

	for (i = 0; i < h->n; i++) {
		make_pkt(&pkt, h->id_base + (i % 8), 1);
		rcu_read_lock();
		eipfix_table_account(h->t, &pkt, i, &ev);
		rcu_read_unlock();
		if (!(i % 256))
			cond_resched();
	}
	complete(&h->done);
	return 0;
}

struct remover {
	struct eipfix_table *t;
	u64 removed_packets;
};

static enum eipfix_walk_action remove_all(struct eipfix_flow *flow, void *arg)
{
	struct remover *r = arg;

	r->removed_packets += flow->packets;
	return EIPFIX_WALK_REMOVE;
}

/*
 * Two threads count into the same flows while the test removes flows under
 * them: no packet is lost or counted twice (the DEAD handshake).
 */
static void table_concurrent_updates_lose_nothing(struct kunit *test)
{
	struct eipfix_table *t = new_table(test, 1000);
	struct hammer h[2] = {
		{ .t = t, .id_base = 0, .n = 20000 },
		{ .t = t, .id_base = 4, .n = 20000 },
	};
	struct remover r = { .t = t };
	struct task_struct *task;
	int i;

	for (i = 0; i < 2; i++) {
		init_completion(&h[i].done);
		task = kthread_run(hammer_fn, &h[i], "eipfix-hammer%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < 50; i++) {
		walk_all(t, remove_all, &r);
		usleep_range(100, 200);
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&h[i].done);
	walk_all(t, remove_all, &r);
	KUNIT_EXPECT_EQ(test, r.removed_packets, 40000ULL);
	free_table(t);
}

static struct kunit_case eipfix_flow_table_cases[] = {
	KUNIT_CASE(table_counts_packets_into_their_flow),
	KUNIT_CASE(table_keeps_times_and_flag_union),
	KUNIT_CASE(table_times_never_go_back),
	KUNIT_CASE(table_matches_reference_model),
	KUNIT_CASE(table_bound_accounts_every_packet),
	KUNIT_CASE(table_walk_removes),
	KUNIT_CASE(table_concurrent_updates_lose_nothing),
	{}
};

static struct kunit_suite eipfix_flow_table_suite = {
	.name = "enclave_ipfix_flow_table",
	.test_cases = eipfix_flow_table_cases,
};

kunit_test_suite(eipfix_flow_table_suite);

MODULE_LICENSE("GPL");
