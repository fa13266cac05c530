/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_EXPIRY_H
#define _EIPFIX_EXPIRY_H

#include "flow.h"

struct eipfix_net;
struct eipfix_table;

/* After a FIN or RST, the closing ACKs get this long to join the record. */
#define EIPFIX_FIN_GRACE (2 * HZ)
/* Interim records are processed on a one-minute tick, as Enclave's are. */
#define EIPFIX_TICK (60 * HZ)
/* How often flows are checked for their end. */
#define EIPFIX_SCAN_PERIOD HZ
/* How often a scan held for room looks again, if not woken sooner. */
#define EIPFIX_HELD_RETRY (HZ / 4)
/* Replaced tables that may wait for room to end their flows. */
#define EIPFIX_RETIRED_MAX 4

u8 eipfix_expiry_decide(const struct eipfix_flow *flow, unsigned long now,
			unsigned long idle_timeout, bool interim_due);
bool eipfix_expiry_interim_due(u32 ticks, u32 interval_ms);

void eipfix_expiry_init(struct eipfix_net *en);
void eipfix_expiry_start(struct eipfix_net *en);
void eipfix_expiry_stop(struct eipfix_net *en);
u32 eipfix_expiry_scan(struct eipfix_net *en, struct eipfix_table *table,
		       unsigned long now, unsigned long idle_timeout,
		       bool interim_due);
void eipfix_expiry_end_all(struct eipfix_net *en, struct eipfix_table *table);
void eipfix_expiry_retire(struct eipfix_net *en, struct eipfix_table *table);
void eipfix_expiry_end_retired(struct eipfix_net *en);
bool eipfix_expiry_drain_retired(struct eipfix_net *en);
void eipfix_expiry_evicted(struct eipfix_net *en, struct eipfix_flow *flow);

#endif /* _EIPFIX_EXPIRY_H */
