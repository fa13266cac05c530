// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: when flows end and what their records say (kmod/expiry.c): idle
 * timeout, FIN/RST grace, the interim tick, forced end, and that the deltas
 * of a flow's records sum to its totals.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <linux/slab.h>
#include <uapi/linux/enclave_ipfix.h>

#include "expiry.h"
#include "netns.h"

static void decide_idle_and_fin(struct kunit *test)
{
	struct eipfix_flow f = { .last_seen = 1000 };
	unsigned long idle = 15 * HZ;

	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 1000 + idle - 1, idle, false), 0);
	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 1000 + idle, idle, false),
			(u8)EIPFIX_END_IDLE);
	/* FIN seen: the grace, not the idle timeout, ends it */
	f.state = EIPFIX_FLOW_FIN;
	KUNIT_EXPECT_EQ(test,
			eipfix_expiry_decide(&f, 1000 + EIPFIX_FIN_GRACE - 1, idle, false), 0);
	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 1000 + EIPFIX_FIN_GRACE, idle, false),
			(u8)EIPFIX_END_DETECTED);
	/* jiffies wrap */
	f.state = 0;
	f.last_seen = ULONG_MAX - 10;
	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 5, idle, false), 0);
	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, idle, idle, false), (u8)EIPFIX_END_IDLE);
	/* a packet counted after the scan read the clock is not quiet */
	f.last_seen = 2000;
	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 1999, idle, false), 0);
}

static void decide_interim(struct kunit *test)
{
	struct eipfix_flow f = { .last_seen = 1000 };

	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 1001, 15 * HZ, true),
			(u8)EIPFIX_END_ACTIVE);
	/* an ended flow gives its end record, not an interim one */
	KUNIT_EXPECT_EQ(test, eipfix_expiry_decide(&f, 1000 + 15 * HZ, 15 * HZ, true),
			(u8)EIPFIX_END_IDLE);
}

static void interim_due_on_interval_ticks(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, eipfix_expiry_interim_due(1, 0));
	KUNIT_EXPECT_TRUE(test, eipfix_expiry_interim_due(1, 60000));
	KUNIT_EXPECT_TRUE(test, eipfix_expiry_interim_due(2, 60000));
	KUNIT_EXPECT_FALSE(test, eipfix_expiry_interim_due(1, 180000));
	KUNIT_EXPECT_FALSE(test, eipfix_expiry_interim_due(2, 180000));
	KUNIT_EXPECT_TRUE(test, eipfix_expiry_interim_due(3, 180000));
	KUNIT_EXPECT_TRUE(test, eipfix_expiry_interim_due(6, 180000));
	KUNIT_EXPECT_FALSE(test, eipfix_expiry_interim_due(0, 60000));
}

/* A namespace-like context with a record queue and a table, without netfilter. */
struct ctx {
	struct eipfix_net en;
	struct eipfix_table *table;
};

static void noop_notify(struct work_struct *w)
{
}

static struct ctx *ctx_new(struct kunit *test)
{
	struct ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->en.counters = alloc_percpu(struct eipfix_counters);
	KUNIT_ASSERT_NOT_NULL(test, c->en.counters);
	eipfix_records_init(&c->en.records, 1000, c->en.counters, noop_notify, NULL);
	c->table = eipfix_table_new(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->table);
	return c;
}

static void ctx_free(struct ctx *c)
{
	eipfix_expiry_end_all(&c->en, c->table);
	eipfix_table_free(c->table);
	eipfix_records_flush_count(&c->en.records);
	free_percpu(c->en.counters);
}

/* @n packets of the flow from port @sport, at @t0_ms, @t0_ms + 1, ... */
static void send_pkts_at(struct ctx *c, u16 sport, u32 n, u32 octets, u16 flags,
			 u64 t0_ms)
{
	struct eipfix_flow *ev;
	struct eipfix_pkt pkt = {};
	u32 i;

	pkt.key.family = AF_INET;
	pkt.key.protocol = IPPROTO_TCP;
	pkt.key.sport = htons(sport);
	pkt.key.dport = htons(22);
	pkt.key.direction = EIPFIX_DIR_SENDING;
	pkt.segs = 1;
	pkt.octets = octets;
	pkt.tcp_flags = flags;
	rcu_read_lock();
	for (i = 0; i < n; i++)
		eipfix_table_account(c->table, &pkt, t0_ms + i, &ev);
	rcu_read_unlock();
}

