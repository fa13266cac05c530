// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX encoder: see ipfix.h for the templates and the API. Every template
 * is a table of (IE, length); data records are written by walking the same
 * table, so a template and its records cannot disagree.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/enclave_ipfix.h>

#include "ipfix.h"
#include "util.h"

/* IANA IPFIX Information Element identifiers used here. */
enum {
	IE_OCTET_DELTA_COUNT = 1,
	IE_PACKET_DELTA_COUNT = 2,
	IE_PROTOCOL_IDENTIFIER = 4,
	IE_IP_CLASS_OF_SERVICE = 5,
	IE_TCP_CONTROL_BITS = 6,
	IE_SOURCE_TRANSPORT_PORT = 7,
	IE_SOURCE_IPV4_ADDRESS = 8,
	IE_INGRESS_INTERFACE = 10,
	IE_DESTINATION_TRANSPORT_PORT = 11,
	IE_DESTINATION_IPV4_ADDRESS = 12,
	IE_EGRESS_INTERFACE = 14,
	IE_SOURCE_IPV6_ADDRESS = 27,
	IE_DESTINATION_IPV6_ADDRESS = 28,
	IE_ICMP_TYPE_CODE_IPV4 = 32,
	IE_EXPORTED_MESSAGE_TOTAL_COUNT = 41,
	IE_EXPORTED_FLOW_RECORD_TOTAL_COUNT = 42,
	IE_FLOW_DIRECTION = 61,
	IE_INTERFACE_NAME = 82,
	IE_INTERFACE_DESCRIPTION = 83,
	IE_FORWARDING_STATUS = 89,
	IE_FLOW_END_REASON = 136,
	IE_ICMP_TYPE_CODE_IPV6 = 139,
	IE_FIREWALL_EVENT = 233,
	IE_EXPORTING_PROCESS_ID = 144,
	IE_OBSERVATION_DOMAIN_ID = 149,
	IE_FLOW_START_MILLISECONDS = 152,
	IE_FLOW_END_MILLISECONDS = 153,
	IE_NOT_SENT_FLOW_TOTAL_COUNT = 166,
	IE_NOT_SENT_PACKET_TOTAL_COUNT = 167,
	IE_NOT_SENT_OCTET_TOTAL_COUNT = 168,
	IE_OBSERVATION_TIME_MILLISECONDS = 323,
};

/*
 * Enterprise-specific elements, under IPFIX_PEN (see ipfix.h): the IANA
 * registry has firewallEvent (233) to say that a flow was denied, but no
 * element for which rule of a rule list decided it, nor for the rule's text.
 * Written with the enterprise bit set, as they go on the wire (RFC 7011
 * §3.2), which also keeps them apart from the IANA numbers here.
 */
#define IE_ENTERPRISE 0x8000
enum {
	IE_X_ACL_RULE = IE_ENTERPRISE | 1,	/* unsigned32: 1.. a rule, 0 Default */
	IE_X_ACL_RULE_DESCRIPTION = IE_ENTERPRISE | 2,	/* string */
};

/* firewallEvent 3: "Flow Denied" (IANA registry, firewallEvent values). */
#define FIREWALL_EVENT_DENIED 3

/* A field of variable length (RFC 7011 §7): its length travels with it. */
#define VARLEN 0xffff

/*
 * Interface names are sent fixed-length, zero-padded: nfdump (1.7) reads
 * an options record only when every field has a fixed length, and a Linux
 * name is at most 15 octets (IFNAMSIZ 16, with its NUL).
 */
#define IFNAME_FIELD 16

struct field {
	uint16_t ie;
	uint16_t len;
};

#define ADDR4 { IE_SOURCE_IPV4_ADDRESS, 4 }, { IE_DESTINATION_IPV4_ADDRESS, 4 }
#define ADDR6 { IE_SOURCE_IPV6_ADDRESS, 16 }, { IE_DESTINATION_IPV6_ADDRESS, 16 }
#define PORTS { IE_SOURCE_TRANSPORT_PORT, 2 }, { IE_DESTINATION_TRANSPORT_PORT, 2 }
#define PROTO_TOS { IE_PROTOCOL_IDENTIFIER, 1 }, { IE_IP_CLASS_OF_SERVICE, 1 }
#define TAIL \
	{ IE_INGRESS_INTERFACE, 4 }, { IE_EGRESS_INTERFACE, 4 }, \
	{ IE_OCTET_DELTA_COUNT, 8 }, { IE_PACKET_DELTA_COUNT, 8 }, \
	{ IE_FLOW_START_MILLISECONDS, 8 }, { IE_FLOW_END_MILLISECONDS, 8 }, \
	{ IE_FLOW_END_REASON, 1 }, { IE_FLOW_DIRECTION, 1 }, \
	{ IE_FORWARDING_STATUS, 1 }
