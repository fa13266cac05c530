// SPDX-License-Identifier: GPL-2.0
/*
 * The profile (config.h): Enclave's profile JSON -> struct eipfix_profile.
 * This file owns the profile as a whole (reading the file, defaults, the
 * order of the checks, duplicate keys), the "FlowMetadata" block, and the
 * error and warning sentences with their FILE:LINE:COL; config_acl.c owns
 * the "AccessControl" block and json.c the JSON syntax.
 *
 * json.c gives every value its position, so a check that refuses a value
 * points at it. Numbers are checked on their text as written, so that
 * 1.5, 1e3, -1 and 2^64 are all told apart exactly.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Defaults and names                                                  */

const char *const eipfix_cfg_directions[__EIPFIX_DIR_MAX] = {
	[EIPFIX_DIR_BOTH] = "Both",
	[EIPFIX_DIR_SENDING] = "SendingToPeer",
	[EIPFIX_DIR_RECEIVED] = "ReceivedFromPeer",
};

const char *const eipfix_cfg_actions[__EIPFIX_ACL_MAX] = {
	[EIPFIX_ACL_ALLOW] = "Allow",
	[EIPFIX_ACL_DENY] = "Deny",
};

const char *const eipfix_cfg_protocols[__EIPFIX_ACL_PROTO_MAX] = {
	[EIPFIX_ACL_PROTO_ANY] = "Any",
	[EIPFIX_ACL_PROTO_TCP] = "Tcp",
	[EIPFIX_ACL_PROTO_UDP] = "Udp",
	[EIPFIX_ACL_PROTO_ICMP] = "Icmp",
};

const char *eipfix_direction_name(unsigned int dir)
{
	return dir < ARRAY_SIZE(eipfix_cfg_directions) ?
	       eipfix_cfg_directions[dir] : "?";
}

const char *eipfix_acl_action_name(unsigned int action)
{
	return action < ARRAY_SIZE(eipfix_cfg_actions) ?
	       eipfix_cfg_actions[action] : "?";
}

const char *eipfix_acl_proto_name(unsigned int proto)
{
	return proto < ARRAY_SIZE(eipfix_cfg_protocols) ?
	       eipfix_cfg_protocols[proto] : "?";
}

void eipfix_profile_init(struct eipfix_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->direction = EIPFIX_DIR_BOTH;
	p->interval_ms = 0;
	p->enabled = true;
	p->interfaces = calloc(1, sizeof(*p->interfaces));
	if (p->interfaces) {
		strcpy(p->interfaces[0], "tap0");
		p->n_interfaces = 1;
	}
	p->idle_timeout_ms = 15000;
	p->observation_domain = 0;	/* the parser applies the default */
	p->template_refresh_s = 600;
	p->message_size = EIPFIX_DEFAULT_MESSAGE_SIZE;
	p->max_flows = 1048576;
	p->acl_default = EIPFIX_ACL_ALLOW;
}

/* FNV-1a, 32 bits: small, and spreads short inputs over the whole range. */
static uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *b = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

uint32_t eipfix_default_odid_of(const char *machine_id, uint64_t netns_ino)
{
	uint32_t h = 2166136261u;
	unsigned char ino[8];

	for (int i = 0; i < 8; i++)
		ino[i] = (unsigned char)(netns_ino >> (8 * i));
	h = fnv1a(h, machine_id, strlen(machine_id) + 1);
	h = fnv1a(h, ino, sizeof(ino));
	return h ? h : 1;
}

uint32_t eipfix_default_odid(void)
{
	char id[128] = "";
	struct stat st;
	uint64_t ino = 0;
	FILE *f = fopen("/etc/machine-id", "re");

	if (!f || !fgets(id, sizeof(id), f))
		gethostname(id, sizeof(id) - 1);
	if (f)
		fclose(f);
	id[strcspn(id, "\n")] = '\0';
	if (!stat("/proc/self/ns/net", &st))
		ino = st.st_ino;
	return eipfix_default_odid_of(id, ino);
}

