/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One flow record as userctl holds it: decoded from the kernel's
 * EIPFIX_A_RECORD / EIPFIX_A_FLOW nests (see the uapi header), encoded into
 * IPFIX by ipfix.c and printed by show.c.
 */
#ifndef USERCTL_RECORD_H
#define USERCTL_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

struct eipfix_record {
	uint32_t ifindex;	/* its name: ifnames.h */
	uint8_t direction;	/* EIPFIX_DIR_RECEIVED or EIPFIX_DIR_SENDING */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t protocol;
	uint8_t tos;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} src, dst;
	uint16_t src_port;	/* host order; TCP and UDP */
	uint16_t dst_port;
	uint8_t icmp_type;	/* ICMP and ICMPv6 */
	uint8_t icmp_code;
	uint16_t tcp_flags;
	uint8_t fwd_status;	/* EIPFIX_FWD_FORWARDED or EIPFIX_FWD_DROPPED_ACL */
	uint8_t end_reason;	/* enum eipfix_end_reason */
	/*
	 * The deciding rule, its place in AccessControl.Rules from 1, 0 the
	 * Default: of every dropped flow, and of an allowed flow when the
	 * profile's AllowedFlowRule asked for it (then has_acl_rule is set).
	 */
	uint32_t acl_rule;
	bool has_acl_rule;	/* acl_rule came with the flow (any status) */
	uint64_t packets;
	uint64_t octets;
	uint64_t start_ms;	/* wall clock, ms since the epoch */
	uint64_t end_ms;
};

#endif
