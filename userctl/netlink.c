// SPDX-License-Identifier: GPL-2.0
/*
 * userctl's generic netlink client (libnl-genl-3). One socket carries the
 * requests, the replies, and the two kinds of notification: records pending
 * (unicast to the registered agent) and config changed (multicast), which
 * are noted as events whenever they arrive.
 * A request never waits for ever (wait_answer()), and an answer to an
 * earlier request that gave up is skipped, never taken for the next's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* How long a request waits for the kernel's next message (wait_answer()). */
#define NETLINK_TIMEOUT_S 10

struct netlink {
	struct nl_sock *sock;
	int family;
	int config_grp;		/* resolved before anything can be notified */
	unsigned int events;
};

/* What one request is waiting for. */
struct request {
	struct netlink *nl;
	uint32_t seq;		/* of the request; answers carry it */
	int (*parse)(struct nlattr **tb, struct nlmsghdr *nlh, void *arg);
	void *arg;
	int done;
	int error;
	int parse_error;
	int interrupted;	/* a dump whose data changed in the middle */
	char extack[256];
};

int netlink_open(struct netlink **out, char *err, size_t errlen)
{
	struct netlink *nl = calloc(1, sizeof(*nl));
	int one = 1, ret;

	*out = NULL;
	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		free(nl);
		return -ENOMEM;
	}
	ret = genl_connect(nl->sock);
	if (ret < 0) {
		snprintf(err, errlen, "cannot open a generic netlink socket: %s",
			 nl_geterror(ret));
		goto fail;
	}
	setsockopt(nl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){ .tv_sec = NETLINK_TIMEOUT_S }, sizeof(struct timeval));
	nl->family = genl_ctrl_resolve(nl->sock, ENCLAVE_IPFIX_GENL_NAME);
	if (nl->family < 0) {
		snprintf(err, errlen,
			 "the enclave_ipfix kernel module is not loaded (modprobe enclave_ipfix)");
		ret = nl->family;
		goto fail;
	}
	/* Before registering: libnl's lookup takes any message for its answer. */
	nl->config_grp = genl_ctrl_resolve_grp(nl->sock, ENCLAVE_IPFIX_GENL_NAME,
					       ENCLAVE_IPFIX_MCGRP_CONFIG);
	nl_socket_disable_seq_check(nl->sock);
	nl_socket_set_buffer_size(nl->sock, 4 << 20, 4 << 20);
	/*
	 * A config of thousands of rules is a message of megabytes: lift the
	 * send buffer past wmem_max where we may (CAP_NET_ADMIN), and size the
	 * receive buffer to each message (MSG_PEEK) rather than guess.
	 */
	setsockopt(nl_socket_get_fd(nl->sock), SOL_SOCKET, SO_SNDBUFFORCE,
		   &(int){ 16 << 20 }, sizeof(int));
	setsockopt(nl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		   &(int){ 16 << 20 }, sizeof(int));
	nl_socket_enable_msg_peek(nl->sock);
	nl_socket_set_msg_buf_size(nl->sock, 64 << 10);
	setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	*out = nl;
	return 0;
fail:
	nl_socket_free(nl->sock);
	free(nl);
	return ret == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}

int netlink_fd(const struct netlink *nl)
{
	return nl_socket_get_fd(nl->sock);
}

unsigned int netlink_take_events(struct netlink *nl)
{
	unsigned int ev = nl->events;

	nl->events = 0;
	return ev;
}

/*
 * The extack message among the TLVs that start @off octets into @nlh (an
 * NLMSG_ERROR or NLMSG_DONE flagged NLM_F_ACK_TLVS), if any.
 */
static void extack_message(const struct nlmsghdr *nlh, size_t off, char *buf, size_t len)
{
	const struct nlattr *nla;
	size_t total = nlh->nlmsg_len;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	while (off + sizeof(*nla) <= total) {
		nla = (const void *)((const char *)nlh + off);
		if (nla->nla_len < sizeof(*nla) || off + nla->nla_len > total)
			return;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			snprintf(buf, len, "%.*s", (int)(nla->nla_len - sizeof(*nla)),
				 (const char *)(nla + 1));
			buf[strcspn(buf, "\n")] = '\0';
			return;
		}
		off += NLA_ALIGN(nla->nla_len);
	}
}

/* A kernel error is a small negative errno; anything else is malformed. */
static int kernel_errno(int e)
{
	return e < 0 && e > -4096 ? e : -EPROTO;
}

/* NLMSG_ERROR, also in the middle of a dump: the request ends with it. */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct request *rq = arg;
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	(void)who;
	rq->error = kernel_errno(e->error);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;	/* TLVs are aligned */
	extack_message(nlh, off, rq->extack, sizeof(rq->extack));
	rq->done = 1;
	return NL_STOP;
}

/*
 * The ACK, or NLMSG_DONE: its payload (which libnl ignores) is 0 or the
 * errno that cut the dump short, then the extack.
 */