void eipfix_profile_free(struct eipfix_profile *p)
{
	for (unsigned int i = 0; i < p->n_rules; i++)
		free(p->rules[i].ports);
	free(p->rules);
	free(p->collectors);
	free(p->interfaces);
	/* A freed profile is empty: freeing it again is harmless. */
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------ */
/* Errors and warnings                                                 */

static void vsay(struct eipfix_cfg *c, char *buf, size_t size, size_t off,
		 const char *what, const char *fmt, va_list ap)
{
	unsigned int line, col;
	int n;

	eipfix_text_linecol(c->text, c->len, off, &line, &col);
	n = snprintf(buf, size, "%s:%u:%u: %s", c->file, line, col, what);
	if (n >= 0 && (size_t)n < size)
		vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

int eipfix_cfg_err(struct eipfix_cfg *c, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (!c->err || !c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsay(c, c->err, c->errlen, off, "", fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void warn(struct eipfix_cfg *c, struct eipfix_profile *p, size_t off,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Keeps the first warning, positioned like an error. */
static void warn(struct eipfix_cfg *c, struct eipfix_profile *p, size_t off,
		 const char *fmt, ...)
{
	va_list ap;

	if (p->warning[0])
		return;
	va_start(ap, fmt);
	vsay(c, p->warning, sizeof(p->warning), off, "warning: ", fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

const char *eipfix_cfg_type(const struct eipfix_json *v)
{
	switch (v->type) {
	case EIPFIX_JSON_OBJECT: return "an object";
	case EIPFIX_JSON_ARRAY: return "an array";
	case EIPFIX_JSON_STRING: return "a string";
	case EIPFIX_JSON_NUMBER: return "a number";
	case EIPFIX_JSON_TRUE: return "true";
	case EIPFIX_JSON_FALSE: return "false";
	default: return "null";
	}
}

const char *eipfix_cfg_got(char *buf, size_t size, const struct eipfix_json *v)
{
	char s[80];

	if (v->type != EIPFIX_JSON_STRING)
		return eipfix_cfg_type(v);
	snprintf(buf, size, "\"%s\"", EIPFIX_SHOW(s, v->str));
	return buf;
}

/*
 * The number v as written: *out its value if it is a whole non-negative
 * number (saturating at UINT64_MAX). Returns false for fractions,
 * exponents and negatives. lexeme gets a printable copy.
 */
static bool number_text(struct eipfix_cfg *c, const struct eipfix_json *v,
			uint64_t *out, char *lexeme, size_t size)
{
	uint64_t n = 0;

	eipfix_excerpt(lexeme, size, c->text + v->off, v->end - v->off, 32);
	for (size_t i = v->off; i < v->end; i++) {
		char ch = c->text[i];

		if (!isdigit((unsigned char)ch))
			return false;
		if (n > (UINT64_MAX - 9) / 10)
			n = UINT64_MAX;
		else
			n = n * 10 + (uint64_t)(ch - '0');
	}
	*out = n;
	return true;
}

struct num_key {
	const char *name;
	const char *unit;	/* " (milliseconds)" or "" */
	uint64_t min, max;
	size_t field;		/* offsetof the uint32_t in the profile */
};

static const struct num_key flow_numbers[] = {
	{ "IdleTimeout", " (milliseconds)", 1000, 86400000,
	  offsetof(struct eipfix_profile, idle_timeout_ms) },
	{ "ObservationDomainId", "", 0, 4294967295u,
	  offsetof(struct eipfix_profile, observation_domain) },
	{ "TemplateRefresh", " (seconds)", 1, 86400,
	  offsetof(struct eipfix_profile, template_refresh_s) },
	{ "MessageSize", " (bytes)", 512, 65000,
	  offsetof(struct eipfix_profile, message_size) },
	{ "MaxFlows", "", 1, 16777216,
	  offsetof(struct eipfix_profile, max_flows) },
};

/*
 * Case-insensitive Levenshtein distance, capped: good enough to suggest
 * "Interval" for "Intreval".
 */
static unsigned int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned int row[64], prev_diag, tmp;

	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		prev_diag = row[0];
		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int cost = tolower((unsigned char)a[i - 1]) !=
					    tolower((unsigned char)b[j - 1]);
			unsigned int best = prev_diag + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev_diag = tmp;
		}
	}
	return row[lb];
}

int eipfix_cfg_unknown_key(struct eipfix_cfg *c, const struct eipfix_json *m,
			   const char *where, const char *const *known,
			   size_t n)
{
	const char *best = NULL;
	unsigned int bestd = 3;		/* suggest at distance <= 2 */
	char s[80], list[256] = "";

	for (size_t i = 0; i < n; i++) {
		unsigned int d = distance(m->key, known[i]);

		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
	}
	if (best)
		return eipfix_cfg_err(c, m->key_off,
				      "unknown key \"%s\" in %s; did you mean \"%s\"?",
				      EIPFIX_SHOW(s, m->key), where, best);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", known[i]);
	}
	return eipfix_cfg_err(c, m->key_off,
			      "unknown key \"%s\" in %s; expected %s",
			      EIPFIX_SHOW(s, m->key), where, list);
}

int eipfix_cfg_name(struct eipfix_cfg *c, const struct eipfix_json *m,
		    const char *const *names, size_t n, uint8_t *out)
{
	char list[128] = "", g[96];

	if (m->type == EIPFIX_JSON_STRING)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(m->str, names[i])) {
				*out = (uint8_t)i;
				return 0;
			}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s\"%s\"",
			 i ? (i + 1 == n ? " or " : ", ") : "", names[i]);
	}
	return eipfix_cfg_err(c, m->off, "%s must be %s, got %s", m->key, list,
			      eipfix_cfg_got(g, sizeof(g), m));
}

static int parse_u32(struct eipfix_cfg *c, const struct num_key *nk,
		     const struct eipfix_json *m, struct eipfix_profile *p)
{
	char lexeme[40];
	uint64_t n;

	if (m->type != EIPFIX_JSON_NUMBER)
		return eipfix_cfg_err(c, m->off, "%s must be a number%s, got %s",
				      nk->name, nk->unit, eipfix_cfg_type(m));
	if (!number_text(c, m, &n, lexeme, sizeof(lexeme)) ||
	    n < nk->min || n > nk->max)
		return eipfix_cfg_err(c, m->off,
				      "%s must be a whole number from %llu to %llu%s, got %s",
				      nk->name, (unsigned long long)nk->min,
				      (unsigned long long)nk->max, nk->unit,
				      lexeme);
	*(uint32_t *)((char *)p + nk->field) = (uint32_t)n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* FlowMetadata                                                        */

#define INTERVAL_STEP 60000u
#define INTERVAL_MAX (UINT32_MAX / INTERVAL_STEP * INTERVAL_STEP)

/*
 * Enclave's page says Interval "should" be 0 or a multiple of 60000, and
 * the kernel ticks once a minute: another whole number of milliseconds is
 * rounded up to the next whole minute, with a warning that names it, rather
 * than refusing a profile Enclave accepts.
 */
static int parse_interval(struct eipfix_cfg *c, const struct eipfix_json *m,
			  struct eipfix_profile *p)
{
	char lexeme[40];
	uint64_t n, up;

	if (m->type != EIPFIX_JSON_NUMBER)
		return eipfix_cfg_err(c, m->off,
				      "Interval must be a number (milliseconds), got %s",
				      eipfix_cfg_type(m));
	if (!number_text(c, m, &n, lexeme, sizeof(lexeme)))
		return eipfix_cfg_err(c, m->off,
				      "Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got %s",
				      lexeme);
	up = n > INTERVAL_MAX ? n : (n + INTERVAL_STEP - 1) / INTERVAL_STEP *
				    INTERVAL_STEP;
	if (up > INTERVAL_MAX)
		return eipfix_cfg_err(c, m->off,
				      "Interval must be at most %u (milliseconds), got %s",
				      INTERVAL_MAX, lexeme);
	if (up != n)
		warn(c, p, m->off,
		     "Interval %s is not a multiple of 60000 (milliseconds); using %llu, the next whole minute",
		     lexeme, (unsigned long long)up);
	p->interval_ms = (uint32_t)up;
	return 0;
}

/* Checks an array's type and length; returns 0 if it may be read. */
static int check_array(struct eipfix_cfg *c, const struct eipfix_json *m,
		       const char *what, size_t max)
{
	if (m->type != EIPFIX_JSON_ARRAY)
		return eipfix_cfg_err(c, m->off, "%s must be an array of %s, got %s",
				      m->key, what, eipfix_cfg_type(m));
	if (m->n > max)
		return eipfix_cfg_err(c, eipfix_json_at(m, max)->off,
				      "%s has %zu entries; at most %zu are allowed",
				      m->key, m->n, max);
	return 0;
}

/* "... at L:C": where the earlier of two equal entries is */
static void linecol(struct eipfix_cfg *c, const struct eipfix_json *v,
		    unsigned int *l, unsigned int *col)
{
	eipfix_text_linecol(c->text, c->len, v->off, l, col);
}

static int parse_collector(struct eipfix_cfg *c, const struct eipfix_json *e,
			   struct eipfix_profile *p, const struct eipfix_json *arr)
{
	struct eipfix_collector *col = &p->collectors[p->n_collectors];
	const struct eipfix_json *f = arr->child;
	unsigned int l, cl;
	char msg[512];

	if (e->type != EIPFIX_JSON_STRING)
		return eipfix_cfg_err(c, e->off,
				      "IpFixCollectors entries must be strings, got %s",
				      eipfix_cfg_type(e));
	if (eipfix_collector_parse(e->str, col, msg, sizeof(msg)))
		return eipfix_cfg_err(c, e->off, "%s", msg);
	for (unsigned int j = 0; j < p->n_collectors; j++, f = f->next) {
		if (!eipfix_collector_same(&p->collectors[j], col))
			continue;
		linecol(c, f, &l, &cl);
		return eipfix_cfg_err(c, e->off,
				      "collector \"%s\" is the same as \"%s\" at %u:%u",
				      col->text, p->collectors[j].text, l, cl);
	}
	p->n_collectors++;
	return 0;
}

static int parse_collectors(struct eipfix_cfg *c, const struct eipfix_json *m,
			    struct eipfix_profile *p)
{
	const struct eipfix_json *e;
	int ret = check_array(c, m, "strings", EIPFIX_MAX_COLLECTORS);

	if (ret)
		return ret;
	free(p->collectors);
	p->n_collectors = 0;
	p->collectors = m->n ? calloc(m->n, sizeof(*p->collectors)) : NULL;
	if (m->n && !p->collectors)
		return -ENOMEM;
	for (e = m->child; e && !ret; e = e->next)
		ret = parse_collector(c, e, p, m);
	return ret;
}

/* What the kernel refuses in a name of the right length, or NULL. */
static const char *bad_ifname(const char *name)
{
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "is not valid";
	for (const char *q = name; *q; q++)
		if (*q == '/' || *q == ':' || isspace((unsigned char)*q) ||
		    iscntrl((unsigned char)*q))
			return "must not contain '/', ':' or whitespace";
	return NULL;
}

static int parse_interface(struct eipfix_cfg *c, const struct eipfix_json *e,
			   struct eipfix_profile *p, const struct eipfix_json *arr)
{
	const struct eipfix_json *f = arr->child;
	const char *name = e->str, *bad;
	unsigned int l, cl;
	size_t len;
	char s[80];

	if (e->type != EIPFIX_JSON_STRING)
		return eipfix_cfg_err(c, e->off,
				      "Interfaces entries must be strings, got %s",
				      eipfix_cfg_type(e));
	len = strlen(name);
	if (len == 0)
		return eipfix_cfg_err(c, e->off, "interface name must not be empty");
	if (len >= EIPFIX_IFNAMSIZ)
		return eipfix_cfg_err(c, e->off,
				      "interface name \"%s\" is too long (%zu bytes, at most %d)",
				      EIPFIX_SHOW(s, name), len, EIPFIX_IFNAMSIZ - 1);
	bad = bad_ifname(name);
	if (bad)
		return eipfix_cfg_err(c, e->off, "interface name \"%s\" %s",
				      EIPFIX_SHOW(s, name), bad);
	for (unsigned int j = 0; j < p->n_interfaces; j++, f = f->next) {
		if (strcmp(p->interfaces[j], name))
			continue;
		linecol(c, f, &l, &cl);
		return eipfix_cfg_err(c, e->off,
				      "interface \"%s\" is listed twice; first at %u:%u",
				      name, l, cl);
	}
	memcpy(p->interfaces[p->n_interfaces++], name, len + 1);
	return 0;
}

static int parse_interfaces(struct eipfix_cfg *c, const struct eipfix_json *m,
			    struct eipfix_profile *p)
{
	const struct eipfix_json *e;
	int ret = check_array(c, m, "interface names", EIPFIX_MAX_INTERFACES);

	if (ret)
		return ret;
	if (m->n == 0)
		return eipfix_cfg_err(c, m->off,
				      "Interfaces must list at least one interface");
	free(p->interfaces);
	p->n_interfaces = 0;
	p->interfaces = calloc(m->n, sizeof(*p->interfaces));
	if (!p->interfaces)
		return -ENOMEM;
	for (e = m->child; e && !ret; e = e->next)
		ret = parse_interface(c, e, p, m);
	return ret;
}

const char *const eipfix_cfg_flow_keys[EIPFIX_CFG_NFLOW_KEYS] = {
	"IpFixCollectors", "Direction", "Interval", "Enabled", "Interfaces",
	"IdleTimeout", "ObservationDomainId", "TemplateRefresh",
	"MessageSize", "MaxFlows", "AllowedFlowRule",
};

/* A member that must be true or false. */
static int parse_bool(struct eipfix_cfg *c, const struct eipfix_json *m,
		      bool *out)
{
	if (m->type != EIPFIX_JSON_TRUE && m->type != EIPFIX_JSON_FALSE)
		return eipfix_cfg_err(c, m->off, "%s must be true or false, got %s",
				      m->key, eipfix_cfg_type(m));
	*out = m->type == EIPFIX_JSON_TRUE;
	return 0;
}

static int flow_member(struct eipfix_cfg *c, const struct eipfix_json *m,
		       struct eipfix_profile *p)
{
	if (!strcmp(m->key, "IpFixCollectors"))
		return parse_collectors(c, m, p);
	if (!strcmp(m->key, "Direction"))
		return eipfix_cfg_name(c, m, eipfix_cfg_directions,
				       ARRAY_SIZE(eipfix_cfg_directions),
				       &p->direction);
	if (!strcmp(m->key, "Interval"))
		return parse_interval(c, m, p);
	if (!strcmp(m->key, "Enabled"))
		return parse_bool(c, m, &p->enabled);
	if (!strcmp(m->key, "AllowedFlowRule"))
		return parse_bool(c, m, &p->allowed_flow_rule);
	if (!strcmp(m->key, "Interfaces"))
		return parse_interfaces(c, m, p);
	for (size_t i = 0; i < ARRAY_SIZE(flow_numbers); i++)
		if (!strcmp(m->key, flow_numbers[i].name))
			return parse_u32(c, &flow_numbers[i], m, p);
	return eipfix_cfg_unknown_key(c, m, "FlowMetadata", eipfix_cfg_flow_keys,
				      EIPFIX_CFG_NFLOW_KEYS);
}

static int parse_flow_metadata(struct eipfix_cfg *c,
			       const struct eipfix_json *fm,
			       struct eipfix_profile *p)
{
	int ret;

	if (fm->type != EIPFIX_JSON_OBJECT)
		return eipfix_cfg_err(c, fm->off,
				      "FlowMetadata must be an object, got %s",
				      eipfix_cfg_type(fm));
	for (const struct eipfix_json *m = fm->child; m; m = m->next) {
		ret = flow_member(c, m, p);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Duplicate keys                                                      */

/* Where a value is, for naming the object in a duplicate key's message */
enum block { B_OTHER, B_FLOW, B_ACL, B_RULES, B_RULE };

struct dups {
	const struct eipfix_json **members;	/* scratch, reused */
	size_t cap;
	const struct eipfix_json *dup, *first;	/* the earliest repetition */
	char where[32];
};

static int by_key(const void *a, const void *b)
{
	const struct eipfix_json *x = *(const struct eipfix_json *const *)a;
	const struct eipfix_json *y = *(const struct eipfix_json *const *)b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->key_off < y->key_off ? -1 : x->key_off > y->key_off;
}

static bool ours(const char *key)
{
	return !strcmp(key, "FlowMetadata") || !strcmp(key, "AccessControl");
}

/* The members of o (only ours if so), sorted by key and place. */
static int collect(struct dups *d, const struct eipfix_json *o, bool only,
		   size_t *n)
{
	const struct eipfix_json *m;

	if (o->n > d->cap) {
		const struct eipfix_json **nm = realloc(d->members,
							o->n * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		d->members = nm;
		d->cap = o->n;
	}
	*n = 0;
	for (m = o->child; m; m = m->next)
		if (!only || ours(m->key))
			d->members[(*n)++] = m;
	if (*n > 1)
		qsort(d->members, *n, sizeof(*d->members), by_key);
	return 0;
}

/* Keeps the earliest second occurrence of a key among d->members[0..n) */
static void note_repeats(struct dups *d, size_t n, const char *where)
{
	for (size_t i = 1; i < n; i++) {
		const struct eipfix_json *a = d->members[i - 1];
		const struct eipfix_json *b = d->members[i];

		if (strcmp(a->key, b->key) ||
		    (i >= 2 && !strcmp(d->members[i - 2]->key, b->key)))
			continue;	/* not a second occurrence */
		if (!d->dup || b->key_off < d->dup->key_off) {
			d->dup = b;
			d->first = a;
			snprintf(d->where, sizeof(d->where), "%s", where);
		}
	}
}

/* Every object in v and inside it; b says which of ours v is. */
static int walk_dups(struct dups *d, const struct eipfix_json *v,
		     enum block b, size_t idx)
{
	const struct eipfix_json *m;
	char where[32] = "";
	size_t n, i;
	int ret = 0;

	if (b == B_FLOW)
		snprintf(where, sizeof(where), " in FlowMetadata");
	else if (b == B_ACL)
		snprintf(where, sizeof(where), " in AccessControl");
	else if (b == B_RULE && idx < EIPFIX_MAX_RULES)
		snprintf(where, sizeof(where), " in rule %zu", idx + 1);
	if (v->type == EIPFIX_JSON_OBJECT) {
		ret = collect(d, v, false, &n);
		if (ret)
			return ret;
		note_repeats(d, n, where);
	}
	for (m = v->child, i = 0; m && !ret; m = m->next, i++) {
		enum block cb = B_OTHER;

		if (b == B_ACL && v->type == EIPFIX_JSON_OBJECT &&
		    !strcmp(m->key, "Rules"))
			cb = B_RULES;
		else if (b == B_RULES && v->type == EIPFIX_JSON_ARRAY)
			cb = B_RULE;
		ret = walk_dups(d, m, cb, i);
	}
	return ret;
}

/*
 * Duplicate keys in our objects (and of "FlowMetadata"/"AccessControl"
 * themselves): the repetition that comes first in the text is reported.
 * Duplicates elsewhere are Enclave's business.
 */
static int check_duplicates(struct eipfix_cfg *c)
{
	const struct eipfix_json *root = c->doc.root, *m;
	struct dups d = { 0 };
	unsigned int l, col;
	char key[80];
	size_t n;
	int ret = collect(&d, root, true, &n);

	if (!ret)
		note_repeats(&d, n, "");
	for (m = root->child; m && !ret; m = m->next)
		if (ours(m->key))
			ret = walk_dups(&d, m, m->key[0] == 'F' ? B_FLOW : B_ACL, 0);
	if (!ret && d.dup) {
		eipfix_text_linecol(c->text, c->len, d.first->key_off, &l, &col);
		ret = eipfix_cfg_err(c, d.dup->key_off,
				     "duplicate key \"%s\"%s (first at %u:%u)",
				     EIPFIX_SHOW(key, d.dup->key), d.where, l, col);
	}
	free(d.members);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The profile                                                         */

/*
 * A host name that does not resolve now (no DNS yet at boot, a record not
 * published yet) is a warning, not a refusal: the agent keeps looking it up
 * and counts what it could not send there. A profile refused for it would
 * leave the host unmetered, or an agent in a restart loop.
 */
static void resolve_all(struct eipfix_cfg *c, struct eipfix_profile *p)
{
	const struct eipfix_json *fm = eipfix_json_get(c->doc.root, "FlowMetadata");
	const struct eipfix_json *e = eipfix_json_get(fm, "IpFixCollectors");
	char msg[512];

	e = e ? e->child : NULL;
	for (unsigned int i = 0; i < p->n_collectors; i++, e = e->next)
		if (eipfix_collector_resolve(&p->collectors[i], msg, sizeof(msg)))
			warn(c, p, e->off, "%s; the agent keeps trying", msg);
}

static bool blank(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
			return false;
	return true;
}

/* The JSON text, read into c->doc; the first error is in c->err. */
static int read_json(struct eipfix_cfg *c)
{
	char msg[512];
	size_t off = 0;
	int ret;

	if (blank(c->text, c->len))
		return eipfix_cfg_err(c, 0, "the profile is empty; expected a JSON object");
	ret = eipfix_json_parse(&c->doc, c->text, c->len, &off, msg,
				sizeof(msg));
	if (ret == -EINVAL)
		return eipfix_cfg_err(c, off, "%s", msg);
	if (ret)
		return ret;
	if (c->doc.root->type != EIPFIX_JSON_OBJECT)
		return eipfix_cfg_err(c, c->doc.root->off,
				      "the profile must be a JSON object, got %s",
				      eipfix_cfg_type(c->doc.root));
	return 0;
}

/* The checks, in the order config.h promises. */
static int check_profile(struct eipfix_cfg *c, unsigned int flags,
			 struct eipfix_profile *n)
{
	const struct eipfix_json *fm, *ac;
	int ret = read_json(c);

	if (!ret)
		ret = check_duplicates(c);
	if (ret)
		return ret;
	fm = eipfix_json_get(c->doc.root, "FlowMetadata");
	ac = eipfix_json_get(c->doc.root, "AccessControl");
	if (fm) {
		ret = parse_flow_metadata(c, fm, n);
		if (ret)
			return ret;
	}
	if (!eipfix_json_get(fm, "ObservationDomainId"))
		n->observation_domain = eipfix_default_odid();
	if (ac) {
		ret = eipfix_cfg_access_control(c, ac, n);
		if (ret)
			return ret;
	}
	if (flags & EIPFIX_PROFILE_RESOLVE)
		resolve_all(c, n);
	return 0;
}

int eipfix_profile_parse_flags(const char *text, size_t len,
			       const char *filename, unsigned int flags,
			       struct eipfix_profile *p, char *err,
			       size_t errlen)
{
	struct eipfix_cfg c = {
		.text = text, .len = len, .file = filename ? filename : "profile",
		.err = err, .errlen = errlen,
	};
	struct eipfix_profile n;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	eipfix_profile_init(&n);
	/* a UTF-8 byte order mark, as Windows editors write */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		c.text += 3;
		c.len -= 3;
	}
	ret = n.n_interfaces ? check_profile(&c, flags, &n) : -ENOMEM;
	if (!ret) {
		*p = n;
		memset(&n, 0, sizeof(n));
	}
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", c.file);
	eipfix_profile_free(&n);
	eipfix_json_free(&c.doc);
	return ret;
}

int eipfix_profile_parse(const char *text, size_t len, const char *filename,
			 struct eipfix_profile *p, char *err, size_t errlen)
{
	return eipfix_profile_parse_flags(text, len, filename, 0, p, err,
					  errlen);
}

/* The whole of fd into *buf (malloc'd); at most EIPFIX_PROFILE_MAX_SIZE. */
static int read_file(int fd, const char *path, char **buf, size_t *len,
		     char *err, size_t errlen)
{
	size_t cap = 0;
	ssize_t r;

	for (;;) {
		if (*len == cap) {
			char *nb;

			if (cap >= EIPFIX_PROFILE_MAX_SIZE) {
				snprintf(err, errlen,
					 "%s: the file is larger than %u bytes",
					 path, EIPFIX_PROFILE_MAX_SIZE);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 16384;
			nb = realloc(*buf, cap + 1);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			*buf = nb;
		}
		r = read(fd, *buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror((int)-r));
			return (int)r;
		}
		if (r == 0)
			return 0;
		*len += (size_t)r;
	}
}

int eipfix_profile_load_flags(const char *path, unsigned int flags,
			      struct eipfix_profile *p, char *err,
			      size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(-ret));
		return ret;
	}
	ret = read_file(fd, path, &buf, &len, err, errlen);
	if (!ret)
		ret = eipfix_profile_parse_flags(buf, len, path, flags, p, err,
						 errlen);
	free(buf);
	close(fd);
	return ret;
}

int eipfix_profile_load(const char *path, struct eipfix_profile *p,
			char *err, size_t errlen)
{
	return eipfix_profile_load_flags(path, EIPFIX_PROFILE_RESOLVE, p, err,
					 errlen);
}
