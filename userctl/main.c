// SPDX-License-Identifier: GPL-2.0
/*
 * userctl: the CLI and IPFIX exporter agent of enclave_ipfix. This file only
 * dispatches to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "util.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "check-config", check_config_main, "validate a profile, change nothing" },
	{ "push-config", push_config_main, "validate a profile and load it into the kernel" },
	{ "agent", agent_main, "export the kernel's flow records as IPFIX" },
	{ "status", status_main, "show the configuration in force and every counter" },
	{ "flows", flows_main, "show the live flow table" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: userctl COMMAND [OPTIONS]\n\n"
		"In-kernel IPFIX flow metering for overlay interfaces.\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(f, "  %-14s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "\nEvery command has --help. The default profile is "
		"/etc/enclave/profiles/Universe.profile.\nuserctl --version prints the version.\n");
}

int wants_help(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

int main(int argc, char *argv[])
{
	size_t i;

	ulog_init();
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("userctl (enclave_ipfix) %s\n", USERCTL_VERSION);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "userctl: unknown command \"%s\"; try userctl --help\n", argv[1]);
	return 1;
}