static int on_done(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *rq = arg;
	int e;

	rq->done = 1;
	if (nlh->nlmsg_type != NLMSG_DONE || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return NL_STOP;
	memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	if (e < 0) {
		rq->error = kernel_errno(e);
		extack_message(nlh, NLMSG_LENGTH(sizeof(e)), rq->extack, sizeof(rq->extack));
	}
	return NL_STOP;
}

/* NLM_F_DUMP_INTR: read the dump to its end, then say it must be read again. */
static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	(void)msg;
	rq->interrupted = 1;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[EIPFIX_A_MAX + 1];
	int ret;

	/* Too short for a genetlink header: gnlh->cmd would be out of bounds. */
	if (nlh->nlmsg_type != rq->nl->family || !genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	switch (gnlh->cmd) {
	case EIPFIX_CMD_RECORDS_PENDING:
		rq->nl->events |= NETLINK_EV_RECORDS;
		return NL_OK;
	case EIPFIX_CMD_CONFIG_CHANGED:
		rq->nl->events |= NETLINK_EV_CONFIG;
		return NL_OK;
	}
	if (!rq->parse || rq->parse_error)
		return NL_OK;
	ret = genlmsg_parse(nlh, 0, tb, EIPFIX_A_MAX, NULL);
	if (!ret)
		ret = rq->parse(tb, nlh, rq->arg);
	if (ret)
		rq->parse_error = ret;
	return NL_OK;
}

/* This request's answers and notifications (0): not an earlier request's. */
static int check_seq(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;
	uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq;

	return seq == rq->seq || seq == 0 ? NL_OK : NL_SKIP;
}

static struct nl_cb *request_cb(struct request *rq)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, rq);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, rq);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, rq);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, check_seq, rq);
	return cb;
}

static const char *command_name(uint8_t cmd)
{
	switch (cmd) {
	case EIPFIX_CMD_SET_CONFIG: return "set the configuration";
	case EIPFIX_CMD_GET_CONFIG: return "read the configuration";
	case EIPFIX_CMD_GET_FLOWS: return "read the flow table";
	case EIPFIX_CMD_GET_COUNTERS: return "read the counters";
	case EIPFIX_CMD_REGISTER_AGENT: return "register as the agent";
	case EIPFIX_CMD_GET_RECORDS: return "take records";
	case EIPFIX_CMD_ACK_RECORDS: return "acknowledge records";
	}
	return "talk to the kernel";
}

/* Whether a message waits in the socket's receive queue. */
static bool messages_queued(struct netlink *nl)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sock), .events = POLLIN };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

/*
 * Reads until the ACK, the NLMSG_ERROR or the end of the dump of @rq. The
 * kernel queues its answer before the request's sendmsg() returns, and
 * fills a dump's next message in the recvmsg() that takes the one before
 * (af_netlink's netlink_dump()): an answer not queued by then never comes.
 * ENOBUFS says a message was dropped from a full socket, or a dump could
 * not allocate its next one: with messages queued, read on (taking them
 * resumes the dump); with none, -ENOBUFS at once. Else the receive
 * timeout ends the wait: -ETIMEDOUT.
 */
static int wait_answer(struct netlink *nl, struct nl_cb *cb, struct request *rq,
		       uint8_t cmd, char *err, size_t errlen)
{
	int ret;

	while (!rq->done) {
		ret = nl_recvmsgs(nl->sock, cb);
		if (rq->done || ret >= 0 || (ret == -NLE_NOMEM && messages_queued(nl)))
			continue;
		if (ret == -NLE_NOMEM) {
			snprintf(err, errlen, "cannot %s: the kernel's answer was cut short (ENOBUFS: it could not allocate a message, or the socket's buffer overran), what was read is incomplete; try again",
				 command_name(cmd));
			return -ENOBUFS;
		}
		if (ret == -NLE_AGAIN) {
			snprintf(err, errlen, "cannot %s: no answer from the kernel in %d s; try again",
				 command_name(cmd), NETLINK_TIMEOUT_S);
			return -ETIMEDOUT;
		}
		snprintf(err, errlen, "cannot %s: %s", command_name(cmd), nl_geterror(ret));
		return -EIO;
	}
	return 0;
}

/* The sentence for the error the kernel answered @cmd with. */
static void kernel_error(const struct request *rq, uint8_t cmd, char *err, size_t errlen)
{
	const char *what = rq->extack[0] ? rq->extack : strerror(-rq->error);
	bool short_of_memory = rq->error == -ENOBUFS || rq->error == -ENOMEM;

	if (rq->error == -EPERM && !rq->extack[0])
		what = "permission denied (CAP_NET_ADMIN is needed)";
	snprintf(err, errlen, "cannot %s: %s%s%s%s", command_name(cmd),
		 short_of_memory ? "the kernel is short of memory (" : "", what,
		 short_of_memory ? ")" : "", short_of_memory ? "; try again" : "");
}

