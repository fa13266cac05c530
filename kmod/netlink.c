// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: the contract of
 * include/uapi/linux/enclave_ipfix.h, its commands, dumps and
 * notifications. What SET_CONFIG's attributes may hold is nl_config.c's.
 * Every command needs CAP_NET_ADMIN in the initial user namespace.
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

static void *eipfix_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &eipfix_family, NLM_F_MULTI, cmd);
}

/* Everything but the rules: the first message of a GET_CONFIG dump. */
static int eipfix_put_config(struct sk_buff *skb, const struct eipfix_config *cfg)
{
	if (nla_put_u8(skb, EIPFIX_A_ENABLED, cfg->enabled) ||
	    nla_put_u8(skb, EIPFIX_A_DIRECTION, cfg->direction) ||
	    nla_put_u32(skb, EIPFIX_A_INTERVAL_MS, cfg->interval_ms) ||
	    nla_put_u32(skb, EIPFIX_A_IDLE_TIMEOUT_MS, cfg->idle_timeout_ms) ||
	    nla_put_u32(skb, EIPFIX_A_MAX_FLOWS, cfg->max_flows) ||
	    nla_put_u32(skb, EIPFIX_A_OBSERVATION_DOMAIN, cfg->observation_domain) ||
	    nla_put_u32(skb, EIPFIX_A_TEMPLATE_REFRESH_S, cfg->template_refresh_s) ||
	    nla_put_u32(skb, EIPFIX_A_MESSAGE_SIZE, cfg->message_size) ||
	    nla_put_u8(skb, EIPFIX_A_ACL_DEFAULT, cfg->acl_default) ||
	    nla_put_u8(skb, EIPFIX_A_ALLOWED_FLOW_RULE, cfg->allowed_flow_rule) ||
	    nla_put_u32(skb, EIPFIX_A_GENERATION, cfg->generation) ||
	    eipfix_put_strings(skb, EIPFIX_A_INTERFACES, EIPFIX_A_INTERFACE,
			       cfg->interfaces[0], IFNAMSIZ, cfg->ninterfaces) ||
	    eipfix_put_strings(skb, EIPFIX_A_COLLECTORS, EIPFIX_A_COLLECTOR,
			       (const char *)cfg->collectors, EIPFIX_COLLECTOR_LEN,
			       cfg->ncollectors))
		return -EMSGSIZE;
	return 0;
}

/*
 * Rules from *@next on, as many as fit one ACL_RULES nest of this message
 * (its length is 16 bits); *@next is left at the first one that did not.
 */
static int eipfix_put_rules(struct sk_buff *skb, const struct eipfix_config *cfg,
			    long *next)
{
	struct nlattr *rules = nla_nest_start(skb, EIPFIX_A_ACL_RULES);
	unsigned char *mark;

	if (!rules)
		return -EMSGSIZE;
	for (; *next < cfg->nrules; (*next)++) {
		mark = skb_tail_pointer(skb);
		if (eipfix_put_rule(skb, &cfg->rules[*next]) ||
		    skb_tail_pointer(skb) - (unsigned char *)rules > U16_MAX) {
			nlmsg_trim(skb, mark);
			break;
		}
	}
	nla_nest_end(skb, rules);
	return 0;
}

/*
 * A rule is up to ~9 KiB (1024 port ranges, a description): messages of
 * 32 KiB (an order-3 allocation), as netlink's own largest dump buffers.
 */
static int eipfix_nl_config_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = SKB_WITH_OVERHEAD(32768);
	return 0;
}

/*
 * GET_CONFIG, a dump so that the largest rule set reads back: the first
 * message holds everything but the rules, then the rules in order, as many
 * per message as fit. cb->args[0] is the next rule, cb->args[1] whether the
 * first message went. A config replaced in the middle marks the messages
 * NLM_F_DUMP_INTR (cb->seq is the generation): read it again.
 */
static int eipfix_nl_dump_config(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct eipfix_net *en = eipfix_net(sock_net(skb->sk));
	const struct eipfix_config *cfg;
	long before = cb->args[0];
	void *hdr;
	int ret = 0;

	mutex_lock(&en->lock);
	cfg = rcu_dereference_protected(en->config, lockdep_is_held(&en->lock));
	/*
	 * Before the end is decided too, so that NLMSG_DONE is marked when the
	 * config was replaced; never 0, which netlink takes as "not tracked".
	 */
	cb->seq = cfg->generation + 1;
	if (cb->args[1] && cb->args[0] >= cfg->nrules)
		goto out;
	hdr = eipfix_dump_hdr(skb, cb, EIPFIX_CMD_GET_CONFIG);
	ret = -EMSGSIZE;
	if (!hdr)
		goto out;
	genl_dump_check_consistent(cb, hdr);
	if ((!cb->args[1] && eipfix_put_config(skb, cfg)) ||
	    eipfix_put_rules(skb, cfg, &cb->args[0])) {
		genlmsg_cancel(skb, hdr);
		goto out;
	}
	/* Not even one rule fit an empty message: it never will. */
	if (cb->args[1] && cb->args[0] == before) {
		genlmsg_cancel(skb, hdr);
		goto out;
	}
	cb->args[1] = 1;
	genlmsg_end(skb, hdr);
	ret = skb->len;
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
	    (c->acl_rule != EIPFIX_ACL_RULE_NONE &&
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
	while (table && cb->args[0] <= table->hash.mask) {
		if (eipfix_dump_bucket(skb, &table->hash.buckets[cb->args[0]],
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
	unsigned char *mark;
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
		mark = skb_tail_pointer(skb);
		if (eipfix_put_record(skb, rec)) {
			eipfix_records_unpop(&en->records, rec);
			break;
		}
		s = eipfix_records_sent(&en->records, rec, portid);
		if (!s) {
			/* Displaced meanwhile: it waits again, and is not sent twice. */
			nlmsg_trim(skb, mark);
			break;
		}
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
			val = eipfix_records_held(&en->records);
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
		.start = eipfix_nl_config_start,
		.dumpit = eipfix_nl_dump_config,
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
