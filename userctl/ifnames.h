/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface names: the one place userctl turns an ifindex into a name.
 *
 * The kernel's flows and records carry only the overlay interface's
 * ifindex (EIPFIX_FLOW_A_IFINDEX; the uapi's IFNAME attribute is reserved,
 * never sent). The agent needs the name for the IPFIX interface-name options
 * record (export.c announces every slot of its table), `userctl flows` to
 * show it. A lookup costs a socket and an ioctl, so names are kept in a
 * small table; and since the profile's Interfaces are names that the kernel
 * follows (an interface deleted and created again under the same name
 * has a new ifindex, one renamed keeps its ifindex under a new name), a kept
 * name is looked up again once it is max_age_ms old, and all of them after
 * ifnames_expire() (a new configuration).
 *
 * A name that cannot be looked up (the interface is gone) keeps the one
 * found before, the best name for the records that are still on their way;
 * an interface never found has the empty name until a later lookup finds it.
 *
 *	struct ifnames t;
 *	bool changed;
 *	int i;
 *
 *	ifnames_init(&t, NULL, NULL);		// if_indextoname()
 *	i = ifnames_get(&t, 7, now_ms, &changed);
 *	// t.e[i].name; changed: slot i holds a new (ifindex, name) pair
 */
#ifndef USERCTL_IFNAMES_H
#define USERCTL_IFNAMES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many interfaces are kept; a further one takes the oldest slot. */
#define IFNAMES_MAX 64
/* A kept name is looked up again when it is this old. */
#define IFNAMES_MAX_AGE_MS 10000

/* Looks ifindex up: its name into @name, 0; or -errno. */
typedef int (*ifnames_lookup_fn)(uint32_t ifindex, char name[IF_NAMESIZE],
				 void *arg);

struct ifnames_entry {
	uint32_t ifindex;
	char name[IF_NAMESIZE];		/* "" while never found */
	uint64_t looked_ms;		/* when it was last looked up */
	bool expired;			/* look it up at its next use */
};

struct ifnames {
	struct ifnames_entry e[IFNAMES_MAX];
	size_t n;			/* slots in use: e[0..n) */
	size_t next;			/* the slot to reuse once all are in use */
	uint64_t max_age_ms;		/* 0: a found name is kept for good */
	ifnames_lookup_fn lookup;
	void *arg;
};

/* An empty table; @lookup NULL: the system's (if_indextoname()). */
void ifnames_init(struct ifnames *t, ifnames_lookup_fn lookup, void *arg);

/*
 * The slot of @ifindex, looked up if it is not in the table, or expired, or
 * max_age_ms old at @now_ms. *changed (may be NULL) says whether the slot
 * now holds another (ifindex, name) than before: a new interface, a reused
 * slot, a rename, a first name. -1 for ifindex 0 (no interface).
 */
int ifnames_get(struct ifnames *t, uint32_t ifindex, uint64_t now_ms,
		bool *changed);

/* The name of @ifindex ("" if unknown): ifnames_get() without the slot. */
const char *ifnames_name(struct ifnames *t, uint32_t ifindex, uint64_t now_ms);

/* Every kept name is looked up again at its next use (a new configuration). */
void ifnames_expire(struct ifnames *t);

#endif
