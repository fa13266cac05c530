// SPDX-License-Identifier: GPL-2.0
/*
 * userctl agent: the event loop of the exporter. It registers as the agent
 * of its network namespace, takes the kernel's records in batches, and hands
 * them to export.c, which encodes IPFIX and sends it to every collector. It
 * follows push-config through the kernel's config-changed notification,
 * looks collector host names up again every minute and on SIGHUP (without
 * blocking: resolver.c), and on SIGTERM takes what the kernel still holds
 * and sends it before it exits. Under systemd (Type=notify) it says when it
 * is ready, reloading and stopping, and pets the watchdog from its loop.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "commands.h"
#include "config.h"
#include "export.h"
#include "log.h"
#include "netlink.h"
#include "resolver.h"

#define AGENT_BATCH 1024
#define AGENT_STATE_DIR "/run/enclave-ipfix"
/* Names are looked up again this often; sooner while one has no address. */
#define AGENT_RESOLVE_MS 60000
#define AGENT_RESOLVE_RETRY_MS 10000
/* At start, before the event loop, how long to wait for the first answers. */
#define AGENT_RESOLVE_START_MS 5000

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
	struct resolver res;
	uint64_t resolved_ms;		/* when lookups were last started */
	uint64_t watchdog_ms;		/* WATCHDOG=1 this often; 0: none */
	uint64_t watchdog_last_ms;
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

/* Every session: the profile's string(s), the address in use, counters. */
static json_t *collectors_json(const struct exporter *ex)
{
	json_t *cols = json_array();

	for (size_t i = 0; i < ex->ncoll; i++)
		json_array_append_new(cols, json_pack("{s:s, s:s, s:I, s:I}",
			"collector", ex->coll[i].label,
			"address", ex->coll[i].name,
			"messages", (json_int_t)ex->coll[i].ctr.messages,
			"send_errors", (json_int_t)ex->coll[i].ctr.send_errors));
	return cols;
}

/* Collectors whose names never resolved: they have no session yet. */
static json_t *unresolved_json(const struct eipfix_profile *cfg)
{
	json_t *v = json_array();

	for (unsigned int i = 0; i < cfg->n_collectors; i++)
		if (!cfg->collectors[i].naddrs)
			json_array_append_new(v, json_string(cfg->collectors[i].text));
	return v;
}

static void write_state(struct agent *a, bool running)
{
	struct exporter_counters c;
	char path[128], tmp[160];
	json_t *o;

	state_path(path, sizeof(path));
	if (!running) {
		unlink(path);
		return;
	}
	exporter_get_counters(&a->ex, &c);
	o = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
		      "pid", (int)getpid(), "started_ms", (json_int_t)a->started_ms,
		      "records_received", (json_int_t)a->records_received,
		      "messages_sent", (json_int_t)c.messages,
		      "records_sent", (json_int_t)c.records,
		      "bytes_sent", (json_int_t)c.bytes,
		      "send_errors", (json_int_t)c.send_errors,
		      "not_sent_flows", (json_int_t)c.not_sent_flows,
		      "not_sent_packets", (json_int_t)c.not_sent_packets,
		      "records_not_sent", (json_int_t)c.records_not_sent,
		      "records_lost_in_kernel", (json_int_t)a->kernel_lost_seen,
		      "collectors", collectors_json(&a->ex),
		      "collectors_unresolved", unresolved_json(&a->cfg));
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
	a->records_received++;
	ulog(ULOG_DEBUG, "record: if %u dir %u proto %u packets %llu octets %llu reason %u",
	     r->ifindex, r->direction, r->protocol, (unsigned long long)r->packets,
	     (unsigned long long)r->octets, r->end_reason);
	if (a->nbatch == AGENT_BATCH)
		flush_batch(a);
	return 0;
}

