// SPDX-License-Identifier: GPL-2.0
/*
 * status and flows: what the kernel (and the agent, when one runs) holds,
 * for people (tables) and for programs (--json).
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "commands.h"
#include "config.h"
#include "ifnames.h"
#include "netlink.h"

static const char *const counter_names[__EIPFIX_CTR_A_MAX] = {
	[EIPFIX_CTR_A_PACKETS_SEEN] = "packets_seen",
	[EIPFIX_CTR_A_OCTETS_SEEN] = "octets_seen",
	[EIPFIX_CTR_A_FLOWS_CREATED] = "flows_created",
	[EIPFIX_CTR_A_FLOWS_EXPIRED] = "flows_expired",
	[EIPFIX_CTR_A_FLOWS_EVICTED] = "flows_evicted",
	[EIPFIX_CTR_A_FLOWS_NOT_CREATED] = "flows_not_created_table_full",
	[EIPFIX_CTR_A_FLOW_ALLOC_FAILED] = "flow_alloc_failed",
	[EIPFIX_CTR_A_RECORDS_QUEUED] = "records_queued",
	[EIPFIX_CTR_A_RECORDS_DELIVERED] = "records_delivered",
	[EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL] = "records_dropped_queue_full",
	[EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM] = "records_dropped_nomem",
	[EIPFIX_CTR_A_PARSE_ERRORS] = "parse_errors",
	[EIPFIX_CTR_A_ACL_DROPPED_PACKETS] = "acl_dropped_packets",
	[EIPFIX_CTR_A_ACL_DROPPED_OCTETS] = "acl_dropped_octets",
	[EIPFIX_CTR_A_RECORDS_IN_QUEUE] = "records_in_queue",
	[EIPFIX_CTR_A_FLOWS_ACTIVE] = "flows_active",
	[EIPFIX_CTR_A_ACL_REPLIES_ALLOWED] = "acl_replies_allowed",
	[EIPFIX_CTR_A_ACL_CONNS_CREATED] = "acl_conns_created",
	[EIPFIX_CTR_A_ACL_CONNS_EVICTED] = "acl_conns_evicted",
	[EIPFIX_CTR_A_ACL_CONNS_NOT_CREATED] = "acl_conns_not_created",
	[EIPFIX_CTR_A_ACL_CONNS_ACTIVE] = "acl_conns_active",
	[EIPFIX_CTR_A_CONFIG_GENERATION] = "config_generation",
	[EIPFIX_CTR_A_RECORDS_REQUEUED] = "records_requeued",
	[EIPFIX_CTR_A_RECORDS_UNACKED] = "records_unacked",
};

/* One rule as the profile has it, plus the packets it decided. */
static json_t *rule_json(const struct eipfix_acl_rule *r, uint64_t hits)
{
	char peer[INET6_ADDRSTRLEN + 8];
	/* Every range, as the profile can have them: "65535-65535," at most. */
	size_t cap = (size_t)r->n_ports * 12 + 1, n = 0;
	char *ports = calloc(1, cap);
	json_t *o = json_object();
	unsigned int i;

	json_object_set_new(o, "Action", json_string(eipfix_acl_action_name(r->action)));
	json_object_set_new(o, "Direction", json_string(eipfix_direction_name(r->direction)));
	if (r->family) {
		inet_ntop(r->family, r->peer, peer, sizeof(peer));
		snprintf(peer + strlen(peer), sizeof(peer) - strlen(peer), "/%u", r->prefix_len);
		json_object_set_new(o, "Peer", json_string(peer));
	}
	json_object_set_new(o, "Protocol", json_string(eipfix_acl_proto_name(r->protocol)));
	for (i = 0; ports && i < r->n_ports; i++) {
		n += snprintf(ports + n, cap - n, i ? ",%u" : "%u", r->ports[i].first);
		if (r->ports[i].last != r->ports[i].first)
			n += snprintf(ports + n, cap - n, "-%u", r->ports[i].last);
	}
	if (r->n_ports && ports)
		json_object_set_new(o, "Ports", json_string(ports));
	free(ports);
	if (r->description[0])
		json_object_set_new(o, "Description", json_string(r->description));
	json_object_set_new(o, "hits", json_integer((json_int_t)hits));
	return o;
}

