/* SPDX-License-Identifier: GPL-2.0 */
#ifndef USERCTL_COMMANDS_H
#define USERCTL_COMMANDS_H

/* Each subcommand: argv[0] is its name; returns the process exit code. */
int check_config_main(int argc, char *argv[]);
int push_config_main(int argc, char *argv[]);
int agent_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int flows_main(int argc, char *argv[]);

/* Whether argv holds -h or --help (then the command prints its usage). */
int wants_help(int argc, char *argv[]);

#endif
