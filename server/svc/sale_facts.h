/*
 * sale_facts.h: what selling needs to know about a screening (start,
 * status, film, prices, the hall's layout), served from the read cache so
 * that a hold or an order costs no MySQL round trip.
 *
 * Freshness: the entry is keyed by the "screening" namespace generation,
 * which every screening write and every hall layout change bumps after its
 * commit (the layout change before it drops its fences, see seatmap.h), so
 * a hold that passed the fence reads the new layout. Each thread keeps the
 * parsed facts of the screenings it served last, valid while the
 * generation is the same (one GET instead of a parse of the layout).
 * Worker threads only.
 */
#ifndef BOXOFFICE_SVC_SALE_FACTS_H
#define BOXOFFICE_SVC_SALE_FACTS_H

#include <stdint.h>

#include "proto_error.h"
#include "proto_layout.h"
#include "svc/pricing.h"

struct req;
struct worker;

struct sale_facts {
	int64_t screening_id, film_id, hall_id, start_at;
	/*
	 * The "screening" namespace generation these facts belong to; 0 when
	 * the read cache is off or Redis is down (then they came from MySQL
	 * and no generation vouches for them).
	 */
	int64_t gen;
	int status; /* store_screening_status */
	struct pricing pricing;
	struct proto_layout layout;
};

/*
 * The facts of screening id into *f. Returns PROTO_OK, PROTO_ERR_NOT_FOUND
 * (no such screening, or its film is removed), PROTO_ERR_UNAVAILABLE or
 * PROTO_ERR_INTERNAL.
 */
enum proto_err sale_facts_get(struct worker *w, int64_t id, struct sale_facts *f);

/*
 * Whether a screening with facts f still sells at now (Unix seconds):
 * PROTO_OK, or the conflict "cancelled" / "started" set on r.
 */
enum proto_err sale_facts_on_sale(struct req *r, const struct sale_facts *f, int64_t now);

/* The Redis key of the generation that sale_facts.gen is a value of. */
#define SALE_FACTS_GEN_KEY "bo:c:gen:{screening}"

/* The state a seat of category cat returns to when freed: 'b' for a house seat, else 'f'. */
char sale_facts_free_state(char cat);

#endif
