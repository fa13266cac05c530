// SPDX-License-Identifier: GPL-2.0
/*
 * ipfix_feed: send synthetic flow records through userctl's exporter
 * (export.c + ipfix.c) to local collectors, for ipfix_interop.sh.
 *
 *	ipfix_feed [-m MESSAGE_SIZE] [--records FILE] COLLECTOR...
 *
 * COLLECTOR is 127.0.0.1:PORT or [::1]:PORT; nothing else is accepted, so
 * the test can only ever talk to this host. No kernel is involved.
 *
 * The records cover every template (IPv4/IPv6 x TCP/UDP/raw, ICMPv4,
 * ICMPv6, each for allowed flows, for dropped flows, and for allowed flows
 * that name the rule that allowed them), UDP-Lite (in the UDP templates),
 * both directions, both forwarding statuses, every end reason, dropped and
 * allowed flows decided by rules and by the Default,
 * plus a batch of UDP records to make the exporter split messages. Before
 * sending, it reports 5 lost flows (50 packets, 5000 octets) so that the
 * reliability-statistics options record carries non-zero values, and sets
 * a rule table (the Default, a rule with a Description, one without, one
 * with the longest Description, 255 octets: RFC 7011 §7's 3-octet length,
 * and the Allow rules that allowed flows name).
 *
 * With --records FILE (-r FILE), the flow records are read from FILE
 * instead, for flowcheck_selftest.sh: one record per line, blank lines and
 * lines starting with '#' ignored, whitespace-separated KEY=VALUE words:
 *	src=ADDR dst=ADDR (required; IPv4 or IPv6), proto=N, dir=in|out,
 *	sport=N dport=N flags=N (TCP/UDP), type=N code=N (ICMP), packets=N,
 *	octets=N, tos=N, fwd=N, reason=N, start=MS end=MS, ifindex=N, ifname=S,
 *	rule=N (the deciding rule: of a dropped flow, or of an allowed one)
 * (numbers in C notation: 0x12 is fine; ifname names the record's ifindex,
 * for every record, as the system would). Defaults: proto 6, dir in,
 * ifindex 7 "tap0", fwd 66, reason 1, 1 packet of 40 octets, start = now,
 * end = start. No lost flows are reported in this mode, and stdout has only
 * the "flow" lines.
 *
 * On stdout, one JSON object per line describes what was sent: "flow"
 * lines (every field as a decoder should report it), "ifname" lines and one
 * "reliability" line. The checker compares decoder output with these.
 * A flow line's "dropped" says whether the record was denied by the ACL
 * (so a decoder's reading of forwardingStatus can be checked against RFC
 * 7270 rather than against our own constant) and "odid" is the Observation
 * Domain ID of its messages; a dropped flow's "acl_rule" is the rule it
 * carries, and so is an allowed flow's that names the rule that allowed it. "rule" lines are the rule table's rows as a decoder should
 * report them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/enclave_ipfix.h>

#include "../../userctl/export.h"

#define MAX_RECS 256
#define BASE_MS 1700000000000ull	/* 2023-11-14T22:13:20Z */
#define ODID 42

static struct eipfix_record recs[MAX_RECS];
static size_t nrecs;

/* The interfaces' names, as the exporter looks them up (ifnames.h). */
static struct {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
} ifs[16] = { { 7, "tap0" } };
static size_t nifs = 1;

static int set_ifname(uint32_t ifindex, const char *name)
{
	size_t i;

	for (i = 0; i < nifs && ifs[i].ifindex != ifindex; i++)
		;
	if (i == sizeof(ifs) / sizeof(ifs[0]))
		return -1;
	nifs += i == nifs;
	ifs[i].ifindex = ifindex;
	snprintf(ifs[i].name, sizeof(ifs[i].name), "%s", name);
	return 0;
}

static int feed_lookup(uint32_t ifindex, char name[IF_NAMESIZE], void *arg)
{
	(void)arg;
	for (size_t i = 0; i < nifs; i++)
		if (ifs[i].ifindex == ifindex) {
			memcpy(name, ifs[i].name, IF_NAMESIZE);
			return 0;
		}
	return -ENXIO;
}

/* The rule table; the last Description is filled in by main(). */
static struct exporter_rule rules[] = {
	{ 0, "Default Deny" },
	{ 2, "no telnet from the peer, nor \"rsh\"" },
	{ 7, "" },
	{ 65536, "" },
	{ 1, "ssh and web from peers" },
	{ 3, "anything to the build farm" },
};

