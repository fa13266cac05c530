// SPDX-License-Identifier: GPL-2.0
/*
 * The module's own netfilter hooks, per namespace, IPv4 and IPv6:
 * PRE_ROUTING for what is received from a peer on an overlay interface and
 * POST_ROUTING for what is sent to one. Packets of other interfaces leave
 * after one RCU read and a short ifindex compare. The Access Control Rules
 * are enforced here too: ingress on whole datagrams right after the kernel's
 * defragmentation, before anything else sees them; egress as they leave.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "hooks.h"
#include "acl.h"
#include "expiry.h"
#include "netns.h"
#include "parse.h"

/*
 * Ingress runs right after the kernel's defragmentation (nf_defrag_ipv4/6 at
 * -400, enabled in the namespace for as long as our hooks are registered), so
 * that the rules judge whole datagrams: no size, order or overlap of
 * fragments can show a rule a header its datagram does not have, and a
 * datagram is metered in its own flow (parse.c counts its fragments). Egress
 * runs after every other hook, as packets leave (fragmentation comes after
 * POST_ROUTING: what is seen there is whole already).
 */
#define EIPFIX_PRI_INGRESS (NF_IP_PRI_CONNTRACK_DEFRAG + 1)
#define EIPFIX_PRI_EGRESS (NF_IP_PRI_LAST - 1)

/* The wall clock in ms as of a jiffy: see eipfix_now_ms(). */
struct eipfix_clock {
	unsigned long tick;	/* jiffies when @ms was read */
	u64 ms;
};

static DEFINE_PER_CPU(struct eipfix_clock, eipfix_clock);

/*
 * The wall clock as of the last tick, in ms (Debian's HZ=250: up to 4 ms
 * old; ipt_NETFLOW's jiffies are as coarse): what records carry. The coarse
 * clock moves when the tick moves jiffies, so in softirq (whatever was
 * received, and what the stack sends from there) each CPU keeps the value
 * it read for the jiffy it read it in: one compare per packet, where the
 * call that reads the clock cost 15 instructions more (BENCHMARKS.md). A
 * reader between a tick's jiffies and its clock update keeps the older
 * value for that jiffy: the coarse clock's own lag, one tick more. Only
 * with bottom halves off: a softirq cannot then come in between the two
 * stores on this CPU (nor, on PREEMPT_RT, another task's bottom half). A
 * process sending with them on reads the clock itself.
 */
static __always_inline u64 eipfix_now_ms(void)
{
	struct eipfix_clock *clock;
	unsigned long now;

	if (!in_softirq())
		return ktime_to_ms(ktime_get_coarse_real());
	clock = this_cpu_ptr(&eipfix_clock);
	now = jiffies;
	if (unlikely(clock->tick != now || !clock->ms)) {
		clock->ms = ktime_to_ms(ktime_get_coarse_real());
		clock->tick = now;
	}
	return clock->ms;
}

static void eipfix_meter(struct eipfix_net *en, struct eipfix_table *table,
			 const struct eipfix_pkt *pkt)
{
	struct eipfix_counters __percpu *ctr = en->counters;
	struct eipfix_flow *evicted;

	eipfix_count(ctr, EIPFIX_CTR_A_PACKETS_SEEN, pkt->segs);
	eipfix_count(ctr, EIPFIX_CTR_A_OCTETS_SEEN, pkt->octets);
	switch (eipfix_table_account(table, pkt, eipfix_now_ms(), &evicted)) {
	case EIPFIX_ACCT_UPDATED:
		break;
	case EIPFIX_ACCT_CREATED:
		eipfix_count(ctr, EIPFIX_CTR_A_FLOWS_CREATED, 1);
		break;
	case EIPFIX_ACCT_NO_ROOM:
		eipfix_count(ctr, EIPFIX_CTR_A_FLOWS_NOT_CREATED, 1);
		break;
	case EIPFIX_ACCT_NOMEM:
		eipfix_count(ctr, EIPFIX_CTR_A_FLOW_ALLOC_FAILED, 1);
		break;
	}
	if (evicted)
		eipfix_expiry_evicted(en, evicted);
}

/* Counts what the Access Control Rules decided, and how. */
static void eipfix_count_acl(struct eipfix_net *en,
			     const struct eipfix_acl_verdict *v,
			     const struct eipfix_pkt *pkt)
{
	struct eipfix_counters __percpu *ctr = en->counters;

	if (v->via == EIPFIX_ACL_VIA_REPLY)
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_REPLIES_ALLOWED, pkt->segs);
	switch (v->state) {
	case EIPFIX_ACL_STATE_NONE:
		break;
	case EIPFIX_ACL_STATE_INSERTED:
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_CONNS_CREATED, 1);
		break;
	case EIPFIX_ACL_STATE_EVICTED:
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_CONNS_CREATED, 1);
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_CONNS_EVICTED, 1);
		break;
	case EIPFIX_ACL_STATE_FULL:
	case EIPFIX_ACL_STATE_NOMEM:
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_CONNS_NOT_CREATED, 1);
		break;
	}
	if (v->action == EIPFIX_ACL_DENY) {
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_DROPPED_PACKETS, pkt->segs);
		eipfix_count(ctr, EIPFIX_CTR_A_ACL_DROPPED_OCTETS, pkt->octets);
	}
}

