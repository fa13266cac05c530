// SPDX-License-Identifier: GPL-2.0
/*
 * Interface names (userctl/ifnames.c): looked up once and kept, looked up
 * again when old or after a new configuration, kept when the interface is
 * gone, a bounded table. The system's lookup is replaced by a table here,
 * except in one test that asks the system for the loopback interface.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../userctl/ifnames.h"

/* The system as the tests make it: ifindex i is named names[i], or absent. */
static const char *names[200];
static int lookups;

static int fake_lookup(uint32_t ifindex, char name[IF_NAMESIZE], void *arg)
{
	(void)arg;
	lookups++;
	if (ifindex >= 200 || !names[ifindex])
		return -ENXIO;
	snprintf(name, IF_NAMESIZE, "%s", names[ifindex]);
	return 0;
}

static struct ifnames t;
static bool changed;

static int setup(void **s)
{
	(void)s;
	memset(names, 0, sizeof(names));
	lookups = 0;
	ifnames_init(&t, fake_lookup, NULL);
	return 0;
}

/* ifindex is named @name, and was looked up at 1000. */
static void known(uint32_t ifindex, const char *name)
{
	names[ifindex] = name;
	assert_true(ifnames_get(&t, ifindex, 1000, &changed) >= 0);
	assert_true(changed);
}

static void a_name_is_looked_up_once_and_kept(void **s)
{
	int i;

	(void)s;
	names[7] = "tap0";
	i = ifnames_get(&t, 7, 1000, &changed);
	assert_int_equal(i, 0);
	assert_true(changed);
	assert_string_equal(t.e[i].name, "tap0");
	assert_int_equal(ifnames_get(&t, 7, 1000 + IFNAMES_MAX_AGE_MS - 1, &changed), 0);
	assert_false(changed);
	assert_string_equal(ifnames_name(&t, 7, 1001), "tap0");
	assert_int_equal(lookups, 1);
}

static void a_renamed_interface_is_found_once_its_name_is_old(void **s)
{
	(void)s;
	known(7, "tap0");
	names[7] = "tap1";				/* ip link set tap0 name tap1 */
	ifnames_get(&t, 7, 1000 + IFNAMES_MAX_AGE_MS - 1, &changed);
	assert_false(changed);
	assert_string_equal(ifnames_name(&t, 7, 1000 + IFNAMES_MAX_AGE_MS - 1), "tap0");
	ifnames_get(&t, 7, 1000 + IFNAMES_MAX_AGE_MS, &changed);
	assert_true(changed);
	assert_string_equal(t.e[0].name, "tap1");
	/* The same name again is no change. */
	ifnames_get(&t, 7, 1000 + 2 * IFNAMES_MAX_AGE_MS, &changed);
	assert_false(changed);
	assert_int_equal(lookups, 3);
}

static void a_new_configuration_looks_every_name_up_again(void **s)
{
	(void)s;
	known(7, "tap0");
	known(9, "wg0");
	names[7] = "tap1";
	ifnames_expire(&t);
	assert_int_equal(ifnames_get(&t, 7, 1001, &changed), 0);
	assert_true(changed);
	assert_string_equal(t.e[0].name, "tap1");
	assert_int_equal(ifnames_get(&t, 9, 1001, &changed), 1);
	assert_false(changed);
	assert_int_equal(lookups, 4);
}

static void a_gone_interface_keeps_the_name_it_had(void **s)
{
	(void)s;
	known(7, "tap0");
	names[7] = NULL;				/* ip link del tap0 */
	ifnames_get(&t, 7, 1000 + IFNAMES_MAX_AGE_MS, &changed);
	assert_false(changed);
	assert_string_equal(t.e[0].name, "tap0");
	/* ... and is not looked up for every record meanwhile. */
	ifnames_get(&t, 7, 1001 + IFNAMES_MAX_AGE_MS, NULL);
	assert_int_equal(lookups, 2);
}

static void an_interface_never_found_has_no_name_until_it_is(void **s)
{
	(void)s;
	assert_int_equal(ifnames_get(&t, 5, 1000, &changed), 0);
	assert_false(changed);			/* not announced nameless */
	assert_string_equal(t.e[0].name, "");
	assert_string_equal(ifnames_name(&t, 5, 1001), "");
	names[5] = "tap5";
	ifnames_get(&t, 5, 1000 + IFNAMES_MAX_AGE_MS, &changed);
	assert_true(changed);
	assert_string_equal(t.e[0].name, "tap5");
}

static void no_interface_has_no_slot(void **s)
{
	(void)s;
	changed = true;
	assert_int_equal(ifnames_get(&t, 0, 1000, &changed), -1);
	assert_false(changed);
	assert_string_equal(ifnames_name(&t, 0, 1000), "");
	assert_int_equal(t.n, 0);
	assert_int_equal(lookups, 0);
}

static void a_full_table_reuses_its_slots_in_turn(void **s)
{
	(void)s;
	for (uint32_t i = 1; i < 200; i++)
		names[i] = "x";
	for (uint32_t i = 1; i <= IFNAMES_MAX; i++)
		assert_int_equal(ifnames_get(&t, i, 1000, NULL), (int)i - 1);
	assert_int_equal(t.n, IFNAMES_MAX);
	names[IFNAMES_MAX + 1] = "late";
	assert_int_equal(ifnames_get(&t, IFNAMES_MAX + 1, 1000, &changed), 0);
	assert_true(changed);
	assert_int_equal(t.e[0].ifindex, IFNAMES_MAX + 1);
	assert_string_equal(t.e[0].name, "late");
	assert_int_equal(ifnames_get(&t, IFNAMES_MAX + 2, 1000, NULL), 1);
	/* The one that lost its slot is looked up again when it comes back. */
	assert_int_equal(ifnames_get(&t, 1, 1000, &changed), 2);
	assert_true(changed);
	assert_int_equal(t.n, IFNAMES_MAX);
	assert_string_equal(t.e[2].name, "x");
}

static void the_system_names_the_loopback_interface(void **s)
{
	uint32_t lo = if_nametoindex("lo");

	(void)s;
	if (!lo)
		skip();		/* no loopback interface in this namespace */
	ifnames_init(&t, NULL, NULL);
	assert_string_equal(ifnames_name(&t, lo, 1000), "lo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(a_name_is_looked_up_once_and_kept, setup),
		cmocka_unit_test_setup(a_renamed_interface_is_found_once_its_name_is_old, setup),
		cmocka_unit_test_setup(a_new_configuration_looks_every_name_up_again, setup),
		cmocka_unit_test_setup(a_gone_interface_keeps_the_name_it_had, setup),
		cmocka_unit_test_setup(an_interface_never_found_has_no_name_until_it_is, setup),
		cmocka_unit_test_setup(no_interface_has_no_slot, setup),
		cmocka_unit_test_setup(a_full_table_reuses_its_slots_in_turn, setup),
		cmocka_unit_test_setup(the_system_names_the_loopback_interface, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
