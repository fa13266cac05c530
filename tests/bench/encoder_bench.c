// SPDX-License-Identifier: GPL-2.0
/*
 * encoder_bench: the agent's export path natively, outside any VM.
 *
 *   encoder_bench [-r RECORDS] [-n RUNS] [-b BATCH] [-m MSGSIZE]
 *
 * Two measurements, each repeated RUNS times (min / median / max printed):
 *
 *  encode   records/s through the IPFIX encoder alone (ipfix.c's
 *           ipfix_writer): messages of MSGSIZE bytes filled with data records
 *           into one buffer; no syscalls. Templates are written once per
 *           message only when due (as the exporter does).
 *  export   records/s through exporter_submit() (export.c: encoding, session
 *           state, one sendmmsg() per batch of messages) to a UDP sink on 127.0.0.1
 *           that a second thread drains, BATCH records per call (the agent
 *           hands the exporter up to 1024 records per call: AGENT_BATCH).
 *           The sink's datagram count is checked against the exporter's
 *           message counter; loopback loss (sink too slow) is reported.
 *
 * The records are a mix like the kernel's: 4096 distinct flows, 70% IPv4
 * (TCP and UDP), 30% IPv6, realistic counters.
 *
 * Output: one "RESULT key=value ..." line per measurement (for report.py),
 * human lines otherwise. Exit 0 when every run worked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "ipfix.h"
#include "log.h"
#include "record.h"

#define NFLOWS 4096

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void make_records(struct eipfix_record *r, size_t n)
{
	uint64_t t0 = wall_ms();

	for (size_t i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].ifindex = 3;
		r[i].direction = i & 1;
		r[i].fwd_status = 66;
		r[i].end_reason = 1 + i % 3;
		r[i].protocol = (i % 3) ? 17 : 6;
		if (i % 10 < 7) {
			r[i].family = AF_INET;
			r[i].src.v4.s_addr = htonl(0x64400000u | (i & 0xffff));
			r[i].dst.v4.s_addr = htonl(0x64400001u);
		} else {
			r[i].family = AF_INET6;
			inet_pton(AF_INET6, "2001:db8::1", &r[i].src.v6);
			inet_pton(AF_INET6, "2001:db8::2", &r[i].dst.v6);
			r[i].src.v6.s6_addr[15] = i & 0xff;
			r[i].src.v6.s6_addr[14] = (i >> 8) & 0xff;
		}
		r[i].src_port = 1024 + i;
		r[i].dst_port = 443;
		r[i].tcp_flags = r[i].protocol == 6 ? 0x1b : 0;
		r[i].packets = 1 + i % 1000;
		r[i].octets = r[i].packets * 700;
		r[i].start_ms = t0 - 60000;
		r[i].end_ms = t0;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *rate, int runs, const char *extra)
{
	qsort(rate, runs, sizeof(*rate), cmp_double);
	printf("%-7s records/s: min %.0f  median %.0f  max %.0f  (%d runs)%s\n",
	       what, rate[0], rate[runs / 2], rate[runs - 1], runs, extra);
	printf("RESULT bench=%s unit=records_per_s min=%.0f median=%.0f max=%.0f runs=%d\n",
	       what, rate[0], rate[runs / 2], rate[runs - 1], runs);
}

/* --- encode only ---------------------------------------------------------- */

static double run_encode(const struct eipfix_record *recs, long total,
			 size_t msg_size, uint64_t *bytes)
{
	static uint8_t buf[IPFIX_MSG_MAX];
	struct ipfix_writer w;
	uint32_t now = (uint32_t)(wall_ms() / 1000);
	long done = 0;
	size_t k = 0;
	double t;

	if (ipfix_writer_init(&w, 1, msg_size))
		return -1;
	*bytes = 0;
	t = now_s();
	while (done < total) {
		int err = 0;

		ipfix_msg_begin(&w, buf, sizeof(buf), now);
		if (ipfix_templates_due(&w, now, 600) || ipfix_templates_pending(&w))
			err = ipfix_add_templates(&w);
		while (err == 0 && done < total) {
			err = ipfix_add_record(&w, &recs[k]);
			if (err)
				break;
			k = (k + 1) % NFLOWS;
			done++;
		}
		if (err && err != -ENOSPC)
			return -1;
		*bytes += ipfix_msg_end(&w);
	}
	t = now_s() - t;
	/* keep the compiler honest */
	if (buf[0] != 0 || buf[1] != IPFIX_VERSION)
		return -1;
	return total / t;
}

/* --- exporter_submit to a UDP sink ------------------------------------------- */

struct sink {
	int fd;
	volatile bool stop;
	uint64_t datagrams, bytes;
};

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	static uint8_t buf[65536];

	while (!s->stop) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), 0);

		if (n > 0) {
			s->datagrams++;
			s->bytes += n;
		}
	}
	return NULL;
}

