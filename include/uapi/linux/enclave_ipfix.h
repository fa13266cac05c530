/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * enclave_ipfix: in-kernel flow metering for overlay interfaces.
 *
 * This header is the whole contract between the kernel module and userspace
 * (userctl). It is documented here so that nobody needs to read the module.
 *
 * The module meters IPv4/IPv6 flows crossing the configured overlay
 * interfaces of a network namespace and hands completed and interim flow
 * records to one registered agent of that namespace over the generic netlink
 * family ENCLAVE_IPFIX_GENL_NAME, version ENCLAVE_IPFIX_GENL_VERSION.
 *
 * Every command requires CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM); joining the config multicast group (generation numbers
 * only) requires CAP_NET_ADMIN over the network namespace. State is
 * per network namespace: a request only ever sees and changes the namespace
 * of the socket it came from.
 *
 * Answers (netlink's rules): the reply and ACK of a doit are queued before
 * the request's sendmsg() returns; each further message of a dump is filled
 * by the recvmsg() that takes the one before. A dump ends with NLMSG_DONE,
 * whose payload is 0 or the negative errno that ended it early (and an
 * extack message), or with an NLMSG_ERROR when it could not start or fill
 * its first message. ENOBUFS from recvmsg() with nothing left queued means
 * that an answer was dropped from a full socket or that the dump could not
 * allocate its next message: nothing more comes until another message
 * reaches the socket. Every answer carries its request's sequence number;
 * notifications carry 0.
 *
 * EIPFIX_CMD_SET_CONFIG (doit)
 *   Replaces the whole configuration of the namespace, atomically. Attributes
 *   not given take their defaults (they do not keep their old value), so the
 *   request always carries the complete desired state:
 *
 *     EIPFIX_A_ENABLED          NLA_U8    0/1, default 1
 *     EIPFIX_A_DIRECTION        NLA_U8    enum eipfix_direction, default BOTH
 *     EIPFIX_A_INTERVAL_MS      NLA_U32   0 or a multiple of 60000, default 0
 *     EIPFIX_A_IDLE_TIMEOUT_MS  NLA_U32   1000..86400000, default 15000
 *     EIPFIX_A_MAX_FLOWS        NLA_U32   1..(1 << 24), default 1048576
 *     EIPFIX_A_INTERFACES       NLA_NESTED of EIPFIX_A_INTERFACE NLA_NUL_STRING
 *                                         (IFNAMSIZ), at most 64
 *     EIPFIX_A_COLLECTORS       NLA_NESTED of EIPFIX_A_COLLECTOR NLA_NUL_STRING
 *                                         (the profile's strings, stored for
 *                                         the agent; the kernel only counts
 *                                         them), at most 64
 *     EIPFIX_A_OBSERVATION_DOMAIN NLA_U32 default 0
 *     EIPFIX_A_TEMPLATE_REFRESH_S NLA_U32 1..86400, default 600
 *     EIPFIX_A_MESSAGE_SIZE     NLA_U32   512..65000, default 1400
 *     EIPFIX_A_ACL_DEFAULT      NLA_U8    enum eipfix_acl_action, default ALLOW
 *     EIPFIX_A_ALLOWED_FLOW_RULE NLA_U8   0/1, default 0: flows the rules
 *                                         allowed carry ACL_RULE too (below)
 *     EIPFIX_A_ACL_RULES        NLA_NESTED of EIPFIX_A_ACL_RULE, at most 65535:
 *       EIPFIX_A_ACL_RULE       NLA_NESTED
 *         EIPFIX_RULE_A_ACTION      NLA_U8   enum eipfix_acl_action (required)
 *         EIPFIX_RULE_A_DIRECTION   NLA_U8   enum eipfix_direction, default BOTH
 *         EIPFIX_RULE_A_FAMILY      NLA_U8   AF_INET/AF_INET6; absent = any peer
 *         EIPFIX_RULE_A_PEER        NLA_BINARY 4 or 16 bytes, network order
 *         EIPFIX_RULE_A_PEER_PREFIX NLA_U8   prefix length of PEER
 *         EIPFIX_RULE_A_PROTOCOL    NLA_U8   enum eipfix_acl_proto, default ANY
 *         EIPFIX_RULE_A_PORTS       NLA_NESTED of EIPFIX_RULE_A_PORT_RANGE
 *                                   NLA_U32 (first << 16 | last), host order;
 *                                   absent = any destination port
 *         EIPFIX_RULE_A_DESCRIPTION NLA_NUL_STRING, at most 255 bytes
 *
 *   Access Control: the first rule that matches a packet decides, else
 *   ACL_DEFAULT. PEER is the remote overlay address: the source of what is
 *   received, the destination of what is sent; PORTS are destination ports
 *   (TCP and UDP); PROTOCOL ICMP covers ICMPv4 and ICMPv6. The rules are
 *   stateful: a packet of a connection (5-tuple, interface) this host
 *   allowed passes, and so does its reply in the other direction (for ICMP
 *   only echo replies), without a rule, until the connection has been idle
 *   for 2 hours (TCP) or 3 minutes (others). Allowed connections are
 *   remembered up to the acl_state_max module parameter (default 65536) per
 *   rule set; a SET_CONFIG with other rules starts with none. The rules are
 *   enforced on the INTERFACES whether or not metering is on. A denied
 *   packet is dropped, counted in EIPFIX_CTR_A_ACL_DROPPED_*, and, while
 *   metering is on, metered into a flow with FWD_STATUS
 *   EIPFIX_FWD_DROPPED_ACL and ACL_RULE, whatever DIRECTION says.
 *
 *   ALLOWED_FLOW_RULE 1: flows of allowed packets carry ACL_RULE too, the
 *   rule that allowed them: the first that matched, or the default; for a
 *   packet of a connection allowed before, and for its replies and the ICMP
 *   errors related to it, the rule that allowed the connection (remembered
 *   with it). A flow carries the rule of its latest packet. Packets no rule
 *   judged carry none: IPv6 neighbour discovery, and everything when there
 *   are no rules and ACL_DEFAULT is ALLOW. Rules that cannot deny (Allow
 *   rules under a default of ALLOW) are then consulted, and remember
 *   connections, only for this. A change of ALLOWED_FLOW_RULE keeps live
 *   flows, and the allowed connections of rules that can deny.
 *
 *   Long lists: an attribute's length is 16 bits, so EIPFIX_A_ACL_RULES (here)
 *   and EIPFIX_A_ACL_RULE_HITS (in GET_COUNTERS) may appear several times in
 *   one message; the list is the concatenation of all of them, in order.
 *
 *   Metering is on when ENABLED is 1 and at least one collector is given.
 *   A change of INTERFACES, DIRECTION or MAX_FLOWS ends every live flow with
 *   EIPFIX_END_FORCED; disabling does the same. A rejected request changes
 *   nothing and says why in the extended ack.
 *   On success, EIPFIX_CMD_CONFIG_CHANGED is multicast to the
 *   ENCLAVE_IPFIX_MCGRP_CONFIG group with EIPFIX_A_GENERATION.
 *
 * EIPFIX_CMD_GET_CONFIG (dump)
 *   The config in force: the first message holds every attribute of
 *   SET_CONFIG but the rules, plus EIPFIX_A_GENERATION (NLA_U32,
 *   incremented by every SET_CONFIG); then EIPFIX_A_ACL_RULES nests carry
 *   the rules in order, as many per message as fit (the first message
 *   too). A config replaced during the dump marks it NLM_F_DUMP_INTR: read
 *   it again.
 *
 * EIPFIX_CMD_GET_FLOWS (dump)
 *   One message per batch of live flows, each an EIPFIX_A_FLOW nest of
 *   EIPFIX_FLOW_A_* (below) with the totals since the flow began.
 *
 * EIPFIX_CMD_GET_COUNTERS (doit)
 *   Replies with EIPFIX_A_COUNTERS, a nest of EIPFIX_CTR_A_* NLA_U64
 *   (enum eipfix_counter), each summed over all CPUs, and with the hits of
 *   the Access Control Rules in force (packets each one decided, as they
 *   crossed the wire: a GSO/GRO superpacket counts its segments, a
 *   reassembled datagram its fragments; summed over all CPUs; counted only
 *   while the rules are consulted, i.e. there is a Deny rule or Default is
 *   Deny, or ALLOWED_FLOW_RULE is 1 and there is a rule):
 *
 *     EIPFIX_A_ACL_DEFAULT_HITS NLA_U64   packets decided by ACL_DEFAULT
 *     EIPFIX_A_ACL_RULE_HITS    NLA_NESTED of EIPFIX_A_ACL_RULE_HIT NLA_U64,
 *                                         one per rule, in rule order
 *
 *   A packet of a connection allowed earlier counts on the rule that allowed
 *   it; a reply allowed without a rule counts in
 *   EIPFIX_CTR_A_ACL_REPLIES_ALLOWED instead. A SET_CONFIG with the same
 *   rules and default (descriptions aside) keeps the counts; other rules
 *   start from zero.
 *
 * EIPFIX_CMD_REGISTER_AGENT (doit)
 *   Makes the requesting socket the agent of the namespace. Only one agent
 *   exists per namespace: while another socket is registered the request
 *   fails with EBUSY, unless it carries EIPFIX_A_AGENT_TAKEOVER (NLA_FLAG),
 *   which replaces the earlier agent (whose GET_RECORDS then fail with EPERM).
 *   The registration ends when the socket closes. Records are only ever
 *   handed to the registered agent.
 *
 * EIPFIX_CMD_GET_RECORDS (dump, registered agent only)
 *   Sends records of the namespace's record queue, many per message, each an
 *   EIPFIX_A_RECORD nest of EIPFIX_FLOW_A_*; each message also carries
 *   EIPFIX_A_RECORDS_SEQ (NLA_U64), the send sequence number of its last
 *   record. While no agent reads, records wait in the queue (bounded by the
 *   record_queue_len module parameter, sent and unacknowledged ones
 *   included); what does not fit is counted in
 *   EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL. Packet and octet counts of a
 *   record are deltas since the flow's previous record.
 *   When the queue goes from empty to non-empty, the kernel sends the agent's
 *   socket an EIPFIX_CMD_RECORDS_PENDING message (no attributes) so that it
 *   need not poll.
 *
 * EIPFIX_CMD_ACK_RECORDS (doit, registered agent only)
 *   EIPFIX_A_RECORDS_SEQ: the agent has sent on every record up to this send
 *   sequence number; the kernel frees them and counts them in
 *   EIPFIX_CTR_A_RECORDS_DELIVERED. Records sent to an agent whose socket
 *   closes (killed, crashed, displaced by a takeover) before it acknowledged
 *   them are sent again to the next agent, oldest first, and counted in
 *   EIPFIX_CTR_A_RECORDS_REQUEUED: a record is delivered at least once.
 *
 * EIPFIX_CMD_CONFIG_CHANGED (multicast notification, kernel to user)
 * EIPFIX_CMD_RECORDS_PENDING (unicast notification, kernel to agent)
 *
 * Flow and record attributes (EIPFIX_FLOW_A_*):
 *   IFINDEX      NLA_U32  ifindex of the overlay interface (userspace looks
 *                         its name up: if_indextoname())
 *   IFNAME       reserved: never sent (the number stays taken)
 *   DIRECTION    NLA_U8   EIPFIX_DIR_RECEIVED (ingress, IPFIX flowDirection 0)
 *                         or EIPFIX_DIR_SENDING (egress, flowDirection 1)
 *   FAMILY       NLA_U8   AF_INET or AF_INET6
 *   PROTOCOL     NLA_U8   IP protocol number (after IPv6 extension headers)
 *   SRC_ADDR / DST_ADDR NLA_BINARY 4 or 16 bytes, network order
 *   SRC_PORT / DST_PORT NLA_U16 host order (TCP, UDP and UDP-Lite only)
 *   ICMP_TYPE / ICMP_CODE NLA_U8 (ICMP and ICMPv6 only)
 *   TCP_FLAGS    NLA_U16  union of the TCP flags seen (TCP only)
 *   TOS          NLA_U8   IPv4 TOS / IPv6 traffic class of the first packet
 *   FWD_STATUS   NLA_U8   EIPFIX_FWD_FORWARDED (64) or EIPFIX_FWD_DROPPED_ACL
 *                         (129), as IPFIX forwardingStatus
 *   PACKETS / OCTETS NLA_U64 (octets are IP lengths: IP header and payload)
 *   START_MS / END_MS NLA_U64 wall clock, ms since the Unix epoch, of the
 *                         first and last packet
 *   END_REASON   NLA_U8   enum eipfix_end_reason (records only)
 *   ACL_RULE     NLA_U32  index + 1 of the rule that denied the flow, 0 for
 *                         the default action: every dropped flow; with
 *                         ALLOWED_FLOW_RULE, an allowed flow the rules judged,
 *                         the rule that allowed it (absent: none judged it)
 */
#ifndef _UAPI_LINUX_ENCLAVE_IPFIX_H
#define _UAPI_LINUX_ENCLAVE_IPFIX_H

#define ENCLAVE_IPFIX_GENL_NAME "enclave_ipfix"
#define ENCLAVE_IPFIX_GENL_VERSION 1
#define ENCLAVE_IPFIX_MCGRP_CONFIG "config"

enum eipfix_cmd {
	EIPFIX_CMD_UNSPEC,
	EIPFIX_CMD_SET_CONFIG,
	EIPFIX_CMD_GET_CONFIG,
	EIPFIX_CMD_GET_FLOWS,
	EIPFIX_CMD_GET_COUNTERS,
	EIPFIX_CMD_REGISTER_AGENT,
	EIPFIX_CMD_GET_RECORDS,
	EIPFIX_CMD_CONFIG_CHANGED,
	EIPFIX_CMD_RECORDS_PENDING,
	EIPFIX_CMD_ACK_RECORDS,
	__EIPFIX_CMD_MAX
};

#define EIPFIX_CMD_MAX (__EIPFIX_CMD_MAX - 1)

enum eipfix_attr {
	EIPFIX_A_UNSPEC,
	EIPFIX_A_ENABLED,
	EIPFIX_A_DIRECTION,
	EIPFIX_A_INTERVAL_MS,
	EIPFIX_A_IDLE_TIMEOUT_MS,
	EIPFIX_A_MAX_FLOWS,
	EIPFIX_A_INTERFACES,
	EIPFIX_A_INTERFACE,
	EIPFIX_A_COLLECTORS,
	EIPFIX_A_COLLECTOR,
	EIPFIX_A_OBSERVATION_DOMAIN,
	EIPFIX_A_TEMPLATE_REFRESH_S,
	EIPFIX_A_MESSAGE_SIZE,
	EIPFIX_A_ACL_DEFAULT,
	EIPFIX_A_ACL_RULES,
	EIPFIX_A_ACL_RULE,
	EIPFIX_A_GENERATION,
	EIPFIX_A_COUNTERS,
	EIPFIX_A_FLOW,
	EIPFIX_A_RECORD,
	EIPFIX_A_PAD,
	EIPFIX_A_ACL_DEFAULT_HITS,
	EIPFIX_A_ACL_RULE_HITS,
	EIPFIX_A_ACL_RULE_HIT,
	EIPFIX_A_AGENT_TAKEOVER,
	EIPFIX_A_RECORDS_SEQ,
	EIPFIX_A_ALLOWED_FLOW_RULE,
	__EIPFIX_A_MAX
};

#define EIPFIX_A_MAX (__EIPFIX_A_MAX - 1)

enum eipfix_rule_attr {
	EIPFIX_RULE_A_UNSPEC,
	EIPFIX_RULE_A_ACTION,
	EIPFIX_RULE_A_DIRECTION,
	EIPFIX_RULE_A_FAMILY,
	EIPFIX_RULE_A_PEER,
	EIPFIX_RULE_A_PEER_PREFIX,
	EIPFIX_RULE_A_PROTOCOL,
	EIPFIX_RULE_A_PORTS,
	EIPFIX_RULE_A_PORT_RANGE,
	EIPFIX_RULE_A_DESCRIPTION,
	__EIPFIX_RULE_A_MAX
};

#define EIPFIX_RULE_A_MAX (__EIPFIX_RULE_A_MAX - 1)

enum eipfix_flow_attr {
	EIPFIX_FLOW_A_UNSPEC,
	EIPFIX_FLOW_A_IFINDEX,
	EIPFIX_FLOW_A_IFNAME,		/* reserved, never sent */
	EIPFIX_FLOW_A_DIRECTION,
	EIPFIX_FLOW_A_FAMILY,
	EIPFIX_FLOW_A_PROTOCOL,
	EIPFIX_FLOW_A_SRC_ADDR,
	EIPFIX_FLOW_A_DST_ADDR,
	EIPFIX_FLOW_A_SRC_PORT,
	EIPFIX_FLOW_A_DST_PORT,
	EIPFIX_FLOW_A_ICMP_TYPE,
	EIPFIX_FLOW_A_ICMP_CODE,
	EIPFIX_FLOW_A_TCP_FLAGS,
	EIPFIX_FLOW_A_TOS,
	EIPFIX_FLOW_A_FWD_STATUS,
	EIPFIX_FLOW_A_PACKETS,
	EIPFIX_FLOW_A_OCTETS,
	EIPFIX_FLOW_A_START_MS,
	EIPFIX_FLOW_A_END_MS,
	EIPFIX_FLOW_A_END_REASON,
	EIPFIX_FLOW_A_ACL_RULE,
	EIPFIX_FLOW_A_PAD,
	__EIPFIX_FLOW_A_MAX
};

#define EIPFIX_FLOW_A_MAX (__EIPFIX_FLOW_A_MAX - 1)

/* Counters of EIPFIX_A_COUNTERS, each NLA_U64. */
enum eipfix_counter {
	EIPFIX_CTR_A_UNSPEC,
	EIPFIX_CTR_A_PACKETS_SEEN,	/* packets metered on the interfaces */
	EIPFIX_CTR_A_OCTETS_SEEN,
	EIPFIX_CTR_A_FLOWS_CREATED,
	EIPFIX_CTR_A_FLOWS_EXPIRED,	/* ended by idle, FIN/RST or forced end */
	EIPFIX_CTR_A_FLOWS_EVICTED,	/* ended early because the table was full */
	EIPFIX_CTR_A_FLOWS_NOT_CREATED,	/* no room and nothing to evict */
	EIPFIX_CTR_A_FLOW_ALLOC_FAILED,
	EIPFIX_CTR_A_RECORDS_QUEUED,
	EIPFIX_CTR_A_RECORDS_DELIVERED,
	EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL,
	EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM,
	EIPFIX_CTR_A_PARSE_ERRORS,	/* truncated or malformed headers */
	EIPFIX_CTR_A_ACL_DROPPED_PACKETS,
	EIPFIX_CTR_A_ACL_DROPPED_OCTETS,
	EIPFIX_CTR_A_RECORDS_IN_QUEUE,	/* a gauge, not a counter */
	EIPFIX_CTR_A_FLOWS_ACTIVE,	/* a gauge, not a counter */
	EIPFIX_CTR_A_PAD,
	EIPFIX_CTR_A_ACL_REPLIES_ALLOWED,	/* replies let through by state */
	EIPFIX_CTR_A_ACL_CONNS_CREATED,	/* allowed connections remembered */
	EIPFIX_CTR_A_ACL_CONNS_EVICTED,	/* forgotten early: the table was full */
	EIPFIX_CTR_A_ACL_CONNS_NOT_CREATED,	/* no room or no memory */
	EIPFIX_CTR_A_ACL_CONNS_ACTIVE,	/* a gauge, not a counter */
	EIPFIX_CTR_A_CONFIG_GENERATION,	/* the generation of the config in force */
	EIPFIX_CTR_A_RECORDS_REQUEUED,	/* sent, unacknowledged, sent again */
	EIPFIX_CTR_A_RECORDS_UNACKED,	/* a gauge: sent, not acknowledged */
	__EIPFIX_CTR_A_MAX
};

#define EIPFIX_CTR_A_MAX (__EIPFIX_CTR_A_MAX - 1)

/* Profile "Direction"; for a flow, only RECEIVED or SENDING. */
enum eipfix_direction {
	EIPFIX_DIR_BOTH,
	EIPFIX_DIR_SENDING,	/* SendingToPeer: egress, flowDirection 1 */
	EIPFIX_DIR_RECEIVED,	/* ReceivedFromPeer: ingress, flowDirection 0 */
	__EIPFIX_DIR_MAX
};

enum eipfix_acl_action {
	EIPFIX_ACL_ALLOW,
	EIPFIX_ACL_DENY,
	__EIPFIX_ACL_MAX
};

enum eipfix_acl_proto {
	EIPFIX_ACL_PROTO_ANY,
	EIPFIX_ACL_PROTO_TCP,
	EIPFIX_ACL_PROTO_UDP,
	EIPFIX_ACL_PROTO_ICMP,	/* ICMPv4 and ICMPv6 */
	__EIPFIX_ACL_PROTO_MAX
};

/* IPFIX flowEndReason (IANA IE 136). */
enum eipfix_end_reason {
	EIPFIX_END_IDLE = 1,
	EIPFIX_END_ACTIVE = 2,		/* interim record, the flow goes on */
	EIPFIX_END_DETECTED = 3,	/* TCP FIN or RST seen */
	EIPFIX_END_FORCED = 4,		/* unload, disable, reconfiguration */
	EIPFIX_END_RESOURCES = 5,	/* evicted: the table was full */
};

/*
 * IPFIX forwardingStatus (IANA IE 89, RFC 7270 §4.12): the status in the
 * top two bits, the reason code below. Forwarded traffic is 64, "Forwarded,
 * unknown reason": 65 and 66 claim whether the packets were fragmented,
 * which the meter does not track per flow. Denied by an Access Control Rule
 * is 129, "Dropped, ACL deny".
 */
#define EIPFIX_FWD_FORWARDED 64
#define EIPFIX_FWD_DROPPED_ACL 129

#endif /* _UAPI_LINUX_ENCLAVE_IPFIX_H */