/*
 * Sends @msg (command @cmd), hands every reply to @parse, and waits for the
 * ACK or the end of the dump. Consumes @msg.
 */
static int request(struct netlink *nl, struct nl_msg *msg, uint8_t cmd,
		   int (*parse)(struct nlattr **, struct nlmsghdr *, void *),
		   void *arg, char *err, size_t errlen)
{
	struct request rq = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb = request_cb(&rq);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = nl_send_auto(nl->sock, msg);
	rq.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (ret < 0) {
		snprintf(err, errlen, "cannot %s: %s", command_name(cmd), nl_geterror(ret));
		nl_cb_put(cb);
		return -EIO;
	}
	ret = wait_answer(nl, cb, &rq, cmd, err, errlen);
	nl_cb_put(cb);
	if (ret)
		return ret;
	if (rq.interrupted && !rq.error) {
		snprintf(err, errlen, "cannot %s: it changed while it was read",
			 command_name(cmd));
		return -EAGAIN;
	}
	if (rq.error) {
		kernel_error(&rq, cmd, err, errlen);
		return rq.error;
	}
	if (rq.parse_error) {
		snprintf(err, errlen, "cannot %s: the kernel's reply is malformed",
			 command_name(cmd));
		return rq.parse_error;
	}
	return 0;
}

static struct nl_msg *new_msg(struct netlink *nl, uint8_t cmd, int flags, size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags | NLM_F_REQUEST | NLM_F_ACK, cmd, ENCLAVE_IPFIX_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static size_t rule_msg_size(const struct eipfix_acl_rule *r)
{
	return 128 + 8 * r->n_ports + 264;
}

static int put_rule(struct nl_msg *msg, const struct eipfix_acl_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, EIPFIX_A_ACL_RULE), *ports;
	unsigned int i;

	if (!nest ||
	    nla_put_u8(msg, EIPFIX_RULE_A_ACTION, r->action) ||
	    nla_put_u8(msg, EIPFIX_RULE_A_DIRECTION, r->direction) ||
	    nla_put_u8(msg, EIPFIX_RULE_A_PROTOCOL, r->protocol))
		return -EMSGSIZE;
	if (r->family &&
	    (nla_put_u8(msg, EIPFIX_RULE_A_FAMILY, r->family) ||
	     nla_put(msg, EIPFIX_RULE_A_PEER, r->family == AF_INET ? 4 : 16, r->peer) ||
	     nla_put_u8(msg, EIPFIX_RULE_A_PEER_PREFIX, r->prefix_len)))
		return -EMSGSIZE;
	if (r->n_ports) {
		ports = nla_nest_start(msg, EIPFIX_RULE_A_PORTS);
		if (!ports)
			return -EMSGSIZE;
		for (i = 0; i < r->n_ports; i++)
			if (nla_put_u32(msg, EIPFIX_RULE_A_PORT_RANGE,
					(uint32_t)r->ports[i].first << 16 | r->ports[i].last))
				return -EMSGSIZE;
		if (nla_nest_end(msg, ports))
			return -EMSGSIZE;
	}
	if (r->description[0] &&
	    nla_put_string(msg, EIPFIX_RULE_A_DESCRIPTION, r->description))
		return -EMSGSIZE;
	/* A nest longer than 64 KiB is cancelled by libnl: never send it without. */
	return nla_nest_end(msg, nest) ? -EMSGSIZE : 0;
}

