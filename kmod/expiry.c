// SPDX-License-Identifier: GPL-2.0
/*
 * When a flow ends, and what its records say (DESIGN.md section 5). Every
 * way a record comes to be is here, one function per event:
 *
 *  - idle timeout: no packet for IdleTimeout; flowEndReason 1;
 *  - end of flow detected: TCP FIN or RST seen, then EIPFIX_FIN_GRACE of
 *    quiet so that the closing ACKs land in the same record; reason 3;
 *  - interim: on every one-minute tick that completes an Interval, each
 *    flow with packets since its last record gives a record of the deltas
 *    and goes on; reason 2. The deltas of a flow's records sum to its totals;
 *  - forced end: disable, reconfiguration of the key space, namespace exit
 *    or module unload; reason 4;
 *  - lack of resources: evicted from a full table (flow_table.c); reason 5.
 *
 * A flow whose last record took all its packets ends without another.
 */
#include <linux/jiffies.h>

#include "expiry.h"
#include "netns.h"

/**
 * eipfix_expiry_decide() - what is due for @flow now
 * @flow: the flow, locked
 * @now: jiffies
 * @idle_timeout: jiffies without a packet after which the flow ends
 * @interim_due: whether this scan is an interim tick
 *
 * Return: the flowEndReason of the record due now, or 0 for none.
 */
u8 eipfix_expiry_decide(const struct eipfix_flow *flow, unsigned long now,
			unsigned long idle_timeout, bool interim_due)
{
	/* A packet may have come after @now was read: that is not quiet. */
	if ((flow->state & EIPFIX_FLOW_FIN) &&
	    time_after_eq(now, flow->last_seen + EIPFIX_FIN_GRACE))
		return EIPFIX_END_DETECTED;
	if (time_after_eq(now, flow->last_seen + idle_timeout))
		return EIPFIX_END_IDLE;
	if (interim_due)
		return EIPFIX_END_ACTIVE;
	return 0;
}

/* Whether the one-minute tick number @ticks completes an Interval. */
bool eipfix_expiry_interim_due(u32 ticks, u32 interval_ms)
{
	u32 every = interval_ms / 60000;

	return every && ticks && !(ticks % every);
}

struct eipfix_scan {
	struct eipfix_net *en;
	unsigned long now;
	unsigned long idle_timeout;
	bool interim_due;
	bool force;
	bool no_wait;		/* the agent did not keep up: stop waiting */
};

/*
 * Between buckets: when the record queue is nearly full and an agent is
 * there to empty it, wait for it rather than drop what the next buckets
 * emit (a tick of a million flows emits a million records at once), for
 * as long as it keeps taking records. An agent that takes none for a
 * second is not waited for again in this scan; what does not fit is
 * dropped and counted, as with no agent.
 */
static void eipfix_expiry_pace(void *arg)
{
	struct eipfix_scan *scan = arg;
	struct eipfix_records *q = &scan->en->records;

	if (scan->no_wait || eipfix_records_len(q) < q->limit / 4 * 3)
		return;
	if (!eipfix_records_wait_room(q, HZ))
		scan->no_wait = true;
}

static void eipfix_flow_reset_deltas(struct eipfix_flow *flow)
{
	flow->packets = 0;
	flow->octets = 0;
	flow->tcp_flags = 0;
}

static enum eipfix_walk_action eipfix_expiry_visit(struct eipfix_flow *flow,
						   void *arg)
{
	struct eipfix_scan *scan = arg;
	struct eipfix_net *en = scan->en;
	u8 reason;

	reason = scan->force ? EIPFIX_END_FORCED :
		 eipfix_expiry_decide(flow, scan->now, scan->idle_timeout,
				      scan->interim_due);
	if (!reason)
		return EIPFIX_WALK_KEEP;
	if (flow->packets)
		eipfix_records_emit(&en->records, flow, reason);
	if (reason == EIPFIX_END_ACTIVE) {
		eipfix_flow_reset_deltas(flow);
		return EIPFIX_WALK_KEEP;
	}
	eipfix_count(en->counters, EIPFIX_CTR_A_FLOWS_EXPIRED, 1);
	return EIPFIX_WALK_REMOVE;
}

