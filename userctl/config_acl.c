// SPDX-License-Identifier: GPL-2.0
/*
 * The profile's "AccessControl" block (DESIGN.md §4): Default and the
 * Rules, each rule's Action, Direction, Peer (a CIDR), Protocol, Ports and
 * Description checked and turned into struct eipfix_acl_rule. The kernel
 * checks the same limits again; here every refusal points at the value.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "util.h"

/* The prefix length after '/' in a Peer: 0..max, or max + 1 if bad. */
static unsigned int prefix_len(const char *q, unsigned int max)
{
	unsigned int plen = 0;

	if (!*q || strlen(q) > 3)
		return max + 1;
	for (; *q && plen <= max; q++)
		plen = isdigit((unsigned char)*q) ?
		       plen * 10 + (unsigned int)(*q - '0') : max + 1;
	return plen;
}

/* A Peer whose host bits are set: the error names the network meant. */
static int host_bits(struct eipfix_cfg *c, const struct eipfix_json *m,
		     int fam, uint8_t *bytes, unsigned int plen)
{
	unsigned int max = fam == AF_INET ? 32 : 128;
	char s[80], masked[INET6_ADDRSTRLEN];

	for (unsigned int bit = plen; bit < max; bit++) {
		if (!(bytes[bit / 8] & (0x80 >> (bit % 8))))
			continue;
		for (unsigned int b = plen; b < max; b++)
			bytes[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		inet_ntop(fam, bytes, masked, sizeof(masked));
		return eipfix_cfg_err(c, m->off,
				      "Peer \"%s\" has host bits set; did you mean \"%s/%u\"?",
				      EIPFIX_SHOW(s, m->str), masked, plen);
	}
	return 0;
}

static int parse_peer(struct eipfix_cfg *c, const struct eipfix_json *m,
		      struct eipfix_acl_rule *r)
{
	char addr[64], s[80];
	const char *str = m->str, *slash;
	unsigned int max, plen;
	uint8_t bytes[16];
	size_t alen;
	int fam, ret;

	if (m->type != EIPFIX_JSON_STRING)
		return eipfix_cfg_err(c, m->off,
				      "Peer must be an IPv4 or IPv6 address or CIDR, got %s",
				      eipfix_cfg_type(m));
	slash = strchr(str, '/');
	alen = slash ? (size_t)(slash - str) : strlen(str);
	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, str, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, bytes) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, addr, bytes) == 1)
		fam = AF_INET6;
	else
		goto bad;
	max = fam == AF_INET ? 32 : 128;
	plen = slash ? prefix_len(slash + 1, max) : max;
	if (plen > max)
		return eipfix_cfg_err(c, m->off,
				      "Peer \"%s\": prefix length must be 0 to %u",
				      EIPFIX_SHOW(s, str), max);
	ret = host_bits(c, m, fam, bytes, plen);
	if (ret)
		return ret;
	r->family = (uint8_t)fam;
	r->prefix_len = (uint8_t)plen;
	memset(r->peer, 0, sizeof(r->peer));
	memcpy(r->peer, bytes, fam == AF_INET ? 4 : 16);
	return 0;
bad:
	return eipfix_cfg_err(c, m->off,
			      "Peer \"%s\" is not an IPv4 or IPv6 address or CIDR",
			      EIPFIX_SHOW(s, str));
}

static int port_number(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 9)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* One entry of Ports, q[0..len) (trimmed): "22" or "8000-8100". */
static int port_range(struct eipfix_cfg *c, const struct eipfix_json *m,
		      const char *q, size_t len, struct eipfix_port_range *pr)
{
	const char *dash = memchr(q, '-', len);
	char s[80], item[40];
	unsigned long first, last;

	eipfix_excerpt(item, sizeof(item), q, len, 32);
	if (port_number(q, dash ? (size_t)(dash - q) : len, &first) ||
	    (dash && port_number(dash + 1, len - (size_t)(dash - q) - 1, &last)))
		return eipfix_cfg_err(c, m->off,
				      "Ports \"%s\": \"%s\" is not a port or a range FIRST-LAST",
				      EIPFIX_SHOW(s, m->str), item);
	if (!dash)
		last = first;
	if (first < 1 || first > 65535 || last < 1 || last > 65535)
		return eipfix_cfg_err(c, m->off,
				      "Ports \"%s\": port %lu is not in 1 to 65535",
				      EIPFIX_SHOW(s, m->str),
				      first < 1 || first > 65535 ? first : last);
	if (first > last)
		return eipfix_cfg_err(c, m->off,
				      "Ports \"%s\": range %s has first > last",
				      EIPFIX_SHOW(s, m->str), item);
	pr->first = (uint16_t)first;
	pr->last = (uint16_t)last;
	return 0;
}