/* What a dropped flow's record adds: that it was denied, and by which rule. */
#define DENIED \
	{ IE_FIREWALL_EVENT, 1 }, { IE_X_ACL_RULE, 4 }

static const struct field f_ipv4_tcp[] = {
	ADDR4, PORTS, PROTO_TOS, { IE_TCP_CONTROL_BITS, 2 }, TAIL };
static const struct field f_ipv6_tcp[] = {
	ADDR6, PORTS, PROTO_TOS, { IE_TCP_CONTROL_BITS, 2 }, TAIL };
static const struct field f_ipv4_udp[] = { ADDR4, PORTS, PROTO_TOS, TAIL };
static const struct field f_ipv6_udp[] = { ADDR6, PORTS, PROTO_TOS, TAIL };
static const struct field f_ipv4_raw[] = { ADDR4, PROTO_TOS, TAIL };
static const struct field f_ipv6_raw[] = { ADDR6, PROTO_TOS, TAIL };
static const struct field f_icmpv4[] = {
	ADDR4, { IE_ICMP_TYPE_CODE_IPV4, 2 }, PROTO_TOS, TAIL };
static const struct field f_icmpv6[] = {
	ADDR6, { IE_ICMP_TYPE_CODE_IPV6, 2 }, PROTO_TOS, TAIL };
/* The same for flows the Access Control Rules dropped. */
static const struct field f_ipv4_tcp_denied[] = {
	ADDR4, PORTS, PROTO_TOS, { IE_TCP_CONTROL_BITS, 2 }, TAIL, DENIED };
static const struct field f_ipv6_tcp_denied[] = {
	ADDR6, PORTS, PROTO_TOS, { IE_TCP_CONTROL_BITS, 2 }, TAIL, DENIED };
static const struct field f_ipv4_udp_denied[] = {
	ADDR4, PORTS, PROTO_TOS, TAIL, DENIED };
static const struct field f_ipv6_udp_denied[] = {
	ADDR6, PORTS, PROTO_TOS, TAIL, DENIED };
static const struct field f_ipv4_raw_denied[] = { ADDR4, PROTO_TOS, TAIL, DENIED };
static const struct field f_ipv6_raw_denied[] = { ADDR6, PROTO_TOS, TAIL, DENIED };
static const struct field f_icmpv4_denied[] = {
	ADDR4, { IE_ICMP_TYPE_CODE_IPV4, 2 }, PROTO_TOS, TAIL, DENIED };
static const struct field f_icmpv6_denied[] = {
	ADDR6, { IE_ICMP_TYPE_CODE_IPV6, 2 }, PROTO_TOS, TAIL, DENIED };
/* The same for allowed flows that name the rule that allowed them. */
#define ALLOWED_BY { IE_X_ACL_RULE, 4 }
static const struct field f_ipv4_tcp_allowed[] = {
	ADDR4, PORTS, PROTO_TOS, { IE_TCP_CONTROL_BITS, 2 }, TAIL, ALLOWED_BY };
static const struct field f_ipv6_tcp_allowed[] = {
	ADDR6, PORTS, PROTO_TOS, { IE_TCP_CONTROL_BITS, 2 }, TAIL, ALLOWED_BY };
static const struct field f_ipv4_udp_allowed[] = {
	ADDR4, PORTS, PROTO_TOS, TAIL, ALLOWED_BY };
static const struct field f_ipv6_udp_allowed[] = {
	ADDR6, PORTS, PROTO_TOS, TAIL, ALLOWED_BY };
static const struct field f_ipv4_raw_allowed[] = { ADDR4, PROTO_TOS, TAIL, ALLOWED_BY };
static const struct field f_ipv6_raw_allowed[] = { ADDR6, PROTO_TOS, TAIL, ALLOWED_BY };
static const struct field f_icmpv4_allowed[] = {
	ADDR4, { IE_ICMP_TYPE_CODE_IPV4, 2 }, PROTO_TOS, TAIL, ALLOWED_BY };
