/*
 * pricing.h: the one price module. Screening creation validates its
 * "prices" and "discounts" objects here, and order creation computes every
 * ticket's price here, so the two never disagree (spec 4.4, 4.6).
 *
 * Rules:
 *   - prices: object, seat category ("S" "V" "W" "C") -> integer price in
 *     minor units, 0..PRICING_MAX_PRICE. A missing category costs the film's
 *     amount. A house seat H costs the S price (spec 4.3), so "H" is no key
 *     of prices: it is refused rather than silently ignored. X and '.' have
 *     no price.
 *   - discounts: object, ticket type ([a-z]{1,20}) -> integer percent off,
 *     0..100, at most PRICING_MAX_TYPES types. "adult" is always 0: the key
 *     may be sent only with 0. A ticket type that is neither "adult" nor a
 *     key of the object is an error.
 *   - a discounted price is price * (100 - pct) / 100 rounded half up in
 *     minor units: 4500 at 30 % -> 3150; 999 at 50 % -> 500 (499.5 up).
 *
 * Pure functions over plain data and cJSON; no I/O; any thread.
 */
#ifndef BOXOFFICE_SVC_PRICING_H
#define BOXOFFICE_SVC_PRICING_H

#include <stdint.h>

#include <cjson/cJSON.h>

#define PRICING_MAX_PRICE INT64_C(1000000000)
#define PRICING_MAX_TYPES 16
#define PRICING_TYPE_MAX 20 /* characters of a ticket type name */
#define PRICING_ADULT "adult"
#define PRICING_NCAT 4 /* categories with a price of their own: PROTO_SEAT_PRICED */
/* Longest text of a valid prices / discounts object, compact JSON. */
#define PRICING_PRICES_TEXT_MAX 128
#define PRICING_DISCOUNTS_TEXT_MAX (PRICING_MAX_TYPES * (PRICING_TYPE_MAX + 8) + 2)

struct pricing_type {
	char name[PRICING_TYPE_MAX + 1];
	int pct;
};

/* The price rules of one screening. Plain data: copy it. */
struct pricing {
	int64_t film_amount;
	int64_t price[PRICING_NCAT]; /* by index in PROTO_SEAT_PRICED: S V W C */
	int has[PRICING_NCAT];
	int ntypes;
	struct pricing_type types[PRICING_MAX_TYPES];
};

/* 0 when prices (may be NULL: none given) is a valid prices object, else -1. */
int pricing_check_prices(const cJSON *prices);
/* 0 when discounts (may be NULL) is a valid discounts object, else -1. */
int pricing_check_discounts(const cJSON *discounts);

/*
 * Fill *p from the objects (NULL = {}) and the film's amount. Returns 0, or
 * -1 when either object is invalid (then *p is unspecified).
 */
int pricing_init(struct pricing *p, const cJSON *prices, const cJSON *discounts,
                 int64_t film_amount);
/* The same from JSON text as stored in screenings.prices / .discounts (NULL = {}). */
int pricing_init_text(struct pricing *p, const char *prices, const char *discounts,
                      int64_t film_amount);

/*
 * Canonical compact JSON of the objects of *p (validated input comes back
 * sorted: categories in S V W C order, ticket types as given, "adult"
 * dropped). Return a malloc'd string the caller frees with free(), or NULL
 * on ENOMEM.
 */
char *pricing_prices_text(const struct pricing *p);
char *pricing_discounts_text(const struct pricing *p);

/* Price of a seat of this category. Returns 0, or -1 for X, '.' or an unknown letter. */
int pricing_seat(const struct pricing *p, char category, int64_t *price);
/* Percent off for a ticket type. Returns 0 ("adult": 0), or -1 for an unknown type. */
int pricing_discount(const struct pricing *p, const char *ticket_type, int *pct);
/* price less pct percent, rounded half up. pct is clamped to 0..100. */
int64_t pricing_apply(int64_t price, int pct);
/* pricing_seat then pricing_apply. Returns 0, or -1 (unknown category or ticket type). */
int pricing_ticket(const struct pricing *p, char category, const char *ticket_type, int64_t *price);

#endif