static double run_export(const struct eipfix_record *recs, long total,
			 size_t batch, size_t msg_size, struct sink *sink,
			 const struct sockaddr_in *to, uint64_t *msgs,
			 uint64_t *received, uint64_t *errors)
{
	struct exporter_params p = {
		.odid = 1, .msg_size = msg_size, .refresh_s = 600,
		.process_id = (uint32_t)getpid(),
	};
	struct sockaddr_storage a;
	struct exporter_counters c;
	struct exporter ex;
	socklen_t l = sizeof(*to);
	uint64_t d0 = sink->datagrams;
	long done = 0;
	size_t k = 0;
	double t;

	memset(&a, 0, sizeof(a));
	memcpy(&a, to, sizeof(*to));
	if (exporter_init(&ex, &p) || exporter_set_collectors(&ex, &a, &l, 1))
		return -1;
	t = now_s();
	while (done < total) {
		size_t n = batch;

		if (k + n > NFLOWS)
			n = NFLOWS - k;
		if ((long)n > total - done)
			n = total - done;
		exporter_submit(&ex, &recs[k], n, wall_ms());
		k = (k + n) % NFLOWS;
		done += n;
	}
	t = now_s() - t;
	exporter_get_counters(&ex, &c);
	/* let the sink catch up before reading its count */
	for (int i = 0; i < 200 && sink->datagrams - d0 < c.messages; i++)
		usleep(1000);
	*msgs = c.messages;
	*errors = c.send_errors;
	*received = sink->datagrams - d0;
	exporter_free(&ex);
	return total / t;
}

int main(int argc, char *argv[])
{
	long total = 2000000;
	int runs = 7, opt, fails = 0;
	size_t batch = 1024, msg_size = 1400;
	struct eipfix_record *recs;
	double *rate;
	struct sockaddr_in to = { .sin_family = AF_INET };
	socklen_t tl = sizeof(to);
	struct sink sink = { 0 };
	pthread_t th;
	char extra[160];
	int rcvbuf = 8 << 20;
	uint64_t msgs_sum = 0, recv_sum = 0, err_sum = 0, bytes = 0;

	while ((opt = getopt(argc, argv, "r:n:b:m:")) != -1) {
		switch (opt) {
		case 'r': total = atol(optarg); break;
		case 'n': runs = atoi(optarg); break;
		case 'b': batch = strtoul(optarg, NULL, 10); break;
		case 'm': msg_size = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: %s [-r RECORDS] [-n RUNS] [-b BATCH] [-m MSGSIZE]\n", argv[0]);
			return 2;
		}
	}
	if (total < 1 || runs < 1 || batch < 1 || batch > NFLOWS)
		return 2;
	ulog_verbosity = ULOG_ERR;
	recs = calloc(NFLOWS, sizeof(*recs));
	rate = calloc(runs, sizeof(*rate));
	if (!recs || !rate)
		return 1;
	make_records(recs, NFLOWS);
	printf("encoder_bench: %ld records per run, %d runs, MessageSize %zu, batch %zu\n",
	       total, runs, msg_size, batch);

	/* encode */
	for (int i = 0; i < runs; i++) {
		rate[i] = run_encode(recs, total, msg_size, &bytes);
		if (rate[i] < 0) {
			fprintf(stderr, "encode: encoder error\n");
			return 1;
		}
	}
	snprintf(extra, sizeof(extra), "  %.1f bytes/record",
		 (double)bytes / total);
	report("encode", rate, runs, extra);

	/* export to a local sink */
	sink.fd = socket(AF_INET, SOCK_DGRAM, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(sink.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	{
		struct timeval tv = { 0, 100000 };

		setsockopt(sink.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (sink.fd < 0 || bind(sink.fd, (struct sockaddr *)&to, sizeof(to)) ||
	    getsockname(sink.fd, (struct sockaddr *)&to, &tl)) {
		perror("sink socket");
		return 1;
	}
	pthread_create(&th, NULL, sink_main, &sink);
	for (int i = 0; i < runs; i++) {
		uint64_t m = 0, r = 0, e = 0;

		rate[i] = run_export(recs, total, batch, msg_size, &sink, &to,
				     &m, &r, &e);
		if (rate[i] < 0) {
			fprintf(stderr, "export: exporter error\n");
			fails++;
			rate[i] = 0;
		}
		msgs_sum += m;
		recv_sum += r;
		err_sum += e;
	}
	sink.stop = true;
	pthread_join(th, NULL);
	snprintf(extra, sizeof(extra),
		 "  %llu messages, %llu received by the sink, %llu send errors",
		 (unsigned long long)msgs_sum, (unsigned long long)recv_sum,
		 (unsigned long long)err_sum);
	report("export", rate, runs, extra);
	printf("RESULT bench=export_loss messages=%llu received=%llu send_errors=%llu\n",
	       (unsigned long long)msgs_sum, (unsigned long long)recv_sum,
	       (unsigned long long)err_sum);
	if (msgs_sum == 0)
		fails++;
	close(sink.fd);
	free(recs);
	free(rate);
	return fails ? 1 : 0;
}
