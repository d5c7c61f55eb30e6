/*
 * holds.c: see holds.h. The scripts are the whole of the hold logic: each
 * decides and changes in one step, so no C code reads then writes.
 */
#include "cache/holds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/redis.h"
#include "cache/seatstate.h"
#include "core/ids.h"
#include "core/log.h"
#include "proto_wire.h"

#define PENDING_TTL_S 86400
#define ORDERED_TTL_MS ((int64_t)86400 * 1000)

/*
 * KEYS: seats hash, version, fence, uheld hash, hold record, holdexp, ready,
 * generation. ARGV: holdId, uid, exp_ms, cap, sid, free states, record ttl
 * ms, channel, expected generation ("0": none), then the seats. Returns
 * {1, version}, {0, seat...} (conflicts), {-1} (fenced), {-2, held} (cap),
 * {-3} (holds not rebuilt yet) or {-4} (the generation moved).
 */
static struct redis_script take_script = REDIS_SCRIPT(
    "holds_take", "if redis.call('EXISTS', KEYS[7]) == 0 then return {-3} end "
                  "if ARGV[9] ~= '0' and redis.call('GET', KEYS[8]) ~= ARGV[9] then "
                  "  return {-4} end "
                  "if redis.call('EXISTS', KEYS[3]) == 1 then return {-1} end "
                  "local n = #ARGV - 9 "
                  "local seats = {} "
                  "for i = 1, n do seats[i] = ARGV[9 + i] end "
                  "local cur = redis.call('HMGET', KEYS[1], unpack(seats)) "
                  "local conf = {0} "
                  "for i = 1, n do if cur[i] then conf[#conf + 1] = seats[i] end end "
                  "if #conf > 1 then return conf end "
                  "local cap = tonumber(ARGV[4]) "
                  "if cap > 0 then "
                  "  local held = tonumber(redis.call('HGET', KEYS[4], ARGV[2]) or '0') "
                  "  if held + n > cap then return {-2, held} end "
                  "end "
                  "local kv = {} "
                  "for i = 1, n do kv[#kv + 1] = seats[i]; kv[#kv + 1] = ARGV[1] end "
                  "redis.call('HSET', KEYS[1], unpack(kv)) "
                  "redis.call('HINCRBY', KEYS[4], ARGV[2], n) "
                  "redis.call('HSET', KEYS[5], 'sid', ARGV[5], 'uid', ARGV[2], 'seats', "
                  "  table.concat(seats, ' '), 'free', ARGV[6], 'exp', ARGV[3], 'oid', '0') "
                  "redis.call('PEXPIRE', KEYS[5], ARGV[7]) "
                  "redis.call('ZADD', KEYS[6], ARGV[3], ARGV[1]) "
                  "local v = redis.call('INCR', KEYS[2]) "
                  "local ch = {} "
                  "for i = 1, n do ch[i] = '{\"seat\":\"' .. seats[i] .. '\",\"state\":\"h\"}' end "
                  "redis.call('PUBLISH', ARGV[8] .. ARGV[5], '{\"screeningId\":' .. ARGV[5] .. "
                  "  ',\"version\":' .. v .. ',\"changes\":[' .. table.concat(ch, ',') .. ']}') "
                  "return {1, v}");

/*
 * KEYS: hold record, holdexp. ARGV: holdId, mode (r e f k), uid (0 any),
 * oid (f, k) or now_ms (e), key prefix, channel prefix. Returns 1, 0 or 2
 * as holds_drop.
 */
