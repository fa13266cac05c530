// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend: the send-path load for tests/bench/guest.sh.
 *
 *   udpsend COUNT FLOWS
 *
 * Sends COUNT 18-byte UDP datagrams (60-byte frames, like pktgen's) with
 * sendmmsg(), 64 per call, to FLOWS distinct destinations: 100.64.0.100..115
 * (addresses nobody owns, whose neighbour entries point at the peer, which
 * drops them) x destination ports from 1024, moving address and port by one
 * per datagram (16 x 62501 coprime for a million flows), from port 30000 (below
 * the ephemeral range, which the agent's and ipt_NETFLOW's sockets draw from). Prints
 * "pkts=N nsec=T" (elapsed wall time; pin it with taskset so the whole send
 * path, the veth and the peer's drop run on one CPU).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SRC_PORT 30000

int main(int argc, char *argv[])
{
	const struct sockaddr_in from = {
		.sin_family = AF_INET, .sin_port = htons(SRC_PORT),
	};
	struct sockaddr_in to[BATCH];
	struct mmsghdr m[BATCH];
	struct iovec iov = { 0 };
	static char payload[18];
	struct timespec t0, t1;
	unsigned long count, flows, nip, nport, k = 0, sent = 0;
	int fd;

	if (argc != 3)
		return 2;
	count = strtoul(argv[1], NULL, 10);
	flows = strtoul(argv[2], NULL, 10);
	if (!count || !flows)
		return 2;
	nip = flows > 60000 ? 16 : 1;
	nport = flows > 60000 ? (flows + 15) / 16 | 1 : flows;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	/*
	 * One source port for every run, so that a measured run meets the flows
	 * the warm-up made: an ephemeral port per run made each of its datagrams
	 * to a destination the warm-up had sent to a new flow.
	 */
	if (bind(fd, (const struct sockaddr *)&from, sizeof(from))) {
		perror("bind");
		return 1;
	}
	iov.iov_base = payload;
	iov.iov_len = sizeof(payload);
	memset(m, 0, sizeof(m));
	for (int i = 0; i < BATCH; i++) {
		to[i].sin_family = AF_INET;
		m[i].msg_hdr.msg_name = &to[i];
		m[i].msg_hdr.msg_namelen = sizeof(to[i]);
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		int n = count - sent < BATCH ? (int)(count - sent) : BATCH, r;

		for (int i = 0; i < n; i++, k++) {
			to[i].sin_addr.s_addr = htonl(0x64400064u + k % nip);
			to[i].sin_port = htons(1024 + k % nport);
		}
		r = sendmmsg(fd, m, n, 0);
		if (r <= 0) {
			perror("sendmmsg");
			return 1;
		}
		sent += r;
		k -= n - r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("pkts=%lu nsec=%lld\n", sent,
	       (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	close(fd);
	return 0;
}
