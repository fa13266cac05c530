// SPDX-License-Identifier: GPL-2.0
/*
 * userctl agent: the event loop of the exporter. It registers as the agent
 * of its network namespace, takes the kernel's records in batches, and hands
 * them to export.c, which encodes IPFIX and sends it to every collector. It
 * follows push-config through the kernel's config-changed notification,
 * re-resolves collector host names on SIGHUP, and on SIGTERM takes what the
 * kernel still holds and sends it before it exits.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "commands.h"
#include "config.h"
#include "export.h"
#include "log.h"
#include "netlink.h"

#define AGENT_BATCH 1024
#define AGENT_STATE_DIR "/run/enclave-ipfix"

struct agent {
	struct netlink *nl;
	struct exporter ex;
	bool ex_ready;
	struct eipfix_profile cfg;
	uint32_t generation;
	struct eipfix_record batch[AGENT_BATCH];
	size_t nbatch;
	uint64_t records_received;
	bool more;			/* the last drain may have left records */
	bool takeover;			/* --takeover: displace a running agent */
	bool displaced;			/* another agent took over: exit */
	uint64_t kernel_lost_seen;	/* kernel drops already reported as lost */
	uint64_t started_ms;
	struct { uint32_t ifindex; char name[IF_NAMESIZE]; } ifcache[64];
	size_t nifcache;
};

static volatile sig_atomic_t stop_requested, resolve_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		resolve_requested = 1;
	else
		stop_requested = 1;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void state_path(char *buf, size_t len)
{
	struct stat st;

	/* One agent per network namespace: name the file after it. */
	if (stat("/proc/self/ns/net", &st))
		st.st_ino = 0;
	snprintf(buf, len, AGENT_STATE_DIR "/agent-%lu.json", (unsigned long)st.st_ino);
}

static void write_state(struct agent *a, bool running)
{
	struct exporter_counters c;
	char path[128], tmp[160];
	json_t *o, *cols;
	size_t i;

	state_path(path, sizeof(path));
	if (!running) {
		unlink(path);
		return;
	}
	exporter_get_counters(&a->ex, &c);
	cols = json_array();
	for (i = 0; i < a->ex.ncoll; i++)
		json_array_append_new(cols, json_pack("{s:s, s:I, s:I}",
			"collector", a->ex.coll[i].name,
			"messages", (json_int_t)a->ex.coll[i].ctr.messages,
			"send_errors", (json_int_t)a->ex.coll[i].ctr.send_errors));
	o = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		      "pid", (int)getpid(), "started_ms", (json_int_t)a->started_ms,
		      "records_received", (json_int_t)a->records_received,
		      "messages_sent", (json_int_t)c.messages,
		      "records_sent", (json_int_t)c.records,
		      "bytes_sent", (json_int_t)c.bytes,
		      "send_errors", (json_int_t)c.send_errors,
		      "not_sent_flows", (json_int_t)c.not_sent_flows,
		      "not_sent_packets", (json_int_t)c.not_sent_packets,
		      "records_lost_in_kernel", (json_int_t)a->kernel_lost_seen,
		      "collectors", cols);
	mkdir(AGENT_STATE_DIR, 0755);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!json_dump_file(o, tmp, JSON_COMPACT))
		rename(tmp, path);
	json_decref(o);
}