static struct redis_script drop_script = REDIS_SCRIPT(
    "holds_drop",
    "local r = redis.call('HMGET', KEYS[1], 'sid', 'uid', 'seats', 'free', 'exp', 'oid') "
    "if not r[1] then redis.call('ZREM', KEYS[2], ARGV[1]) return 0 end "
    "local mode = ARGV[2] "
    "if ARGV[3] ~= '0' and r[2] ~= ARGV[3] then return 0 end "
    "if mode == 'r' or mode == 'e' then "
    "  if r[6] ~= '0' then return 2 end "
    "  if mode == 'e' and tonumber(r[5]) > tonumber(ARGV[4]) then return 2 end "
    "elseif r[6] ~= ARGV[4] then return 0 end "
    "local p = ARGV[5] "
    "local hk = p .. 'seats:' .. r[1] "
    "local seats = {} "
    "for s in string.gmatch(r[3], '%S+') do seats[#seats + 1] = s end "
    "local ch = {} "
    "for i, s in ipairs(seats) do "
    "  if redis.call('HGET', hk, s) == ARGV[1] then "
    "    if mode == 'k' then redis.call('HSET', hk, s, 't' .. ARGV[4]) "
    "    else redis.call('HDEL', hk, s) end "
    "    ch[#ch + 1] = '{\"seat\":\"' .. s .. '\",\"state\":\"' .. string.sub(r[4], i, i) .. "
    "'\"}' "
    "  end "
    "end "
    "local uk = p .. 'uheld:' .. r[1] "
    "if redis.call('HINCRBY', uk, r[2], -#seats) <= 0 then redis.call('HDEL', uk, r[2]) end "
    "redis.call('DEL', KEYS[1]) "
    "redis.call('ZREM', KEYS[2], ARGV[1]) "
    "if mode ~= 'k' and #ch > 0 then "
    "  local v = redis.call('INCR', p .. 'seatver:' .. r[1]) "
    "  redis.call('PUBLISH', ARGV[6] .. r[1], '{\"screeningId\":' .. r[1] .. "
    "    ',\"version\":' .. v .. ',\"changes\":[' .. table.concat(ch, ',') .. ']}') "
    "end "
    "return 1");

/*
 * KEYS: hold record, holdexp. ARGV: holdId, uid (0 any), now_ms, oid,
 * ordered ttl ms, sweep_at ms (when the sweeper looks at the ordered hold
 * again). Returns {1}, {0}, {2, oid}, {3}. The pending order record is
 * written after it (holds_pending_put): it lives in no screening's slot.
 */
static struct redis_script claim_script =
    REDIS_SCRIPT("holds_claim", "local r = redis.call('HMGET', KEYS[1], 'uid', 'exp', 'oid') "
                                "if not r[1] then return {0} end "
                                "if ARGV[2] ~= '0' and r[1] ~= ARGV[2] then return {0} end "
                                "if r[3] ~= '0' then return {2, r[3]} end "
                                "if tonumber(r[2]) <= tonumber(ARGV[3]) then return {3} end "
                                "redis.call('HSET', KEYS[1], 'oid', ARGV[4]) "
                                "redis.call('PEXPIRE', KEYS[1], ARGV[5]) "
                                "redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1]) "
                                "return {1}");

/* KEYS: hold record, holdexp. ARGV: holdId, oid. */
static struct redis_script unclaim_script =
    REDIS_SCRIPT("holds_unclaim", "local r = redis.call('HMGET', KEYS[1], 'oid', 'exp') "
                                  "if r[1] ~= ARGV[2] then return 0 end "
                                  "redis.call('HSET', KEYS[1], 'oid', '0') "
                                  "redis.call('ZADD', KEYS[2], r[2], ARGV[1]) "
                                  "return 1");

const char *holds_take_source(void)
{
	return take_script.src;
}

/* A key of screening or hold id (their shard's tag, then the id). */
#define key_of(buf, fmt, id) SEATMAP_KEY((buf), sizeof(buf), fmt, (id))
/* Pending orders: not per screening, so no shard tag. */
#define PENDING_KEY REDIS_PREFIX "porder:%" PRId64
#define PENDINGS_KEY REDIS_PREFIX "porders:%" PRId64

static int64_t reply_int(const redisReply *r)
{
	if (r->type == REDIS_REPLY_INTEGER)
		return (int64_t)r->integer;
	if (r->type == REDIS_REPLY_STRING)
		return strtoll(r->str, NULL, 10);
	return 0;
}

static void bad_reply(const char *what, const redisReply *r)
{
	log_warn("%s: unexpected redis reply%s%s", what, r->type == REDIS_REPLY_ERROR ? ": " : "",
	         r->type == REDIS_REPLY_ERROR ? r->str : "");
}

/*
 * Cluster mode: the hold was taken without the generation check of the
 * script (the generation key is in another slot). Reading it after is as
 * strict: a generation that moved before the take is seen now, so the
 * hold goes again (HOLDS_STALE, the caller reads the facts again); one
 * that moved after it only costs a retry.
 */
