/*
 * svc_seat.c: see svc_seat.h.
 */
#include "svc/svc_seat.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/holds.h"
#include "svc/limit.h"
#include "cache/redis.h"
#include "svc/seatmap.h"
#include "core/ids.h"
#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "proto_json.h"
#include "proto_seatpick.h"
#include "proto_wire.h"
#include "store/store_screening.h"
#include "svc/sale_facts.h"
#include "svc/routes.h"

#define HOLDS_PER_MIN 30
#define PICK_TRIES 3

static atomic_long holds_made;

static int is_staff(const struct req *r)
{
	return r->auth.role == PROTO_ROLE_ADMIN || r->auth.role == PROTO_ROLE_CASHIER;
}

/*
 * The current states of the screening's seats from Redis alone (holds and
 * ticket markers), for best available. Returns 0 or -1 (Redis down).
 */
static int current_state(struct req *r, const struct sale_facts *f,
                         char st[][PROTO_LAYOUT_MAX_COLS + 1])
{
	redisReply *rep;
	size_t i;
	int row, c;

	for (row = 0; row < f->layout.nrows; row++) {
		for (c = 0; c < f->layout.width[row]; c++) {
			char cat = f->layout.rows[row][c];
			st[row][c] = cat == PROTO_SEAT_NONE      ? PROTO_STATE_NONE
			             : cat == PROTO_SEAT_BLOCKED ? PROTO_STATE_BLOCKED
			             : cat == PROTO_SEAT_HOUSE   ? PROTO_STATE_HOUSE
			                                         : PROTO_STATE_FREE;
		}
		st[row][c] = '\0';
	}
	rep = redis_cmd(r->w, "HKEYS " SEATMAP_HOLDS_KEY, REDIS_SHARD(f->screening_id),
	                f->screening_id);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY) {
		for (i = 0; i < rep->elements; i++) {
			if (rep->element[i]->type == REDIS_REPLY_STRING &&
			    proto_layout_lookup(&f->layout, rep->element[i]->str, &row, &c, NULL) ==
			        0)
				st[row][c] = PROTO_STATE_HELD;
		}
	}
	freeReplyObject(rep);
	return 0;
}

/*
 * The seats of the request into seats[0..*n) with their free states.
 * Returns PROTO_OK, or the error (filled in r).
 */
static enum proto_err read_seats(struct req *r, const struct sale_facts *f, const cJSON *arr,
                                 char seats[][PROTO_SEAT_ID_SIZE], char *free_states, int *n)
{
	const cJSON *it;
	int k = 0, j;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
		return req_fail_field(r, "seats");
	if (cJSON_GetArraySize(arr) > HOLDS_MAX_SEATS)
		return req_fail_conflict(r, "hold_limit");
	cJSON_ArrayForEach(it, arr)
	{
		char cat;

		if (!cJSON_IsString(it) ||
		    proto_layout_lookup(&f->layout, it->valuestring, NULL, NULL, &cat) < 0 ||
		    !proto_seat_sellable(cat))
			return req_fail_field(r, "seats");
		if (cat == PROTO_SEAT_HOUSE && !is_staff(r))
			return req_fail_msg(r, PROTO_ERR_FORBIDDEN, "seat '%s' is a house seat",
			                    it->valuestring);
		for (j = 0; j < k; j++)
			if (strcmp(seats[j], it->valuestring) == 0)
				return req_fail_field(r, "seats");
		snprintf(seats[k], PROTO_SEAT_ID_SIZE, "%s", it->valuestring);
		free_states[k] = sale_facts_free_state(cat);
		k++;
	}
	free_states[k] = '\0';
	*n = k;
	return PROTO_OK;
}

static void free_states_of(const struct sale_facts *f, char seats[][PROTO_SEAT_ID_SIZE], int n,
                           char *free_states)
{
	int i;

	for (i = 0; i < n; i++) {
		char cat = PROTO_SEAT_STANDARD;

		proto_layout_lookup(&f->layout, seats[i], NULL, NULL, &cat);
		free_states[i] = sale_facts_free_state(cat);
	}
	free_states[n] = '\0';
}

