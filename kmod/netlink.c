// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: the contract of
 * include/uapi/linux/enclave_ipfix.h. Every attribute is checked by a
 * policy, one per nesting level; what a policy cannot say (an Interval that
 * is not a multiple of a minute, a prefix longer than its address) is checked
 * by hand and refused with an extack message. Every command needs
 * CAP_NET_ADMIN in the namespace.
 */
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/enclave_ipfix.h>

#include "acl.h"
#include "compat.h"
#include "netlink.h"
#include "netns.h"

static struct genl_family eipfix_family;

#define EIPFIX_RECORDS_MSGS_PER_DUMP 256

/*
 * An attribute's length is 16 bits, so long lists (rules, rule hits) go in as
 * many nests of their type as it takes, each closed before it reaches this.
 */
#define EIPFIX_NEST_MAX 60000

static struct nlattr *eipfix_nest_next(struct sk_buff *skb, struct nlattr *nest,
				       int type)
{
	if (skb_tail_pointer(skb) - (unsigned char *)nest < EIPFIX_NEST_MAX)
		return nest;
	nla_nest_end(skb, nest);
	return nla_nest_start(skb, type);
}

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

static int eipfix_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct eipfix_net *en = eipfix_net(genl_info_net(info));
	struct eipfix_config *cfg;
	u32 generation;
	int ret;

	cfg = eipfix_netlink_parse_config(info->attrs, genlmsg_data(info->genlhdr),
					  genlmsg_len(info->genlhdr), info->extack);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);
	ret = eipfix_net_apply_config(en, cfg, info->extack, &generation);
	if (ret) {
		eipfix_config_free(cfg);
		return ret;
	}
	eipfix_netlink_notify_config(en->net, generation);
	return 0;
}

/* ---- GET_CONFIG ---- */

