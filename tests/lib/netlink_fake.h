/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userctl/netlink.c with no kernel behind it, for the unit tests
 * (tests/unit/test_netlink.c) and the fuzz target (tests/fuzz/fuzz_netlink.c).
 *
 * The real code runs unchanged: this header includes netlink.c and wraps
 * nl_cb_alloc() so that every callback set it builds sends nowhere and
 * receives through fake_recv(), and poll() so that it asks fake_poll()
 * whether a message waits. libnl's own dispatch (nl_recvmsgs: message
 * walking, sequence check, NLMSG_ERROR/DONE handling) then hands the
 * datagrams to userctl's callbacks and parsers exactly as a socket would.
 *
 * The includer defines fake_recv() (as libnl's nl_cb_overwrite_recv() wants
 * it) and fake_poll(); fake_seq is the sequence number of the last request
 * sent, and fake_netlink() the handle to call netlink_*() with.
 */
#ifndef EIPFIX_TESTS_NETLINK_FAKE_H
#define EIPFIX_TESTS_NETLINK_FAKE_H

#include <poll.h>
#include <stdlib.h>
#include <netlink/handlers.h>

#define FAKE_FAMILY 0x1d

static struct nl_cb *fake_nl_cb_alloc(enum nl_cb_kind kind);
static int fake_poll(struct pollfd *fds, nfds_t n, int timeout);
#define nl_cb_alloc fake_nl_cb_alloc
#define poll fake_poll
#include "../../userctl/netlink.c"
#undef poll
#undef nl_cb_alloc

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *nla,
		     unsigned char **buf, struct ucred **creds);

static uint32_t fake_seq;	/* of the last request sent */

static int fake_send(struct nl_sock *sk, struct nl_msg *msg)
{
	(void)sk;
	fake_seq = nlmsg_hdr(msg)->nlmsg_seq;
	return (int)nlmsg_hdr(msg)->nlmsg_len;
}

static struct nl_cb *fake_nl_cb_alloc(enum nl_cb_kind kind)
{
	struct nl_cb *cb = nl_cb_alloc(kind);

	if (cb) {
		nl_cb_overwrite_send(cb, fake_send);
		nl_cb_overwrite_recv(cb, fake_recv);
	}
	return cb;
}

/* The handle, its notifications cleared; the socket is made once and kept. */
static struct netlink *fake_netlink(void)
{
	static struct netlink nl;
	struct nl_cb *scb;

	if (!nl.sock) {
		nl.sock = nl_socket_alloc();
		if (!nl.sock)
			abort();
		/* nl_send_auto() sends through the socket's own callbacks. */
		scb = nl_socket_get_cb(nl.sock);
		nl_cb_overwrite_send(scb, fake_send);
		nl_cb_put(scb);
		nl_socket_disable_seq_check(nl.sock);
		nl_socket_set_msg_buf_size(nl.sock, 64 << 10);
	}
	nl.family = FAKE_FAMILY;
	nl.events = 0;
	return &nl;
}

#endif