/*
 * Dumps per drain (each up to 256 messages): a busy kernel still leaves room
 * for the loop's second (state file, losses, template refresh) and signals.
 * A drain of 16 took 40 s of a 1M-flow tick under QEMU TCG, the state file
 * as old; the loop comes straight back while records wait (a->more).
 */
#define AGENT_DRAIN_DUMPS 2

/*
 * WATCHDOG=1 every WatchdogSec/2 (the unit's WatchdogSec=): a loop that
 * stops turning gets the agent killed and restarted by systemd.
 */
static void pet_watchdog(struct agent *a, uint64_t now)
{
	if (!a->watchdog_ms || now - a->watchdog_last_ms < a->watchdog_ms)
		return;
	a->watchdog_last_ms = now;
	sd_notify(0, "WATCHDOG=1");
}

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
		/* A long drain is progress, not a hang (a 1M-flow tick). */
		pet_watchdog(a, ulog_monotonic_ms());
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

/* Gives the exporter every collector of the config in force that has an address. */
static void apply_collectors(struct agent *a)
{
	struct exporter_dest d[EXPORTER_MAX_COLLECTORS];
	size_t n = 0;

	for (unsigned int i = 0; i < a->cfg.n_collectors && n < EXPORTER_MAX_COLLECTORS; i++) {
		const struct eipfix_collector *c = &a->cfg.collectors[i];

		if (!c->naddrs)
			continue;
		d[n++] = (struct exporter_dest){
			.name = c->text, .addrs = c->addrs, .lens = c->addrlens,
			.naddrs = c->naddrs,
		};
	}
	if (exporter_set_destinations(&a->ex, d, n))
		ulog(ULOG_ERR, "cannot set the collectors");
}

/* How a lookup changed c, in one log line; true if its addresses changed. */
static bool report_lookup(const struct eipfix_collector *c, int what,
			  const char *msg)
{
	char addr[64];

	if (c->naddrs)
		exporter_addr_str((const struct sockaddr *)&c->addrs[0], addr, sizeof(addr));
	if ((what & EIPFIX_RESOLVE_FAILED) && c->naddrs)
		ulog(ULOG_WARN, "%s; keeping its last address%s (%s%s), trying again every minute",
		     msg, c->naddrs > 1 ? "es" : "", addr, c->naddrs > 1 ? ", ..." : "");
	else if (what & EIPFIX_RESOLVE_FAILED)
		ulog(ULOG_WARN, "%s; its records are not sent to it until it resolves (trying again every %u s)",
		     msg, AGENT_RESOLVE_RETRY_MS / 1000);
	else if (what & EIPFIX_RESOLVE_AGAIN)
		ulog(ULOG_INFO, "collector \"%s\" resolves again", c->text);
	if (what & EIPFIX_RESOLVE_CHANGED)
		ulog(ULOG_INFO, "collector \"%s\": %u address%s, first %s", c->text,
		     c->naddrs, c->naddrs > 1 ? "es" : "", addr);
	return what & EIPFIX_RESOLVE_CHANGED;
}

/* A lookup finished: merge it into every collector of that name and port. */
static void on_lookup(const char *host, uint16_t port, const struct addrinfo *res,
		      int gai_err, void *arg)
{
	struct agent *a = arg;
	bool changed = false;
	char msg[512];

	for (unsigned int i = 0; i < a->cfg.n_collectors; i++) {
		struct eipfix_collector *c = &a->cfg.collectors[i];
		int what;

		if (c->family || c->port != port || strcasecmp(c->host, host))
			continue;
		what = eipfix_collector_update(c, res, gai_err, msg, sizeof(msg));
		changed |= report_lookup(c, what, msg);
	}
	if (changed)
		apply_collectors(a);
}

/* Starts looking up every collector host name; the answers come to on_lookup. */
static void start_lookups(struct agent *a)
{
	a->resolved_ms = ulog_monotonic_ms();
	for (unsigned int i = 0; i < a->cfg.n_collectors; i++) {
		const struct eipfix_collector *c = &a->cfg.collectors[i];
		int ret;

		if (c->family)
			continue;	/* an address literal: nothing to look up */
		ret = resolver_start(&a->res, c->host, c->port);
		if (ret)
			ulog(ULOG_WARN, "collector \"%s\": cannot start a lookup: %s",
			     c->text, strerror(-ret));
	}
}

