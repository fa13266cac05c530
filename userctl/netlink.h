/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userctl's side of the generic netlink contract in
 * include/uapi/linux/enclave_ipfix.h, over libnl-genl-3.
 * Functions return 0 or -errno and, on failure, write one sentence into err
 * (the kernel's extack message when it gave one).
 */
#ifndef USERCTL_NETLINK_H
#define USERCTL_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/enclave_ipfix.h>

#include "config.h"
#include "record.h"

struct netlink;

/* Called for each record or flow; a non-zero return stops the dump. */
typedef int (*netlink_record_fn)(const struct eipfix_record *rec, void *arg);

int netlink_open(struct netlink **out, char *err, size_t errlen);
void netlink_close(struct netlink *nl);
int netlink_fd(const struct netlink *nl);

int netlink_set_config(struct netlink *nl, const struct eipfix_profile *p,
		       char *err, size_t errlen);
/*
 * The config in force. Collectors are parsed but not resolved.
 * *generation is the kernel's config generation.
 */
int netlink_get_config(struct netlink *nl, struct eipfix_profile *p,
		       uint32_t *generation, char *err, size_t errlen);
int netlink_get_counters(struct netlink *nl, uint64_t ctr[__EIPFIX_CTR_A_MAX],
			 char *err, size_t errlen);
/*
 * The hits of the Access Control Rules in force: *hits (malloc'd, *n of
 * them, in rule order; the caller frees it) and those of the Default.
 */
int netlink_get_acl_hits(struct netlink *nl, uint64_t **hits, unsigned int *n,
			 uint64_t *default_hits, char *err, size_t errlen);
int netlink_dump_flows(struct netlink *nl, netlink_record_fn fn, void *arg,
		       char *err, size_t errlen);

/* The agent's calls. */
/*
 * Registers the socket as the namespace's agent. -EBUSY while another agent
 * is registered, unless @takeover (which displaces it).
 */
int netlink_register_agent(struct netlink *nl, bool takeover, char *err, size_t errlen);
int netlink_subscribe_config(struct netlink *nl, char *err, size_t errlen);
/*
 * Takes what the kernel's record queue holds (one GET_RECORDS dump),
 * handing each record to fn. Notifications that arrive meanwhile are
 * noted: see netlink_take_events(). *seq is the send sequence number of the
 * last record handed to fn (0: none), also when the dump failed half-way.
 */
int netlink_take_records(struct netlink *nl, netlink_record_fn fn, void *arg,
			 uint64_t *seq, char *err, size_t errlen);
/*
 * Tells the kernel that every record up to @seq was sent on, so it frees
 * them; until then it keeps them, and sends them again to the next agent if
 * this one goes away.
 */
int netlink_ack_records(struct netlink *nl, uint64_t seq, char *err, size_t errlen);
/* Reads pending notifications without blocking. */
int netlink_poll_events(struct netlink *nl, char *err, size_t errlen);

#define NETLINK_EV_RECORDS	(1u << 0)
#define NETLINK_EV_CONFIG	(1u << 1)
/* Returns and clears the notifications seen so far (NETLINK_EV_*). */
unsigned int netlink_take_events(struct netlink *nl);

#endif
