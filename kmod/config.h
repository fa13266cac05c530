/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_CONFIG_H
#define _EIPFIX_CONFIG_H

#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <uapi/linux/enclave_ipfix.h>

#define EIPFIX_MAX_INTERFACES 64
#define EIPFIX_MAX_COLLECTORS 64
#define EIPFIX_COLLECTOR_LEN 272
#define EIPFIX_MAX_RULES 65535
#define EIPFIX_MAX_PORT_RANGES 1024
#define EIPFIX_DESCRIPTION_LEN 256

struct eipfix_acl;

/* One Access Control Rule, as pushed (DESIGN.md section 4). */
struct eipfix_rule {
	u8 action;
	u8 direction;
	u8 family;		/* 0: any peer */
	u8 prefix_len;
	u8 protocol;		/* enum eipfix_acl_proto */
	struct in6_addr peer;
	u32 nports;		/* 0: any destination port */
	u32 *ports;		/* first << 16 | last */
	char *description;
};

/*
 * The whole configuration of a namespace. Readers get it under RCU; a
 * change replaces it whole, so a reader never sees half of two configs.
 */
struct eipfix_config {
	bool enabled;
	u8 direction;		/* enum eipfix_direction */
	u8 acl_default;		/* enum eipfix_acl_action */
	bool allowed_flow_rule;	/* allowed flows carry their rule too */
	u32 interval_ms;
	u32 idle_timeout_ms;
	u32 max_flows;
	u32 observation_domain;
	u32 template_refresh_s;
	u32 message_size;
	u32 generation;
	u32 ninterfaces;
	char interfaces[EIPFIX_MAX_INTERFACES][IFNAMSIZ];
	u32 ncollectors;
	char (*collectors)[EIPFIX_COLLECTOR_LEN];
	u32 nrules;
	struct eipfix_rule *rules;
	struct eipfix_acl *acl;	/* the rules compiled (acl.c); NULL: allow all */
	struct rcu_head rcu;
};

/* The ifindexes of the configured interfaces that exist now. */
struct eipfix_ifset {
	u32 n;
	int ifindex[EIPFIX_MAX_INTERFACES];
	struct rcu_head rcu;
};

struct eipfix_config *eipfix_config_new_default(void);
void eipfix_config_free(struct eipfix_config *cfg);
void eipfix_config_free_rcu(struct eipfix_config *cfg);
bool eipfix_config_metering(const struct eipfix_config *cfg);
bool eipfix_config_same_keyspace(const struct eipfix_config *a,
				 const struct eipfix_config *b);
struct eipfix_ifset *eipfix_ifset_build(struct net *net,
					const struct eipfix_config *cfg);

/* Whether flows of @direction are metered (ACL drops always are). Per packet. */
static inline bool eipfix_config_wants(const struct eipfix_config *cfg,
				       u8 direction)
{
	return cfg->direction == EIPFIX_DIR_BOTH || cfg->direction == direction;
}

static inline bool eipfix_ifset_has(const struct eipfix_ifset *set, int ifindex)
{
	u32 i;

	for (i = 0; i < set->n; i++)
		if (set->ifindex[i] == ifindex)
			return true;
	return false;
}

#endif /* _EIPFIX_CONFIG_H */
