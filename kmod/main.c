// SPDX-License-Identifier: GPL-2.0
/*
 * enclave_ipfix: flow metering on overlay interfaces, for IPFIX export.
 *
 * Module and namespace life: init and exit, the per-namespace state's
 * creation and end, and interface events. How a configuration takes over is
 * netns.c's; the generic netlink family is netlink.c's.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "expiry.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"

unsigned int eipfix_record_queue_len __read_mostly = 65536;
module_param_named(record_queue_len, eipfix_record_queue_len, uint, 0444);
MODULE_PARM_DESC(record_queue_len,
		 "records held per namespace while the agent is slow or away (default 65536)");

static int __net_init eipfix_net_init(struct net *net)
{
	struct eipfix_net *en = eipfix_net(net);
	struct eipfix_config *cfg;

	en->net = net;
	mutex_init(&en->lock);
	mutex_init(&en->ifset_lock);
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
	INIT_DELAYED_WORK(&en->acl_gc_work, eipfix_net_acl_gc_work);
	eipfix_hooks_init(en);
	return 0;
}

static void __net_exit eipfix_net_exit(struct net *net)
{
	struct eipfix_net *en = eipfix_net(net);
	struct eipfix_ifset *ifset;
	u64 dropped_before, lost;

	mutex_lock(&en->lock);
	eipfix_hooks_unregister(en);
	eipfix_net_swap_table(en, NULL);
	mutex_lock(&en->ifset_lock);
	ifset = rcu_replace_pointer(en->ifset, NULL, lockdep_is_held(&en->ifset_lock));
	mutex_unlock(&en->ifset_lock);
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