static bool lookups_due(const struct agent *a, uint64_t now)
{
	uint64_t period = AGENT_RESOLVE_MS;

	for (unsigned int i = 0; i < a->cfg.n_collectors; i++)
		if (!a->cfg.collectors[i].naddrs)
			period = AGENT_RESOLVE_RETRY_MS;
	return now - a->resolved_ms >= period;
}

/*
 * A new config: what its collectors already were keeps its addresses (a
 * push-config must not wait for DNS, nor lose a name that stopped
 * resolving); address literals are converted at once (never blocks);
 * names are looked up again in the background.
 */
static void take_collectors(struct agent *a, struct eipfix_profile *cfg)
{
	char err[512];

	for (unsigned int i = 0; i < cfg->n_collectors; i++) {
		struct eipfix_collector *c = &cfg->collectors[i];

		for (unsigned int j = 0; j < a->cfg.n_collectors; j++)
			if (eipfix_collector_same(c, &a->cfg.collectors[j]))
				eipfix_collector_keep_addrs(c, &a->cfg.collectors[j]);
		if (c->family && !c->naddrs && eipfix_collector_resolve(c, err, sizeof(err)))
			ulog(ULOG_ERR, "%s", err);
	}
}

/*
 * The rule table for the collectors: the rows a flow record can name, the
 * Default (0) and every Deny rule (its place in Rules, from 1), with the
 * profile's Description; with AllowedFlowRule, every Allow rule too.
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
		if (cfg->rules[i].action != EIPFIX_ACL_DENY && !cfg->allowed_flow_rule)
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
	take_collectors(a, &cfg);
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
	/* Interfaces may have been renamed or made again for this config. */
	ifnames_expire(&a->ex.names);
	apply_rules(a);
	apply_collectors(a);
	start_lookups(a);
	ulog(ULOG_INFO, "configuration %u: %u collector(s), %s, message size %u, template refresh %u s",
	     a->generation, cfg.n_collectors, cfg.enabled ? "enabled" : "disabled",
	     cfg.message_size, cfg.template_refresh_s);
	return 0;
}

/* A config change while running: systemd sees RELOADING=1, then READY=1. */
static void reload_config(struct agent *a)
{
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ulog_monotonic_ms() * 1000);
	load_config(a);
	sd_notify(0, "READY=1");
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
		reload_config(a);
	}
	lost = ctr[EIPFIX_CTR_A_RECORDS_DROPPED_QUEUE_FULL] +
	       ctr[EIPFIX_CTR_A_RECORDS_DROPPED_NOMEM];
	/*
	 * The counters only go down when the module was loaded again; an
	 * attach after a lost dump finds them where they were.
	 */
	if (lost < a->kernel_lost_seen)
		a->kernel_lost_seen = 0;
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

	/* Names are looked up in the background, once registered. */
	if (eipfix_profile_load_flags(path, 0, &p, err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", ulog_prefix(ULOG_ERR), err);
		return -1;
	}
	if (p.warning[0])
		fprintf(stderr, "%s%s\n", ulog_prefix(ULOG_WARN), p.warning);
	ret = netlink_set_config(a->nl, &p, err, sizeof(err));
	eipfix_profile_free(&p);
	if (ret)
		fprintf(stderr, "%suserctl agent: %s\n", ulog_prefix(ULOG_ERR), err);
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
	return load_config(a);
fail:
	ulog(ULOG_ERR, "%s", err);
	return -1;
}

