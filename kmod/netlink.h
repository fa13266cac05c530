/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EIPFIX_NETLINK_H
#define _EIPFIX_NETLINK_H

#include <linux/workqueue.h>

struct net;

int eipfix_genetlink_init(void);
void eipfix_genetlink_uninit(void);
void eipfix_netlink_notify_config(struct net *net, u32 generation);
void eipfix_netlink_records_pending(struct work_struct *work);

#endif /* _EIPFIX_NETLINK_H */
