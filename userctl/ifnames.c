// SPDX-License-Identifier: GPL-2.0
/*
 * Interface names, looked up and kept: see ifnames.h.
 */
#include <errno.h>
#include <string.h>

#include "ifnames.h"

static int system_lookup(uint32_t ifindex, char name[IF_NAMESIZE], void *arg)
{
	(void)arg;
	return if_indextoname(ifindex, name) ? 0 : -errno;
}

void ifnames_init(struct ifnames *t, ifnames_lookup_fn lookup, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->max_age_ms = IFNAMES_MAX_AGE_MS;
	t->lookup = lookup ? lookup : system_lookup;
	t->arg = arg;
}

static bool due(const struct ifnames *t, const struct ifnames_entry *e,
		uint64_t now_ms)
{
	if (e->expired)
		return true;
	/* A clock that went back is as good as a name that got old. */
	return t->max_age_ms && (now_ms < e->looked_ms ||
				 now_ms - e->looked_ms >= t->max_age_ms);
}

/* The slot for an ifindex not in the table: a free one, else the oldest. */
static size_t take_slot(struct ifnames *t, uint32_t ifindex)
{
	size_t i;

	if (t->n < IFNAMES_MAX) {
		i = t->n++;
	} else {
		i = t->next;
		t->next = (i + 1) % IFNAMES_MAX;
	}
	t->e[i] = (struct ifnames_entry){ .ifindex = ifindex, .expired = true };
	return i;
}

int ifnames_get(struct ifnames *t, uint32_t ifindex, uint64_t now_ms,
		bool *changed)
{
	char name[IF_NAMESIZE] = "";
	struct ifnames_entry *e;
	bool is_new = false;
	size_t i;

	if (changed)
		*changed = false;
	if (!ifindex)
		return -1;
	for (i = 0; i < t->n; i++)
		if (t->e[i].ifindex == ifindex)
			break;
	if (i == t->n) {
		i = take_slot(t, ifindex);
		is_new = true;
	}
	e = &t->e[i];
	if (due(t, e, now_ms)) {
		e->looked_ms = now_ms;
		e->expired = false;
		/* Gone: the name it had is the best one for its last records. */
		if (!t->lookup(ifindex, name, t->arg) && name[0]) {
			name[IF_NAMESIZE - 1] = '\0';
			if (strcmp(name, e->name)) {
				memcpy(e->name, name, sizeof(e->name));
				is_new = true;
			}
		}
	}
	/* An empty name would overwrite what a collector was told before. */
	if (changed)
		*changed = is_new && e->name[0];
	return (int)i;
}

const char *ifnames_name(struct ifnames *t, uint32_t ifindex, uint64_t now_ms)
{
	int i = ifnames_get(t, ifindex, now_ms, NULL);

	return i < 0 ? "" : t->e[i].name;
}

void ifnames_expire(struct ifnames *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->e[i].expired = true;
}