static int parse_ports(struct eipfix_cfg *c, const struct eipfix_json *m,
		       struct eipfix_acl_rule *r)
{
	const char *str = m->str, *q;
	char s[80];
	size_t n = 1;
	int ret;

	if (m->type != EIPFIX_JSON_STRING)
		return eipfix_cfg_err(c, m->off,
				      "Ports must be a string such as \"22,443,8000-8100\", got %s",
				      eipfix_cfg_type(m));
	if (!*str)
		return eipfix_cfg_err(c, m->off,
				      "Ports must not be empty; leave it out to match any port");
	for (q = str; *q; q++)
		n += *q == ',';
	free(r->ports);
	r->n_ports = 0;
	r->ports = calloc(n, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	for (q = str;; q++) {
		const char *end = strchrnul(q, ',');
		size_t len;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		len = (size_t)(end - q);
		while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
			len--;
		if (len == 0)
			return eipfix_cfg_err(c, m->off,
					      "Ports \"%s\" has an empty entry",
					      EIPFIX_SHOW(s, str));
		ret = port_range(c, m, q, len, &r->ports[r->n_ports]);
		if (ret)
			return ret;
		r->n_ports++;
		if (!*end)
			return 0;
		q = end;
	}
}

static int parse_description(struct eipfix_cfg *c,
			     const struct eipfix_json *m,
			     struct eipfix_acl_rule *r)
{
	size_t len;

	if (m->type != EIPFIX_JSON_STRING)
		return eipfix_cfg_err(c, m->off,
				      "Description must be a string, got %s",
				      eipfix_cfg_type(m));
	len = strlen(m->str);
	if (len > EIPFIX_DESCRIPTION_MAX)
		return eipfix_cfg_err(c, m->off,
				      "Description is %zu bytes long; at most %d are allowed",
				      len, EIPFIX_DESCRIPTION_MAX);
	memcpy(r->description, m->str, len + 1);
	return 0;
}

static const char *const rule_keys[] = {
	"Action", "Direction", "Peer", "Protocol", "Ports", "Description",
};

static int rule_member(struct eipfix_cfg *c, const struct eipfix_json *m,
		       const char *where, struct eipfix_acl_rule *r)
{
	if (!strcmp(m->key, "Action"))
		return eipfix_cfg_name(c, m, eipfix_cfg_actions,
				       ARRAY_SIZE(eipfix_cfg_actions),
				       &r->action);
	if (!strcmp(m->key, "Direction"))
		return eipfix_cfg_name(c, m, eipfix_cfg_directions,
				       ARRAY_SIZE(eipfix_cfg_directions),
				       &r->direction);
	if (!strcmp(m->key, "Peer"))
		return parse_peer(c, m, r);
	if (!strcmp(m->key, "Protocol"))
		return eipfix_cfg_name(c, m, eipfix_cfg_protocols,
				       ARRAY_SIZE(eipfix_cfg_protocols),
				       &r->protocol);
	if (!strcmp(m->key, "Ports"))
		return parse_ports(c, m, r);
	if (!strcmp(m->key, "Description"))
		return parse_description(c, m, r);
	return eipfix_cfg_unknown_key(c, m, where, rule_keys,
				      ARRAY_SIZE(rule_keys));
}

static int parse_rule(struct eipfix_cfg *c, size_t idx,
		      const struct eipfix_json *o, struct eipfix_acl_rule *r)
{
	const struct eipfix_json *m;
	char where[32];
	int ret;

	snprintf(where, sizeof(where), "rule %zu", idx + 1);
	if (o->type != EIPFIX_JSON_OBJECT)
		return eipfix_cfg_err(c, o->off,
				      "rule %zu must be an object, got %s",
				      idx + 1, eipfix_cfg_type(o));
	r->action = EIPFIX_ACL_ALLOW;
	r->direction = EIPFIX_DIR_BOTH;
	r->protocol = EIPFIX_ACL_PROTO_ANY;
	for (m = o->child; m; m = m->next) {
		ret = rule_member(c, m, where, r);
		if (ret)
			return ret;
	}
	if (!eipfix_json_get(o, "Action"))
		return eipfix_cfg_err(c, o->off,
				      "rule %zu has no \"Action\"; expected \"Action\": \"Allow\" or \"Deny\"",
				      idx + 1);
	m = eipfix_json_get(o, "Ports");
	if (m && r->protocol != EIPFIX_ACL_PROTO_TCP &&
	    r->protocol != EIPFIX_ACL_PROTO_UDP)
		return eipfix_cfg_err(c, m->off,
				      "Ports requires \"Protocol\": \"Tcp\" or \"Udp\" in the same rule");
	return 0;
}

static int parse_rules(struct eipfix_cfg *c, const struct eipfix_json *m,
		       struct eipfix_profile *p)
{
	const struct eipfix_json *e;
	size_t i;
	int ret;

