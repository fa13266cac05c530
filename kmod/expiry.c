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
	bool may_hold;		/* keep flows rather than drop when the queue is full */
	bool held;		/* a flow was kept for want of room: stop */
};

/* Between buckets: a scan that kept a flow for want of room stops there. */
static bool eipfix_expiry_pace(void *arg)
{
	const struct eipfix_scan *scan = arg;

	return scan->held;
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

	if (scan->held)
		return EIPFIX_WALK_KEEP;
	reason = scan->force ? EIPFIX_END_FORCED :
		 eipfix_expiry_decide(flow, scan->now, scan->idle_timeout,
				      scan->interim_due);
	if (!reason)
		return EIPFIX_WALK_KEEP;
	if (flow->packets) {
		/*
		 * No room, and an agent that will make some: the flow keeps
		 * its counts and its due record, and the scan goes on later.
		 */
		if (scan->may_hold && eipfix_records_hold(&en->records)) {
			scan->held = true;
			return EIPFIX_WALK_KEEP;
		}
		eipfix_records_emit(&en->records, flow, reason);
	}
	if (reason == EIPFIX_END_ACTIVE) {
		eipfix_flow_reset_deltas(flow);
		return EIPFIX_WALK_KEEP;
	}
	eipfix_count(en->counters, EIPFIX_CTR_A_FLOWS_EXPIRED, 1);
	return EIPFIX_WALK_REMOVE;
}

/*
 * Ends the flows of @table with forced-end records. With @may_hold, it stops
 * where the queue is full while an agent takes records (and says so);
 * without, what does not fit is dropped and counted. Under en->lock.
 */
static bool eipfix_expiry_force(struct eipfix_net *en, struct eipfix_table *table,
				bool may_hold)
{
	struct eipfix_scan scan = { .en = en, .force = true, .may_hold = may_hold };

	eipfix_table_scan(table, jiffies, table->idle_timeout, table->fin_grace,
			  true, NULL, eipfix_expiry_visit, eipfix_expiry_pace, &scan);
	return scan.held;
}

/*
 * Ends every flow of @table now (the namespace is going away, or a test
 * wants it so). Under en->lock.
 */
