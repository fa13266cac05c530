/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels we build for (Debian's 6.1 and 6.12),
 * kept in one place so that the rest of the module reads as if written for
 * one kernel. Add to it only what a real build needed.
 */
#ifndef _EIPFIX_COMPAT_H
#define _EIPFIX_COMPAT_H

#include <linux/version.h>

/*
 * skb_gso_validate_network_len(): in <linux/skbuff.h> on 6.1, in <net/gso.h>
 * from 6.5, which <net/udp.h> includes there (sparse has no __has_include).
 */
#include <net/udp.h>

#endif /* _EIPFIX_COMPAT_H */