static int put_profile(struct nl_msg *msg, const struct eipfix_profile *p)
{
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u8(msg, EIPFIX_A_ENABLED, p->enabled) ||
	    nla_put_u8(msg, EIPFIX_A_DIRECTION, p->direction) ||
	    nla_put_u32(msg, EIPFIX_A_INTERVAL_MS, p->interval_ms) ||
	    nla_put_u32(msg, EIPFIX_A_IDLE_TIMEOUT_MS, p->idle_timeout_ms) ||
	    nla_put_u32(msg, EIPFIX_A_MAX_FLOWS, p->max_flows) ||
	    nla_put_u32(msg, EIPFIX_A_OBSERVATION_DOMAIN, p->observation_domain) ||
	    nla_put_u32(msg, EIPFIX_A_TEMPLATE_REFRESH_S, p->template_refresh_s) ||
	    nla_put_u32(msg, EIPFIX_A_MESSAGE_SIZE, p->message_size) ||
	    nla_put_u8(msg, EIPFIX_A_ACL_DEFAULT, p->acl_default))
		return -EMSGSIZE;
	/* Only when asked: a module without the attribute refuses it. */
	if (p->allowed_flow_rule && nla_put_u8(msg, EIPFIX_A_ALLOWED_FLOW_RULE, 1))
		return -EMSGSIZE;

	nest = nla_nest_start(msg, EIPFIX_A_INTERFACES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < p->n_interfaces; i++)
		if (nla_put_string(msg, EIPFIX_A_INTERFACE, p->interfaces[i]))
			return -EMSGSIZE;
	if (nla_nest_end(msg, nest))
		return -EMSGSIZE;

	nest = nla_nest_start(msg, EIPFIX_A_COLLECTORS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < p->n_collectors; i++)
		if (nla_put_string(msg, EIPFIX_A_COLLECTOR, p->collectors[i].text))
			return -EMSGSIZE;
	if (nla_nest_end(msg, nest))
		return -EMSGSIZE;

	/*
	 * An attribute's length is 16 bits: the rules go in as many
	 * EIPFIX_A_ACL_RULES nests as it takes (the uapi header allows it).
	 */
	nest = nla_nest_start(msg, EIPFIX_A_ACL_RULES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < p->n_rules; i++) {
		/* A rule is up to ~9 KiB: open the next nest before it would overflow. */
		if ((char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)nest +
		    rule_msg_size(&p->rules[i]) > UINT16_MAX) {
			if (nla_nest_end(msg, nest))
				return -EMSGSIZE;
			nest = nla_nest_start(msg, EIPFIX_A_ACL_RULES);
			if (!nest)
				return -EMSGSIZE;
		}
		if (put_rule(msg, &p->rules[i]))
			return -EMSGSIZE;
	}
	return nla_nest_end(msg, nest) ? -EMSGSIZE : 0;
}

/* An upper bound of the octets a rule takes in a message (put_rule()). */
static size_t profile_msg_size(const struct eipfix_profile *p)
{
	size_t size = 4096 + p->n_interfaces * 24 + p->n_collectors * 288;
	unsigned int i;

	for (i = 0; i < p->n_rules; i++)
		size += rule_msg_size(&p->rules[i]);
	return size;
}

int netlink_set_config(struct netlink *nl, const struct eipfix_profile *p,
		       char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_SET_CONFIG, 0, profile_msg_size(p));

	if (!msg)
		return -ENOMEM;
	if (put_profile(msg, p)) {
		nlmsg_free(msg);
		snprintf(err, errlen, "the configuration is too large for one netlink message");
		return -EMSGSIZE;
	}
	return request(nl, msg, EIPFIX_CMD_SET_CONFIG, NULL, NULL, err, errlen);
}

/* ---- GET_CONFIG ---- */

static struct nla_policy config_policy[EIPFIX_A_MAX + 1] = {
	[EIPFIX_A_ENABLED] = { .type = NLA_U8 },
	[EIPFIX_A_DIRECTION] = { .type = NLA_U8 },
	[EIPFIX_A_INTERVAL_MS] = { .type = NLA_U32 },
	[EIPFIX_A_IDLE_TIMEOUT_MS] = { .type = NLA_U32 },
	[EIPFIX_A_MAX_FLOWS] = { .type = NLA_U32 },
	[EIPFIX_A_OBSERVATION_DOMAIN] = { .type = NLA_U32 },
	[EIPFIX_A_TEMPLATE_REFRESH_S] = { .type = NLA_U32 },
	[EIPFIX_A_MESSAGE_SIZE] = { .type = NLA_U32 },
	[EIPFIX_A_ACL_DEFAULT] = { .type = NLA_U8 },
	[EIPFIX_A_GENERATION] = { .type = NLA_U32 },
	[EIPFIX_A_INTERFACES] = { .type = NLA_NESTED },
	[EIPFIX_A_COLLECTORS] = { .type = NLA_NESTED },
	[EIPFIX_A_ACL_RULES] = { .type = NLA_NESTED },
	[EIPFIX_A_ALLOWED_FLOW_RULE] = { .type = NLA_U8 },
};

static struct nla_policy rule_policy[EIPFIX_RULE_A_MAX + 1] = {
	[EIPFIX_RULE_A_ACTION] = { .type = NLA_U8 },
	[EIPFIX_RULE_A_DIRECTION] = { .type = NLA_U8 },
	[EIPFIX_RULE_A_FAMILY] = { .type = NLA_U8 },
	[EIPFIX_RULE_A_PEER] = { .minlen = 4, .maxlen = 16 },
	[EIPFIX_RULE_A_PEER_PREFIX] = { .type = NLA_U8 },
	[EIPFIX_RULE_A_PROTOCOL] = { .type = NLA_U8 },
	[EIPFIX_RULE_A_PORTS] = { .type = NLA_NESTED },
	[EIPFIX_RULE_A_DESCRIPTION] = { .type = NLA_STRING },
};

static int count_nested(struct nlattr *list)
{
	struct nlattr *nla;
	int rem, n = 0;

	if (list)
		nla_for_each_nested(nla, list, rem)
			n++;
	return n;
}