/* The hits of the rules in force, as GET_COUNTERS gives them. */
struct acl_hits {
	uint64_t *rules;
	unsigned int n;
	uint64_t dflt;
};

static json_t *config_json(const struct eipfix_profile *p, uint32_t generation,
			   const struct acl_hits *hits)
{
	json_t *fm = json_object(), *cols = json_array(), *ifs = json_array();
	json_t *rules = json_array();
	unsigned int i;

	for (i = 0; i < p->n_collectors; i++)
		json_array_append_new(cols, json_string(p->collectors[i].text));
	for (i = 0; i < p->n_interfaces; i++)
		json_array_append_new(ifs, json_string(p->interfaces[i]));
	json_object_set_new(fm, "IpFixCollectors", cols);
	json_object_set_new(fm, "Direction", json_string(eipfix_direction_name(p->direction)));
	json_object_set_new(fm, "Interval", json_integer(p->interval_ms));
	json_object_set_new(fm, "Enabled", json_boolean(p->enabled));
	json_object_set_new(fm, "Interfaces", ifs);
	json_object_set_new(fm, "IdleTimeout", json_integer(p->idle_timeout_ms));
	json_object_set_new(fm, "ObservationDomainId", json_integer(p->observation_domain));
	json_object_set_new(fm, "TemplateRefresh", json_integer(p->template_refresh_s));
	json_object_set_new(fm, "MessageSize", json_integer(p->message_size));
	json_object_set_new(fm, "MaxFlows", json_integer(p->max_flows));
	json_object_set_new(fm, "AllowedFlowRule", json_boolean(p->allowed_flow_rule));
	for (i = 0; i < p->n_rules; i++)
		json_array_append_new(rules, rule_json(&p->rules[i],
						       i < hits->n ? hits->rules[i] : 0));
	return json_pack("{s:o, s:{s:s, s:I, s:o}, s:i, s:b}", "FlowMetadata", fm,
			 "AccessControl", "Default",
			 p->acl_default == EIPFIX_ACL_DENY ? "Deny" : "Allow",
			 "DefaultHits", (json_int_t)hits->dflt, "Rules", rules,
			 "generation", generation,
			 "metering", p->enabled && p->n_collectors);
}

static int status_usage(void)
{
	printf("Usage: userctl status [--json]\n\n"
	       "Shows the configuration in force in this network namespace, every\n"
	       "kernel counter and, when an agent runs, the agent's counters.\n"
	       "Needs CAP_NET_ADMIN.\n");
	return 0;
}

int status_main(int argc, char *argv[])
{
	uint64_t ctr[__EIPFIX_CTR_A_MAX];
	struct acl_hits hits = { 0 };
	struct eipfix_profile p;
	json_t *out, *kc, *agent;
	struct netlink *nl = NULL;
	uint32_t generation;
	char err[1024];
	int json = 0, i, ret;

	if (wants_help(argc, argv))
		return status_usage();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json")) {
			fprintf(stderr, "userctl status: unknown option \"%s\"; try --help\n", argv[i]);
			return 1;
		}
		json = 1;
	}
	ret = netlink_open(&nl, err, sizeof(err));
	if (!ret)
		ret = netlink_get_config(nl, &p, &generation, err, sizeof(err));
	if (!ret) {
		ret = netlink_get_counters(nl, ctr, err, sizeof(err));
		if (!ret)
			ret = netlink_get_acl_hits(nl, &hits.rules, &hits.n, &hits.dflt,
						   err, sizeof(err));
		if (ret)
			eipfix_profile_free(&p);
	}
	netlink_close(nl);
	if (ret) {
		fprintf(stderr, "userctl status: %s\n", err);
		return netlink_exit_code(ret);
	}
	kc = json_object();
	for (i = 1; i < __EIPFIX_CTR_A_MAX; i++)
		if (counter_names[i])
			json_object_set_new(kc, counter_names[i], json_integer(ctr[i]));
	agent = agent_state_read();
	out = json_pack("{s:o, s:o, s:o}", "config", config_json(&p, generation, &hits),
			"kernel", kc, "agent", agent ? agent : json_null());
	eipfix_profile_free(&p);
	free(hits.rules);
	if (json) {
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		const char *key;
		json_t *v;

		printf("config (generation %d):\n", (int)json_integer_value(
			json_object_get(json_object_get(out, "config"), "generation")));
		json_dumpf(json_object_get(out, "config"), stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\nkernel counters:\n");
		json_object_foreach(kc, key, v)
			printf("  %-30s %lld\n", key, (long long)json_integer_value(v));
		if (agent) {
			printf("agent:\n");
			json_object_foreach(agent, key, v) {
				char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

				printf("  %-30s %s\n", key, s ? s : "?");
				free(s);
			}
		} else {
			printf("agent: not running\n");
		}
	}
	json_decref(out);
	return 0;
}