enum proto_err seat_hold(struct req *r)
{
	char seats[HOLDS_MAX_SEATS][PROTO_SEAT_ID_SIZE],
	    conflicts[HOLDS_MAX_SEATS][PROTO_SEAT_ID_SIZE];
	char free_states[HOLDS_MAX_SEATS + 1], subject[24];
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r->body, "seats");
	struct sale_facts *f = NULL;
	char(*st)[PROTO_LAYOUT_MAX_COLS + 1] = NULL;
	enum proto_err e = PROTO_OK;
	enum holds_take_rc rc = HOLDS_DOWN;
	int64_t sid, count = 0, hold_id, exp_ms, version = 0, now = (int64_t)time(NULL);
	int n = 0, nconf = 0, gc, tries, i;
	cJSON *list;

	if (proto_get_id(r->body, "screeningId", &sid) != 1)
		return req_fail_field(r, "screeningId");
	if (arr && cJSON_IsNull(arr))
		arr = NULL;
	gc = proto_get_int(r->body, "count", 1, HOLDS_MAX_SEATS, &count);
	if (gc < 0)
		return req_fail_field(r, "count");
	if ((gc == 1) == (arr != NULL))
		return req_fail_field(r, arr ? "seats" : "count");
	snprintf(subject, sizeof(subject), "%" PRId64, r->auth.uid);
	e = limit_req(r, "hold", subject, HOLDS_PER_MIN, 60);
	if (e != PROTO_OK)
		return e;
	f = malloc(sizeof(*f));
	st = malloc(sizeof(char[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1]));
	if (!f || !st) {
		e = PROTO_ERR_INTERNAL;
		goto out;
	}
	hold_id = holds_new_id(sid);
	exp_ms = (now + cfg.hold_ttl) * 1000;
	/*
	 * The script refuses a hold made against facts whose generation moved
	 * (HOLDS_STALE: a screening or layout write committed): read them again.
	 * Best available also looks again when it lost a race for its seats.
	 */
	for (tries = 0; tries < PICK_TRIES; tries++) {
		e = sale_facts_get(r->w, sid, f);
		if (e == PROTO_ERR_NOT_FOUND) {
			e = req_fail_msg(r, e, "no such screening");
			goto out;
		}
		if (e == PROTO_OK)
			e = sale_facts_on_sale(r, f, now);
		if (e != PROTO_OK)
			goto out;
		if (arr) {
			if ((e = read_seats(r, f, arr, seats, free_states, &n)) != PROTO_OK)
				goto out;
		} else {
			if (current_state(r, f, st) < 0) {
				rc = HOLDS_DOWN;
				break;
			}
			if (proto_seatpick(&f->layout,
			                   (const char(*)[PROTO_LAYOUT_MAX_COLS + 1]) st,
			                   (int)count, is_staff(r), seats) < 0) {
				e = req_fail_conflict(r, "no_seats");
				goto out;
			}
			n = (int)count;
			free_states_of(f, seats, n, free_states);
		}
		rc = holds_take(r->w, sid, r->auth.uid, hold_id,
		                (const char(*)[PROTO_SEAT_ID_SIZE])seats, free_states, n, exp_ms,
		                is_staff(r) ? 0 : HOLDS_MAX_SEATS, SALE_FACTS_GEN_KEY, f->gen,
		                &version, conflicts, &nconf);
		if (rc != HOLDS_STALE && (rc != HOLDS_CONFLICT || arr))
			break;
	}
	if (rc == HOLDS_STALE)
		rc = HOLDS_FENCED; /* the layout kept changing under us */
	switch (rc) {
	case HOLDS_TAKEN:
		break;
	case HOLDS_CONFLICT:
		e = PROTO_ERR_SEAT_TAKEN;
		r->err_data = cJSON_CreateObject();
		list = cJSON_AddArrayToObject(r->err_data, "conflicts");
		for (i = 0; list && i < nconf; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(conflicts[i]));
		goto out;
	case HOLDS_FENCED:
		e = req_fail_conflict(r, "layout_change");
		goto out;
	case HOLDS_CAP:
		e = req_fail_conflict(r, "hold_limit");
		goto out;
	case HOLDS_NOT_READY:
		e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "seat holds are being rebuilt");
		goto out;
	default:
		e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
		goto out;
	}
	/*
	 * The fence rule of seatmap.h: the layout read after the script must
	 * still have these seats. With a generation (the usual case) the
	 * script checked it did not move; without one (read cache off, or
	 * Redis was down when the facts were read) read the layout again.
	 */
	if (!f->gen) {
		e = sale_facts_get(r->w, sid, f);
		for (i = 0; e == PROTO_OK && i < n; i++) {
			char cat;

			if (proto_layout_lookup(&f->layout, seats[i], NULL, NULL, &cat) < 0 ||
			    !proto_seat_sellable(cat) ||
			    sale_facts_free_state(cat) != free_states[i])
				e = PROTO_ERR_CONFLICT;
		}
		if (e != PROTO_OK) {
			holds_drop(r->w, hold_id, HOLDS_RELEASE, 0, 0);
			if (e == PROTO_ERR_CONFLICT)
				e = req_fail_conflict(r, "layout_change");
			goto out;
		}
	}
	seatmap_invalidate(r->w, sid);
	metrics_gauge_set("boxoffice_holds_total", "seat holds made (counter)",
	                  (double)atomic_fetch_add(&holds_made, 1) + 1);
	cJSON_AddNumberToObject(r->data, "holdId", (double)hold_id);
	list = cJSON_AddArrayToObject(r->data, "seats");
	for (i = 0; list && i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(seats[i]));
	cJSON_AddNumberToObject(r->data, "expireAt", (double)(exp_ms / 1000));
	log_debug("hold %" PRId64 " of screening %" PRId64 ": %d seats, version %" PRId64, hold_id,
	          sid, n, version);
out:
	free(st);
	free(f);
	return e;
}

enum proto_err seat_release(struct req *r)
{
	struct hold_rec h;
	int64_t id;
	int rc;

	if (proto_get_id(r->body, "holdId", &id) != 1)
		return req_fail_field(r, "holdId");
	rc = holds_get(r->w, id, &h);
	if (rc < 0)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
	if (rc == 0 || (!is_staff(r) && h.uid != r->auth.uid))
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such hold");
	rc = holds_drop(r->w, id, HOLDS_RELEASE, is_staff(r) ? 0 : r->auth.uid, 0);
	if (rc < 0)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
	if (rc == 0)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such hold");
	if (rc == 2)
		return req_fail_conflict(r, "ordered");
	seatmap_invalidate(r->w, h.sid);
	return PROTO_OK;
}
