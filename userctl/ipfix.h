/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPFIX encoder (RFC 7011, IEs from RFC 7012 / the IANA registry).
 *
 * Encoding only: no sockets, no clock. The caller owns the buffer and tells
 * the encoder what time it is, so every byte is testable.
 *
 * One struct ipfix_writer is one Transport Session: over UDP, one
 * exporter-to-collector pair. Flow records go in messages of the configured
 * Observation Domain (odid); options records (264, 265: the Exporting
 * Process's statistics and interface table) in messages of Observation
 * Domain 0, as RFC 7011 §3.1 recommends for records no one domain is
 * relevant to. Each domain has its own sequence number (the data records
 * sent before the current message in that domain, mod 2^32; template and
 * options template records do not count, options data records do: RFC 7011
 * §3.1); with odid 0 there is one domain and one number. A message holds
 * one domain's sets: a record or template of the other one gets -ENOSPC,
 * so the caller begins another message, as when one is full. The writer
 * also knows which templates the collector has been told about.
 *
 * Usage, per message:
 *
 *	ipfix_msg_begin(w, buf, cap, now_s);
 *	if (ipfix_templates_due(w, now_s, refresh_s) || ipfix_templates_pending(w))
 *		err = ipfix_add_templates(w);       // -ENOSPC: end, begin, again
 *	while (more && (err = ipfix_add_record(w, r)) == 0)
 *		...;                                 // -ENOSPC: message full
 *	len = ipfix_msg_end(w);                      // bytes in buf, >= 16
 *	if (ipfix_msg_has_sets(w)) send(buf, len);
 *
 * A message never exceeds min(cap, max_msg) bytes. Templates and options
 * templates go out in a refresh round (ipfix_add_templates), which spans
 * two messages when odid is not 0 (one per domain), and more when max_msg
 * is small (the eight templates alone are 500 bytes); a data record whose template has not yet been written in this
 * session is refused with -ENOENT, so a template set always precedes the
 * first data set using it. Sets are written without padding unless
 * ipfix_writer_set_padding() asks for 4-octet alignment (RFC 7011 §3.3.1:
 * padding octets are zero and shorter than the smallest record).
 *
 * Templates (IDs, fields in order, lengths in octets):
 *
 *   256 IPv4 TCP   257 IPv6 TCP   258 IPv4 UDP   259 IPv6 UDP
 *   260 IPv4 raw   261 IPv6 raw   262 ICMPv4     263 ICMPv6
 *   266..273: the same, in the same order, for flows the Access Control
 *   Rules dropped, with two more fields at the end (below)
 *
 *	sourceIPv4Address 8 (4) / sourceIPv6Address 27 (16)
 *	destinationIPv4Address 12 (4) / destinationIPv6Address 28 (16)
 *	sourceTransportPort 7 (2)             TCP, UDP (and UDP-Lite, 136,
 *	destinationTransportPort 11 (2)       TCP, UDP  in the UDP templates)
 *	icmpTypeCodeIPv4 32 / icmpTypeCodeIPv6 139 (2)  ICMP: type << 8 | code
 *	protocolIdentifier 4 (1)
 *	ipClassOfService 5 (1)
 *	tcpControlBits 6 (2)                  TCP
 *	ingressInterface 10 (4)
 *	egressInterface 14 (4)
 *	octetDeltaCount 1 (8)
 *	packetDeltaCount 2 (8)
 *	flowStartMilliseconds 152 (8)
 *	flowEndMilliseconds 153 (8)
 *	flowEndReason 136 (1)
 *	flowDirection 61 (1)                  0 ingress (received from peer),
 *	                                      1 egress (sending to peer)
 *	forwardingStatus 89 (1)               64 forwarded (reason unknown:
 *	                                      fragmentation is not tracked),
 *	                                      129 dropped (ACL deny); RFC 7270
 *	firewallEvent 233 (1)                 266..273 only: 3, Flow Denied
 *	aclRuleIndex PEN/1 (4)                266..273 only: the deciding rule,
 *	                                      its place in Rules from 1, 0 the
 *	                                      Default (record acl_rule)
 *
 *   275..282: 256..263, in the same order, for allowed flows that name the
 *   rule that allowed them (the profile's AllowedFlowRule), with one more
 *   field at the end:
 *
 *	aclRuleIndex PEN/1 (4)                the rule that allowed the flow,
 *	                                      numbered as above
 *
 *   No firewallEvent there: its IANA values for what is not denied (1 Flow
 *   Created, 2 Flow Deleted, 5 Flow Update) are events in the life of a
 *   firewall's connection, one record each (NSEL); ours are flow records,
 *   the first of which may be an interim one and none of which is the
 *   creation, and forwardingStatus 64 already says the flow was let
 *   through. These templates are written only once a record needs one
 *   (see ipfix_add_record): without AllowedFlowRule the export is as it was.
 *
 *   Interfaces: a received-from-peer flow carries the overlay ifindex in
 *   ingressInterface and 0 in egressInterface; a sending-to-peer flow the
 *   reverse. That is what a router's exporter says about a transit flow
 *   seen on one interface (the other side is the local stack, which has no
 *   ifindex), it keeps the two interface fields meaningful for collectors
 *   that aggregate by "in"/"out" interface (nfdump, most GUIs), and it
 *   agrees with flowDirection for collectors that only read one of them.
 *
 *   Options templates (RFC 7011 §3.4.2.2), one per Options Template Set
 *   (pmacct 1.7 and nfdump 1.7 read only the first options template of a
 *   set):
 *
 *   264 Exporting Process Reliability Statistics (RFC 7011 §4.3)
 *	scope: exportingProcessId 144 (4)
 *	notSentFlowTotalCount 166 (8)
 *	notSentPacketTotalCount 167 (8)
 *	notSentOctetTotalCount 168 (8)
 *	observationTimeMilliseconds 323 (8)   time the first flow was dropped
 *	observationTimeMilliseconds 323 (8)   time the last flow was dropped
 *	                                      (both 0 while nothing was dropped)
 *	exportedMessageTotalCount 41 (8)      messages sent in this session
 *	exportedFlowRecordTotalCount 42 (8)   flow records sent in this session
 *
 *   265 Interface names
 *	scope: observationDomainId 149 (4)    the flows' domain (odid)
 *	ingressInterface 10 (4)               the overlay interface's ifindex
 *	interfaceName 82 (16)                 at most 15 octets, zero-padded
 *	interfaceDescription 83 (16)          the same name: nfdump reads this
 *	                                      one, and only at a fixed length
 *
 *   274 Rule table (a row per rule a flow record can name)
 *	scope: observationDomainId 149 (4)    the flows' domain (odid)
 *	scope: aclRuleIndex PEN/1 (4)
 *	aclRuleDescription PEN/2 (variable)   the rule's Description, a string
 *	                                      of at most 255 octets (RFC 7011 §7)
 *
 *   PEN/N: enterprise-specific element N of IPFIX_PEN (RFC 7011 §3.2).
 *   Templates go out flow templates first, then options templates, so that
 *   a refresh round takes one message per domain when it fits.
 */
#ifndef USERCTL_IPFIX_H
#define USERCTL_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define IPFIX_VERSION 10
#define IPFIX_HDR_LEN 16
#define IPFIX_SET_HDR_LEN 4
#define IPFIX_SET_TEMPLATE 2
#define IPFIX_SET_OPTIONS_TEMPLATE 3

/*
 * The Private Enterprise Number of our enterprise-specific elements (the
 * deciding rule and its description: the IANA registry has none). 32473 is
 * the PEN that RFC 5612 reserves for documentation: a placeholder until
 * the project has a PEN of its own (IANA assigns them free); collectors
 * key our elements on (IPFIX_PEN, element ID), so changing it is one line.
 */
#define IPFIX_PEN 32473
#define IPFIX_DESCRIPTION_MAX 255	/* a rule's Description, in octets */

#define IPFIX_MSG_MIN 512	/* smallest MessageSize we accept */
#define IPFIX_MSG_MAX 65000	/* largest (fits a UDP datagram over IPv6) */

enum ipfix_template_id {
	IPFIX_TID_IPV4_TCP = 256,
	IPFIX_TID_IPV6_TCP,
	IPFIX_TID_IPV4_UDP,
	IPFIX_TID_IPV6_UDP,
	IPFIX_TID_IPV4_RAW,
	IPFIX_TID_IPV6_RAW,
	IPFIX_TID_ICMPV4,
	IPFIX_TID_ICMPV6,
	IPFIX_TID_OPT_RELIABILITY,
	IPFIX_TID_OPT_IFNAME,
	IPFIX_TID_IPV4_TCP_DENIED,	/* 266..273: 256..263 of dropped flows */
	IPFIX_TID_IPV6_TCP_DENIED,
	IPFIX_TID_IPV4_UDP_DENIED,
	IPFIX_TID_IPV6_UDP_DENIED,
	IPFIX_TID_IPV4_RAW_DENIED,
	IPFIX_TID_IPV6_RAW_DENIED,
	IPFIX_TID_ICMPV4_DENIED,
	IPFIX_TID_ICMPV6_DENIED,
	IPFIX_TID_OPT_RULE,
	IPFIX_TID_IPV4_TCP_ALLOWED,	/* 275..282: 256..263 naming their rule */
	IPFIX_TID_IPV6_TCP_ALLOWED,
	IPFIX_TID_IPV4_UDP_ALLOWED,
	IPFIX_TID_IPV6_UDP_ALLOWED,
	IPFIX_TID_IPV4_RAW_ALLOWED,
	IPFIX_TID_IPV6_RAW_ALLOWED,
	IPFIX_TID_ICMPV4_ALLOWED,
	IPFIX_TID_ICMPV6_ALLOWED,
	__IPFIX_TID_END,
};

#define IPFIX_TID_FIRST IPFIX_TID_IPV4_TCP
#define IPFIX_NTEMPLATES (__IPFIX_TID_END - IPFIX_TID_FIRST)

/* Values of the Exporting Process Reliability Statistics record (264). */
struct ipfix_reliability {
	uint32_t exporting_process_id;
	uint64_t not_sent_flows;
	uint64_t not_sent_packets;
	uint64_t not_sent_octets;
	uint64_t first_drop_ms;	/* 0: nothing dropped */
	uint64_t last_drop_ms;
	uint64_t exported_messages;
	uint64_t exported_flow_records;
};

/* Which Observation Domain a message is in (see ipfix_msg_end). */
enum ipfix_domain {
	IPFIX_DOM_NONE,
	IPFIX_DOM_FLOWS,	/* the configured ObservationDomainId */
	IPFIX_DOM_OPTIONS,	/* 0: the Exporting Process's own records */
};

struct ipfix_writer {
	/* session */
	uint32_t odid;
	size_t max_msg;
	bool pad_sets;
	uint32_t seq;			/* flow records before the current message */
	uint32_t opt_seq;		/* options records, in domain 0 (odid != 0) */
	uint32_t announced;		/* bit (tid - 256): template written once */
	uint32_t used;			/* bits of 275..282 this session needed */
	uint32_t pending;		/* bits still to write in this refresh round */
	bool templates_sent;		/* a refresh round has completed */
	uint32_t templates_time;	/* export time that round started */
	uint32_t round_time;
	/* current message */
	uint8_t *buf;
	size_t limit;			/* min(cap, max_msg) */
	size_t len;
	size_t set_off;			/* offset of the open set's header */
	uint16_t set_id;		/* 0: no set open */
	uint32_t export_time;
	uint32_t nrec;			/* data records in this message */
	uint32_t nflows;		/* of which flow records (256..263) */
	enum ipfix_domain msg_dom;	/* set by the message's first set */
	uint32_t msg_seq;		/* sequence number of the last message */
	bool open;
};

/* max_msg in IPFIX_MSG_MIN..IPFIX_MSG_MAX, else -EINVAL. Starts a session. */
int ipfix_writer_init(struct ipfix_writer *w, uint32_t odid, size_t max_msg);
/* Another message size limit for later messages; the session goes on. */
int ipfix_writer_set_max(struct ipfix_writer *w, size_t max_msg);
/* Pad every set with zero octets to a multiple of 4 (default off). */
void ipfix_writer_set_padding(struct ipfix_writer *w, bool on);
/* Forget the session: sequence 0, no template announced. */
void ipfix_session_reset(struct ipfix_writer *w);

/*
 * Template ID for a record, by family and protocol: 256..263, or 266..273
 * for a flow the Access Control Rules dropped, or 275..282 for an allowed
 * flow that names the rule that allowed it (has_acl_rule).
 */
uint16_t ipfix_template_for(const struct eipfix_record *r);
/* Encoded size of a data record, template record or options template record. */
size_t ipfix_record_len(uint16_t tid, const struct eipfix_record *r);
size_t ipfix_template_record_len(uint16_t tid);

/*
 * Start a message in buf. cap must hold at least IPFIX_HDR_LEN + 4 bytes
 * (-EINVAL otherwise); -EBUSY if a message is already open.
 */
int ipfix_msg_begin(struct ipfix_writer *w, uint8_t *buf, size_t cap,
		    uint32_t export_time_s);

/*
 * True when a refresh round should start: never done in this session, or
 * refresh_s seconds have passed since the last one began (or the clock went
 * backwards), and none is in progress.
 */
bool ipfix_templates_due(const struct ipfix_writer *w, uint32_t now_s,
			 uint32_t refresh_s);
/* True while a refresh round is unfinished (continue it in a new message). */
bool ipfix_templates_pending(const struct ipfix_writer *w);

/*
 * Write the templates and options templates of the refresh round (starting
 * one if none is in progress) as far as they fit: one Template Set and one
 * Options Template Set. 0 when the round is complete, -ENOSPC when some
 * remain (end the message, begin another, call again).
 */
int ipfix_add_templates(struct ipfix_writer *w);

/*
 * Append one data record to the current message. -ENOSPC: does not fit,
 * nothing written; -ENOENT: its template has not been written in this
 * session yet; -EINVAL: bad family. A template of 275..282 not yet written
 * in this session is written first, in the same message (a Template Set
 * before the record's Data Set), and goes with every refresh round after.
 */
int ipfix_add_record(struct ipfix_writer *w, const struct eipfix_record *r);
int ipfix_add_reliability(struct ipfix_writer *w,
			  const struct ipfix_reliability *st);
/* name: NUL-terminated, truncated to 15 octets; written zero-padded. */
int ipfix_add_ifname(struct ipfix_writer *w, uint32_t ifindex,
		     const char *name);

/*
 * One row of the rule table (274): rule is the deciding-rule value of the
 * flow records (its place in AccessControl.Rules from 1, 0 for the Default),
 * description NUL-terminated or NULL, at most IPFIX_DESCRIPTION_MAX octets
 * of it sent.
 */
int ipfix_add_rule(struct ipfix_writer *w, uint32_t rule,
		   const char *description);
size_t ipfix_rule_record_len(const char *description);

/*
 * Close the message: fill the header (length, sequence number) and move the
 * sequence number on by the data records it holds. Returns its length.
 */
size_t ipfix_msg_end(struct ipfix_writer *w);

/* After ipfix_msg_end: did the message carry any set? */
static inline bool ipfix_msg_has_sets(const struct ipfix_writer *w)
{
	return w->len > IPFIX_HDR_LEN;
}

/* The last message's sequence number (after ipfix_msg_end). */
static inline uint32_t ipfix_msg_seq(const struct ipfix_writer *w)
{
	return w->msg_seq;
}

/* Data records (all, and flow records only) in the last/current message. */
static inline uint32_t ipfix_msg_records(const struct ipfix_writer *w)
{
	return w->nrec;
}

static inline uint32_t ipfix_msg_flows(const struct ipfix_writer *w)
{
	return w->nflows;
}

#endif