/* ---- flows ---- */

struct flow_list {
	struct eipfix_record *v;
	size_t n, cap;
};

static int collect_flow(const struct eipfix_record *rec, void *arg)
{
	struct flow_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct eipfix_record *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *rec;
	return 0;
}

static int sort_key;	/* 0 octets, 1 packets, 2 start */

static int flow_cmp(const void *a, const void *b)
{
	const struct eipfix_record *x = a, *y = b;
	uint64_t vx = sort_key == 0 ? x->octets : sort_key == 1 ? x->packets : y->start_ms;
	uint64_t vy = sort_key == 0 ? y->octets : sort_key == 1 ? y->packets : x->start_ms;

	return vx < vy ? 1 : vx > vy ? -1 : 0;
}

static void addr_str(const struct eipfix_record *r, int src, char *buf, size_t len)
{
	inet_ntop(r->family, src ? (const void *)&r->src : (const void *)&r->dst, buf, len);
}

static const char *proto_name(uint8_t p, char *buf)
{
	switch (p) {
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMPV6: return "icmp6";
	}
	sprintf(buf, "%u", p);
	return buf;
}

/* The interfaces of the flows shown: each looked up once. */
static struct ifnames names;

static json_t *flow_json(const struct eipfix_record *r)
{
	const char *ifn = ifnames_name(&names, r->ifindex, 0);
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	json_t *o;

	addr_str(r, 1, s, sizeof(s));
	addr_str(r, 0, d, sizeof(d));
	o = json_pack("{s:s, s:i, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:s}",
		      "interface", ifn, "ifindex", r->ifindex,
		      "direction", r->direction == EIPFIX_DIR_RECEIVED ? "ReceivedFromPeer" : "SendingToPeer",
		      "protocol", r->protocol, "src", s, "dst", d,
		      "packets", (json_int_t)r->packets, "octets", (json_int_t)r->octets,
		      "start_ms", (json_int_t)r->start_ms, "end_ms", (json_int_t)r->end_ms,
		      "status", r->fwd_status == EIPFIX_FWD_DROPPED_ACL ? "dropped" : "forwarded");
	if (r->protocol == IPPROTO_TCP || r->protocol == IPPROTO_UDP) {
		json_object_set_new(o, "src_port", json_integer(r->src_port));
		json_object_set_new(o, "dst_port", json_integer(r->dst_port));
	}
	if (r->protocol == IPPROTO_TCP)
		json_object_set_new(o, "tcp_flags", json_integer(r->tcp_flags));
	if (r->protocol == IPPROTO_ICMP || r->protocol == IPPROTO_ICMPV6) {
		json_object_set_new(o, "icmp_type", json_integer(r->icmp_type));
		json_object_set_new(o, "icmp_code", json_integer(r->icmp_code));
	}
	if (r->fwd_status == EIPFIX_FWD_DROPPED_ACL || r->has_acl_rule)
		json_object_set_new(o, "acl_rule", json_integer(r->acl_rule));
	return o;
}

/*
 * Which rule dropped the flow: "DROPPED(acl rule N)" with N its place in
 * AccessControl.Rules counted from 1 (the kernel's and the IPFIX export's
 * numbering), "DROPPED(acl default)" for the Default. Which allowed it,
 * when the flow says (AllowedFlowRule): "ALLOWED(acl rule N)",
 * "ALLOWED(acl default)"; else "forwarded".
 */
