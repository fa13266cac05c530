// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the profile parser (userctl/json.c, config.c, config_acl.c,
 * collector.c).
 *
 * Every error test asserts the exact message, written by hand from the
 * rules (DESIGN.md §4 and config.h): FILE:LINE:COL, 1-based, COL in bytes.
 * Every error test also checks that the output profile is left untouched.
 *
 * Most profiles are built with FM() / AC() / RULE(), whose layout fixes the
 * positions:
 *
 *   FM(m):    line 3 is "    " m        -> m starts at 3:5,
 *             so "Key": value has its value at col 9 + strlen(Key)
 *   AC(m):    the same inside "AccessControl"
 *   RULE(m):  line 4 is "      {" m "}"  -> the rule's '{' at 4:7, m at 4:8,
 *             so a first member "Key": value has its value at 12 + strlen(Key)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../userctl/config.h"

#define F "t.profile"

#define FM(m) "{\n  \"FlowMetadata\": {\n    " m "\n  }\n}\n"
#define AC(m) "{\n  \"AccessControl\": {\n    " m "\n  }\n}\n"
#define RULE(m) "{\n  \"AccessControl\": {\n    \"Rules\": [\n      {" m "}\n    ]\n  }\n}\n"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void parse_ok(const char *text, struct eipfix_profile *p)
{
	char err[1024] = "";
	int ret = eipfix_profile_parse(text, strlen(text), F, p, err,
				       sizeof(err));

	assert_string_equal(err, "");
	assert_int_equal(ret, 0);
	assert_string_equal(p->warning, "");
}

/* text must be accepted, with exactly this warning and this Interval */
static void parse_warn(const char *text, const char *want, uint32_t interval)
{
	struct eipfix_profile p;
	char err[1024] = "";
	int ret = eipfix_profile_parse(text, strlen(text), F, &p, err,
				       sizeof(err));

	assert_string_equal(err, "");
	assert_int_equal(ret, 0);
	assert_string_equal(p.warning, want);
	assert_int_equal(p.interval_ms, interval);
	eipfix_profile_free(&p);
}

/* text must be rejected with exactly want, and leave the output alone */
static void parse_err_len(const char *text, size_t len, const char *want)
{
	struct eipfix_profile p, before;
	char err[1024] = "";
	int ret;

	memset(&p, 0xa5, sizeof(p));
	memcpy(&before, &p, sizeof(p));
	ret = eipfix_profile_parse(text, len, F, &p, err, sizeof(err));
	assert_string_equal(err, want);
	assert_int_equal(ret, -EINVAL);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void parse_err(const char *text, const char *want)
{
	parse_err_len(text, strlen(text), want);
}

static void collector_err(const char *s, const char *want)
{
	struct eipfix_collector c;
	char err[512] = "";

	assert_int_equal(eipfix_collector_parse(s, &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
}

static void collector_ok(const char *s, const char *host, uint16_t port,
			 int family)
{
	struct eipfix_collector c;
	char err[512] = "";

	assert_int_equal(eipfix_collector_parse(s, &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.text, s);
	assert_string_equal(c.host, host);
	assert_int_equal(c.port, port);
	assert_int_equal(c.family, family);
	assert_int_equal(c.naddrs, 0);
}

static void assert_defaults_except_flow(const struct eipfix_profile *p)
{
	assert_int_equal(p->acl_default, EIPFIX_ACL_ALLOW);
	assert_int_equal(p->n_rules, 0);
	assert_null(p->rules);
}

/* ------------------------------------------------------------------ */
/* Defaults, names, valid profiles                                     */

static void test_init_sets_defaults(void **state)
{
	struct eipfix_profile p;

	(void)state;
	eipfix_profile_init(&p);
	assert_int_equal(p.n_collectors, 0);
	assert_null(p.collectors);
	assert_int_equal(p.direction, EIPFIX_DIR_BOTH);
	assert_int_equal(p.interval_ms, 0);
	assert_true(p.enabled);
	assert_int_equal(p.n_interfaces, 1);
	assert_string_equal(p.interfaces[0], "tap0");
	assert_int_equal(p.idle_timeout_ms, 15000);
	assert_int_equal(p.observation_domain, 0);	/* the parser's default */
	assert_int_equal(p.template_refresh_s, 600);
	/* fits Enclave's overlay MTU: 1280 - 40 (IPv6) - 8 (UDP) */
	assert_int_equal(p.message_size, 1280 - 40 - 8);
	assert_int_equal(p.max_flows, 1048576);
	assert_false(p.allowed_flow_rule);
	assert_defaults_except_flow(&p);
	eipfix_profile_free(&p);
	eipfix_profile_free(&p);	/* twice is harmless */
	assert_int_equal(p.n_interfaces, 0);
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(eipfix_direction_name(EIPFIX_DIR_BOTH), "Both");
	assert_string_equal(eipfix_direction_name(EIPFIX_DIR_SENDING),
			    "SendingToPeer");
	assert_string_equal(eipfix_direction_name(EIPFIX_DIR_RECEIVED),
			    "ReceivedFromPeer");
	assert_string_equal(eipfix_acl_action_name(EIPFIX_ACL_DENY), "Deny");
	assert_string_equal(eipfix_acl_proto_name(EIPFIX_ACL_PROTO_ICMP),
			    "Icmp");
	assert_string_equal(eipfix_acl_proto_name(99), "?");
}

static void test_empty_object_gives_defaults(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok("{}", &p);
	assert_int_equal(p.n_collectors, 0);
	assert_true(p.enabled);
	assert_int_equal(p.n_interfaces, 1);
	assert_string_equal(p.interfaces[0], "tap0");
	assert_int_equal(p.max_flows, 1048576);
	assert_defaults_except_flow(&p);
	eipfix_profile_free(&p);
}

static void test_foreign_keys_are_ignored(void **state)
{
	struct eipfix_profile p;

	(void)state;
	/* other keys, other types, even duplicates: Enclave's business */
	parse_ok("{\"ProfileName\": \"Universe\", \"Tap\": {\"Mtu\": 1280, \"Mtu\": 1},"
		 " \"Servers\": [1, \"x\", null], \"Telemetry\": false,"
		 " \"Telemetry\": true, \"FlowMetadata\": {\"Interval\": 60000}}",
		 &p);
	assert_int_equal(p.interval_ms, 60000);
	eipfix_profile_free(&p);
}

static void test_design_example(void **state)
{
	struct eipfix_profile p;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	uint8_t v6[16];
	char err[1024] = "";
	const struct eipfix_acl_rule *r;

	(void)state;
	/* load resolves; both collectors are literals, so no DNS */
	assert_int_equal(eipfix_profile_load(PROFILES_DIR "/design-example.profile",
					     &p, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	assert_int_equal(p.n_collectors, 2);
	assert_string_equal(p.collectors[0].text, "Udp/172.16.1.100:4739");
	assert_string_equal(p.collectors[0].host, "172.16.1.100");
	assert_int_equal(p.collectors[0].port, 4739);
	assert_int_equal(p.collectors[0].addrlens[0], sizeof(struct sockaddr_in));
	sin = (struct sockaddr_in *)&p.collectors[0].addrs[0];
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 4739);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xac100164);
	assert_string_equal(p.collectors[1].text, "Udp/[2001:db8::10]:4739");
	assert_string_equal(p.collectors[1].host, "2001:db8::10");
	assert_int_equal(p.collectors[1].port, 4739);
	assert_int_equal(p.collectors[1].addrlens[0], sizeof(struct sockaddr_in6));
	sin6 = (struct sockaddr_in6 *)&p.collectors[1].addrs[0];
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 4739);
	inet_pton(AF_INET6, "2001:db8::10", v6);
	assert_memory_equal(&sin6->sin6_addr, v6, 16);

	assert_int_equal(p.direction, EIPFIX_DIR_BOTH);
	assert_int_equal(p.interval_ms, 60000);
	assert_true(p.enabled);
	assert_int_equal(p.n_interfaces, 1);
	assert_string_equal(p.interfaces[0], "tap0");
	assert_int_equal(p.idle_timeout_ms, 15000);
	assert_int_equal(p.observation_domain, 0);
	assert_int_equal(p.template_refresh_s, 600);
	assert_int_equal(p.message_size, 1400);
	assert_int_equal(p.max_flows, 1048576);

	assert_int_equal(p.acl_default, EIPFIX_ACL_ALLOW);
	assert_int_equal(p.n_rules, 2);
	r = &p.rules[0];
	assert_int_equal(r->action, EIPFIX_ACL_ALLOW);
	assert_int_equal(r->direction, EIPFIX_DIR_RECEIVED);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->prefix_len, 10);
	assert_memory_equal(r->peer, "\x64\x40\x00\x00", 4);
	assert_int_equal(r->protocol, EIPFIX_ACL_PROTO_TCP);
	assert_int_equal(r->n_ports, 3);
	assert_int_equal(r->ports[0].first, 22);
	assert_int_equal(r->ports[0].last, 22);
	assert_int_equal(r->ports[1].first, 443);
	assert_int_equal(r->ports[1].last, 443);
	assert_int_equal(r->ports[2].first, 8000);
	assert_int_equal(r->ports[2].last, 8100);
	assert_string_equal(r->description, "ssh and web");
	r = &p.rules[1];
	assert_int_equal(r->action, EIPFIX_ACL_DENY);
	assert_int_equal(r->direction, EIPFIX_DIR_BOTH);
	assert_int_equal(r->family, 0);
	assert_int_equal(r->protocol, EIPFIX_ACL_PROTO_ICMP);
	assert_int_equal(r->n_ports, 0);
	assert_null(r->ports);
	assert_string_equal(r->description, "");
	eipfix_profile_free(&p);
}

static void test_every_key_nondefault(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok("{\"FlowMetadata\": {\"IpFixCollectors\": [\"udp/collector.example:2055\"],"
		 " \"Direction\": \"SendingToPeer\", \"Interval\": 300000,"
		 " \"Enabled\": false, \"Interfaces\": [\"wg0\", \"tap1\"],"
		 " \"IdleTimeout\": 30000, \"ObservationDomainId\": 4294967295,"
		 " \"TemplateRefresh\": 60, \"MessageSize\": 512,"
		 " \"MaxFlows\": 16777216},"
		 " \"AccessControl\": {\"Default\": \"Deny\", \"Rules\": []}}",
		 &p);
	assert_int_equal(p.n_collectors, 1);
	assert_string_equal(p.collectors[0].host, "collector.example");
	assert_int_equal(p.collectors[0].port, 2055);
	assert_int_equal(p.collectors[0].naddrs, 0);	/* parse: no DNS */
	assert_int_equal(p.direction, EIPFIX_DIR_SENDING);
	assert_int_equal(p.interval_ms, 300000);
	assert_false(p.enabled);
	assert_int_equal(p.n_interfaces, 2);
	assert_string_equal(p.interfaces[0], "wg0");
	assert_string_equal(p.interfaces[1], "tap1");
	assert_int_equal(p.idle_timeout_ms, 30000);
	assert_int_equal(p.observation_domain, 4294967295u);
	assert_int_equal(p.template_refresh_s, 60);
	assert_int_equal(p.message_size, 512);
	assert_int_equal(p.max_flows, 16777216);
	assert_int_equal(p.acl_default, EIPFIX_ACL_DENY);
	assert_int_equal(p.n_rules, 0);
	eipfix_profile_free(&p);
}

static void test_bom_is_skipped(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok("\xef\xbb\xbf{\"FlowMetadata\": {\"Enabled\": false}}", &p);
	assert_false(p.enabled);
	eipfix_profile_free(&p);
	/* ...and not counted in columns */
	parse_warn("\xef\xbb\xbf{\"FlowMetadata\": {\"Interval\": 5}}",
		   F ":1:31: warning: Interval 5 is not a multiple of 60000 (milliseconds); using 60000, the next whole minute",
		   60000);
	parse_err("\xef\xbb\xbf{\"FlowMetadata\": {\"Interval\": 5.5}}",
		  F ":1:31: Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got 5.5");
}

/* ------------------------------------------------------------------ */
/* Enclave's documentation example                                      */

static void test_enclave_doc_example_missing_comma(void **state)
{
	struct eipfix_profile p, before;
	char err[1024] = "";

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	memcpy(&before, &p, sizeof(p));
	assert_int_equal(eipfix_profile_load(PROFILES_DIR "/enclave-doc-example.profile",
					     &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, PROFILES_DIR "/enclave-doc-example.profile:19:24:"
			    " expected ',' or '}' after \"Direction\": \"Both\"");
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_enclave_doc_example_fixed(void **state)
{
	struct eipfix_profile p;
	char err[1024] = "";

	(void)state;
	assert_int_equal(eipfix_profile_load(PROFILES_DIR "/enclave-doc-fixed.profile",
					     &p, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(p.n_collectors, 1);
	assert_string_equal(p.collectors[0].host, "172.16.1.100");
	assert_int_equal(p.direction, EIPFIX_DIR_BOTH);
	assert_int_equal(p.interval_ms, 60000);
	assert_true(p.enabled);
	eipfix_profile_free(&p);
}

/* ------------------------------------------------------------------ */
/* JSON syntax                                                         */

static void test_syntax_missing_comma_in_object(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Direction\": \"Both\" \"Interval\": 60000}}",
		  F ":1:38: expected ',' or '}' after \"Direction\": \"Both\"");
	/* a number, a literal, and a container before the missing comma */
	parse_err("{\"FlowMetadata\": {\"Interval\": 60000\n\"Enabled\": true}}",
		  F ":1:36: expected ',' or '}' after \"Interval\": 60000");
	parse_err("{\"FlowMetadata\": {\"Interfaces\": [\"tap0\"] \"Enabled\": true}}",
		  F ":1:41: expected ',' or '}' after \"Interfaces\": [...]");
	/* jansson reads "600-0" as two numbers, and so must we */
	parse_err("{\"FlowMetadata\": {\"Interval\": 600-0}}",
		  F ":1:34: expected ',' or '}' after \"Interval\": 600");
	/* the user forgot the comma before the pasted block */
	parse_err("{\n  \"Telemetry\": false\n  \"FlowMetadata\": {}\n}\n",
		  F ":2:21: expected ',' or '}' after \"Telemetry\": false");
}

static void test_syntax_missing_comma_in_array(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Interfaces\": [\"tap0\" \"tap1\"]}}",
		  F ":1:40: expected ',' or ']' after \"tap0\"");
}

static void test_syntax_trailing_comma(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Enabled\": true,}}",
		  F ":1:34: trailing ',' before '}'; JSON does not allow it");
	parse_err("{\"FlowMetadata\": {\"Interfaces\": [\"tap0\",]}}",
		  F ":1:40: trailing ',' before ']'; JSON does not allow it");
}

static void test_syntax_missing_colon(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\" {}}",
		  F ":1:17: expected ':' after \"FlowMetadata\", got '{'");
}

static void test_syntax_unquoted(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Direction\": Both}}",
		  F ":1:32: invalid value Both; expected a string in double quotes, a number, true, false or null");
	parse_err("{\"FlowMetadata\": {Direction: \"Both\"}}",
		  F ":1:19: expected a key in double quotes or '}', got Direction");
	parse_err("{\"FlowMetadata\": {\"Enabled\": true, Direction: \"Both\"}}",
		  F ":1:36: expected a key in double quotes, got Direction");
	parse_err("{\"FlowMetadata\": {\"Direction\": 'Both'}}",
		  F ":1:32: invalid value 'Both'; expected a string in double quotes, a number, true, false or null");
	parse_err("{'FlowMetadata': {}}",
		  F ":1:2: expected a key in double quotes or '}', got 'FlowMetadata'");
}

static void test_syntax_missing_value(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Interval\": }}",
		  F ":1:31: expected a value, got '}'");
}

static void test_syntax_unterminated_string(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Direction\": \"Both}}",
		  F ":1:32: unterminated string");
	parse_err("{\"FlowMetadata\": {\"Direction\": \"Both\n\"}}",
		  F ":1:32: unterminated string (a string cannot span lines)");
	/* the last quote is escaped */
	parse_err("{\"FlowMetadata\": {\"Direction\": \"Both\\\"",
		  F ":1:32: unterminated string");
}