static enum holds_take_rc gen_check(struct worker *w, int64_t hold_id, const char *gen_key,
                                    int64_t gen)
{
	redisReply *rep = redis_cmd(w, "GET %s", gen_key);
	int same = rep && rep->type == REDIS_REPLY_STRING && strtoll(rep->str, NULL, 10) == gen;

	if (rep)
		freeReplyObject(rep);
	if (same)
		return HOLDS_TAKEN;
	if (holds_drop(w, hold_id, HOLDS_RELEASE, 0, 0) < 0)
		log_warn("hold %" PRId64 ": taken on stale facts and cannot be undone; it expires",
		         hold_id);
	return rep ? HOLDS_STALE : HOLDS_DOWN;
}

int64_t holds_new_id(int64_t sid)
{
	int64_t id;
	int i;

	/* Ids are consecutive within a millisecond: a few draws at most. */
	for (i = 0; i < 64 * REDIS_SHARDS; i++)
		if (REDIS_SHARD(id = ids_next()) == REDIS_SHARD(sid))
			return id;
	return -1;
}

enum holds_take_rc holds_take(struct worker *w, int64_t sid, int64_t uid, int64_t hold_id,
                              const char seats[][PROTO_SEAT_ID_SIZE], const char *free_states,
                              int n, int64_t exp_ms, int cap, const char *gen_key, int64_t gen,
                              int64_t *version, char conflicts[][PROTO_SEAT_ID_SIZE], int *nconf)
{
	char ks[64], kv[64], kf[64], ku[64], kh[64], kx[64], kr[64], ahold[24], auid[24], aexp[24],
	    acap[16], asid[24], attl[24], agen[24];
	const char *argv[8 + 9 + HOLDS_MAX_SEATS] = {
	    ks,    kv,   kf,   ku,   kh,   kx,          kr,   gen_key,
	    ahold, auid, aexp, acap, asid, free_states, attl, PROTO_CHANNEL_SEATS,
	    agen};
	/* In a cluster the generation lives in another slot: checked after. */
	int gen_after = gen && redis_cluster_mode();
	enum holds_take_rc rc = HOLDS_DOWN;
	redisReply *rep;
	size_t i;
	int k;

	*nconf = 0;
	if (n < 1 || n > HOLDS_MAX_SEATS)
		return HOLDS_DOWN;
	key_of(ks, SEATMAP_HOLDS_KEY, sid);
	key_of(kv, SEATMAP_VERSION_KEY, sid);
	key_of(kf, SEATMAP_FENCE_KEY, sid);
	key_of(ku, HOLDS_UHELD_KEY, sid);
	key_of(kh, HOLDS_RECORD_KEY, hold_id);
	snprintf(kx, sizeof(kx), HOLDS_EXP_KEY, REDIS_SHARD(sid));
	snprintf(kr, sizeof(kr), HOLDS_READY_KEY, REDIS_SHARD(sid));
	if (gen_after)
		argv[7] = kr;
	snprintf(ahold, sizeof(ahold), "%" PRId64, hold_id);
	snprintf(auid, sizeof(auid), "%" PRId64, uid);
	snprintf(aexp, sizeof(aexp), "%" PRId64, exp_ms);
	snprintf(acap, sizeof(acap), "%d", cap);
	snprintf(asid, sizeof(asid), "%" PRId64, sid);
	/*
	 * The record outlives the hold by a day: the sweeper, not a TTL, ends a
	 * hold, since a record gone before its seats would leave them held.
	 */
	snprintf(attl, sizeof(attl), "%" PRId64,
	         exp_ms - (int64_t)time(NULL) * 1000 + ORDERED_TTL_MS);
	snprintf(agen, sizeof(agen), "%" PRId64, gen_after ? 0 : gen);
	for (k = 0; k < n; k++)
		argv[17 + k] = seats[k];
	rep = redis_eval(w, &take_script, 8, 9 + n, argv, NULL);
	if (!rep)
		return HOLDS_DOWN;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1) {
		bad_reply("seat hold", rep);
		goto out;
	}
	switch (reply_int(rep->element[0])) {
	case 1:
		*version = rep->elements > 1 ? reply_int(rep->element[1]) : 0;
		rc = HOLDS_TAKEN;
		break;
	case 0:
		for (i = 1; i < rep->elements && *nconf < HOLDS_MAX_SEATS; i++)
			if (rep->element[i]->type == REDIS_REPLY_STRING)
				snprintf(conflicts[(*nconf)++], PROTO_SEAT_ID_SIZE, "%s",
				         rep->element[i]->str);
		rc = HOLDS_CONFLICT;
		break;
	case -1:
		rc = HOLDS_FENCED;
		break;
	case -2:
		rc = HOLDS_CAP;
		break;
	case -3:
		rc = HOLDS_NOT_READY;
		break;
	case -4:
		rc = HOLDS_STALE;
		break;
	default:
		bad_reply("seat hold", rep);
	}
