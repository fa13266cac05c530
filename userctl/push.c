// SPDX-License-Identifier: GPL-2.0
/*
 * check-config and push-config: validate a profile and, for push-config,
 * load it into the kernel. The kernel applies it whole or not at all.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "netlink.h"

static int profile_usage(const char *cmd, const char *what)
{
	printf("Usage: userctl %s [PROFILE]\n\n%s\n"
	       "PROFILE defaults to %s.\n"
	       "Errors are printed as FILE:LINE:COL: message; the exit code is 1.\n",
	       cmd, what, EIPFIX_DEFAULT_PROFILE);
	return 0;
}

static int profile_arg(int argc, char *argv[], const char **path)
{
	*path = EIPFIX_DEFAULT_PROFILE;
	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "userctl %s: expected at most one PROFILE argument; try --help\n",
			argv[0]);
		return -1;
	}
	if (argc == 2)
		*path = argv[1];
	return 0;
}

/*
 * The profile the command line names, read; why not on stderr. Its warning too.
 * flags: EIPFIX_PROFILE_RESOLVE for check-config only: push-config leaves host
 * names to the agent, which looks them up in the background (a resolver that
 * does not answer would hold a reload for tens of seconds per name).
 */
static int read_profile(int argc, char *argv[], unsigned int flags,
			const char **path, struct eipfix_profile *p)
{
	char err[1024];

	if (profile_arg(argc, argv, path))
		return -1;
	if (eipfix_profile_load_flags(*path, flags, p, err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", ulog_prefix(ULOG_ERR), err);
		return -1;
	}
	if (p->warning[0])
		fprintf(stderr, "%s%s\n", ulog_prefix(ULOG_WARN), p->warning);
	return 0;
}

int check_config_main(int argc, char *argv[])
{
	struct eipfix_profile p;
	const char *path;

	if (wants_help(argc, argv))
		return profile_usage("check-config",
				     "Validates the profile's FlowMetadata and AccessControl blocks,\n"
				     "resolving collector host names. Changes nothing.");
	if (read_profile(argc, argv, EIPFIX_PROFILE_RESOLVE, &path, &p))
		return 1;
	eipfix_profile_free(&p);
	printf("%s: OK\n", path);
	return 0;
}

int push_config_main(int argc, char *argv[])
{
	struct eipfix_profile p;
	struct netlink *nl;
	const char *path;
	char err[1024];
	int ret;

	if (wants_help(argc, argv))
		return profile_usage("push-config",
				     "Validates the profile and loads it into the enclave_ipfix kernel\n"
				     "module of this network namespace, all or nothing. A running agent\n"
				     "follows the change. Needs CAP_NET_ADMIN.");
	if (read_profile(argc, argv, 0, &path, &p))
		return 1;
	ret = netlink_open(&nl, err, sizeof(err));
	if (!ret) {
		ret = netlink_set_config(nl, &p, err, sizeof(err));
		netlink_close(nl);
	}
	eipfix_profile_free(&p);
	if (ret) {
		/* also systemctl reload's ExecReload: an error in the journal */
		fprintf(stderr, "%suserctl push-config: %s\n", ulog_prefix(ULOG_ERR), err);
		return netlink_exit_code(ret);
	}
	printf("%s: loaded\n", path);
	return 0;
}
