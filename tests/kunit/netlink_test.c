// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the SET_CONFIG policies and checks of kmod/netlink.c. Every
 * rejected request must be refused with its own extack message, and a
 * valid one must give exactly the configuration it describes.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <net/netlink.h>
#include <uapi/linux/enclave_ipfix.h>

#include "config.h"
#include "netlink.h"

struct req {
	struct sk_buff *skb;
	struct netlink_ext_ack extack;
	struct nlattr *tb[EIPFIX_A_MAX + 1];
};

static struct req *req_new(struct kunit *test)
{
	struct req *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->skb = alloc_skb(8192, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->skb);
	return r;
}

/* Validates and parses the attributes put so far, as genetlink would. */
static struct eipfix_config *req_parse(struct req *r, int *err)
{
	struct eipfix_config *cfg;

	*err = nla_parse(r->tb, EIPFIX_A_MAX, (struct nlattr *)r->skb->data,
			 r->skb->len, eipfix_policy, &r->extack);
	if (*err)
		return NULL;
	cfg = eipfix_netlink_parse_config(r->tb, (struct nlattr *)r->skb->data,
					  r->skb->len, &r->extack);
	if (IS_ERR(cfg)) {
		*err = PTR_ERR(cfg);
		return NULL;
	}
	return cfg;
}

static void req_free(struct req *r, struct eipfix_config *cfg)
{
	eipfix_config_free(cfg);
	kfree_skb(r->skb);
}

static void put_rule(struct sk_buff *skb, u8 action, u8 proto, u32 port_range,
		     u8 family, u8 prefix)
{
	struct nlattr *rules = nla_nest_start(skb, EIPFIX_A_ACL_RULES);
	struct nlattr *rule = nla_nest_start(skb, EIPFIX_A_ACL_RULE), *ports;
	__be32 peer = htonl(0x64400000);

	if (action != 0xff)
		nla_put_u8(skb, EIPFIX_RULE_A_ACTION, action);
	nla_put_u8(skb, EIPFIX_RULE_A_PROTOCOL, proto);
	if (family) {
		nla_put_u8(skb, EIPFIX_RULE_A_FAMILY, family);
		nla_put(skb, EIPFIX_RULE_A_PEER, 4, &peer);
		nla_put_u8(skb, EIPFIX_RULE_A_PEER_PREFIX, prefix);
	}
	if (port_range) {
		ports = nla_nest_start(skb, EIPFIX_RULE_A_PORTS);
		nla_put_u32(skb, EIPFIX_RULE_A_PORT_RANGE, port_range);
		nla_nest_end(skb, ports);
	}
	nla_put_string(skb, EIPFIX_RULE_A_DESCRIPTION, "ssh");
	nla_nest_end(skb, rule);
	nla_nest_end(skb, rules);
}

static void config_defaults_when_empty(struct kunit *test)
{
	struct req *r = req_new(test);
	struct eipfix_config *cfg;
	int err;

	cfg = req_parse(r, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, cfg->enabled);
	KUNIT_EXPECT_EQ(test, cfg->direction, (u8)EIPFIX_DIR_BOTH);
	KUNIT_EXPECT_EQ(test, cfg->interval_ms, 0U);
	KUNIT_EXPECT_EQ(test, cfg->idle_timeout_ms, 15000U);
	KUNIT_EXPECT_EQ(test, cfg->max_flows, 1U << 20);
	KUNIT_EXPECT_EQ(test, cfg->template_refresh_s, 600U);
	KUNIT_EXPECT_EQ(test, cfg->message_size, 1400U);
	KUNIT_EXPECT_EQ(test, cfg->ncollectors, 0U);
	KUNIT_EXPECT_FALSE(test, cfg->allowed_flow_rule);
	/* no collector: metering is off, as Enclave documents */
	KUNIT_EXPECT_FALSE(test, eipfix_config_metering(cfg));
	req_free(r, cfg);
}