static int eipfix_put_strings(struct sk_buff *skb, int list_type, int type,
			      const char *strs, size_t stride, u32 n)
{
	struct nlattr *nest = nla_nest_start(skb, list_type);
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_string(skb, type, strs + i * stride))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int eipfix_put_rule(struct sk_buff *skb, const struct eipfix_rule *rule)
{
	struct nlattr *nest = nla_nest_start(skb, EIPFIX_A_ACL_RULE), *ports;
	u32 i;

	if (!nest ||
	    nla_put_u8(skb, EIPFIX_RULE_A_ACTION, rule->action) ||
	    nla_put_u8(skb, EIPFIX_RULE_A_DIRECTION, rule->direction) ||
	    nla_put_u8(skb, EIPFIX_RULE_A_PROTOCOL, rule->protocol))
		return -EMSGSIZE;
	if (rule->family &&
	    (nla_put_u8(skb, EIPFIX_RULE_A_FAMILY, rule->family) ||
	     nla_put(skb, EIPFIX_RULE_A_PEER, rule->family == AF_INET ? 4 : 16,
		     &rule->peer) ||
	     nla_put_u8(skb, EIPFIX_RULE_A_PEER_PREFIX, rule->prefix_len)))
		return -EMSGSIZE;
	if (rule->nports) {
		ports = nla_nest_start(skb, EIPFIX_RULE_A_PORTS);
		if (!ports)
			return -EMSGSIZE;
		for (i = 0; i < rule->nports; i++)
			if (nla_put_u32(skb, EIPFIX_RULE_A_PORT_RANGE, rule->ports[i]))
				return -EMSGSIZE;
		nla_nest_end(skb, ports);
	}
	if (rule->description &&
	    nla_put_string(skb, EIPFIX_RULE_A_DESCRIPTION, rule->description))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int eipfix_put_config(struct sk_buff *skb, const struct eipfix_config *cfg)
{
	struct nlattr *rules;
	u32 i;

	if (nla_put_u8(skb, EIPFIX_A_ENABLED, cfg->enabled) ||
	    nla_put_u8(skb, EIPFIX_A_DIRECTION, cfg->direction) ||
	    nla_put_u32(skb, EIPFIX_A_INTERVAL_MS, cfg->interval_ms) ||
	    nla_put_u32(skb, EIPFIX_A_IDLE_TIMEOUT_MS, cfg->idle_timeout_ms) ||
	    nla_put_u32(skb, EIPFIX_A_MAX_FLOWS, cfg->max_flows) ||
	    nla_put_u32(skb, EIPFIX_A_OBSERVATION_DOMAIN, cfg->observation_domain) ||
	    nla_put_u32(skb, EIPFIX_A_TEMPLATE_REFRESH_S, cfg->template_refresh_s) ||
	    nla_put_u32(skb, EIPFIX_A_MESSAGE_SIZE, cfg->message_size) ||
	    nla_put_u8(skb, EIPFIX_A_ACL_DEFAULT, cfg->acl_default) ||
	    nla_put_u32(skb, EIPFIX_A_GENERATION, cfg->generation) ||
	    eipfix_put_strings(skb, EIPFIX_A_INTERFACES, EIPFIX_A_INTERFACE,
			       cfg->interfaces[0], IFNAMSIZ, cfg->ninterfaces) ||
	    eipfix_put_strings(skb, EIPFIX_A_COLLECTORS, EIPFIX_A_COLLECTOR,
			       (const char *)cfg->collectors, EIPFIX_COLLECTOR_LEN,
			       cfg->ncollectors))
		return -EMSGSIZE;
	rules = nla_nest_start(skb, EIPFIX_A_ACL_RULES);
	if (!rules)
		return -EMSGSIZE;
	for (i = 0; i < cfg->nrules; i++) {
		unsigned char *mark = skb_tail_pointer(skb);

		if (eipfix_put_rule(skb, &cfg->rules[i]))
			return -EMSGSIZE;
		/*
		 * A rule is up to ~9 KiB (1024 port ranges, a description):
		 * one that would take the nest past an attribute's 16-bit
		 * length opens the next nest instead.
		 */
		if (skb_tail_pointer(skb) - (unsigned char *)rules > U16_MAX) {
			nlmsg_trim(skb, mark);
			nla_nest_end(skb, rules);
			rules = nla_nest_start(skb, EIPFIX_A_ACL_RULES);
			if (!rules || eipfix_put_rule(skb, &cfg->rules[i]))
				return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, rules);
	return 0;
}

/* An upper bound of what eipfix_put_config() writes. */
static size_t eipfix_config_msg_size(const struct eipfix_config *cfg)
{
	size_t size = 1024 + cfg->ninterfaces * nla_total_size(IFNAMSIZ) +
		      cfg->ncollectors * nla_total_size(EIPFIX_COLLECTOR_LEN);
	const struct eipfix_rule *rule;
	u32 i;

	for (i = 0; i < cfg->nrules; i++) {
		rule = &cfg->rules[i];
		/* nests, five u8s, an address: 80; ports; the description */
		size += 80 + rule->nports * nla_total_size(sizeof(u32)) +
			(rule->description ? nla_total_size(strlen(rule->description) + 1) : 0);
	}
	/* the headers of the further ACL_RULES nests (each at least 56 KiB full) */
	return size + size / (U16_MAX - 10000) * NLA_HDRLEN + NLA_HDRLEN;
}

static int eipfix_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct eipfix_net *en = eipfix_net(genl_info_net(info));
	struct eipfix_config *cfg;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	mutex_lock(&en->lock);
	cfg = rcu_dereference_protected(en->config, lockdep_is_held(&en->lock));
	msg = genlmsg_new(eipfix_config_msg_size(cfg), GFP_KERNEL);
	ret = -ENOMEM;
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &eipfix_family, 0, EIPFIX_CMD_GET_CONFIG);
	ret = -EMSGSIZE;
	if (!hdr || eipfix_put_config(msg, cfg)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	mutex_unlock(&en->lock);
	return ret;
}

/* ---- flows and records ---- */

static int eipfix_put_key(struct sk_buff *skb, const struct eipfix_key *key)
{
	int alen = key->family == AF_INET ? 4 : 16;

	if (nla_put_u32(skb, EIPFIX_FLOW_A_IFINDEX, key->ifindex) ||
	    nla_put_u8(skb, EIPFIX_FLOW_A_DIRECTION, key->direction) ||
	    nla_put_u8(skb, EIPFIX_FLOW_A_FAMILY, key->family) ||
	    nla_put_u8(skb, EIPFIX_FLOW_A_PROTOCOL, key->protocol) ||
	    nla_put(skb, EIPFIX_FLOW_A_SRC_ADDR, alen, &key->saddr) ||
	    nla_put(skb, EIPFIX_FLOW_A_DST_ADDR, alen, &key->daddr) ||
	    nla_put_u8(skb, EIPFIX_FLOW_A_FWD_STATUS, key->fwd_status))
		return -EMSGSIZE;
	switch (key->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (nla_put_u16(skb, EIPFIX_FLOW_A_SRC_PORT, ntohs(key->sport)) ||
		    nla_put_u16(skb, EIPFIX_FLOW_A_DST_PORT, ntohs(key->dport)))
			return -EMSGSIZE;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (nla_put_u8(skb, EIPFIX_FLOW_A_ICMP_TYPE, ntohs(key->dport) >> 8) ||
		    nla_put_u8(skb, EIPFIX_FLOW_A_ICMP_CODE, ntohs(key->dport) & 0xff))
			return -EMSGSIZE;
		break;
	}
	return 0;
}

/* The counted part of a flow or record. */
struct eipfix_counts {
	u64 packets, octets, start_ms, end_ms;
	u32 acl_rule;
	u16 tcp_flags;
	u8 tos, end_reason;
};

static int eipfix_put_flow(struct sk_buff *skb, int type,
			   const struct eipfix_key *key,
			   const struct eipfix_counts *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || eipfix_put_key(skb, key) ||
	    nla_put_u8(skb, EIPFIX_FLOW_A_TOS, c->tos) ||
	    nla_put_u64_64bit(skb, EIPFIX_FLOW_A_PACKETS, c->packets, EIPFIX_FLOW_A_PAD) ||
	    nla_put_u64_64bit(skb, EIPFIX_FLOW_A_OCTETS, c->octets, EIPFIX_FLOW_A_PAD) ||
	    nla_put_u64_64bit(skb, EIPFIX_FLOW_A_START_MS, c->start_ms, EIPFIX_FLOW_A_PAD) ||
	    nla_put_u64_64bit(skb, EIPFIX_FLOW_A_END_MS, c->end_ms, EIPFIX_FLOW_A_PAD) ||
	    (key->protocol == IPPROTO_TCP &&
	     nla_put_u16(skb, EIPFIX_FLOW_A_TCP_FLAGS, c->tcp_flags)) ||
	    (c->end_reason && nla_put_u8(skb, EIPFIX_FLOW_A_END_REASON, c->end_reason)) ||
	    (key->fwd_status == EIPFIX_FWD_DROPPED_ACL &&
	     nla_put_u32(skb, EIPFIX_FLOW_A_ACL_RULE, c->acl_rule))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int eipfix_put_record(struct sk_buff *skb, const struct eipfix_record *rec)
{
	struct eipfix_counts c = {
		.packets = rec->packets, .octets = rec->octets,
		.start_ms = rec->start_ms, .end_ms = rec->end_ms,
		.acl_rule = rec->acl_rule, .tcp_flags = rec->tcp_flags,
		.tos = rec->tos, .end_reason = rec->end_reason,
	};

	return eipfix_put_flow(skb, EIPFIX_A_RECORD, &rec->key, &c);
}

static void *eipfix_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &eipfix_family, NLM_F_MULTI, cmd);
}

