// SPDX-License-Identifier: GPL-2.0
/*
 * The record queue between the flow table and the agent. Nothing is lost
 * silently: a record that cannot be queued is counted by cause, and a record
 * leaves the queue only into a netlink message the agent will receive.
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include "records.h"

void eipfix_records_init(struct eipfix_records *q, u32 limit,
			 struct eipfix_counters __percpu *counters,
			 work_func_t notify)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->queue);
	q->len = 0;
	q->limit = limit;
	q->agent_portid = 0;
	q->counters = counters;
	INIT_WORK(&q->notify_work, notify);
	init_waitqueue_head(&q->room);
}

/* Half empty: a waiting scan may go on. */
static bool eipfix_records_roomy(const struct eipfix_records *q)
{
	return READ_ONCE(q->len) <= q->limit / 2;
}

/* Frees every queued record; the namespace is going away. */
void eipfix_records_flush(struct eipfix_records *q)
{
	struct eipfix_record *rec, *tmp;
	LIST_HEAD(old);

	cancel_work_sync(&q->notify_work);
	spin_lock_bh(&q->lock);
	list_splice_init(&q->queue, &old);
	q->len = 0;
	spin_unlock_bh(&q->lock);
	list_for_each_entry_safe(rec, tmp, &old, list)
		kfree(rec);
}

/**
 * eipfix_records_emit() - queue a record of @flow's counts
 * @q: the queue
 * @flow: the flow; its lock is held by the caller
 * @end_reason: enum eipfix_end_reason
 *
 * Return: true if queued; otherwise the loss was counted.
 */
bool eipfix_records_emit(struct eipfix_records *q, const struct eipfix_flow *flow,
			 u8 end_reason)
{
	struct eipfix_record *rec;
	bool wake;

	rec = kmalloc(sizeof(*rec), GFP_ATOMIC);
	if (!rec) {
		eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM, 1);
		return false;
	}
	rec->key = flow->key;
	rec->tcp_flags = flow->tcp_flags;
	rec->tos = flow->tos;
	rec->end_reason = end_reason;
	rec->acl_rule = flow->acl_rule;
	rec->packets = flow->packets;
	rec->octets = flow->octets;
	rec->start_ms = flow->start_ms;
	rec->end_ms = flow->end_ms;

	spin_lock_bh(&q->lock);
	if (q->len >= q->limit) {
		spin_unlock_bh(&q->lock);
		kfree(rec);
		eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL, 1);
		return false;
	}
	wake = !q->len && q->agent_portid;
	list_add_tail(&rec->list, &q->queue);
	q->len++;
	spin_unlock_bh(&q->lock);

	eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_QUEUED, 1);
	if (wake)
		schedule_work(&q->notify_work);
	return true;
}

/* Takes the oldest record off the queue, or NULL. */
struct eipfix_record *eipfix_records_pop(struct eipfix_records *q)
{
	struct eipfix_record *rec;

	spin_lock_bh(&q->lock);
	rec = list_first_entry_or_null(&q->queue, struct eipfix_record, list);
	if (rec) {
		list_del(&rec->list);
		q->len--;
	}
	spin_unlock_bh(&q->lock);
	if (rec && eipfix_records_roomy(q) && wq_has_sleeper(&q->room))
		wake_up(&q->room);
	return rec;
}

/* Puts back a record that did not fit into the agent's message. */
void eipfix_records_unpop(struct eipfix_records *q, struct eipfix_record *rec)
{
	spin_lock_bh(&q->lock);
	list_add(&rec->list, &q->queue);
	q->len++;
	spin_unlock_bh(&q->lock);
}

void eipfix_records_set_agent(struct eipfix_records *q, u32 portid)
{
	bool wake;

	spin_lock_bh(&q->lock);
	q->agent_portid = portid;
	wake = portid && q->len;
	spin_unlock_bh(&q->lock);
	if (wake)
		schedule_work(&q->notify_work);
	if (!portid)
		wake_up(&q->room);	/* nobody will make room: stop waiting */
}

u32 eipfix_records_agent(struct eipfix_records *q)
{
	u32 portid;

	spin_lock_bh(&q->lock);
	portid = q->agent_portid;
	spin_unlock_bh(&q->lock);
	return portid;
}

u32 eipfix_records_len(struct eipfix_records *q)
{
	return READ_ONCE(q->len);
}

/**
 * eipfix_records_wait_room() - wait for the agent to take records
 * @q: the queue
 * @timeout: jiffies without progress after which to give up
 *
 * For an expiry scan about to emit more records than the queue has room
 * for: a one-minute tick of a large table emits a record per flow at once.
 * A slow agent is waited for as long as it keeps taking records.
 *
 * Context: process, may sleep.
 * Return: true once the queue is half empty; false if no agent is
 * registered or it took nothing within @timeout.
 */
bool eipfix_records_wait_room(struct eipfix_records *q, unsigned long timeout)
{
	u32 before;

	do {
		if (!eipfix_records_agent(q))
			return false;
		/*
		 * The agent is told only when the queue stops being empty, and
		 * each of its dumps takes a bounded number: tell it again.
		 */
		schedule_work(&q->notify_work);
		before = READ_ONCE(q->len);
		if (wait_event_timeout(q->room, eipfix_records_roomy(q) ||
				       !READ_ONCE(q->agent_portid), timeout))
			return eipfix_records_roomy(q);
	} while (READ_ONCE(q->len) < before);
	return false;
}
