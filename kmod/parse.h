/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_PARSE_H
#define _EIPFIX_PARSE_H

#include "flow.h"

struct sk_buff;

int eipfix_parse_skb(const struct sk_buff *skb, u8 family, unsigned int mtu,
		     struct eipfix_pkt *pkt);

#endif /* _EIPFIX_PARSE_H */