/*
 * GET_FLOWS: cb->args[0] is the next bucket, cb->args[1] how many flows of
 * it were sent already. The table may change between messages: a flow can
 * then be missed or shown twice, which is fine for a live view.
 */
static int eipfix_dump_bucket(struct sk_buff *skb, struct hlist_head *head,
			      long *skip, int *n)
{
	struct eipfix_flow *flow;
	struct eipfix_counts c;
	struct eipfix_key key;
	long i = 0;

	hlist_for_each_entry_rcu(flow, head, node) {
		if (i++ < *skip)
			continue;
		spin_lock_bh(&flow->lock);
		key = flow->key;
		c = (struct eipfix_counts){
			.packets = flow->packets, .octets = flow->octets,
			.start_ms = flow->start_ms, .end_ms = flow->end_ms,
			.acl_rule = flow->acl_rule, .tcp_flags = flow->tcp_flags,
			.tos = flow->tos,
		};
		spin_unlock_bh(&flow->lock);
		if (eipfix_put_flow(skb, EIPFIX_A_FLOW, &key, &c))
			return -EMSGSIZE;
		(*skip)++;
		(*n)++;
	}
	*skip = 0;
	return 0;
}

static int eipfix_nl_dump_flows(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct eipfix_net *en = eipfix_net(sock_net(skb->sk));
	struct eipfix_table *table;
	int n = 0;
	void *hdr;

	hdr = eipfix_dump_hdr(skb, cb, EIPFIX_CMD_GET_FLOWS);
	if (!hdr)
		return -EMSGSIZE;
	rcu_read_lock();
	table = rcu_dereference(en->table);
	while (table && cb->args[0] <= table->mask) {
		if (eipfix_dump_bucket(skb, &table->buckets[cb->args[0]],
				       &cb->args[1], &n))
			break;
		cb->args[0]++;
	}
	rcu_read_unlock();
	if (!n) {
		/* Nothing left: an empty reply ends the dump. */
		genlmsg_cancel(skb, hdr);
		return 0;
	}
	genlmsg_end(skb, hdr);
	return skb->len;
}

