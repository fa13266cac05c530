// SPDX-License-Identifier: GPL-2.0
/*
 * How a request ends (userctl/netlink.c): a whole dump, a dump the kernel
 * cut short (an errno in its NLMSG_DONE, an NLMSG_ERROR half-way), ENOBUFS
 * with and without messages still queued, no answer at all, and answers to
 * an earlier request. None of them may leave userctl waiting for ever.
 *
 * No kernel is involved (tests/lib/netlink_fake.h): the datagrams scripted
 * below go through libnl's real dispatch. The script's end is what the
 * socket's receive timeout gives (-NLE_AGAIN); poll() says a message waits
 * while the script has one next.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../lib/netlink_fake.h"
#include "../../userctl/commands.h"

/* Sequence numbers in the script: the request's, or the one before it. */
#define SEQ_REQ 0xfffffff0u
#define SEQ_OLD 0xfffffff1u

/* One datagram, or a receive error (-NLE_NOMEM: ENOBUFS). */
struct step {
	int err;
	size_t len;
	uint8_t buf[1024];
};

static struct step steps[16];
static size_t nsteps, next_step;
static int recv_calls;

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds)
{
	struct step *s;
	size_t off;

	(void)sk;
	recv_calls++;
	if (creds)
		*creds = NULL;
	if (next_step == nsteps)
		return -NLE_AGAIN;	/* SO_RCVTIMEO ran out */
	s = &steps[next_step++];
	if (s->err)
		return s->err;
	*buf = malloc(s->len);
	assert_non_null(*buf);
	memcpy(*buf, s->buf, s->len);
	for (off = 0; off + sizeof(struct nlmsghdr) <= s->len;) {
		struct nlmsghdr *h = (struct nlmsghdr *)(*buf + off);

		if (h->nlmsg_seq == SEQ_REQ)
			h->nlmsg_seq = fake_seq;
		else if (h->nlmsg_seq == SEQ_OLD)
			h->nlmsg_seq = fake_seq - 1;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK;
	return (int)s->len;
}

/* A message waits while the script's next step is one. */
static int fake_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	(void)timeout;
	assert_int_equal(n, 1);
	fds[0].revents = next_step < nsteps && !steps[next_step].err ? POLLIN : 0;
	return fds[0].revents ? 1 : 0;
}

/* ---- the script ---- */

static void add_step(const struct nlmsghdr *h)
{
	struct step *s = &steps[nsteps++];

	assert_true(nsteps <= sizeof(steps) / sizeof(steps[0]));
	assert_true(h->nlmsg_len <= sizeof(s->buf));
	memset(s, 0, sizeof(*s));
	memcpy(s->buf, h, h->nlmsg_len);
	s->len = h->nlmsg_len;
}

static void add_error_step(int nl_err)
{
	struct step *s = &steps[nsteps++];

	memset(s, 0, sizeof(*s));
	s->err = nl_err;
}

/* A message of a dump (or a notification: seq 0) carrying records. */
static void add_records(uint8_t cmd, int type, uint32_t seq, uint32_t first, int n,
			uint64_t rec_seq)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct in_addr a = { htonl(0x64400001) }, b = { htonl(0x64400002) };

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, seq, FAKE_FAMILY, 0, NLM_F_MULTI, cmd, 1));
	for (int i = 0; i < n; i++) {
		struct nlattr *nest = nla_nest_start(msg, type);

		assert_int_equal(nla_put_u32(msg, EIPFIX_FLOW_A_IFINDEX, first + i), 0);
		assert_int_equal(nla_put_u8(msg, EIPFIX_FLOW_A_FAMILY, AF_INET), 0);
		assert_int_equal(nla_put(msg, EIPFIX_FLOW_A_SRC_ADDR, 4, &a), 0);
		assert_int_equal(nla_put(msg, EIPFIX_FLOW_A_DST_ADDR, 4, &b), 0);
		assert_int_equal(nla_put_u64(msg, EIPFIX_FLOW_A_PACKETS, 1), 0);
		assert_int_equal(nla_put_u64(msg, EIPFIX_FLOW_A_OCTETS, 84), 0);
		nla_nest_end(msg, nest);
	}
	if (rec_seq)
		assert_int_equal(nla_put_u64(msg, EIPFIX_A_RECORDS_SEQ, rec_seq), 0);
	add_step(nlmsg_hdr(msg));
	nlmsg_free(msg);
}

