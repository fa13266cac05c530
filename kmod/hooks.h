/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_HOOKS_H
#define _EIPFIX_HOOKS_H

#include <linux/netfilter.h>

struct eipfix_net;

unsigned int eipfix_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);
void eipfix_hooks_init(struct eipfix_net *en);
int eipfix_hooks_register(struct eipfix_net *en);
void eipfix_hooks_unregister(struct eipfix_net *en);

#endif /* _EIPFIX_HOOKS_H */