out:
	freeReplyObject(rep);
	if (rc == HOLDS_TAKEN && gen_after)
		rc = gen_check(w, hold_id, gen_key, gen);
	return rc;
}

int holds_get(struct worker *w, int64_t id, struct hold_rec *h)
{
	redisReply *rep;
	char *save = NULL, *tok, buf[HOLDS_MAX_SEATS * (PROTO_SEAT_ID_SIZE + 1) + 1];
	int rc = -1;

	memset(h, 0, sizeof(*h));
	rep = redis_cmd(w, "HMGET " HOLDS_RECORD_KEY " sid uid seats free exp oid", REDIS_SHARD(id),
	                id);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 6) {
		bad_reply("hold read", rep);
		goto out;
	}
	rc = 0;
	if (rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[2]->type != REDIS_REPLY_STRING ||
	    rep->element[3]->type != REDIS_REPLY_STRING)
		goto out;
	h->id = id;
	h->sid = reply_int(rep->element[0]);
	h->uid = reply_int(rep->element[1]);
	h->exp_ms = reply_int(rep->element[4]);
	h->oid = reply_int(rep->element[5]);
	snprintf(buf, sizeof(buf), "%s", rep->element[2]->str);
	snprintf(h->free_states, sizeof(h->free_states), "%s", rep->element[3]->str);
	for (tok = strtok_r(buf, " ", &save); tok && h->n < HOLDS_MAX_SEATS;
	     tok = strtok_r(NULL, " ", &save))
		snprintf(h->seats[h->n++], PROTO_SEAT_ID_SIZE, "%s", tok);
	rc = 1;
out:
	freeReplyObject(rep);
	return rc;
}

int holds_drop(struct worker *w, int64_t id, enum holds_drop_mode mode, int64_t uid, int64_t oid)
{
	static const char modes[] = "refk";
	char kh[64], kx[64], ahold[24], amode[2], auid[24], aarg[24], prefix[32];
	const char *argv[8] = {kh, kx, ahold, amode, auid, aarg, prefix, PROTO_CHANNEL_SEATS};
	redisReply *rep;
	int rc = -1;

	key_of(kh, HOLDS_RECORD_KEY, id);
	snprintf(kx, sizeof(kx), HOLDS_EXP_KEY, REDIS_SHARD(id));
	snprintf(prefix, sizeof(prefix), REDIS_SHARD_PREFIX, REDIS_SHARD(id));
	snprintf(ahold, sizeof(ahold), "%" PRId64, id);
	amode[0] = modes[mode];
	amode[1] = '\0';
	snprintf(auid, sizeof(auid), "%" PRId64, uid);
	snprintf(aarg, sizeof(aarg), "%" PRId64, oid);
	rep = redis_eval(w, &drop_script, 2, 6, argv, NULL);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_INTEGER)
		bad_reply("hold drop", rep);
	else
		rc = (int)rep->integer;
	freeReplyObject(rep);
	return rc;
}