static struct eipfix_record *add(int family, uint8_t proto, const char *src,
				 const char *dst)
{
	struct eipfix_record *r = &recs[nrecs];
	size_t i = nrecs++;

	memset(r, 0, sizeof(*r));
	r->family = family;
	r->protocol = proto;
	inet_pton(family, src, &r->src);
	inet_pton(family, dst, &r->dst);
	r->ifindex = 7;
	r->direction = i % 2 ? EIPFIX_DIR_SENDING : EIPFIX_DIR_RECEIVED;
	r->tos = (uint8_t)(i * 4);
	r->fwd_status = EIPFIX_FWD_FORWARDED;
	r->end_reason = (uint8_t)(1 + i % 5);
	r->packets = 1 + i * 3;
	r->octets = 40 + i * 1000 + (i == 3 ? 0x100000000ull : 0); /* > 32 bits */
	r->start_ms = BASE_MS + i * 1000 + 123;
	r->end_ms = r->start_ms + 4567 + i;
	return r;
}

static void drop(struct eipfix_record *r, uint32_t rule)
{
	r->fwd_status = EIPFIX_FWD_DROPPED_ACL;
	r->acl_rule = rule;
}

/* An allowed flow that names the rule that allowed it (AllowedFlowRule). */
static void allowed_by(struct eipfix_record *r, uint32_t rule)
{
	r->acl_rule = rule;
	r->has_acl_rule = true;
}

static void build(void)
{
	struct eipfix_record *r;

	r = add(AF_INET, 6, "198.51.100.1", "198.51.100.2");
	r->src_port = 40001, r->dst_port = 443, r->tcp_flags = 0x1b;
	r = add(AF_INET, 6, "100.64.0.1", "198.51.100.9");
	r->src_port = 22, r->dst_port = 50000, r->tcp_flags = 0x12;
	r = add(AF_INET6, 6, "2001:db8::1", "2001:db8::2");
	r->src_port = 40002, r->dst_port = 8080, r->tcp_flags = 0x19;
	r = add(AF_INET6, 6, "2001:db8:1::5", "2001:db8:2::6");
	r->src_port = 443, r->dst_port = 40003, r->tcp_flags = 0x04;
	drop(r, 2);
	r = add(AF_INET, 17, "198.51.100.3", "198.51.100.4");
	r->src_port = 5353, r->dst_port = 53;
	r = add(AF_INET6, 17, "2001:db8::3", "2001:db8::4");
	r->src_port = 4739, r->dst_port = 4740;
	r = add(AF_INET, 136, "198.51.100.3", "198.51.100.4");	/* UDP-Lite */
	r->src_port = 5004, r->dst_port = 5005;
	r = add(AF_INET6, 136, "2001:db8::3", "2001:db8::4");
	r->src_port = 5006, r->dst_port = 5007;
	drop(r, 0);
	r = add(AF_INET, 47, "198.51.100.5", "198.51.100.6");
	r = add(AF_INET6, 132, "2001:db8::5", "2001:db8::6");
	drop(r, 65536);
	r = add(AF_INET, 1, "198.51.100.7", "198.51.100.8");
	r->icmp_type = 8;
	r = add(AF_INET, 1, "198.51.100.8", "198.51.100.7");
	r->icmp_type = 3, r->icmp_code = 13;
	drop(r, 7);
	r = add(AF_INET6, 58, "2001:db8::7", "2001:db8::8");
	r->icmp_type = 128;
	r = add(AF_INET6, 58, "2001:db8::8", "2001:db8::7");
	r->icmp_type = 1, r->icmp_code = 4;
	/* the dropped twins of the other four templates */
	r = add(AF_INET, 6, "100.64.0.2", "100.64.0.1");
	r->src_port = 40004, r->dst_port = 23, r->tcp_flags = 0x02;
	drop(r, 2);
	r = add(AF_INET, 17, "100.64.0.2", "100.64.0.1");
	r->src_port = 40005, r->dst_port = 69;
	drop(r, 0);
	r = add(AF_INET, 47, "100.64.0.2", "100.64.0.1");
	drop(r, 7);
	r = add(AF_INET6, 58, "2001:db8::9", "2001:db8::a");
	r->icmp_type = 128;
	drop(r, 2);
	r = add(AF_INET6, 50, "2001:db8::b", "2001:db8::c");	/* ESP, allowed */
	/* allowed, naming the rule that allowed them: all eight templates */
	r = add(AF_INET, 6, "100.64.0.3", "100.64.0.1");
	r->src_port = 40006, r->dst_port = 22, r->tcp_flags = 0x1b;
	allowed_by(r, 1);
	r = add(AF_INET6, 6, "2001:db8::d", "2001:db8::e");
	r->src_port = 443, r->dst_port = 40007, r->tcp_flags = 0x12;
	allowed_by(r, 1);
	r = add(AF_INET, 17, "100.64.0.1", "100.64.0.3");
	r->src_port = 40008, r->dst_port = 53;
	allowed_by(r, 0);
	r = add(AF_INET6, 136, "2001:db8::d", "2001:db8::e");	/* UDP-Lite */
	r->src_port = 5008, r->dst_port = 5009;
	allowed_by(r, 3);
	r = add(AF_INET, 47, "100.64.0.1", "100.64.0.3");
	allowed_by(r, 3);
	r = add(AF_INET6, 50, "2001:db8::d", "2001:db8::e");
	allowed_by(r, 0);
	r = add(AF_INET, 1, "100.64.0.3", "100.64.0.1");
	r->icmp_type = 0;
	allowed_by(r, 3);
	r = add(AF_INET6, 58, "2001:db8::e", "2001:db8::d");
	r->icmp_type = 129;
	allowed_by(r, 0);
	/* a batch, to split messages */
	for (int i = 0; i < 48; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.51.100.%d", 100 + i);
		r = add(AF_INET, 17, a, "198.51.100.250");
		r->src_port = (uint16_t)(10000 + i), r->dst_port = 4789;
		r->ifindex = 9;
	}
	set_ifname(9, "wg0");
}

