#include "cache/ratelimit.h"

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "cache/redis.h"
#include "core/config.h"
#include "core/log.h"

/*
 * KEYS[1] the counter; ARGV[1] the window in ms. Returns {count, pttl}.
 * A counter without a TTL (should not happen) gets one, so a key can never
 * block a subject forever.
 */
static struct redis_script hit_script =
    REDIS_SCRIPT("ratelimit_hit", "local n = redis.call('INCR', KEYS[1])\n"
                                  "local t = redis.call('PTTL', KEYS[1])\n"
                                  "if n == 1 or t < 0 then\n"
                                  "  redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
                                  "  t = tonumber(ARGV[1])\n"
                                  "end\n"
                                  "return {n, t}\n");

int ratelimit_hit(struct worker *w, const char *bucket, const char *subject, long limit,
                  long window_s, int *retry_after)
{
	char key[1400], ms[24];
	const char *argv[2];
	size_t lens[2];
	redisReply *rep = NULL;
	long long count, pttl;
	int n, rc = -1;

	*retry_after = 0;
	if (!cfg.rate_limits)
		return 0;
	n = snprintf(key, sizeof(key), REDIS_PREFIX "rl:%s:%s", bucket, subject);
	if (n < 0 || (size_t)n >= sizeof(key))
		n = sizeof(key) - 1; /* a cut subject still limits something */
	snprintf(ms, sizeof(ms), "%ld", window_s * 1000);
	argv[0] = key;
	argv[1] = ms;
	lens[0] = (size_t)n;
	lens[1] = strlen(ms);
	rep = redis_eval(w, &hit_script, 1, 1, argv, lens);
	if (rep == NULL)
		goto out;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_INTEGER ||
	    rep->element[1]->type != REDIS_REPLY_INTEGER) {
		log_error("cannot count rate limit '%s': redis: %s", bucket,
		          rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		goto out;
	}
	count = rep->element[0]->integer;
	pttl = rep->element[1]->integer;
	if (count <= limit) {
		rc = 0;
		goto out;
	}
	*retry_after = (int)((pttl + 999) / 1000);
	if (*retry_after < 1)
		*retry_after = 1;
	rc = 1;
out:
	if (rep)
		freeReplyObject(rep);
	return rc;
}

void ratelimit_addr_subject(const char *remote, char *out, size_t outlen)
{
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];

	if (remote == NULL)
		remote = "";
	snprintf(out, outlen, "%s", remote);
	if (strchr(remote, ':') == NULL || inet_pton(AF_INET6, remote, a) != 1)
		return;
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0) {
		if (inet_ntop(AF_INET, a + 12, buf, sizeof(buf)))
			snprintf(out, outlen, "%s", buf);
		return;
	}
	memset(a + 8, 0, 8);
	if (inet_ntop(AF_INET6, a, buf, sizeof(buf)))
		snprintf(out, outlen, "%s/64", buf);
}
