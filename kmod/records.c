// SPDX-License-Identifier: GPL-2.0
/*
 * The record queue between the flow table and the agent. Nothing is lost
 * silently: a record that cannot be queued is counted by cause, and a record
 * is freed only when the agent acknowledged it (see records.h).
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include "records.h"

void eipfix_records_init(struct eipfix_records *q, u32 limit,
			 struct eipfix_counters __percpu *counters,
			 work_func_t notify, struct delayed_work *resume)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->queue);
	INIT_LIST_HEAD(&q->sent);
	q->len = 0;
	q->nsent = 0;
	q->seq = 0;
	q->limit = limit;
	q->agent_portid = 0;
	q->held = false;
	q->counters = counters;
	INIT_WORK(&q->notify_work, notify);
	q->resume = resume;
}

/* Lets a held scan go on (now, from its work): room came, or the agent went. */
static void eipfix_records_release(struct eipfix_records *q)
{
	if (!READ_ONCE(q->held))
		return;
	WRITE_ONCE(q->held, false);
	if (q->resume)
		mod_delayed_work(system_power_efficient_wq, q->resume, 0);
}

/**
 * eipfix_records_flush_count() - free every queued record
 * @q: the queue; its namespace is going away, no agent can take them now
 *
 * Return: how many records were still queued or not acknowledged.
 */
u32 eipfix_records_flush_count(struct eipfix_records *q)
{
	struct eipfix_record *rec, *tmp;
	LIST_HEAD(old);
	u32 n = 0;

	cancel_work_sync(&q->notify_work);
	spin_lock_bh(&q->lock);
	list_splice_init(&q->sent, &old);
	list_splice_tail_init(&q->queue, &old);
	q->len = 0;
	q->nsent = 0;
	spin_unlock_bh(&q->lock);
	list_for_each_entry_safe(rec, tmp, &old, list) {
		kfree(rec);
		n++;
	}
	return n;
}

/**
 * eipfix_records_hold() - whether a scan must keep its flows for now
 * @q: the queue
 *
 * True when the queue is full and a live agent will make room: the caller
 * keeps the flow it was about to emit (and stops), and is resumed once the
 * agent took the queue down to half. False when there is room, or when
 * nobody will make room (no agent, or one that took nothing for
 * EIPFIX_AGENT_STALL): then an emit drops, and counts, what does not fit.
 */
bool eipfix_records_hold(struct eipfix_records *q)
{
	bool hold;

	spin_lock_bh(&q->lock);
	hold = q->len + q->nsent >= q->limit && q->agent_portid &&
	       time_before(jiffies, q->last_taken + EIPFIX_AGENT_STALL);
	if (hold)
		q->held = true;
	spin_unlock_bh(&q->lock);
	/* Its dumps may have stopped at a bound: tell the agent again. */
	if (hold)
		schedule_work(&q->notify_work);
	return hold;
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
	if (q->len + q->nsent >= q->limit) {
		spin_unlock_bh(&q->lock);
		kfree(rec);
		eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL, 1);
		return false;
	}
	wake = !q->len && q->agent_portid;
	/* An agent with nothing to take is idle, not stalled: its clock starts now. */
	if (!q->len)
		q->last_taken = jiffies;
	list_add_tail(&rec->list, &q->queue);
	q->len++;
	spin_unlock_bh(&q->lock);

	eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_QUEUED, 1);
	if (wake)
		schedule_work(&q->notify_work);
	return true;
}

/*
 * Takes the oldest record off the queue, or NULL. The caller frees it, or
 * hands it to eipfix_records_sent() or eipfix_records_unpop().
 */
struct eipfix_record *eipfix_records_pop(struct eipfix_records *q)
{
	struct eipfix_record *rec;