static const struct field f_icmpv6_allowed[] = {
	ADDR6, { IE_ICMP_TYPE_CODE_IPV6, 2 }, PROTO_TOS, TAIL, ALLOWED_BY };
static const struct field f_reliability[] = {
	{ IE_EXPORTING_PROCESS_ID, 4 },		/* scope */
	{ IE_NOT_SENT_FLOW_TOTAL_COUNT, 8 },
	{ IE_NOT_SENT_PACKET_TOTAL_COUNT, 8 },
	{ IE_NOT_SENT_OCTET_TOTAL_COUNT, 8 },
	{ IE_OBSERVATION_TIME_MILLISECONDS, 8 },
	{ IE_OBSERVATION_TIME_MILLISECONDS, 8 },
	{ IE_EXPORTED_MESSAGE_TOTAL_COUNT, 8 },
	{ IE_EXPORTED_FLOW_RECORD_TOTAL_COUNT, 8 },
};
/*
 * The interface table of an Observation Domain, as routers export it: the
 * domain is the scope, so that the table can travel in messages of
 * Observation Domain 0 with the other options (see ipfix_msg_end), and
 * ingressInterface is a plain field (where nfdump looks for it).
 */
static const struct field f_ifname[] = {
	{ IE_OBSERVATION_DOMAIN_ID, 4 },	/* scope */
	{ IE_INGRESS_INTERFACE, 4 },
	{ IE_INTERFACE_NAME, IFNAME_FIELD },
	/* the same name again: nfdump reads interface names from this one */
	{ IE_INTERFACE_DESCRIPTION, IFNAME_FIELD },
};
/*
 * The rule table of an Observation Domain, so that a collector can put the
 * profile's words beside the rule number of a dropped flow. Scoped like
 * the interface table, by the flows' domain, plus the rule.
 */
static const struct field f_rule[] = {
	{ IE_OBSERVATION_DOMAIN_ID, 4 },	/* scope */
	{ IE_X_ACL_RULE, 4 },		/* scope */
	{ IE_X_ACL_RULE_DESCRIPTION, VARLEN },
};

#define T(a, scope) { a, ARRAY_SIZE(a), scope }

static const struct tmpl {
	const struct field *f;
	uint16_t n;
	uint16_t scope;		/* > 0: an options template */
} templates[IPFIX_NTEMPLATES] = {
	T(f_ipv4_tcp, 0), T(f_ipv6_tcp, 0), T(f_ipv4_udp, 0), T(f_ipv6_udp, 0),
	T(f_ipv4_raw, 0), T(f_ipv6_raw, 0), T(f_icmpv4, 0), T(f_icmpv6, 0),
	T(f_reliability, 1), T(f_ifname, 1),
	T(f_ipv4_tcp_denied, 0), T(f_ipv6_tcp_denied, 0),
	T(f_ipv4_udp_denied, 0), T(f_ipv6_udp_denied, 0),
	T(f_ipv4_raw_denied, 0), T(f_ipv6_raw_denied, 0),
	T(f_icmpv4_denied, 0), T(f_icmpv6_denied, 0),
	T(f_rule, 2),
	T(f_ipv4_tcp_allowed, 0), T(f_ipv6_tcp_allowed, 0),
	T(f_ipv4_udp_allowed, 0), T(f_ipv6_udp_allowed, 0),
	T(f_ipv4_raw_allowed, 0), T(f_ipv6_raw_allowed, 0),
	T(f_icmpv4_allowed, 0), T(f_icmpv6_allowed, 0),
};

_Static_assert(IPFIX_NTEMPLATES <= 32, "template bits are a uint32_t");
#define ALL_TEMPLATES ((1u << IPFIX_NTEMPLATES) - 1)
/*
 * 275..282, written only once a record needs one: a profile without
 * AllowedFlowRule exports what it did before they existed.
 */
#define ON_DEMAND (ALL_TEMPLATES & ~((1u << (IPFIX_TID_IPV4_TCP_ALLOWED - \
					      IPFIX_TID_FIRST)) - 1))

static const struct tmpl *tmpl_get(uint16_t tid)
{
	if (tid < IPFIX_TID_FIRST || tid >= __IPFIX_TID_END)
		return NULL;
	return &templates[tid - IPFIX_TID_FIRST];
}

static uint32_t tid_bit(uint16_t tid)
{
	return 1u << (tid - IPFIX_TID_FIRST);
}

