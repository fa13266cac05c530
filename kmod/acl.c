// SPDX-License-Identifier: GPL-2.0
/*
 * Access Control Rules (DESIGN.md section 4), enforced as Enclave does:
 * the first rule that matches decides, else Default; Peer is the remote
 * overlay address (source on receive, destination on send); Ports are
 * destination ports; replies to a connection this host allowed (originated
 * or accepted) pass without a rule.
 *
 * Two structures, both built for the packet path and tested alone:
 *  - the compiled rule set (struct eipfix_acl): tuple-space search, one hash
 *    probe per distinct (family, prefix length) of the rules' peers;
 *  - the allowed connections (struct eipfix_acl_state): a bounded RCU hash
 *    of the 5-tuples this host let through, consulted for their replies.
 *    It is our own rather than nf_conntrack's, so that the rules are
 *    stateful on a host where conntrack is not loaded (a stock Debian VM
 *    loads none) and so that loading the module never turns conntrack on
 *    for all the host's traffic; its bound and timeouts are ours to count.
 *
 * A connection is remembered only when something could deny its replies:
 * when the set can deny a packet going the other way (Default Deny, or a
 * Deny rule for that direction). Otherwise its later packets are judged by
 * the rules again, which decide them as they did its first (a verdict
 * depends on the tuple alone), and its replies pass by the rules too. So
 * under Default Allow with Deny rules for received packets only, the
 * connections peers open cost neither memory nor an insert per packet.
 *
 * Memory: a compiled rule set is about 64 bytes per rule plus its port
 * ranges, plus 8 bytes per rule and CPU of hit counters. The state table
 * is 8 bytes of bucket head per 4 entries of acl_state_max plus 96 bytes
 * (kmalloc-96) per remembered connection.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "acl.h"

static unsigned int eipfix_acl_state_max __read_mostly = 65536;
module_param_named(acl_state_max, eipfix_acl_state_max, uint, 0644);
MODULE_PARM_DESC(acl_state_max,
		 "allowed connections remembered per rule set for their replies (default 65536)");

#define EIPFIX_ACL_END U32_MAX
/* Peer groups: any peer, IPv4 /0../32, IPv6 /0../128. */
#define EIPFIX_ACL_SLOTS (1 + 33 + 129)

/* The rules of one masked peer, within a group. */
struct eipfix_acl_entry {
	struct in6_addr peer;	/* masked by the group's prefix */
	u32 next;		/* next entry of the hash chain */
	u32 first;		/* its rule indexes: group->idx[first..] */
	u32 count;
};

/* The rules whose Peer has one (family, prefix length). */
struct eipfix_acl_group {
	u8 family;		/* 0: rules without a Peer, any family */
	u8 prefix_len;
	u32 min_rule;		/* index of its first rule */
	struct in6_addr mask;
	u32 hmask;
	u32 *heads;		/* hash bucket -> first entry */
	u32 nentries;
	struct eipfix_acl_entry *entries;
	u32 *idx;		/* rule indexes, ascending per entry */
};

/* ---- the compiled rule set ---- */

/* The directions (BIT(direction)) a rule of @direction applies to. */
static u8 eipfix_acl_dirs(u8 direction)
{
	if (direction == EIPFIX_DIR_BOTH)
		return BIT(EIPFIX_DIR_RECEIVED) | BIT(EIPFIX_DIR_SENDING);
	return BIT(direction);
}

static u8 eipfix_dir_reverse(u8 direction)
{
	return direction == EIPFIX_DIR_RECEIVED ? EIPFIX_DIR_SENDING :
						  EIPFIX_DIR_RECEIVED;
}

static bool eipfix_acl_remembers(const struct eipfix_acl *acl, u8 direction)
{
	return acl->remember & BIT(direction);
}

static void eipfix_acl_prefix_mask(struct in6_addr *mask, u8 family, u8 prefix_len)
{
	unsigned int bits = prefix_len, i;

	memset(mask, 0, sizeof(*mask));
	if (!family)
		return;
	for (i = 0; i < 4 && bits; i++) {
		unsigned int n = min(bits, 32U);

		mask->s6_addr32[i] = htonl(n == 32 ? ~0U : ~(~0U >> n));
		bits -= n;
	}
}

