// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration of a namespace: defaults (those of DESIGN.md section 4),
 * what a change means for live flows, and which interfaces it names.
 * Parsing it from netlink is netlink.c's business.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "acl.h"
#include "config.h"

struct eipfix_config *eipfix_config_new_default(void)
{
	struct eipfix_config *cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);

	if (!cfg)
		return NULL;
	cfg->enabled = true;
	cfg->direction = EIPFIX_DIR_BOTH;
	cfg->acl_default = EIPFIX_ACL_ALLOW;
	cfg->interval_ms = 0;
	cfg->idle_timeout_ms = 15000;
	cfg->max_flows = 1 << 20;
	cfg->template_refresh_s = 600;
	cfg->message_size = 1400;
	return cfg;
}

void eipfix_config_free(struct eipfix_config *cfg)
{
	u32 i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nrules; i++) {
		kfree(cfg->rules[i].ports);
		kfree(cfg->rules[i].description);
	}
	kvfree(cfg->rules);
	eipfix_acl_free(cfg->acl);
	kfree(cfg->collectors);
	kfree(cfg);
}

static void eipfix_config_free_cb(struct rcu_head *rcu)
{
	eipfix_config_free(container_of(rcu, struct eipfix_config, rcu));
}

/* Frees @cfg once no packet can still be reading it. */
void eipfix_config_free_rcu(struct eipfix_config *cfg)
{
	if (cfg)
		call_rcu(&cfg->rcu, eipfix_config_free_cb);
}

/* Enclave's rule: the exporter is on only if enabled and it has somewhere to send. */
bool eipfix_config_metering(const struct eipfix_config *cfg)
{
	return cfg->enabled && cfg->ncollectors;
}

/*
 * Whether flows metered under @a may go on under @b. If not, every live
 * flow ends with a forced-end record before @b takes over.
 */
bool eipfix_config_same_keyspace(const struct eipfix_config *a,
				 const struct eipfix_config *b)
{
	u32 i;

	if (eipfix_config_metering(a) != eipfix_config_metering(b) ||
	    a->direction != b->direction || a->max_flows != b->max_flows ||
	    a->ninterfaces != b->ninterfaces)
		return false;
	for (i = 0; i < a->ninterfaces; i++)
		if (strcmp(a->interfaces[i], b->interfaces[i]))
			return false;
	return true;
}

/* Resolves the configured names to ifindexes; absent interfaces are skipped. */
struct eipfix_ifset *eipfix_ifset_build(struct net *net,
					const struct eipfix_config *cfg)
{
	struct eipfix_ifset *set = kzalloc(sizeof(*set), GFP_KERNEL);
	struct net_device *dev;
	u32 i;

	if (!set)
		return NULL;
	rcu_read_lock();
	for (i = 0; i < cfg->ninterfaces; i++) {
		dev = dev_get_by_name_rcu(net, cfg->interfaces[i]);
		if (dev)
			set->ifindex[set->n++] = dev->ifindex;
	}
	rcu_read_unlock();
	return set;
}