static int parse_rule(struct nlattr *nest, struct eipfix_acl_rule *r)
{
	struct nlattr *tb[EIPFIX_RULE_A_MAX + 1], *nla;
	int rem;

	if (nla_parse_nested(tb, EIPFIX_RULE_A_MAX, nest, rule_policy) ||
	    !tb[EIPFIX_RULE_A_ACTION])
		return -EPROTO;
	r->action = nla_get_u8(tb[EIPFIX_RULE_A_ACTION]);
	if (tb[EIPFIX_RULE_A_DIRECTION])
		r->direction = nla_get_u8(tb[EIPFIX_RULE_A_DIRECTION]);
	if (tb[EIPFIX_RULE_A_PROTOCOL])
		r->protocol = nla_get_u8(tb[EIPFIX_RULE_A_PROTOCOL]);
	if (tb[EIPFIX_RULE_A_FAMILY] && tb[EIPFIX_RULE_A_PEER] &&
	    tb[EIPFIX_RULE_A_PEER_PREFIX]) {
		r->family = nla_get_u8(tb[EIPFIX_RULE_A_FAMILY]);
		memcpy(r->peer, nla_data(tb[EIPFIX_RULE_A_PEER]),
		       nla_len(tb[EIPFIX_RULE_A_PEER]));
		r->prefix_len = nla_get_u8(tb[EIPFIX_RULE_A_PEER_PREFIX]);
	}
	if (tb[EIPFIX_RULE_A_DESCRIPTION])
		nla_strlcpy(r->description, tb[EIPFIX_RULE_A_DESCRIPTION],
			    sizeof(r->description));
	r->n_ports = count_nested(tb[EIPFIX_RULE_A_PORTS]);
	if (!r->n_ports)
		return 0;
	r->ports = calloc(r->n_ports, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	r->n_ports = 0;
	nla_for_each_nested(nla, tb[EIPFIX_RULE_A_PORTS], rem) {
		uint32_t v;

		if (nla_len(nla) < (int)sizeof(v))
			return -EPROTO;
		v = nla_get_u32(nla);

		r->ports[r->n_ports].first = v >> 16;
		r->ports[r->n_ports++].last = v & 0xffff;
	}
	return 0;
}

struct config_reply {
	struct eipfix_profile *p;
	uint32_t generation;
};

/* Elements of every top-level @type nest of the message: long lists come in several. */
static int count_list(struct nlmsghdr *nlh, int type)
{
	struct nlattr *list;
	int rem, n = 0;

	nlmsg_for_each_attr(list, nlh, GENL_HDRLEN, rem)
		if (nla_type(list) == type)
			n += count_nested(list);
	return n;
}

/* The first message of GET_CONFIG: the interfaces and the collectors. */
static int parse_lists(struct nlattr **tb, struct eipfix_profile *p)
{
	char err[512], text[sizeof(p->collectors[0].text)];
	struct nlattr *nla;
	int rem, n;

	free(p->interfaces);
	p->n_interfaces = 0;
	n = count_nested(tb[EIPFIX_A_INTERFACES]);
	p->interfaces = calloc(n ? n : 1, sizeof(*p->interfaces));
	p->collectors = calloc(count_nested(tb[EIPFIX_A_COLLECTORS]) + 1,
			       sizeof(*p->collectors));
	if (!p->interfaces || !p->collectors)
		return -ENOMEM;
	if (tb[EIPFIX_A_INTERFACES])
		nla_for_each_nested(nla, tb[EIPFIX_A_INTERFACES], rem)
			nla_strlcpy(p->interfaces[p->n_interfaces++], nla,
				    sizeof(p->interfaces[0]));
	if (tb[EIPFIX_A_COLLECTORS])
		nla_for_each_nested(nla, tb[EIPFIX_A_COLLECTORS], rem) {
			/* The kernel holds what push-config checked. */
			nla_strlcpy(text, nla, sizeof(text));
			if (eipfix_collector_parse(text, &p->collectors[p->n_collectors],
						   err, sizeof(err)))
				return -EPROTO;
			p->n_collectors++;
		}
	return 0;
}

/* The rules of one message of GET_CONFIG, after those of the ones before. */
static int parse_rules(struct nlmsghdr *nlh, struct eipfix_profile *p)
{
	struct eipfix_acl_rule *rules;
	struct nlattr *nla, *list;
	int rem, rem2, ret;

	rules = realloc(p->rules, (p->n_rules + count_list(nlh, EIPFIX_A_ACL_RULES) + 1) *
			sizeof(*p->rules));
	if (!rules)
		return -ENOMEM;
	p->rules = rules;
	nlmsg_for_each_attr(list, nlh, GENL_HDRLEN, rem) {
		if (nla_type(list) != EIPFIX_A_ACL_RULES)
			continue;
		nla_for_each_nested(nla, list, rem2) {
			memset(&p->rules[p->n_rules], 0, sizeof(p->rules[0]));
			ret = parse_rule(nla, &p->rules[p->n_rules++]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int parse_config(struct nlattr **tb, struct nlmsghdr *nlh, void *arg)
{
	struct config_reply *cr = arg;
	struct eipfix_profile *p = cr->p;
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	int ret;

	ret = nla_parse(tb, EIPFIX_A_MAX, genlmsg_attrdata(gnlh, 0),
			genlmsg_attrlen(gnlh, 0), config_policy);
	if (ret)
		return -EPROTO;
	if (!tb[EIPFIX_A_GENERATION])
		return parse_rules(nlh, p);
	/* The first message: everything but (some of) the rules. */
	eipfix_profile_free(p);
	eipfix_profile_init(p);
#define GET(attr, field, type) \
	do { if (tb[attr]) p->field = nla_get_##type(tb[attr]); } while (0)
	GET(EIPFIX_A_ENABLED, enabled, u8);
	GET(EIPFIX_A_DIRECTION, direction, u8);
	GET(EIPFIX_A_INTERVAL_MS, interval_ms, u32);
	GET(EIPFIX_A_IDLE_TIMEOUT_MS, idle_timeout_ms, u32);
	GET(EIPFIX_A_MAX_FLOWS, max_flows, u32);
	GET(EIPFIX_A_OBSERVATION_DOMAIN, observation_domain, u32);
	GET(EIPFIX_A_TEMPLATE_REFRESH_S, template_refresh_s, u32);
	GET(EIPFIX_A_MESSAGE_SIZE, message_size, u32);
	GET(EIPFIX_A_ACL_DEFAULT, acl_default, u8);
	GET(EIPFIX_A_ALLOWED_FLOW_RULE, allowed_flow_rule, u8);
#undef GET
	cr->generation = nla_get_u32(tb[EIPFIX_A_GENERATION]);
	ret = parse_lists(tb, p);
	return ret ? ret : parse_rules(nlh, p);
}

int netlink_get_config(struct netlink *nl, struct eipfix_profile *p,
		       uint32_t *generation, char *err, size_t errlen)
{
	struct config_reply cr = { .p = p };
	struct nl_msg *msg;
	int ret, tries = 0;

	eipfix_profile_init(p);
	do {
		/* A dump: the largest rule set takes many messages. */
		msg = new_msg(nl, EIPFIX_CMD_GET_CONFIG, NLM_F_DUMP, 0);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		ret = request(nl, msg, EIPFIX_CMD_GET_CONFIG, parse_config, &cr, err, errlen);
	} while (ret == -EAGAIN && ++tries < 5);
	if (ret) {
		eipfix_profile_free(p);
		return ret;
	}
	if (generation)
		*generation = cr.generation;
	return 0;
}

/* ---- counters ---- */

static int parse_counters(struct nlattr **tb, struct nlmsghdr *nlh, void *arg)
{
	uint64_t *ctr = arg;
	struct nlattr *nla;
	int rem;

	(void)nlh;
	if (!tb[EIPFIX_A_COUNTERS])
		return -EPROTO;
	nla_for_each_nested(nla, tb[EIPFIX_A_COUNTERS], rem) {
		int type = nla_type(nla);

		if (type > 0 && type < __EIPFIX_CTR_A_MAX && nla_len(nla) == 8)
			ctr[type] = nla_get_u64(nla);
	}
	return 0;
}

int netlink_get_counters(struct netlink *nl, uint64_t ctr[__EIPFIX_CTR_A_MAX],
			 char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_GET_COUNTERS, 0, 0);

	if (!msg)
		return -ENOMEM;
	memset(ctr, 0, sizeof(uint64_t) * __EIPFIX_CTR_A_MAX);
	return request(nl, msg, EIPFIX_CMD_GET_COUNTERS, parse_counters, ctr,
		       err, errlen);
}

/* ---- Access Control rule hits (in the GET_COUNTERS reply) ---- */

struct hits_reply {
	uint64_t *hits;
	unsigned int n;
	uint64_t default_hits;
};

static int parse_acl_hits(struct nlattr **tb, struct nlmsghdr *nlh, void *arg)
{
	struct hits_reply *h = arg;
	struct nlattr *nla, *list;
	int rem, rem2;

	if (tb[EIPFIX_A_ACL_DEFAULT_HITS])
		h->default_hits = nla_get_u64(tb[EIPFIX_A_ACL_DEFAULT_HITS]);
	/* A second reply replaces the first (its count sized the array). */
	free(h->hits);
	h->n = 0;
	h->hits = calloc(count_list(nlh, EIPFIX_A_ACL_RULE_HITS) + 1, sizeof(*h->hits));
	if (!h->hits)
		return -ENOMEM;
	nlmsg_for_each_attr(list, nlh, GENL_HDRLEN, rem) {
		if (nla_type(list) != EIPFIX_A_ACL_RULE_HITS)
			continue;
		nla_for_each_nested(nla, list, rem2)
			if (nla_type(nla) == EIPFIX_A_ACL_RULE_HIT && nla_len(nla) == 8)
				h->hits[h->n++] = nla_get_u64(nla);
	}
	return 0;
}

int netlink_get_acl_hits(struct netlink *nl, uint64_t **hits, unsigned int *n,
			 uint64_t *default_hits, char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_GET_COUNTERS, 0, 0);
	struct hits_reply h = { 0 };
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = request(nl, msg, EIPFIX_CMD_GET_COUNTERS, parse_acl_hits, &h, err, errlen);
	if (ret) {
		free(h.hits);
		return ret;
	}
	*hits = h.hits;
	*n = h.n;
	*default_hits = h.default_hits;
	return 0;
}

/* ---- flows and records ---- */

static struct nla_policy flow_policy[EIPFIX_FLOW_A_MAX + 1] = {
	[EIPFIX_FLOW_A_IFINDEX] = { .type = NLA_U32 },
	[EIPFIX_FLOW_A_DIRECTION] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_FAMILY] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_PROTOCOL] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_SRC_ADDR] = { .minlen = 4, .maxlen = 16 },
	[EIPFIX_FLOW_A_DST_ADDR] = { .minlen = 4, .maxlen = 16 },
	[EIPFIX_FLOW_A_SRC_PORT] = { .type = NLA_U16 },
	[EIPFIX_FLOW_A_DST_PORT] = { .type = NLA_U16 },
	[EIPFIX_FLOW_A_ICMP_TYPE] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_ICMP_CODE] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_TCP_FLAGS] = { .type = NLA_U16 },
	[EIPFIX_FLOW_A_TOS] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_FWD_STATUS] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_PACKETS] = { .type = NLA_U64 },
	[EIPFIX_FLOW_A_OCTETS] = { .type = NLA_U64 },
	[EIPFIX_FLOW_A_START_MS] = { .type = NLA_U64 },
	[EIPFIX_FLOW_A_END_MS] = { .type = NLA_U64 },
	[EIPFIX_FLOW_A_END_REASON] = { .type = NLA_U8 },
	[EIPFIX_FLOW_A_ACL_RULE] = { .type = NLA_U32 },
};