static void eipfix_acl_masked(struct in6_addr *out, const struct in6_addr *addr,
			      const struct in6_addr *mask)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		out->s6_addr32[i] = addr->s6_addr32[i] & mask->s6_addr32[i];
}

static u32 eipfix_acl_peer_hash(const struct in6_addr *peer, u32 seed)
{
	return jhash2((const u32 *)peer, 4, seed);
}

static const struct eipfix_acl_entry *
eipfix_acl_group_find(const struct eipfix_acl_group *g, const struct in6_addr *peer,
		      u32 seed)
{
	u32 e = g->heads[eipfix_acl_peer_hash(peer, seed) & g->hmask];

	while (e != EIPFIX_ACL_END) {
		const struct eipfix_acl_entry *entry = &g->entries[e];

		if (ipv6_addr_equal(&entry->peer, peer))
			return entry;
		e = entry->next;
	}
	return NULL;
}

static unsigned int eipfix_acl_slot(const struct eipfix_rule *rule)
{
	if (!rule->family)
		return 0;
	if (rule->family == AF_INET)
		return 1 + rule->prefix_len;
	return 34 + rule->prefix_len;
}

static int eipfix_acl_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the ranges and merges those that overlap or touch. */
static int eipfix_acl_compile_ports(struct eipfix_acl_rule *out,
				    const struct eipfix_rule *rule, gfp_t gfp)
{
	u32 i, n = 0;

	if (!rule->nports)
		return 0;
	out->ports = kmemdup(rule->ports, rule->nports * sizeof(u32), gfp);
	if (!out->ports)
		return -ENOMEM;
	sort(out->ports, rule->nports, sizeof(u32), eipfix_acl_cmp_u32, NULL);
	for (i = 0; i < rule->nports; i++) {
		u32 first = out->ports[i] >> 16, last = out->ports[i] & 0xffff;

		if (n && first <= (out->ports[n - 1] & 0xffff) + 1) {
			if (last > (out->ports[n - 1] & 0xffff))
				out->ports[n - 1] = (out->ports[n - 1] & 0xffff0000) | last;
			continue;
		}
		out->ports[n++] = first << 16 | last;
	}
	out->nports = n;
	return 0;
}

static int eipfix_acl_build_groups(struct eipfix_acl *acl,
				   const struct eipfix_rule *rules, gfp_t gfp)
{
	u32 slot_group[EIPFIX_ACL_SLOTS], slot_count[EIPFIX_ACL_SLOTS] = {};
	u32 *rule_entry, i, g;
	struct in6_addr peer;
	int ret = -ENOMEM;

	for (i = 0; i < EIPFIX_ACL_SLOTS; i++)
		slot_group[i] = EIPFIX_ACL_END;
	/* Groups are numbered as their first rule comes: by min_rule. */
	for (i = 0; i < acl->nrules; i++) {
		unsigned int s = eipfix_acl_slot(&rules[i]);

		if (!slot_count[s]++)
			slot_group[s] = acl->ngroups++;
	}
	if (!acl->ngroups)
		return 0;
	acl->groups = kcalloc(acl->ngroups, sizeof(*acl->groups), gfp);
	rule_entry = kvcalloc(acl->nrules, sizeof(*rule_entry), gfp);
	if (!acl->groups || !rule_entry)
		goto out;
	for (i = 0; i < acl->nrules; i++) {
		unsigned int s = eipfix_acl_slot(&rules[i]);
		struct eipfix_acl_group *grp = &acl->groups[slot_group[s]];
		u32 n = slot_count[s], nb = roundup_pow_of_two(max(2 * n, 2U));

		if (grp->idx)
			continue;
		grp->family = rules[i].family;
		grp->prefix_len = rules[i].prefix_len;
		grp->min_rule = i;
		eipfix_acl_prefix_mask(&grp->mask, grp->family, grp->prefix_len);
		grp->hmask = nb - 1;
		grp->heads = kvmalloc_array(nb, sizeof(u32), gfp);
		grp->entries = kvcalloc(n, sizeof(*grp->entries), gfp);
		grp->idx = kvcalloc(n, sizeof(u32), gfp);
		if (!grp->heads || !grp->entries || !grp->idx)
			goto out;
		memset(grp->heads, 0xff, nb * sizeof(u32));
	}
	/* Pass 1: the distinct masked peers of each group, and their rule counts. */
	for (i = 0; i < acl->nrules; i++) {
		struct eipfix_acl_group *grp =
			&acl->groups[slot_group[eipfix_acl_slot(&rules[i])]];
		const struct eipfix_acl_entry *found;
		struct eipfix_acl_entry *e;
		u32 h;

		eipfix_acl_masked(&peer, &rules[i].peer, &grp->mask);
		found = eipfix_acl_group_find(grp, &peer, acl->seed);
		if (found) {
			e = &grp->entries[found - grp->entries];
		} else {
			h = eipfix_acl_peer_hash(&peer, acl->seed) & grp->hmask;
			e = &grp->entries[grp->nentries];
			e->peer = peer;
			e->next = grp->heads[h];
			grp->heads[h] = grp->nentries++;
		}
		e->count++;
		rule_entry[i] = e - grp->entries;
	}
	for (g = 0; g < acl->ngroups; g++) {
		struct eipfix_acl_group *grp = &acl->groups[g];
		u32 e, first = 0;

		for (e = 0; e < grp->nentries; e++) {
			grp->entries[e].first = first;
			first += grp->entries[e].count;
			grp->entries[e].count = 0;
		}
	}
	/* Pass 2: each entry's rule indexes, ascending as the rules are visited. */
	for (i = 0; i < acl->nrules; i++) {
		struct eipfix_acl_group *grp =
			&acl->groups[slot_group[eipfix_acl_slot(&rules[i])]];
		struct eipfix_acl_entry *e = &grp->entries[rule_entry[i]];

		grp->idx[e->first + e->count++] = i;
	}
	ret = 0;
out:
	kvfree(rule_entry);
	return ret;
}

