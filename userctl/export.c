// SPDX-License-Identifier: GPL-2.0
/*
 * UDP export of IPFIX messages to every collector: see export.h. The
 * encoding is ipfix.c's; this file owns sockets, sessions, timing and
 * counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"

/* ifname_pending has a bit per slot of the names table. */
_Static_assert(IFNAMES_MAX <= 64, "ifname_pending is 64 bits");

#define SEND_LOG_INTERVAL_MS 60000
#define SEND_LOG_BURST 3

static int check_params(const struct exporter_params *p)
{
	if (p->msg_size < IPFIX_MSG_MIN || p->msg_size > IPFIX_MSG_MAX)
		return -EINVAL;
	if (p->refresh_s < 1)
		return -EINVAL;
	return 0;
}

int exporter_init(struct exporter *ex, const struct exporter_params *p)
{
	int err = check_params(p);

	if (err)
		return err;
	memset(ex, 0, sizeof(*ex));
	ex->p = *p;
	ex->fd4 = -1;
	ex->fd6 = -1;
	ex->sendmmsg_fn = sendmmsg;
	ifnames_init(&ex->names, NULL, NULL);
	ex->buf = malloc((size_t)EXPORTER_BATCH * IPFIX_MSG_MAX);
	if (!ex->buf)
		return -ENOMEM;
	return 0;
}

void exporter_free(struct exporter *ex)
{
	if (ex->fd4 >= 0)
		close(ex->fd4);
	if (ex->fd6 >= 0)
		close(ex->fd6);
	free(ex->coll);
	free(ex->buf);
	free(ex->rules);
	/* As exporter_init() leaves it before its first socket: freeing again is harmless. */
	memset(ex, 0, sizeof(*ex));
	ex->fd4 = -1;
	ex->fd6 = -1;
	ifnames_init(&ex->names, NULL, NULL);
}

void exporter_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, len, "(address family %u)", sa->sa_family);
	}
}

static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       x->sin6_scope_id == y->sin6_scope_id &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
}

static void collector_new_session(struct exporter *ex,
				  struct exporter_collector *c)
{
	ipfix_writer_init(&c->w, ex->p.odid, ex->p.msg_size);
	c->ifname_pending = 0;
	c->stats_due = false;
}

int exporter_set_params(struct exporter *ex, const struct exporter_params *p)
{
	bool new_domain = p->odid != ex->p.odid;
	int err = check_params(p);

	if (err)
		return err;
	ex->p = *p;
	for (size_t i = 0; i < ex->ncoll; i++) {
		struct exporter_collector *c = &ex->coll[i];

		if (new_domain)
			collector_new_session(ex, c);
		else
			ipfix_writer_set_max(&c->w, p->msg_size);
	}
	return 0;
}

static void counters_add(struct exporter_counters *sum,
			 const struct exporter_counters *c)
{
	sum->messages += c->messages;
	sum->records += c->records;
	sum->bytes += c->bytes;
	sum->send_errors += c->send_errors;
	sum->not_sent_flows += c->not_sent_flows;
	sum->not_sent_packets += c->not_sent_packets;
	sum->not_sent_octets += c->not_sent_octets;
}

static bool valid_addr(const struct sockaddr_storage *a, socklen_t len)
{
	if (a->ss_family == AF_INET)
		return len >= sizeof(struct sockaddr_in);
	if (a->ss_family == AF_INET6)
		return len >= sizeof(struct sockaddr_in6);
	return false;
}

static int check_dests(const struct exporter_dest *d, size_t n)
{
	if (n > EXPORTER_MAX_COLLECTORS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!d[i].naddrs)
			return -EINVAL;
		for (size_t k = 0; k < d[i].naddrs; k++)
			if (!valid_addr(&d[i].addrs[k], d[i].lens[k]))
				return -EINVAL;
	}
	return 0;
}

static ssize_t addr_index(const struct exporter_collector *c,
			  const struct sockaddr_storage *a)
{
	for (size_t i = 0; i < c->naddrs; i++)
		if (same_addr(&c->addrs[i], a))
			return (ssize_t)i;
	return -1;
}

static bool shares_addr(const struct exporter_collector *c,
			const struct exporter_dest *d)
{
	for (size_t i = 0; i < d->naddrs; i++)
		if (addr_index(c, &d->addrs[i]) >= 0)
			return true;
	return false;
}

