/* SPDX-License-Identifier: GPL-2.0 */
#ifndef USERCTL_COMMANDS_H
#define USERCTL_COMMANDS_H

#include <errno.h>

/* Each subcommand: argv[0] is its name; returns the process exit code. */
int check_config_main(int argc, char *argv[]);
int push_config_main(int argc, char *argv[]);
int agent_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int flows_main(int argc, char *argv[]);

/*
 * Exit codes (userctl.8, EXIT STATUS): 0 success, 1 any other error, 3 the
 * enclave_ipfix module is not loaded (its generic netlink family is absent),
 * 4 the kernel's answer did not come or came incomplete (no answer within
 * the timeout, ENOBUFS, ENOMEM): trying again may succeed.
 */
#define USERCTL_EXIT_ERROR 1
#define USERCTL_EXIT_NO_MODULE 3
#define USERCTL_EXIT_TRY_AGAIN 4

/* The exit code for a failed netlink_open() or request that returned @ret. */
static inline int netlink_exit_code(int ret)
{
	switch (ret) {
	case -ENOENT:
		return USERCTL_EXIT_NO_MODULE;
	case -ETIMEDOUT:
	case -ENOBUFS:
	case -ENOMEM:
		return USERCTL_EXIT_TRY_AGAIN;
	}
	return USERCTL_EXIT_ERROR;
}

/* Whether argv holds -h or --help (then the command prints its usage). */
int wants_help(int argc, char *argv[]);

#endif