static int parse_records(const char *path, uint64_t now_ms)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct eipfix_record *r;
		char *save = NULL, *w, *p = line;
		bool have_src = false, have_dst = false;
		const char *ifname = NULL;

		lineno++;
		p += strspn(p, " \t\r\n");
		if (!*p || *p == '#')
			continue;
		if (nrecs == MAX_RECS) {
			fprintf(stderr, "%s: more than %d records\n", path, MAX_RECS);
			goto bad;
		}
		r = &recs[nrecs++];
		memset(r, 0, sizeof(*r));
		r->family = AF_INET;
		r->protocol = 6;
		r->direction = EIPFIX_DIR_RECEIVED;
		r->ifindex = 7;
		r->fwd_status = EIPFIX_FWD_FORWARDED;
		r->end_reason = 1;
		r->packets = 1;
		r->octets = 40;
		r->start_ms = r->end_ms = now_ms;
		for (w = strtok_r(p, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			char *v = strchr(w, '='), *end;
			unsigned long long n;

			if (!v)
				goto word;
			*v++ = '\0';
			if (!strcmp(w, "src") || !strcmp(w, "dst")) {
				int fam = strchr(v, ':') ? AF_INET6 : AF_INET;

				if (have_src + have_dst && fam != r->family)
					goto word;
				r->family = (uint8_t)fam;
				if (inet_pton(fam, v, w[0] == 's' ? (void *)&r->src :
					      (void *)&r->dst) != 1)
					goto word;
				*(w[0] == 's' ? &have_src : &have_dst) = true;
				continue;
			}
			if (!strcmp(w, "dir")) {
				if (!strcmp(v, "in") || !strcmp(v, "0"))
					r->direction = EIPFIX_DIR_RECEIVED;
				else if (!strcmp(v, "out") || !strcmp(v, "1"))
					r->direction = EIPFIX_DIR_SENDING;
				else
					goto word;
				continue;
			}
			if (!strcmp(w, "ifname")) {
				ifname = v;
				continue;
			}
			errno = 0;
			n = strtoull(v, &end, 0);
			if (errno || end == v || *end)
				goto word;
			if (!strcmp(w, "proto"))
				r->protocol = (uint8_t)n;
			else if (!strcmp(w, "sport"))
				r->src_port = (uint16_t)n;
			else if (!strcmp(w, "dport"))
				r->dst_port = (uint16_t)n;
			else if (!strcmp(w, "flags"))
				r->tcp_flags = (uint16_t)n;
			else if (!strcmp(w, "type"))
				r->icmp_type = (uint8_t)n;
			else if (!strcmp(w, "code"))
				r->icmp_code = (uint8_t)n;
			else if (!strcmp(w, "packets"))
				r->packets = n;
			else if (!strcmp(w, "octets"))
				r->octets = n;
			else if (!strcmp(w, "tos"))
				r->tos = (uint8_t)n;
			else if (!strcmp(w, "fwd"))
				r->fwd_status = (uint8_t)n;
			else if (!strcmp(w, "reason"))
				r->end_reason = (uint8_t)n;
			else if (!strcmp(w, "start"))
				r->start_ms = n;
			else if (!strcmp(w, "end"))
				r->end_ms = n;
			else if (!strcmp(w, "ifindex"))
				r->ifindex = (uint32_t)n;
			else if (!strcmp(w, "rule"))
				r->acl_rule = (uint32_t)n, r->has_acl_rule = true;
			else
				goto word;
			continue;
word:
			fprintf(stderr, "%s:%d: bad word '%s'\n", path, lineno, w);
			goto bad;
		}
		if (!have_src || !have_dst) {
			fprintf(stderr, "%s:%d: src= and dst= are required\n",
				path, lineno);
			goto bad;
		}
		if (ifname && set_ifname(r->ifindex, ifname)) {
			fprintf(stderr, "%s:%d: too many interfaces\n", path, lineno);
			goto bad;
		}
		if (r->end_ms < r->start_ms)
			r->end_ms = r->start_ms;
	}
	fclose(f);
	if (!nrecs)
		fprintf(stderr, "%s: no records\n", path);
	return nrecs ? 0 : -1;