json_t *agent_state_read(void)
{
	char path[128];
	json_t *o;

	state_path(path, sizeof(path));
	o = json_load_file(path, 0, NULL);
	/* A file left by an agent that died is not a running agent. */
	if (o && kill(json_integer_value(json_object_get(o, "pid")), 0) && errno == ESRCH) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void fill_ifname(struct agent *a, struct eipfix_record *r)
{
	size_t i;

	for (i = 0; i < a->nifcache; i++) {
		if (a->ifcache[i].ifindex == r->ifindex) {
			memcpy(r->ifname, a->ifcache[i].name, sizeof(r->ifname));
			return;
		}
	}
	if (!if_indextoname(r->ifindex, r->ifname))
		r->ifname[0] = '\0';
	else if (a->nifcache < sizeof(a->ifcache) / sizeof(a->ifcache[0])) {
		a->ifcache[a->nifcache].ifindex = r->ifindex;
		memcpy(a->ifcache[a->nifcache++].name, r->ifname, IF_NAMESIZE);
	}
}

static void flush_batch(struct agent *a)
{
	if (!a->nbatch)
		return;
	exporter_submit(&a->ex, a->batch, a->nbatch, wall_ms());
	a->nbatch = 0;
}

static int take_record(const struct eipfix_record *rec, void *arg)
{
	struct agent *a = arg;
	struct eipfix_record *r = &a->batch[a->nbatch++];

	*r = *rec;
	fill_ifname(a, r);
	a->records_received++;
	ulog(ULOG_DEBUG, "record: if %u dir %u proto %u packets %llu octets %llu reason %u",
	     r->ifindex, r->direction, r->protocol, (unsigned long long)r->packets,
	     (unsigned long long)r->octets, r->end_reason);
	if (a->nbatch == AGENT_BATCH)
		flush_batch(a);
	return 0;
}

/* Dumps per drain: a busy kernel still leaves room for ticks and signals. */
#define AGENT_DRAIN_DUMPS 16

/*
 * Hands the records of one dump to the exporter and then acknowledges them:
 * the kernel frees a record only once it has left for the collectors, so an
 * agent killed in between loses nothing (the next one gets them again).
 */
static int take_and_ack(struct agent *a, char *err, size_t errlen)
{
	uint64_t seq = 0;
	int ret, aret;

	ret = netlink_take_records(a->nl, take_record, a, &seq, err, errlen);
	flush_batch(a);
	if (!seq)
		return ret;
	aret = netlink_ack_records(a->nl, seq, err, errlen);
	return ret ? ret : aret;
}

/*
 * Takes what the kernel holds. Each dump is bounded by the kernel, and the
 * kernel says records wait only when its queue stops being empty: dump
 * again while dumps bring records; if the last still did, a->more asks the
 * event loop to come back at once.
 */
static int drain(struct agent *a)
{
	char err[512];
	uint64_t before;
	int ret, n = 0;

	do {
		before = a->records_received;
		ret = take_and_ack(a, err, sizeof(err));
	} while (!ret && a->records_received != before && ++n < AGENT_DRAIN_DUMPS);
	a->more = !ret && a->records_received != before;
	if (ret == -EPERM) {
		/* We were registered: only another agent's takeover does this. */
		ulog(ULOG_ERR, "another agent took over this network namespace (userctl agent --takeover); exiting");
		a->displaced = true;
	} else if (ret) {
		ulog(ULOG_ERR, "%s", err);
	}
	return ret;
}

/* Resolves the collectors of the config in force and gives them to the exporter. */
static void apply_collectors(struct agent *a)
{
	struct sockaddr_storage addrs[EXPORTER_MAX_COLLECTORS];
	socklen_t lens[EXPORTER_MAX_COLLECTORS];
	size_t n = 0;
	char err[512];
	unsigned int i;

	for (i = 0; i < a->cfg.n_collectors && n < EXPORTER_MAX_COLLECTORS; i++) {
		struct eipfix_collector *c = &a->cfg.collectors[i];

		if (eipfix_collector_resolve(c, err, sizeof(err))) {
			ulog(ULOG_WARN, "%s; skipping it until SIGHUP or the next push-config", err);
			continue;
		}
		addrs[n] = c->addr;
		lens[n++] = c->addrlen;
	}
	if (exporter_set_collectors(&a->ex, addrs, lens, n))
		ulog(ULOG_ERR, "cannot set the collectors");
}

/*
 * The rule table for the collectors: the rows a dropped flow's record can
 * name, the Default (0) and every Deny rule (its place in Rules, from 1),
 * with the profile's Description.
 */
static void apply_rules(struct agent *a)
{
	const struct eipfix_profile *cfg = &a->cfg;
	struct exporter_rule *t = calloc(cfg->n_rules + 1, sizeof(*t));
	size_t n = 0;

	if (!t) {
		ulog(ULOG_ERR, "cannot hold the rule table for the collectors");
		return;
	}
	t[n].rule = 0;
	snprintf(t[n++].description, sizeof(t->description), "Default %s",
		 cfg->acl_default == EIPFIX_ACL_DENY ? "Deny" : "Allow");
	for (unsigned int i = 0; i < cfg->n_rules; i++) {
		if (cfg->rules[i].action != EIPFIX_ACL_DENY)
			continue;
		t[n].rule = i + 1;
		snprintf(t[n++].description, sizeof(t->description), "%s",
			 cfg->rules[i].description);
	}
	if (exporter_set_rules(&a->ex, t, n))
		ulog(ULOG_ERR, "cannot hold the rule table for the collectors");
	free(t);
}

static int load_config(struct agent *a)
{
	struct exporter_params p = { .process_id = getpid() };
	struct eipfix_profile cfg;
	char err[512];
	int ret;

	ret = netlink_get_config(a->nl, &cfg, &a->generation, err, sizeof(err));
	if (ret) {
		ulog(ULOG_ERR, "%s", err);
		return ret;
	}
	eipfix_profile_free(&a->cfg);
	a->cfg = cfg;
	p.odid = cfg.observation_domain;
	p.msg_size = cfg.message_size;
	p.refresh_s = cfg.template_refresh_s;
	ret = a->ex_ready ? exporter_set_params(&a->ex, &p) : exporter_init(&a->ex, &p);
	if (ret) {
		ulog(ULOG_ERR, "the kernel's export settings are out of range: %s", strerror(-ret));
		return ret;
	}
	a->ex_ready = true;
	apply_rules(a);
	apply_collectors(a);
	ulog(ULOG_INFO, "configuration %u: %u collector(s), %s, message size %u, template refresh %u s",
	     a->generation, cfg.n_collectors, cfg.enabled ? "enabled" : "disabled",
	     cfg.message_size, cfg.template_refresh_s);
	return 0;
}

/* Kernel records that could not be queued are reported to collectors as lost. */
static void note_kernel_losses(struct agent *a)
{
	uint64_t ctr[__EIPFIX_CTR_A_MAX], lost;
	char err[512];

	if (netlink_get_counters(a->nl, ctr, err, sizeof(err)))
		return;
	/* A CONFIG_CHANGED notification can be lost (a full socket): look. */
	if (ctr[EIPFIX_CTR_A_CONFIG_GENERATION] != a->generation) {
		ulog(ULOG_INFO, "the config in force is generation %llu, not %u: reading it",
		     (unsigned long long)ctr[EIPFIX_CTR_A_CONFIG_GENERATION], a->generation);
		load_config(a);
	}
	lost = ctr[EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL] +
	       ctr[EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM];
	if (lost > a->kernel_lost_seen) {
		if (a->kernel_lost_seen || a->records_received)
			exporter_note_lost(&a->ex, lost - a->kernel_lost_seen, 0, 0, wall_ms());
		ulog(ULOG_WARN, "the kernel dropped %llu record(s) it could not queue",
		     (unsigned long long)(lost - a->kernel_lost_seen));
	}
	a->kernel_lost_seen = lost;
}

static int agent_usage(void)
{
	printf("Usage: userctl agent [--config PROFILE] [--takeover] [--verbose] [--quiet]\n\n"
	       "Runs the IPFIX exporter in the foreground: takes this network\n"
	       "namespace's flow records from the kernel and sends them as IPFIX over\n"
	       "UDP to every collector of the configuration in force. With --config it\n"
	       "first pushes PROFILE (as userctl push-config). It follows later\n"
	       "push-config without restart; SIGHUP re-resolves collector host names;\n"
	       "SIGTERM sends what is left and exits. --verbose logs every message.\n"
	       "One agent runs per namespace: a second one is refused, unless started\n"
	       "with --takeover, which makes the running one exit.\n"
	       "Needs CAP_NET_ADMIN.\n");
	return 0;
}

static int push_first(struct agent *a, const char *path)
{
	struct eipfix_profile p;
	char err[1024];
	int ret;

	if (eipfix_profile_load(path, &p, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (p.warning[0])
		fprintf(stderr, "%s\n", p.warning);
	ret = netlink_set_config(a->nl, &p, err, sizeof(err));
	eipfix_profile_free(&p);
	if (ret)
		fprintf(stderr, "userctl agent: %s\n", err);
	return ret;
}

/*
 * (Re)joins the kernel: registers as the namespace's agent, follows config
 * changes, and takes the config in force. Also how the agent comes back after
 * the module was unloaded and loaded again.
 */
static int attach(struct agent *a)
{
	char err[512];
	int ret;

	netlink_close(a->nl);
	a->nl = NULL;
	if (netlink_open(&a->nl, err, sizeof(err)))
		goto fail;
	ret = netlink_register_agent(a->nl, false, err, sizeof(err));
	if (ret == -EBUSY) {
		ulog(ULOG_ERR, "another agent registered while the module was away; exiting");
		a->displaced = true;
		return -1;
	}
	if (ret || netlink_subscribe_config(a->nl, err, sizeof(err)))
		goto fail;
	a->kernel_lost_seen = 0;
	return load_config(a);
fail:
	ulog(ULOG_ERR, "%s", err);
	return -1;
}

static void run(struct agent *a)
{
	uint64_t last_second = 0, last_attach = 0, now;
	struct pollfd pfd = { .events = POLLIN };
	bool attached = true;
	char err[512];
	unsigned int ev = 0;

	while (!stop_requested && !a->displaced) {
		now = ulog_monotonic_ms();
		if (!attached) {
			/* The module went away: try again every few seconds. */
			if (now - last_attach >= 3000) {
				last_attach = now;
				attached = !attach(a);
				if (attached)
					ulog(ULOG_INFO, "attached to the kernel again");
			}
			if (!attached) {
				poll(NULL, 0, 500);
				continue;
			}
		}
		pfd.fd = netlink_fd(a->nl);
		if (poll(&pfd, 1, a->more ? 0 : 1000) > 0 &&
		    netlink_poll_events(a->nl, err, sizeof(err)))
			ulog(ULOG_ERR, "%s", err);
		ev = netlink_take_events(a->nl);
		if (ev & NETLINK_EV_CONFIG)
			load_config(a);
		if (resolve_requested) {
			resolve_requested = 0;
			ulog(ULOG_INFO, "SIGHUP: resolving collectors again");
			apply_collectors(a);
		}
		now = ulog_monotonic_ms();
		if (((ev & NETLINK_EV_RECORDS) || a->more || now - last_second >= 1000) &&
		    drain(a)) {
			if (a->displaced)
				break;
			ulog(ULOG_WARN, "lost the kernel (module unloaded?); will attach again");
			attached = false;
			last_attach = now;
			continue;
		}
		if (now - last_second >= 1000) {
			last_second = now;
			note_kernel_losses(a);
			exporter_tick(&a->ex, wall_ms());
			write_state(a, true);
		}
	}
	if (a->displaced)
		return;
	ulog(ULOG_INFO, "stopping: sending what the kernel still holds");
	if (attached)
		drain(a);
	exporter_tick(&a->ex, wall_ms());
}

int agent_main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *config = NULL;
	bool takeover = false;
	struct agent *a;
	char err[512];
	int i, ret = 1;

	if (wants_help(argc, argv))
		return agent_usage();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
			ulog_verbosity = ULOG_DEBUG;
		else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
			ulog_verbosity = ULOG_WARN;
		else if (!strcmp(argv[i], "--takeover"))
			takeover = true;
		else {
			fprintf(stderr, "userctl agent: unknown option \"%s\"; try --help\n", argv[i]);
			return 1;
		}
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return 1;
	eipfix_profile_init(&a->cfg);
	a->started_ms = wall_ms();
	a->takeover = takeover;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = netlink_open(&a->nl, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "userctl agent: %s\n", err);
		ret = netlink_exit_code(ret);
		goto out;
	}
	if (config && push_first(a, config)) {
		ret = USERCTL_EXIT_ERROR;
		goto out;
	}
	ret = netlink_register_agent(a->nl, a->takeover, err, sizeof(err));
	if (ret == -EBUSY)
		snprintf(err, sizeof(err), "another agent is running in this network namespace: stop it first, or start this one with --takeover");
	if (ret || netlink_subscribe_config(a->nl, err, sizeof(err))) {
		fprintf(stderr, "userctl agent: %s\n", err);
		ret = USERCTL_EXIT_ERROR;
		goto out;
	}
	ret = USERCTL_EXIT_ERROR;
	if (load_config(a))
		goto out;
	ulog(ULOG_INFO, "agent %s running (pid %d)", USERCTL_VERSION, (int)getpid());
	run(a);
	ret = a->displaced ? USERCTL_EXIT_ERROR : 0;
out:
	write_state(a, false);
	if (a->ex_ready)
		exporter_free(&a->ex);
	eipfix_profile_free(&a->cfg);
	netlink_close(a->nl);
	free(a);
	return ret;
}
