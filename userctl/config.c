// SPDX-License-Identifier: GPL-2.0
/*
 * The profile parser: Enclave's profile JSON -> struct eipfix_profile.
 *
 * jansson parses; a small scanner of our own only locates. On a syntax
 * error, jansson tells us where it stopped (the byte after the token it could
 * not use) and the scanner finds that token, the one before it and the
 * enclosing object, so that a missing ',' is reported after the value it
 * should follow, with the member's key. On valid JSON, the scanner builds a
 * position index (JSON Pointer -> offsets of key and value) that the checks
 * use to point at the offending key or value; jansson's values carry no
 * positions. Numbers are checked on their text as written, so that 1.5, 1e3,
 * -1 and 2^64 are all told apart exactly.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Defaults and names                                                  */

static const char *const direction_names[] = {
	[EIPFIX_DIR_BOTH] = "Both",
	[EIPFIX_DIR_SENDING] = "SendingToPeer",
	[EIPFIX_DIR_RECEIVED] = "ReceivedFromPeer",
};

static const char *const action_names[] = {
	[EIPFIX_ACL_ALLOW] = "Allow",
	[EIPFIX_ACL_DENY] = "Deny",
};

static const char *const proto_names[] = {
	[EIPFIX_ACL_PROTO_ANY] = "Any",
	[EIPFIX_ACL_PROTO_TCP] = "Tcp",
	[EIPFIX_ACL_PROTO_UDP] = "Udp",
	[EIPFIX_ACL_PROTO_ICMP] = "Icmp",
};

const char *eipfix_direction_name(unsigned int dir)
{
	return dir < ARRAY_SIZE(direction_names) ? direction_names[dir] : "?";
}

