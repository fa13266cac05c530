/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access Control Rules (DESIGN.md section 4): the compiled matcher and the
 * table of allowed connections that makes the rules stateful. Nothing here
 * knows netfilter: hooks.c asks eipfix_acl_decide() and acts on the verdict,
 * and the KUnit suite hammers both structures alone.
 */
#ifndef _EIPFIX_ACL_H
#define _EIPFIX_ACL_H

#include <asm/local64.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "bhash.h"
#include "config.h"
#include "flow.h"

struct eipfix_acl_group;

/* One rule as the packet path needs it; ports sorted and merged. */
struct eipfix_acl_rule {
	u8 action;
	u8 direction;
	u8 protocol;	/* enum eipfix_acl_proto */
	u32 nports;	/* 0: any destination port */
	u32 *ports;	/* first << 16 | last, ascending, disjoint */
};

/*
 * A compiled rule set, immutable once built, owned by its config and freed
 * with it after a grace period: a packet sees one whole rule set.
 *
 * Tuple-space search: the rules are split into groups of equal (family,
 * prefix length) of their Peer; each group hashes the masked peers of its
 * rules to the ascending indexes of the rules with that peer. A lookup masks
 * the packet's peer once per group (groups in order of their first rule, so
 * that it stops as soon as no group can hold an earlier match), finds its
 * entry in one hash probe and walks that entry's rules in order until one
 * matches direction, protocol and port. The cost is one hash probe per
 * distinct prefix length (at most 1 + 33 + 129, a few in practice), not per
 * rule; only rules of the very same peer are walked one by one.
 */
struct eipfix_acl {
	u8 default_action;
	bool can_deny;		/* a deny rule or Default Deny exists */
	/*
	 * Packets are judged: the set can deny, or it has rules whose
	 * verdicts allowed flows are to carry (AllowedFlowRule).
	 */
	bool in_use;
	/*
	 * BIT(direction) of the packets whose connections are remembered:
	 * those of a direction whose opposite the set can deny (its replies
	 * and the ICMP errors about it come that way); both with
	 * AllowedFlowRule, so that replies name the rule of their connection.
	 */
	u8 remember;
	bool owns_state;	/* false once a successor took @state over */
	u32 nrules;
	u32 ngroups;
	struct eipfix_acl_rule *rules;
	struct eipfix_acl_group *groups;
	u32 seed;
	u32 hits_stride;	/* counters per CPU in @hits */
	local64_t *hits;	/* [cpu][0: default, i + 1: rule i] */
	struct eipfix_acl_state *state;	/* NULL when not in use */
};

/* How a verdict came about. */
enum eipfix_acl_via {
	EIPFIX_ACL_VIA_RULE,	/* a rule or the default */
	EIPFIX_ACL_VIA_STATE,	/* the connection was allowed before */
	EIPFIX_ACL_VIA_REPLY,	/* a reply to an allowed connection */
};

/* What inserting an allowed connection gave. */
enum eipfix_acl_state_result {
	EIPFIX_ACL_STATE_NONE,		/* nothing to insert */
	EIPFIX_ACL_STATE_INSERTED,
	EIPFIX_ACL_STATE_EVICTED,	/* inserted in the place of the oldest */
	EIPFIX_ACL_STATE_FULL,		/* not inserted: no room */
	EIPFIX_ACL_STATE_NOMEM,		/* not inserted: allocation failed */
};

struct eipfix_acl_verdict {
	u8 action;		/* EIPFIX_ACL_ALLOW or EIPFIX_ACL_DENY */
	u8 via;			/* enum eipfix_acl_via */
	u8 state;		/* enum eipfix_acl_state_result */
	/*
	 * Index + 1 of the deciding rule, 0: Default. For a packet of an
	 * allowed connection (VIA_STATE) and for its replies and related
	 * ICMP errors (VIA_REPLY), the rule that allowed the connection.
	 */
	u32 rule;
};

/*
 * The allowed connections of a namespace, keyed by the 5-tuple, interface
 * and direction of the packet that was allowed. A packet of the opposite
 * direction with the tuple reversed is a reply and passes without a rule.
 * Only connections whose replies could be denied are kept (see
 * eipfix_acl.remember): under Default Allow with Deny rules for received
 * packets only, what peers open is not, and costs nothing here.
 * Bounded by max_entries (a full table replaces the oldest entry of the
 * bucket); an entry lives until idle for its timeout. A table belongs to one
 * rule set: a config with the same rules takes it over, other rules start
 * with an empty one, so nothing allowed by old rules outlives them. Lookups
 * are RCU; inserts take the striped lock of their bucket (a struct
 * eipfix_bhash, without due times: it is swept).
 */
struct eipfix_acl_state {
	struct eipfix_bhash hash;
};

/* Idle timeouts of allowed connections: TCP, and everything else. */
#define EIPFIX_ACL_STATE_TCP_TIMEOUT (7200 * HZ)
#define EIPFIX_ACL_STATE_TIMEOUT (180 * HZ)

struct eipfix_acl *eipfix_acl_compile(const struct eipfix_rule *rules, u32 nrules,
				      u8 default_action, bool name_allowed, gfp_t gfp);
void eipfix_acl_free(struct eipfix_acl *acl);
bool eipfix_acl_rules_equal(const struct eipfix_config *a,
			    const struct eipfix_config *b);
void eipfix_acl_inherit(struct eipfix_acl *acl, struct eipfix_acl *old);
u8 eipfix_acl_match(const struct eipfix_acl *acl, u8 family,
		    const struct in6_addr *peer, u8 protocol, u16 dport,
		    u8 direction, u32 *rule);
void eipfix_acl_hit(struct eipfix_acl *acl, u32 rule, u32 segs);
u64 eipfix_acl_hits(const struct eipfix_acl *acl, u32 rule);

struct eipfix_acl_state *eipfix_acl_state_new(u32 max_entries, gfp_t gfp);
void eipfix_acl_state_free(struct eipfix_acl_state *st);

u32 eipfix_acl_state_gc(struct eipfix_acl_state *st, u32 from, u32 n,
			unsigned long now);

static inline u32 eipfix_acl_state_count(const struct eipfix_acl_state *st)
{
	return eipfix_bhash_count(&st->hash);
}

void eipfix_acl_decide(struct eipfix_acl *acl, const struct eipfix_key *key,
		       const struct eipfix_key *inner, unsigned long now, u32 segs,
		       struct eipfix_acl_verdict *v);

#endif /* _EIPFIX_ACL_H */
