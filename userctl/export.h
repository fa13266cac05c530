/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPFIX export over UDP to every configured collector (RFC 7011 §10.3).
 *
 * Each collector is its own Transport Session: its own sequence number and
 * its own template state (an ipfix_writer). Every collector gets every
 * record, encoded for its session; a collector added later starts a fresh
 * session and gets templates before any data; a collector that stays in the
 * configuration keeps its session and sequence across exporter_set_collectors.
 *
 * Templates, options templates, one interface-name options record per known
 * overlay interface and one reliability-statistics options record are sent
 * at the start of a session and every refresh_s seconds after (the
 * TemplateRefresh key). The interface table is learnt from the records
 * themselves (ifindex, ifname): a new interface is announced to every
 * collector before the first record that uses it. A reliability-statistics
 * record also goes out whenever the not-sent counters of a collector changed
 * (at the next submit or tick).
 *
 * The rule table (exporter_set_rules: rule number and Description, the
 * options template 274) goes out with the interface names: at the start of
 * a session, at every refresh, and to every collector when it changes.
 *
 * Sending: one unconnected UDP socket per address family. A collector's
 * messages are encoded into a batch of up to EXPORTER_BATCH and handed to
 * the kernel with one sendmmsg(): at a million records a second the
 * per-message system call, not the encoding, is what costs. A failed send (an unreachable collector, a full buffer) is
 * counted for that collector, logged rate-limited, and never stops the
 * others: the records of the lost message count as not sent
 * (notSentFlowTotalCount etc. in the next reliability record), and since the
 * sequence number still moves on, the collector also sees the gap.
 *
 * Time is passed in by the caller (wall clock, ms since the epoch): it is
 * the IPFIX export time and drives the template refresh.
 */
#ifndef USERCTL_EXPORT_H
#define USERCTL_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ipfix.h"
#include "log.h"
#include "record.h"

#define EXPORTER_MAX_COLLECTORS 64
#define EXPORTER_MAX_IFACES 64
#define EXPORTER_BATCH 32		/* messages per sendmmsg() */

struct exporter_params {
	uint32_t odid;			/* ObservationDomainId */
	uint32_t msg_size;		/* MessageSize, 512..65000 */
	uint32_t refresh_s;		/* TemplateRefresh, >= 1 */
	uint32_t process_id;		/* exportingProcessId, e.g. getpid() */
};

struct exporter_counters {
	uint64_t messages;		/* IPFIX messages sent */
	uint64_t records;		/* flow records sent */
	uint64_t bytes;			/* IPFIX octets sent */
	uint64_t send_errors;		/* messages that could not be sent */
	uint64_t not_sent_flows;	/* flow records in those messages */
	uint64_t not_sent_packets;
	uint64_t not_sent_octets;
};

struct exporter_collector {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char name[64];			/* "198.51.100.1:4739", "[::1]:4739" */
	struct ipfix_writer w;
	struct exporter_counters ctr;
	uint64_t first_drop_ms;		/* of this collector's sends */
	uint64_t last_drop_ms;
	uint64_t ifname_pending;	/* bit i: announce ifaces[i] */
	size_t rule_next;		/* next row of rules to send */
	bool stats_due;
	uint64_t stats_reported;	/* not-sent flows in the last report */
	struct ulog_ratelimit rl;
};

/* One row of the rule table: see ipfix_add_rule. */
struct exporter_rule {
	uint32_t rule;			/* 1.. a rule of Rules, 0 the Default */
	char description[IPFIX_DESCRIPTION_MAX + 1];
};

struct exporter_iface {
	uint32_t ifindex;
	char name[16];
};

typedef int (*exporter_sendmmsg_fn)(int fd, struct mmsghdr *msgs,
				    unsigned int n, int flags);

/* A message encoded and waiting in the batch, and what it holds. */
struct exporter_pending {
	size_t len;
	uint32_t seq;
	uint32_t flows;
	uint64_t packets;
	uint64_t octets;
};

struct exporter {
	struct exporter_params p;
	int fd4, fd6;			/* -1 until first needed */
	struct exporter_collector *coll;
	size_t ncoll;
	uint8_t *buf;			/* EXPORTER_BATCH x IPFIX_MSG_MAX octets */
	struct exporter_pending pending[EXPORTER_BATCH];
	size_t npending;		/* messages in buf, not yet sent */
	struct exporter_iface ifaces[EXPORTER_MAX_IFACES];
	size_t nifaces;
	size_t iface_next;		/* slot to reuse when the table is full */
	struct exporter_rule *rules;	/* the rule table, in the order given */
	size_t nrules;
	/* Records lost before they reached the exporter (kernel queue full). */
	uint64_t lost_flows, lost_packets, lost_octets;
	uint64_t lost_first_ms, lost_last_ms;
	/* Counters of collectors removed by exporter_set_collectors. */
	struct exporter_counters removed;
	exporter_sendmmsg_fn sendmmsg_fn;	/* sendmmsg(); tests replace it */
};

/* -EINVAL on out-of-range params, -ENOMEM. No socket is opened yet. */
int exporter_init(struct exporter *ex, const struct exporter_params *p);
void exporter_free(struct exporter *ex);

/*
 * Follow a configuration change. A new observation domain starts new
 * sessions for every collector (sequence 0, templates first); a new message
 * size or refresh interval applies from the next message.
 */
int exporter_set_params(struct exporter *ex, const struct exporter_params *p);

/*
 * Replace the collector list (at most EXPORTER_MAX_COLLECTORS; AF_INET or
 * AF_INET6 addresses with a port). Collectors already in the list (same
 * address and port) keep their session; new ones start one. -EINVAL,
 * -ENOMEM: nothing changed.
 */
int exporter_set_collectors(struct exporter *ex,
			    const struct sockaddr_storage *addrs,
			    const socklen_t *lens, size_t n);

/*
 * Encode records and send them to every collector, with templates and
 * options first where due. Send errors are counted, never returned; the
 * return is 0, or -ENOMEM-like failures that stop nothing either.
 */
int exporter_submit(struct exporter *ex, const struct eipfix_record *recs,
		    size_t n, uint64_t now_ms);

/*
 * Replace the rule table (copied). A table that differs from the one
 * before is sent to every collector at once; the same one only at the next
 * refresh. -ENOMEM: nothing changed.
 */
int exporter_set_rules(struct exporter *ex, const struct exporter_rule *rules,
		       size_t n);

/*
 * Send what is due without data: a template refresh, announcements of
 * interfaces and reliability statistics. Call it periodically (every second
 * or so) so that templates are refreshed on an idle exporter.
 */
int exporter_tick(struct exporter *ex, uint64_t now_ms);

/*
 * Account records that were lost before the exporter (e.g. the kernel's
 * EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL going up): they are reported to
 * every collector as not sent.
 */
void exporter_note_lost(struct exporter *ex, uint64_t flows,
			uint64_t packets, uint64_t octets, uint64_t now_ms);

/* Sum of the counters of all collectors, past and present. */
void exporter_get_counters(const struct exporter *ex,
			   struct exporter_counters *sum);

/* "198.51.100.1:4739" / "[2001:db8::1]:4739" into buf. */
void exporter_addr_str(const struct sockaddr *sa, char *buf, size_t len);

#endif