static void send_pkts(struct ctx *c, u16 sport, u32 n, u32 octets, u16 flags)
{
	send_pkts_at(c, sport, n, octets, flags, 1000);
}

/* Pops every queued record, summing them; returns how many there were. */
static u32 take_records(struct ctx *c, u64 *packets, u64 *octets, u8 *last_reason)
{
	struct eipfix_record *rec;
	u32 n = 0;

	while ((rec = eipfix_records_pop(&c->en.records))) {
		*packets += rec->packets;
		*octets += rec->octets;
		*last_reason = rec->end_reason;
		kfree(rec);
		n++;
	}
	return n;
}

static void interim_deltas_sum_to_totals(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u64 packets = 0, octets = 0;
	u8 reason = 0;

	send_pkts(c, 1000, 5, 100, 0x02);
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 1U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_ACTIVE);
	KUNIT_EXPECT_EQ(test, packets, 5ULL);

	/* no packets since: an interim tick gives no record */
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 0U);

	send_pkts(c, 1000, 7, 100, 0x10);
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	send_pkts(c, 1000, 3, 100, 0x11);
	/* the FIN grace passes: end of flow detected */
	eipfix_expiry_scan(&c->en, c->table, jiffies + EIPFIX_FIN_GRACE, 15 * HZ, false);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 2U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_DETECTED);
	KUNIT_EXPECT_EQ(test, packets, 15ULL);
	KUNIT_EXPECT_EQ(test, octets, 1500ULL);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(c->table), 0U);
	ctx_free(c);
}

/*
 * Each record of a flow covers its own period: an interim record starts at
 * the first packet after the previous record, so records never overlap and
 * a collector's rates (octets over end - start) are right.
 */
static void records_cover_their_own_period(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	struct eipfix_record *a, *b;

	send_pkts_at(c, 7, 5, 100, 0, 1000);
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	send_pkts_at(c, 7, 3, 100, 0, 61000);
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	a = eipfix_records_pop(&c->en.records);
	b = eipfix_records_pop(&c->en.records);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, a->start_ms, 1000ULL);
	KUNIT_EXPECT_EQ(test, a->end_ms, 1004ULL);
	KUNIT_EXPECT_EQ(test, a->packets, 5ULL);
	KUNIT_EXPECT_EQ(test, b->start_ms, 61000ULL);
	KUNIT_EXPECT_EQ(test, b->end_ms, 61002ULL);
	KUNIT_EXPECT_EQ(test, b->packets, 3ULL);
	kfree(a);
	kfree(b);
	ctx_free(c);
}

static void idle_flows_end_others_stay(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u64 packets = 0, octets = 0;
	u8 reason = 0;

	send_pkts(c, 1, 2, 10, 0);
	send_pkts(c, 2, 3, 10, 0);
	eipfix_expiry_scan(&c->en, c->table, jiffies + 1, 15 * HZ, false);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 0U);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(c->table), 2U);

	eipfix_expiry_scan(&c->en, c->table, jiffies + 15 * HZ, 15 * HZ, false);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 2U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_IDLE);
	KUNIT_EXPECT_EQ(test, packets, 5ULL);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters, EIPFIX_CTR_A_FLOWS_EXPIRED), 2ULL);
	ctx_free(c);
}

static void forced_end_gives_every_flow_a_record(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u64 packets = 0, octets = 0;
	u8 reason = 0;
	u16 i;

	for (i = 0; i < 20; i++)
		send_pkts(c, 100 + i, 1 + i, 1, 0);
	eipfix_expiry_end_all(&c->en, c->table);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 20U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_FORCED);
	KUNIT_EXPECT_EQ(test, packets, 210ULL);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(c->table), 0U);
	ctx_free(c);
}

static void full_queue_drops_are_counted(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u64 packets = 0, octets = 0;
	u8 reason = 0;
	u16 i;

	c->en.records.limit = 5;
	for (i = 0; i < 8; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	eipfix_expiry_end_all(&c->en, c->table);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 5U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL), 3ULL);
	KUNIT_EXPECT_EQ(test,
			eipfix_counter_sum(c->en.counters, EIPFIX_CTR_A_RECORDS_QUEUED), 5ULL);
	ctx_free(c);
}