static void config_full_request_parses(struct kunit *test)
{
	struct req *r = req_new(test);
	struct eipfix_config *cfg;
	struct nlattr *nest;
	int err;

	nla_put_u8(r->skb, EIPFIX_A_ENABLED, 1);
	nla_put_u8(r->skb, EIPFIX_A_DIRECTION, EIPFIX_DIR_RECEIVED);
	nla_put_u32(r->skb, EIPFIX_A_INTERVAL_MS, 120000);
	nla_put_u32(r->skb, EIPFIX_A_IDLE_TIMEOUT_MS, 5000);
	nla_put_u32(r->skb, EIPFIX_A_MAX_FLOWS, 4096);
	nest = nla_nest_start(r->skb, EIPFIX_A_INTERFACES);
	nla_put_string(r->skb, EIPFIX_A_INTERFACE, "tap0");
	nla_put_string(r->skb, EIPFIX_A_INTERFACE, "wg0");
	nla_nest_end(r->skb, nest);
	nest = nla_nest_start(r->skb, EIPFIX_A_COLLECTORS);
	nla_put_string(r->skb, EIPFIX_A_COLLECTOR, "Udp/198.51.100.7:4739");
	nla_nest_end(r->skb, nest);
	nla_put_u8(r->skb, EIPFIX_A_ACL_DEFAULT, EIPFIX_ACL_DENY);
	put_rule(r->skb, EIPFIX_ACL_ALLOW, EIPFIX_ACL_PROTO_TCP, 22 << 16 | 22, AF_INET, 10);

	cfg = req_parse(r, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, cfg->direction, (u8)EIPFIX_DIR_RECEIVED);
	KUNIT_EXPECT_EQ(test, cfg->interval_ms, 120000U);
	KUNIT_EXPECT_EQ(test, cfg->idle_timeout_ms, 5000U);
	KUNIT_EXPECT_EQ(test, cfg->max_flows, 4096U);
	KUNIT_ASSERT_EQ(test, cfg->ninterfaces, 2U);
	KUNIT_EXPECT_STREQ(test, cfg->interfaces[1], "wg0");
	KUNIT_ASSERT_EQ(test, cfg->ncollectors, 1U);
	KUNIT_EXPECT_STREQ(test, cfg->collectors[0], "Udp/198.51.100.7:4739");
	KUNIT_EXPECT_TRUE(test, eipfix_config_metering(cfg));
	KUNIT_EXPECT_EQ(test, cfg->acl_default, (u8)EIPFIX_ACL_DENY);
	KUNIT_ASSERT_EQ(test, cfg->nrules, 1U);
	KUNIT_EXPECT_EQ(test, cfg->rules[0].prefix_len, (u8)10);
	KUNIT_EXPECT_EQ(test, cfg->rules[0].nports, 1U);
	KUNIT_EXPECT_STREQ(test, cfg->rules[0].description, "ssh");
	req_free(r, cfg);
}

/*
 * Expects the request to be refused with @msg, or, for the kernel's own
 * policy messages (whose wording differs between versions) with @msg NULL,
 * with some message.
 */
static void expect_refused(struct kunit *test, struct req *r, const char *msg)
{
	struct eipfix_config *cfg;
	int err;

	cfg = req_parse(r, &err);
	KUNIT_EXPECT_NULL(test, cfg);
	KUNIT_EXPECT_LT(test, err, 0);
	KUNIT_ASSERT_NOT_NULL(test, r->extack._msg);
	if (msg)
		KUNIT_EXPECT_STREQ(test, r->extack._msg, msg);
	req_free(r, cfg);
}