static int parse_flow(struct nlattr *nest, struct eipfix_record *r)
{
	struct nlattr *tb[EIPFIX_FLOW_A_MAX + 1];
	size_t alen;

	if (nla_parse_nested(tb, EIPFIX_FLOW_A_MAX, nest, flow_policy))
		return -EPROTO;
	if (!tb[EIPFIX_FLOW_A_FAMILY] || !tb[EIPFIX_FLOW_A_SRC_ADDR] ||
	    !tb[EIPFIX_FLOW_A_DST_ADDR] || !tb[EIPFIX_FLOW_A_PACKETS] ||
	    !tb[EIPFIX_FLOW_A_OCTETS])
		return -EPROTO;
	memset(r, 0, sizeof(*r));
	r->family = nla_get_u8(tb[EIPFIX_FLOW_A_FAMILY]);
	alen = r->family == AF_INET ? 4 : 16;
	if ((r->family != AF_INET && r->family != AF_INET6) ||
	    (size_t)nla_len(tb[EIPFIX_FLOW_A_SRC_ADDR]) != alen ||
	    (size_t)nla_len(tb[EIPFIX_FLOW_A_DST_ADDR]) != alen)
		return -EPROTO;
	memcpy(&r->src, nla_data(tb[EIPFIX_FLOW_A_SRC_ADDR]), alen);
	memcpy(&r->dst, nla_data(tb[EIPFIX_FLOW_A_DST_ADDR]), alen);
#define GET(attr, field, type) \
	do { if (tb[attr]) r->field = nla_get_##type(tb[attr]); } while (0)
	GET(EIPFIX_FLOW_A_IFINDEX, ifindex, u32);
	GET(EIPFIX_FLOW_A_DIRECTION, direction, u8);
	GET(EIPFIX_FLOW_A_PROTOCOL, protocol, u8);
	GET(EIPFIX_FLOW_A_SRC_PORT, src_port, u16);
	GET(EIPFIX_FLOW_A_DST_PORT, dst_port, u16);
	GET(EIPFIX_FLOW_A_ICMP_TYPE, icmp_type, u8);
	GET(EIPFIX_FLOW_A_ICMP_CODE, icmp_code, u8);
	GET(EIPFIX_FLOW_A_TCP_FLAGS, tcp_flags, u16);
	GET(EIPFIX_FLOW_A_TOS, tos, u8);
	GET(EIPFIX_FLOW_A_FWD_STATUS, fwd_status, u8);
	GET(EIPFIX_FLOW_A_PACKETS, packets, u64);
	GET(EIPFIX_FLOW_A_OCTETS, octets, u64);
	GET(EIPFIX_FLOW_A_START_MS, start_ms, u64);
	GET(EIPFIX_FLOW_A_END_MS, end_ms, u64);
	GET(EIPFIX_FLOW_A_END_REASON, end_reason, u8);
	GET(EIPFIX_FLOW_A_ACL_RULE, acl_rule, u32);
#undef GET
	r->has_acl_rule = tb[EIPFIX_FLOW_A_ACL_RULE];
	/* EIPFIX_FLOW_A_IFNAME is reserved (never sent): names are ifnames.h's. */
	return 0;
}

struct flows_reply {
	netlink_record_fn fn;
	void *arg;
	int type;		/* EIPFIX_A_FLOW or EIPFIX_A_RECORD */
	int stopped;
	uint64_t seq;		/* records: the last message's EIPFIX_A_RECORDS_SEQ */
};

static int parse_flows(struct nlattr **tb, struct nlmsghdr *nlh, void *arg)
{
	struct flows_reply *fr = arg;
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct eipfix_record rec;
	struct nlattr *nla;
	uint64_t seq = 0;
	int rem, ret;

	(void)tb;
	nla_for_each_attr(nla, genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0), rem) {
		if (nla_type(nla) == EIPFIX_A_RECORDS_SEQ &&
		    nla_len(nla) == (int)sizeof(uint64_t))
			seq = nla_get_u64(nla);
		if (nla_type(nla) != fr->type || fr->stopped)
			continue;
		ret = parse_flow(nla, &rec);
		if (ret)
			return ret;
		if (fr->fn(&rec, fr->arg))
			fr->stopped = 1;
	}
	/* Acknowledged only once every record of the message was handed on. */
	if (seq && !fr->stopped)
		fr->seq = seq;
	return 0;
}

