// SPDX-License-Identifier: GPL-2.0
/*
 * Log lines (userctl/log.c): under systemd, stderr is the journal's stream
 * and every line starts with its syslog priority ("<4>" for a warning), so
 * that journalctl -p filters; anywhere else, lines are as people read them.
 * stderr is pointed at a file here, and JOURNAL_STREAM at it or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../userctl/log.h"

/* Runs ulog() with stderr on a fresh file; returns what it wrote. */
static void logged(const char *journal_stream, int same_file, char *out,
		   size_t len)
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char env[64];
	struct stat st;
	FILE *f;
	size_t n;

	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	if (same_file)
		snprintf(env, sizeof(env), "%llu:%llu",
			 (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
	else
		snprintf(env, sizeof(env), "%s", journal_stream ? journal_stream : "");
	if (journal_stream || same_file)
		setenv("JOURNAL_STREAM", env, 1);
	else
		unsetenv("JOURNAL_STREAM");

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	ulog_init();
	ulog(ULOG_WARN, "collector %s: no route", "x");
	ulog(ULOG_ERR, "cannot set the collectors");
	ulog(ULOG_INFO, "configuration %u", 3u);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	close(fd);
	unlink(path);
	unsetenv("JOURNAL_STREAM");
	ulog_init();
}

static void lines_to_the_journal_carry_their_priority(void **s)
{
	char out[512];

	(void)s;
	logged(NULL, 1, out, sizeof(out));
	assert_string_equal(out,
			    "<4>userctl: warning: collector x: no route\n"
			    "<3>userctl: error: cannot set the collectors\n"
			    "<6>userctl: info: configuration 3\n");
}

/* JOURNAL_STREAM inherited from a parent whose stderr went elsewhere. */
static void lines_elsewhere_have_no_prefix(void **s)
{
	char out[512];

	(void)s;
	logged("1:2", 0, out, sizeof(out));
	assert_string_equal(out,
			    "userctl: warning: collector x: no route\n"
			    "userctl: error: cannot set the collectors\n"
			    "userctl: info: configuration 3\n");
	logged(NULL, 0, out, sizeof(out));
	assert_non_null(strstr(out, "\nuserctl: error: cannot set"));
	assert_null(strchr(out, '<'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_to_the_journal_carry_their_priority),
		cmocka_unit_test(lines_elsewhere_have_no_prefix),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
