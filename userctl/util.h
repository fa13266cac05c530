/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every userctl file may use, defined once. */
#ifndef USERCTL_UTIL_H
#define USERCTL_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