void eipfix_expiry_end_all(struct eipfix_net *en, struct eipfix_table *table)
{
	if (table)
		eipfix_expiry_force(en, table, false);
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
 * where a flow may end (flow_table.c). A scan that finds the queue full
 * while the agent takes records stops there (en->scan_held); an interim
 * tick goes on from that bucket at its next call (en->scan_cursor).
 *
 * Context: process, under en->lock; never waits for the agent.
 * Return: how many flows were looked at.
 */
u32 eipfix_expiry_scan(struct eipfix_net *en, struct eipfix_table *table,
		       unsigned long now, unsigned long idle_timeout,
		       bool interim_due)
{
	struct eipfix_scan scan = {
		.en = en, .now = now, .idle_timeout = idle_timeout,
		.interim_due = interim_due, .may_hold = true,
	};
	u32 cursor = interim_due ? en->scan_cursor : 0, shown;

	shown = eipfix_table_scan(table, now, idle_timeout, EIPFIX_FIN_GRACE,
				  interim_due, &cursor, eipfix_expiry_visit,
				  eipfix_expiry_pace, &scan);
	en->scan_cursor = interim_due ? cursor : 0;
	en->scan_held = scan.held;
	return shown;
}

/*
 * Tables replaced by a reconfiguration (main.c) end their flows here, as the
 * queue has room: every flow a forced-end record, none dropped while the
 * agent takes records. A table is freed once empty. Under en->lock.
 *
 * Return: true if a table still holds flows for want of room.
 */
bool eipfix_expiry_drain_retired(struct eipfix_net *en)
{
	struct eipfix_table *table, *tmp;

	list_for_each_entry_safe(table, tmp, &en->retired, retired) {
		if (eipfix_expiry_force(en, table, true))
			return true;
		list_del(&table->retired);
		en->nretired--;
		eipfix_table_free(table);
	}
	return false;
}

/**
 * eipfix_expiry_retire() - end the flows of a table no packet sees any more
 * @en: the namespace
 * @table: the table, unpublished, no packet still counting into it
 *
 * Its flows get their forced-end records from the expiry work as the agent
 * makes room. At most EIPFIX_RETIRED_MAX tables wait so: beyond that (a
 * stream of reconfigurations faster than the agent), the oldest is ended
 * at once, dropping what does not fit. Under en->lock.
 */
void eipfix_expiry_retire(struct eipfix_net *en, struct eipfix_table *table)
{
	struct eipfix_table *oldest;

	if (en->nretired >= EIPFIX_RETIRED_MAX) {
		oldest = list_first_entry(&en->retired, struct eipfix_table, retired);
		list_del(&oldest->retired);
		en->nretired--;
		eipfix_expiry_end_all(en, oldest);
		eipfix_table_free(oldest);
	}
	list_add_tail(&table->retired, &en->retired);
	en->nretired++;
	mod_delayed_work(system_power_efficient_wq, &en->expiry_work, 0);
}

/*
 * The namespace is going away: every retired table ends now, what does not
 * fit the queue dropped and counted. Under en->lock; the work is stopped.
 */
void eipfix_expiry_end_retired(struct eipfix_net *en)
{
	struct eipfix_table *table, *tmp;

	list_for_each_entry_safe(table, tmp, &en->retired, retired) {
		list_del(&table->retired);
		eipfix_expiry_end_all(en, table);
		eipfix_table_free(table);
	}
	en->nretired = 0;
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

/*
 * Once a second (and at once when a held scan gets room): the retired
 * tables first (their records are the oldest), then the flows in force,
 * with the one-minute tick. A tick that was held goes on where it stopped
 * until it has seen every flow; a held scan is looked at again every
 * EIPFIX_HELD_RETRY in case the agent stalls (then the scan drops).
 */
static void eipfix_expiry_work(struct work_struct *work)
{
	struct eipfix_net *en = container_of(to_delayed_work(work),
					     struct eipfix_net, expiry_work);
	unsigned long now = jiffies, delay = EIPFIX_SCAN_PERIOD;
	struct eipfix_config *cfg;
	struct eipfix_table *table;
	bool held;

	mutex_lock(&en->lock);
	cfg = rcu_dereference_protected(en->config, lockdep_is_held(&en->lock));
	table = rcu_dereference_protected(en->table, lockdep_is_held(&en->lock));
	held = eipfix_expiry_drain_retired(en);
	if (!table && list_empty(&en->retired))
		goto out;
	if (table && time_after_eq(now, en->next_tick)) {
		en->ticks++;
		en->next_tick += EIPFIX_TICK;
		/*
		 * A tick that finds the last one's pass still held folds into
		 * it: restarting at bucket 0 would never reach the end of a
		 * table whose pass takes longer than a tick.
		 */
		if (eipfix_expiry_interim_due(en->ticks, cfg->interval_ms) &&
		    !en->interim_pending) {
			en->interim_pending = true;
			en->scan_cursor = 0;
		}
	}
	if (table && !held) {
		eipfix_expiry_scan(en, table, now,
				   msecs_to_jiffies(cfg->idle_timeout_ms),
				   en->interim_pending);
		held = en->scan_held;
		if (!held)
			en->interim_pending = false;
	}
	if (held)
		delay = EIPFIX_HELD_RETRY;
	queue_delayed_work(system_power_efficient_wq, &en->expiry_work, delay);
out:
	mutex_unlock(&en->lock);
}

void eipfix_expiry_init(struct eipfix_net *en)
{
	INIT_DELAYED_WORK(&en->expiry_work, eipfix_expiry_work);
	INIT_LIST_HEAD(&en->retired);
}

/*
 * Starts the scans and the one-minute tick when metering begins. The work
 * stops by itself once there is no table, retired or in force. Under
 * en->lock.
 */
void eipfix_expiry_start(struct eipfix_net *en)
{
	en->ticks = 0;
	en->next_tick = jiffies + EIPFIX_TICK;
	en->interim_pending = false;
	en->scan_cursor = 0;
	queue_delayed_work(system_power_efficient_wq, &en->expiry_work,
			   EIPFIX_SCAN_PERIOD);
}

/* Waits for the scans to stop; not under en->lock, which the work takes. */
void eipfix_expiry_stop(struct eipfix_net *en)
{
	cancel_delayed_work_sync(&en->expiry_work);
}
