// SPDX-License-Identifier: GPL-2.0
/*
 * SET_CONFIG's attributes to a struct eipfix_config. Every attribute is
 * checked by a policy, one per nesting level; what a policy cannot say (an
 * Interval that is not a multiple of a minute, a prefix longer than its
 * address) is checked by hand and refused with an extack message. Nothing is
 * applied here: the config is complete and valid, or not made at all.
 */
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <uapi/linux/enclave_ipfix.h>

#include "acl.h"
#include "compat.h"
#include "netlink.h"

static struct netlink_range_validation eipfix_idle_range = {
	.min = 1000,
	.max = 86400000,
};

static struct netlink_range_validation eipfix_max_flows_range = {
	.min = 1,
	.max = 1 << 24,
};

static struct netlink_range_validation eipfix_refresh_range = {
	.min = 1,
	.max = 86400,
};

static struct netlink_range_validation eipfix_msg_size_range = {
	.min = 512,
	.max = 65000,
};

static const struct nla_policy eipfix_iface_policy[EIPFIX_A_INTERFACE + 1] = {
	[EIPFIX_A_INTERFACE] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy eipfix_collector_policy[EIPFIX_A_COLLECTOR + 1] = {
	[EIPFIX_A_COLLECTOR] = { .type = NLA_NUL_STRING,
				 .len = EIPFIX_COLLECTOR_LEN - 1 },
};

static const struct nla_policy eipfix_ports_policy[EIPFIX_RULE_A_PORT_RANGE + 1] = {
	[EIPFIX_RULE_A_PORT_RANGE] = { .type = NLA_U32 },
};

static const struct nla_policy eipfix_rule_policy[EIPFIX_RULE_A_MAX + 1] = {
	[EIPFIX_RULE_A_ACTION] = NLA_POLICY_MAX(NLA_U8, __EIPFIX_ACL_MAX - 1),
	[EIPFIX_RULE_A_DIRECTION] = NLA_POLICY_MAX(NLA_U8, __EIPFIX_DIR_MAX - 1),
	[EIPFIX_RULE_A_FAMILY] = { .type = NLA_U8 },
	[EIPFIX_RULE_A_PEER] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[EIPFIX_RULE_A_PEER_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[EIPFIX_RULE_A_PROTOCOL] = NLA_POLICY_MAX(NLA_U8, __EIPFIX_ACL_PROTO_MAX - 1),
	[EIPFIX_RULE_A_PORTS] = NLA_POLICY_NESTED(eipfix_ports_policy),
	[EIPFIX_RULE_A_DESCRIPTION] = { .type = NLA_NUL_STRING,
					.len = EIPFIX_DESCRIPTION_LEN - 1 },
};

static const struct nla_policy eipfix_rules_policy[EIPFIX_A_ACL_RULE + 1] = {
	[EIPFIX_A_ACL_RULE] = NLA_POLICY_NESTED(eipfix_rule_policy),
};

const struct nla_policy eipfix_policy[EIPFIX_A_MAX + 1] = {
	[EIPFIX_A_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[EIPFIX_A_DIRECTION] = NLA_POLICY_MAX(NLA_U8, __EIPFIX_DIR_MAX - 1),
	[EIPFIX_A_INTERVAL_MS] = { .type = NLA_U32 },
	[EIPFIX_A_IDLE_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &eipfix_idle_range),
	[EIPFIX_A_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32, &eipfix_max_flows_range),
	[EIPFIX_A_INTERFACES] = NLA_POLICY_NESTED(eipfix_iface_policy),
	[EIPFIX_A_COLLECTORS] = NLA_POLICY_NESTED(eipfix_collector_policy),
	[EIPFIX_A_OBSERVATION_DOMAIN] = { .type = NLA_U32 },
	[EIPFIX_A_TEMPLATE_REFRESH_S] = NLA_POLICY_FULL_RANGE(NLA_U32, &eipfix_refresh_range),
	[EIPFIX_A_MESSAGE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &eipfix_msg_size_range),
	[EIPFIX_A_ACL_DEFAULT] = NLA_POLICY_MAX(NLA_U8, __EIPFIX_ACL_MAX - 1),
	[EIPFIX_A_ACL_RULES] = NLA_POLICY_NESTED(eipfix_rules_policy),
	[EIPFIX_A_AGENT_TAKEOVER] = { .type = NLA_FLAG },
	[EIPFIX_A_RECORDS_SEQ] = { .type = NLA_U64 },
	[EIPFIX_A_ALLOWED_FLOW_RULE] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* ---- SET_CONFIG: attributes to struct eipfix_config ---- */

static int eipfix_parse_interfaces(struct eipfix_config *cfg,
				   const struct nlattr *list,
				   struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	int rem;
	u32 i;

	nla_for_each_nested(nla, list, rem) {
		if (cfg->ninterfaces == EIPFIX_MAX_INTERFACES) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many interfaces (at most 64)");
			return -E2BIG;
		}
		if (!nla_len(nla) || !*(const char *)nla_data(nla)) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "empty interface name");
			return -EINVAL;
		}
		nla_strscpy(cfg->interfaces[cfg->ninterfaces], nla, IFNAMSIZ);
		for (i = 0; i < cfg->ninterfaces; i++) {
			if (!strcmp(cfg->interfaces[i], cfg->interfaces[cfg->ninterfaces])) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "interface named twice");
				return -EINVAL;
			}
		}
		cfg->ninterfaces++;
	}
	return 0;
}

