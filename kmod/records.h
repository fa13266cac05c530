/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_RECORDS_H
#define _EIPFIX_RECORDS_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "flow.h"
#include "counters.h"

/* One flow record on its way to the agent: a snapshot of a flow's deltas. */
struct eipfix_record {
	struct list_head list;
	struct eipfix_key key;
	u16 tcp_flags;
	u8 tos;
	u8 end_reason;
	u32 acl_rule;
	u64 packets;
	u64 octets;
	u64 start_ms;
	u64 end_ms;
	u64 seq;	/* while sent and not acknowledged: the send sequence */
};

/*
 * The bounded queue of records of one namespace. Records wait here while
 * the agent is slow or away; the agent takes them with GET_RECORDS dumps.
 *
 * Backpressure: while an agent is registered and takes records (it took one
 * within EIPFIX_AGENT_STALL, counted from when records began to wait or it
 * registered, whichever is later), an expiry scan that finds the queue full
 * keeps its flows, with their counts and their due records, and stops
 * (eipfix_records_hold()); the flow table is the buffer. Once the agent has
 * taken the queue down to half, @resume (the scan's work) runs again.
 * Records are dropped, and counted, only when no agent is registered, when
 * records waited EIPFIX_AGENT_STALL without the agent taking one, or when a
 * flow must leave a full table.
 *
 * Acknowledgment: a record written into the agent's message moves to @sent
 * with the next send sequence number; it is freed only when the agent
 * acknowledges that number (it sent the record on to the collectors). If the
 * agent goes first (its socket closed: killed, crashed, or displaced), every
 * sent record goes back to the head of the queue, in order, for the next
 * agent: a record is delivered at least once, and a repeat is counted in
 * EIPFIX_CTR_A_RECORDS_REQUEUED. Sent records take room in the queue's bound.
 */
#define EIPFIX_AGENT_STALL (10 * HZ)

struct eipfix_records {
	spinlock_t lock;	/* queue, len, sent, nsent, seq, agent_portid */
	struct list_head queue;		/* waiting to be sent */
	struct list_head sent;		/* sent, not yet acknowledged */
	u32 len;
	u32 nsent;
	u32 limit;			/* on len + nsent */
	u64 seq;			/* the last send sequence number given */
	u32 agent_portid;	/* 0: no agent registered */
	/* jiffies: the agent took a record, registered, or records began to wait */
	unsigned long last_taken;
	bool held;			/* a scan stopped for room */
	struct eipfix_counters __percpu *counters;
	struct work_struct notify_work;	/* tells the agent records wait */
	struct delayed_work *resume;	/* the held scan's work, or NULL */
};

void eipfix_records_init(struct eipfix_records *q, u32 limit,
			 struct eipfix_counters __percpu *counters,
			 work_func_t notify, struct delayed_work *resume);
bool eipfix_records_emit(struct eipfix_records *q, const struct eipfix_flow *flow,
			 u8 end_reason);
struct eipfix_record *eipfix_records_pop(struct eipfix_records *q);
void eipfix_records_unpop(struct eipfix_records *q, struct eipfix_record *rec);
u64 eipfix_records_sent(struct eipfix_records *q, struct eipfix_record *rec,
			u32 portid);
int eipfix_records_ack(struct eipfix_records *q, u32 portid, u64 seq);
int eipfix_records_set_agent(struct eipfix_records *q, u32 portid, bool takeover);
void eipfix_records_agent_gone(struct eipfix_records *q, u32 portid);
u32 eipfix_records_agent(struct eipfix_records *q);
u32 eipfix_records_len(struct eipfix_records *q);
u32 eipfix_records_unacked(struct eipfix_records *q);
u32 eipfix_records_held(struct eipfix_records *q);
bool eipfix_records_hold(struct eipfix_records *q);
u32 eipfix_records_flush_count(struct eipfix_records *q);

#endif /* _EIPFIX_RECORDS_H */
