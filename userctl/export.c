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
	ex->rules = NULL;
	ex->nrules = 0;
	ex->coll = NULL;
	ex->buf = NULL;
	ex->ncoll = 0;
	ex->fd4 = -1;
	ex->fd6 = -1;
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

int exporter_set_collectors(struct exporter *ex,
			    const struct sockaddr_storage *addrs,
			    const socklen_t *lens, size_t n)
{
	struct exporter_collector *nc = NULL;
	bool *kept = NULL;
	int err = 0;

	if (n > EXPORTER_MAX_COLLECTORS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		sa_family_t f = addrs[i].ss_family;

		if ((f == AF_INET && lens[i] < sizeof(struct sockaddr_in)) ||
		    (f == AF_INET6 && lens[i] < sizeof(struct sockaddr_in6)) ||
		    (f != AF_INET && f != AF_INET6))
			return -EINVAL;
	}
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

	for (size_t i = 0; i < n; i++) {
		struct exporter_collector *c = &nc[i];
		size_t j;

		for (j = 0; j < ex->ncoll; j++)
			if (!kept[j] && same_addr(&ex->coll[j].addr, &addrs[i]))
				break;
		if (j < ex->ncoll) {
			*c = ex->coll[j];	/* same session goes on */
			kept[j] = true;
			continue;
		}
		c->addr = addrs[i];
		c->addrlen = lens[i];
		exporter_addr_str((const struct sockaddr *)&c->addr, c->name,
				  sizeof(c->name));
		c->rl = (struct ulog_ratelimit)
			ULOG_RATELIMIT_INIT(SEND_LOG_INTERVAL_MS, SEND_LOG_BURST);
		collector_new_session(ex, c);
		ulog(ULOG_INFO, "collector %s: new IPFIX session", c->name);
	}
	for (size_t j = 0; j < ex->ncoll; j++) {
		if (kept[j])
			continue;
		counters_add(&ex->removed, &ex->coll[j].ctr);
		ulog(ULOG_INFO, "collector %s: removed", ex->coll[j].name);
	}
	free(ex->coll);
	ex->coll = nc;
	ex->ncoll = n;
	nc = NULL;
out:
	free(nc);
	free(kept);
	return err;
}