/* GET_RECORDS may only be dumped by the namespace's registered agent. */
static int eipfix_nl_records_start(struct netlink_callback *cb)
{
	struct eipfix_net *en = eipfix_net(sock_net(cb->skb->sk));
	u32 agent = eipfix_records_agent(&en->records);

	if (!agent || agent != NETLINK_CB(cb->skb).portid) {
		NL_SET_ERR_MSG(cb->extack, "only the registered agent may take records");
		return -EPERM;
	}
	return 0;
}

static int eipfix_nl_dump_records(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct eipfix_net *en = eipfix_net(sock_net(skb->sk));
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct eipfix_record *rec;
	struct nlattr *seq_attr;
	u64 seq = 0, s;
	void *hdr;

	/*
	 * The dump goes on while records wait and the agent's socket has room
	 * (netlink resumes it as the agent reads), up to a bound per request
	 * so that the agent gets to send (and acknowledge) what it has.
	 */
	if (cb->args[0] >= EIPFIX_RECORDS_MSGS_PER_DUMP ||
	    !eipfix_records_len(&en->records))
		return 0;
	/* Displaced by a takeover in the middle of its dump: no more for it. */
	if (eipfix_records_agent(&en->records) != portid)
		return 0;
	hdr = eipfix_dump_hdr(skb, cb, EIPFIX_CMD_GET_RECORDS);
	if (!hdr)
		return -EMSGSIZE;
	/* Room for the last record's sequence number, known at the end. */
	seq_attr = nla_reserve_64bit(skb, EIPFIX_A_RECORDS_SEQ, sizeof(u64),
				     EIPFIX_A_PAD);
	if (!seq_attr) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	while ((rec = eipfix_records_pop(&en->records))) {
		if (eipfix_put_record(skb, rec)) {
			eipfix_records_unpop(&en->records, rec);
			break;
		}
		s = eipfix_records_sent(&en->records, rec, portid);
		if (!s)
			break;	/* displaced meanwhile: the record waits again */
		seq = s;
	}
	memcpy(nla_data(seq_attr), &seq, sizeof(seq));
	genlmsg_end(skb, hdr);
	cb->args[0]++;
	return skb->len;
}

/* The agent sent records on: the kernel may free them. */
static int eipfix_nl_ack_records(struct sk_buff *skb, struct genl_info *info)
{
	struct eipfix_net *en = eipfix_net(genl_info_net(info));
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, EIPFIX_A_RECORDS_SEQ))
		return -EINVAL;
	ret = eipfix_records_ack(&en->records, info->snd_portid,
				 nla_get_u64(info->attrs[EIPFIX_A_RECORDS_SEQ]));
	if (ret < 0) {
		NL_SET_ERR_MSG(info->extack, "only the registered agent may acknowledge records");
		return ret;
	}
	return 0;
}

/* ---- counters, agent registration, notifications ---- */

