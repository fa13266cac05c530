/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_NETNS_H
#define _EIPFIX_NETNS_H

#include <linux/cache.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "config.h"
#include "counters.h"
#include "flow_table.h"
#include "records.h"

/*
 * Everything enclave_ipfix keeps for one network namespace: each has its
 * own config, flows, counters and agent. The packet path reads config,
 * ifset and table under RCU; every change to them is made under @lock.
 */
struct eipfix_net {
	/*
	 * Read by every packet, written only when the config or an interface
	 * changes: a cache line that nothing below shares, since the record
	 * queue (written per record, by the agent's reads and by evictions on
	 * the packet path), the locks and the works' cursors change while
	 * packets flow.
	 */
	struct eipfix_config __rcu *config;
	struct eipfix_ifset __rcu *ifset;
	struct eipfix_table __rcu *table;	/* NULL while not metering */
	struct eipfix_counters __percpu *counters;
	struct net *net;
	/* config, table, hooks, expiry; ifset too */
	struct mutex lock ____cacheline_aligned_in_smp;
	/*
	 * ifset alone, so that an interface event (under RTNL) never waits
	 * for an expiry scan, which holds @lock. @config changes under both.
	 */
	struct mutex ifset_lock;
	struct eipfix_records records;
	struct delayed_work expiry_work;
	struct delayed_work acl_gc_work;	/* forgets ended connections */
	u32 acl_gc_cursor;
	unsigned long next_tick;	/* jiffies of the next one-minute tick */
	u32 ticks;			/* one-minute ticks since metering began */
	bool interim_pending;		/* a tick's interim records are not all out */
	bool scan_held;			/* the last scan stopped for want of room */
	u32 scan_cursor;		/* where a held tick goes on */
	struct list_head retired;	/* replaced tables ending their flows */
	u32 nretired;
	bool hooks_registered;
	/* hooks.c's hooks, for this namespace: their priv is this. */
	struct nf_hook_ops hook_ops[4];
};

extern unsigned int eipfix_net_id;
extern unsigned int eipfix_record_queue_len;

static inline struct eipfix_net *eipfix_net(const struct net *net)
{
	return net_generic(net, eipfix_net_id);
}

/* netns.c */
int eipfix_net_apply_config(struct eipfix_net *en, struct eipfix_config *cfg,
			    struct netlink_ext_ack *extack, u32 *generation);
void eipfix_net_refresh_ifset(struct eipfix_net *en);
void eipfix_net_swap_table(struct eipfix_net *en, struct eipfix_table *table);
void eipfix_net_acl_gc_work(struct work_struct *work);

#endif /* _EIPFIX_NETNS_H */