/* Ends every flow of @table with a forced-end record. Under en->lock. */
void eipfix_expiry_end_all(struct eipfix_net *en, struct eipfix_table *table)
{
	struct eipfix_scan scan = { .en = en, .force = true };

	if (table)
		eipfix_table_scan(table, jiffies, table->idle_timeout,
				  table->fin_grace, true, eipfix_expiry_visit,
				  eipfix_expiry_pace, &scan);
}

/**
 * eipfix_expiry_scan() - give the flows of @table what is due at @now
 * @en: the namespace (its record queue and counters)
 * @table: the flows
 * @now: jiffies
 * @idle_timeout: jiffies
 * @interim_due: whether this scan is an interim tick
 *
 * An interim tick looks at every flow; other scans only at the buckets
 * where a flow may end (flow_table.c).
 *
 * Context: process, under en->lock.
 * Return: how many flows were looked at.
 */
u32 eipfix_expiry_scan(struct eipfix_net *en, struct eipfix_table *table,
		       unsigned long now, unsigned long idle_timeout,
		       bool interim_due)
{
	struct eipfix_scan scan = {
		.en = en, .now = now, .idle_timeout = idle_timeout,
		.interim_due = interim_due,
	};

	return eipfix_table_scan(table, now, idle_timeout, EIPFIX_FIN_GRACE,
				 interim_due, eipfix_expiry_visit,
				 eipfix_expiry_pace, &scan);
}

/* Gives a flow evicted from a full table its record. Any context. */
void eipfix_expiry_evicted(struct eipfix_net *en, struct eipfix_flow *flow)
{
	spin_lock_bh(&flow->lock);
	if (flow->packets)
		eipfix_records_emit(&en->records, flow, EIPFIX_END_RESOURCES);
	spin_unlock_bh(&flow->lock);
	eipfix_count(en->counters, EIPFIX_CTR_A_FLOWS_EVICTED, 1);
	eipfix_flow_free(flow);
}

static void eipfix_expiry_work(struct work_struct *work)
{
	struct eipfix_net *en = container_of(to_delayed_work(work),
					     struct eipfix_net, expiry_work);
	unsigned long now = jiffies;
	struct eipfix_config *cfg;
	struct eipfix_table *table;
	bool interim_due = false;

	mutex_lock(&en->lock);
	cfg = rcu_dereference_protected(en->config, lockdep_is_held(&en->lock));
	table = rcu_dereference_protected(en->table, lockdep_is_held(&en->lock));
	if (!table)
		goto out;
	if (time_after_eq(now, en->next_tick)) {
		en->ticks++;
		en->next_tick += EIPFIX_TICK;
		interim_due = eipfix_expiry_interim_due(en->ticks, cfg->interval_ms);
	}
	eipfix_expiry_scan(en, table, now, msecs_to_jiffies(cfg->idle_timeout_ms),
			   interim_due);
	queue_delayed_work(system_power_efficient_wq, &en->expiry_work,
			   EIPFIX_SCAN_PERIOD);
out:
	mutex_unlock(&en->lock);
}

void eipfix_expiry_init(struct eipfix_net *en)
{
	INIT_DELAYED_WORK(&en->expiry_work, eipfix_expiry_work);
}

/*
 * Starts the scans and the one-minute tick when metering begins. The work
 * stops by itself once there is no table. Under en->lock.
 */
void eipfix_expiry_start(struct eipfix_net *en)
{
	en->ticks = 0;
	en->next_tick = jiffies + EIPFIX_TICK;
	queue_delayed_work(system_power_efficient_wq, &en->expiry_work,
			   EIPFIX_SCAN_PERIOD);
}

/* Waits for the scans to stop; not under en->lock, which the work takes. */
void eipfix_expiry_stop(struct eipfix_net *en)
{
	cancel_delayed_work_sync(&en->expiry_work);
}