/*
 * The Access Control Rules' verdict on @pkt, counted. A denied packet is
 * metered into a flow of its own (forwardingStatus 129, the deciding rule)
 * whatever Direction says: false, the caller meters it (if it meters at
 * all) and drops it. An allowed one carries the rule that allowed it (or
 * its connection) when the config asks.
 */
static bool eipfix_judge(struct eipfix_net *en, struct eipfix_acl *acl,
			 const struct eipfix_config *cfg, struct eipfix_pkt *pkt)
{
	struct eipfix_acl_verdict v;

	eipfix_acl_decide(acl, &pkt->key, pkt->has_inner ? &pkt->inner : NULL,
			  jiffies, pkt->segs, &v);
	eipfix_count_acl(en, &v, pkt);
	if (v.action == EIPFIX_ACL_DENY) {
		pkt->key.fwd_status = EIPFIX_FWD_DROPPED_ACL;
		pkt->acl_rule = v.rule;
		return false;
	}
	if (cfg->allowed_flow_rule)
		pkt->acl_rule = v.rule;
	return true;
}

/*
 * Multicast and broadcast a host sends on an interface are looped back to
 * its own sockets as a clone: on IPv4 the clone crosses POST_ROUTING before
 * the packet itself, on IPv6 after it, and then PRE_ROUTING as
 * PACKET_LOOPBACK. The packet is metered (and judged) once, as sent: the
 * clone never reaches a peer. On IPv6 the clone's hook goes on to
 * dev_loopback_xmit(), which tells it apart exactly. On IPv4 it goes on to
 * a function of ip_output.c's own, so: skb_clone() gave it no socket while
 * the hook is called with the sender's. A UDP tunnel (vxlan, geneve) also
 * sends with its socket and a packet owned by another, or by none: its
 * socket is an encapsulating one, which a sender of multicast is not. (A
 * multicast or broadcast the kernel sends without a socket, such as an IGMP
 * report, is not told apart on IPv4: it counts twice as sent.)
 */
static bool eipfix_loopback_clone(const struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct sock *sk = state->sk;

	if (state->hook == NF_INET_PRE_ROUTING)
		return skb->pkt_type == PACKET_LOOPBACK;
	if (state->pf == NFPROTO_IPV6)
		return state->okfn == dev_loopback_xmit;
	if (!sk || skb->sk || !sk_fullsock(sk) ||
	    (sk->sk_protocol == IPPROTO_UDP && udp_sk(sk)->encap_type))
		return false;
	return skb_rtable(skb) &&
	       skb_rtable(skb)->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST);
}

/*
 * What the stack fragments a datagram leaving here at (after our hook):
 * the fragments are what crosses the interface. 0 on ingress. The MTU
 * ip_finish_output() and ip6_finish_output() compare with; parse.c follows
 * them from there (ip_fragment(), ip6_fragment(), the GSO slow paths).
 */
static unsigned int eipfix_egress_mtu(struct sk_buff *skb,
				      const struct nf_hook_state *state, u8 dir)
{
	/* IPsec (xfrm) transforms first, and the stack does not fragment here. */
	if (dir != EIPFIX_DIR_SENDING || !skb_dst(skb) || dst_xfrm(skb_dst(skb)))
		return 0;
	/* The socket ip_finish_output() is given (a tunnel's, for its outer packets). */
	return state->pf == NFPROTO_IPV4 ? ip_skb_dst_mtu(state->sk, skb) :
					   ip6_skb_dst_mtu(skb);
}

/*
 * One function for every hook: the Access Control Rules first (when they
 * can deny anything, or name the rule of allowed flows: eipfix_judge()),
 * then metering. An allowed packet no rule judged (neighbour discovery, no
 * rules) carries no rule.
 */