static void test_syntax_unexpected_end(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Enabled\": true}\n",
		  F ":2:1: unexpected end of file; the object opened at 1:1 is not closed");
	parse_err("{\"FlowMetadata\": {\"Interfaces\": [\"tap0\"",
		  F ":1:40: unexpected end of file; the array opened at 1:33 is not closed");
}

static void test_syntax_trailing_garbage(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {}} x",
		  F ":1:22: unexpected x after the end of the top-level value");
}

static void test_syntax_invalid_utf8(void **state)
{
	(void)state;
	parse_err("{\"a\": \"\xff\"}", F ":1:8: invalid UTF-8 (byte 0xff)");
}

static void test_syntax_number_overflow(void **state)
{
	(void)state;
	parse_err("{\"a\": 1e999}", F ":1:7: number 1e999 is too large");
}

/* What jansson said in its own words (or not at all) is ours now. */
static void test_syntax_strings_and_bytes(void **state)
{
	(void)state;
	parse_err("{\"a\": \"x\\qy\"}",
		  F ":1:9: invalid escape \\q in a string; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
	parse_err("{\"a\": \"\\u12G4\"}",
		  F ":1:8: invalid escape in a string; \\u must be followed by four hex digits");
	parse_err("{\"a\": \"x\\u0000\"}",
		  F ":1:9: \\u0000 is not allowed in a string");
	parse_err("{\"a\": \"\\ud83d!\"}",
		  F ":1:8: \\uD83D is the first half of a UTF-16 surrogate pair without its second");
	parse_err("{\"a\": \"\\ude00\"}",
		  F ":1:8: \\uDE00 is the second half of a UTF-16 surrogate pair without its first");
	parse_err("{\"a\": \"tab\there\"}",
		  F ":1:11: control character 0x09 in a string; write it as \\u0009");
	/* jansson took a NUL byte for the end of the file */
	parse_err_len("{\"a\": 1\0}", 9, F ":1:8: unexpected control character (byte 0x00)");
	parse_err("{\"a\": 01}",
		  F ":1:7: invalid value 01; expected a string in double quotes, a number, true, false or null");
	parse_err("{\"a\": 1.}",
		  F ":1:7: invalid value 1.; expected a string in double quotes, a number, true, false or null");
}

static void test_syntax_columns_count_bytes(void **state)
{
	(void)state;
	/* "é" is two bytes: the empty name is at byte column 40 */
	parse_err("{\"FlowMetadata\": {\"Interfaces\": [\"\xc3\xa9\", \"\"]}}",
		  F ":1:40: interface name must not be empty");
	/* CRLF line ends */
	parse_err("{\r\n  \"FlowMetadata\": {\r\n    \"Interval\": -5\r\n  }\r\n}\r\n",
		  F ":3:17: Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got -5");
	parse_warn("{\r\n  \"FlowMetadata\": {\r\n    \"Interval\": 5\r\n  }\r\n}\r\n",
		   F ":3:17: warning: Interval 5 is not a multiple of 60000 (milliseconds); using 60000, the next whole minute",
		   60000);
}

static void test_empty_profile(void **state)
{
	(void)state;
	parse_err("", F ":1:1: the profile is empty; expected a JSON object");
	parse_err("  \n\t\n", F ":1:1: the profile is empty; expected a JSON object");
}

static void test_top_level_not_object(void **state)
{
	(void)state;
	parse_err("[1]", F ":1:1: the profile must be a JSON object, got an array");
	parse_err("\n  \"x\"", F ":2:3: the profile must be a JSON object, got a string");
	parse_err("null", F ":1:1: the profile must be a JSON object, got null");
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */

static void test_unknown_key_flow_metadata(void **state)
{
	(void)state;
	parse_err(FM("\"Intreval\": 60000"),
		  F ":3:5: unknown key \"Intreval\" in FlowMetadata; did you mean \"Interval\"?");
	parse_err(FM("\"interval\": 60000"),
		  F ":3:5: unknown key \"interval\" in FlowMetadata; did you mean \"Interval\"?");
	parse_err(FM("\"Colour\": \"blue\""),
		  F ":3:5: unknown key \"Colour\" in FlowMetadata; expected IpFixCollectors, Direction, Interval, Enabled, Interfaces, IdleTimeout, ObservationDomainId, TemplateRefresh, MessageSize, MaxFlows or AllowedFlowRule");
}

static void test_unknown_key_access_control(void **state)
{
	(void)state;
	parse_err(AC("\"Rule\": []"),
		  F ":3:5: unknown key \"Rule\" in AccessControl; did you mean \"Rules\"?");
	parse_err(AC("\"Policy\": []"),
		  F ":3:5: unknown key \"Policy\" in AccessControl; expected Default or Rules");
}

static void test_unknown_key_rule(void **state)
{
	(void)state;
	parse_err(RULE("\"Acton\": \"Allow\""),
		  F ":4:8: unknown key \"Acton\" in rule 1; did you mean \"Action\"?");
	parse_err(RULE("\"Port\": \"22\", \"Action\": \"Allow\""),
		  F ":4:8: unknown key \"Port\" in rule 1; did you mean \"Ports\"?");
	parse_err(RULE("\"Source\": \"x\""),
		  F ":4:8: unknown key \"Source\" in rule 1; expected Action, Direction, Peer, Protocol, Ports or Description");
}

static void test_escaped_key_is_located(void **state)
{
	(void)state;
	/* "Interv\u0061l" is "Interval": the value is at 3:5 + 15 + 2 */
	parse_err(FM("\"Interv\\u0061l\": 30000.0"),
		  F ":3:22: Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got 30000.0");
	parse_warn(FM("\"Interv\\u0061l\": 30000"),
		   F ":3:22: warning: Interval 30000 is not a multiple of 60000 (milliseconds); using 60000, the next whole minute",
		   60000);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": {\"Interval\": 0, \"Interval\": 60000}}",
		  F ":1:34: duplicate key \"Interval\" in FlowMetadata (first at 1:19)");
	parse_err("{\"FlowMetadata\": {}, \"FlowMetadata\": {}}",
		  F ":1:22: duplicate key \"FlowMetadata\" (first at 1:2)");
	parse_err(AC("\"Default\": \"Allow\", \"Default\": \"Deny\""),
		  F ":3:25: duplicate key \"Default\" in AccessControl (first at 3:5)");
	parse_err(RULE("\"Action\": \"Allow\", \"Action\": \"Deny\""),
		  F ":4:27: duplicate key \"Action\" in rule 1 (first at 4:8)");
}

static void test_blocks_must_be_objects(void **state)
{
	(void)state;
	parse_err("{\"FlowMetadata\": []}",
		  F ":1:18: FlowMetadata must be an object, got an array");
	parse_err("{\"AccessControl\": \"x\"}",
		  F ":1:19: AccessControl must be an object, got a string");
	parse_err("{\"FlowMetadata\": null}",
		  F ":1:18: FlowMetadata must be an object, got null");
}

/* ------------------------------------------------------------------ */
/* FlowMetadata values                                                 */

static void test_direction(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"Direction\": \"ReceivedFromPeer\""), &p);
	assert_int_equal(p.direction, EIPFIX_DIR_RECEIVED);
	eipfix_profile_free(&p);
	parse_ok(FM("\"Direction\": \"Both\""), &p);
	assert_int_equal(p.direction, EIPFIX_DIR_BOTH);
	eipfix_profile_free(&p);
	parse_err(FM("\"Direction\": \"both\""),
		  F ":3:18: Direction must be \"Both\", \"SendingToPeer\" or \"ReceivedFromPeer\", got \"both\"");
	parse_err(FM("\"Direction\": 1"),
		  F ":3:18: Direction must be \"Both\", \"SendingToPeer\" or \"ReceivedFromPeer\", got a number");
}

