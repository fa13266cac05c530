/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What config.c (the profile and its FlowMetadata block) shares with
 * config_acl.c (its AccessControl block): the reading context, the error
 * sentences with their FILE:LINE:COL, and the checks both blocks use.
 * Not for other files: their interface is config.h.
 */
#ifndef USERCTL_CONFIG_INTERNAL_H
#define USERCTL_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "json.h"

struct eipfix_cfg {
	const char *text;		/* after a byte order mark */
	size_t len;
	const char *file;
	struct eipfix_json_doc doc;
	char *err;
	size_t errlen;
};

extern const char *const eipfix_cfg_directions[__EIPFIX_DIR_MAX];
extern const char *const eipfix_cfg_actions[__EIPFIX_ACL_MAX];
extern const char *const eipfix_cfg_protocols[__EIPFIX_ACL_PROTO_MAX];
/* The keys of FlowMetadata, in the order error messages list them. */
#define EIPFIX_CFG_NFLOW_KEYS 11
extern const char *const eipfix_cfg_flow_keys[EIPFIX_CFG_NFLOW_KEYS];

/* "FILE:LINE:COL: message" for the text at off; returns -EINVAL. */
int eipfix_cfg_err(struct eipfix_cfg *c, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "an object", "a number", "true"... for "..., got X" */
const char *eipfix_cfg_type(const struct eipfix_json *v);
/* The same, but a string is shown itself, in quotes. */
const char *eipfix_cfg_got(char *buf, size_t size, const struct eipfix_json *v);

/* A member whose value is one of names ("Both", "Allow"...): its index. */
int eipfix_cfg_name(struct eipfix_cfg *c, const struct eipfix_json *m,
		    const char *const *names, size_t n, uint8_t *out);
/* The error for member m, whose key is none of known: a typo, said so. */
int eipfix_cfg_unknown_key(struct eipfix_cfg *c, const struct eipfix_json *m,
			   const char *where, const char *const *known,
			   size_t n);

/* The AccessControl block (config_acl.c). */
int eipfix_cfg_access_control(struct eipfix_cfg *c,
			      const struct eipfix_json *ac,
			      struct eipfix_profile *p);

#define EIPFIX_SHOW(buf, s) eipfix_excerpt(buf, sizeof(buf), s, strlen(s), 64)

#endif