static void add_pending(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, FAKE_FAMILY, 0, 0,
				    EIPFIX_CMD_RECORDS_PENDING, 1));
	add_step(nlmsg_hdr(msg));
	nlmsg_free(msg);
}

/* NLMSG_DONE with the dump's result, and an extack message if @text. */
static void add_done(uint32_t seq, int err, const char *text)
{
	struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI);

	assert_non_null(msg);
	nlmsg_hdr(msg)->nlmsg_seq = seq;
	assert_int_equal(nlmsg_append(msg, &err, sizeof(err), NLMSG_ALIGNTO), 0);
	if (text) {
		nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK_TLVS;
		assert_int_equal(nla_put_string(msg, NLMSGERR_ATTR_MSG, text), 0);
	}
	add_step(nlmsg_hdr(msg));
	nlmsg_free(msg);
}

/* NLMSG_ERROR (0: the ACK), quoting only the request's header. */
static void add_error(uint32_t seq, int err)
{
	struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED);
	struct nlmsgerr e = { .error = err };

	assert_non_null(msg);
	nlmsg_hdr(msg)->nlmsg_seq = seq;
	e.msg.nlmsg_len = sizeof(e.msg);
	e.msg.nlmsg_type = FAKE_FAMILY;
	assert_int_equal(nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO), 0);
	add_step(nlmsg_hdr(msg));
	nlmsg_free(msg);
}

/* ---- what the requests hand on ---- */

static uint32_t taken[64];
static int ntaken;

static int take(const struct eipfix_record *r, void *arg)
{
	(void)arg;
	assert_true(ntaken < 64);
	taken[ntaken++] = r->ifindex;
	return 0;
}

static int setup(void **s)
{
	(void)s;
	nsteps = next_step = 0;
	recv_calls = 0;
	ntaken = 0;
	return 0;
}

static int take_records(uint64_t *seq, char *err, size_t errlen)
{
	err[0] = '\0';
	return netlink_take_records(fake_netlink(), take, NULL, seq, err, errlen);
}

/* ---- the tests ---- */

static void a_whole_dump_hands_on_every_record(void **s)
{
	uint64_t seq;
	char err[512];

	(void)s;
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 1, 2, 10);
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 3, 1, 11);
	add_done(SEQ_REQ, 0, NULL);
	assert_int_equal(take_records(&seq, err, sizeof(err)), 0);
	assert_int_equal(ntaken, 3);
	assert_int_equal(seq, 11);
}

static void a_dump_whose_done_carries_an_error_fails_with_it(void **s)
{
	uint64_t seq;
	char err[512];

	(void)s;
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 1, 2, 10);
	add_done(SEQ_REQ, -ENOBUFS, "no room for the next record");
	assert_int_equal(take_records(&seq, err, sizeof(err)), -ENOBUFS);
	/* What came before the error was handed on: the caller acknowledges it. */
	assert_int_equal(ntaken, 2);
	assert_int_equal(seq, 10);
	assert_non_null(strstr(err, "no room for the next record"));
	assert_non_null(strstr(err, "try again"));
	assert_int_equal(netlink_exit_code(-ENOBUFS), USERCTL_EXIT_TRY_AGAIN);
}

static void an_nlmsg_error_in_the_middle_of_a_dump_ends_it(void **s)
{
	char err[512];

	(void)s;
	add_records(EIPFIX_CMD_GET_FLOWS, EIPFIX_A_FLOW, SEQ_REQ, 1, 2, 0);
	add_error(SEQ_REQ, -ENOMEM);
	/* Never read: the request ended with the error. */
	add_records(EIPFIX_CMD_GET_FLOWS, EIPFIX_A_FLOW, SEQ_REQ, 3, 1, 0);
	add_done(SEQ_REQ, 0, NULL);
	assert_int_equal(netlink_dump_flows(fake_netlink(), take, NULL, err, sizeof(err)),
			 -ENOMEM);
	assert_int_equal(ntaken, 2);
	assert_non_null(strstr(err, "cannot read the flow table: the kernel is short of memory"));
}