/*
 * No ObservationDomainId in the profile: one that is not 0 (RFC 7011 §3.1
 * keeps 0 for the options records) and that tells hosts and network
 * namespaces apart. Given, even 0, it is kept.
 */
static void test_observation_domain_default(void **state)
{
	static const char id_a[] = "0123456789abcdef0123456789abcdef";
	static const char id_b[] = "0123456789abcdef0123456789abcdee";
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"Enabled\": true"), &p);
	assert_int_not_equal(p.observation_domain, 0);
	assert_int_equal(p.observation_domain, eipfix_default_odid());
	eipfix_profile_free(&p);
	parse_ok("{}", &p);
	assert_int_equal(p.observation_domain, eipfix_default_odid());
	eipfix_profile_free(&p);
	parse_ok(FM("\"ObservationDomainId\": 0"), &p);
	assert_int_equal(p.observation_domain, 0);
	eipfix_profile_free(&p);
	parse_ok(FM("\"ObservationDomainId\": 7"), &p);
	assert_int_equal(p.observation_domain, 7);
	eipfix_profile_free(&p);
	/* the same host and namespace: the same domain, at every start */
	assert_int_equal(eipfix_default_odid(), eipfix_default_odid());
	assert_int_equal(eipfix_default_odid_of(id_a, 4026531840u),
			 eipfix_default_odid_of(id_a, 4026531840u));
	/* another namespace, or another host: another domain */
	assert_int_not_equal(eipfix_default_odid_of(id_a, 4026531840u),
			     eipfix_default_odid_of(id_a, 4026532000u));
	assert_int_not_equal(eipfix_default_odid_of(id_a, 4026531840u),
			     eipfix_default_odid_of(id_b, 4026531840u));
	for (uint64_t ino = 0; ino < 100000; ino++)
		assert_int_not_equal(eipfix_default_odid_of(id_a, ino), 0);
}

static void test_interval(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"Interval\": 0"), &p);
	assert_int_equal(p.interval_ms, 0);
	eipfix_profile_free(&p);
	parse_ok(FM("\"Interval\": 120000"), &p);
	assert_int_equal(p.interval_ms, 120000);
	eipfix_profile_free(&p);
	parse_ok(FM("\"Interval\": 4294920000"), &p);
	assert_int_equal(p.interval_ms, 4294920000u);
	eipfix_profile_free(&p);
	/*
	 * Enclave's page: Interval "should" be 0 or a multiple of 60000. A
	 * profile Enclave accepts is accepted: another whole number is
	 * rounded up to the next whole minute, with a warning naming it.
	 */
	parse_warn(FM("\"Interval\": 30000"),
		   F ":3:17: warning: Interval 30000 is not a multiple of 60000 (milliseconds); using 60000, the next whole minute",
		   60000);
	parse_warn(FM("\"Interval\": 1"),
		   F ":3:17: warning: Interval 1 is not a multiple of 60000 (milliseconds); using 60000, the next whole minute",
		   60000);
	parse_warn(FM("\"Interval\": 90000"),
		   F ":3:17: warning: Interval 90000 is not a multiple of 60000 (milliseconds); using 120000, the next whole minute",
		   120000);
	parse_warn(FM("\"Interval\": 120001"),
		   F ":3:17: warning: Interval 120001 is not a multiple of 60000 (milliseconds); using 180000, the next whole minute",
		   180000);
	parse_warn(FM("\"Interval\": 4294919999"),
		   F ":3:17: warning: Interval 4294919999 is not a multiple of 60000 (milliseconds); using 4294920000, the next whole minute",
		   4294920000u);
	/* only the first warning is kept; a later error still refuses all */
	parse_warn("{\"FlowMetadata\": {\"Interval\": 30000, \"Enabled\": false}}",
		   F ":1:31: warning: Interval 30000 is not a multiple of 60000 (milliseconds); using 60000, the next whole minute",
		   60000);
	parse_err("{\"FlowMetadata\": {\"Interval\": 30000, \"Enabled\": 1}}",
		  F ":1:49: Enabled must be true or false, got a number");
	/* what is not a whole number of milliseconds is still an error */
	parse_err(FM("\"Interval\": 60000.5"),
		  F ":3:17: Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got 60000.5");
	parse_err(FM("\"Interval\": 6e4"),
		  F ":3:17: Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got 6e4");
	parse_err(FM("\"Interval\": -60000"),
		  F ":3:17: Interval must be a whole number of milliseconds, 0 or a multiple of 60000, got -60000");
	/* ...and so is one whose next whole minute is out of range */
	parse_err(FM("\"Interval\": 4294920001"),
		  F ":3:17: Interval must be at most 4294920000 (milliseconds), got 4294920001");
	parse_err(FM("\"Interval\": 4294980000"),
		  F ":3:17: Interval must be at most 4294920000 (milliseconds), got 4294980000");
	parse_err(FM("\"Interval\": 600000000000000000000000"),
		  F ":3:17: Interval must be at most 4294920000 (milliseconds), got 600000000000000000000000");
	parse_err(FM("\"Interval\": \"60000\""),
		  F ":3:17: Interval must be a number (milliseconds), got a string");
}

