/* SPDX-License-Identifier: GPL-2.0 */
#ifndef USERCTL_AGENT_H
#define USERCTL_AGENT_H

#include <jansson.h>

/*
 * The running agent's counters, as it last wrote them for this network
 * namespace (under /run/enclave-ipfix/), or NULL when no agent runs.
 */
json_t *agent_state_read(void);

#endif