/*
 * The Observation Domain a template and its records belong to. Flow records
 * are the configured domain's. Options records (reliability statistics,
 * interface tables) describe the Exporting Process, not one domain's
 * traffic: RFC 7011 §3.1 says their messages SHOULD carry Observation
 * Domain ID 0. That also keeps them out of the flow domain's sequence
 * numbers, which collectors that count flow records only (nfdump) check.
 * When the configured domain is 0 itself, there is one domain.
 */
static enum ipfix_domain tid_domain(const struct ipfix_writer *w, uint16_t tid)
{
	return w->odid && tmpl_get(tid)->scope ? IPFIX_DOM_OPTIONS :
		IPFIX_DOM_FLOWS;
}

/*
 * A message carries one Observation Domain: the one of its first set. A
 * set of another domain does not fit (-ENOSPC): the caller ends the
 * message and begins the next, as when it is full.
 */
static int domain_claim(struct ipfix_writer *w, uint16_t tid)
{
	enum ipfix_domain d = tid_domain(w, tid);

	if (w->msg_dom == IPFIX_DOM_NONE)
		w->msg_dom = d;
	return w->msg_dom == d ? 0 : -ENOSPC;
}

static uint8_t *put8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	p = put32(p, v >> 32);
	return put32(p, (uint32_t)v);
}