static void enobufs_with_nothing_queued_fails_at_once(void **s)
{
	uint64_t seq;
	char err[512];

	(void)s;
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 1, 2, 10);
	add_error_step(-NLE_NOMEM);
	/* The dump could not fill its next message: nothing more will come. */
	assert_int_equal(take_records(&seq, err, sizeof(err)), -ENOBUFS);
	assert_int_equal(recv_calls, 2);		/* no wait for the timeout */
	assert_int_equal(ntaken, 2);
	assert_int_equal(seq, 10);
	assert_non_null(strstr(err, "cannot take records: the kernel's answer was cut short"));
	assert_non_null(strstr(err, "incomplete"));
}

static void enobufs_with_messages_queued_reads_on(void **s)
{
	uint64_t seq;
	char err[512];

	(void)s;
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 1, 2, 10);
	add_error_step(-NLE_NOMEM);	/* a full buffer: the dump goes on as we read */
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 3, 2, 12);
	add_done(SEQ_REQ, 0, NULL);
	assert_int_equal(take_records(&seq, err, sizeof(err)), 0);
	assert_int_equal(ntaken, 4);
	assert_int_equal(seq, 12);
}

static void no_answer_ends_with_the_receive_timeout(void **s)
{
	uint64_t ctr[__EIPFIX_CTR_A_MAX];
	char err[512];

	(void)s;
	assert_int_equal(netlink_get_counters(fake_netlink(), ctr, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_string_equal(err, "cannot read the counters: no answer from the kernel in 10 s; try again");
	assert_int_equal(netlink_exit_code(-ETIMEDOUT), USERCTL_EXIT_TRY_AGAIN);
	/* A dump that stops without its NLMSG_DONE ends the same way. */
	setup(NULL);
	add_records(EIPFIX_CMD_GET_FLOWS, EIPFIX_A_FLOW, SEQ_REQ, 1, 1, 0);
	assert_int_equal(netlink_dump_flows(fake_netlink(), take, NULL, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_int_equal(ntaken, 1);
}

static void answers_to_an_earlier_request_are_skipped(void **s)
{
	uint64_t seq;
	char err[512];
	struct netlink *nl;

	(void)s;
	/* The rest of a dump that timed out, then this request's answer. */
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_OLD, 100, 3, 99);
	add_done(SEQ_OLD, 0, NULL);
	add_pending();				/* a notification is always taken */
	add_records(EIPFIX_CMD_GET_RECORDS, EIPFIX_A_RECORD, SEQ_REQ, 1, 1, 10);
	add_done(SEQ_REQ, 0, NULL);
	nl = fake_netlink();
	assert_int_equal(take_records(&seq, err, sizeof(err)), 0);
	assert_int_equal(ntaken, 1);
	assert_int_equal(taken[0], 1);
	assert_int_equal(seq, 10);
	assert_int_equal(netlink_take_events(nl), NETLINK_EV_RECORDS);
}

static void a_refusal_says_what_is_needed(void **s)
{
	char err[512];

	(void)s;
	add_error(SEQ_REQ, -EPERM);
	assert_int_equal(netlink_register_agent(fake_netlink(), false, err, sizeof(err)),
			 -EPERM);
	assert_string_equal(err, "cannot register as the agent: permission denied (CAP_NET_ADMIN is needed)");
	assert_int_equal(netlink_exit_code(-EPERM), USERCTL_EXIT_ERROR);
	assert_int_equal(netlink_exit_code(-ENOENT), USERCTL_EXIT_NO_MODULE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(a_whole_dump_hands_on_every_record, setup),
		cmocka_unit_test_setup(a_dump_whose_done_carries_an_error_fails_with_it, setup),
		cmocka_unit_test_setup(an_nlmsg_error_in_the_middle_of_a_dump_ends_it, setup),
		cmocka_unit_test_setup(enobufs_with_nothing_queued_fails_at_once, setup),
		cmocka_unit_test_setup(enobufs_with_messages_queued_reads_on, setup),
		cmocka_unit_test_setup(no_answer_ends_with_the_receive_timeout, setup),
		cmocka_unit_test_setup(answers_to_an_earlier_request_are_skipped, setup),
		cmocka_unit_test_setup(a_refusal_says_what_is_needed, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