int netlink_dump_flows(struct netlink *nl, netlink_record_fn fn, void *arg,
		       char *err, size_t errlen)
{
	struct flows_reply fr = { .fn = fn, .arg = arg, .type = EIPFIX_A_FLOW };
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_GET_FLOWS, NLM_F_DUMP, 0);

	if (!msg)
		return -ENOMEM;
	return request(nl, msg, EIPFIX_CMD_GET_FLOWS, parse_flows, &fr, err, errlen);
}

int netlink_take_records(struct netlink *nl, netlink_record_fn fn, void *arg,
			 uint64_t *seq, char *err, size_t errlen)
{
	struct flows_reply fr = { .fn = fn, .arg = arg, .type = EIPFIX_A_RECORD };
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_GET_RECORDS, NLM_F_DUMP, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = request(nl, msg, EIPFIX_CMD_GET_RECORDS, parse_flows, &fr, err, errlen);
	/* Records handed to fn before an error are the caller's: acknowledge them. */
	*seq = fr.seq;
	return ret;
}

int netlink_ack_records(struct netlink *nl, uint64_t seq, char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_ACK_RECORDS, 0, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u64(msg, EIPFIX_A_RECORDS_SEQ, seq)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(nl, msg, EIPFIX_CMD_ACK_RECORDS, NULL, NULL, err, errlen);
}