void exporter_get_counters(const struct exporter *ex,
			   struct exporter_counters *sum)
{
	*sum = ex->removed;
	for (size_t i = 0; i < ex->ncoll; i++)
		counters_add(sum, &ex->coll[i].ctr);
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
 * Learn (ifindex, name) from a record; a new or renamed interface is to be
 * announced to every collector. Returns its slot, or -1.
 */
static int iface_learn(struct exporter *ex, const struct eipfix_record *r)
{
	size_t i;

	if (!r->ifindex)
		return -1;
	for (i = 0; i < ex->nifaces; i++)
		if (ex->ifaces[i].ifindex == r->ifindex)
			break;
	if (i < ex->nifaces &&
	    !strncmp(ex->ifaces[i].name, r->ifname, sizeof(r->ifname)))
		return i;
	if (i == ex->nifaces) {
		if (ex->nifaces < EXPORTER_MAX_IFACES) {
			ex->nifaces++;
		} else {
			i = ex->iface_next;
			ex->iface_next = (i + 1) % EXPORTER_MAX_IFACES;
		}
	}
	ex->ifaces[i].ifindex = r->ifindex;
	memcpy(ex->ifaces[i].name, r->ifname, sizeof(ex->ifaces[i].name));
	ex->ifaces[i].name[sizeof(ex->ifaces[i].name) - 1] = '\0';
	for (size_t k = 0; k < ex->ncoll; k++)
		ex->coll[k].ifname_pending |= 1ull << i;
	return i;
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
	uint32_t flows;
	uint64_t packets;
	uint64_t octets;
};

static uint8_t *slot_buf(struct exporter *ex, size_t i)
{
	return ex->buf + i * IPFIX_MSG_MAX;
}

static void msg_sent(struct exporter_collector *c,
		     const struct exporter_pending *m)
{
	c->ctr.messages++;
	c->ctr.records += m->flows;
	c->ctr.bytes += m->len;
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
		ulog(ULOG_WARN, "collector %s: sending %zu bytes failed: %s",
		     c->name, m->len, strerror(e));
}

/*
 * Sends the batch to @c: each message is counted sent or failed, exactly.
 * sendmmsg() stops at the first message that fails and reports it on the
 * next call, which then starts with it.
 */
static void batch_flush(struct exporter *ex, struct exporter_collector *c,
			uint64_t now_ms)
{
	struct mmsghdr mm[EXPORTER_BATCH];
	struct iovec iov[EXPORTER_BATCH];
	size_t n = ex->npending, i = 0;
	int fd = n ? get_fd(ex, c->addr.ss_family) : -1;

	ex->npending = 0;
	if (n && fd < 0) {
		int e = errno;

		while (i < n)
			msg_failed(c, &ex->pending[i++], e, now_ms);
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

		if (r <= 0) {
			msg_failed(c, &ex->pending[i++], r < 0 ? errno : EIO, now_ms);
			continue;
		}
		for (int k = 0; k < r; k++, i++) {
			if (mm[i].msg_len == ex->pending[i].len)
				msg_sent(c, &ex->pending[i]);
			else
				msg_failed(c, &ex->pending[i], EMSGSIZE, now_ms);
		}
	}
}

/* Closes the message being built into the batch; sends a full batch. */
static void msg_queue(struct exporter *ex, struct exporter_collector *c,
		      const struct msg_tally *t, uint64_t now_ms)
{
	size_t len = ipfix_msg_end(&c->w);
	struct exporter_pending *m;

	if (!ipfix_msg_has_sets(&c->w))
		return;
	m = &ex->pending[ex->npending++];
	m->len = len;
	m->seq = ipfix_msg_seq(&c->w);
	m->flows = t->flows;
	m->packets = t->packets;
	m->octets = t->octets;
	if (ex->npending == EXPORTER_BATCH)
		batch_flush(ex, c, now_ms);
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

/*
 * Everything one collector is owed, in order: templates (if due or
 * unfinished), interface names, reliability statistics, then the records.
 * Messages are cut wherever the next item does not fit.
 */
static int collector_send(struct exporter *ex, struct exporter_collector *c,
			  const struct eipfix_record *recs, size_t n,
			  uint64_t now_ms)
{
	uint32_t now_s = now_ms / 1000;
	uint64_t not_sent = ex->lost_flows + c->ctr.not_sent_flows;
	size_t i = 0;
	int err;

	if (ipfix_templates_due(&c->w, now_s, ex->p.refresh_s)) {
		/* a new round: start it and re-announce everything */
		c->ifname_pending = ex->nifaces >= 64 ? ~0ull :
			(1ull << ex->nifaces) - 1;
		c->rule_next = 0;
		c->stats_due = true;
		msg_begin(ex, c, now_s);
		err = ipfix_add_templates(&c->w);
	} else {
		msg_begin(ex, c, now_s);
		err = 0;
	}
	if (not_sent != c->stats_reported)
		c->stats_due = true;

	for (;;) {
		struct msg_tally t = { 0 };

		if (err == 0 && ipfix_templates_pending(&c->w))
			err = ipfix_add_templates(&c->w);
		while (err == 0 && c->ifname_pending) {
			int k = __builtin_ctzll(c->ifname_pending);

			err = ipfix_add_ifname(&c->w, ex->ifaces[k].ifindex,
					       ex->ifaces[k].name);
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
		while (err == 0 && i < n) {
			err = ipfix_add_record(&c->w, &recs[i]);
			if (err == -EINVAL) {
				/* not IPv4/IPv6: no template can carry it */
				count_not_sent(c, 1, recs[i].packets, recs[i].octets, now_ms);
				if (ulog_ratelimit(&c->rl))
					ulog(ULOG_WARN, "collector %s: a record of address family %u cannot be encoded",
					     c->name, recs[i].family);
				err = 0;
				i++;
				continue;
			}
			if (err)
				break;
			t.flows++;
			t.packets += recs[i].packets;
			t.octets += recs[i].octets;
			i++;
		}
		if (err && err != -ENOSPC) {
			ipfix_msg_end(&c->w);
			batch_flush(ex, c, now_ms);
			return err;
		}
		if (err == -ENOSPC && !ipfix_msg_has_sets(&c->w)) {
			/* nothing fits even an empty message: our bug */
			ipfix_msg_end(&c->w);
			batch_flush(ex, c, now_ms);
			return -EMSGSIZE;
		}
		msg_queue(ex, c, &t, now_ms);
		if (!err) {
			batch_flush(ex, c, now_ms);
			return 0;
		}
		msg_begin(ex, c, now_s);
		err = 0;
	}
}

static int send_all(struct exporter *ex, const struct eipfix_record *recs,
		    size_t n, uint64_t now_ms)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		iface_learn(ex, &recs[i]);
	for (size_t k = 0; k < ex->ncoll; k++) {
		int err = collector_send(ex, &ex->coll[k], recs, n, now_ms);

		if (err && !ret)
			ret = err;
	}
	return ret;
}

int exporter_submit(struct exporter *ex, const struct eipfix_record *recs,
		    size_t n, uint64_t now_ms)
{
	return send_all(ex, recs, n, now_ms);
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
	return send_all(ex, NULL, 0, now_ms);
}
