/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON reader of the profile: RFC 8259 text -> a tree whose every
 * value knows where it is written (and every member where its key is), so
 * that an error about a value can name its line and column. A syntax error
 * is found and worded here, by the grammar that met it.
 *
 * The whole tree lives in two arenas (nodes, decoded strings), freed at
 * once by eipfix_json_free(): a profile of 65,535 rules costs a few dozen
 * allocations, not one per value.
 */
#ifndef USERCTL_JSON_H
#define USERCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum eipfix_json_type {
	EIPFIX_JSON_NULL,
	EIPFIX_JSON_FALSE,
	EIPFIX_JSON_TRUE,
	EIPFIX_JSON_NUMBER,
	EIPFIX_JSON_STRING,
	EIPFIX_JSON_ARRAY,
	EIPFIX_JSON_OBJECT,
};

/* Nesting deeper than this is refused (the reader recurses). */
#define EIPFIX_JSON_MAX_DEPTH 2048

struct eipfix_json {
	enum eipfix_json_type type;
	size_t off, end;		/* the value's text: [off, end) */
	size_t key_off;			/* a member's key's '"'; else SIZE_MAX */
	const char *key;		/* a member's decoded key; else NULL */
	const char *str;		/* a string's decoded value */
	size_t n;			/* members or elements */
	struct eipfix_json *child;	/* the first of them, in text order */
	struct eipfix_json *next;	/* the next sibling */
};

struct eipfix_json_doc {
	struct eipfix_json *root;
	struct eipfix_json_block *blocks;	/* the node arena */
	char *strings;				/* the string arena */
};

/*
 * Reads text[0..len) (need not be NUL-terminated). Returns 0, -ENOMEM, or
 * -EINVAL with *err_off the offset of the error and msg its sentence
 * (without a position). On failure doc holds nothing.
 */
int eipfix_json_parse(struct eipfix_json_doc *doc, const char *text,
		      size_t len, size_t *err_off, char *msg, size_t msglen);
void eipfix_json_free(struct eipfix_json_doc *doc);

/* The first member of obj named key, or NULL. */
const struct eipfix_json *eipfix_json_get(const struct eipfix_json *obj,
					  const char *key);
/* Element i of an array (or member i of an object), or NULL. */
const struct eipfix_json *eipfix_json_at(const struct eipfix_json *v,
					 size_t i);

/* 1-based line and byte column of offset off in text (clamped to len). */
void eipfix_text_linecol(const char *text, size_t len, size_t off,
			 unsigned int *line, unsigned int *col);

/*
 * A printable excerpt of s[0..n) for messages: control bytes become '?',
 * and more than max bytes are cut to max - 3 followed by "...".
 */
const char *eipfix_excerpt(char *buf, size_t size, const char *s, size_t n,
			   size_t max);

#endif