/**
 * eipfix_acl_compile() - build the matcher of a rule set
 * @rules: the rules, as validated by netlink.c
 * @nrules: how many
 * @default_action: enum eipfix_acl_action when no rule matches
 * @name_allowed: allowed flows are to carry the rule that allowed them
 * @gfp: allocation flags
 *
 * A set that can deny is in use: it judges packets and gets an empty table
 * of allowed connections (eipfix_acl_inherit() may give it its
 * predecessor's instead), for the connections of each direction whose
 * opposite it can deny. So is a set of Allow rules alone, with
 * @name_allowed: it denies nothing, but its verdicts name the rule of
 * allowed flows, and the connections it allowed (all of them, then) name
 * the rule of their replies. Without rules, Default Allow decides nothing
 * worth naming.
 *
 * Return: the compiled set, or NULL when out of memory.
 */
struct eipfix_acl *eipfix_acl_compile(const struct eipfix_rule *rules, u32 nrules,
				      u8 default_action, bool name_allowed, gfp_t gfp)
{
	struct eipfix_acl *acl = kzalloc(sizeof(*acl), gfp);
	u8 deny = 0;
	u32 i;

	if (!acl)
		return NULL;
	acl->default_action = default_action;
	if (default_action == EIPFIX_ACL_DENY)
		deny = eipfix_acl_dirs(EIPFIX_DIR_BOTH);
	acl->nrules = nrules;
	acl->seed = get_random_u32();
	acl->owns_state = true;
	if (nrules) {
		acl->rules = kvcalloc(nrules, sizeof(*acl->rules), gfp);
		if (!acl->rules)
			goto fail;
	}
	for (i = 0; i < nrules; i++) {
		struct eipfix_acl_rule *r = &acl->rules[i];

		r->action = rules[i].action;
		r->direction = rules[i].direction;
		r->protocol = rules[i].protocol;
		if (r->action == EIPFIX_ACL_DENY)
			deny |= eipfix_acl_dirs(r->direction);
		if (eipfix_acl_compile_ports(r, &rules[i], gfp))
			goto fail;
	}
	if (eipfix_acl_build_groups(acl, rules, gfp))
		goto fail;
	acl->can_deny = deny != 0;
	/* What goes one way is remembered if what comes back can be denied. */
	if (deny & BIT(EIPFIX_DIR_RECEIVED))
		acl->remember |= BIT(EIPFIX_DIR_SENDING);
	if (deny & BIT(EIPFIX_DIR_SENDING))
		acl->remember |= BIT(EIPFIX_DIR_RECEIVED);
	/* Replies name the rule of their connection: it must be known. */
	if (name_allowed && nrules)
		acl->remember = eipfix_acl_dirs(EIPFIX_DIR_BOTH);
	/* A cache line of counters per CPU at least, so CPUs do not share one. */
	acl->hits_stride = round_up(nrules + 1, 8);
	acl->hits = kvcalloc(nr_cpu_ids * acl->hits_stride, sizeof(*acl->hits), gfp);
	if (!acl->hits)
		goto fail;
	acl->in_use = acl->can_deny || (name_allowed && nrules);
	if (acl->in_use) {
		acl->state = eipfix_acl_state_new(eipfix_acl_state_max, gfp);
		if (!acl->state)
			goto fail;
	}
	return acl;
fail:
	eipfix_acl_free(acl);
	return NULL;
}