static int eipfix_parse_collectors(struct eipfix_config *cfg,
				   const struct nlattr *list,
				   struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	int rem, n = 0;

	nla_for_each_nested(nla, list, rem)
		n++;
	if (n > EIPFIX_MAX_COLLECTORS) {
		NL_SET_ERR_MSG_ATTR(extack, list, "too many collectors (at most 64)");
		return -E2BIG;
	}
	if (!n)
		return 0;
	cfg->collectors = kcalloc(n, sizeof(*cfg->collectors), GFP_KERNEL);
	if (!cfg->collectors)
		return -ENOMEM;
	nla_for_each_nested(nla, list, rem)
		nla_strscpy(cfg->collectors[cfg->ncollectors++], nla,
			    EIPFIX_COLLECTOR_LEN);
	return 0;
}

static int eipfix_parse_ports(struct eipfix_rule *rule, const struct nlattr *list,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	int rem, n = 0;

	nla_for_each_nested(nla, list, rem) {
		u32 range = nla_get_u32(nla);

		if (!(range >> 16) || (range >> 16) > (range & 0xffff)) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "port range must be first << 16 | last with 1 <= first <= last");
			return -EINVAL;
		}
		n++;
	}
	if (n > EIPFIX_MAX_PORT_RANGES) {
		NL_SET_ERR_MSG_ATTR(extack, list, "too many port ranges in a rule (at most 1024)");
		return -E2BIG;
	}
	rule->ports = kcalloc(n, sizeof(*rule->ports), GFP_KERNEL);
	if (!rule->ports)
		return -ENOMEM;
	nla_for_each_nested(nla, list, rem)
		rule->ports[rule->nports++] = nla_get_u32(nla);
	return 0;
}

static int eipfix_parse_peer(struct eipfix_rule *rule, struct nlattr **tb,
			     const struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	u32 addr_len = rule->family == AF_INET ? 4 : 16;

	if (!tb[EIPFIX_RULE_A_PEER] || !tb[EIPFIX_RULE_A_PEER_PREFIX] ||
	    nla_len(tb[EIPFIX_RULE_A_PEER]) != addr_len) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a rule with a family needs a peer address of that family and a prefix length");
		return -EINVAL;
	}
	rule->prefix_len = nla_get_u8(tb[EIPFIX_RULE_A_PEER_PREFIX]);
	if (rule->prefix_len > addr_len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EIPFIX_RULE_A_PEER_PREFIX],
				    "prefix length longer than the address");
		return -EINVAL;
	}
	memcpy(&rule->peer, nla_data(tb[EIPFIX_RULE_A_PEER]), addr_len);
	return 0;
}

static int eipfix_parse_rule(struct eipfix_rule *rule, const struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[EIPFIX_RULE_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, EIPFIX_RULE_A_MAX, nest, eipfix_rule_policy, extack);
	if (ret)
		return ret;
	if (!tb[EIPFIX_RULE_A_ACTION]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a rule needs an action");
		return -EINVAL;
	}
	rule->action = nla_get_u8(tb[EIPFIX_RULE_A_ACTION]);
	if (tb[EIPFIX_RULE_A_DIRECTION])
		rule->direction = nla_get_u8(tb[EIPFIX_RULE_A_DIRECTION]);
	if (tb[EIPFIX_RULE_A_PROTOCOL])
		rule->protocol = nla_get_u8(tb[EIPFIX_RULE_A_PROTOCOL]);
	if (tb[EIPFIX_RULE_A_FAMILY]) {
		rule->family = nla_get_u8(tb[EIPFIX_RULE_A_FAMILY]);
		if (rule->family != AF_INET && rule->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[EIPFIX_RULE_A_FAMILY],
					    "rule family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		ret = eipfix_parse_peer(rule, tb, nest, extack);
		if (ret)
			return ret;
	} else if (tb[EIPFIX_RULE_A_PEER] || tb[EIPFIX_RULE_A_PEER_PREFIX]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a peer address needs a family");
		return -EINVAL;
	}
	if (tb[EIPFIX_RULE_A_PORTS]) {
		if (rule->protocol != EIPFIX_ACL_PROTO_TCP &&
		    rule->protocol != EIPFIX_ACL_PROTO_UDP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[EIPFIX_RULE_A_PORTS],
					    "ports need protocol Tcp or Udp");
			return -EINVAL;
		}
		ret = eipfix_parse_ports(rule, tb[EIPFIX_RULE_A_PORTS], extack);
		if (ret)
			return ret;
	}
	if (tb[EIPFIX_RULE_A_DESCRIPTION]) {
		rule->description = nla_strdup(tb[EIPFIX_RULE_A_DESCRIPTION], GFP_KERNEL);
		if (!rule->description)
			return -ENOMEM;
	}
	return 0;
}