bad:
	fclose(f);
	return -1;
}

static void print_flow(const struct eipfix_record *r)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	bool in = r->direction == EIPFIX_DIR_RECEIVED;
	bool ports = r->protocol == 6 || r->protocol == 17 ||
		     r->protocol == 136;	/* UDP-Lite */
	bool icmp = (r->family == AF_INET && r->protocol == 1) ||
		    (r->family == AF_INET6 && r->protocol == 58);

	inet_ntop(r->family, &r->src, s, sizeof(s));
	inet_ntop(r->family, &r->dst, d, sizeof(d));
	printf("{\"type\":\"flow\",\"template\":%u,\"family\":%u,"
	       "\"src\":\"%s\",\"dst\":\"%s\",\"proto\":%u,\"tos\":%u,",
	       ipfix_template_for(r), r->family == AF_INET6 ? 6 : 4, s, d,
	       r->protocol, r->tos);
	if (ports)
		printf("\"sport\":%u,\"dport\":%u,", r->src_port, r->dst_port);
	if (r->protocol == 6)
		printf("\"tcp_flags\":%u,", r->tcp_flags);
	if (icmp)
		printf("\"icmp_type\":%u,\"icmp_code\":%u,", r->icmp_type,
		       r->icmp_code);
	if (r->fwd_status == EIPFIX_FWD_DROPPED_ACL)
		printf("\"acl_rule\":%u,\"firewall_event\":3,", r->acl_rule);
	else if (r->has_acl_rule)
		printf("\"acl_rule\":%u,", r->acl_rule);
	printf("\"ingress\":%u,\"egress\":%u,\"octets\":%llu,\"packets\":%llu,"
	       "\"start_ms\":%llu,\"end_ms\":%llu,\"end_reason\":%u,"
	       "\"direction\":%u,\"fwd\":%u,\"dropped\":%s,\"odid\":%u}\n",
	       in ? r->ifindex : 0, in ? 0 : r->ifindex,
	       (unsigned long long)r->octets, (unsigned long long)r->packets,
	       (unsigned long long)r->start_ms, (unsigned long long)r->end_ms,
	       r->end_reason, in ? 0 : 1, r->fwd_status,
	       r->fwd_status == EIPFIX_FWD_DROPPED_ACL ? "true" : "false", ODID);
}

/* A rule table row; the feed's Descriptions are ASCII. */
static void print_rule(const struct exporter_rule *rl)
{
	size_t n = strnlen(rl->description, 255);

	printf("{\"type\":\"rule\",\"odid\":%u,\"rule\":%u,\"description\":\"",
	       ODID, rl->rule);
	for (size_t i = 0; i < n; i++) {
		char c = rl->description[i];

		printf(c == '"' || c == '\\' ? "\\%c" : "%c", c);
	}
	printf("\"}\n");
}