/* d's name, or its first address when it has none. */
static const char *dest_name(const struct exporter_dest *d, char *buf,
			     size_t len)
{
	if (d->name)
		return d->name;
	exporter_addr_str((const struct sockaddr *)&d->addrs[0], buf, len);
	return buf;
}

/* d's addresses that c lacks go after c's; its name joins c's label. */
static void dest_merge(struct exporter_collector *c,
		       const struct exporter_dest *d)
{
	size_t used = strlen(c->label);
	char buf[64];

	for (size_t i = 0; i < d->naddrs && c->naddrs < EXPORTER_MAX_ADDRS; i++) {
		if (addr_index(c, &d->addrs[i]) >= 0)
			continue;
		c->addrs[c->naddrs] = d->addrs[i];
		c->lens[c->naddrs++] = d->lens[i];
	}
	snprintf(c->label + used, sizeof(c->label) - used, "%s%s",
		 used ? ", " : "", dest_name(d, buf, sizeof(buf)));
}

/* Makes addrs[i] the address in use. */
static void collector_use_addr(struct exporter_collector *c, size_t i)
{
	c->cur = i;
	c->addr = c->addrs[i];
	c->addrlen = c->lens[i];
	exporter_addr_str((const struct sockaddr *)&c->addr, c->name,
			  sizeof(c->name));
}

/*
 * c (addresses and label only) takes over the session of an old collector
 * whose address in use it has, or starts a new one.
 */
static void session_for(struct exporter *ex, struct exporter_collector *c,
			bool *kept)
{
	struct exporter_collector fresh = *c;

	for (size_t k = 0; k < ex->ncoll; k++) {
		ssize_t at = kept[k] ? -1 : addr_index(c, &ex->coll[k].addr);

		if (at < 0)
			continue;
		*c = ex->coll[k];	/* same session goes on */
		memcpy(c->addrs, fresh.addrs, sizeof(c->addrs));
		memcpy(c->lens, fresh.lens, sizeof(c->lens));
		c->naddrs = fresh.naddrs;
		memcpy(c->label, fresh.label, sizeof(c->label));
		c->cur = (size_t)at;
		kept[k] = true;
		return;
	}
	collector_use_addr(c, 0);
	c->rl = (struct ulog_ratelimit)
		ULOG_RATELIMIT_INIT(SEND_LOG_INTERVAL_MS, SEND_LOG_BURST);
	collector_new_session(ex, c);
	ulog(ULOG_INFO, "collector %s: new IPFIX session to %s", c->label,
	     c->name);
}

/* Folds d into nc[0..*nn): one collector per set of shared addresses. */
static void dests_fold(struct exporter_collector *nc, size_t *nn,
		       const struct exporter_dest *d, size_t n)
{
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < *nn; j++)
			if (shares_addr(&nc[j], &d[i]))
				break;
		if (j < *nn)
			ulog(ULOG_INFO, "collector %s has an address of %s: one IPFIX session for both",
			     dest_name(&d[i], buf, sizeof(buf)), nc[j].label);
		else
			(*nn)++;
		dest_merge(&nc[j], &d[i]);
	}
}

int exporter_set_destinations(struct exporter *ex,
			      const struct exporter_dest *d, size_t n)
{
	struct exporter_collector *nc = NULL;
	bool *kept = NULL;
	size_t nn = 0;
	int err = check_dests(d, n);

	if (err)
		return err;
	if (n) {
		nc = calloc(n, sizeof(*nc));
		if (!nc)
			return -ENOMEM;
	}
	if (ex->ncoll) {
		kept = calloc(ex->ncoll, sizeof(*kept));
		if (!kept) {
			err = -ENOMEM;
			goto out;
		}
	}
	dests_fold(nc, &nn, d, n);
	for (size_t j = 0; j < nn; j++)
		session_for(ex, &nc[j], kept);
	for (size_t k = 0; k < ex->ncoll; k++) {
		if (kept[k])
			continue;
		counters_add(&ex->removed, &ex->coll[k].ctr);
		ulog(ULOG_INFO, "collector %s: removed", ex->coll[k].label);
	}
	free(ex->coll);
	ex->coll = nc;
	ex->ncoll = nn;
	nc = NULL;
out:
	free(nc);
	free(kept);
	return err;
}

