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
 * A collector has one or more addresses (a host name's A and AAAA records),
 * in order of preference, and sends to one of them at a time. Two profile
 * entries that share an address ("Udp/127.0.0.1:4739" and
 * "Udp/localhost:4739") are one collector: one session, one sequence, and
 * each record sent once, as the collector at that address would expect. A
 * session survives a new address list as long as the address it uses is
 * still in it.
 *
 * Templates, options templates, one interface-name options record per known
 * overlay interface and one reliability-statistics options record are sent
 * at the start of a session and every refresh_s seconds after (the
 * TemplateRefresh key). The interfaces are those of the records: the
 * exporter's ifnames table (ifnames.h, the names looked up by ifindex) has
 * a slot per interface, and a new one, or one whose name changed, is
 * announced to every collector before the first record that uses it. A
 * reliability-statistics record also goes out whenever the not-sent
 * counters of a collector changed (at the next submit or tick).
 *
 * The rule table (exporter_set_rules: rule number and Description, the
 * options template 274) goes out with the interface names: at the start of
 * a session, at every refresh, and to every collector when it changes.
 *
 * Sending: one unconnected UDP socket per address family. A collector's
 * messages are encoded into a batch of up to EXPORTER_BATCH and handed to
 * the kernel with one sendmmsg(): at a million records a second the
 * per-message system call, not the encoding, is what costs. A send that
 * fails because the address cannot be reached from here (no route, network
 * down, address family unavailable, refused by a firewall) moves the
 * collector to its next address: a new session there, which gets the
 * records from the failed message on, templates first. Any other failure
 * (a full buffer), or one on every address, is counted for that collector,
 * logged rate-limited, and never stops the others: the records of the lost
 * message count as not sent (notSentFlowTotalCount etc. in the next
 * reliability record), and since the sequence number still moves on, the
 * collector also sees the gap. A record that reached no collector at all
 * (none configured or resolved, or every one failed) is counted in
 * records_not_sent; with no collector at all it is also reported, as lost,
 * to the collectors that come later.
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

#include "ifnames.h"
#include "ipfix.h"
#include "log.h"
#include "record.h"

#define EXPORTER_MAX_COLLECTORS 64
#define EXPORTER_MAX_ADDRS 8		/* addresses per collector */
#define EXPORTER_BATCH 32		/* messages per sendmmsg() */
#define EXPORTER_CHUNK 1024		/* records per encoding pass */

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
	/* Exporter-wide (0 in a collector's own counters): */
	uint64_t records_not_sent;	/* records no collector took */
};

struct exporter_collector {
	struct sockaddr_storage addr;	/* the one in use: addrs[cur] */
	socklen_t addrlen;
	struct sockaddr_storage addrs[EXPORTER_MAX_ADDRS];
	socklen_t lens[EXPORTER_MAX_ADDRS];
	size_t naddrs, cur;
	char name[64];			/* addr: "198.51.100.1:4739", "[::1]:4739" */
	char label[128];		/* the profile's string(s) for it */
	struct ipfix_writer w;
	struct exporter_counters ctr;
	uint64_t first_drop_ms;		/* of this collector's sends */
	uint64_t last_drop_ms;
	uint64_t ifname_pending;	/* bit i: announce names.e[i] */
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

typedef int (*exporter_sendmmsg_fn)(int fd, struct mmsghdr *msgs,
				    unsigned int n, int flags);

/* A message encoded and waiting in the batch, and what it holds. */
struct exporter_pending {
	size_t len;
	size_t rec_first, rec_end;	/* the records of the submit in it */
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
	/* The records' interfaces; if_indextoname() unless tests replace it. */
	struct ifnames names;
	struct exporter_rule *rules;	/* the rule table, in the order given */
	size_t nrules;
	/* Records lost before they reached the exporter (kernel queue full). */
	uint64_t lost_flows, lost_packets, lost_octets;
	uint64_t lost_first_ms, lost_last_ms;
	/* Counters of collectors removed by exporter_set_collectors. */
	struct exporter_counters removed;
	uint64_t records_not_sent;	/* taken by no collector */
	/* Per record of the chunk being sent: did any collector take it. */
	uint8_t taken[EXPORTER_CHUNK];
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

/* A collector as configured: its addresses, in order of preference. */
struct exporter_dest {
	const char *name;		/* "Udp/collector.example:4739", or NULL */
	const struct sockaddr_storage *addrs;
	const socklen_t *lens;
	size_t naddrs;			/* >= 1; the first EXPORTER_MAX_ADDRS */
};

/*
 * Replace the collector list (at most EXPORTER_MAX_COLLECTORS; AF_INET or
 * AF_INET6 addresses with a port). Destinations that share an address are
 * one collector (addresses of the first, then the others' new ones). A
 * collector whose address in use is in the new list keeps its session; the
 * others start one. -EINVAL, -ENOMEM: nothing changed.
 */
int exporter_set_destinations(struct exporter *ex,
			      const struct exporter_dest *d, size_t n);

/* The same with one address per collector. */
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

/*
 * Sum of the counters of all collectors, past and present, and the
 * exporter's records_not_sent.
 */
void exporter_get_counters(const struct exporter *ex,
			   struct exporter_counters *sum);

/* "198.51.100.1:4739" / "[2001:db8::1]:4739" into buf. */
void exporter_addr_str(const struct sockaddr *sa, char *buf, size_t len);

#endif