static uint8_t *putmem(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

int ipfix_writer_set_max(struct ipfix_writer *w, size_t max_msg)
{
	if (max_msg < IPFIX_MSG_MIN || max_msg > IPFIX_MSG_MAX)
		return -EINVAL;
	w->max_msg = max_msg;
	return 0;
}

int ipfix_writer_init(struct ipfix_writer *w, uint32_t odid, size_t max_msg)
{
	memset(w, 0, sizeof(*w));
	w->odid = odid;
	return ipfix_writer_set_max(w, max_msg);
}

void ipfix_writer_set_padding(struct ipfix_writer *w, bool on)
{
	w->pad_sets = on;
}

void ipfix_session_reset(struct ipfix_writer *w)
{
	w->seq = 0;
	w->opt_seq = 0;
	w->announced = 0;
	w->used = 0;
	w->pending = 0;
	w->templates_sent = false;
	w->templates_time = 0;
}

/* The template of an allowed flow's record, by family and protocol. */
static uint16_t flow_template(const struct eipfix_record *r)
{
	bool v6 = r->family == AF_INET6;

	switch (r->protocol) {
	case IPPROTO_TCP:
		return v6 ? IPFIX_TID_IPV6_TCP : IPFIX_TID_IPV4_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:	/* the same ports (RFC 3828 §3) */
		return v6 ? IPFIX_TID_IPV6_UDP : IPFIX_TID_IPV4_UDP;
	case IPPROTO_ICMP:	/* only meaningful over IPv4 */
		return v6 ? IPFIX_TID_IPV6_RAW : IPFIX_TID_ICMPV4;
	case IPPROTO_ICMPV6:	/* only meaningful over IPv6 */
		return v6 ? IPFIX_TID_ICMPV6 : IPFIX_TID_IPV4_RAW;
	default:
		return v6 ? IPFIX_TID_IPV6_RAW : IPFIX_TID_IPV4_RAW;
	}
}

uint16_t ipfix_template_for(const struct eipfix_record *r)
{
	uint16_t tid = flow_template(r);

	/* the denied templates are the allowed ones plus DENIED, in order */
	if (r->fwd_status == EIPFIX_FWD_DROPPED_ACL)
		tid += IPFIX_TID_IPV4_TCP_DENIED - IPFIX_TID_IPV4_TCP;
	/* and those naming the rule that allowed, plus ALLOWED_BY */
	else if (r->has_acl_rule)
		tid += IPFIX_TID_IPV4_TCP_ALLOWED - IPFIX_TID_IPV4_TCP;
	return tid;
}

size_t ipfix_record_len(uint16_t tid, const struct eipfix_record *r)
{
	const struct tmpl *t = tmpl_get(tid);
	size_t len = 0;

	(void)r;
	if (!t)
		return 0;
	for (unsigned int i = 0; i < t->n; i++)
		len += t->f[i].len;
	return len;
}

size_t ipfix_template_record_len(uint16_t tid)
{
	const struct tmpl *t = tmpl_get(tid);
	size_t len;

	if (!t)
		return 0;
	len = (t->scope ? 6 : 4) + 4u * t->n;
	for (unsigned int i = 0; i < t->n; i++)
		len += t->f[i].ie & IE_ENTERPRISE ? 4 : 0;	/* its PEN */
	return len;
}

int ipfix_msg_begin(struct ipfix_writer *w, uint8_t *buf, size_t cap,
		    uint32_t export_time_s)
{
	if (w->open)
		return -EBUSY;
	if (!buf || cap < IPFIX_HDR_LEN + IPFIX_SET_HDR_LEN)
		return -EINVAL;
	w->buf = buf;
	w->limit = cap < w->max_msg ? cap : w->max_msg;
	w->len = IPFIX_HDR_LEN;
	w->set_id = 0;
	w->set_off = 0;
	w->export_time = export_time_s;
	w->nrec = 0;
	w->nflows = 0;
	w->msg_dom = IPFIX_DOM_NONE;
	w->open = true;
	memset(buf, 0, IPFIX_HDR_LEN);
	return 0;
}

static size_t pad_len(const struct ipfix_writer *w, size_t set_len)
{
	return w->pad_sets ? (4 - set_len % 4) % 4 : 0;
}

static void set_close(struct ipfix_writer *w)
{
	size_t set_len, pad;

	if (!w->set_id)
		return;
	set_len = w->len - w->set_off;
	pad = pad_len(w, set_len);
	memset(w->buf + w->len, 0, pad);
	w->len += pad;
	put16(w->buf + w->set_off, w->set_id);
	put16(w->buf + w->set_off + 2, set_len + pad);
	w->set_id = 0;
}

/*
 * Make room for n octets in a set with this id, opening it (and closing the
 * one before) if needed. Room counts the padding the set will need when it
 * is closed. Returns where to write, or NULL when the message is full.
 */
static uint8_t *set_reserve(struct ipfix_writer *w, uint16_t set_id, size_t n)
{
	bool same = w->set_id == set_id;
	size_t set_off, set_len;

	if (same)
		set_off = w->set_off;
	else if (w->set_id)	/* the open set gets its padding first */
		set_off = w->len + pad_len(w, w->len - w->set_off);
	else
		set_off = w->len;
	set_len = same ? w->len + n - set_off : IPFIX_SET_HDR_LEN + n;
	if (set_off + set_len + pad_len(w, set_len) > w->limit ||
	    set_len > 0xffff)
		return NULL;
	if (!same) {
		set_close(w);
		w->set_off = w->len;
		w->set_id = set_id;
		w->len += IPFIX_SET_HDR_LEN;
	}
	w->len += n;
	return w->buf + w->len - n;
}

bool ipfix_templates_due(const struct ipfix_writer *w, uint32_t now_s,
			 uint32_t refresh_s)
{
	if (w->pending)
		return false;
	if (!w->templates_sent)
		return true;
	return now_s < w->templates_time ||
	       now_s - w->templates_time >= refresh_s;
}

bool ipfix_templates_pending(const struct ipfix_writer *w)
{
	return w->pending != 0;
}

static uint8_t *put_template(uint8_t *p, uint16_t tid)
{
	const struct tmpl *t = tmpl_get(tid);

	p = put16(p, tid);
	p = put16(p, t->n);
	if (t->scope)
		p = put16(p, t->scope);
	for (unsigned int i = 0; i < t->n; i++) {
		/* RFC 7011 §3.2: the enterprise bit, then the number after */
		p = put16(p, t->f[i].ie);
		p = put16(p, t->f[i].len);
		if (t->f[i].ie & IE_ENTERPRISE)
			p = put32(p, IPFIX_PEN);
	}
	return p;
}

int ipfix_add_templates(struct ipfix_writer *w)
{
	if (!w->open)
		return -EINVAL;
	if (!w->pending) {
		w->pending = (ALL_TEMPLATES & ~ON_DEMAND) | w->used;
		w->round_time = w->export_time;
	}
	/*
	 * Flow templates first, then options templates: with two domains that
	 * is one message for each, whatever order the IDs were given in.
	 */
	for (unsigned int i = 0; i < 2 * IPFIX_NTEMPLATES; i++) {
		uint16_t tid = IPFIX_TID_FIRST + i % IPFIX_NTEMPLATES;
		bool opt = tmpl_get(tid)->scope;
		uint8_t *p;

		if (!(w->pending & tid_bit(tid)) || opt != (i >= IPFIX_NTEMPLATES))
			continue;
		if (domain_claim(w, tid))
			return -ENOSPC;
		/*
		 * One Options Template Record per set: pmacct (1.7.7) steps
		 * over an options template by 6 + 4 * (field count + scope
		 * field count) octets, 4 too many per scope field, and drops
		 * the rest of the message when a second one follows in the
		 * same set. RFC 7011 §3.3 allows any number of sets.
		 */
		if (opt)
			set_close(w);
		p = set_reserve(w, opt ? IPFIX_SET_OPTIONS_TEMPLATE :
				IPFIX_SET_TEMPLATE, ipfix_template_record_len(tid));
		if (!p)
			return -ENOSPC;
		put_template(p, tid);
		w->pending &= ~tid_bit(tid);
		w->announced |= tid_bit(tid);
	}
	w->templates_sent = true;
	w->templates_time = w->round_time;
	return 0;
}

static uint8_t *put_field(uint8_t *p, uint16_t ie,
			  const struct eipfix_record *r)
{
	bool in = r->direction == EIPFIX_DIR_RECEIVED;

	switch (ie) {
	case IE_SOURCE_IPV4_ADDRESS:
		return putmem(p, &r->src.v4, 4);
	case IE_DESTINATION_IPV4_ADDRESS:
		return putmem(p, &r->dst.v4, 4);
	case IE_SOURCE_IPV6_ADDRESS:
		return putmem(p, &r->src.v6, 16);
	case IE_DESTINATION_IPV6_ADDRESS:
		return putmem(p, &r->dst.v6, 16);
	case IE_SOURCE_TRANSPORT_PORT:
		return put16(p, r->src_port);
	case IE_DESTINATION_TRANSPORT_PORT:
		return put16(p, r->dst_port);
	case IE_ICMP_TYPE_CODE_IPV4:
	case IE_ICMP_TYPE_CODE_IPV6:
		return put16(p, (uint16_t)(r->icmp_type << 8 | r->icmp_code));
	case IE_PROTOCOL_IDENTIFIER:
		return put8(p, r->protocol);
	case IE_IP_CLASS_OF_SERVICE:
		return put8(p, r->tos);
	case IE_TCP_CONTROL_BITS:
		return put16(p, r->tcp_flags);
	case IE_INGRESS_INTERFACE:
		return put32(p, in ? r->ifindex : 0);
	case IE_EGRESS_INTERFACE:
		return put32(p, in ? 0 : r->ifindex);
	case IE_OCTET_DELTA_COUNT:
		return put64(p, r->octets);
	case IE_PACKET_DELTA_COUNT:
		return put64(p, r->packets);
	case IE_FLOW_START_MILLISECONDS:
		return put64(p, r->start_ms);
	case IE_FLOW_END_MILLISECONDS:
		return put64(p, r->end_ms);
	case IE_FLOW_END_REASON:
		return put8(p, r->end_reason);
	case IE_FLOW_DIRECTION:
		return put8(p, in ? 0 : 1);
	case IE_FORWARDING_STATUS:
		return put8(p, r->fwd_status);
	case IE_FIREWALL_EVENT:
		return put8(p, FIREWALL_EVENT_DENIED);
	case IE_X_ACL_RULE:
		return put32(p, r->acl_rule);
	}
	return p;	/* not reached: every IE of the flow templates is above */
}

static int data_begin(struct ipfix_writer *w, uint16_t tid, size_t n,
		      uint8_t **p)
{
	if (!w->open)
		return -EINVAL;
	if (!(w->announced & tid_bit(tid)))
		return -ENOENT;
	if (domain_claim(w, tid))
		return -ENOSPC;
	*p = set_reserve(w, tid, n);
	if (!*p)
		return -ENOSPC;
	w->nrec++;
	return 0;
}

/*
 * Writes the on-demand template @tid into the open message, for the record
 * that needs it. *@undo keeps the message as it was, for data_undo().
 */
static int template_on_demand(struct ipfix_writer *w, uint16_t tid,
			      struct ipfix_writer *undo)
{
	uint8_t *p;

	if (!w->open)
		return -EINVAL;
	*undo = *w;
	if (domain_claim(w, tid))
		return -ENOSPC;
	p = set_reserve(w, IPFIX_SET_TEMPLATE, ipfix_template_record_len(tid));
	if (!p) {
		*w = *undo;
		return -ENOSPC;
	}
	put_template(p, tid);
	w->announced |= tid_bit(tid);
	w->used |= tid_bit(tid);
	return 0;
}

int ipfix_add_record(struct ipfix_writer *w, const struct eipfix_record *r)
{
	uint16_t tid = ipfix_template_for(r);
	const struct tmpl *t = tmpl_get(tid);
	struct ipfix_writer undo;
	bool fresh = false;
	uint8_t *p;
	int err;

	if (r->family != AF_INET && r->family != AF_INET6)
		return -EINVAL;
	if ((tid_bit(tid) & ON_DEMAND) && !(w->announced & tid_bit(tid))) {
		err = template_on_demand(w, tid, &undo);
		if (err)
			return err;
		fresh = true;
	}
	err = data_begin(w, tid, ipfix_record_len(tid, r), &p);
	if (err) {
		/* -ENOSPC writes nothing: the template goes with the record */
		if (fresh)
			*w = undo;
		return err;
	}
	for (unsigned int i = 0; i < t->n; i++)
		p = put_field(p, t->f[i].ie, r);
	w->nflows++;
	return 0;
}

int ipfix_add_reliability(struct ipfix_writer *w,
			  const struct ipfix_reliability *st)
{
	uint8_t *p;
	int err;

	err = data_begin(w, IPFIX_TID_OPT_RELIABILITY,
			 ipfix_record_len(IPFIX_TID_OPT_RELIABILITY, NULL), &p);
	if (err)
		return err;
	p = put32(p, st->exporting_process_id);
	p = put64(p, st->not_sent_flows);
	p = put64(p, st->not_sent_packets);
	p = put64(p, st->not_sent_octets);
	p = put64(p, st->first_drop_ms);
	p = put64(p, st->last_drop_ms);
	p = put64(p, st->exported_messages);
	put64(p, st->exported_flow_records);
	return 0;
}

size_t ipfix_rule_record_len(const char *description)
{
	size_t n = description ? strnlen(description, IPFIX_DESCRIPTION_MAX) : 0;

	/* RFC 7011 §7: one length octet below 255, else 255 and two more */
	return 4 + 4 + (n < 255 ? 1 : 3) + n;
}

int ipfix_add_rule(struct ipfix_writer *w, uint32_t rule,
		   const char *description)
{
	size_t n = description ? strnlen(description, IPFIX_DESCRIPTION_MAX) : 0;
	uint8_t *p;
	int err;

	err = data_begin(w, IPFIX_TID_OPT_RULE,
			 ipfix_rule_record_len(description), &p);
	if (err)
		return err;
	p = put32(p, w->odid);
	p = put32(p, rule);
	if (n < 255) {
		p = put8(p, n);
	} else {
		p = put8(p, 255);
		p = put16(p, n);
	}
	if (n)	/* memcpy wants a pointer, even for nothing */
		putmem(p, description, n);
	return 0;
}

int ipfix_add_ifname(struct ipfix_writer *w, uint32_t ifindex,
		     const char *name)
{
	char field[IFNAME_FIELD] = { 0 };
	uint8_t *p;
	int err;

	err = data_begin(w, IPFIX_TID_OPT_IFNAME,
			 ipfix_record_len(IPFIX_TID_OPT_IFNAME, NULL), &p);
	if (err)
		return err;
	if (name)	/* at least one NUL: a 15-octet name at most */
		memcpy(field, name, strnlen(name, IFNAME_FIELD - 1));
	p = put32(p, w->odid);
	p = put32(p, ifindex);
	p = putmem(p, field, IFNAME_FIELD);
	putmem(p, field, IFNAME_FIELD);
	return 0;
}

size_t ipfix_msg_end(struct ipfix_writer *w)
{
	bool opt = w->msg_dom == IPFIX_DOM_OPTIONS;
	uint32_t *seq = opt ? &w->opt_seq : &w->seq;
	uint8_t *p = w->buf;

	if (!w->open)
		return 0;
	set_close(w);
	w->msg_seq = *seq;
	p = put16(p, IPFIX_VERSION);
	p = put16(p, w->len);
	p = put32(p, w->export_time);
	p = put32(p, w->msg_seq);
	put32(p, opt ? 0 : w->odid);
	*seq += w->nrec;	/* mod 2^32 by unsigned arithmetic */
	w->open = false;
	return w->len;
}
