/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels we build for (Debian's 6.1 and 6.12),
 * kept in one place so that the rest of the module reads as if written for
 * one kernel. Add to it only what a real build needed.
 */
#ifndef _EIPFIX_COMPAT_H
#define _EIPFIX_COMPAT_H

#include <linux/version.h>

#endif /* _EIPFIX_COMPAT_H */
