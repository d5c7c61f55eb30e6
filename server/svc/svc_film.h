/*
 * svc_film.h: the film service of spec 4.2.
 *
 * Rules beyond the table of 4.2:
 *   - fields: name 1..100 characters; desc up to 2000, director and
 *     screenwriter up to 100, genre up to 100 (each may be ""); length
 *     1..1440 minutes; amount and stock 0..10^9; isSelectSeat 0 or 1;
 *     posterUrl up to 500 printable ASCII characters without spaces, quotes
 *     or angle brackets, "" or starting with "/", "http://" or "https://";
 *   - /film/update sets every key that is present (0 and "" included) and
 *     leaves absent ones; a film's length change does not move screenings
 *     already scheduled (their endAt stays); isSelectSeat cannot go from 1
 *     to 0 while a scheduled screening of the film starts later (409
 *     conflict, reason "future_screenings"): a film sold by quantity has no
 *     screenings;
 *   - /film/list: "query" matches a substring of name or director, "genre"
 *     the whole genre (both case-insensitive); newest first;
 *   - /film/sale/list: at most FILM_SALE_MAX films, newest first, "total"
 *     counts them all;
 *   - /film/remove is soft (removed films are 404 everywhere) and refused
 *     with 409 conflict, reason "paid_tickets", while a screening of the film
 *     that is not over (running, or starting later) has paid live tickets.
 *     Otherwise the film's scheduled screenings starting later are
 *     cancelled with it (reason "film removed": their unpaid orders become
 *     invalid, their holds are dropped).
 * Every admin write is audited ("film.create", "film.update", "film.remove").
 *
 * Cache keys (cache.h): "film:<id>" (detail), "film:list:<gen>:<hash>",
 * "film:sale:<gen>" with the generation of namespace "film".
 * Handlers run on worker threads.
 */
#ifndef BOXOFFICE_SVC_SVC_FILM_H
#define BOXOFFICE_SVC_SVC_FILM_H

#include <stdint.h>

#include "core/req.h"

struct worker;

#define FILM_SALE_MAX 200

/*
 * For writers outside this service that change what a film read returns
 * (general-admission sales change films.stock): drop the film's cached
 * detail and every cached film list, sale list included. After the commit.
 */
void film_cache_invalidate(struct worker *w, int64_t film_id);

#endif