/* The rules of every EIPFIX_A_ACL_RULES nest of the request, in order. */
static int eipfix_parse_rules(struct eipfix_config *cfg, const struct nlattr *head,
			      int len, struct netlink_ext_ack *extack)
{
	const struct nlattr *list, *nla;
	int rem, rem2, n = 0, ret;

	nla_for_each_attr(list, head, len, rem)
		if (nla_type(list) == EIPFIX_A_ACL_RULES)
			nla_for_each_nested(nla, list, rem2)
				n++;
	if (n > EIPFIX_MAX_RULES) {
		NL_SET_ERR_MSG(extack, "too many rules (at most 65535)");
		return -E2BIG;
	}
	if (!n)
		return 0;
	cfg->rules = kvcalloc(n, sizeof(*cfg->rules), GFP_KERNEL);
	if (!cfg->rules)
		return -ENOMEM;
	nla_for_each_attr(list, head, len, rem) {
		if (nla_type(list) != EIPFIX_A_ACL_RULES)
			continue;
		nla_for_each_nested(nla, list, rem2) {
			/* Counted first, so that a half-parsed rule is freed too. */
			ret = eipfix_parse_rule(&cfg->rules[cfg->nrules++], nla, extack);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int eipfix_parse_scalars(struct eipfix_config *cfg, struct nlattr **attrs,
				struct netlink_ext_ack *extack)
{
	if (attrs[EIPFIX_A_ENABLED])
		cfg->enabled = nla_get_u8(attrs[EIPFIX_A_ENABLED]);
	if (attrs[EIPFIX_A_DIRECTION])
		cfg->direction = nla_get_u8(attrs[EIPFIX_A_DIRECTION]);
	if (attrs[EIPFIX_A_INTERVAL_MS]) {
		cfg->interval_ms = nla_get_u32(attrs[EIPFIX_A_INTERVAL_MS]);
		if (cfg->interval_ms % 60000) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[EIPFIX_A_INTERVAL_MS],
					    "interval must be 0 or a multiple of 60000 ms");
			return -EINVAL;
		}
	}
	if (attrs[EIPFIX_A_IDLE_TIMEOUT_MS])
		cfg->idle_timeout_ms = nla_get_u32(attrs[EIPFIX_A_IDLE_TIMEOUT_MS]);
	if (attrs[EIPFIX_A_MAX_FLOWS])
		cfg->max_flows = nla_get_u32(attrs[EIPFIX_A_MAX_FLOWS]);
	if (attrs[EIPFIX_A_OBSERVATION_DOMAIN])
		cfg->observation_domain = nla_get_u32(attrs[EIPFIX_A_OBSERVATION_DOMAIN]);
	if (attrs[EIPFIX_A_TEMPLATE_REFRESH_S])
		cfg->template_refresh_s = nla_get_u32(attrs[EIPFIX_A_TEMPLATE_REFRESH_S]);
	if (attrs[EIPFIX_A_MESSAGE_SIZE])
		cfg->message_size = nla_get_u32(attrs[EIPFIX_A_MESSAGE_SIZE]);
	if (attrs[EIPFIX_A_ACL_DEFAULT])
		cfg->acl_default = nla_get_u8(attrs[EIPFIX_A_ACL_DEFAULT]);
	if (attrs[EIPFIX_A_ALLOWED_FLOW_RULE])
		cfg->allowed_flow_rule = nla_get_u8(attrs[EIPFIX_A_ALLOWED_FLOW_RULE]);
	return 0;
}

/*
 * @attrs: the request's attributes, validated; @head, @len: all of them, for
 * the lists that may come in several nests. Also the entry point of the
 * KUnit suite of the policies.
 */
struct eipfix_config *eipfix_netlink_parse_config(struct nlattr **attrs,
						  const struct nlattr *head, int len,
						  struct netlink_ext_ack *extack)
{
	struct eipfix_config *cfg = eipfix_config_new_default();
	int ret;

	if (!cfg)
		return ERR_PTR(-ENOMEM);
	ret = eipfix_parse_scalars(cfg, attrs, extack);
	if (!ret && attrs[EIPFIX_A_INTERFACES])
		ret = eipfix_parse_interfaces(cfg, attrs[EIPFIX_A_INTERFACES], extack);
	if (!ret && attrs[EIPFIX_A_COLLECTORS])
		ret = eipfix_parse_collectors(cfg, attrs[EIPFIX_A_COLLECTORS], extack);
	if (!ret && attrs[EIPFIX_A_ACL_RULES])
		ret = eipfix_parse_rules(cfg, head, len, extack);
	if (ret) {
		eipfix_config_free(cfg);
		return ERR_PTR(ret);
	}
	return cfg;
}