int holds_claim(struct worker *w, int64_t id, int64_t uid, int64_t now_ms, int64_t oid,
                int64_t owner_uid, int64_t create_time, const char *pending, int64_t sweep_at_ms,
                int64_t *prev_oid)
{
	char kh[64], kx[64], ahold[24], auid[24], anow[24], aoid[24], attl[24], asweep[24];
	const char *argv[8] = {kh, kx, ahold, auid, anow, aoid, attl, asweep};
	redisReply *rep;
	int rc = -1;

	key_of(kh, HOLDS_RECORD_KEY, id);
	snprintf(kx, sizeof(kx), HOLDS_EXP_KEY, REDIS_SHARD(id));
	snprintf(ahold, sizeof(ahold), "%" PRId64, id);
	snprintf(auid, sizeof(auid), "%" PRId64, uid);
	snprintf(anow, sizeof(anow), "%" PRId64, now_ms);
	snprintf(aoid, sizeof(aoid), "%" PRId64, oid);
	snprintf(attl, sizeof(attl), "%" PRId64, ORDERED_TTL_MS);
	snprintf(asweep, sizeof(asweep), "%" PRId64, sweep_at_ms);
	rep = redis_eval(w, &claim_script, 2, 6, argv, NULL);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1) {
		bad_reply("hold claim", rep);
	} else {
		rc = (int)reply_int(rep->element[0]);
		if (rc == 2 && prev_oid)
			*prev_oid = rep->elements > 1 ? reply_int(rep->element[1]) : 0;
	}
	freeReplyObject(rep);
	if (rc == 1 && holds_pending_put(w, oid, owner_uid, create_time, pending) < 0) {
		holds_unclaim(w, id, oid);
		rc = -1;
	}
	return rc;
}

void holds_unclaim(struct worker *w, int64_t id, int64_t oid)
{
	char kh[64], kx[64], ahold[24], aoid[24];
	const char *argv[4] = {kh, kx, ahold, aoid};
	redisReply *rep;

	key_of(kh, HOLDS_RECORD_KEY, id);
	snprintf(kx, sizeof(kx), HOLDS_EXP_KEY, REDIS_SHARD(id));
	snprintf(ahold, sizeof(ahold), "%" PRId64, id);
	snprintf(aoid, sizeof(aoid), "%" PRId64, oid);
	rep = redis_eval(w, &unclaim_script, 2, 2, argv, NULL);
	if (!rep)
		log_warn("hold %" PRId64 ": cannot undo its order %" PRId64 "; it expires", id,
		         oid);
	else
		freeReplyObject(rep);
}

int holds_pending_put(struct worker *w, int64_t oid, int64_t uid, int64_t create_time,
                      const char *json)
{
	redisReply *a, *b;
	int rc = -1;

	a = redis_cmd(w, "SET " PENDING_KEY " %s EX %d", oid, json, PENDING_TTL_S);
	if (!a)
		return -1;
	b = redis_cmd(w, "ZADD " PENDINGS_KEY " %" PRId64 " %" PRId64, uid, create_time, oid);
	if (b && a->type != REDIS_REPLY_ERROR && b->type != REDIS_REPLY_ERROR)
		rc = 0;
	if (b)
		freeReplyObject(b);
	b = rc == 0 ? redis_cmd(w, "EXPIRE " PENDINGS_KEY " %d", uid, PENDING_TTL_S) : NULL;
	freeReplyObject(a);
	if (b)
		freeReplyObject(b);
	return rc;
}

char *holds_pending_get(struct worker *w, int64_t oid)
{
	redisReply *rep = redis_cmd(w, "GET " PENDING_KEY, oid);
	char *s = NULL;

	if (!rep)
		return NULL;
	if (rep->type == REDIS_REPLY_STRING)
		s = strdup(rep->str);
	freeReplyObject(rep);
	return s;
}

int holds_pending_list(struct worker *w, int64_t uid, int64_t *ids, int max)
{
	redisReply *rep = redis_cmd(w, "ZREVRANGE " PENDINGS_KEY " 0 %d", uid, max - 1);
	size_t i;
	int n = 0;

	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY)
		for (i = 0; i < rep->elements && n < max; i++)
			ids[n++] = reply_int(rep->element[i]);
	freeReplyObject(rep);
	return n;
}

void holds_pending_del(struct worker *w, int64_t oid, int64_t uid)
{
	redisReply *rep = redis_cmd(w, "DEL " PENDING_KEY, oid);

	if (rep)
		freeReplyObject(rep);
	rep = redis_cmd(w, "ZREM " PENDINGS_KEY " %" PRId64, uid, oid);
	if (rep)
		freeReplyObject(rep);
}

/*
 * KEYS: seats hash, version. ARGV: mode (t mark ticketed, f free, s sold),
 * oid, sid, channel, then pairs seat, state. t: every seat gets the
 * marker (see holds.h); f: a seat whose marker is the order's
 * leaves; s: only published. Returns the new version, or 0 (no change).
 */