/* Rules may come in several ACL_RULES nests (a nest is at most 64 KiB). */
static void config_rules_in_several_nests(struct kunit *test)
{
	struct req *r = req_new(test);
	struct eipfix_config *cfg;
	int err;

	put_rule(r->skb, EIPFIX_ACL_ALLOW, EIPFIX_ACL_PROTO_TCP, 22 << 16 | 22, 0, 0);
	put_rule(r->skb, EIPFIX_ACL_DENY, EIPFIX_ACL_PROTO_UDP, 53 << 16 | 53, 0, 0);
	put_rule(r->skb, EIPFIX_ACL_DENY, EIPFIX_ACL_PROTO_ICMP, 0, 0, 0);
	cfg = req_parse(r, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, cfg->nrules, 3U);
	KUNIT_EXPECT_EQ(test, cfg->rules[0].action, (u8)EIPFIX_ACL_ALLOW);
	KUNIT_EXPECT_EQ(test, cfg->rules[1].protocol, (u8)EIPFIX_ACL_PROTO_UDP);
	KUNIT_EXPECT_EQ(test, cfg->rules[2].protocol, (u8)EIPFIX_ACL_PROTO_ICMP);
	req_free(r, cfg);
}

static void config_interval_not_minutes_refused(struct kunit *test)
{
	struct req *r = req_new(test);

	nla_put_u32(r->skb, EIPFIX_A_INTERVAL_MS, 90000);
	expect_refused(test, r, "interval must be 0 or a multiple of 60000 ms");
}

static void config_out_of_range_refused(struct kunit *test)
{
	struct req *r = req_new(test);

	nla_put_u32(r->skb, EIPFIX_A_IDLE_TIMEOUT_MS, 999);
	expect_refused(test, r, NULL);

	r = req_new(test);
	nla_put_u8(r->skb, EIPFIX_A_DIRECTION, __EIPFIX_DIR_MAX);
	expect_refused(test, r, NULL);

	r = req_new(test);
	nla_put_u32(r->skb, EIPFIX_A_MESSAGE_SIZE, 65001);
	expect_refused(test, r, NULL);
}

static void config_unknown_and_malformed_attributes_refused(struct kunit *test)
{
	struct req *r = req_new(test);
	struct nlattr *nest;

	nla_put_u32(r->skb, EIPFIX_A_MAX + 1, 1);
	expect_refused(test, r, NULL);

	r = req_new(test);
	nla_put_u8(r->skb, EIPFIX_A_INTERVAL_MS, 1);	/* too short for a u32 */
	expect_refused(test, r, NULL);

	r = req_new(test);
	nest = nla_nest_start(r->skb, EIPFIX_A_INTERFACES);
	nla_put_string(r->skb, EIPFIX_A_INTERFACE, "sixteen-chars-xx");
	nla_nest_end(r->skb, nest);
	expect_refused(test, r, NULL);
}

static void config_bad_rules_refused(struct kunit *test)
{
	struct req *r = req_new(test);

	put_rule(r->skb, EIPFIX_ACL_DENY, EIPFIX_ACL_PROTO_ICMP, 22 << 16 | 22, 0, 0);
	expect_refused(test, r, "ports need protocol Tcp or Udp");

	r = req_new(test);
	put_rule(r->skb, EIPFIX_ACL_DENY, EIPFIX_ACL_PROTO_TCP, 0, AF_INET, 33);
	expect_refused(test, r, "prefix length longer than the address");

	r = req_new(test);
	put_rule(r->skb, 0xff, EIPFIX_ACL_PROTO_TCP, 0, 0, 0);
	expect_refused(test, r, "a rule needs an action");

	r = req_new(test);
	put_rule(r->skb, EIPFIX_ACL_DENY, EIPFIX_ACL_PROTO_UDP, 100 << 16 | 99, 0, 0);
	expect_refused(test, r, "port range must be first << 16 | last with 1 <= first <= last");
}