const char *eipfix_acl_action_name(unsigned int action)
{
	return action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

const char *eipfix_acl_proto_name(unsigned int proto)
{
	return proto < ARRAY_SIZE(proto_names) ? proto_names[proto] : "?";
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
	p->rules = NULL;
	p->n_rules = 0;
	p->collectors = NULL;
	p->n_collectors = 0;
	p->interfaces = NULL;
	p->n_interfaces = 0;
}

/* ------------------------------------------------------------------ */
/* Text positions                                                      */

void eipfix_text_linecol(const char *text, size_t len, size_t off,
			 unsigned int *line, unsigned int *col)
{
	unsigned int l = 1, c = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/*
 * A printable excerpt of s[0..n) for messages: control bytes become '?',
 * and more than max bytes are cut to max - 3 followed by "...".
 */
static const char *excerpt(char *buf, size_t size, const char *s, size_t n,
			   size_t max)
{
	size_t i, o = 0;
	bool cut = n > max;

	if (cut)
		n = max - 3;
	for (i = 0; i < n && o + 1 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	if (cut)
		for (i = 0; i < 3 && o + 1 < size; i++)
			buf[o++] = '.';
	buf[o] = '\0';
	return buf;
}

#define SHOW(buf, s) excerpt(buf, sizeof(buf), s, strlen(s), 64)

/* ------------------------------------------------------------------ */
/* The scanner: tokens of a JSON text, possibly invalid                */

enum tok_type {
	TOK_EOF,
	TOK_LBRACE = '{',
	TOK_RBRACE = '}',
	TOK_LBRACKET = '[',
	TOK_RBRACKET = ']',
	TOK_COLON = ':',
	TOK_COMMA = ',',
	TOK_STRING = 's',	/* "..." (possibly unterminated) */
	TOK_LITERAL = 'l',	/* numbers, true, false, null and junk */
};

struct tok {
	enum tok_type type;
	size_t off, end;	/* [off, end) */
	bool closed;		/* a string with its closing quote */
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t digits_end(const char *t, size_t len, size_t i)
{
	while (i < len && isdigit((unsigned char)t[i]))
		i++;
	return i;
}

/* The end of the JSON number at i, as far as jansson would read it. */
static size_t number_end(const char *t, size_t len, size_t i)
{
	size_t start = i;

	if (t[i] == '-')
		i++;
	if (i < len && t[i] == '0')
		i++;
	else
		i = digits_end(t, len, i);
	if (i + 1 < len && t[i] == '.' && isdigit((unsigned char)t[i + 1]))
		i = digits_end(t, len, i + 1);
	if (i < len && (t[i] == 'e' || t[i] == 'E')) {
		size_t e = i + 1;

		if (e < len && (t[e] == '+' || t[e] == '-'))
			e++;
		if (e < len && isdigit((unsigned char)t[e]))
			i = digits_end(t, len, e);
	}
	return i > start ? i : start + 1;
}

/* The token at or after offset i. */
static struct tok lex(const char *t, size_t len, size_t i)
{
	struct tok k = { .type = TOK_EOF };

	while (i < len && is_ws(t[i]))
		i++;
	k.off = i;
	if (i >= len) {
		k.type = TOK_EOF;
		k.end = len;
		return k;
	}
	switch (t[i]) {
	case '{': case '}': case '[': case ']': case ':': case ',':
		k.type = (enum tok_type)t[i];
		k.end = i + 1;
		return k;
	case '"':
		k.type = TOK_STRING;
		for (i++; i < len; i++) {
			if ((unsigned char)t[i] < 0x20)
				break;		/* unterminated */
			if (t[i] == '\\') {
				if (i + 1 < len)
					i++;
				continue;
			}
			if (t[i] == '"') {
				i++;
				k.closed = true;
				break;
			}
		}
		k.end = i;
		return k;
	default:
		/*
		 * Split as jansson does: a number runs over number characters,
		 * a word over letters; anything else is one byte.
		 */
		k.type = TOK_LITERAL;
		if (t[i] == '-' || isdigit((unsigned char)t[i])) {
			i = number_end(t, len, i);
		} else if (isalpha((unsigned char)t[i])) {
			while (i < len && isalpha((unsigned char)t[i]))
				i++;
		} else {
			i++;
		}
		k.end = i;
		return k;
	}
}

static bool tok_is_closed_string(const struct tok *k)
{
	return k->type == TOK_STRING && k->closed;
}

/* ------------------------------------------------------------------ */
/* Position index                                                      */

struct strbuf {
	char *s;
	size_t len, cap;
};

static int sb_reserve(struct strbuf *b, size_t more)
{
	char *n;
	size_t cap;

	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1)
		cap *= 2;
	n = realloc(b->s, cap);
	if (!n)
		return -ENOMEM;
	b->s = n;
	b->cap = cap;
	return 0;
}

static int sb_putc(struct strbuf *b, char c)
{
	if (sb_reserve(b, 1))
		return -ENOMEM;
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

static int sb_puts(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (sb_reserve(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
	return 0;
}

static void sb_truncate(struct strbuf *b, size_t len)
{
	b->len = len;
	if (b->s)
		b->s[len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static long hex4(const char *s, size_t n)
{
	long v = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Appends one JSON Pointer reference token: '~' -> "~0", '/' -> "~1". */
static int sb_put_ref(struct strbuf *b, const char *s, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		if (s[i] == '~')
			ret = sb_puts(b, "~0");
		else if (s[i] == '/')
			ret = sb_puts(b, "~1");
		else
			ret = sb_putc(b, s[i]);
	}
	return ret;
}

static int sb_put_utf8(struct strbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sb_put_ref(b, u, n);
}

/* Appends the decoded contents of the string token t[off..end) as a ref. */
static int sb_put_key(struct strbuf *b, const char *t, size_t off, size_t end)
{
	size_t i = off + 1, stop = end - 1;	/* inside the quotes */
	int ret = 0;

	while (i < stop && !ret) {
		char c = t[i];
		long cp, lo;

		if (c != '\\') {
			ret = sb_put_ref(b, &t[i++], 1);
			continue;
		}
		if (i + 1 >= stop)
			return -EINVAL;
		c = t[i + 1];
		i += 2;
		switch (c) {
		case 'b': ret = sb_putc(b, '\b'); break;
		case 'f': ret = sb_putc(b, '\f'); break;
		case 'n': ret = sb_putc(b, '\n'); break;
		case 'r': ret = sb_putc(b, '\r'); break;
		case 't': ret = sb_putc(b, '\t'); break;
		case '"': case '\\': ret = sb_putc(b, c); break;
		case '/': ret = sb_puts(b, "~1"); break;
		case 'u':
			cp = hex4(&t[i], stop - i);
			if (cp < 0)
				return -EINVAL;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= stop &&
			    t[i] == '\\' && t[i + 1] == 'u') {
				lo = hex4(&t[i + 2], stop - i - 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
					i += 6;
				}
			}
			ret = sb_put_utf8(b, (unsigned long)cp);
			break;
		default:
			return -EINVAL;
		}
	}
	return ret;
}

struct ix_frame {
	bool obj;
	size_t path_len;	/* length of this container's own path */
	size_t count;		/* elements so far (arrays) */
	size_t entry;		/* its entry in the index */
};

static int ix_add(struct eipfix_jindex *ix, const char *path, size_t key_off,
		  size_t val_off)
{
	struct eipfix_jpos *e;

	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;

		e = realloc(ix->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		ix->v = e;
		ix->cap = cap;
	}
	e = &ix->v[ix->n];
	e->path = strdup(path);
	if (!e->path)
		return -ENOMEM;
	e->key_off = key_off;
	e->val_off = val_off;
	e->val_end = val_off;
	ix->n++;
	return 0;
}

static int by_path_cmp(const void *a, const void *b, void *arg)
{
	const struct eipfix_jindex *ix = arg;
	const struct eipfix_jpos *x = &ix->v[*(const size_t *)a];
	const struct eipfix_jpos *y = &ix->v[*(const size_t *)b];
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->val_off < y->val_off ? -1 : x->val_off > y->val_off;
}

enum ix_state {
	IX_VALUE,		/* a value is due */
	IX_ELEM_OR_END,		/* just after '[' */
	IX_ELEM,		/* after ',' in an array */
	IX_KEY_OR_END,		/* just after '{' */
	IX_KEY,			/* after ',' in an object */
	IX_COLON,
	IX_COMMA_OR_END,
	IX_DONE,
};

static int ix_push(struct ix_frame **st, size_t *depth, size_t *cap,
		   struct ix_frame f)
{
	if (*depth == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct ix_frame *n = realloc(*st, c * sizeof(*n));

		if (!n)
			return -ENOMEM;
		*st = n;
		*cap = c;
	}
	(*st)[(*depth)++] = f;
	return 0;
}

/* path = the container's path + "/" + the element's index */
static int ix_elem_path(struct strbuf *path, struct ix_frame *top)
{
	char num[24];

	sb_truncate(path, top->path_len);
	snprintf(num, sizeof(num), "/%zu", top->count++);
	return sb_puts(path, num);
}

int eipfix_jindex_build(struct eipfix_jindex *ix, const char *text,
			size_t len)
{
	struct strbuf path = { 0 };
	struct ix_frame *st = NULL, *top;
	size_t depth = 0, cap = 0, key_off = SIZE_MAX, pos = 0;
	enum ix_state s = IX_VALUE;
	struct tok k;
	int ret = 0;

	memset(ix, 0, sizeof(*ix));
	ret = sb_puts(&path, "");	/* the root's path */
	while (!ret) {
		k = lex(text, len, pos);
		pos = k.end;
		top = depth ? &st[depth - 1] : NULL;
		if (s == IX_DONE) {
			ret = k.type == TOK_EOF ? 0 : -EINVAL;
			break;
		}
		if (k.type == TOK_EOF) {
			ret = -EINVAL;
			break;
		}
		switch (s) {
		case IX_ELEM_OR_END:
		case IX_ELEM:
			if (s == IX_ELEM_OR_END && k.type == TOK_RBRACKET)
				goto close;
			ret = ix_elem_path(&path, top);
			if (ret)
				break;
			key_off = SIZE_MAX;
			/* fall through */
		case IX_VALUE:
			if (k.type != TOK_LBRACE && k.type != TOK_LBRACKET &&
			    k.type != TOK_LITERAL &&
			    !tok_is_closed_string(&k)) {
				ret = -EINVAL;
				break;
			}
			ret = ix_add(ix, path.s, key_off, k.off);
			if (ret)
				break;
			if (k.type == TOK_LBRACE || k.type == TOK_LBRACKET) {
				ret = ix_push(&st, &depth, &cap, (struct ix_frame){
					.obj = k.type == TOK_LBRACE,
					.path_len = path.len,
					.entry = ix->n - 1,
				});
				s = k.type == TOK_LBRACE ? IX_KEY_OR_END :
							   IX_ELEM_OR_END;
				break;
			}
			ix->v[ix->n - 1].val_end = k.end;
			s = depth ? IX_COMMA_OR_END : IX_DONE;
			break;
		case IX_KEY_OR_END:
		case IX_KEY:
			if (s == IX_KEY_OR_END && k.type == TOK_RBRACE)
				goto close;
			if (!tok_is_closed_string(&k)) {
				ret = -EINVAL;
				break;
			}
			sb_truncate(&path, top->path_len);
			ret = sb_putc(&path, '/');
			if (!ret)
				ret = sb_put_key(&path, text, k.off, k.end);
			key_off = k.off;
			s = IX_COLON;
			break;
		case IX_COLON:
			ret = k.type == TOK_COLON ? 0 : -EINVAL;
			s = IX_VALUE;
			break;
		case IX_COMMA_OR_END:
			if (k.type == TOK_COMMA) {
				s = top->obj ? IX_KEY : IX_ELEM;
				break;
			}
			goto close;
		default:
			ret = -EINVAL;
			break;
		}
		continue;
close:
		if (k.type != (top->obj ? TOK_RBRACE : TOK_RBRACKET)) {
			ret = -EINVAL;
			break;
		}
		ix->v[top->entry].val_end = k.end;
		depth--;
		s = depth ? IX_COMMA_OR_END : IX_DONE;
	}
	free(st);
	free(path.s);
	if (!ret && ix->n) {
		ix->by_path = malloc(ix->n * sizeof(*ix->by_path));
		if (!ix->by_path) {
			ret = -ENOMEM;
		} else {
			for (size_t i = 0; i < ix->n; i++)
				ix->by_path[i] = i;
			qsort_r(ix->by_path, ix->n, sizeof(*ix->by_path),
				by_path_cmp, ix);
		}
	}
	if (ret)
		eipfix_jindex_free(ix);
	return ret;
}

const struct eipfix_jpos *eipfix_jindex_find(const struct eipfix_jindex *ix,
					     const char *path)
{
	size_t lo = 0, hi = ix->n;

	if (!ix->by_path)
		return NULL;
	while (lo < hi) {		/* the first entry >= path */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->v[ix->by_path[mid]].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix->n && !strcmp(ix->v[ix->by_path[lo]].path, path))
		return &ix->v[ix->by_path[lo]];
	return NULL;
}

void eipfix_jindex_free(struct eipfix_jindex *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->v[i].path);
	free(ix->v);
	free(ix->by_path);
	memset(ix, 0, sizeof(*ix));
}

/* ------------------------------------------------------------------ */
/* Error reporting                                                     */

struct ctx {
	const char *text;
	size_t len;
	const char *file;
	struct eipfix_jindex ix;
	char *err;
	size_t errlen;
};

static int verr_off(struct ctx *c, size_t off, const char *fmt, va_list ap)
{
	unsigned int line, col;
	int n;

	if (!c->err || !c->errlen)
		return -EINVAL;
	eipfix_text_linecol(c->text, c->len, off, &line, &col);
	n = snprintf(c->err, c->errlen, "%s:%u:%u: ", c->file, line, col);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	return -EINVAL;
}

static int err_off(struct ctx *c, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int err_off(struct ctx *c, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_off(c, off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "<parent>/<key>" or "<parent>/<index>" as a JSON Pointer (malloc'd). */
static char *path_join(const char *parent, const char *key, size_t index)
{
	struct strbuf b = { 0 };
	char num[24];
	int ret;

	ret = sb_puts(&b, parent);
	if (!ret)
		ret = sb_putc(&b, '/');
	if (!ret && key) {
		ret = sb_put_ref(&b, key, strlen(key));
	} else if (!ret) {
		snprintf(num, sizeof(num), "%zu", index);
		ret = sb_puts(&b, num);
	}
	if (ret) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

enum where { AT_VALUE, AT_KEY };

/* Offset of the key or value at parent/key (or parent/index if !key). */
static size_t locate(struct ctx *c, const char *parent, const char *key,
		     size_t index, enum where w)
{
	char *path = path_join(parent, key, index);
	const struct eipfix_jpos *e = path ? eipfix_jindex_find(&c->ix, path) :
					     NULL;
	size_t off = 0;

	if (!e)		/* cannot happen for a valid index; point at parent */
		e = eipfix_jindex_find(&c->ix, parent);
	if (e)
		off = (w == AT_KEY && e->key_off != SIZE_MAX) ? e->key_off :
								 e->val_off;
	free(path);
	return off;
}

static size_t locate_path(struct ctx *c, const char *path)
{
	const struct eipfix_jpos *e = eipfix_jindex_find(&c->ix, path);

	return e ? e->val_off : 0;
}

#define ERR_VAL(c, parent, key, ...) \
	err_off(c, locate(c, parent, key, 0, AT_VALUE), __VA_ARGS__)

static void warn_off(struct ctx *c, struct eipfix_profile *p, size_t off,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Keeps the first warning, positioned like an error. */
static void warn_off(struct ctx *c, struct eipfix_profile *p, size_t off,
		     const char *fmt, ...)
{
	unsigned int line, col;
	size_t size = sizeof(p->warning);
	va_list ap;
	int n;

	if (p->warning[0])
		return;
	eipfix_text_linecol(c->text, c->len, off, &line, &col);
	n = snprintf(p->warning, size, "%s:%u:%u: warning: ", c->file, line,
		     col);
	if (n < 0 || (size_t)n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warning + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}
#define ERR_KEY(c, parent, key, ...) \
	err_off(c, locate(c, parent, key, 0, AT_KEY), __VA_ARGS__)
#define ERR_ELEM(c, parent, i, ...) \
	err_off(c, locate(c, parent, NULL, i, AT_VALUE), __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Syntax errors: from jansson's stop position back to the culprit      */

struct syn_frame {
	bool obj;
	bool expect_key;
	size_t open_off;
	struct tok key;		/* the current member's key */
};

/* A token for messages: strings with their quotes, punctuation in '' */
static void tok_text(char *buf, size_t size, const char *t, size_t len,
		     const struct tok *k)
{
	size_t avail = len - k->off - 1;
	const char *q;

	if (k->type == TOK_LITERAL && t[k->off] == '\'' &&
	    (q = memchr(t + k->off + 1, '\'', avail < 46 ? avail : 46)) &&
	    !memchr(t + k->off, '\n', (size_t)(q - t) - k->off)) {
		/* a single-quoted string, shown whole */
		excerpt(buf, size, t + k->off, (size_t)(q - t) - k->off + 1, 48);
	} else if (k->type == TOK_STRING || k->type == TOK_LITERAL)
		excerpt(buf, size, t + k->off, k->end - k->off, 48);
	else if (k->type == TOK_EOF)
		snprintf(buf, size, "end of file");
	else
		snprintf(buf, size, "'%c'", (char)k->type);
}

/* The value a token ends: a scalar as written, or {...} / [...] */
static void value_text(char *buf, size_t size, const char *t, size_t len,
		       const struct tok *k)
{
	if (k->type == TOK_RBRACE)
		snprintf(buf, size, "{...}");
	else if (k->type == TOK_RBRACKET)
		snprintf(buf, size, "[...]");
	else
		tok_text(buf, size, t, len, k);
}

/* Updates the stack of open containers with token k. */
static int syn_step(struct syn_frame **st, size_t *depth, size_t *cap,
		    const struct tok *k)
{
	struct syn_frame *top = *depth ? &(*st)[*depth - 1] : NULL;

	switch (k->type) {
	case TOK_LBRACE:
	case TOK_LBRACKET:
		if (*depth == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			struct syn_frame *n = realloc(*st, nc * sizeof(*n));

			if (!n)
				return -ENOMEM;
			*st = n;
			*cap = nc;
		}
		(*st)[(*depth)++] = (struct syn_frame){
			.obj = k->type == TOK_LBRACE,
			.expect_key = k->type == TOK_LBRACE,
			.open_off = k->off,
		};
		break;
	case TOK_RBRACE:
	case TOK_RBRACKET:
		if (*depth)
			(*depth)--;
		break;
	case TOK_COMMA:
		if (top && top->obj)
			top->expect_key = true;
		break;
	case TOK_STRING:
		if (top && top->obj && top->expect_key) {
			top->key = *k;
			top->expect_key = false;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int syntax_error(struct ctx *c, const json_error_t *je)
{
	const char *t = c->text, *msg = je->text;
	size_t len = c->len, pos, depth = 0, cap = 0;
	struct syn_frame *st = NULL, *top;
	struct tok cur = { .type = TOK_EOF }, prev = { .type = TOK_EOF }, k;
	bool eof = json_error_code(je) == json_error_premature_end_of_input;
	char a[64], b[64], clean[JSON_ERROR_TEXT_LENGTH];
	const char *near;
	int ret;

	pos = je->position > 0 ? (size_t)je->position : 0;
	if (pos > len)
		pos = len;

	/*
	 * cur becomes the last token that starts before pos (the one jansson
	 * was looking at), prev the one before it, and st holds the
	 * containers open before cur. At end of file, cur is the last token
	 * and st what is still open after it.
	 */
	for (k = lex(t, len, 0); k.type != TOK_EOF; k = lex(t, len, k.end)) {
		if (!eof && k.off >= pos)
			break;
		if (cur.end > cur.off) {
			if (syn_step(&st, &depth, &cap, &cur))
				goto nomem;
			prev = cur;
		}
		cur = k;
	}
	if (eof && cur.end > cur.off && syn_step(&st, &depth, &cap, &cur))
		goto nomem;
	top = depth ? &st[depth - 1] : NULL;

	/* jansson's text without its " near '...'" */
	snprintf(clean, sizeof(clean), "%s", msg);
	near = strstr(clean, " near ");
	if (near)
		clean[near - clean] = '\0';

	if (eof) {
		unsigned int l, col;

		if (cur.type == TOK_STRING && !tok_is_closed_string(&cur)) {
			ret = err_off(c, cur.off, "unterminated string");
		} else if (top) {
			eipfix_text_linecol(t, len, top->open_off, &l, &col);
			ret = err_off(c, len,
				      "unexpected end of file; the %s opened at %u:%u is not closed",
				      top->obj ? "object" : "array", l, col);
		} else {
			ret = err_off(c, len, "unexpected end of file");
		}
	} else if ((!strncmp(msg, "'}' expected", 12) ||
		    !strncmp(msg, "']' expected", 12)) &&
		   prev.end > prev.off && top) {
		value_text(b, sizeof(b), t, len, &prev);
		if (top->obj && top->key.end > top->key.off) {
			tok_text(a, sizeof(a), t, len, &top->key);
			ret = err_off(c, prev.end,
				      "expected ',' or '}' after %s: %s", a, b);
		} else {
			ret = err_off(c, prev.end, "expected ',' or %s after %s",
				      top->obj ? "'}'" : "']'", b);
		}
	} else if (!strncmp(msg, "string or '}' expected", 22)) {
		tok_text(b, sizeof(b), t, len, &cur);
		if (prev.type == TOK_COMMA && cur.type == TOK_RBRACE)
			ret = err_off(c, prev.off,
				      "trailing ',' before '}'; JSON does not allow it");
		else
			ret = err_off(c, cur.off,
				      "expected a key in double quotes%s, got %s",
				      prev.type == TOK_LBRACE ? " or '}'" : "",
				      b);
	} else if (!strncmp(msg, "':' expected", 12)) {
		tok_text(a, sizeof(a), t, len, &prev);
		tok_text(b, sizeof(b), t, len, &cur);
		ret = err_off(c, cur.off, "expected ':' after %s, got %s", a, b);
	} else if (!strncmp(msg, "unexpected token", 16)) {
		tok_text(b, sizeof(b), t, len, &cur);
		if (prev.type == TOK_COMMA && cur.type == TOK_RBRACKET)
			ret = err_off(c, prev.off,
				      "trailing ',' before ']'; JSON does not allow it");
		else
			ret = err_off(c, cur.off, "expected a value, got %s", b);
	} else if (!strncmp(msg, "invalid token", 13)) {
		tok_text(b, sizeof(b), t, len, &cur);
		if (top && top->obj && top->expect_key)
			ret = err_off(c, cur.off,
				      "expected a key in double quotes, got %s",
				      b);
		else
			ret = err_off(c, cur.off,
				      "invalid value %s; expected a string in double quotes, a number, true, false or null",
				      b);
	} else if (!strncmp(msg, "end of file expected", 20)) {
		tok_text(b, sizeof(b), t, len, &cur);
		ret = err_off(c, cur.off,
			      "unexpected %s after the end of the top-level value",
			      b);
	} else if (!strncmp(msg, "real number overflow", 20)) {
		tok_text(b, sizeof(b), t, len, &cur);
		ret = err_off(c, cur.off, "number %s is too large", b);
	} else if (!strncmp(msg, "unexpected newline", 18)) {
		ret = err_off(c, cur.off,
			      "unterminated string (a string cannot span lines)");
	} else if (json_error_code(je) == json_error_invalid_utf8) {
		size_t at = pos < len ? pos : cur.off;

		ret = err_off(c, at, "invalid UTF-8 (byte 0x%02x)",
			      (unsigned char)t[at]);
	} else {
		ret = err_off(c, cur.end > cur.off ? cur.off : pos, "%s", clean);
	}
	free(st);
	return ret;
nomem:
	free(st);
	return -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	default: return "null";
	}
}

/* "a string" or the string itself in quotes, for "..., got X" */
static const char *got(char *buf, size_t size, const json_t *v)
{
	char s[80];

	if (!json_is_string(v))
		return type_name(v);
	snprintf(buf, size, "\"%s\"", SHOW(s, json_string_value(v)));
	return buf;
}

/*
 * The number at parent/key as written: *out its value if it is a whole
 * non-negative number (saturating at UINT64_MAX). Returns false for
 * fractions, exponents and negatives. lexeme gets a printable copy.
 */
static bool number_text(struct ctx *c, const char *path, uint64_t *out,
			char *lexeme, size_t size)
{
	const struct eipfix_jpos *e = eipfix_jindex_find(&c->ix, path);
	uint64_t v = 0;
	bool whole = true;

	if (!e) {
		snprintf(lexeme, size, "?");
		return false;
	}
	excerpt(lexeme, size, c->text + e->val_off, e->val_end - e->val_off,
		32);
	for (size_t i = e->val_off; i < e->val_end; i++) {
		char ch = c->text[i];

		if (!isdigit((unsigned char)ch)) {
			whole = false;
			break;
		}
		if (v > (UINT64_MAX - 9) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + (uint64_t)(ch - '0');
	}
	*out = v;
	return whole;
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

static int unknown_key(struct ctx *c, const char *parent, const char *where,
		       const char *key, const char *const *known, size_t n)
{
	const char *best = NULL;
	unsigned int bestd = 3;		/* suggest at distance <= 2 */
	char s[80], list[256] = "";

	for (size_t i = 0; i < n; i++) {
		unsigned int d = distance(key, known[i]);

		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
	}
	if (best)
		return ERR_KEY(c, parent, key,
			       "unknown key \"%s\" in %s; did you mean \"%s\"?",
			       SHOW(s, key), where, best);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", known[i]);
	}
	return ERR_KEY(c, parent, key, "unknown key \"%s\" in %s; expected %s",
		       SHOW(s, key), where, list);
}

/* An enum given by name: "Both", "Allow", "Tcp"... */
static int parse_name(struct ctx *c, const char *parent, const char *key,
		      const json_t *v, const char *const *names, size_t n,
		      uint8_t *out)
{
	char list[128] = "", g[96];

	if (json_is_string(v))
		for (size_t i = 0; i < n; i++)
			if (!strcmp(json_string_value(v), names[i])) {
				*out = (uint8_t)i;
				return 0;
			}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s\"%s\"",
			 i ? (i + 1 == n ? " or " : ", ") : "", names[i]);
	}
	return ERR_VAL(c, parent, key, "%s must be %s, got %s", key, list,
		       got(g, sizeof(g), v));
}

static int parse_u32(struct ctx *c, const char *parent,
		     const struct num_key *nk, const json_t *v,
		     struct eipfix_profile *p)
{
	char *path, lexeme[40];
	uint64_t n;
	bool whole;

	if (!json_is_number(v))
		return ERR_VAL(c, parent, nk->name, "%s must be a number%s, got %s",
			       nk->name, nk->unit, type_name(v));
	path = path_join(parent, nk->name, 0);
	if (!path)
		return -ENOMEM;
	whole = number_text(c, path, &n, lexeme, sizeof(lexeme));
	free(path);
	if (!whole || n < nk->min || n > nk->max)
		return ERR_VAL(c, parent, nk->name,
			       "%s must be a whole number from %llu to %llu%s, got %s",
			       nk->name, (unsigned long long)nk->min,
			       (unsigned long long)nk->max, nk->unit, lexeme);
	*(uint32_t *)((char *)p + nk->field) = (uint32_t)n;
	return 0;
}

#define FM "/FlowMetadata"
#define INTERVAL_STEP 60000u
#define INTERVAL_MAX (UINT32_MAX / INTERVAL_STEP * INTERVAL_STEP)

/*
 * Enclave's page says Interval "should" be 0 or a multiple of 60000, and
 * the kernel ticks once a minute: another whole number of milliseconds is
 * rounded up to the next whole minute, with a warning that names it, rather
 * than refusing a profile Enclave accepts.
 */
static int parse_interval(struct ctx *c, const json_t *v,
			  struct eipfix_profile *p)
{
	char lexeme[40];
	uint64_t n, up;
	bool whole;

	if (!json_is_number(v))
		return ERR_VAL(c, FM, "Interval",
			       "Interval must be a number (milliseconds), got %s",
			       type_name(v));
	whole = number_text(c, FM "/Interval", &n, lexeme, sizeof(lexeme));
	if (!whole)
		return ERR_VAL(c, FM, "Interval",
			       "Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got %s",
			       lexeme);
	up = n > INTERVAL_MAX ? n : (n + INTERVAL_STEP - 1) / INTERVAL_STEP *
				    INTERVAL_STEP;
	if (up > INTERVAL_MAX)
		return ERR_VAL(c, FM, "Interval",
			       "Interval must be at most %u (milliseconds), got %s",
			       INTERVAL_MAX, lexeme);
	if (up != n)
		warn_off(c, p, locate(c, FM, "Interval", 0, AT_VALUE),
			 "Interval %s is not a multiple of 60000 (milliseconds); using %llu, the next whole minute",
			 lexeme, (unsigned long long)up);
	p->interval_ms = (uint32_t)up;
	return 0;
}

static int parse_collectors(struct ctx *c, const json_t *v,
			    struct eipfix_profile *p)
{
	const char *arr = FM "/IpFixCollectors";
	size_t n = json_array_size(v), i;
	char msg[512];
	json_t *e;

	if (!json_is_array(v))
		return ERR_VAL(c, FM, "IpFixCollectors",
			       "IpFixCollectors must be an array of strings, got %s",
			       type_name(v));
	if (n > EIPFIX_MAX_COLLECTORS)
		return ERR_ELEM(c, arr, EIPFIX_MAX_COLLECTORS,
				"IpFixCollectors has %zu entries; at most %d are allowed",
				n, EIPFIX_MAX_COLLECTORS);
	free(p->collectors);
	p->n_collectors = 0;
	p->collectors = n ? calloc(n, sizeof(*p->collectors)) : NULL;
	if (n && !p->collectors)
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		struct eipfix_collector *col = &p->collectors[i];

		if (!json_is_string(e))
			return ERR_ELEM(c, arr, i,
					"IpFixCollectors entries must be strings, got %s",
					type_name(e));
		if (eipfix_collector_parse(json_string_value(e), col, msg,
					   sizeof(msg)))
			return ERR_ELEM(c, arr, i, "%s", msg);
		for (size_t j = 0; j < i; j++) {
			unsigned int l, cl;

			if (!eipfix_collector_same(&p->collectors[j], col))
				continue;
			eipfix_text_linecol(c->text, c->len,
					    locate(c, arr, NULL, j, AT_VALUE),
					    &l, &cl);
			return ERR_ELEM(c, arr, i,
					"collector \"%s\" is the same as \"%s\" at %u:%u",
					col->text, p->collectors[j].text, l, cl);
		}
		p->n_collectors++;
	}
	return 0;
}

static int parse_interfaces(struct ctx *c, const json_t *v,
			    struct eipfix_profile *p)
{
	const char *arr = FM "/Interfaces";
	size_t n = json_array_size(v), i;
	char s[80];
	json_t *e;

	if (!json_is_array(v))
		return ERR_VAL(c, FM, "Interfaces",
			       "Interfaces must be an array of interface names, got %s",
			       type_name(v));
	if (n == 0)
		return ERR_VAL(c, FM, "Interfaces",
			       "Interfaces must list at least one interface");
	if (n > EIPFIX_MAX_INTERFACES)
		return ERR_ELEM(c, arr, EIPFIX_MAX_INTERFACES,
				"Interfaces has %zu entries; at most %d are allowed",
				n, EIPFIX_MAX_INTERFACES);
	free(p->interfaces);
	p->n_interfaces = 0;
	p->interfaces = calloc(n, sizeof(*p->interfaces));
	if (!p->interfaces)
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		const char *name;
		size_t len;

		if (!json_is_string(e))
			return ERR_ELEM(c, arr, i,
					"Interfaces entries must be strings, got %s",
					type_name(e));
		name = json_string_value(e);
		len = strlen(name);
		if (len == 0)
			return ERR_ELEM(c, arr, i,
					"interface name must not be empty");
		if (len >= EIPFIX_IFNAMSIZ)
			return ERR_ELEM(c, arr, i,
					"interface name \"%s\" is too long (%zu bytes, at most %d)",
					SHOW(s, name), len, EIPFIX_IFNAMSIZ - 1);
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			return ERR_ELEM(c, arr, i,
					"interface name \"%s\" is not valid", name);
		for (const char *q = name; *q; q++)
			if (*q == '/' || *q == ':' ||
			    isspace((unsigned char)*q) ||
			    iscntrl((unsigned char)*q))
				return ERR_ELEM(c, arr, i,
						"interface name \"%s\" must not contain '/', ':' or whitespace",
						SHOW(s, name));
		for (size_t j = 0; j < i; j++) {
			unsigned int l, cl;

			if (strcmp(p->interfaces[j], name))
				continue;
			eipfix_text_linecol(c->text, c->len,
					    locate(c, arr, NULL, j, AT_VALUE),
					    &l, &cl);
			return ERR_ELEM(c, arr, i,
					"interface \"%s\" is listed twice; first at %u:%u",
					name, l, cl);
		}
		memcpy(p->interfaces[i], name, len + 1);
		p->n_interfaces++;
	}
	return 0;
}

static const char *const flow_keys[] = {
	"IpFixCollectors", "Direction", "Interval", "Enabled", "Interfaces",
	"IdleTimeout", "ObservationDomainId", "TemplateRefresh",
	"MessageSize", "MaxFlows",
};

static int parse_flow_metadata(struct ctx *c, const json_t *fm,
			       struct eipfix_profile *p)
{
	const char *key;
	json_t *v;
	int ret;

	if (!json_is_object(fm))
		return ERR_VAL(c, "", "FlowMetadata",
			       "FlowMetadata must be an object, got %s",
			       type_name(fm));
	json_object_foreach((json_t *)fm, key, v) {
		size_t i;

		if (!strcmp(key, "IpFixCollectors")) {
			ret = parse_collectors(c, v, p);
		} else if (!strcmp(key, "Direction")) {
			ret = parse_name(c, FM, key, v, direction_names,
					 ARRAY_SIZE(direction_names),
					 &p->direction);
		} else if (!strcmp(key, "Interval")) {
			ret = parse_interval(c, v, p);
		} else if (!strcmp(key, "Enabled")) {
			if (!json_is_boolean(v))
				return ERR_VAL(c, FM, key,
					       "Enabled must be true or false, got %s",
					       type_name(v));
			p->enabled = json_is_true(v);
			ret = 0;
		} else if (!strcmp(key, "Interfaces")) {
			ret = parse_interfaces(c, v, p);
		} else {
			for (i = 0; i < ARRAY_SIZE(flow_numbers); i++)
				if (!strcmp(key, flow_numbers[i].name))
					break;
			if (i == ARRAY_SIZE(flow_numbers))
				return unknown_key(c, FM, "FlowMetadata", key,
						   flow_keys,
						   ARRAY_SIZE(flow_keys));
			ret = parse_u32(c, FM, &flow_numbers[i], v, p);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* AccessControl                                                       */

#define AC "/AccessControl"

static int parse_peer(struct ctx *c, const char *rp, const json_t *v,
		      struct eipfix_acl_rule *r)
{
	char addr[64], s[80], masked[INET6_ADDRSTRLEN];
	const char *str, *slash;
	unsigned int max, plen;
	uint8_t bytes[16];
	size_t alen;
	int fam;

	if (!json_is_string(v))
		return ERR_VAL(c, rp, "Peer",
			       "Peer must be an IPv4 or IPv6 address or CIDR, got %s",
			       type_name(v));
	str = json_string_value(v);
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
	plen = max;
	if (slash) {
		const char *q = slash + 1;

		plen = 0;
		if (!*q || strlen(q) > 3)
			plen = 999;
		for (; *q && plen <= max; q++)
			plen = isdigit((unsigned char)*q) ?
			       plen * 10 + (unsigned int)(*q - '0') : 999;
		if (plen > max)
			return ERR_VAL(c, rp, "Peer",
				       "Peer \"%s\": prefix length must be 0 to %u",
				       SHOW(s, str), max);
	}
	for (unsigned int bit = plen; bit < max; bit++) {
		if (!(bytes[bit / 8] & (0x80 >> (bit % 8))))
			continue;
		for (unsigned int b = plen; b < max; b++)
			bytes[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		inet_ntop(fam, bytes, masked, sizeof(masked));
		return ERR_VAL(c, rp, "Peer",
			       "Peer \"%s\" has host bits set; did you mean \"%s/%u\"?",
			       SHOW(s, str), masked, plen);
	}
	r->family = (uint8_t)fam;
	r->prefix_len = (uint8_t)plen;
	memset(r->peer, 0, sizeof(r->peer));
	memcpy(r->peer, bytes, fam == AF_INET ? 4 : 16);
	return 0;
bad:
	return ERR_VAL(c, rp, "Peer",
		       "Peer \"%s\" is not an IPv4 or IPv6 address or CIDR",
		       SHOW(s, str));
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

static int parse_ports(struct ctx *c, const char *rp, const json_t *v,
		       struct eipfix_acl_rule *r)
{
	const char *str, *q;
	char s[80], item[40];
	size_t n = 1;

	if (!json_is_string(v))
		return ERR_VAL(c, rp, "Ports",
			       "Ports must be a string such as \"22,443,8000-8100\", got %s",
			       type_name(v));
	str = json_string_value(v);
	if (!*str)
		return ERR_VAL(c, rp, "Ports",
			       "Ports must not be empty; leave it out to match any port");
	for (q = str; *q; q++)
		n += *q == ',';
	free(r->ports);
	r->n_ports = 0;
	r->ports = calloc(n, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;

	for (q = str;; q++) {
		const char *end = strchr(q, ','), *dash;
		unsigned long first, last;
		size_t len;

		if (!end)
			end = q + strlen(q);
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		len = (size_t)(end - q);
		while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
			len--;
		if (len == 0)
			return ERR_VAL(c, rp, "Ports",
				       "Ports \"%s\" has an empty entry",
				       SHOW(s, str));
		excerpt(item, sizeof(item), q, len, 32);
		dash = memchr(q, '-', len);
		if (port_number(q, dash ? (size_t)(dash - q) : len, &first) ||
		    (dash && port_number(dash + 1, len - (size_t)(dash - q) - 1,
					 &last)))
			return ERR_VAL(c, rp, "Ports",
				       "Ports \"%s\": \"%s\" is not a port or a range FIRST-LAST",
				       SHOW(s, str), item);
		if (!dash)
			last = first;
		if (first < 1 || first > 65535 || last < 1 || last > 65535)
			return ERR_VAL(c, rp, "Ports",
				       "Ports \"%s\": port %lu is not in 1 to 65535",
				       SHOW(s, str),
				       first < 1 || first > 65535 ? first : last);
		if (first > last)
			return ERR_VAL(c, rp, "Ports",
				       "Ports \"%s\": range %s has first > last",
				       SHOW(s, str), item);
		r->ports[r->n_ports].first = (uint16_t)first;
		r->ports[r->n_ports].last = (uint16_t)last;
		r->n_ports++;
		if (!*end)
			break;
		q = end;
	}
	return 0;
}

static const char *const rule_keys[] = {
	"Action", "Direction", "Peer", "Protocol", "Ports", "Description",
};

static int parse_rule(struct ctx *c, const char *rp, size_t idx,
		      const json_t *o, struct eipfix_acl_rule *r)
{
	bool have_action = false;
	char where[32];
	const char *key;
	json_t *v;
	int ret = 0;

	snprintf(where, sizeof(where), "rule %zu", idx + 1);
	if (!json_is_object(o))
		return err_off(c, locate_path(c, rp),
			       "rule %zu must be an object, got %s", idx + 1,
			       type_name(o));
	r->action = EIPFIX_ACL_ALLOW;
	r->direction = EIPFIX_DIR_BOTH;
	r->protocol = EIPFIX_ACL_PROTO_ANY;
	json_object_foreach((json_t *)o, key, v) {
		if (!strcmp(key, "Action")) {
			ret = parse_name(c, rp, key, v, action_names,
					 ARRAY_SIZE(action_names), &r->action);
			have_action = true;
		} else if (!strcmp(key, "Direction")) {
			ret = parse_name(c, rp, key, v, direction_names,
					 ARRAY_SIZE(direction_names),
					 &r->direction);
		} else if (!strcmp(key, "Peer")) {
			ret = parse_peer(c, rp, v, r);
		} else if (!strcmp(key, "Protocol")) {
			ret = parse_name(c, rp, key, v, proto_names,
					 ARRAY_SIZE(proto_names), &r->protocol);
		} else if (!strcmp(key, "Ports")) {
			ret = parse_ports(c, rp, v, r);
		} else if (!strcmp(key, "Description")) {
			size_t len;

			if (!json_is_string(v))
				return ERR_VAL(c, rp, key,
					       "Description must be a string, got %s",
					       type_name(v));
			len = strlen(json_string_value(v));
			if (len > EIPFIX_DESCRIPTION_MAX)
				return ERR_VAL(c, rp, key,
					       "Description is %zu bytes long; at most %d are allowed",
					       len, EIPFIX_DESCRIPTION_MAX);
			memcpy(r->description, json_string_value(v), len + 1);
		} else {
			return unknown_key(c, rp, where, key, rule_keys,
					   ARRAY_SIZE(rule_keys));
		}
		if (ret)
			return ret;
	}
	if (!have_action)
		return err_off(c, locate_path(c, rp),
			       "rule %zu has no \"Action\"; expected \"Action\": \"Allow\" or \"Deny\"",
			       idx + 1);
	if (r->ports && r->protocol != EIPFIX_ACL_PROTO_TCP &&
	    r->protocol != EIPFIX_ACL_PROTO_UDP)
		return ERR_VAL(c, rp, "Ports",
			       "Ports requires \"Protocol\": \"Tcp\" or \"Udp\" in the same rule");
	return 0;
}

static int parse_rules(struct ctx *c, const json_t *v,
		       struct eipfix_profile *p)
{
	const char *arr = AC "/Rules";
	size_t n = json_array_size(v), i;
	json_t *e;
	int ret;

	if (!json_is_array(v))
		return ERR_VAL(c, AC, "Rules",
			       "Rules must be an array of rule objects, got %s",
			       type_name(v));
	if (n > EIPFIX_MAX_RULES)
		return ERR_ELEM(c, arr, EIPFIX_MAX_RULES,
				"Rules has %zu entries; at most %d are allowed",
				n, EIPFIX_MAX_RULES);
	for (i = 0; i < p->n_rules; i++)
		free(p->rules[i].ports);
	free(p->rules);
	p->n_rules = 0;
	p->rules = n ? calloc(n, sizeof(*p->rules)) : NULL;
	if (n && !p->rules)
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		char rp[64];

		snprintf(rp, sizeof(rp), "%s/%zu", arr, i);
		p->n_rules++;	/* so that eipfix_profile_free frees ports */
		ret = parse_rule(c, rp, i, e, &p->rules[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const char *const acl_keys[] = { "Default", "Rules" };

static int parse_access_control(struct ctx *c, const json_t *ac,
				struct eipfix_profile *p)
{
	const char *key;
	json_t *v;
	int ret;

	if (!json_is_object(ac))
		return ERR_VAL(c, "", "AccessControl",
			       "AccessControl must be an object, got %s",
			       type_name(ac));
	json_object_foreach((json_t *)ac, key, v) {
		if (!strcmp(key, "Default"))
			ret = parse_name(c, AC, key, v, action_names,
					 ARRAY_SIZE(action_names),
					 &p->acl_default);
		else if (!strcmp(key, "Rules"))
			ret = parse_rules(c, v, p);
		else
			return unknown_key(c, AC, "AccessControl", key,
					   acl_keys, ARRAY_SIZE(acl_keys));
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The profile                                                         */

static bool ours(const char *path)
{
	static const char *const roots[] = { FM, AC };

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t n = strlen(roots[i]);

		if (!strncmp(path, roots[i], n) &&
		    (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/* " in FlowMetadata", " in AccessControl", " in rule N" or "" */
static void object_name(char *buf, size_t size, const char *path, size_t plen)
{
	const char *rules = AC "/Rules/";
	size_t rl = strlen(rules), i;
	unsigned long n = 0;

	buf[0] = '\0';
	if (plen == strlen(FM) && !strncmp(path, FM, plen)) {
		snprintf(buf, size, " in FlowMetadata");
	} else if (plen == strlen(AC) && !strncmp(path, AC, plen)) {
		snprintf(buf, size, " in AccessControl");
	} else if (plen > rl && !strncmp(path, rules, rl)) {
		for (i = rl; i < plen && isdigit((unsigned char)path[i]); i++)
			n = n * 10 + (unsigned long)(path[i] - '0');
		if (i == plen && n < EIPFIX_MAX_RULES)
			snprintf(buf, size, " in rule %lu", n + 1);
	}
}

/*
 * Duplicate keys in our objects (and of "FlowMetadata"/"AccessControl"
 * themselves): the repetition that comes first in the text is reported.
 * Duplicates elsewhere are Enclave's business.
 */
static int check_duplicates(struct ctx *c)
{
	const struct eipfix_jindex *ix = &c->ix;
	const struct eipfix_jpos *dup = NULL, *first;
	unsigned int l, col;
	char where[64], key[80];
	struct tok k;

	for (size_t i = 1; i < ix->n; i++) {
		const struct eipfix_jpos *a = &ix->v[ix->by_path[i - 1]];
		const struct eipfix_jpos *b = &ix->v[ix->by_path[i]];

		if (b->key_off == SIZE_MAX || strcmp(a->path, b->path) ||
		    !ours(b->path))
			continue;
		if (!dup || b->key_off < dup->key_off)
			dup = b;
	}
	if (!dup)
		return 0;
	first = eipfix_jindex_find(ix, dup->path);
	object_name(where, sizeof(where), dup->path,
		    (size_t)(strrchr(dup->path, '/') - dup->path));
	k = lex(c->text, c->len, dup->key_off);
	excerpt(key, sizeof(key), c->text + k.off + 1, k.end - k.off - 2, 64);
	eipfix_text_linecol(c->text, c->len, first->key_off, &l, &col);
	return err_off(c, dup->key_off,
		       "duplicate key \"%s\"%s (first at %u:%u)", key, where,
		       l, col);
}

static int resolve_all(struct ctx *c, struct eipfix_profile *p)
{
	char msg[512];
	int ret;

	for (unsigned int i = 0; i < p->n_collectors; i++) {
		ret = eipfix_collector_resolve(&p->collectors[i], msg,
					       sizeof(msg));
		if (ret) {
			err_off(c, locate(c, FM "/IpFixCollectors", NULL, i,
					  AT_VALUE), "%s", msg);
			return ret;
		}
	}
	return 0;
}

static bool blank(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_ws(t[i]))
			return false;
	return true;
}

int eipfix_profile_parse_flags(const char *text, size_t len,
			       const char *filename, unsigned int flags,
			       struct eipfix_profile *p, char *err,
			       size_t errlen)
{
	struct ctx c = {
		.text = text, .len = len, .file = filename ? filename : "profile",
		.err = err, .errlen = errlen,
	};
	struct eipfix_profile n;
	json_error_t je;
	json_t *root = NULL, *v;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	eipfix_profile_init(&n);
	if (!n.n_interfaces) {
		ret = -ENOMEM;
		goto out;
	}
	/* a UTF-8 byte order mark, as Windows editors write */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		c.text += 3;
		c.len -= 3;
	}
	if (blank(c.text, c.len)) {
		ret = err_off(&c, 0, "the profile is empty; expected a JSON object");
		goto out;
	}

	root = json_loadb(c.text, c.len,
			  JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
	if (!root) {
		ret = json_error_code(&je) == json_error_out_of_memory ?
		      -ENOMEM : syntax_error(&c, &je);
		goto out;
	}
	ret = eipfix_jindex_build(&c.ix, c.text, c.len);
	if (ret) {
		/* jansson accepted what the scanner did not: report, don't crash */
		if (ret != -ENOMEM)
			err_off(&c, 0, "internal error: cannot index this JSON");
		goto out;
	}
	if (!json_is_object(root)) {
		ret = err_off(&c, locate_path(&c, ""),
			      "the profile must be a JSON object, got %s",
			      type_name(root));
		goto out;
	}
	ret = check_duplicates(&c);
	if (ret)
		goto out;

	v = json_object_get(root, "FlowMetadata");
	if (v) {
		ret = parse_flow_metadata(&c, v, &n);
		if (ret)
			goto out;
	}
	if (!v || !json_object_get(v, "ObservationDomainId"))
		n.observation_domain = eipfix_default_odid();
	v = json_object_get(root, "AccessControl");
	if (v) {
		ret = parse_access_control(&c, v, &n);
		if (ret)
			goto out;
	}
	if (flags & EIPFIX_PROFILE_RESOLVE) {
		ret = resolve_all(&c, &n);
		if (ret)
			goto out;
	}
	*p = n;
	memset(&n, 0, sizeof(n));
out:
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", c.file);
	eipfix_profile_free(&n);
	eipfix_jindex_free(&c.ix);
	json_decref(root);
	return ret;
}

int eipfix_profile_parse(const char *text, size_t len, const char *filename,
			 struct eipfix_profile *p, char *err, size_t errlen)
{
	return eipfix_profile_parse_flags(text, len, filename, 0, p, err,
					  errlen);
}

int eipfix_profile_load_flags(const char *path, unsigned int flags,
			      struct eipfix_profile *p, char *err,
			      size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(-ret));
		return ret;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap >= EIPFIX_PROFILE_MAX_SIZE) {
				snprintf(err, errlen,
					 "%s: the file is larger than %u bytes",
					 path, EIPFIX_PROFILE_MAX_SIZE);
				ret = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(-ret));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	ret = eipfix_profile_parse_flags(buf, len, path, flags, p, err,
					 errlen);
out:
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