/* Under rcu_read_lock(): @acl goes with its config. */
static int eipfix_put_acl_hits(struct sk_buff *skb, const struct eipfix_acl *acl)
{
	struct nlattr *nest;
	u32 i;

	if (nla_put_u64_64bit(skb, EIPFIX_A_ACL_DEFAULT_HITS, eipfix_acl_hits(acl, 0),
			      EIPFIX_A_PAD))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, EIPFIX_A_ACL_RULE_HITS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i <= acl->nrules; i++) {
		nest = eipfix_nest_next(skb, nest, EIPFIX_A_ACL_RULE_HITS);
		if (!nest ||
		    nla_put_u64_64bit(skb, EIPFIX_A_ACL_RULE_HIT, eipfix_acl_hits(acl, i),
				      EIPFIX_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int eipfix_put_counters(struct sk_buff *skb, struct eipfix_net *en)
{
	struct nlattr *nest = nla_nest_start(skb, EIPFIX_A_COUNTERS);
	const struct eipfix_config *cfg;
	struct eipfix_table *table;
	int i, ret = 0;
	u64 val;

	if (!nest)
		return -EMSGSIZE;
	for (i = EIPFIX_CTR_A_UNSPEC + 1; i < __EIPFIX_CTR_A_MAX; i++) {
		switch (i) {
		case EIPFIX_CTR_A_PAD:
			continue;
		case EIPFIX_CTR_A_ACL_CONNS_ACTIVE:
			rcu_read_lock();
			cfg = rcu_dereference(en->config);
			val = cfg->acl && cfg->acl->state ?
			      eipfix_acl_state_count(cfg->acl->state) : 0;
			rcu_read_unlock();
			break;
		case EIPFIX_CTR_A_RECORDS_IN_QUEUE:
			val = eipfix_records_len(&en->records) +
			      eipfix_records_unacked(&en->records);
			break;
		case EIPFIX_CTR_A_RECORDS_UNACKED:
			val = eipfix_records_unacked(&en->records);
			break;
		case EIPFIX_CTR_A_CONFIG_GENERATION:
			rcu_read_lock();
			val = rcu_dereference(en->config)->generation;
			rcu_read_unlock();
			break;
		case EIPFIX_CTR_A_FLOWS_ACTIVE:
			rcu_read_lock();
			table = rcu_dereference(en->table);
			val = table ? eipfix_table_count(table) : 0;
			rcu_read_unlock();
			break;
		default:
			val = eipfix_counter_sum(en->counters, i);
		}
		if (nla_put_u64_64bit(skb, i, val, EIPFIX_CTR_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	rcu_read_lock();
	cfg = rcu_dereference(en->config);
	if (cfg->acl)
		ret = eipfix_put_acl_hits(skb, cfg->acl);
	rcu_read_unlock();
	return ret;
}

static size_t eipfix_counters_msg_size(struct eipfix_net *en)
{
	u32 nrules;

	rcu_read_lock();
	nrules = rcu_dereference(en->config)->nrules;
	rcu_read_unlock();
	return NLMSG_GOODSIZE + (size_t)nrules * nla_total_size_64bit(8) +
	       (size_t)nrules / 4096 * NLA_HDRLEN;
}

/*
 * Not under en->lock: the agent reads the counters every second, also while
 * a long expiry scan holds the lock. The rules may change between sizing
 * the message and filling it; if they grew out of it, size it again.
 */
static int eipfix_nl_get_counters(struct sk_buff *skb, struct genl_info *info)
{
	struct eipfix_net *en = eipfix_net(genl_info_net(info));
	struct sk_buff *msg;
	int tries;
	void *hdr;

	for (tries = 0; tries < 3; tries++) {
		msg = genlmsg_new(eipfix_counters_msg_size(en), GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		hdr = genlmsg_put_reply(msg, info, &eipfix_family, 0,
					EIPFIX_CMD_GET_COUNTERS);
		if (hdr && !eipfix_put_counters(msg, en)) {
			genlmsg_end(msg, hdr);
			return genlmsg_reply(msg, info);
		}
		nlmsg_free(msg);
	}
	return -EMSGSIZE;
}

/*
 * One agent per namespace: a second one is refused rather than let two
 * exporters take turns with the records (each with its own IPFIX session),
 * unless it asks to take over.
 */
static int eipfix_nl_register_agent(struct sk_buff *skb, struct genl_info *info)
{
	struct eipfix_net *en = eipfix_net(genl_info_net(info));
	int ret;

	ret = eipfix_records_set_agent(&en->records, info->snd_portid,
				       nla_get_flag(info->attrs[EIPFIX_A_AGENT_TAKEOVER]));
	if (ret)
		NL_SET_ERR_MSG(info->extack,
			       "another agent is registered in this network namespace");
	return ret;
}

/* Tells the agent that records wait (work item: records may be queued in softirq). */
void eipfix_netlink_records_pending(struct work_struct *work)
{
	struct eipfix_net *en = container_of(work, struct eipfix_net,
					     records.notify_work);
	u32 portid = eipfix_records_agent(&en->records);
	struct sk_buff *msg;
	void *hdr;

	if (!portid)
		return;
	msg = genlmsg_new(0, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &eipfix_family, 0, EIPFIX_CMD_RECORDS_PENDING);
	if (!hdr) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	/* If the agent's socket is full it has work to do anyway. */
	genlmsg_unicast(en->net, msg, portid);
}

enum eipfix_mcgrp { EIPFIX_MCGRP_CONFIG_ID };

static const struct genl_multicast_group eipfix_mcgrps[] = {
	[EIPFIX_MCGRP_CONFIG_ID] = {
		.name = ENCLAVE_IPFIX_MCGRP_CONFIG,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

void eipfix_netlink_notify_config(struct net *net, u32 generation)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &eipfix_family, 0, EIPFIX_CMD_CONFIG_CHANGED);
	if (!hdr || nla_put_u32(msg, EIPFIX_A_GENERATION, generation)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&eipfix_family, net, msg, 0,
				EIPFIX_MCGRP_CONFIG_ID, GFP_KERNEL);
}

/*
 * Every command needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM): a configuration makes the kernel hold memory (MaxFlows,
 * rules, queued records) that is not charged to anyone, and the records are
 * the host's traffic, so root of a user namespace (which any user can
 * create) gets nothing here, not even in a network namespace of its own.
 */
static const struct genl_ops eipfix_ops[] = {
	{
		.cmd = EIPFIX_CMD_SET_CONFIG,
		.doit = eipfix_nl_set_config,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EIPFIX_CMD_GET_CONFIG,
		.doit = eipfix_nl_get_config,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EIPFIX_CMD_GET_FLOWS,
		.dumpit = eipfix_nl_dump_flows,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EIPFIX_CMD_GET_COUNTERS,
		.doit = eipfix_nl_get_counters,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EIPFIX_CMD_REGISTER_AGENT,
		.doit = eipfix_nl_register_agent,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EIPFIX_CMD_GET_RECORDS,
		.start = eipfix_nl_records_start,
		.dumpit = eipfix_nl_dump_records,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EIPFIX_CMD_ACK_RECORDS,
		.doit = eipfix_nl_ack_records,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family eipfix_family __ro_after_init = {
	.name = ENCLAVE_IPFIX_GENL_NAME,
	.version = ENCLAVE_IPFIX_GENL_VERSION,
	.maxattr = EIPFIX_A_MAX,
	.policy = eipfix_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = eipfix_ops,
	.n_ops = ARRAY_SIZE(eipfix_ops),
	/* Every command is validated strictly, reserved header byte included. */
	.resv_start_op = EIPFIX_CMD_SET_CONFIG,
	/*
	 * No op needs genl_mutex: each takes the lock of what it changes
	 * (en->lock, the queue's lock). So `userctl status` never waits behind
	 * a SET_CONFIG compiling 65535 rules.
	 */
	.parallel_ops = true,
	.mcgrps = eipfix_mcgrps,
	.n_mcgrps = ARRAY_SIZE(eipfix_mcgrps),
};

/* The agent's registration ends with its socket. */
static int eipfix_netlink_release(struct notifier_block *nb, unsigned long event,
				  void *ptr)
{
	struct netlink_notify *n = ptr;
	struct eipfix_net *en;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid)
		return NOTIFY_DONE;
	en = eipfix_net(n->net);
	eipfix_records_agent_gone(&en->records, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block eipfix_netlink_nb = {
	.notifier_call = eipfix_netlink_release,
};

int __init eipfix_genetlink_init(void)
{
	int ret = netlink_register_notifier(&eipfix_netlink_nb);

	if (ret)
		return ret;
	ret = genl_register_family(&eipfix_family);
	if (ret)
		netlink_unregister_notifier(&eipfix_netlink_nb);
	return ret;
}

void eipfix_genetlink_uninit(void)
{
	genl_unregister_family(&eipfix_family);
	netlink_unregister_notifier(&eipfix_netlink_nb);
}