/* Scans look only at the buckets where a flow may end (flow_table.c). */
static void scans_skip_flows_not_due(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	unsigned long now = jiffies;
	u64 packets = 0, octets = 0;
	u8 reason = 0;
	u16 i;

	for (i = 0; i < 50; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	/* The first scan learns the timeouts: it looks at every flow. */
	KUNIT_EXPECT_EQ(test, eipfix_expiry_scan(&c->en, c->table, now, 15 * HZ, false), 50U);
	KUNIT_EXPECT_EQ(test, eipfix_expiry_scan(&c->en, c->table, now + HZ, 15 * HZ, false), 0U);
	KUNIT_EXPECT_EQ(test,
			eipfix_expiry_scan(&c->en, c->table, now + 14 * HZ, 15 * HZ, false), 0U);
	/* An interim tick looks at them all, and they stay. */
	KUNIT_EXPECT_EQ(test, eipfix_expiry_scan(&c->en, c->table, now + HZ, 15 * HZ, true), 50U);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 50U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_ACTIVE);
	/* Their idle timeout comes: all are looked at and end. */
	KUNIT_EXPECT_EQ(test, eipfix_expiry_scan(&c->en, c->table,
						 jiffies + 15 * HZ, 15 * HZ, false), 50U);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(c->table), 0U);
	ctx_free(c);
}

/* A FIN makes its bucket due at the grace, long before the idle timeout. */
static void fin_brings_its_bucket_forward(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u64 packets = 0, octets = 0;
	u32 shown;
	u8 reason = 0;
	u16 i;

	for (i = 0; i < 50; i++)
		send_pkts(c, 100 + i, 1, 1, 0x02);
	KUNIT_EXPECT_EQ(test, eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, false), 50U);
	send_pkts(c, 120, 1, 1, 0x11);
	shown = eipfix_expiry_scan(&c->en, c->table, jiffies + EIPFIX_FIN_GRACE, 15 * HZ, false);
	/* the FIN flow's bucket, which holds a few others at most */
	KUNIT_EXPECT_GE(test, shown, 1U);
	KUNIT_EXPECT_LT(test, shown, 10U);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 1U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_DETECTED);
	KUNIT_EXPECT_EQ(test, packets, 2ULL);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(c->table), 49U);
	ctx_free(c);
}

