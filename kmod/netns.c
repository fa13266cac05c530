// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration in force in one namespace: how a new one takes over
 * (all or nothing), the flow table it meters into, the hooks it needs, the
 * interfaces it follows, and the sweep of its allowed connections. Called
 * by netlink.c (SET_CONFIG) and main.c (namespace life, interface events).
 */
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "acl.h"
#include "expiry.h"
#include "hooks.h"
#include "netns.h"

unsigned int eipfix_net_id __read_mostly;

static struct eipfix_config *eipfix_config_locked(struct eipfix_net *en)
{
	return rcu_dereference_protected(en->config, lockdep_is_held(&en->lock));
}

/*
 * The allowed connections of the rule set in force are swept for expired
 * ones every EIPFIX_ACL_GC_PERIOD, EIPFIX_ACL_GC_BUCKETS buckets at a time
 * (65,536 connections, the default bound, are 16,384 buckets: one whole
 * sweep every 4 s, a few microseconds each time). The sweep holds only
 * rcu_read_lock() and one bucket lock at a time; the work stops when no rule
 * set can deny and is started again by the config that needs it.
 */
#define EIPFIX_ACL_GC_PERIOD HZ
#define EIPFIX_ACL_GC_BUCKETS 4096U

void eipfix_net_acl_gc_work(struct work_struct *work)
{
	struct eipfix_net *en = container_of(to_delayed_work(work),
					     struct eipfix_net, acl_gc_work);
	const struct eipfix_config *cfg;
	bool again = false;

	rcu_read_lock();
	cfg = rcu_dereference(en->config);
	if (cfg->acl && cfg->acl->state) {
		en->acl_gc_cursor = eipfix_acl_state_gc(cfg->acl->state,
							en->acl_gc_cursor,
							EIPFIX_ACL_GC_BUCKETS, jiffies);
		again = true;
	}
	rcu_read_unlock();
	if (again)
		queue_delayed_work(system_power_efficient_wq, &en->acl_gc_work,
				   EIPFIX_ACL_GC_PERIOD);
}

/* Metering needs the hooks, and so do rules that can drop a packet. */
static bool eipfix_needs_hooks(const struct eipfix_config *cfg)
{
	return cfg->ninterfaces &&
	       (eipfix_config_metering(cfg) || (cfg->acl && cfg->acl->can_deny));
}

/* Rebuilds the ifindex set of the configured names. Under en->ifset_lock. */
static int eipfix_publish_ifset(struct eipfix_net *en, const struct eipfix_config *cfg)
{
	struct eipfix_ifset *set = eipfix_ifset_build(en->net, cfg), *old;

	if (!set)
		return -ENOMEM;
	old = rcu_replace_pointer(en->ifset, set, lockdep_is_held(&en->ifset_lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* An interface came, went or was renamed. Called under RTNL: never waits for a scan. */
void eipfix_net_refresh_ifset(struct eipfix_net *en)
{
	const struct eipfix_config *cfg;

	mutex_lock(&en->ifset_lock);
	cfg = rcu_dereference_protected(en->config, lockdep_is_held(&en->ifset_lock));
	if (eipfix_publish_ifset(en, cfg))
		pr_warn_ratelimited("out of memory following an interface change\n");
	mutex_unlock(&en->ifset_lock);
}

/*
 * Swaps in a new table (or none); every flow of the old one is to end with
 * a forced-end record. Packets see the new table from the swap on; once no
 * packet can still be counting into the old one, it is retired: the expiry
 * work ends its flows as the agent makes room for their records.
 */
void eipfix_net_swap_table(struct eipfix_net *en, struct eipfix_table *table)
{
	struct eipfix_table *old;

	old = rcu_replace_pointer(en->table, table, lockdep_is_held(&en->lock));
	if (!old)
		return;
	synchronize_net();
	eipfix_expiry_retire(en, old);
}

/**
 * eipfix_net_apply_config() - make @cfg the namespace's configuration
 * @en: the namespace
 * @cfg: a complete, validated configuration; owned by the namespace on success
 * @extack: for the reason of a failure
 * @generation: the generation @cfg gets, on success
 *
 * All or nothing: everything that can fail is done before anything changes.
 */
int eipfix_net_apply_config(struct eipfix_net *en, struct eipfix_config *cfg,
			    struct netlink_ext_ack *extack, u32 *generation)
{
	struct eipfix_table *table = NULL;
	struct eipfix_config *old;
	bool new_keyspace;
	int ret = 0;

	/* Compiled outside the lock: a big rule set takes a while. */
	cfg->acl = eipfix_acl_compile(cfg->rules, cfg->nrules, cfg->acl_default,
				      cfg->allowed_flow_rule, GFP_KERNEL);
	if (!cfg->acl) {
		NL_SET_ERR_MSG(extack, "not enough memory to compile the access control rules");
		return -ENOMEM;
	}
	mutex_lock(&en->lock);
	old = eipfix_config_locked(en);
	new_keyspace = !eipfix_config_same_keyspace(old, cfg);
	if (new_keyspace && eipfix_config_metering(cfg)) {
		table = eipfix_table_new(cfg->max_flows, GFP_KERNEL);
		if (!table) {
			NL_SET_ERR_MSG(extack, "not enough memory for a flow table of MaxFlows");
			ret = -ENOMEM;
			goto out;
		}
	}
	if (eipfix_needs_hooks(cfg)) {
		ret = eipfix_hooks_register(en);
		if (ret) {
			NL_SET_ERR_MSG(extack, "could not register the netfilter hooks");
			eipfix_table_free(table);
			goto out;
		}
	}
	mutex_lock(&en->ifset_lock);
	ret = eipfix_publish_ifset(en, cfg);
	if (ret) {
		mutex_unlock(&en->ifset_lock);
		eipfix_table_free(table);
		goto out;
	}

	cfg->generation = old->generation + 1;
	/* The same rules keep their allowed connections and hit counts. */
	if (old->acl && eipfix_acl_rules_equal(old, cfg))
		eipfix_acl_inherit(cfg->acl, old->acl);
	rcu_assign_pointer(en->config, cfg);
	mutex_unlock(&en->ifset_lock);
	if (new_keyspace) {
		eipfix_net_swap_table(en, table);
		if (table)
			eipfix_expiry_start(en);
	}
	if (!eipfix_needs_hooks(cfg))
		eipfix_hooks_unregister(en);
	if (cfg->acl && cfg->acl->state)
		queue_delayed_work(system_power_efficient_wq, &en->acl_gc_work,
				   EIPFIX_ACL_GC_PERIOD);
	eipfix_config_free_rcu(old);
	*generation = cfg->generation;
out:
	mutex_unlock(&en->lock);
	return ret;
}