/* ALLOWED_FLOW_RULE: a flag as a u8, 0 or 1; a config change keeps the flows. */
static void config_allowed_flow_rule(struct kunit *test)
{
	struct req *r = req_new(test);
	struct eipfix_config *cfg, *dflt;
	int err;

	nla_put_u8(r->skb, EIPFIX_A_ALLOWED_FLOW_RULE, 1);
	cfg = req_parse(r, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, cfg->allowed_flow_rule);
	dflt = eipfix_config_new_default();
	KUNIT_ASSERT_NOT_NULL(test, dflt);
	KUNIT_EXPECT_TRUE(test, eipfix_config_same_keyspace(dflt, cfg));
	eipfix_config_free(dflt);
	req_free(r, cfg);

	r = req_new(test);
	nla_put_u8(r->skb, EIPFIX_A_ALLOWED_FLOW_RULE, 2);
	expect_refused(test, r, NULL);
	r = req_new(test);
	nla_put_u32(r->skb, EIPFIX_A_ALLOWED_FLOW_RULE, 1);
	expect_refused(test, r, NULL);
}

static void config_keyspace_changes(struct kunit *test)
{
	struct eipfix_config *a = eipfix_config_new_default();
	struct eipfix_config *b = eipfix_config_new_default();

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_TRUE(test, eipfix_config_same_keyspace(a, b));
	b->interval_ms = 60000;		/* timing only: flows go on */
	b->idle_timeout_ms = 1000;
	KUNIT_EXPECT_TRUE(test, eipfix_config_same_keyspace(a, b));
	b->direction = EIPFIX_DIR_SENDING;
	KUNIT_EXPECT_FALSE(test, eipfix_config_same_keyspace(a, b));
	b->direction = a->direction;
	strscpy(b->interfaces[0], "tap0", IFNAMSIZ);
	b->ninterfaces = 1;
	KUNIT_EXPECT_FALSE(test, eipfix_config_same_keyspace(a, b));
	eipfix_config_free(a);
	eipfix_config_free(b);
}

/* Direction filtering: what the config excludes is never metered. */
static void config_direction_filter(struct kunit *test)
{
	struct eipfix_config *cfg = eipfix_config_new_default();

	KUNIT_ASSERT_NOT_NULL(test, cfg);
	KUNIT_EXPECT_TRUE(test, eipfix_config_wants(cfg, EIPFIX_DIR_RECEIVED));
	KUNIT_EXPECT_TRUE(test, eipfix_config_wants(cfg, EIPFIX_DIR_SENDING));
	cfg->direction = EIPFIX_DIR_RECEIVED;
	KUNIT_EXPECT_TRUE(test, eipfix_config_wants(cfg, EIPFIX_DIR_RECEIVED));
	KUNIT_EXPECT_FALSE(test, eipfix_config_wants(cfg, EIPFIX_DIR_SENDING));
	cfg->direction = EIPFIX_DIR_SENDING;
	KUNIT_EXPECT_FALSE(test, eipfix_config_wants(cfg, EIPFIX_DIR_RECEIVED));
	KUNIT_EXPECT_TRUE(test, eipfix_config_wants(cfg, EIPFIX_DIR_SENDING));
	eipfix_config_free(cfg);
}

static struct kunit_case eipfix_netlink_cases[] = {
	KUNIT_CASE(config_defaults_when_empty),
	KUNIT_CASE(config_full_request_parses),
	KUNIT_CASE(config_rules_in_several_nests),
	KUNIT_CASE(config_interval_not_minutes_refused),
	KUNIT_CASE(config_out_of_range_refused),
	KUNIT_CASE(config_unknown_and_malformed_attributes_refused),
	KUNIT_CASE(config_bad_rules_refused),
	KUNIT_CASE(config_allowed_flow_rule),
	KUNIT_CASE(config_keyspace_changes),
	KUNIT_CASE(config_direction_filter),
	{}
};

static struct kunit_suite eipfix_netlink_suite = {
	.name = "enclave_ipfix_netlink",
	.test_cases = eipfix_netlink_cases,
};

kunit_test_suite(eipfix_netlink_suite);

MODULE_LICENSE("GPL");
