/*
 * codes.h: one-time verification codes of spec 4.1 (email and phone), kept
 * in Redis under "bo:code:email:<address>" / "bo:code:phone:<number>" as a
 * hash {code, tries} that lives PROTO_CODE_TTL seconds.
 *
 * Invariants: a destination has at most one live code (a new one replaces
 * it); a code is used at most once (a match deletes it); PROTO_CODE_MAX_TRIES
 * wrong tries delete (burn) it. Check-and-consume is one Lua script, so two
 * concurrent registrations cannot both use one code. A caller whose action
 * can still fail after the check (an insert) checks with codes_check and
 * uses the code up with codes_consume once the action succeeded, so a
 * failed action does not cost the user a code. Email addresses are compared
 * without case. Worker threads only.
 */
#ifndef BOXOFFICE_CACHE_CODES_H
#define BOXOFFICE_CACHE_CODES_H

#include "proto_wire.h"

struct worker;

enum codes_kind { CODES_EMAIL, CODES_PHONE };

enum codes_rc {
	CODES_OK = 0,           /* matched and consumed */
	CODES_WRONG = 1,        /* no match; a try was counted (the last one burns it) */
	CODES_EXPIRED = 2,      /* no live code: never sent, expired, used or burnt */
	CODES_UNAVAILABLE = -1, /* Redis unreachable or failing (logged) */
};

/*
 * Make a new code for dest (CSPRNG, PROTO_CODE_DIGITS digits) into
 * code[PROTO_CODE_DIGITS + 1] and store it, replacing any previous one.
 * Returns 0, or -1 when Redis is unreachable or the random source failed.
 */
int codes_issue(struct worker *w, enum codes_kind kind, const char *dest,
                char code[PROTO_CODE_DIGITS + 1]);

/* Check code against the live code of dest and use it up on a match, atomically. */
enum codes_rc codes_verify(struct worker *w, enum codes_kind kind, const char *dest,
                           const char *code);

/*
 * As codes_verify, but a match leaves the code live (CODES_OK); a wrong code
 * still counts a try. Follow a match with codes_consume once the action the
 * code allows has succeeded.
 */
enum codes_rc codes_check(struct worker *w, enum codes_kind kind, const char *dest,
                          const char *code);

/*
 * Count one try against the live code of dest, as a wrong code would (the
 * last try burns it): a matched code whose action was refused (a taken
 * mobile) must not allow unlimited attempts. Best effort.
 */
void codes_charge(struct worker *w, enum codes_kind kind, const char *dest);

/*
 * Use up code if it is still the live code of dest (a newer code is left
 * alone). Returns 0 (used up, or no longer live), or -1 when Redis failed
 * (logged; the code then lives out its PROTO_CODE_TTL).
 */
int codes_consume(struct worker *w, enum codes_kind kind, const char *dest, const char *code);

/* Remove the live code of dest (a send that failed). Best effort. */
void codes_drop(struct worker *w, enum codes_kind kind, const char *dest);

#endif