static const char *verdict_str(const struct eipfix_record *r, char *buf, size_t len)
{
	bool dropped = r->fwd_status == EIPFIX_FWD_DROPPED_ACL;
	const char *what = dropped ? "DROPPED" : "ALLOWED";

	if (!dropped && !r->has_acl_rule)
		return "forwarded";
	if (r->acl_rule)
		snprintf(buf, len, "%s(acl rule %u)", what, r->acl_rule);
	else
		snprintf(buf, len, "%s(acl default)", what);
	return buf;
}

static void flow_line(const struct eipfix_record *r)
{
	const char *ifn = ifnames_name(&names, r->ifindex, 0);
	char s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8], pb[8];
	char vb[32];
	size_t n;

	addr_str(r, 1, s, sizeof(s));
	addr_str(r, 0, d, sizeof(d));
	if (r->protocol == IPPROTO_TCP || r->protocol == IPPROTO_UDP) {
		n = strlen(s);
		snprintf(s + n, sizeof(s) - n, ":%u", r->src_port);
		n = strlen(d);
		snprintf(d + n, sizeof(d) - n, ":%u", r->dst_port);
	} else if (r->protocol == IPPROTO_ICMP || r->protocol == IPPROTO_ICMPV6) {
		n = strlen(d);
		snprintf(d + n, sizeof(d) - n, " [%u/%u]", r->icmp_type, r->icmp_code);
	}
	printf("%-8s %-3s %-6s %-30s %-36s %10llu %12llu %s\n", ifn[0] ? ifn : "?",
	       r->direction == EIPFIX_DIR_RECEIVED ? "in" : "out",
	       proto_name(r->protocol, pb), s, d, (unsigned long long)r->packets,
	       (unsigned long long)r->octets,
	       verdict_str(r, vb, sizeof(vb)));
}

static int flows_usage(void)
{
	printf("Usage: userctl flows [--json] [--sort octets|packets|start]\n\n"
	       "Shows the live flow table of this network namespace: each flow's\n"
	       "counts since its last record. Flows of packets dropped by the Access\n"
	       "Control Rules are marked with the rule that dropped them: DROPPED(acl\n"
	       "rule N), N counting AccessControl.Rules from 1, or DROPPED(acl default).\n"
	       "With FlowMetadata.AllowedFlowRule, allowed flows are marked with the rule\n"
	       "that allowed them: ALLOWED(acl rule N) or ALLOWED(acl default).\n"
	       "Needs CAP_NET_ADMIN.\n");
	return 0;
}

int flows_main(int argc, char *argv[])
{
	struct flow_list l = { 0 };
	struct netlink *nl;
	char err[1024];
	int json = 0, i, ret;
	size_t k;

	if (wants_help(argc, argv))
		return flows_usage();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--sort") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "octets"))
				sort_key = 0;
			else if (!strcmp(argv[i], "packets"))
				sort_key = 1;
			else if (!strcmp(argv[i], "start"))
				sort_key = 2;
			else {
				fprintf(stderr, "userctl flows: --sort takes octets, packets or start\n");
				return 1;
			}
		} else {
			fprintf(stderr, "userctl flows: unknown option \"%s\"; try --help\n", argv[i]);
			return 1;
		}
	}
	ret = netlink_open(&nl, err, sizeof(err));
	if (!ret) {
		ret = netlink_dump_flows(nl, collect_flow, &l, err, sizeof(err));
		netlink_close(nl);
	}
	if (ret) {
		fprintf(stderr, "userctl flows: %s\n", err);
		free(l.v);
		return netlink_exit_code(ret);
	}
	qsort(l.v, l.n, sizeof(*l.v), flow_cmp);
	ifnames_init(&names, NULL, NULL);
	if (json) {
		json_t *arr = json_array();

		for (k = 0; k < l.n; k++)
			json_array_append_new(arr, flow_json(&l.v[k]));
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(arr);
	} else {
		printf("%-8s %-3s %-6s %-30s %-36s %10s %12s %s\n", "iface", "dir", "proto",
		       "source", "destination", "packets", "octets", "status");
		for (k = 0; k < l.n; k++)
			flow_line(&l.v[k]);
	}
	free(l.v);
	return 0;
}
