/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_NETLINK_H
#define _EIPFIX_NETLINK_H

#include <linux/workqueue.h>

#include <net/netlink.h>
#include <uapi/linux/enclave_ipfix.h>

struct net;
struct eipfix_config;

extern const struct nla_policy eipfix_policy[EIPFIX_A_MAX + 1];

int eipfix_genetlink_init(void);
void eipfix_genetlink_uninit(void);
void eipfix_netlink_notify_config(struct net *net, u32 generation);
void eipfix_netlink_records_pending(struct work_struct *work);
struct eipfix_config *eipfix_netlink_parse_config(struct nlattr **attrs,
						  const struct nlattr *head, int len,
						  struct netlink_ext_ack *extack);

#endif /* _EIPFIX_NETLINK_H */
