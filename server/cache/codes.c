#include "cache/codes.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cache/redis.h"
#include "core/log.h"
#include "core/random.h"

/* KEYS[1] the code hash; ARGV[1] the code, ARGV[2] its TTL in seconds. */
static struct redis_script issue_script =
    REDIS_SCRIPT("code_issue", "redis.call('DEL', KEYS[1])\n"
                               "redis.call('HSET', KEYS[1], 'code', ARGV[1], 'tries', 0)\n"
                               "redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))\n"
                               "return 1\n");

/*
 * KEYS[1] the code hash; ARGV[1] the offered code, ARGV[2] the tries that
 * burn it, ARGV[3] "1" to delete a match. Returns 1 matched, 0 wrong, -1 no
 * live code.
 */
static struct redis_script verify_script =
    REDIS_SCRIPT("code_verify", "local c = redis.call('HGET', KEYS[1], 'code')\n"
                                "if not c then return -1 end\n"
                                "if c == ARGV[1] then\n"
                                "  if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end\n"
                                "  return 1\n"
                                "end\n"
                                "local t = redis.call('HINCRBY', KEYS[1], 'tries', 1)\n"
                                "if t >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end\n"
                                "return 0\n");

/* KEYS[1] the code hash; ARGV[1] the code to use up. */
static struct redis_script consume_script =
    REDIS_SCRIPT("code_consume", "if redis.call('HGET', KEYS[1], 'code') == ARGV[1] then\n"
                                 "  redis.call('DEL', KEYS[1])\n"
                                 "end\n"
                                 "return 1\n");

/* The Redis key of dest's code; -1 when it does not fit. */
static int code_key(char *out, size_t outlen, enum codes_kind kind, const char *dest)
{
	const char *kname = kind == CODES_EMAIL ? "email" : "phone";
	int n = snprintf(out, outlen, REDIS_PREFIX "code:%s:%s", kname, dest);
	char *p;

	if (n < 0 || (size_t)n >= outlen)
		return -1;
	/* Email addresses are matched without case, as the users table does. */
	if (kind == CODES_EMAIL)
		for (p = out + n - strlen(dest); *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return 0;
}

/*
 * Run script s on key argv[0] with the nargs strings after it. Returns 0, or
 * -1 when Redis is down or the script failed (logged: "cannot <what>").
 */
static int run_script(struct worker *w, struct redis_script *s, const char **argv, int nargs,
                      const char *what)
{
	redisReply *rep = redis_eval(w, s, 1, nargs, argv, NULL);
	int rc = -1;

	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_ERROR)
		log_error("cannot %s: redis: %s", what, rep->str);
	else
		rc = 0;
	freeReplyObject(rep);
	return rc;
}

int codes_issue(struct worker *w, enum codes_kind kind, const char *dest,
                char code[PROTO_CODE_DIGITS + 1])
{
	char key[1200], ttl[16];
	const char *argv[3] = {key, code, ttl};

	if (code_key(key, sizeof(key), kind, dest) < 0)
		return -1;
	if (random_digits(code, PROTO_CODE_DIGITS) < 0) {
		log_error("cannot make a verification code: random source failed");
		return -1;
	}
	snprintf(ttl, sizeof(ttl), "%d", PROTO_CODE_TTL);
	return run_script(w, &issue_script, argv, 2, "store verification code");
}

static enum codes_rc verify(struct worker *w, enum codes_kind kind, const char *dest,
                            const char *code, int consume)
{
	char key[1200], tries[16];
	const char *argv[4];
	size_t lens[4];
	redisReply *rep = NULL;
	enum codes_rc rc = CODES_UNAVAILABLE;

	if (code_key(key, sizeof(key), kind, dest) < 0) {
		rc = CODES_EXPIRED;
		goto out;
	}
	snprintf(tries, sizeof(tries), "%d", PROTO_CODE_MAX_TRIES);
	argv[0] = key;
	argv[1] = code;
	argv[2] = tries;
	argv[3] = consume ? "1" : "0";
	lens[0] = strlen(key);
	lens[1] = strlen(code);
	lens[2] = strlen(tries);
	lens[3] = 1;
	rep = redis_eval(w, &verify_script, 1, 3, argv, lens);
	if (rep == NULL)
		goto out;
	if (rep->type != REDIS_REPLY_INTEGER) {
		log_error("cannot check verification code: redis: %s",
		          rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		goto out;
	}
	if (rep->integer == 1)
		rc = CODES_OK;
	else if (rep->integer == 0)
		rc = CODES_WRONG;
	else
		rc = CODES_EXPIRED;
out:
	if (rep)
		freeReplyObject(rep);
	return rc;
}

enum codes_rc codes_verify(struct worker *w, enum codes_kind kind, const char *dest,
                           const char *code)
{
	return verify(w, kind, dest, code, 1);
}

enum codes_rc codes_check(struct worker *w, enum codes_kind kind, const char *dest,
                          const char *code)
{
	return verify(w, kind, dest, code, 0);
}

void codes_charge(struct worker *w, enum codes_kind kind, const char *dest)
{
	/* "" never matches a stored code, so the script counts a wrong try. */
	(void)verify(w, kind, dest, "", 0);
}

int codes_consume(struct worker *w, enum codes_kind kind, const char *dest, const char *code)
{
	char key[1200];
	const char *argv[2] = {key, code};

	if (code_key(key, sizeof(key), kind, dest) < 0)
		return 0;
	return run_script(w, &consume_script, argv, 1, "use up verification code");
}

void codes_drop(struct worker *w, enum codes_kind kind, const char *dest)
{
	char key[1200];
	const char *argv[2] = {"DEL", key};
	size_t lens[2];
	redisReply *rep;

	if (code_key(key, sizeof(key), kind, dest) < 0)
		return;
	lens[0] = 3;
	lens[1] = strlen(key);
	rep = redis_argv(w, 2, argv, lens);
	if (rep == NULL)
		log_debug("cannot drop verification code: redis unreachable (it expires in %d s)",
		          PROTO_CODE_TTL);
	else
		freeReplyObject(rep);
}