unsigned int eipfix_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	struct eipfix_net *en = priv;
	u8 dir = state->hook == NF_INET_PRE_ROUTING ? EIPFIX_DIR_RECEIVED :
						      EIPFIX_DIR_SENDING;
	const struct net_device *dev = dir == EIPFIX_DIR_RECEIVED ? state->in :
								  state->out;
	const struct eipfix_ifset *ifset = rcu_dereference(en->ifset);
	const struct eipfix_config *cfg;
	struct eipfix_table *table;
	struct eipfix_acl *acl;
	/*
	 * The parser zeroes it, once, and only for an overlay's packets: not
	 * the compiler too, for every packet (Debian: INIT_STACK_ALL_ZERO).
	 */
	struct eipfix_pkt pkt __uninitialized;
	int malformed;
	bool meter, denied;

	if (!ifset || !dev || !eipfix_ifset_has(ifset, dev->ifindex))
		return NF_ACCEPT;
	if (eipfix_loopback_clone(skb, state))
		return NF_ACCEPT;
	table = rcu_dereference(en->table);
	cfg = rcu_dereference(en->config);
	acl = cfg->acl && cfg->acl->in_use ? cfg->acl : NULL;
	meter = table && eipfix_config_wants(cfg, dir);
	if (!meter && !acl)
		return NF_ACCEPT;

	malformed = eipfix_parse_skb(skb, state->pf, eipfix_egress_mtu(skb, state, dir),
				     &pkt);
	if (malformed) {
		if (net_ratelimit())
			pr_debug("malformed packet on %s\n", dev->name);
		eipfix_count(en->counters, EIPFIX_CTR_A_PARSE_ERRORS, 1);
		/*
		 * Not even an IP header to judge: nothing gets past a rule set
		 * whose Default is Deny that it cannot read.
		 */
		if (!pkt.key.family)
			return acl && acl->default_action == EIPFIX_ACL_DENY ?
			       NF_DROP : NF_ACCEPT;
	}
	/*
	 * Ingress runs after reassembly: a fragment still here is one the
	 * kernel would not reassemble (an IPv6 first fragment without its
	 * whole header chain, RFC 7112, which the stack drops after us), or
	 * one nf_defrag was told to leave alone (notrack before defrag,
	 * IP_NODEFRAG), which the stack reassembles later. Either way it has
	 * no ports for a rule to judge: where a rule could deny, it does not
	 * pass; otherwise it is metered as it is.
	 */
	if (pkt.fragment && dir == EIPFIX_DIR_RECEIVED && acl) {
		if (acl->can_deny) {
			if (!malformed)
				eipfix_count(en->counters, EIPFIX_CTR_A_PARSE_ERRORS, 1);
			return NF_DROP;
		}
		/* Allow rules alone (AllowedFlowRule): no ports to name one by. */
		acl = NULL;
	}
	pkt.key.ifindex = dev->ifindex;
	pkt.key.direction = dir;
	pkt.key.fwd_status = EIPFIX_FWD_FORWARDED;
	pkt.acl_rule = EIPFIX_ACL_RULE_NONE;

	/*
	 * Neighbour discovery is the link's own housekeeping (on-link only:
	 * hop limit 255), not traffic the rules are about: an L2 overlay
	 * under Default Deny must still resolve its peers.
	 */
	denied = acl && !pkt.nd && !eipfix_judge(en, acl, cfg, &pkt);
	/*
	 * Too big to leave: the stack drops it after us (ICMP fragmentation
	 * needed or Packet Too Big to its sender; the kernel counts it in
	 * FragFails). Nothing crossed the interface: not metered. One call
	 * of eipfix_meter(), so that it is inlined once.
	 */
	if (denied ? !!table : meter && !pkt.too_big)
		eipfix_meter(en, table, &pkt);
	return denied ? NF_DROP : NF_ACCEPT;
}

/*
 * Registered per namespace as a copy in its struct eipfix_net, whose
 * address is the hook's priv: no net_generic() lookup per packet (its RCU
 * read section is two calls on Debian's preemptible kernels).
 */
static const struct nf_hook_ops eipfix_hook_ops[] = {
	{
		.hook = eipfix_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = EIPFIX_PRI_INGRESS,
	},
	{
		.hook = eipfix_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = EIPFIX_PRI_EGRESS,
	},
	{
		.hook = eipfix_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = EIPFIX_PRI_INGRESS,
	},
	{
		.hook = eipfix_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = EIPFIX_PRI_EGRESS,
	},
};

/*
 * The namespace's copy of the hooks, once, when it is set up: never written
 * while netfilter may read it (a hook dump reads the ops it registered).
 */
void eipfix_hooks_init(struct eipfix_net *en)
{
	unsigned int i;

	BUILD_BUG_ON(sizeof(en->hook_ops) != sizeof(eipfix_hook_ops));
	memcpy(en->hook_ops, eipfix_hook_ops, sizeof(en->hook_ops));
	for (i = 0; i < ARRAY_SIZE(en->hook_ops); i++)
		en->hook_ops[i].priv = en;
}

/* Under en->lock. Our hooks and the defragmentation they rely on. */
int eipfix_hooks_register(struct eipfix_net *en)
{
	int ret;

	if (en->hooks_registered)
		return 0;
	ret = nf_defrag_ipv4_enable(en->net);
	if (ret)
		return ret;
	ret = nf_defrag_ipv6_enable(en->net);
	if (ret)
		goto out_v4;
	ret = nf_register_net_hooks(en->net, en->hook_ops,
				    ARRAY_SIZE(en->hook_ops));
	if (ret)
		goto out_v6;
	en->hooks_registered = true;
	return 0;
out_v6:
	nf_defrag_ipv6_disable(en->net);
out_v4:
	nf_defrag_ipv4_disable(en->net);
	return ret;
}

/* Under en->lock. */
void eipfix_hooks_unregister(struct eipfix_net *en)
{
	if (!en->hooks_registered)
		return;
	nf_unregister_net_hooks(en->net, en->hook_ops, ARRAY_SIZE(en->hook_ops));
	nf_defrag_ipv6_disable(en->net);
	nf_defrag_ipv4_disable(en->net);
	en->hooks_registered = false;
}
