// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader of the profile (json.h): a lexer and a recursive-descent
 * parser that keep the offset of every token.
 *
 * Why our own and not a library's: an operator's first contact with the
 * profile is an error message, and DESIGN.md §4 asks that every one name
 * the line and column and what was expected there (the missing ',' after
 * "Direction": "Both" in Enclave's own example). The libraries Debian
 * ships either keep no positions of values (jansson, json-c) or word their
 * errors in text we would have to match (yajl); both made us re-read the
 * file with a second parser. Here the grammar that meets an error words
 * it, and the tree it builds answers "where" for every value.
 *
 * Tokens are cut as RFC 8259 reads them: "600-0" is two numbers, "true1"
 * a word and a number. Strings are checked and decoded while lexed (UTF-8,
 * escapes, surrogate pairs); "\u0000" is refused, as the profile's strings
 * become C strings.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

enum tok_type {
	T_EOF,
	T_LBRACE = '{',
	T_RBRACE = '}',
	T_LBRACKET = '[',
	T_RBRACKET = ']',
	T_COLON = ':',
	T_COMMA = ',',
	T_STRING = 's',		/* a closed string, decoded */
	T_NUMBER = 'n',
	T_WORD = 'w',		/* true, false, null */
	T_JUNK = 'j',		/* anything else that is not an error */
};

struct tok {
	enum tok_type type;
	size_t off, end;		/* [off, end) */
	const char *str;		/* T_STRING: decoded, in the arena */
	enum eipfix_json_type word;	/* T_WORD */
};

struct eipfix_json_block {
	struct eipfix_json_block *next;
	size_t used, cap;
	struct eipfix_json v[];
};

struct reader {
	const char *t;
	size_t len, pos;
	struct tok cur, prev;
	struct eipfix_json_doc *doc;
	char *sp;			/* the string arena's free end */
	const struct eipfix_json *open;	/* the innermost open container */
	size_t depth;
	size_t *err_off;
	char *msg;
	size_t msglen;
};

/* ------------------------------------------------------------------ */
/* Positions and excerpts                                              */

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

const char *eipfix_excerpt(char *buf, size_t size, const char *s, size_t n,
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

static int fail(struct reader *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records the error; the first one is the one reported. */
static int fail(struct reader *r, size_t off, const char *fmt, ...)
{
	va_list ap;

	*r->err_off = off;
	va_start(ap, fmt);
	vsnprintf(r->msg, r->msglen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

/* The length of the UTF-8 sequence at s (RFC 3629), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		k = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

static char *put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* The four hex digits after "\u" at t[i], or -1. */
static long hex4(const struct reader *r, size_t i)
{
	long v = 0;

	if (r->len - i < 6 || r->t[i] != '\\' || r->t[i + 1] != 'u')
		return -1;
	for (size_t j = i + 2; j < i + 6; j++) {
		int c = (unsigned char)r->t[j];

		if (!isxdigit(c))
			return -1;
		v = v * 16 + (isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	return v;
}

/* A "\uXXXX" escape (or a surrogate pair) at t[i]: its length, or 0. */
static size_t unescape_u(struct reader *r, size_t i, char **o)
{
	long cp = hex4(r, i), lo;

	if (cp < 0) {
		fail(r, i, "invalid escape in a string; \\u must be followed by four hex digits");
		return 0;
	}
	if (cp == 0) {
		fail(r, i, "\\u0000 is not allowed in a string");
		return 0;
	}
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		fail(r, i, "\\u%04lX is the second half of a UTF-16 surrogate pair without its first",
		     cp);
		return 0;
	}
	if (cp < 0xd800 || cp > 0xdbff) {
		*o = put_utf8(*o, (uint32_t)cp);
		return 6;
	}
	lo = hex4(r, i + 6);
	if (lo < 0xdc00 || lo > 0xdfff) {
		fail(r, i, "\\u%04lX is the first half of a UTF-16 surrogate pair without its second",
		     cp);
		return 0;
	}
	*o = put_utf8(*o, (uint32_t)(0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00)));
	return 12;
}

/* The escape at t[i] ('\\') decoded into *o: its length, or 0. */
static size_t unescape(struct reader *r, size_t i, char **o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *q;
	unsigned char e;

	if (i + 1 >= r->len)
		return 0;	/* unterminated: the caller says so */
	e = (unsigned char)r->t[i + 1];
	if (e == 'u')
		return unescape_u(r, i, o);
	q = e ? strchr(from, e) : NULL;
	if (q) {
		*(*o)++ = to[q - from];
		return 2;
	}
	if (e > 0x20 && e < 0x7f)
		fail(r, i, "invalid escape \\%c in a string; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
		     e);
	else
		fail(r, i, "invalid escape in a string (byte 0x%02x after '\\')", e);
	return 0;
}

/* A string token: checked, and decoded into the string arena. */
static int lex_string(struct reader *r, struct tok *k)
{
	const unsigned char *t = (const unsigned char *)r->t;
	size_t i = k->off + 1, n;
	char *o = r->sp;

	k->str = o;
	while (i < r->len) {
		if (t[i] == '"') {
			*o++ = '\0';
			r->sp = o;
			k->end = i + 1;
			k->type = T_STRING;
			return 0;
		}
		if (t[i] == '\n')
			return fail(r, k->off, "unterminated string (a string cannot span lines)");
		if (t[i] < 0x20)
			return fail(r, i, "control character 0x%02x in a string; write it as \\u%04x",
				    t[i], t[i]);
		if (t[i] == '\\') {
			n = unescape(r, i, &o);
			if (!n)
				break;
		} else {
			n = utf8_seq(t + i, r->len - i);
			if (!n)
				return fail(r, i, "invalid UTF-8 (byte 0x%02x)",
					    t[i]);
			memcpy(o, t + i, n);
			o += n;
		}
		i += n;
	}
	if (*r->msg)
		return -EINVAL;		/* a bad escape */
	return fail(r, k->off, "unterminated string");
}

static size_t digits_end(const struct reader *r, size_t i)
{
	while (i < r->len && isdigit((unsigned char)r->t[i]))
		i++;
	return i;
}

/* The end of the RFC 8259 number at off, or 0 if it is malformed. */
static size_t number_end(const struct reader *r, size_t i)
{
	const char *t = r->t;

	if (t[i] == '-')
		i++;
	if (i < r->len && t[i] == '0') {
		if (++i < r->len && isdigit((unsigned char)t[i]))
			return 0;	/* a leading zero */
	} else if (i < r->len && isdigit((unsigned char)t[i])) {
		i = digits_end(r, i);
	} else {
		return 0;
	}
	if (i < r->len && t[i] == '.') {
		if (i + 1 >= r->len || !isdigit((unsigned char)t[i + 1]))
			return 0;
		i = digits_end(r, i + 1);
	}
	if (i < r->len && (t[i] == 'e' || t[i] == 'E')) {
		if (++i < r->len && (t[i] == '+' || t[i] == '-'))
			i++;
		if (i >= r->len || !isdigit((unsigned char)t[i]))
			return 0;
		i = digits_end(r, i);
	}
	return i;
}

/* Whether the number t[off..end) is beyond a double (as 1e999 is). */
static int number_overflows(const char *s, size_t n, bool *over)
{
	char small[64], *copy = n < sizeof(small) ? small : malloc(n + 1);
	double d;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, n);
	copy[n] = '\0';
	errno = 0;
	d = strtod(copy, NULL);	/* userctl never calls setlocale(): '.' */
	*over = errno == ERANGE && isinf(d);
	if (copy != small)
		free(copy);
	return 0;
}

static int lex_number(struct reader *r, struct tok *k)
{
	char b[64];
	bool over;
	size_t end = number_end(r, k->off);

	if (!end) {	/* malformed: shown whole in the message */
		end = k->off + 1;
		while (end < r->len && (isalnum((unsigned char)r->t[end]) ||
					r->t[end] == '.' || r->t[end] == '+' ||
					r->t[end] == '-'))
			end++;
		k->type = T_JUNK;
		k->end = end;
		return 0;
	}
	k->type = T_NUMBER;
	k->end = end;
	if (number_overflows(r->t + k->off, end - k->off, &over))
		return -ENOMEM;
	if (over)
		return fail(r, k->off, "number %s is too large",
			    eipfix_excerpt(b, sizeof(b), r->t + k->off,
					   end - k->off, 48));
	return 0;
}

static void lex_word(struct reader *r, struct tok *k)
{
	static const char *const words[] = { "null", "false", "true" };
	size_t i = k->off, n;

	while (i < r->len && isalpha((unsigned char)r->t[i]))
		i++;
	k->end = i;
	k->type = T_JUNK;
	n = i - k->off;
	for (size_t w = 0; w < 3; w++)
		if (strlen(words[w]) == n && !memcmp(r->t + k->off, words[w], n)) {
			k->type = T_WORD;
			k->word = (enum eipfix_json_type)w;
		}
}

/* The next token into r->cur (the one before it into r->prev). */
static int lex(struct reader *r)
{
	const unsigned char *t = (const unsigned char *)r->t;
	struct tok *k = &r->cur;
	size_t i = r->pos, n;
	int ret = 0;

	r->prev = *k;
	while (i < r->len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' ||
			      t[i] == '\r'))
		i++;
	memset(k, 0, sizeof(*k));
	k->off = k->end = i;
	if (i >= r->len) {
		k->type = T_EOF;
	} else if (t[i] && strchr("{}[]:,", t[i])) {
		k->type = (enum tok_type)t[i];
		k->end = i + 1;
	} else if (t[i] == '"') {
		ret = lex_string(r, k);
	} else if (t[i] == '-' || isdigit(t[i])) {
		ret = lex_number(r, k);
	} else if (isalpha(t[i])) {
		lex_word(r, k);
	} else if (t[i] < 0x20 || t[i] == 0x7f) {
		return fail(r, i, "unexpected control character (byte 0x%02x)",
			    t[i]);
	} else {
		n = utf8_seq(t + i, r->len - i);
		if (!n)
			return fail(r, i, "invalid UTF-8 (byte 0x%02x)", t[i]);
		k->type = T_JUNK;
		k->end = i + n;
	}
	r->pos = k->end;
	return ret;
}

/* A token for messages: strings with their quotes, punctuation in '' */
static const char *tok_text(char *buf, size_t size, const struct reader *r,
			    const struct tok *k)
{
	size_t avail = r->len - k->off - 1;
	const char *t = r->t, *q;

	if (k->type == T_JUNK && t[k->off] == '\'' &&
	    (q = memchr(t + k->off + 1, '\'', avail < 46 ? avail : 46)) &&
	    !memchr(t + k->off, '\n', (size_t)(q - t) - k->off))
		/* a single-quoted string, shown whole */
		return eipfix_excerpt(buf, size, t + k->off,
				      (size_t)(q - t) - k->off + 1, 48);
	if (k->type == T_EOF)
		return "end of file";
	if (k->type != T_STRING && k->type != T_NUMBER &&
	    k->type != T_WORD && k->type != T_JUNK) {
		snprintf(buf, size, "'%c'", (char)k->type);
		return buf;
	}
	return eipfix_excerpt(buf, size, t + k->off, k->end - k->off, 48);
}

/* A value for messages: a scalar as written, or {...} / [...] */
static const char *value_text(char *buf, size_t size, const struct reader *r,
			      const struct eipfix_json *v)
{
	if (v->type == EIPFIX_JSON_OBJECT)
		return "{...}";
	if (v->type == EIPFIX_JSON_ARRAY)
		return "[...]";
	return eipfix_excerpt(buf, size, r->t + v->off, v->end - v->off, 48);
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */

static struct eipfix_json *new_node(struct reader *r)
{
	struct eipfix_json_block *b = r->doc->blocks;
	struct eipfix_json *v;

	if (!b || b->used == b->cap) {
		/* each block twice the last: a few dozen for any profile */
		size_t cap = b ? (b->cap < 65536 ? b->cap * 2 : b->cap) : 64;

		b = malloc(sizeof(*b) + cap * sizeof(b->v[0]));
		if (!b)
			return NULL;
		b->next = r->doc->blocks;
		b->used = 0;
		b->cap = cap;
		r->doc->blocks = b;
	}
	v = &b->v[b->used++];
	memset(v, 0, sizeof(*v));
	v->key_off = SIZE_MAX;
	return v;
}

static int eof_error(struct reader *r)
{
	unsigned int l, c;

	if (!r->open)
		return fail(r, r->len, "unexpected end of file");
	eipfix_text_linecol(r->t, r->len, r->open->off, &l, &c);
	return fail(r, r->len,
		    "unexpected end of file; the %s opened at %u:%u is not closed",
		    r->open->type == EIPFIX_JSON_OBJECT ? "object" : "array",
		    l, c);
}

static int parse_value(struct reader *r, struct eipfix_json *v);

/* Appends a new child to container c; NULL if out of memory. */
static struct eipfix_json *add_child(struct reader *r, struct eipfix_json *c,
				     struct eipfix_json **tail)
{
	struct eipfix_json *v = new_node(r);

	if (!v)
		return NULL;
	if (*tail)
		(*tail)->next = v;
	else
		c->child = v;
	*tail = v;
	c->n++;
	return v;
}

/* After a member's value: ',' (and the next key), '}', or an error. */
static int after_member(struct reader *r, const struct tok *key,
			const struct eipfix_json *v)
{
	char a[64], b[64];
	int ret = lex(r);

	if (ret || r->cur.type == T_COMMA || r->cur.type == T_RBRACE)
		return ret;
	if (r->cur.type == T_EOF)
		return eof_error(r);
	return fail(r, v->end, "expected ',' or '}' after %s: %s",
		    tok_text(a, sizeof(a), r, key),
		    value_text(b, sizeof(b), r, v));
}

/* The key of a member, at r->cur, and the ':' after it. */
static int member_key(struct reader *r, struct tok *key)
{
	char a[64], b[64];
	int ret;

	if (r->cur.type == T_EOF)
		return eof_error(r);
	if (r->cur.type == T_RBRACE && r->prev.type == T_COMMA)
		return fail(r, r->prev.off,
			    "trailing ',' before '}'; JSON does not allow it");
	if (r->cur.type != T_STRING)
		return fail(r, r->cur.off,
			    "expected a key in double quotes%s, got %s",
			    r->prev.type == T_LBRACE ? " or '}'" : "",
			    tok_text(b, sizeof(b), r, &r->cur));
	*key = r->cur;
	ret = lex(r);
	if (ret || r->cur.type == T_COLON)
		return ret;
	if (r->cur.type == T_EOF)
		return eof_error(r);
	return fail(r, r->cur.off, "expected ':' after %s, got %s",
		    tok_text(a, sizeof(a), r, key),
		    tok_text(b, sizeof(b), r, &r->cur));
}

static int parse_object(struct reader *r, struct eipfix_json *o)
{
	struct eipfix_json *tail = NULL, *v;
	struct tok key;
	int ret = lex(r);

	o->type = EIPFIX_JSON_OBJECT;
	if (ret || r->cur.type == T_RBRACE)
		return ret;
	for (;;) {
		ret = member_key(r, &key);
		if (!ret)
			ret = lex(r);
		if (ret)
			return ret;
		v = add_child(r, o, &tail);
		if (!v)
			return -ENOMEM;
		v->key = key.str;
		v->key_off = key.off;
		ret = parse_value(r, v);
		if (!ret)
			ret = after_member(r, &key, v);
		if (ret || r->cur.type == T_RBRACE)
			return ret;
		ret = lex(r);		/* past the ',' */
		if (ret)
			return ret;
	}
}

static int parse_array(struct reader *r, struct eipfix_json *a)
{
	struct eipfix_json *tail = NULL, *v;
	char b[64];
	int ret = lex(r);

	a->type = EIPFIX_JSON_ARRAY;
	if (ret || r->cur.type == T_RBRACKET)
		return ret;
	for (;;) {
		v = add_child(r, a, &tail);
		if (!v)
			return -ENOMEM;
		ret = parse_value(r, v);
		if (!ret)
			ret = lex(r);
		if (ret || r->cur.type == T_RBRACKET)
			return ret;
		if (r->cur.type == T_EOF)
			return eof_error(r);
		if (r->cur.type != T_COMMA)
			return fail(r, v->end, "expected ',' or ']' after %s",
				    value_text(b, sizeof(b), r, v));
		ret = lex(r);
		if (ret)
			return ret;
	}
}

static int parse_container(struct reader *r, struct eipfix_json *v)
{
	const struct eipfix_json *outer = r->open;
	int ret;

	if (++r->depth > EIPFIX_JSON_MAX_DEPTH)
		return fail(r, r->cur.off,
			    "objects and arrays are nested more than %d deep",
			    EIPFIX_JSON_MAX_DEPTH);
	v->type = r->cur.type == T_LBRACE ? EIPFIX_JSON_OBJECT :
					    EIPFIX_JSON_ARRAY;
	r->open = v;
	ret = v->type == EIPFIX_JSON_OBJECT ? parse_object(r, v) :
					      parse_array(r, v);
	r->open = outer;
	r->depth--;
	v->end = r->cur.end;
	return ret;
}

/* The value that starts at r->cur; r->cur is its last token after. */
static int parse_value(struct reader *r, struct eipfix_json *v)
{
	struct tok *k = &r->cur;
	char b[64];

	v->off = k->off;
	v->end = k->end;
	switch (k->type) {
	case T_LBRACE:
	case T_LBRACKET:
		return parse_container(r, v);
	case T_STRING:
		v->type = EIPFIX_JSON_STRING;
		v->str = k->str;
		return 0;
	case T_NUMBER:
		v->type = EIPFIX_JSON_NUMBER;
		return 0;
	case T_WORD:
		v->type = k->word;
		return 0;
	case T_EOF:
		return eof_error(r);
	case T_JUNK:
		return fail(r, k->off,
			    "invalid value %s; expected a string in double quotes, a number, true, false or null",
			    tok_text(b, sizeof(b), r, k));
	default:
		if (k->type == T_RBRACKET && r->prev.type == T_COMMA)
			return fail(r, r->prev.off,
				    "trailing ',' before ']'; JSON does not allow it");
		return fail(r, k->off, "expected a value, got %s",
			    tok_text(b, sizeof(b), r, k));
	}
}

int eipfix_json_parse(struct eipfix_json_doc *doc, const char *text,
		      size_t len, size_t *err_off, char *msg, size_t msglen)
{
	struct reader r = {
		.t = text, .len = len, .doc = doc,
		.err_off = err_off, .msg = msg, .msglen = msglen,
	};
	struct eipfix_json *root;
	char b[64];
	int ret;

	memset(doc, 0, sizeof(*doc));
	msg[0] = '\0';
	/* a decoded string is shorter than its quoted text: len is enough */
	doc->strings = malloc(len + 1);
	root = doc->strings ? new_node(&r) : NULL;
	if (!root) {
		ret = -ENOMEM;
		goto out;
	}
	r.sp = doc->strings;
	ret = lex(&r);
	if (!ret)
		ret = parse_value(&r, root);
	if (!ret)
		ret = lex(&r);
	if (!ret && r.cur.type != T_EOF)
		ret = fail(&r, r.cur.off,
			   "unexpected %s after the end of the top-level value",
			   tok_text(b, sizeof(b), &r, &r.cur));
	doc->root = root;
out:
	if (ret)
		eipfix_json_free(doc);
	return ret;
}

void eipfix_json_free(struct eipfix_json_doc *doc)
{
	struct eipfix_json_block *b = doc->blocks, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc->strings);
	memset(doc, 0, sizeof(*doc));
}

const struct eipfix_json *eipfix_json_get(const struct eipfix_json *obj,
					  const char *key)
{
	const struct eipfix_json *v;

	if (!obj || obj->type != EIPFIX_JSON_OBJECT)
		return NULL;
	for (v = obj->child; v; v = v->next)
		if (!strcmp(v->key, key))
			return v;
	return NULL;
}

const struct eipfix_json *eipfix_json_at(const struct eipfix_json *v,
					 size_t i)
{
	const struct eipfix_json *e = v ? v->child : NULL;

	while (e && i--)
		e = e->next;
	return e;
}