static struct redis_script seats_script = REDIS_SCRIPT(
    "holds_seats",
    "local mode, mk = ARGV[1], 't' .. ARGV[2] "
    "local ch = {} "
    "for i = 5, #ARGV, 2 do "
    "  local s, st = ARGV[i], ARGV[i + 1] "
    "  local cur = redis.call('HGET', KEYS[1], s) "
    "  if mode == 't' then "
    "    if cur ~= mk then redis.call('HSET', KEYS[1], s, mk) end elseif mode == 'f' then "
    "    if cur == mk then redis.call('HDEL', KEYS[1], s) end "
    "    ch[#ch + 1] = '{\"seat\":\"' .. s .. '\",\"state\":\"' .. st .. '\"}' "
    "  else "
    "    ch[#ch + 1] = '{\"seat\":\"' .. s .. '\",\"state\":\"' .. st .. '\"}' "
    "  end "
    "end "
    "if #ch == 0 then return 0 end "
    "local v = redis.call('INCR', KEYS[2]) "
    "redis.call('PUBLISH', ARGV[4] .. ARGV[3], '{\"screeningId\":' .. ARGV[3] .. "
    "  ',\"version\":' .. v .. ',\"changes\":[' .. table.concat(ch, ',') .. ']}') "
    "return v");

int holds_seats(struct worker *w, int64_t sid, int64_t oid, char mode,
                const char seats[][PROTO_SEAT_ID_SIZE], const char *states, int n)
{
	char ks[64], kv[64], amode[2] = {mode, '\0'}, aoid[24], asid[24];
	char st[HOLDS_MAX_SEATS][2];
	const char *argv[6 + 2 * HOLDS_MAX_SEATS] = {ks,   kv,   amode,
	                                             aoid, asid, PROTO_CHANNEL_SEATS};
	redisReply *rep;
	int i, rc = -1;

	if (n < 1 || n > HOLDS_MAX_SEATS)
		return n == 0 ? 0 : -1;
	key_of(ks, SEATMAP_HOLDS_KEY, sid);
	key_of(kv, SEATMAP_VERSION_KEY, sid);
	snprintf(aoid, sizeof(aoid), "%" PRId64, oid);
	snprintf(asid, sizeof(asid), "%" PRId64, sid);
	for (i = 0; i < n; i++) {
		st[i][0] = states ? states[i] : PROTO_STATE_SOLD;
		st[i][1] = '\0';
		argv[6 + 2 * i] = seats[i];
		argv[7 + 2 * i] = st[i];
	}
	rep = redis_eval(w, &seats_script, 2, 4 + 2 * n, argv, NULL);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		rc = 0;
	else
		bad_reply("seat change", rep);
	freeReplyObject(rep);
	return rc;
}

/* Every shard has its flag: a cluster node that restarted empty lost only its own. */
int holds_ready(struct worker *w, int set)
{
	int k, rc = 1;

	for (k = 0; k < REDIS_SHARDS && rc == 1; k++) {
		redisReply *rep = set ? redis_cmd(w, "SET " HOLDS_READY_KEY " 1", k)
		                      : redis_cmd(w, "EXISTS " HOLDS_READY_KEY, k);

		if (!rep)
			return -1;
		if (rep->type == REDIS_REPLY_INTEGER)
			rc = rep->integer ? 1 : 0;
		else if (rep->type != REDIS_REPLY_STATUS)
			rc = -1;
		freeReplyObject(rep);
	}
	return rc;
}

/* ---- the rest of what orders keep ---- */

#define STOCK_KEY REDIS_PREFIX "stock:%" PRId64
#define IDEM_KEY REDIS_PREFIX "idem:%" PRId64 ":%s"
#define IDEM_BUSY "*"
#define NOT_QUEUED_KEY REDIS_PREFIX "notqueued:%" PRId64
#define NOT_QUEUED_TTL_S 86400

/* A command whose reply only says whether Redis answered: 0, or -1 when down. */
static int answered(redisReply *rep)
{
	if (!rep)
		return -1;
	freeReplyObject(rep);
	return 0;
}

int holds_publish_order(struct worker *w, const char *msg)
{
	return answered(redis_cmd(w, "PUBLISH %s %s", PROTO_CHANNEL_ORDERS, msg));
}