int exporter_set_collectors(struct exporter *ex,
			    const struct sockaddr_storage *addrs,
			    const socklen_t *lens, size_t n)
{
	struct exporter_dest d[EXPORTER_MAX_COLLECTORS];

	if (n > EXPORTER_MAX_COLLECTORS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		d[i] = (struct exporter_dest){
			.addrs = &addrs[i], .lens = &lens[i], .naddrs = 1,
		};
	return exporter_set_destinations(ex, d, n);
}

void exporter_get_counters(const struct exporter *ex,
			   struct exporter_counters *sum)
{
	*sum = ex->removed;
	for (size_t i = 0; i < ex->ncoll; i++)
		counters_add(sum, &ex->coll[i].ctr);
	sum->records_not_sent = ex->records_not_sent;
}

void exporter_note_lost(struct exporter *ex, uint64_t flows,
			uint64_t packets, uint64_t octets, uint64_t now_ms)
{
	if (!flows && !packets && !octets)
		return;
	if (!ex->lost_first_ms)
		ex->lost_first_ms = now_ms;
	ex->lost_last_ms = now_ms;
	ex->lost_flows += flows;
	ex->lost_packets += packets;
	ex->lost_octets += octets;
}

/*
 * The interface of a record: a new one, or one whose name changed, is to
 * be announced to every collector.
 */
static void iface_learn(struct exporter *ex, uint32_t ifindex, uint64_t now_ms)
{
	bool changed;
	int i = ifnames_get(&ex->names, ifindex, now_ms, &changed);

	if (i < 0 || !changed)
		return;
	for (size_t k = 0; k < ex->ncoll; k++)
		ex->coll[k].ifname_pending |= 1ull << i;
}

static int get_fd(struct exporter *ex, sa_family_t family)
{
	int *fd = family == AF_INET6 ? &ex->fd6 : &ex->fd4;

	if (*fd < 0)
		*fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return *fd;
}

/* What the message being built holds, for the counters. */
struct msg_tally {
	size_t first;			/* the first record it may hold */
	uint32_t flows;
	uint64_t packets;
	uint64_t octets;
};

/* taken[] of a record: did a collector take it (or could none encode it). */
enum { NOT_TAKEN, TAKEN, UNENCODABLE };

/* One collector's pass over one chunk of records. */
struct send_pass {
	const struct eipfix_record *recs;
	size_t n;
	uint64_t now_ms;
	size_t judged;		/* records below were checked for encoding */
	size_t tries_left;	/* other addresses to try in this pass */
	bool moved;		/* moved to another address: send again */
	size_t resume;		/* from this record */
};

static uint8_t *slot_buf(struct exporter *ex, size_t i)
{
	return ex->buf + i * IPFIX_MSG_MAX;
}

static void msg_sent(struct exporter *ex, struct exporter_collector *c,
		     const struct exporter_pending *m)
{
	c->ctr.messages++;
	c->ctr.records += m->flows;
	c->ctr.bytes += m->len;
	for (size_t i = m->rec_first; i < m->rec_end; i++)
		if (ex->taken[i] == NOT_TAKEN)
			ex->taken[i] = TAKEN;
	ulog(ULOG_DEBUG, "collector %s: sent %zu bytes, %u flow records (sequence %u)",
	     c->name, m->len, m->flows, m->seq);
}

/* Flows that will not reach @c: for the reliability statistics. */
static void count_not_sent(struct exporter_collector *c, uint32_t flows,
			   uint64_t packets, uint64_t octets, uint64_t now_ms)
{
	c->ctr.not_sent_flows += flows;
	c->ctr.not_sent_packets += packets;
	c->ctr.not_sent_octets += octets;
	if (flows) {
		if (!c->first_drop_ms)
			c->first_drop_ms = now_ms;
		c->last_drop_ms = now_ms;
		c->stats_due = true;
	}
}

static void msg_failed(struct exporter_collector *c,
		       const struct exporter_pending *m, int e, uint64_t now_ms)
{
	c->ctr.send_errors++;
	count_not_sent(c, m->flows, m->packets, m->octets, now_ms);
	if (ulog_ratelimit(&c->rl))
		ulog(ULOG_WARN, "collector %s: sending %zu bytes to %s failed: %s",
		     c->label, m->len, c->name, strerror(e));
}

/*
 * Errors that say this address cannot be reached from here, where another
 * address of the same collector may be: no route, network or host down,
 * no source address or socket for the family, a firewall's refusal. A full
 * buffer (ENOBUFS, EAGAIN) or a message too long says nothing of the
 * address: the next one would fare no better.
 */
static bool addr_unreachable(int e)
{
	switch (e) {
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
	case ECONNREFUSED:
	case EPERM:
	case EACCES:
		return true;
	default:
		return false;
	}
}

/*
 * Sending pending[first] failed with e: if the address cannot be reached
 * and the collector has one not yet tried in this pass, move to the next
 * address, a new session there. The failed message and those after it are
 * dropped from the batch, not counted: the pass encodes their records
 * again, from sp->resume, for the new session.
 */
static bool fail_over(struct exporter *ex, struct exporter_collector *c,
		      struct send_pass *sp, size_t first, int e)
{
	char old[sizeof(c->name)];

	if (!sp->tries_left || !addr_unreachable(e))
		return false;
	sp->tries_left--;
	sp->moved = true;
	sp->resume = ex->pending[first].rec_first;
	memcpy(old, c->name, sizeof(old));
	collector_use_addr(c, (c->cur + 1) % c->naddrs);
	collector_new_session(ex, c);
	if (ulog_ratelimit(&c->rl))
		ulog(ULOG_WARN, "collector %s: cannot send to %s: %s; trying %s (a new IPFIX session)",
		     c->label, old, strerror(e), c->name);
	return true;
}

/*
 * Sends the batch to @c: each message is counted sent or failed, exactly,
 * unless the collector moves to another address (fail_over). sendmmsg()
 * stops at the first message that fails and reports it on the next call,
 * which then starts with it.
 */
static void batch_flush(struct exporter *ex, struct exporter_collector *c,
			struct send_pass *sp)
{
	struct mmsghdr mm[EXPORTER_BATCH];
	struct iovec iov[EXPORTER_BATCH];
	size_t n = ex->npending, i = 0;
	int fd = n ? get_fd(ex, c->addr.ss_family) : -1;

	ex->npending = 0;
	if (n && fd < 0) {
		int e = errno;

		if (fail_over(ex, c, sp, 0, e))
			return;
		while (i < n)
			msg_failed(c, &ex->pending[i++], e, sp->now_ms);
		return;
	}
	memset(mm, 0, n * sizeof(mm[0]));
	for (size_t k = 0; k < n; k++) {
		iov[k] = (struct iovec){ slot_buf(ex, k), ex->pending[k].len };
		mm[k].msg_hdr.msg_iov = &iov[k];
		mm[k].msg_hdr.msg_iovlen = 1;
		mm[k].msg_hdr.msg_name = &c->addr;
		mm[k].msg_hdr.msg_namelen = c->addrlen;
	}
	while (i < n) {
		int r = ex->sendmmsg_fn(fd, mm + i, n - i, 0);
		int e = r < 0 ? errno : EIO;

		/* a signal came before anything was sent: nothing failed */
		if (r < 0 && e == EINTR)
			continue;
		if (r <= 0) {
			if (fail_over(ex, c, sp, i, e))
				return;
			msg_failed(c, &ex->pending[i++], e, sp->now_ms);
			continue;
		}
		for (int k = 0; k < r; k++, i++) {
			if (mm[i].msg_len == ex->pending[i].len)
				msg_sent(ex, c, &ex->pending[i]);
			else
				msg_failed(c, &ex->pending[i], EMSGSIZE, sp->now_ms);
		}
	}
}

/* Closes the message being built into the batch; sends a full batch. */
static void msg_queue(struct exporter *ex, struct exporter_collector *c,
		      const struct msg_tally *t, size_t end,
		      struct send_pass *sp)
{
	size_t len = ipfix_msg_end(&c->w);
	struct exporter_pending *m;

	if (!ipfix_msg_has_sets(&c->w))
		return;
	m = &ex->pending[ex->npending++];
	m->len = len;
	m->rec_first = t->first;
	m->rec_end = end;
	m->seq = ipfix_msg_seq(&c->w);
	m->flows = t->flows;
	m->packets = t->packets;
	m->octets = t->octets;
	if (ex->npending == EXPORTER_BATCH)
		batch_flush(ex, c, sp);
}

/* Starts the next message of @c in the batch's next free slot. */
static void msg_begin(struct exporter *ex, struct exporter_collector *c,
		      uint32_t now_s)
{
	ipfix_msg_begin(&c->w, slot_buf(ex, ex->npending), ex->p.msg_size,
			now_s);
}

static void reliability_of(const struct exporter *ex,
			   const struct exporter_collector *c,
			   struct ipfix_reliability *st)
{
	memset(st, 0, sizeof(*st));
	st->exporting_process_id = ex->p.process_id;
	st->not_sent_flows = ex->lost_flows + c->ctr.not_sent_flows;
	st->not_sent_packets = ex->lost_packets + c->ctr.not_sent_packets;
	st->not_sent_octets = ex->lost_octets + c->ctr.not_sent_octets;
	st->first_drop_ms = ex->lost_first_ms;
	if (c->first_drop_ms &&
	    (!st->first_drop_ms || c->first_drop_ms < st->first_drop_ms))
		st->first_drop_ms = c->first_drop_ms;
	st->last_drop_ms = ex->lost_last_ms > c->last_drop_ms ?
		ex->lost_last_ms : c->last_drop_ms;
	st->exported_messages = c->ctr.messages;
	st->exported_flow_records = c->ctr.records;
}

/* Templates when due: a new round re-announces everything. */
static int begin_pass(struct exporter *ex, struct exporter_collector *c,
		      uint32_t now_s)
{
	uint64_t not_sent = ex->lost_flows + c->ctr.not_sent_flows;
	bool due = ipfix_templates_due(&c->w, now_s, ex->p.refresh_s);

	if (due) {
		c->ifname_pending = ex->names.n >= 64 ? ~0ull :
			(1ull << ex->names.n) - 1;
		c->rule_next = 0;
		c->stats_due = true;
	}
	if (not_sent != c->stats_reported)
		c->stats_due = true;
	msg_begin(ex, c, now_s);
	return due ? ipfix_add_templates(&c->w) : 0;
}

/* Options that are owed: interface names, then reliability statistics. */
static int add_options(struct exporter *ex, struct exporter_collector *c)
{
	int err = 0;

	if (ipfix_templates_pending(&c->w))
		err = ipfix_add_templates(&c->w);
	while (err == 0 && c->ifname_pending) {
		int k = __builtin_ctzll(c->ifname_pending);

		err = ipfix_add_ifname(&c->w, ex->names.e[k].ifindex,
				       ex->names.e[k].name);
		if (!err)
			c->ifname_pending &= ~(1ull << k);
	}
	while (err == 0 && c->rule_next < ex->nrules) {
		const struct exporter_rule *rl = &ex->rules[c->rule_next];

		err = ipfix_add_rule(&c->w, rl->rule, rl->description);
		if (!err)
			c->rule_next++;
	}
	if (err == 0 && c->stats_due) {
		struct ipfix_reliability st;

		reliability_of(ex, c, &st);
		err = ipfix_add_reliability(&c->w, &st);
		if (!err) {
			c->stats_due = false;
			c->stats_reported = st.not_sent_flows;
		}
	}
	return err;
}

/* A record no template can carry: not sent, counted once per pass. */
static void unencodable(struct exporter *ex, struct exporter_collector *c,
			struct send_pass *sp, size_t i)
{
	const struct eipfix_record *r = &sp->recs[i];

	ex->taken[i] = UNENCODABLE;
	if (i < sp->judged)
		return;		/* counted before the pass moved address */
	sp->judged = i + 1;
	count_not_sent(c, 1, r->packets, r->octets, sp->now_ms);
	if (ulog_ratelimit(&c->rl))
		ulog(ULOG_WARN, "collector %s: a record of address family %u cannot be encoded",
		     c->label, r->family);
}

/* Adds records from *i while they fit; 0 or -ENOSPC (message full). */
static int add_records(struct exporter *ex, struct exporter_collector *c,
		       struct send_pass *sp, size_t *i, struct msg_tally *t)
{
	while (*i < sp->n) {
		const struct eipfix_record *r = &sp->recs[*i];
		int err = ipfix_add_record(&c->w, r);

		if (err == -EINVAL) {
			/* not IPv4/IPv6: no template can carry it */
			unencodable(ex, c, sp, (*i)++);
			continue;
		}
		if (err)
			return err;
		t->flows++;
		t->packets += r->packets;
		t->octets += r->octets;
		(*i)++;
	}
	return 0;
}

/*
 * Everything one collector is owed, from record @from on, in order:
 * templates (if due or unfinished), interface names, the rule table,
 * reliability statistics, then the records. Messages are cut wherever the next item
 * does not fit. Returns early, sp->moved set, when the collector moved to
 * another address.
 */
static int collector_pass(struct exporter *ex, struct exporter_collector *c,
			  struct send_pass *sp, size_t from)
{
	uint32_t now_s = sp->now_ms / 1000;
	size_t i = from;
	int err = begin_pass(ex, c, now_s);

	for (;;) {
		struct msg_tally t = { .first = i };

		if (err == 0)
			err = add_options(ex, c);
		if (err == 0)
			err = add_records(ex, c, sp, &i, &t);
		if (err && err != -ENOSPC) {
			ipfix_msg_end(&c->w);
			batch_flush(ex, c, sp);
			return err;
		}
		if (err == -ENOSPC && !ipfix_msg_has_sets(&c->w)) {
			/* nothing fits even an empty message: our bug */
			ipfix_msg_end(&c->w);
			batch_flush(ex, c, sp);
			return -EMSGSIZE;
		}
		msg_queue(ex, c, &t, i, sp);
		if (sp->moved)
			return 0;
		if (!err) {
			batch_flush(ex, c, sp);
			return 0;
		}
		msg_begin(ex, c, now_s);
		err = 0;
	}
}

/*
 * Sends to @c, moving to its next address (and starting over from the
 * first record the failed address did not take) when one cannot be
 * reached; each address is tried at most once per call.
 */
static int collector_send(struct exporter *ex, struct exporter_collector *c,
			  const struct eipfix_record *recs, size_t n,
			  uint64_t now_ms)
{
	struct send_pass sp = {
		.recs = recs, .n = n, .now_ms = now_ms,
		.tries_left = c->naddrs ? c->naddrs - 1 : 0,
	};
	size_t from = 0;
	int err;

	do {
		sp.moved = false;
		err = collector_pass(ex, c, &sp, from);
		from = sp.resume;
	} while (sp.moved);
	return err;
}

/*
 * Records that no collector took are not sent. With no collector at all,
 * no collector counted them either: they are reported, as lost, to the
 * collectors that come later.
 */
static void count_not_taken(struct exporter *ex,
			    const struct eipfix_record *recs, size_t n,
			    uint64_t now_ms)
{
	uint64_t flows = 0, packets = 0, octets = 0;

	for (size_t i = 0; i < n; i++) {
		if (ex->taken[i] == TAKEN)
			continue;
		flows++;
		packets += recs[i].packets;
		octets += recs[i].octets;
	}
	ex->records_not_sent += flows;
	if (flows && !ex->ncoll)
		exporter_note_lost(ex, flows, packets, octets, now_ms);
}

/* At most EXPORTER_CHUNK records: taken[] follows each of them. */
static int send_chunk(struct exporter *ex, const struct eipfix_record *recs,
		      size_t n, uint64_t now_ms)
{
	int ret = 0;

	memset(ex->taken, NOT_TAKEN, n);
	for (size_t i = 0; i < n; i++)
		iface_learn(ex, recs[i].ifindex, now_ms);
	for (size_t k = 0; k < ex->ncoll; k++) {
		int err = collector_send(ex, &ex->coll[k], recs, n, now_ms);

		if (err && !ret)
			ret = err;
	}
	count_not_taken(ex, recs, n, now_ms);
	return ret;
}

int exporter_submit(struct exporter *ex, const struct eipfix_record *recs,
		    size_t n, uint64_t now_ms)
{
	int ret = 0;

	do {
		size_t k = n < EXPORTER_CHUNK ? n : EXPORTER_CHUNK;
		int err = send_chunk(ex, recs, k, now_ms);

		if (err && !ret)
			ret = err;
		recs += k;
		n -= k;
	} while (n);
	return ret;
}

static bool same_rules(const struct exporter *ex,
		       const struct exporter_rule *rules, size_t n)
{
	if (n != ex->nrules)
		return false;
	for (size_t i = 0; i < n; i++)
		if (rules[i].rule != ex->rules[i].rule ||
		    strcmp(rules[i].description, ex->rules[i].description))
			return false;
	return true;
}

int exporter_set_rules(struct exporter *ex, const struct exporter_rule *rules,
		       size_t n)
{
	struct exporter_rule *copy = NULL;

	if (same_rules(ex, rules, n))
		return 0;	/* the collectors have it (or will at refresh) */
	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, rules, n * sizeof(*copy));
	}
	free(ex->rules);
	ex->rules = copy;
	ex->nrules = n;
	for (size_t k = 0; k < ex->ncoll; k++)
		ex->coll[k].rule_next = 0;
	return 0;
}

int exporter_tick(struct exporter *ex, uint64_t now_ms)
{
	return send_chunk(ex, NULL, 0, now_ms);
}
