// SPDX-License-Identifier: GPL-2.0
/*
 * enclave_ipfix: flow metering on overlay interfaces, for IPFIX export.
 *
 * Module and namespace life: init and exit, the per-namespace state, how a
 * new configuration takes over, and following interfaces as they come and go.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "acl.h"
#include "expiry.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"

unsigned int eipfix_net_id __read_mostly;

unsigned int eipfix_record_queue_len __read_mostly = 65536;
module_param_named(record_queue_len, eipfix_record_queue_len, uint, 0444);
MODULE_PARM_DESC(record_queue_len,
		 "records held per namespace while the agent is slow or away (default 65536)");

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

static void eipfix_acl_gc_work(struct work_struct *work)
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

/* Rebuilds the ifindex set of the configured names. Under en->lock. */
static int eipfix_publish_ifset(struct eipfix_net *en, const struct eipfix_config *cfg)
{
	struct eipfix_ifset *set = eipfix_ifset_build(en->net, cfg), *old;

	if (!set)
		return -ENOMEM;
	old = rcu_replace_pointer(en->ifset, set, lockdep_is_held(&en->lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

void eipfix_net_refresh_ifset(struct eipfix_net *en)
{
	mutex_lock(&en->lock);
	if (eipfix_publish_ifset(en, eipfix_config_locked(en)))
		pr_warn_ratelimited("out of memory following an interface change\n");
	mutex_unlock(&en->lock);
}

/*
 * Swaps in a new table (or none); every flow of the old one is to end with
 * a forced-end record. Packets see the new table from the swap on; once no
 * packet can still be counting into the old one, it is retired: the expiry
 * work ends its flows as the agent makes room for their records.
 */
static void eipfix_swap_table(struct eipfix_net *en, struct eipfix_table *table)
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
 *
 * All or nothing: everything that can fail is done before anything changes.
 */
int eipfix_net_apply_config(struct eipfix_net *en, struct eipfix_config *cfg,
			    struct netlink_ext_ack *extack)
{
	struct eipfix_table *table = NULL;
	struct eipfix_config *old;
	bool new_keyspace;
	int ret = 0;

	/* Compiled outside the lock: a big rule set takes a while. */
	cfg->acl = eipfix_acl_compile(cfg->rules, cfg->nrules, cfg->acl_default,
				      GFP_KERNEL);
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
	ret = eipfix_publish_ifset(en, cfg);
	if (ret) {
		eipfix_table_free(table);
		goto out;
	}

	cfg->generation = old->generation + 1;
	/* The same rules keep their allowed connections and hit counts. */
	if (old->acl && eipfix_acl_rules_equal(old, cfg))
		eipfix_acl_inherit(cfg->acl, old->acl);
	rcu_assign_pointer(en->config, cfg);
	if (new_keyspace) {
		eipfix_swap_table(en, table);
		if (table)
			eipfix_expiry_start(en);
	}
	if (!eipfix_needs_hooks(cfg))
		eipfix_hooks_unregister(en);
	if (cfg->acl && cfg->acl->state)
		queue_delayed_work(system_power_efficient_wq, &en->acl_gc_work,
				   EIPFIX_ACL_GC_PERIOD);
	eipfix_config_free_rcu(old);
	eipfix_netlink_notify_config(en->net, cfg->generation);
out:
	mutex_unlock(&en->lock);
	return ret;
}

static int __net_init eipfix_net_init(struct net *net)
{
	struct eipfix_net *en = eipfix_net(net);
	struct eipfix_config *cfg;

	en->net = net;
	mutex_init(&en->lock);
	en->counters = alloc_percpu(struct eipfix_counters);
	cfg = eipfix_config_new_default();
	if (!en->counters || !cfg) {
		free_percpu(en->counters);
		kfree(cfg);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(en->config, cfg);
	RCU_INIT_POINTER(en->ifset, NULL);
	RCU_INIT_POINTER(en->table, NULL);
	eipfix_records_init(&en->records, eipfix_record_queue_len, en->counters,
			    eipfix_netlink_records_pending, &en->expiry_work);
	eipfix_expiry_init(en);
	INIT_DELAYED_WORK(&en->acl_gc_work, eipfix_acl_gc_work);
	return 0;
}

static void __net_exit eipfix_net_exit(struct net *net)
{
	struct eipfix_net *en = eipfix_net(net);
	struct eipfix_ifset *ifset;
	u64 dropped_before, lost;

	mutex_lock(&en->lock);
	eipfix_hooks_unregister(en);
	eipfix_swap_table(en, NULL);
	ifset = rcu_replace_pointer(en->ifset, NULL, lockdep_is_held(&en->lock));
	mutex_unlock(&en->lock);

	eipfix_expiry_stop(en);
	cancel_delayed_work_sync(&en->acl_gc_work);
	/*
	 * No agent can take records any more (the module's family may be gone
	 * already): the flows end into the queue, and the log says how many
	 * records that loses, since no counter outlives the namespace.
	 */
	dropped_before = eipfix_counter_sum(en->counters,
					    EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL) +
			 eipfix_counter_sum(en->counters,
					    EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM);
	mutex_lock(&en->lock);
	eipfix_expiry_end_retired(en);
	mutex_unlock(&en->lock);
	lost = eipfix_records_flush_count(&en->records) +
	       eipfix_counter_sum(en->counters, EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL) +
	       eipfix_counter_sum(en->counters, EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM) -
	       dropped_before;
	if (lost)
		pr_warn("%llu flow records not delivered: the namespace or the module went away first\n",
			lost);
	synchronize_net();
	kfree(ifset);
	eipfix_config_free(rcu_dereference_protected(en->config, true));
	free_percpu(en->counters);
}

static struct pernet_operations eipfix_net_ops = {
	.init = eipfix_net_init,
	.exit = eipfix_net_exit,
	.id = &eipfix_net_id,
	.size = sizeof(struct eipfix_net),
};

/* Interfaces are configured by name; their ifindexes follow them. */
static int eipfix_netdev_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		eipfix_net_refresh_ifset(eipfix_net(dev_net(dev)));
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block eipfix_netdev_nb = {
	.notifier_call = eipfix_netdev_event,
};

/* Backpressure resumes a scan at half the queue: it needs a few places. */
#define EIPFIX_RECORD_QUEUE_MIN 16

static int __init eipfix_init(void)
{
	int ret;

	if (eipfix_record_queue_len < EIPFIX_RECORD_QUEUE_MIN) {
		pr_warn("record_queue_len=%u is too small: using %u\n",
			eipfix_record_queue_len, EIPFIX_RECORD_QUEUE_MIN);
		eipfix_record_queue_len = EIPFIX_RECORD_QUEUE_MIN;
	}
	ret = eipfix_flow_cache_init();
	if (ret)
		return ret;
	ret = register_pernet_subsys(&eipfix_net_ops);
	if (ret)
		goto err_cache;
	ret = register_netdevice_notifier(&eipfix_netdev_nb);
	if (ret)
		goto err_pernet;
	ret = eipfix_genetlink_init();
	if (ret)
		goto err_netdev;
	pr_info("enclave_ipfix " EIPFIX_VERSION " loaded\n");
	return 0;

err_netdev:
	unregister_netdevice_notifier(&eipfix_netdev_nb);
err_pernet:
	unregister_pernet_subsys(&eipfix_net_ops);
err_cache:
	eipfix_flow_cache_exit();
	return ret;
}

static void __exit eipfix_exit(void)
{
	eipfix_genetlink_uninit();
	unregister_netdevice_notifier(&eipfix_netdev_nb);
	unregister_pernet_subsys(&eipfix_net_ops);
	eipfix_flow_cache_exit();
}

module_init(eipfix_init);
module_exit(eipfix_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("enclave_ipfix developers");
MODULE_DESCRIPTION("In-kernel IPFIX flow metering for overlay network interfaces");
MODULE_VERSION(EIPFIX_VERSION);
MODULE_ALIAS_GENL_FAMILY(ENCLAVE_IPFIX_GENL_NAME);