static struct redis_script stock_script =
    REDIS_SCRIPT("order_stock", "local v = redis.call('GET', KEYS[1]) "
                                "if not v then return -2 end "
                                "if tonumber(v) < tonumber(ARGV[1]) then return 0 end "
                                "redis.call('DECRBY', KEYS[1], ARGV[1]) "
                                "return 1");

int holds_stock_take(struct worker *w, int64_t fid, int q)
{
	char k[48], aq[16];
	const char *argv[2] = {k, aq};
	redisReply *rep;
	int rc = -1;

	snprintf(k, sizeof(k), STOCK_KEY, fid);
	snprintf(aq, sizeof(aq), "%d", q);
	rep = redis_eval(w, &stock_script, 1, 1, argv, NULL);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		rc = (int)rep->integer;
	freeReplyObject(rep);
	return rc;
}

int holds_stock_load(struct worker *w, int64_t fid, int64_t stock)
{
	return answered(
	    redis_cmd(w, "SET " STOCK_KEY " %" PRId64 " NX EX %d", fid, stock, HOLDS_STOCK_TTL_S));
}

void holds_stock_give(struct worker *w, int64_t fid, int q)
{
	(void)answered(redis_cmd(w, "INCRBY " STOCK_KEY " %d", fid, q));
}

void holds_stock_forget(struct worker *w, int64_t fid)
{
	(void)answered(redis_cmd(w, "DEL " STOCK_KEY, fid));
}

enum holds_idem holds_idem_begin(struct worker *w, int64_t uid, const char *key, char **answer,
                                 size_t *len)
{
	enum holds_idem rc = HOLDS_IDEM_NEW;
	redisReply *rep;

	*answer = NULL;
	*len = 0;
	rep =
	    redis_cmd(w, "SET " IDEM_KEY " %s NX GET EX %d", uid, key, IDEM_BUSY, HOLDS_IDEM_TTL_S);
	if (!rep)
		return HOLDS_IDEM_DOWN;
	if (rep->type == REDIS_REPLY_STRING) {
		if (strcmp(rep->str, IDEM_BUSY) == 0) {
			rc = HOLDS_IDEM_BUSY;
		} else {
			rc = HOLDS_IDEM_DONE;
			*answer = strdup(rep->str);
			*len = *answer ? rep->len : 0;
		}
	} else if (rep->type == REDIS_REPLY_ERROR) {
		log_warn("idempotency key: %s", rep->str);
		rc = HOLDS_IDEM_ERROR;
	}
	freeReplyObject(rep);
	return rc;
}

void holds_idem_end(struct worker *w, int64_t uid, const char *key, const char *answer)
{
	if (answer)
		(void)answered(
		    redis_cmd(w, "SET " IDEM_KEY " %s EX %d", uid, key, answer, HOLDS_IDEM_TTL_S));
	else
		(void)answered(redis_cmd(w, "DEL " IDEM_KEY, uid, key));
}

void holds_not_queued_set(struct worker *w, int64_t oid)
{
	(void)answered(redis_cmd(w, "SET " NOT_QUEUED_KEY " 1 EX %d", oid, NOT_QUEUED_TTL_S));
}

int holds_not_queued(struct worker *w, int64_t oid)
{
	redisReply *rep = redis_cmd(w, "EXISTS " NOT_QUEUED_KEY, oid);
	int yes = 0;

	if (rep) {
		yes = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
		freeReplyObject(rep);
	}
	return yes;
}

void holds_seatmap_bump(struct worker *w, int64_t sid)
{
	(void)answered(redis_cmd(w, "INCR " SEATMAP_VERSION_KEY, REDIS_SHARD(sid), sid));
}

int holds_expired(struct worker *w, int shard, int64_t now_ms, int64_t *ids, int max)
{
	redisReply *rep;
	size_t i;
	int n = 0;

	rep = redis_cmd(w, "ZRANGEBYSCORE " HOLDS_EXP_KEY " -inf %" PRId64 " LIMIT 0 %d", shard,
	                now_ms, max);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY)
		for (i = 0; i < rep->elements && n < max; i++)
			if (rep->element[i]->type == REDIS_REPLY_STRING)
				ids[n++] = strtoll(rep->element[i]->str, NULL, 10);
	freeReplyObject(rep);
	return n;
}