static void test_enabled(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"Enabled\": false"), &p);
	assert_false(p.enabled);
	eipfix_profile_free(&p);
	parse_err(FM("\"Enabled\": \"true\""),
		  F ":3:16: Enabled must be true or false, got a string");
	parse_err(FM("\"Enabled\": 1"),
		  F ":3:16: Enabled must be true or false, got a number");
}

/*
 * AllowedFlowRule (ours, default false): records of allowed flows name the
 * rule that allowed them too. A boolean, at its place in FlowMetadata only.
 */
static void test_allowed_flow_rule(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"AllowedFlowRule\": true"), &p);
	assert_true(p.allowed_flow_rule);
	eipfix_profile_free(&p);
	parse_ok(FM("\"AllowedFlowRule\": false"), &p);
	assert_false(p.allowed_flow_rule);
	eipfix_profile_free(&p);
	parse_err(FM("\"AllowedFlowRule\": \"true\""),
		  F ":3:24: AllowedFlowRule must be true or false, got a string");
	parse_err(FM("\"AllowedFlowRule\": 1"),
		  F ":3:24: AllowedFlowRule must be true or false, got a number");
	parse_err(FM("\"AllowedFlowRules\": true"),
		  F ":3:5: unknown key \"AllowedFlowRules\" in FlowMetadata; did you mean \"AllowedFlowRule\"?");
	parse_err(AC("\"AllowedFlowRule\": true"),
		  F ":3:5: unknown key \"AllowedFlowRule\" in AccessControl; it belongs in FlowMetadata");
	parse_err(FM("\"Enabled\": true, \"AllowedFlowRule\": true, \"AllowedFlowRule\": false"),
		  F ":3:47: duplicate key \"AllowedFlowRule\" in FlowMetadata (first at 3:22)");
}

static void test_interfaces(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"Interfaces\": [\"tap0\", \"wg0\", \"abcdefghijklmno\"]"), &p);
	assert_int_equal(p.n_interfaces, 3);
	assert_string_equal(p.interfaces[0], "tap0");
	assert_string_equal(p.interfaces[1], "wg0");
	assert_string_equal(p.interfaces[2], "abcdefghijklmno");
	eipfix_profile_free(&p);
}

static void test_interfaces_errors(void **state)
{
	(void)state;
	parse_err(FM("\"Interfaces\": \"tap0\""),
		  F ":3:19: Interfaces must be an array of interface names, got a string");
	parse_err(FM("\"Interfaces\": []"),
		  F ":3:19: Interfaces must list at least one interface");
	parse_err(FM("\"Interfaces\": [1]"),
		  F ":3:20: Interfaces entries must be strings, got a number");
	parse_err(FM("\"Interfaces\": [\"\"]"),
		  F ":3:20: interface name must not be empty");
	parse_err(FM("\"Interfaces\": [\"abcdefghijklmnop\"]"),
		  F ":3:20: interface name \"abcdefghijklmnop\" is too long (16 bytes, at most 15)");
	parse_err(FM("\"Interfaces\": [\"tap/0\"]"),
		  F ":3:20: interface name \"tap/0\" must not contain '/', ':' or whitespace");
	parse_err(FM("\"Interfaces\": [\"tap 0\"]"),
		  F ":3:20: interface name \"tap 0\" must not contain '/', ':' or whitespace");
	parse_err(FM("\"Interfaces\": [\"tap0:1\"]"),
		  F ":3:20: interface name \"tap0:1\" must not contain '/', ':' or whitespace");
	parse_err(FM("\"Interfaces\": [\"..\"]"),
		  F ":3:20: interface name \"..\" is not valid");
	parse_err(FM("\"Interfaces\": [\"tap0\", \"tap0\"]"),
		  F ":3:28: interface \"tap0\" is listed twice; first at 3:20");
}

static void test_interfaces_at_most_64(void **state)
{
	char text[1024];
	size_t n;
	struct eipfix_profile p;

	(void)state;
	/* prefix is 31 bytes; each element "ifNN", is 7 */
	n = (size_t)snprintf(text, sizeof(text), "{\"FlowMetadata\":{\"Interfaces\":[");
	assert_int_equal(n, 31);
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\"if%02d\",", i);
	text[n - 1] = ']';
	snprintf(text + n, sizeof(text) - n, "}}");
	parse_ok(text, &p);
	assert_int_equal(p.n_interfaces, 64);
	assert_string_equal(p.interfaces[63], "if63");
	eipfix_profile_free(&p);

	snprintf(text + n - 1, sizeof(text) - n + 1, ",\"if64\"]}}");
	parse_err(text, F ":1:480: Interfaces has 65 entries; at most 64 are allowed");
}

struct num_case {
	const char *text;
	const char *want;	/* NULL: accepted */
	uint32_t value;
};

static void run_num_cases(const struct num_case *cases, size_t n,
			  size_t field)
{
	for (size_t i = 0; i < n; i++) {
		struct eipfix_profile p;

		if (cases[i].want) {
			parse_err(cases[i].text, cases[i].want);
			continue;
		}
		parse_ok(cases[i].text, &p);
		assert_int_equal(*(uint32_t *)((char *)&p + field),
				 cases[i].value);
		eipfix_profile_free(&p);
	}
}

#define NUM_CASES(c, field) \
	run_num_cases(c, sizeof(c) / sizeof(c[0]), \
		      offsetof(struct eipfix_profile, field))

static void test_idle_timeout(void **state)
{
	static const struct num_case c[] = {
		{ FM("\"IdleTimeout\": 1000"), NULL, 1000 },
		{ FM("\"IdleTimeout\": 86400000"), NULL, 86400000 },
		{ FM("\"IdleTimeout\": 999"), F ":3:20: IdleTimeout must be a whole number from 1000 to 86400000 (milliseconds), got 999", 0 },
		{ FM("\"IdleTimeout\": 86400001"), F ":3:20: IdleTimeout must be a whole number from 1000 to 86400000 (milliseconds), got 86400001", 0 },
		{ FM("\"IdleTimeout\": 1500.5"), F ":3:20: IdleTimeout must be a whole number from 1000 to 86400000 (milliseconds), got 1500.5", 0 },
		{ FM("\"IdleTimeout\": -5000"), F ":3:20: IdleTimeout must be a whole number from 1000 to 86400000 (milliseconds), got -5000", 0 },
		{ FM("\"IdleTimeout\": \"15s\""), F ":3:20: IdleTimeout must be a number (milliseconds), got a string", 0 },
	};

	(void)state;
	NUM_CASES(c, idle_timeout_ms);
}

static void test_observation_domain(void **state)
{
	static const struct num_case c[] = {
		{ FM("\"ObservationDomainId\": 0"), NULL, 0 },
		{ FM("\"ObservationDomainId\": 4294967295"), NULL, 4294967295u },
		{ FM("\"ObservationDomainId\": 4294967296"), F ":3:28: ObservationDomainId must be a whole number from 0 to 4294967295, got 4294967296", 0 },
		{ FM("\"ObservationDomainId\": -1"), F ":3:28: ObservationDomainId must be a whole number from 0 to 4294967295, got -1", 0 },
		{ FM("\"ObservationDomainId\": 1e3"), F ":3:28: ObservationDomainId must be a whole number from 0 to 4294967295, got 1e3", 0 },
		{ FM("\"ObservationDomainId\": 99999999999999999999999"), F ":3:28: ObservationDomainId must be a whole number from 0 to 4294967295, got 99999999999999999999999", 0 },
		{ FM("\"ObservationDomainId\": true"), F ":3:28: ObservationDomainId must be a number, got true", 0 },
	};

	(void)state;
	NUM_CASES(c, observation_domain);
}