/* A shorter IdleTimeout pushed while flows live applies to them at once. */
static void shorter_timeout_applies_to_live_flows(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u64 packets = 0, octets = 0;
	u8 reason = 0;
	u16 i;

	for (i = 0; i < 20; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	eipfix_expiry_scan(&c->en, c->table, jiffies, 600 * HZ, false);
	KUNIT_EXPECT_EQ(test, eipfix_expiry_scan(&c->en, c->table,
						 jiffies + 5 * HZ, 5 * HZ, false), 20U);
	KUNIT_EXPECT_EQ(test, take_records(c, &packets, &octets, &reason), 20U);
	KUNIT_EXPECT_EQ(test, reason, (u8)EIPFIX_END_IDLE);
	ctx_free(c);
}

/* A stand-in for the agent: takes records off the queue until stopped. */
struct fake_agent {
	struct ctx *c;
	u32 taken;
};

static int fake_agent_run(void *arg)
{
	struct fake_agent *fa = arg;
	struct eipfix_records *q = &fa->c->en.records;
	struct eipfix_record *rec;
	u64 seq;

	/* As GET_RECORDS and ACK_RECORDS do it, for the agent of portid 1. */
	while (!kthread_should_stop()) {
		rec = eipfix_records_pop(q);
		if (!rec) {
			usleep_range(200, 400);
			continue;
		}
		seq = eipfix_records_sent(q, rec, 1);
		if (seq && eipfix_records_ack(q, 1, seq) == 1)
			fa->taken++;
	}
	return 0;
}

/*
 * A tick of more flows than the queue holds, with an agent taking records:
 * the scan stops where the queue is full, keeping the flows (it never sleeps
 * for the agent), and goes on where it stopped; no record is lost and every
 * flow gets exactly one.
 */
static void scan_holds_flows_for_the_agent(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	struct fake_agent fa = { .c = c };
	struct task_struct *t;
	u32 rounds = 0;
	u16 i;

	c->en.records.limit = 16;
	for (i = 0; i < 90; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	eipfix_records_set_agent(&c->en.records, 1, true);
	/*
	 * Registered long ago, idle since (nothing to take): not stalled.
	 * Before the agent takes any, the first scan stops with a full queue.
	 */
	c->en.records.last_taken = jiffies - EIPFIX_AGENT_STALL - 1;
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	KUNIT_EXPECT_TRUE(test, c->en.scan_held);
	KUNIT_EXPECT_EQ(test, eipfix_records_len(&c->en.records), 16U);
	KUNIT_EXPECT_EQ(test, eipfix_table_count(c->table), 90U);
	t = kthread_run(fake_agent_run, &fa, "eipfix-kunit-agent");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	while (c->en.scan_held && rounds++ < 10000) {
		usleep_range(500, 1000);
		eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	}
	KUNIT_EXPECT_FALSE(test, c->en.scan_held);
	while (eipfix_records_len(&c->en.records))
		usleep_range(500, 1000);
	kthread_stop(t);
	KUNIT_EXPECT_EQ(test, fa.taken, 90U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL), 0ULL);
	/* The tick is over: the next scan emits nothing (deltas were taken). */
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	KUNIT_EXPECT_EQ(test, eipfix_records_len(&c->en.records), 0U);
	eipfix_records_set_agent(&c->en.records, 0, true);
	ctx_free(c);
}

/*
 * An agent that takes nothing for EIPFIX_AGENT_STALL is not waited for: the
 * scan then drops what does not fit, and counts it. So is no agent at all.
 */
static void scan_drops_for_a_stalled_agent(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	u16 i;

	c->en.records.limit = 8;
	for (i = 0; i < 90; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	eipfix_records_set_agent(&c->en.records, 1, true);
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	KUNIT_EXPECT_TRUE(test, c->en.scan_held);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL), 0ULL);
	/* The agent's last take was longer ago than the stall bound. */
	c->en.records.last_taken = jiffies - EIPFIX_AGENT_STALL - 1;
	eipfix_expiry_scan(&c->en, c->table, jiffies, 15 * HZ, true);
	KUNIT_EXPECT_FALSE(test, c->en.scan_held);
	KUNIT_EXPECT_EQ(test, eipfix_records_len(&c->en.records), 8U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL), 82ULL);
	eipfix_records_set_agent(&c->en.records, 0, true);
	ctx_free(c);
}

/*
 * A table replaced by a reconfiguration ends its flows as the agent makes
 * room: every flow a forced-end record, none dropped.
 */
static void retired_table_ends_every_flow(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	struct fake_agent fa = { .c = c };
	struct task_struct *t;
	u32 rounds = 0;
	u16 i;

	INIT_LIST_HEAD(&c->en.retired);
	c->en.nretired = 0;
	c->en.records.limit = 16;
	for (i = 0; i < 90; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	eipfix_records_set_agent(&c->en.records, 1, true);
	t = kthread_run(fake_agent_run, &fa, "eipfix-kunit-agent");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* (the work it schedules has no function here: call what it calls) */
	list_add_tail(&c->table->retired, &c->en.retired);
	c->en.nretired = 1;
	while (!list_empty(&c->en.retired) && rounds++ < 10000) {
		usleep_range(500, 1000);
		eipfix_expiry_drain_retired(&c->en);
	}
	KUNIT_EXPECT_TRUE(test, list_empty(&c->en.retired));
	while (eipfix_records_len(&c->en.records))
		usleep_range(500, 1000);
	kthread_stop(t);
	KUNIT_EXPECT_EQ(test, fa.taken, 90U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL), 0ULL);
	eipfix_records_set_agent(&c->en.records, 0, true);
	/* The table was freed once empty. */
	c->table = eipfix_table_new(100, GFP_KERNEL);
	ctx_free(c);
}

/*
 * A record sent to the agent stays the kernel's until acknowledged: it takes
 * room in the bound, an acknowledgment frees the oldest sent ones, and an
 * agent that goes first leaves them to the next, oldest first, counted.
 */