	if (m->type != EIPFIX_JSON_ARRAY)
		return eipfix_cfg_err(c, m->off,
				      "Rules must be an array of rule objects, got %s",
				      eipfix_cfg_type(m));
	if (m->n > EIPFIX_MAX_RULES)
		return eipfix_cfg_err(c, eipfix_json_at(m, EIPFIX_MAX_RULES)->off,
				      "Rules has %zu entries; at most %d are allowed",
				      m->n, EIPFIX_MAX_RULES);
	for (i = 0; i < p->n_rules; i++)
		free(p->rules[i].ports);
	free(p->rules);
	p->n_rules = 0;
	p->rules = m->n ? calloc(m->n, sizeof(*p->rules)) : NULL;
	if (m->n && !p->rules)
		return -ENOMEM;
	for (e = m->child, i = 0; e; e = e->next, i++) {
		p->n_rules++;	/* so that eipfix_profile_free frees ports */
		ret = parse_rule(c, i, e, &p->rules[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const char *const acl_keys[] = { "Default", "Rules" };

/*
 * A key of AccessControl's that is none: a FlowMetadata key put here (but
 * not one a rule has too: that is a rule's key out of its rule), or a typo.
 */
static int acl_unknown_key(struct eipfix_cfg *c, const struct eipfix_json *m)
{
	char s[80];

	for (size_t i = 0; i < ARRAY_SIZE(rule_keys); i++)
		if (!strcmp(m->key, rule_keys[i]))
			goto typo;
	for (size_t i = 0; i < EIPFIX_CFG_NFLOW_KEYS; i++)
		if (!strcmp(m->key, eipfix_cfg_flow_keys[i]))
			return eipfix_cfg_err(c, m->key_off,
					      "unknown key \"%s\" in AccessControl; it belongs in FlowMetadata",
					      EIPFIX_SHOW(s, m->key));
typo:
	return eipfix_cfg_unknown_key(c, m, "AccessControl", acl_keys,
				      ARRAY_SIZE(acl_keys));
}

int eipfix_cfg_access_control(struct eipfix_cfg *c,
			      const struct eipfix_json *ac,
			      struct eipfix_profile *p)
{
	const struct eipfix_json *m;
	int ret;

	if (ac->type != EIPFIX_JSON_OBJECT)
		return eipfix_cfg_err(c, ac->off,
				      "AccessControl must be an object, got %s",
				      eipfix_cfg_type(ac));
	for (m = ac->child; m; m = m->next) {
		if (!strcmp(m->key, "Default"))
			ret = eipfix_cfg_name(c, m, eipfix_cfg_actions,
					      ARRAY_SIZE(eipfix_cfg_actions),
					      &p->acl_default);
		else if (!strcmp(m->key, "Rules"))
			ret = parse_rules(c, m, p);
		else
			return acl_unknown_key(c, m);
		if (ret)
			return ret;
	}
	return 0;
}