/* Frees @acl; no packet may still see it (it goes with its config, by RCU). */
void eipfix_acl_free(struct eipfix_acl *acl)
{
	u32 i;

	if (!acl)
		return;
	for (i = 0; i < acl->ngroups && acl->groups; i++) {
		kvfree(acl->groups[i].heads);
		kvfree(acl->groups[i].entries);
		kvfree(acl->groups[i].idx);
	}
	kfree(acl->groups);
	for (i = 0; i < acl->nrules && acl->rules; i++)
		kfree(acl->rules[i].ports);
	kvfree(acl->rules);
	kvfree(acl->hits);
	if (acl->owns_state)
		eipfix_acl_state_free(acl->state);
	kfree(acl);
}

static bool eipfix_rule_equal(const struct eipfix_rule *a, const struct eipfix_rule *b)
{
	return a->action == b->action && a->direction == b->direction &&
	       a->family == b->family && a->prefix_len == b->prefix_len &&
	       a->protocol == b->protocol && ipv6_addr_equal(&a->peer, &b->peer) &&
	       a->nports == b->nports &&
	       !memcmp(a->ports, b->ports, a->nports * sizeof(u32));
}

/* Whether @a and @b decide every packet alike (descriptions aside). */
bool eipfix_acl_rules_equal(const struct eipfix_config *a,
			    const struct eipfix_config *b)
{
	u32 i;

	if (a->acl_default != b->acl_default || a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++)
		if (!eipfix_rule_equal(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

/**
 * eipfix_acl_inherit() - let @acl carry on from an identical rule set
 * @acl: the new set, not yet visible to packets
 * @old: the set in force, with the same rules
 *
 * @acl takes over the allowed connections of @old (which packets still
 * under @old go on using; @old no longer frees them) and starts its hit
 * counters from @old's totals, so that a config change that leaves the
 * rules alone neither cuts connections nor resets counters. Hits counted
 * into @old after this are lost. Under the namespace's config lock.
 */
void eipfix_acl_inherit(struct eipfix_acl *acl, struct eipfix_acl *old)
{
	u32 i;

	if (old->state && acl->state) {
		if (acl->owns_state)
			eipfix_acl_state_free(acl->state);
		acl->state = old->state;
		old->owns_state = false;
	}
	for (i = 0; i <= acl->nrules; i++)
		local64_set(&acl->hits[i], eipfix_acl_hits(old, i));
}

static bool eipfix_acl_port_in(const struct eipfix_acl_rule *r, u16 port)
{
	u32 lo = 0, hi = r->nports;

	/* The last range starting at or below @port is the only candidate. */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if ((r->ports[mid] >> 16) <= port)
			lo = mid;
		else
			hi = mid;
	}
	return (r->ports[lo] >> 16) <= port && port <= (r->ports[lo] & 0xffff);
}

static bool eipfix_acl_rule_matches(const struct eipfix_acl_rule *r, u8 protocol,
				    u16 dport, u8 direction)
{
	if (r->direction != EIPFIX_DIR_BOTH && r->direction != direction)
		return false;
	switch (r->protocol) {
	case EIPFIX_ACL_PROTO_TCP:
		if (protocol != IPPROTO_TCP)
			return false;
		break;
	case EIPFIX_ACL_PROTO_UDP:
		if (protocol != IPPROTO_UDP)
			return false;
		break;
	case EIPFIX_ACL_PROTO_ICMP:
		if (protocol != IPPROTO_ICMP && protocol != IPPROTO_ICMPV6)
			return false;
		break;
	}
	return !r->nports || eipfix_acl_port_in(r, dport);
}

/**
 * eipfix_acl_match() - the action of the first rule that matches a packet
 * @acl: the rule set
 * @family: AF_INET or AF_INET6
 * @peer: the remote overlay address (source on receive, destination on send)
 * @protocol: IP protocol number
 * @dport: destination port, host order (TCP and UDP; else ignored)
 * @direction: EIPFIX_DIR_RECEIVED or EIPFIX_DIR_SENDING
 * @rule: set to the index + 1 of the matching rule, 0 for the default
 *
 * Context: any; @acl must stay alive (RCU).
 */
u8 eipfix_acl_match(const struct eipfix_acl *acl, u8 family,
		    const struct in6_addr *peer, u8 protocol, u16 dport,
		    u8 direction, u32 *rule)
{
	u32 best = acl->nrules, g, i;
	struct in6_addr masked;

	for (g = 0; g < acl->ngroups; g++) {
		const struct eipfix_acl_group *grp = &acl->groups[g];
		const struct eipfix_acl_entry *e;

		/* Groups come by their first rule: none later can do better. */
		if (grp->min_rule >= best)
			break;
		if (grp->family && grp->family != family)
			continue;
		eipfix_acl_masked(&masked, peer, &grp->mask);
		e = eipfix_acl_group_find(grp, &masked, acl->seed);
		if (!e)
			continue;
		for (i = 0; i < e->count; i++) {
			u32 r = grp->idx[e->first + i];

			if (r >= best)
				break;
			if (eipfix_acl_rule_matches(&acl->rules[r], protocol, dport,
						    direction)) {
				best = r;
				break;
			}
		}
	}
	if (best < acl->nrules) {
		*rule = best + 1;
		return acl->rules[best].action;
	}
	*rule = 0;
	return acl->default_action;
}

/*
 * Counts @segs packets decided by @rule (index + 1, 0: Default): a GSO/GRO
 * superpacket or a reassembled datagram is decided once but crossed the
 * wire as @segs packets, and the hits count packets, as the flows do.
 * Any context.
 */
void eipfix_acl_hit(struct eipfix_acl *acl, u32 rule, u32 segs)
{
	/* local64: safe against a softirq on the same CPU, no bus lock. */
	preempt_disable();
	local64_add(segs, &acl->hits[smp_processor_id() * acl->hits_stride + rule]);
	preempt_enable();
}

u64 eipfix_acl_hits(const struct eipfix_acl *acl, u32 rule)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += local64_read(&acl->hits[cpu * acl->hits_stride + rule]);
	return sum;
}

/* ---- the allowed connections ---- */

/*
 * A connection is keyed as its allowed packet's flow is (struct eipfix_key),
 * with no forwarding status and, for ICMP, no type and code.
 */

struct eipfix_acl_state_entry {
	struct hlist_node node;
	struct eipfix_key conn;
	u32 rule;			/* the rule that allowed it, as in hits */
	unsigned long last_seen;	/* jiffies */
	struct rcu_head rcu;
};

#define EIPFIX_ACL_CONN_OFF \
	(offsetof(struct eipfix_acl_state_entry, conn) - \
	 offsetof(struct eipfix_acl_state_entry, node))

static void eipfix_acl_entry_release(struct hlist_node *node)
{
	struct eipfix_acl_state_entry *e =
		hlist_entry(node, struct eipfix_acl_state_entry, node);

	kfree_rcu(e, rcu);
}

static struct lock_class_key eipfix_acl_state_lock_key;

static const struct eipfix_bhash_params eipfix_acl_state_params = {
	.per_bucket = 4,
	.nlocks = 256,
	.seen_off = offsetof(struct eipfix_acl_state_entry, last_seen) -
		    offsetof(struct eipfix_acl_state_entry, node),
	.release = eipfix_acl_entry_release,
	.lock_key = &eipfix_acl_state_lock_key,
};

struct eipfix_acl_state *eipfix_acl_state_new(u32 max_entries, gfp_t gfp)
{
	struct eipfix_acl_state *st = kzalloc(sizeof(*st), gfp);

	if (!st)
		return NULL;
	if (eipfix_bhash_init(&st->hash, max_entries, &eipfix_acl_state_params, gfp)) {
		kfree(st);
		return NULL;
	}
	return st;
}

/* Frees @st and its entries; no packet may still see it. */
void eipfix_acl_state_free(struct eipfix_acl_state *st)
{
	if (!st)
		return;
	eipfix_bhash_destroy(&st->hash);
	kfree(st);
}

static unsigned long eipfix_acl_conn_timeout(const struct eipfix_key *c)
{
	return c->protocol == IPPROTO_TCP ? EIPFIX_ACL_STATE_TCP_TIMEOUT :
					    EIPFIX_ACL_STATE_TIMEOUT;
}

static bool eipfix_acl_entry_live(const struct eipfix_acl_state_entry *e,
				  unsigned long now)
{
	return time_before(now, READ_ONCE(e->last_seen) +
				eipfix_acl_conn_timeout(&e->conn));
}

static void eipfix_acl_entry_touch(struct eipfix_acl_state_entry *e,
				   unsigned long now)
{
	/* Written at most once a jiffy, so that busy flows do not bounce it. */
	if (READ_ONCE(e->last_seen) != now)
		WRITE_ONCE(e->last_seen, now);
}

/* The live entry of @c, or NULL. Under rcu_read_lock(). */
static struct eipfix_acl_state_entry *
eipfix_acl_state_find(struct eipfix_acl_state *st, const struct eipfix_key *c,
		      unsigned long now)
{
	struct eipfix_acl_state_entry *e;
	struct hlist_node *node;

	node = eipfix_bhash_find(&st->hash, eipfix_bhash_bucket(&st->hash, c), c,
				 EIPFIX_ACL_CONN_OFF);
	if (!node)
		return NULL;
	e = hlist_entry(node, struct eipfix_acl_state_entry, node);
	return eipfix_acl_entry_live(e, now) ? e : NULL;
}

/*
 * Remembers @c as allowed by @rule. Expired entries met in the bucket go;
 * a full table gives up the bucket's least recently seen entry.
 */
static enum eipfix_acl_state_result
eipfix_acl_state_insert(struct eipfix_acl_state *st, const struct eipfix_key *c,
			u32 rule, unsigned long now)
{
	u32 bucket = eipfix_bhash_bucket(&st->hash, c);
	spinlock_t *lock = eipfix_bhash_lock(&st->hash, bucket);
	enum eipfix_acl_state_result ret = EIPFIX_ACL_STATE_INSERTED;
	struct eipfix_acl_state_entry *e;
	struct hlist_node *tmp, *old;

	spin_lock_bh(lock);
	hlist_for_each_entry_safe(e, tmp, &st->hash.buckets[bucket], node) {
		if (eipfix_key_equal(&e->conn, c)) {
			/* Another CPU was first, or it had expired: renew it. */
			WRITE_ONCE(e->last_seen, now);
			WRITE_ONCE(e->rule, rule);
			ret = EIPFIX_ACL_STATE_NONE;
			goto out;
		}
		if (!eipfix_acl_entry_live(e, now))
			eipfix_bhash_remove(&st->hash, &e->node);
	}
	/* What is left in the bucket is live: the oldest of it may go. */
	if (eipfix_bhash_reserve(&st->hash, bucket, &old)) {
		ret = EIPFIX_ACL_STATE_FULL;
		goto out;
	}
	if (old) {
		eipfix_acl_entry_release(old);
		ret = EIPFIX_ACL_STATE_EVICTED;
	}
	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	if (!e) {
		eipfix_bhash_unreserve(&st->hash);
		ret = EIPFIX_ACL_STATE_NOMEM;
		goto out;
	}
	e->conn = *c;
	e->rule = rule;
	e->last_seen = now;
	eipfix_bhash_add(&st->hash, bucket, &e->node, 0);
out:
	spin_unlock_bh(lock);
	return ret;
}

static enum eipfix_walk_action eipfix_acl_gc_visit(struct hlist_node *node,
						   u32 *due, void *arg)
{
	const unsigned long *now = arg;

	return eipfix_acl_entry_live(hlist_entry(node, struct eipfix_acl_state_entry,
						 node), *now) ?
	       EIPFIX_WALK_KEEP : EIPFIX_WALK_REMOVE;
}

/**
 * eipfix_acl_state_gc() - forget the expired connections of some buckets
 * @st: the table
 * @from: the first bucket to sweep
 * @n: how many buckets to sweep (up to the last, which wraps to 0)
 * @now: jiffies
 *
 * An insert only clears its own bucket: without a sweep, connections that
 * ended would hold their place in the count (and their memory) until a new
 * one happens to hash next to them. Context: rcu_read_lock(), may be called
 * with a table packets are using.
 *
 * Return: the bucket to start the next sweep at.
 */
u32 eipfix_acl_state_gc(struct eipfix_acl_state *st, u32 from, u32 n,
			unsigned long now)
{
	struct eipfix_bhash_walk w = { .fn = eipfix_acl_gc_visit, .arg = &now };

	eipfix_bhash_walk(&st->hash, &from, n, &w);
	return from;
}

static void eipfix_acl_conn_of(struct eipfix_key *c, const struct eipfix_key *key)
{
	*c = *key;
	c->fwd_status = 0;
	/* ICMP keeps type and code in dport: a connection has no ports. */
	if (key->protocol == IPPROTO_ICMP || key->protocol == IPPROTO_ICMPV6) {
		c->sport = 0;
		c->dport = 0;
	}
}

/* @c seen from the other end: the packets that answer it. */
static void eipfix_acl_conn_reverse(struct eipfix_key *rev, const struct eipfix_key *c)
{
	*rev = *c;
	rev->saddr = c->daddr;
	rev->daddr = c->saddr;
	rev->sport = c->dport;
	rev->dport = c->sport;
	rev->direction = eipfix_dir_reverse(c->direction);
}

/* The connection a packet of @c would be the reply to, if it can be one. */
static bool eipfix_acl_conn_request(struct eipfix_key *req,
				    const struct eipfix_key *c,
				    const struct eipfix_key *key)
{
	if (key->protocol == IPPROTO_ICMP || key->protocol == IPPROTO_ICMPV6) {
		u8 type = ntohs(key->dport) >> 8;

		/* Only an echo reply answers an ICMP packet. */
		if (type != (key->protocol == IPPROTO_ICMP ? 0 : 129))
			return false;
	}
	eipfix_acl_conn_reverse(req, c);
	return true;
}

/*
 * The packet the ICMP error @key quotes (@inner), as it went the other way
 * over the same interface; false unless the error comes from (or goes to)
 * that packet's far end: a peer the rules deny cannot pass errors about
 * another peer's connections.
 */
static bool eipfix_acl_quoted(struct eipfix_key *q, const struct eipfix_key *key,
			      const struct eipfix_key *inner)
{
	bool rx = key->direction == EIPFIX_DIR_RECEIVED;

	if (!ipv6_addr_equal(rx ? &key->saddr : &key->daddr,
			     rx ? &inner->daddr : &inner->saddr))
		return false;
	*q = *inner;
	q->family = key->family;
	q->ifindex = key->ifindex;
	q->direction = eipfix_dir_reverse(key->direction);
	return true;
}

/*
 * The allowed connection an ICMP error about @q belongs to: @q went in the
 * direction the connection was allowed, or was its reply.
 */
static struct eipfix_acl_state_entry *
eipfix_acl_related(struct eipfix_acl_state *st, const struct eipfix_key *q,
		   unsigned long now)
{
	struct eipfix_acl_state_entry *e;
	struct eipfix_key c, rev;

	eipfix_acl_conn_of(&c, q);
	e = eipfix_acl_state_find(st, &c, now);
	if (e)
		return e;
	eipfix_acl_conn_reverse(&rev, &c);
	return eipfix_acl_state_find(st, &rev, now);
}

/* The rules' verdict on a packet of @key (its direction set). */
static u8 eipfix_acl_match_key(const struct eipfix_acl *acl,
			       const struct eipfix_key *key, u32 *rule)
{
	const struct in6_addr *peer;
	u16 dport = 0;

	peer = key->direction == EIPFIX_DIR_RECEIVED ? &key->saddr : &key->daddr;
	if (key->protocol == IPPROTO_TCP || key->protocol == IPPROTO_UDP)
		dport = ntohs(key->dport);
	return eipfix_acl_match(acl, key->family, peer, key->protocol, dport,
				key->direction, rule);
}

/*
 * Whether an ICMP error about @q is related to a connection the set does
 * not remember: @q went a way whose connections are not kept (nothing of
 * the other way can be denied, this error included) and the rules let it
 * through, so that its connection would have been found had it been kept.
 * Taken as related, the error is not remembered as an ICMP connection of
 * its own, which would let in echo replies the rules deny.
 */
static bool eipfix_acl_related_unremembered(const struct eipfix_acl *acl,
					    const struct eipfix_key *q)
{
	u32 rule;

	return !eipfix_acl_remembers(acl, q->direction) &&
	       eipfix_acl_match_key(acl, q, &rule) == EIPFIX_ACL_ALLOW;
}

/**
 * eipfix_acl_decide() - allow or deny a packet, statefully
 * @acl: the rule set in force (NULL: allow everything)
 * @key: the packet's flow key (ifindex and direction set)
 * @inner: for an ICMP error, the packet it quotes (eipfix_pkt.inner); or NULL
 * @now: jiffies
 * @segs: the packets on the wire it stands for (eipfix_pkt.segs), >= 1
 * @v: the verdict, and how it came about
 *
 * A packet of a connection allowed before passes as it did (counted on the
 * rule that allowed it, @segs times); the reply to one passes without a
 * rule, and so does an ICMP error about one (related: port unreachable,
 * fragmentation needed for path MTU discovery, time exceeded); anything
 * else takes the first matching rule or Default, and what is allowed is
 * remembered for its replies if the set could deny them or names the rule
 * of allowed flows (else its later packets take the same rule again).
 * Either way @v->rule is the rule that allowed the connection, when known.
 *
 * Context: any; the caller holds rcu_read_lock().
 */
void eipfix_acl_decide(struct eipfix_acl *acl, const struct eipfix_key *key,
		       const struct eipfix_key *inner, unsigned long now, u32 segs,
		       struct eipfix_acl_verdict *v)
{
	bool remember = acl && eipfix_acl_remembers(acl, key->direction);
	struct eipfix_acl_state_entry *e = NULL;
	struct eipfix_key c, q;

	v->action = EIPFIX_ACL_ALLOW;
	v->via = EIPFIX_ACL_VIA_RULE;
	v->state = EIPFIX_ACL_STATE_NONE;
	v->rule = 0;
	if (!acl)
		return;
	if (acl->state) {
		eipfix_acl_conn_of(&c, key);
		/* Only a direction that is remembered has connections to find. */
		if (remember)
			e = eipfix_acl_state_find(acl->state, &c, now);
		if (e) {
			eipfix_acl_entry_touch(e, now);
			v->via = EIPFIX_ACL_VIA_STATE;
			v->rule = READ_ONCE(e->rule);
			eipfix_acl_hit(acl, v->rule, segs);
			return;
		}
		if (eipfix_acl_conn_request(&q, &c, key)) {
			e = eipfix_acl_state_find(acl->state, &q, now);
			if (e)
				eipfix_acl_entry_touch(e, now);
		} else if (inner && eipfix_acl_quoted(&q, key, inner)) {
			/* An error keeps no connection alive. */
			e = eipfix_acl_related(acl->state, &q, now);
			if (!e && eipfix_acl_related_unremembered(acl, &q))
				v->via = EIPFIX_ACL_VIA_REPLY;
		}
		if (e) {
			/* Not a hit: the rule did not judge this packet. */
			v->via = EIPFIX_ACL_VIA_REPLY;
			v->rule = READ_ONCE(e->rule);
		}
		if (v->via == EIPFIX_ACL_VIA_REPLY)
			return;
	}
	v->action = eipfix_acl_match_key(acl, key, &v->rule);
	eipfix_acl_hit(acl, v->rule, segs);
	if (v->action == EIPFIX_ACL_ALLOW && remember && acl->state)
		v->state = eipfix_acl_state_insert(acl->state, &c, v->rule, now);
}