/* Collector names: SIGHUP and the period start lookups; take the answers. */
static void follow_names(struct agent *a, uint64_t now)
{
	if (resolve_requested) {
		resolve_requested = 0;
		ulog(ULOG_INFO, "SIGHUP: looking collector host names up again");
		start_lookups(a);
	} else if (lookups_due(a, now)) {
		start_lookups(a);
	}
	resolver_collect(&a->res, on_lookup, a);
}

/* How long the loop may sleep: a second, less for a short watchdog. */
static int poll_timeout(const struct agent *a)
{
	if (a->more)
		return 0;
	if (a->watchdog_ms && a->watchdog_ms < 1000)
		return (int)a->watchdog_ms;
	return 1000;
}

static void run(struct agent *a)
{
	uint64_t last_second = 0, last_attach = 0, now;
	struct pollfd pfd = { .events = POLLIN };
	bool attached = true;
	char err[512];
	unsigned int ev = 0;
	int ret;

	while (!stop_requested && !a->displaced) {
		now = ulog_monotonic_ms();
		pet_watchdog(a, now);
		follow_names(a, now);
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
		/*
		 * EINTR (SIGHUP, SIGTERM) is not an error: the loop acts on
		 * the signal, then polls again on its next pass.
		 */
		if (poll(&pfd, 1, poll_timeout(a)) > 0 &&
		    netlink_poll_events(a->nl, err, sizeof(err)))
			ulog(ULOG_ERR, "%s", err);
		ev = netlink_take_events(a->nl);
		if (ev & NETLINK_EV_CONFIG)
			reload_config(a);
		now = ulog_monotonic_ms();
		ret = ((ev & NETLINK_EV_RECORDS) || a->more || now - last_second >= 1000) ?
			drain(a) : 0;
		if (ret) {
			if (a->displaced)
				break;
			/*
			 * A new socket also ends a dump cut short: what the kernel
			 * sent on the old one and we did not acknowledge, it sends
			 * again to the new registration.
			 */
			ulog(ULOG_WARN, "%s; will attach again",
			     netlink_exit_code(ret) == USERCTL_EXIT_TRY_AGAIN ?
			     "no whole answer from the kernel" : "lost the kernel (module unloaded?)");
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
	sd_notify(0, "STOPPING=1");
	if (a->displaced)
		return;
	ulog(ULOG_INFO, "stopping: sending what the kernel still holds");
	if (attached)
		drain(a);
	exporter_tick(&a->ex, wall_ms());
}

/* WatchdogSec= of the unit, if any: pet it twice per period. */
static void watchdog_setup(struct agent *a)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec)
		a->watchdog_ms = usec / 2000 ? usec / 2000 : 1;
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
	resolver_init(&a->res);
	watchdog_setup(a);
	a->started_ms = wall_ms();
	a->takeover = takeover;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = netlink_open(&a->nl, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%suserctl agent: %s\n", ulog_prefix(ULOG_ERR), err);
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
		fprintf(stderr, "%suserctl agent: %s\n", ulog_prefix(ULOG_ERR), err);
		ret = USERCTL_EXIT_ERROR;
		goto out;
	}
	ret = USERCTL_EXIT_ERROR;
	if (load_config(a))
		goto out;
	/* The first records go out to names that resolve in time, not lost. */
	resolver_wait(&a->res, AGENT_RESOLVE_START_MS);
	resolver_collect(&a->res, on_lookup, a);
	ulog(ULOG_INFO, "agent %s running (pid %d)", USERCTL_VERSION, (int)getpid());
	/* `userctl status` finds the agent once `systemctl start` returns. */
	write_state(a, true);
	sd_notifyf(0, "READY=1\nSTATUS=exporting to %zu collector(s)", a->ex.ncoll);
	run(a);
	ret = a->displaced ? USERCTL_EXIT_ERROR : 0;
out:
	write_state(a, false);
	resolver_free(&a->res, 1000);
	if (a->ex_ready)
		exporter_free(&a->ex);
	eipfix_profile_free(&a->cfg);
	netlink_close(a->nl);
	free(a);
	return ret;
}