static void test_template_refresh(void **state)
{
	static const struct num_case c[] = {
		{ FM("\"TemplateRefresh\": 1"), NULL, 1 },
		{ FM("\"TemplateRefresh\": 86400"), NULL, 86400 },
		{ FM("\"TemplateRefresh\": 0"), F ":3:24: TemplateRefresh must be a whole number from 1 to 86400 (seconds), got 0", 0 },
		{ FM("\"TemplateRefresh\": 86401"), F ":3:24: TemplateRefresh must be a whole number from 1 to 86400 (seconds), got 86401", 0 },
		{ FM("\"TemplateRefresh\": 1.5"), F ":3:24: TemplateRefresh must be a whole number from 1 to 86400 (seconds), got 1.5", 0 },
		{ FM("\"TemplateRefresh\": null"), F ":3:24: TemplateRefresh must be a number (seconds), got null", 0 },
	};

	(void)state;
	NUM_CASES(c, template_refresh_s);
}

static void test_message_size(void **state)
{
	static const struct num_case c[] = {
		{ FM("\"MessageSize\": 512"), NULL, 512 },
		{ FM("\"MessageSize\": 65000"), NULL, 65000 },
		{ FM("\"MessageSize\": 511"), F ":3:20: MessageSize must be a whole number from 512 to 65000 (bytes), got 511", 0 },
		{ FM("\"MessageSize\": 65001"), F ":3:20: MessageSize must be a whole number from 512 to 65000 (bytes), got 65001", 0 },
		{ FM("\"MessageSize\": [1400]"), F ":3:20: MessageSize must be a number (bytes), got an array", 0 },
	};

	(void)state;
	NUM_CASES(c, message_size);
}

static void test_max_flows(void **state)
{
	static const struct num_case c[] = {
		{ FM("\"MaxFlows\": 1"), NULL, 1 },
		{ FM("\"MaxFlows\": 16777216"), NULL, 16777216 },
		{ FM("\"MaxFlows\": 0"), F ":3:17: MaxFlows must be a whole number from 1 to 16777216, got 0", 0 },
		{ FM("\"MaxFlows\": 16777217"), F ":3:17: MaxFlows must be a whole number from 1 to 16777216, got 16777217", 0 },
		{ FM("\"MaxFlows\": 1E6"), F ":3:17: MaxFlows must be a whole number from 1 to 16777216, got 1E6", 0 },
		{ FM("\"MaxFlows\": {}"), F ":3:17: MaxFlows must be a number, got an object", 0 },
	};

	(void)state;
	NUM_CASES(c, max_flows);
}

/* ------------------------------------------------------------------ */
/* Collectors                                                          */

static void test_collector_forms(void **state)
{
	(void)state;
	collector_ok("Udp/172.16.1.100:4739", "172.16.1.100", 4739, AF_INET);
	collector_ok("udp/198.51.100.7", "198.51.100.7", 4739, AF_INET);
	collector_ok("UDP/198.51.100.7:1", "198.51.100.7", 1, AF_INET);
	collector_ok("Udp/[2001:db8::10]:4739", "2001:db8::10", 4739, AF_INET6);
	collector_ok("Udp/[2001:db8::10]", "2001:db8::10", 4739, AF_INET6);
	collector_ok("Udp/collector.example.net:65535", "collector.example.net",
		     65535, 0);
	collector_ok("Udp/ipfix-1", "ipfix-1", 4739, 0);
}

static void test_collector_only_udp(void **state)
{
	(void)state;
	collector_err("Tcp/172.16.1.100:4739",
		      "collector \"Tcp/172.16.1.100:4739\": only UDP is supported; expected \"Udp/HOST:PORT\"");
	collector_err("sctp/172.16.1.100:4739",
		      "collector \"sctp/172.16.1.100:4739\": only UDP is supported; expected \"Udp/HOST:PORT\"");
}

static void test_collector_transport(void **state)
{
	(void)state;
	collector_err("172.16.1.100:4739",
		      "collector \"172.16.1.100:4739\" has no transport; expected \"Udp/HOST:PORT\"");
	collector_err("Http/172.16.1.100:4739",
		      "collector \"Http/172.16.1.100:4739\" has unknown transport \"Http\"; expected \"Udp/HOST:PORT\"");
	collector_err("/172.16.1.100:4739",
		      "collector \"/172.16.1.100:4739\" has unknown transport \"\"; expected \"Udp/HOST:PORT\"");
}

static void test_collector_ipv6(void **state)
{
	(void)state;
	collector_err("Udp/[2001:db8::10:4739",
		      "collector \"Udp/[2001:db8::10:4739\" has no closing ']' after the IPv6 address");
	collector_err("Udp/2001:db8::10:4739",
		      "collector \"Udp/2001:db8::10:4739\": an IPv6 address must be in brackets, as in \"Udp/[2001:db8::10]:4739\"");
	collector_err("Udp/[198.51.100.7]:4739",
		      "collector \"Udp/[198.51.100.7]:4739\": \"198.51.100.7\" is not an IPv6 address");
	collector_err("Udp/[2001:db8::10]4739",
		      "collector \"Udp/[2001:db8::10]4739\" has \"4739\" after ']'; expected \":PORT\" or nothing");
}

static void test_collector_port(void **state)
{
	(void)state;
	collector_err("Udp/198.51.100.7:0",
		      "collector \"Udp/198.51.100.7:0\" has bad port \"0\"; expected 1 to 65535");
	collector_err("Udp/198.51.100.7:65536",
		      "collector \"Udp/198.51.100.7:65536\" has bad port \"65536\"; expected 1 to 65535");
	collector_err("Udp/198.51.100.7:",
		      "collector \"Udp/198.51.100.7:\" has bad port \"\"; expected 1 to 65535");
	collector_err("Udp/198.51.100.7:47x9",
		      "collector \"Udp/198.51.100.7:47x9\" has bad port \"47x9\"; expected 1 to 65535");
	collector_err("Udp/[2001:db8::10]:-1",
		      "collector \"Udp/[2001:db8::10]:-1\" has bad port \"-1\"; expected 1 to 65535");
}

static void test_collector_host(void **state)
{
	char s[301], want[512];

	(void)state;
	collector_err("Udp/:4739",
		      "collector \"Udp/:4739\" has an empty host; expected \"Udp/HOST:PORT\"");
	collector_err("Udp/",
		      "collector \"Udp/\" has an empty host; expected \"Udp/HOST:PORT\"");
	collector_err("Udp/[]:4739",
		      "collector \"Udp/[]:4739\" has an empty host; expected \"Udp/HOST:PORT\"");
	collector_err("Udp/198.51.100.300",
		      "collector \"Udp/198.51.100.300\": \"198.51.100.300\" is not a valid IPv4 address");
	collector_err("Udp/bad_host!:4739",
		      "collector \"Udp/bad_host!:4739\": \"bad_host!\" is not a valid host name");
	collector_err("Udp/a..b",
		      "collector \"Udp/a..b\": \"a..b\" is not a valid host name");
	collector_err("", "collector \"\" is empty; expected \"Udp/HOST:PORT\"");
	collector_err(" Udp/198.51.100.7",
		      "collector \" Udp/198.51.100.7\" must not contain spaces or control characters");

	/* 300 bytes: shown cut to its first 40 */
	memset(s, 'a', 300);
	memcpy(s, "Udp/", 4);
	s[300] = '\0';
	snprintf(want, sizeof(want),
		 "collector \"Udp/%.36s...\" is too long (300 bytes, at most 271)",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	collector_err(s, want);
}

static void test_collector_resolve_literals(void **state)
{
	struct eipfix_collector c;
	struct sockaddr_in6 *sin6;
	char err[512] = "";

	(void)state;
	assert_int_equal(eipfix_collector_parse("Udp/[::1]:2055", &c, err,
						sizeof(err)), 0);
	assert_int_equal(eipfix_collector_resolve(&c, err, sizeof(err)), 0);
	assert_int_equal(c.naddrs, 1);
	assert_int_equal(c.addrlens[0], sizeof(struct sockaddr_in6));
	sin6 = (struct sockaddr_in6 *)&c.addrs[0];
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 2055);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
}

