/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The profile: Enclave's agent profile file (JSON), of which we read the
 * "FlowMetadata" and "AccessControl" objects (DESIGN.md §4). Every other
 * top-level key is Enclave's and is ignored; both objects are optional.
 *
 * Errors. Every function writes one sentence into err on failure:
 *
 *	FILE:LINE:COL: MESSAGE
 *
 * LINE and COL are 1-based; COL counts bytes (a tab is one column, a UTF-8
 * character as many columns as it has bytes). A leading UTF-8 byte order
 * mark is skipped and not counted. The position is that of the offending
 * key or value (its first byte), except for a missing ',' between members
 * or elements, which is reported just after the value it should follow:
 *
 *	Universe.profile:6:24: expected ',' or '}' after "Direction": "Both"
 *
 * Errors that have no position (the file cannot be read) are "FILE: MESSAGE".
 *
 * Warnings. A value Enclave accepts but we carry out differently (an
 * Interval that is not a whole number of minutes) is not an error: the
 * profile is accepted and p->warning says, at the value's position, what
 * is used instead. Only the first warning is kept.
 * Only the first error is reported, in this order: JSON syntax, duplicate
 * keys, then the values in file order.
 *
 * Collectors. eipfix_profile_parse() checks the collector strings' syntax
 * only, so that it never does DNS (unit tests, check-config offline);
 * eipfix_profile_load() also resolves every collector; one that does not
 * resolve now is a warning at its position (the agent keeps looking it up),
 * never an error. The *_flags variants choose.
 */
#ifndef USERCTL_CONFIG_H
#define USERCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/enclave_ipfix.h>

#include "collector.h"
#include "json.h"		/* eipfix_text_linecol() */

#define EIPFIX_DEFAULT_PROFILE "/etc/enclave/profiles/Universe.profile"

/* Limits, as in the uapi header. */
#define EIPFIX_MAX_COLLECTORS	64
#define EIPFIX_MAX_INTERFACES	64
#define EIPFIX_MAX_RULES	65535
#define EIPFIX_IFNAMSIZ		16
#define EIPFIX_DESCRIPTION_MAX	255	/* bytes, without the NUL */
#define EIPFIX_PROFILE_MAX_SIZE	(64u << 20)	/* larger files are refused */

/*
 * MessageSize default: an IPFIX message that never needs fragmenting on
 * the way to a collector reached through the overlay. Enclave's overlay
 * MTU is 1280, IPv6's minimum: 1280 - 40 (IPv6 header) - 8 (UDP) = 1232
 * fits over IPv6 and IPv4 alike (RFC 7011 §10.3.3: the message must fit
 * the path MTU).
 */
#define EIPFIX_DEFAULT_MESSAGE_SIZE 1232

struct eipfix_port_range {
	uint16_t first, last;		/* host order, first <= last */
};

struct eipfix_acl_rule {
	uint8_t action;			/* enum eipfix_acl_action */
	uint8_t direction;		/* enum eipfix_direction */
	uint8_t family;			/* 0 = any peer, AF_INET, AF_INET6 */
	uint8_t prefix_len;
	uint8_t peer[16];		/* network order; host bits are zero */
	uint8_t protocol;		/* enum eipfix_acl_proto */
	unsigned int n_ports;		/* 0 = any destination port */
	struct eipfix_port_range *ports;
	char description[256];
};

struct eipfix_profile {
	/* FlowMetadata: Enclave's keys */
	struct eipfix_collector *collectors;
	unsigned int n_collectors;
	uint8_t direction;		/* default EIPFIX_DIR_BOTH */
	uint32_t interval_ms;		/* default 0 */
	bool enabled;			/* default true */
	/* FlowMetadata: ours */
	char (*interfaces)[EIPFIX_IFNAMSIZ];	/* default {"tap0"} */
	unsigned int n_interfaces;
	uint32_t idle_timeout_ms;	/* 15000 */
	uint32_t observation_domain;	/* eipfix_default_odid() */
	uint32_t template_refresh_s;	/* 600 */
	uint32_t message_size;		/* EIPFIX_DEFAULT_MESSAGE_SIZE */
	uint32_t max_flows;		/* 1048576 */
	bool allowed_flow_rule;		/* false: only dropped flows name their rule */
	/* AccessControl */
	uint8_t acl_default;		/* EIPFIX_ACL_ALLOW */
	struct eipfix_acl_rule *rules;
	unsigned int n_rules;
	/*
	 * The first value accepted as another, "FILE:LINE:COL: warning: ...",
	 * for the caller to print; "" if none. A profile Enclave accepts is
	 * not refused for a value we can carry out differently.
	 */
	char warning[256];
};

/*
 * The defaults. Allocates the default interface list; if that allocation
 * fails, n_interfaces is 0 (and eipfix_profile_parse returns -ENOMEM).
 */
void eipfix_profile_init(struct eipfix_profile *p);
/* Frees what p holds and leaves it empty (safe to call twice). */
void eipfix_profile_free(struct eipfix_profile *p);

enum {
	EIPFIX_PROFILE_RESOLVE = 1 << 0,	/* resolve every collector */
};

/*
 * Parses a profile from text[0..len) (need not be NUL-terminated). filename
 * only names the file in messages. Returns 0 or -errno (-EINVAL for a bad
 * profile, -ENOMEM).
 * *p is written only on success (it need not be initialized, and what it
 * held is not freed); free it with eipfix_profile_free().
 */
int eipfix_profile_parse(const char *text, size_t len, const char *filename,
			 struct eipfix_profile *p, char *err, size_t errlen);
int eipfix_profile_parse_flags(const char *text, size_t len,
			       const char *filename, unsigned int flags,
			       struct eipfix_profile *p, char *err,
			       size_t errlen);

/* Reads and parses path, and resolves the collectors (RESOLVE). */
int eipfix_profile_load(const char *path, struct eipfix_profile *p,
			char *err, size_t errlen);
int eipfix_profile_load_flags(const char *path, unsigned int flags,
			      struct eipfix_profile *p, char *err,
			      size_t errlen);

/*
 * The default ObservationDomainId, used when the profile does not set one.
 * Collectors tell exporters apart by source address and Observation Domain
 * ID, and hosts behind one NAT address, or network namespaces of one host
 * (each with its own agent and flows), share a source address: a hash of
 * the machine's identity (/etc/machine-id, else the host name) and of the
 * network namespace (the inode of /proc/self/ns/net) tells them apart and
 * stays the same while both do (the initial namespace's inode is the same
 * at every boot). Never 0: RFC 7011 §3.1 keeps Observation Domain 0 for
 * messages no one domain is relevant to, where our options records go.
 */
uint32_t eipfix_default_odid(void);
uint32_t eipfix_default_odid_of(const char *machine_id, uint64_t netns_ino);

/* Names for the enums, as the profile spells them ("Both", "Deny", "Tcp"). */
const char *eipfix_direction_name(unsigned int dir);
const char *eipfix_acl_action_name(unsigned int action);
const char *eipfix_acl_proto_name(unsigned int proto);

#endif