static void sent_records_wait_for_ack(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
	struct eipfix_records *q = &c->en.records;
	struct eipfix_record *rec;
	__be16 order[4];
	u16 i;

	for (i = 0; i < 5; i++)
		send_pkts(c, 100 + i, 1, 1, 0);
	eipfix_expiry_end_all(&c->en, c->table);
	KUNIT_ASSERT_EQ(test, eipfix_records_len(q), 5U);
	eipfix_records_set_agent(q, 1, true);
	for (i = 0; i < 3; i++) {
		rec = eipfix_records_pop(q);
		KUNIT_ASSERT_NOT_NULL(test, rec);
		order[i] = rec->key.sport;
		KUNIT_EXPECT_EQ(test, eipfix_records_sent(q, rec, 1), (u64)i + 1);
	}
	KUNIT_EXPECT_EQ(test, eipfix_records_len(q), 2U);
	KUNIT_EXPECT_EQ(test, eipfix_records_unacked(q), 3U);
	KUNIT_EXPECT_EQ(test, eipfix_records_ack(q, 2, 3), -EPERM);
	KUNIT_EXPECT_EQ(test, eipfix_records_ack(q, 1, 1), 1);
	KUNIT_EXPECT_EQ(test, eipfix_records_unacked(q), 2U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DELIVERED), 1ULL);
	/* Sent records count against the bound: 2 waiting + 2 sent. */
	q->limit = 5;
	KUNIT_EXPECT_FALSE(test, eipfix_records_hold(q));
	q->limit = 4;
	KUNIT_EXPECT_TRUE(test, eipfix_records_hold(q));
	rec = eipfix_records_pop(q);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	order[3] = rec->key.sport;
	KUNIT_EXPECT_EQ(test, eipfix_records_sent(q, rec, 1), 4ULL);
	/* The agent dies: what it did not acknowledge waits again, in order. */
	eipfix_records_agent_gone(q, 1);
	KUNIT_EXPECT_EQ(test, eipfix_records_unacked(q), 0U);
	KUNIT_EXPECT_EQ(test, eipfix_records_len(q), 4U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_REQUEUED), 3ULL);
	KUNIT_EXPECT_EQ(test, eipfix_records_set_agent(q, 7, false), 0);
	KUNIT_EXPECT_EQ(test, eipfix_records_set_agent(q, 9, false), -EBUSY);
	for (i = 1; i < 4; i++) {
		rec = eipfix_records_pop(q);
		KUNIT_ASSERT_NOT_NULL(test, rec);
		KUNIT_EXPECT_EQ(test, rec->key.sport, order[i]);
		if (i < 3) {
			KUNIT_EXPECT_GT(test, eipfix_records_sent(q, rec, 7), 4ULL);
			continue;
		}
		/* Sent to a socket that is no longer the agent: it waits again. */
		KUNIT_EXPECT_EQ(test, eipfix_records_sent(q, rec, 1), 0ULL);
	}
	KUNIT_EXPECT_EQ(test, eipfix_records_len(q), 2U);
	/* A takeover hands the unacknowledged ones to the new agent too. */
	eipfix_records_set_agent(q, 8, true);
	KUNIT_EXPECT_EQ(test, eipfix_records_len(q), 4U);
	KUNIT_EXPECT_EQ(test, eipfix_counter_sum(c->en.counters,
						 EIPFIX_CTR_A_RECORDS_DELIVERED), 1ULL);
	eipfix_records_set_agent(q, 0, true);
	ctx_free(c);
}

static struct kunit_case eipfix_expiry_cases[] = {
	KUNIT_CASE(decide_idle_and_fin),
	KUNIT_CASE(decide_interim),
	KUNIT_CASE(interim_due_on_interval_ticks),
	KUNIT_CASE(interim_deltas_sum_to_totals),
	KUNIT_CASE(records_cover_their_own_period),
	KUNIT_CASE(idle_flows_end_others_stay),
	KUNIT_CASE(forced_end_gives_every_flow_a_record),
	KUNIT_CASE(full_queue_drops_are_counted),
	KUNIT_CASE(scans_skip_flows_not_due),
	KUNIT_CASE(fin_brings_its_bucket_forward),
	KUNIT_CASE(shorter_timeout_applies_to_live_flows),
	KUNIT_CASE(scan_holds_flows_for_the_agent),
	KUNIT_CASE(scan_drops_for_a_stalled_agent),
	KUNIT_CASE(retired_table_ends_every_flow),
	KUNIT_CASE(sent_records_wait_for_ack),
	{}
};

static struct kunit_suite eipfix_expiry_suite = {
	.name = "enclave_ipfix_expiry",
	.test_cases = eipfix_expiry_cases,
};

kunit_test_suite(eipfix_expiry_suite);

MODULE_LICENSE("GPL");