static void test_collector_resolve_localhost(void **state)
{
	struct eipfix_collector c;
	char err[512] = "";
	int fam;

	(void)state;
	/* from /etc/hosts: no DNS involved */
	assert_int_equal(eipfix_collector_parse("Udp/localhost:4739", &c, err,
						sizeof(err)), 0);
	assert_int_equal(eipfix_collector_resolve(&c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	fam = c.addrs[0].ss_family;
	assert_true(fam == AF_INET || fam == AF_INET6);
	assert_true(c.addrlens[0] > 0);
}

static void test_collectors_in_profile(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(FM("\"IpFixCollectors\": []"), &p);
	assert_int_equal(p.n_collectors, 0);
	eipfix_profile_free(&p);
	parse_err(FM("\"IpFixCollectors\": [\"Tcp/172.16.1.100:4739\"]"),
		  F ":3:25: collector \"Tcp/172.16.1.100:4739\": only UDP is supported; expected \"Udp/HOST:PORT\"");
	parse_err(FM("\"IpFixCollectors\": \"Udp/198.51.100.7\""),
		  F ":3:24: IpFixCollectors must be an array of strings, got a string");
	parse_err(FM("\"IpFixCollectors\": [4739]"),
		  F ":3:25: IpFixCollectors entries must be strings, got a number");
	parse_err(FM("\"IpFixCollectors\": [\"Udp/198.51.100.7\", \"udp/198.51.100.7:4739\"]"),
		  F ":3:45: collector \"udp/198.51.100.7:4739\" is the same as \"Udp/198.51.100.7\" at 3:25");
	parse_err(FM("\"IpFixCollectors\": [\"Udp/[2001:db8::10]\", \"Udp/[2001:DB8:0::10]:4739\"]"),
		  F ":3:47: collector \"Udp/[2001:DB8:0::10]:4739\" is the same as \"Udp/[2001:db8::10]\" at 3:25");
}

static void test_collectors_at_most_64(void **state)
{
	char text[2048];
	size_t n;
	struct eipfix_profile p;

	(void)state;
	/* prefix is 36 bytes; each element "Udp/198.51.100.7:100NN", is 25 */
	n = (size_t)snprintf(text, sizeof(text), "{\"FlowMetadata\":{\"IpFixCollectors\":[");
	assert_int_equal(n, 36);
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\"Udp/198.51.100.7:%d\",", 10001 + i);
	text[n - 1] = ']';
	snprintf(text + n, sizeof(text) - n, "}}");
	parse_ok(text, &p);
	assert_int_equal(p.n_collectors, 64);
	assert_int_equal(p.collectors[63].port, 10064);
	eipfix_profile_free(&p);

	snprintf(text + n - 1, sizeof(text) - n + 1, ",\"Udp/198.51.100.7:10065\"]}}");
	parse_err(text, F ":1:1637: IpFixCollectors has 65 entries; at most 64 are allowed");
}

static void test_load_reports_unresolvable_host(void **state)
{
	const char *path = PROFILES_DIR "/unresolvable.profile";
	const char *want = PROFILES_DIR "/unresolvable.profile:3:45: warning: collector "
			   "\"Udp/collector.invalid:4739\": cannot resolve "
			   "\"collector.invalid\": ";
	const char *tail = "; the agent keeps trying";
	struct eipfix_profile p;
	char err[1024] = "";
	size_t n;

	(void)state;
	/* accepted, with a warning: the agent keeps looking the name up */
	assert_int_equal(eipfix_profile_load(path, &p, err, sizeof(err)), 0);
	/* the resolver's own words ("Name or service not known", ...) vary */
	if (strncmp(p.warning, want, strlen(want)))
		fail_msg("expected \"%s...\", got \"%s\"", want, p.warning);
	n = strlen(p.warning);
	assert_true(n > strlen(want) + strlen(tail));
	assert_string_equal(p.warning + n - strlen(tail), tail);
	assert_int_equal(p.n_collectors, 2);
	assert_int_equal(p.collectors[0].naddrs, 1);
	assert_int_equal(p.collectors[1].naddrs, 0);
	eipfix_profile_free(&p);

	/* without RESOLVE, the same file is fine */
	assert_int_equal(eipfix_profile_load_flags(path, 0, &p, err,
						   sizeof(err)), 0);
	assert_int_equal(p.n_collectors, 2);
	eipfix_profile_free(&p);
}

/* ------------------------------------------------------------------ */
/* AccessControl                                                       */

static void test_acl_default(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(AC("\"Default\": \"Deny\""), &p);
	assert_int_equal(p.acl_default, EIPFIX_ACL_DENY);
	eipfix_profile_free(&p);
	parse_err(AC("\"Default\": \"deny\""),
		  F ":3:16: Default must be \"Allow\" or \"Deny\", got \"deny\"");
	parse_err(AC("\"Default\": true"),
		  F ":3:16: Default must be \"Allow\" or \"Deny\", got true");
}

static void test_acl_rules_shape(void **state)
{
	(void)state;
	parse_err(AC("\"Rules\": {}"),
		  F ":3:14: Rules must be an array of rule objects, got an object");
	parse_err(AC("\"Rules\": [{\"Action\": \"Allow\"}, 5]"),
		  F ":3:36: rule 2 must be an object, got a number");
}

static void test_rule_action(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(RULE("\"Action\": \"Deny\""), &p);
	assert_int_equal(p.n_rules, 1);
	assert_int_equal(p.rules[0].action, EIPFIX_ACL_DENY);
	/* the other keys' defaults */
	assert_int_equal(p.rules[0].direction, EIPFIX_DIR_BOTH);
	assert_int_equal(p.rules[0].family, 0);
	assert_int_equal(p.rules[0].protocol, EIPFIX_ACL_PROTO_ANY);
	assert_int_equal(p.rules[0].n_ports, 0);
	assert_string_equal(p.rules[0].description, "");
	eipfix_profile_free(&p);
	parse_err(RULE("\"Protocol\": \"Tcp\""),
		  F ":4:7: rule 1 has no \"Action\"; expected \"Action\": \"Allow\" or \"Deny\"");
	parse_err(RULE("\"Action\": \"Reject\""),
		  F ":4:18: Action must be \"Allow\" or \"Deny\", got \"Reject\"");
}

static void test_rule_direction(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(RULE("\"Direction\": \"SendingToPeer\", \"Action\": \"Allow\""), &p);
	assert_int_equal(p.rules[0].direction, EIPFIX_DIR_SENDING);
	eipfix_profile_free(&p);
	parse_err(RULE("\"Direction\": \"In\", \"Action\": \"Allow\""),
		  F ":4:21: Direction must be \"Both\", \"SendingToPeer\" or \"ReceivedFromPeer\", got \"In\"");
}

static void peer_ok(const char *text, int family, unsigned int plen,
		    const char *addr)
{
	struct eipfix_profile p;
	uint8_t want[16] = { 0 };

	parse_ok(text, &p);
	assert_int_equal(p.rules[0].family, family);
	assert_int_equal(p.rules[0].prefix_len, plen);
	assert_int_equal(inet_pton(family, addr, want), 1);
	assert_memory_equal(p.rules[0].peer, want, 16);
	eipfix_profile_free(&p);
}

static void test_rule_peer(void **state)
{
	(void)state;
	peer_ok(RULE("\"Peer\": \"100.64.0.0/10\", \"Action\": \"Allow\""),
		AF_INET, 10, "100.64.0.0");
	peer_ok(RULE("\"Peer\": \"198.51.100.7\", \"Action\": \"Allow\""),
		AF_INET, 32, "198.51.100.7");
	peer_ok(RULE("\"Peer\": \"0.0.0.0/0\", \"Action\": \"Allow\""),
		AF_INET, 0, "0.0.0.0");
	peer_ok(RULE("\"Peer\": \"2001:db8::/32\", \"Action\": \"Allow\""),
		AF_INET6, 32, "2001:db8::");
	peer_ok(RULE("\"Peer\": \"2001:db8::1\", \"Action\": \"Allow\""),
		AF_INET6, 128, "2001:db8::1");
}

static void test_rule_peer_errors(void **state)
{
	(void)state;
	parse_err(RULE("\"Peer\": \"10.1.2.3/8\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"10.1.2.3/8\" has host bits set; did you mean \"10.0.0.0/8\"?");
	parse_err(RULE("\"Peer\": \"2001:db8::1/32\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"2001:db8::1/32\" has host bits set; did you mean \"2001:db8::/32\"?");
	parse_err(RULE("\"Peer\": \"10.0.0.0/33\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"10.0.0.0/33\": prefix length must be 0 to 32");
	parse_err(RULE("\"Peer\": \"2001:db8::/129\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"2001:db8::/129\": prefix length must be 0 to 128");
	parse_err(RULE("\"Peer\": \"10.0.0.0/\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"10.0.0.0/\": prefix length must be 0 to 32");
	parse_err(RULE("\"Peer\": \"10.0.0.0/x\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"10.0.0.0/x\": prefix length must be 0 to 32");
	parse_err(RULE("\"Peer\": \"any\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"any\" is not an IPv4 or IPv6 address or CIDR");
	parse_err(RULE("\"Peer\": \"\", \"Action\": \"Allow\""),
		  F ":4:16: Peer \"\" is not an IPv4 or IPv6 address or CIDR");
	parse_err(RULE("\"Peer\": 10, \"Action\": \"Allow\""),
		  F ":4:16: Peer must be an IPv4 or IPv6 address or CIDR, got a number");
}

static void test_rule_protocol(void **state)
{
	static const char *const names[] = { "Any", "Tcp", "Udp", "Icmp" };
	struct eipfix_profile p;
	char text[256];

	(void)state;
	for (int i = 0; i < 4; i++) {
		snprintf(text, sizeof(text),
			 RULE("\"Protocol\": \"%s\", \"Action\": \"Allow\""),
			 names[i]);
		parse_ok(text, &p);
		assert_int_equal(p.rules[0].protocol, i);
		eipfix_profile_free(&p);
	}
	assert_int_equal(EIPFIX_ACL_PROTO_ICMP, 3);
	parse_err(RULE("\"Protocol\": \"TCP\", \"Action\": \"Allow\""),
		  F ":4:20: Protocol must be \"Any\", \"Tcp\", \"Udp\" or \"Icmp\", got \"TCP\"");
}

static void test_rule_ports(void **state)
{
	struct eipfix_profile p;

	(void)state;
	parse_ok(RULE("\"Ports\": \" 22 , 443,8000-8100\", \"Protocol\": \"Udp\", \"Action\": \"Allow\""),
		 &p);
	assert_int_equal(p.rules[0].n_ports, 3);
	assert_int_equal(p.rules[0].ports[0].first, 22);
	assert_int_equal(p.rules[0].ports[0].last, 22);
	assert_int_equal(p.rules[0].ports[1].first, 443);
	assert_int_equal(p.rules[0].ports[2].first, 8000);
	assert_int_equal(p.rules[0].ports[2].last, 8100);
	eipfix_profile_free(&p);
	parse_ok(RULE("\"Protocol\": \"Tcp\", \"Ports\": \"1-65535\", \"Action\": \"Allow\""),
		 &p);
	assert_int_equal(p.rules[0].n_ports, 1);
	assert_int_equal(p.rules[0].ports[0].first, 1);
	assert_int_equal(p.rules[0].ports[0].last, 65535);
	eipfix_profile_free(&p);
}

static void test_rule_ports_errors(void **state)
{
	(void)state;
	parse_err(RULE("\"Ports\": \"\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports must not be empty; leave it out to match any port");
	parse_err(RULE("\"Ports\": \"22,,443\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"22,,443\" has an empty entry");
	parse_err(RULE("\"Ports\": \"22,\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"22,\" has an empty entry");
	parse_err(RULE("\"Ports\": \"22,ssh\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"22,ssh\": \"ssh\" is not a port or a range FIRST-LAST");
	parse_err(RULE("\"Ports\": \"1-2-3\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"1-2-3\": \"1-2-3\" is not a port or a range FIRST-LAST");
	parse_err(RULE("\"Ports\": \"0\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"0\": port 0 is not in 1 to 65535");
	parse_err(RULE("\"Ports\": \"80,70000\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"80,70000\": port 70000 is not in 1 to 65535");
	parse_err(RULE("\"Ports\": \"1000-65536\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"1000-65536\": port 65536 is not in 1 to 65535");
	parse_err(RULE("\"Ports\": \"8100-8000\", \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports \"8100-8000\": range 8100-8000 has first > last");
	parse_err(RULE("\"Ports\": 22, \"Protocol\": \"Tcp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports must be a string such as \"22,443,8000-8100\", got a number");
}

static void test_rule_ports_need_tcp_or_udp(void **state)
{
	(void)state;
	parse_err(RULE("\"Ports\": \"22\", \"Protocol\": \"Icmp\", \"Action\": \"Allow\""),
		  F ":4:17: Ports requires \"Protocol\": \"Tcp\" or \"Udp\" in the same rule");
	parse_err(RULE("\"Ports\": \"22\", \"Action\": \"Allow\""),
		  F ":4:17: Ports requires \"Protocol\": \"Tcp\" or \"Udp\" in the same rule");
}

static void test_rule_description(void **state)
{
	struct eipfix_profile p;
	char text[1024], d[257];

	(void)state;
	memset(d, 'd', 255);
	d[255] = '\0';
	snprintf(text, sizeof(text),
		 RULE("\"Description\": \"%s\", \"Action\": \"Allow\""), d);
	parse_ok(text, &p);
	assert_string_equal(p.rules[0].description, d);
	eipfix_profile_free(&p);

	strcat(d, "d");
	snprintf(text, sizeof(text),
		 RULE("\"Description\": \"%s\", \"Action\": \"Allow\""), d);
	parse_err(text, F ":4:23: Description is 256 bytes long; at most 255 are allowed");
	parse_err(RULE("\"Description\": 1, \"Action\": \"Allow\""),
		  F ":4:23: Description must be a string, got a number");
}

static char *many_rules(size_t n, const char *rule)
{
	size_t rl = strlen(rule), len = 27 + n * (rl + 1) + 3;
	char *text = malloc(len), *q;

	assert_non_null(text);
	q = text + sprintf(text, "{\"AccessControl\":{\"Rules\":[");
	for (size_t i = 0; i < n; i++) {
		memcpy(q, rule, rl);
		q += rl;
		*q++ = ',';
	}
	strcpy(q - 1, "]}}");
	return text;
}

static void test_rules_at_most_65535(void **state)
{
	struct eipfix_profile p;
	char *text;

	(void)state;
	text = many_rules(65535, "{\"Action\":\"Deny\"}");
	parse_ok(text, &p);
	assert_int_equal(p.n_rules, 65535);
	assert_int_equal(p.rules[65534].action, EIPFIX_ACL_DENY);
	eipfix_profile_free(&p);
	free(text);

	/* prefix is 27 bytes, each element "1," 2: the 65536th at 28 + 131070 */
	text = many_rules(65536, "1");
	parse_err(text, F ":1:131098: Rules has 65536 entries; at most 65535 are allowed");
	free(text);
}

static void test_error_after_allocations_frees_everything(void **state)
{
	(void)state;
	/* rule 1 allocates ports, rule 2 fails; ASan/LSan checks the rest */
	parse_err("{\"FlowMetadata\": {\"IpFixCollectors\": [\"Udp/198.51.100.7\"],"
		  " \"Interfaces\": [\"wg0\"]}, \"AccessControl\": {\"Rules\": ["
		  "{\"Action\": \"Allow\", \"Protocol\": \"Tcp\", \"Ports\": \"22\"},"
		  " {\"Action\": \"Maybe\"}]}}",
		  F ":1:178: Action must be \"Allow\" or \"Deny\", got \"Maybe\"");
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static void test_load_missing_file(void **state)
{
	struct eipfix_profile p;
	char err[512] = "";

	(void)state;
	assert_int_equal(eipfix_profile_load("/nonexistent/Universe.profile",
					     &p, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/Universe.profile: cannot open: No such file or directory");
}

static void test_load_directory(void **state)
{
	struct eipfix_profile p;
	char err[512] = "";

	(void)state;
	assert_int_equal(eipfix_profile_load(PROFILES_DIR, &p, err,
					     sizeof(err)), -EISDIR);
	assert_string_equal(err, PROFILES_DIR ": cannot read: Is a directory");
}

static void test_default_profile_path(void **state)
{
	(void)state;
	assert_string_equal(EIPFIX_DEFAULT_PROFILE,
			    "/etc/enclave/profiles/Universe.profile");
}

/* ------------------------------------------------------------------ */
/* The JSON reader (userctl/json.c)                                    */

static size_t off_of(const char *text, const char *needle)
{
	const char *s = strstr(text, needle);

	assert_non_null(s);
	return (size_t)(s - text);
}

static void json_ok(struct eipfix_json_doc *doc, const char *t)
{
	char msg[256] = "";
	size_t off = 0;

	assert_int_equal(eipfix_json_parse(doc, t, strlen(t), &off, msg,
					   sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_non_null(doc->root);
}

static void test_json_tree_and_offsets(void **state)
{
	const char *t = "{\"a\": [1, {\"b/c\": \"x\", \"m~n\": null}],"
			" \"\\u0041\\u00e9\": true, \"a\": 2}";
	struct eipfix_json_doc doc;
	const struct eipfix_json *r, *e;

	(void)state;
	json_ok(&doc, t);
	r = doc.root;
	assert_int_equal(r->type, EIPFIX_JSON_OBJECT);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->key_off, SIZE_MAX);
	assert_int_equal(r->off, 0);
	assert_int_equal(r->end, strlen(t));

	e = eipfix_json_get(r, "a");	/* the first of two */
	assert_non_null(e);
	assert_int_equal(e->type, EIPFIX_JSON_ARRAY);
	assert_int_equal(e->key_off, 1);
	assert_int_equal(e->off, off_of(t, "[1"));
	assert_int_equal(e->end, off_of(t, "],") + 1);
	assert_int_equal(e->n, 2);

	e = eipfix_json_at(eipfix_json_get(r, "a"), 0);
	assert_int_equal(e->type, EIPFIX_JSON_NUMBER);
	assert_int_equal(e->key_off, SIZE_MAX);
	assert_null(e->key);
	assert_int_equal(e->off, off_of(t, "1,"));
	assert_int_equal(e->end, off_of(t, "1,") + 1);

	e = eipfix_json_at(eipfix_json_get(r, "a"), 1);
	assert_int_equal(e->off, off_of(t, "{\"b"));
	e = eipfix_json_get(e, "b/c");
	assert_non_null(e);
	assert_int_equal(e->key_off, off_of(t, "\"b/c"));
	assert_int_equal(e->type, EIPFIX_JSON_STRING);
	assert_string_equal(e->str, "x");
	assert_int_equal(e->off, off_of(t, "\"x\""));
	assert_int_equal(e->end, off_of(t, "\"x\"") + 3);
	e = eipfix_json_at(eipfix_json_at(eipfix_json_get(r, "a"), 1), 1);
	assert_string_equal(e->key, "m~n");
	assert_int_equal(e->type, EIPFIX_JSON_NULL);
	assert_int_equal(e->off, off_of(t, "null"));

	e = eipfix_json_get(r, "A\xc3\xa9");	/* decoded \\u escapes */
	assert_non_null(e);
	assert_int_equal(e->type, EIPFIX_JSON_TRUE);
	assert_int_equal(e->off, off_of(t, "true"));

	e = eipfix_json_at(r, 2);		/* the second "a" */
	assert_string_equal(e->key, "a");
	assert_int_equal(e->off, off_of(t, "2}"));

	assert_null(eipfix_json_at(eipfix_json_get(r, "a"), 2));
	assert_null(eipfix_json_get(r, "b"));
	assert_null(eipfix_json_get(eipfix_json_at(r, 0), "x"));	/* not an object */
	eipfix_json_free(&doc);
	eipfix_json_free(&doc);		/* twice is harmless */
}

static void test_json_surrogate_pair_key(void **state)
{
	const char *t = "{\"\\ud83d\\ude00\": [[], {}]}";
	struct eipfix_json_doc doc;
	const struct eipfix_json *e;

	(void)state;
	json_ok(&doc, t);
	e = eipfix_json_at(eipfix_json_get(doc.root, "\xf0\x9f\x98\x80"), 1);
	assert_non_null(e);
	assert_int_equal(e->type, EIPFIX_JSON_OBJECT);
	assert_int_equal(e->n, 0);
	assert_int_equal(e->off, off_of(t, "{}"));
	assert_int_equal(e->end, off_of(t, "{}") + 2);
	eipfix_json_free(&doc);
}

/* Every syntax error leaves nothing behind and names an offset. */
static void test_json_rejects_invalid(void **state)
{
	static const struct { const char *text; size_t off; } bad[] = {
		{ "", 0 }, { "{", 1 }, { "{\"a\" 1}", 5 }, { "[1,]", 2 },
		{ "[1 2]", 2 }, { "{\"a\":1}}", 7 }, { "{\"a\":1,}", 6 },
		{ "\"open", 0 }, { "{} {}", 3 }, { "{1: 2}", 1 }, { "]", 0 },
		{ "[01]", 1 }, { "[1.]", 1 }, { "[-]", 1 }, { "[1e+]", 1 },
		{ "[\"\\x\"]", 2 }, { "[\"\\u12\"]", 2 },
		{ "[\"\\udc00\"]", 2 }, { "[\"\\ud800x\"]", 2 },
		{ "[\"\\u0000\"]", 2 }, { "[\"a\x01\"]", 3 },
		{ "[\"\xc0\xaf\"]", 2 }, { "[\"\xed\xa0\x80\"]", 2 },
		{ "[\xe2\x82]", 1 }, { "[tru]", 1 }, { "[1e400]", 1 },
	};
	struct eipfix_json_doc doc;
	char msg[256];
	size_t off;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		off = 999;
		assert_int_equal(eipfix_json_parse(&doc, bad[i].text,
						   strlen(bad[i].text), &off,
						   msg, sizeof(msg)), -EINVAL);
		if (off != bad[i].off)
			fail_msg("%s: error at %zu (%s), expected at %zu",
				 bad[i].text, off, msg, bad[i].off);
		assert_true(msg[0] != '\0');
		assert_null(doc.root);
		assert_null(doc.blocks);
		assert_null(doc.strings);
	}
}

static void test_json_scalar_root(void **state)
{
	struct eipfix_json_doc doc;
	char msg[64];
	size_t off;

	(void)state;
	/* the text need not end with a NUL: "42" is read, not "421" */
	assert_int_equal(eipfix_json_parse(&doc, "  421", 4, &off, msg,
					   sizeof(msg)), 0);
	assert_int_equal(doc.root->type, EIPFIX_JSON_NUMBER);
	assert_int_equal(doc.root->off, 2);
	assert_int_equal(doc.root->end, 4);
	eipfix_json_free(&doc);
}

/* Nesting is bounded: the reader recurses, a profile never nests deep. */
static void test_json_depth_limit(void **state)
{
	size_t n = EIPFIX_JSON_MAX_DEPTH + 1;
	char *t = malloc(2 * n), msg[128];
	struct eipfix_json_doc doc;
	size_t off;

	(void)state;
	assert_non_null(t);
	memset(t, '[', n);
	memset(t + n, ']', n);
	assert_int_equal(eipfix_json_parse(&doc, t, 2 * n, &off, msg,
					   sizeof(msg)), -EINVAL);
	assert_int_equal(off, n - 1);
	assert_string_equal(msg, "objects and arrays are nested more than 2048 deep");
	assert_int_equal(eipfix_json_parse(&doc, t + 1, 2 * n - 2, &off, msg,
					   sizeof(msg)), 0);
	eipfix_json_free(&doc);
	free(t);
}

static void test_linecol(void **state)
{
	const char *t = "ab\ncd\r\n\tx\xc3\xa9y";
	size_t len = strlen(t);
	unsigned int l, c;

	(void)state;
	eipfix_text_linecol(t, len, 0, &l, &c);
	assert_int_equal(l, 1); assert_int_equal(c, 1);
	eipfix_text_linecol(t, len, 2, &l, &c);	/* the '\n' itself */
	assert_int_equal(l, 1); assert_int_equal(c, 3);
	eipfix_text_linecol(t, len, 3, &l, &c);
	assert_int_equal(l, 2); assert_int_equal(c, 1);
	eipfix_text_linecol(t, len, 5, &l, &c);	/* '\r' is a byte */
	assert_int_equal(l, 2); assert_int_equal(c, 3);
	eipfix_text_linecol(t, len, 8, &l, &c);	/* after a tab: 'x' */
	assert_int_equal(l, 3); assert_int_equal(c, 2);
	eipfix_text_linecol(t, len, 11, &l, &c);	/* 'y', after 2-byte é */
	assert_int_equal(l, 3); assert_int_equal(c, 5);
	eipfix_text_linecol(t, len, 999, &l, &c);	/* clamped to the end */
	assert_int_equal(l, 3); assert_int_equal(c, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sets_defaults),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_empty_object_gives_defaults),
		cmocka_unit_test(test_foreign_keys_are_ignored),
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_every_key_nondefault),
		cmocka_unit_test(test_bom_is_skipped),
		cmocka_unit_test(test_enclave_doc_example_missing_comma),
		cmocka_unit_test(test_enclave_doc_example_fixed),
		cmocka_unit_test(test_syntax_missing_comma_in_object),
		cmocka_unit_test(test_syntax_missing_comma_in_array),
		cmocka_unit_test(test_syntax_trailing_comma),
		cmocka_unit_test(test_syntax_missing_colon),
		cmocka_unit_test(test_syntax_unquoted),
		cmocka_unit_test(test_syntax_missing_value),
		cmocka_unit_test(test_syntax_unterminated_string),
		cmocka_unit_test(test_syntax_unexpected_end),
		cmocka_unit_test(test_syntax_trailing_garbage),
		cmocka_unit_test(test_syntax_invalid_utf8),
		cmocka_unit_test(test_syntax_number_overflow),
		cmocka_unit_test(test_syntax_strings_and_bytes),
		cmocka_unit_test(test_syntax_columns_count_bytes),
		cmocka_unit_test(test_empty_profile),
		cmocka_unit_test(test_top_level_not_object),
		cmocka_unit_test(test_unknown_key_flow_metadata),
		cmocka_unit_test(test_unknown_key_access_control),
		cmocka_unit_test(test_unknown_key_rule),
		cmocka_unit_test(test_escaped_key_is_located),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_blocks_must_be_objects),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_observation_domain_default),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_enabled),
		cmocka_unit_test(test_allowed_flow_rule),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_interfaces_errors),
		cmocka_unit_test(test_interfaces_at_most_64),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_observation_domain),
		cmocka_unit_test(test_template_refresh),
		cmocka_unit_test(test_message_size),
		cmocka_unit_test(test_max_flows),
		cmocka_unit_test(test_collector_forms),
		cmocka_unit_test(test_collector_only_udp),
		cmocka_unit_test(test_collector_transport),
		cmocka_unit_test(test_collector_ipv6),
		cmocka_unit_test(test_collector_port),
		cmocka_unit_test(test_collector_host),
		cmocka_unit_test(test_collector_resolve_literals),
		cmocka_unit_test(test_collector_resolve_localhost),
		cmocka_unit_test(test_collectors_in_profile),
		cmocka_unit_test(test_collectors_at_most_64),
		cmocka_unit_test(test_load_reports_unresolvable_host),
		cmocka_unit_test(test_acl_default),
		cmocka_unit_test(test_acl_rules_shape),
		cmocka_unit_test(test_rule_action),
		cmocka_unit_test(test_rule_direction),
		cmocka_unit_test(test_rule_peer),
		cmocka_unit_test(test_rule_peer_errors),
		cmocka_unit_test(test_rule_protocol),
		cmocka_unit_test(test_rule_ports),
		cmocka_unit_test(test_rule_ports_errors),
		cmocka_unit_test(test_rule_ports_need_tcp_or_udp),
		cmocka_unit_test(test_rule_description),
		cmocka_unit_test(test_rules_at_most_65535),
		cmocka_unit_test(test_error_after_allocations_frees_everything),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_directory),
		cmocka_unit_test(test_default_profile_path),
		cmocka_unit_test(test_json_tree_and_offsets),
		cmocka_unit_test(test_json_surrogate_pair_key),
		cmocka_unit_test(test_json_rejects_invalid),
		cmocka_unit_test(test_json_scalar_root),
		cmocka_unit_test(test_json_depth_limit),
		cmocka_unit_test(test_linecol),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