	spin_lock_bh(&q->lock);
	rec = list_first_entry_or_null(&q->queue, struct eipfix_record, list);
	if (rec) {
		list_del(&rec->list);
		q->len--;
		q->last_taken = jiffies;
	}
	spin_unlock_bh(&q->lock);
	if (rec && READ_ONCE(q->len) + READ_ONCE(q->nsent) <= q->limit / 2)
		eipfix_records_release(q);
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

/**
 * eipfix_records_sent() - a popped record is in a message to @portid
 * @q: the queue
 * @rec: the record, from eipfix_records_pop()
 * @portid: the socket the message goes to
 *
 * Return: the record's send sequence number, which the agent acknowledges;
 * 0 if @portid is no longer the agent: then the record waits again.
 */
u64 eipfix_records_sent(struct eipfix_records *q, struct eipfix_record *rec,
			u32 portid)
{
	u64 seq = 0;

	spin_lock_bh(&q->lock);
	if (portid && portid == q->agent_portid) {
		seq = ++q->seq;
		rec->seq = seq;
		list_add_tail(&rec->list, &q->sent);
		q->nsent++;
	} else {
		list_add(&rec->list, &q->queue);
		q->len++;
	}
	spin_unlock_bh(&q->lock);
	return seq;
}

/**
 * eipfix_records_ack() - the agent has every record sent up to @seq
 * @q: the queue
 * @portid: the socket acknowledging
 * @seq: the send sequence number of the last record it sent on
 *
 * Messages reach a socket in order, so the records acknowledged are the
 * oldest sent ones.
 *
 * Return: how many records this freed, or -EPERM if @portid is not the agent.
 */
int eipfix_records_ack(struct eipfix_records *q, u32 portid, u64 seq)
{
	struct eipfix_record *rec, *tmp;
	LIST_HEAD(done);
	int n = 0;

	spin_lock_bh(&q->lock);
	if (!portid || portid != q->agent_portid) {
		spin_unlock_bh(&q->lock);
		return -EPERM;
	}
	list_for_each_entry_safe(rec, tmp, &q->sent, list) {
		if (rec->seq > seq)
			break;
		list_move_tail(&rec->list, &done);
		n++;
	}
	q->nsent -= n;
	if (n)
		q->last_taken = jiffies;
	spin_unlock_bh(&q->lock);

	list_for_each_entry_safe(rec, tmp, &done, list)
		kfree(rec);
	eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_DELIVERED, n);
	if (READ_ONCE(q->len) + READ_ONCE(q->nsent) <= q->limit / 2)
		eipfix_records_release(q);
	return n;
}

/*
 * The agent changed or went: what it did not acknowledge goes back to the
 * head of the queue, oldest first, for the next one. Under q->lock.
 */
static void eipfix_records_requeue(struct eipfix_records *q)
{
	if (!q->nsent)
		return;
	eipfix_count(q->counters, EIPFIX_CTR_A_RECORDS_REQUEUED, q->nsent);
	list_splice_init(&q->sent, &q->queue);
	q->len += q->nsent;
	q->nsent = 0;
}

/**
 * eipfix_records_set_agent() - make @portid the agent (0: none)
 * @q: the queue
 * @portid: the agent's socket
 * @takeover: replace another agent; without it, one registered is kept
 *
 * Check and change are one step under q->lock: two registrations at once
 * cannot both find the place free.
 *
 * Return: 0, or -EBUSY if another agent is registered and not @takeover.
 */
int eipfix_records_set_agent(struct eipfix_records *q, u32 portid, bool takeover)
{
	bool wake;

	spin_lock_bh(&q->lock);
	if (portid && q->agent_portid && q->agent_portid != portid && !takeover) {
		spin_unlock_bh(&q->lock);
		return -EBUSY;
	}
	if (portid != q->agent_portid)
		eipfix_records_requeue(q);
	q->agent_portid = portid;
	q->last_taken = jiffies;
	wake = portid && q->len;
	spin_unlock_bh(&q->lock);
	if (wake)
		schedule_work(&q->notify_work);
	if (!portid)
		eipfix_records_release(q);	/* nobody will make room */
	return 0;
}

/* The socket @portid closed: if it was the agent, the registration ends. */
void eipfix_records_agent_gone(struct eipfix_records *q, u32 portid)
{
	bool gone;

	spin_lock_bh(&q->lock);
	gone = q->agent_portid == portid;
	if (gone) {
		q->agent_portid = 0;
		eipfix_records_requeue(q);
	}
	spin_unlock_bh(&q->lock);
	if (gone)
		eipfix_records_release(q);
}

u32 eipfix_records_agent(struct eipfix_records *q)
{
	u32 portid;

	spin_lock_bh(&q->lock);
	portid = q->agent_portid;
	spin_unlock_bh(&q->lock);
	return portid;
}

/* Records waiting to be sent. */
u32 eipfix_records_len(struct eipfix_records *q)
{
	return READ_ONCE(q->len);
}

/* Records the kernel holds, waiting or sent and not acknowledged: one snapshot. */
u32 eipfix_records_held(struct eipfix_records *q)
{
	u32 n;

	spin_lock_bh(&q->lock);
	n = q->len + q->nsent;
	spin_unlock_bh(&q->lock);
	return n;
}

/* Records sent and not yet acknowledged. */
u32 eipfix_records_unacked(struct eipfix_records *q)
{
	return READ_ONCE(q->nsent);
}