static int parse_collector(const char *s, struct sockaddr_storage *ss,
			   socklen_t *len)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (!colon)
		return -EINVAL;
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (!strncmp(s, "127.0.0.1:", 10)) {
		struct sockaddr_in *a = (void *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a);
		return 0;
	}
	if (!strncmp(s, "[::1]:", 6)) {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		*len = sizeof(*a);
		return 0;
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage addrs[8];
	socklen_t lens[8];
	struct exporter_params p = {
		.odid = ODID, .msg_size = 512, .refresh_s = 600, .process_id = 4242,
	};
	struct exporter ex;
	struct exporter_counters ctr;
	struct timeval tv;
	uint64_t now_ms;
	static const struct option longopts[] = {
		{ "records", required_argument, NULL, 'r' },
		{ "message-size", required_argument, NULL, 'm' },
		{ 0 }
	};
	const char *records = NULL;
	size_t n = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "m:r:", longopts, NULL)) != -1) {
		if (opt == 'm') {
			p.msg_size = (uint32_t)atoi(optarg);
		} else if (opt == 'r') {
			records = optarg;
		} else {
			fprintf(stderr, "usage: %s [-m SIZE] [--records FILE] "
				"127.0.0.1:PORT|[::1]:PORT...\n", argv[0]);
			return 2;
		}
	}
	for (int i = optind; i < argc && n < 8; i++, n++) {
		if (parse_collector(argv[i], &addrs[n], &lens[n])) {
			fprintf(stderr, "%s: only 127.0.0.1:PORT or [::1]:PORT\n",
				argv[i]);
			return 2;
		}
	}
	if (!n || exporter_init(&ex, &p) ||
	    exporter_set_collectors(&ex, addrs, lens, n))
		return 2;
	ifnames_init(&ex.names, feed_lookup, NULL);

	gettimeofday(&tv, NULL);
	now_ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
	if (records) {
		if (parse_records(records, now_ms)) {
			exporter_free(&ex);
			return 2;
		}
	} else {
		build();
		exporter_note_lost(&ex, 5, 50, 5000, BASE_MS);
		/* rule 65536: the longest, 255 octets (a 3-octet length) */
		memset(rules[3].description, 'z', 255);
		memcpy(rules[3].description, "rule 65536 ", 11);
		if (exporter_set_rules(&ex, rules, sizeof(rules) / sizeof(rules[0])))
			return 2;
	}
	/* the first two flows alone, the rest in a second submit */
	if (exporter_submit(&ex, recs, nrecs < 2 ? nrecs : 2, now_ms) ||
	    (nrecs > 2 && exporter_submit(&ex, recs + 2, nrecs - 2, now_ms)))
		return 1;
	exporter_get_counters(&ex, &ctr);
	exporter_free(&ex);

	for (size_t i = 0; i < nrecs; i++)
		print_flow(&recs[i]);
	if (records)
		goto done;
	printf("{\"type\":\"ifname\",\"ifindex\":7,\"name\":\"tap0\"}\n");
	printf("{\"type\":\"ifname\",\"ifindex\":9,\"name\":\"wg0\"}\n");
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		print_rule(&rules[i]);
	/*
	 * The reliability record goes out with the first template round.
	 * When the templates need two messages (MessageSize < 16 + 500 + 56)
	 * it rides in the second, but the first is still in the exporter's
	 * sendmmsg() batch, not sent: no message was sent before it.
	 */
	printf("{\"type\":\"reliability\",\"process_id\":4242,\"not_sent_flows\":5,"
	       "\"not_sent_packets\":50,\"not_sent_octets\":5000,"
	       "\"first_ms\":%llu,\"last_ms\":%llu,\"messages\":%d,\"records\":0}\n",
	       BASE_MS, BASE_MS, 0);
done:
	fprintf(stderr, "ipfix_feed: %llu messages, %llu records, %llu bytes, "
		"%llu send errors to %zu collectors\n",
		(unsigned long long)ctr.messages, (unsigned long long)ctr.records,
		(unsigned long long)ctr.bytes,
		(unsigned long long)ctr.send_errors, n);
	return ctr.send_errors ? 1 : 0;
}