int netlink_register_agent(struct netlink *nl, bool takeover, char *err, size_t errlen)
{
	struct nl_msg *msg = new_msg(nl, EIPFIX_CMD_REGISTER_AGENT, 0, 0);

	if (!msg)
		return -ENOMEM;
	if (takeover && nla_put_flag(msg, EIPFIX_A_AGENT_TAKEOVER)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(nl, msg, EIPFIX_CMD_REGISTER_AGENT, NULL, NULL, err, errlen);
}

int netlink_subscribe_config(struct netlink *nl, char *err, size_t errlen)
{
	int ret;

	if (nl->config_grp < 0) {
		snprintf(err, errlen, "cannot find the config notification group: %s",
			 nl_geterror(nl->config_grp));
		return -ENOENT;
	}
	ret = nl_socket_add_membership(nl->sock, nl->config_grp);
	if (ret < 0) {
		snprintf(err, errlen, "cannot join the config notification group: %s",
			 nl_geterror(ret));
		return -EIO;
	}
	return 0;
}

int netlink_poll_events(struct netlink *nl, char *err, size_t errlen)
{
	struct request rq = { .nl = nl };
	struct nl_cb *cb = request_cb(&rq);
	int ret;

	if (!cb)
		return -ENOMEM;
	nl_socket_set_nonblocking(nl->sock);
	do {
		ret = nl_recvmsgs(nl->sock, cb);
	} while (ret >= 0);
	fcntl(nl_socket_get_fd(nl->sock), F_SETFL,
	      fcntl(nl_socket_get_fd(nl->sock), F_GETFL) & ~O_NONBLOCK);
	nl_cb_put(cb);
	if (ret == -NLE_AGAIN)
		return 0;
	snprintf(err, errlen, "cannot read kernel notifications: %s", nl_geterror(ret));
	return -EIO;
}
