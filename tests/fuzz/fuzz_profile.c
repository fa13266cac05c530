// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the profile parser (userctl/json.c, config.c, config_acl.c).
 *
 * Any bytes are a profile file. eipfix_profile_parse() must return 0 or a
 * negative errno with an error sentence in err, never crash, read out of
 * bounds or leak; a profile it accepts must hold values within the limits
 * of the uapi header. Collectors are not resolved (no DNS).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eipfix_profile p;
	char err[1024];
	unsigned int i;
	int ret;

	/* The text need not be NUL-terminated: hand it over as it is. */
	err[0] = '\0';
	ret = eipfix_profile_parse((const char *)data, size, "fuzz.profile", &p,
				   err, sizeof(err));
	if (ret) {
		/* Every rejection says why, in one sentence naming the file. */
		if (ret >= 0 || !err[0] || strncmp(err, "fuzz.profile", 12))
			abort();
		return 0;
	}
	if (p.n_interfaces > EIPFIX_MAX_INTERFACES ||
	    p.n_collectors > EIPFIX_MAX_COLLECTORS || p.n_rules > EIPFIX_MAX_RULES ||
	    (p.interval_ms % 60000) || p.direction >= __EIPFIX_DIR_MAX ||
	    p.acl_default >= __EIPFIX_ACL_MAX)
		abort();
	for (i = 0; i < p.n_interfaces; i++)
		if (!memchr(p.interfaces[i], '\0', EIPFIX_IFNAMSIZ) || !p.interfaces[i][0])
			abort();
	for (i = 0; i < p.n_rules; i++) {
		const struct eipfix_acl_rule *r = &p.rules[i];
		unsigned int j;

		if (r->action >= __EIPFIX_ACL_MAX || r->protocol >= __EIPFIX_ACL_PROTO_MAX ||
		    r->prefix_len > (r->family == 10 ? 128 : r->family == 2 ? 32 : 0) ||
		    !memchr(r->description, '\0', sizeof(r->description)))
			abort();
		for (j = 0; j < r->n_ports; j++)
			if (!r->ports[j].first || r->ports[j].first > r->ports[j].last)
				abort();
	}
	eipfix_profile_free(&p);
	return 0;
}
